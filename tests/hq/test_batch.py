"""A batch import (``inspector.hq.batch.import_bundles``): bundles are verified in worker
processes and registered by this one, in order, each in its own transaction, so the outcome of
every bundle is what importing them one by one gives: new, the same again, refused (the others
carry on), and nothing staged is left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import inspector.hq.batch as batch
from inspector.hq.intake import ImportRefused, import_bundle, registered
from inspector.hq.register import files_dir
from inspector.paths import DataDir
from tests.helpers import write_zip, zip_members
from tests.hq.world import bundle_of, make_closed_audit


def _leftovers(data: DataDir) -> list[Path]:
    staging = files_dir(data) / ".staging"
    return sorted(p for p in staging.rglob("*") if p.is_file()) if staging.exists() else []


@pytest.fixture
def bundles(audit_service: Any, auditor_key: Any, bundle: Path, tmp_path: Path) -> list[Path]:
    """Two closed audits' bundles, the first again, a tampered copy of it and a missing file."""
    other = bundle_of(audit_service, make_closed_audit(audit_service, auditor_key), tmp_path / "other.zip")
    members = zip_members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    tampered = write_zip(tmp_path / "tampered.zip", members)
    return [bundle, other, bundle, tampered, tmp_path / "missing.zip"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_gives_each_bundle_the_outcome_of_importing_them_one_by_one(
    bundles: list[Path], hq_env: DataDir, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked: list[int] = []
    monkeypatch.setattr(batch, "HELD_FOR", 2)  # the register's writer taken and let go three times
    if workers > 1:  # pytest-xdist runs a thread of its own: let the batch fork all the same
        monkeypatch.setattr(batch, "_may_fork", lambda: forked.append(1) or True)
    items = batch.import_bundles(hq_env, bundles, jobs=workers)
    assert bool(forked) == (workers > 1)
    assert [item.bundle for item in items] == [str(path) for path in bundles]
    statuses = [item.result.status if item.result else None for item in items]
    assert statuses == ["imported", "imported", "already-imported", None, None]
    assert items[0].result and items[2].result and items[0].result.audit.id == items[2].result.audit.id
    with pytest.raises(ImportRefused) as alone:
        import_bundle(hq_env, bundles[3])
    assert items[3].refused == alone.value.reasons and items[3].exit_status == 1
    assert items[4].error and "no such file" in items[4].error and items[4].exit_status == 2
    assert [item.to_json()["file"] for item in items] == [str(path) for path in bundles]
    assert items[3].to_json()["status"] == "refused" and items[4].to_json()["status"] == "error"
    assert sorted(row.id for row in registered(hq_env)) == sorted(
        {item.result.audit.id for item in items[:2] if item.result}
    )
    assert _leftovers(hq_env) == []


def test_a_batch_registers_what_single_imports_register(bundles: list[Path], hq_env: DataDir, tmp_path: Path) -> None:
    import shutil

    one_by_one = DataDir(tmp_path / "one-by-one")
    shutil.copytree(hq_env.root, one_by_one.root, symlinks=True)
    for path in bundles[:3]:
        import_bundle(one_by_one, path)
    batch.import_bundles(hq_env, bundles[:3], jobs=1)

    def rows(data: DataDir) -> list[dict[str, Any]]:
        timeless = {"imported", "updated", "history"}
        return sorted(
            ({k: v for k, v in row.model_dump().items() if k not in timeless} for row in registered(data)), key=str
        )

    assert rows(hq_env) == rows(one_by_one)


def test_jobs_must_be_positive(hq_env: DataDir, bundle: Path) -> None:
    with pytest.raises(ValueError):
        batch.import_bundles(hq_env, [bundle], jobs=0)
