"""The parallel batch import (hq/batch.py) when a bundle fails: nothing half-written.

* test_damaged_bundles_in_a_batch_*: garbage, truncated and tampered bundles among good ones are
  refused one by one, nothing of theirs is written, the good ones are registered.
* test_an_unexpected_failure_*: a bundle whose preparation or registration fails with an error
  that is not an InspectorError (a bug, a killed worker) aborts the batch. What was registered
  before stays (each bundle is its own transaction, by design); the bundles the workers
  prepared ahead leave no staged copies behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import inspector.hq.batch as batch
from inspector.hq.intake import registered
from inspector.hq.register import files_dir
from inspector.paths import DataDir
from tests.helpers import write_zip, zip_members
from tests.hq.world import bundle_of, make_closed_audit


def _leftovers(data: DataDir) -> list[Path]:
    staging = files_dir(data) / ".staging"
    return sorted(p for p in staging.rglob("*") if p.is_file()) if staging.exists() else []


def _store_files(data: DataDir) -> list[Path]:
    root = files_dir(data)
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".staging" not in p.parts)


@pytest.fixture
def good(audit_service: Any, auditor_key: Any, bundle: Path, tmp_path: Path) -> list[Path]:
    others = [
        bundle_of(audit_service, make_closed_audit(audit_service, auditor_key), tmp_path / f"other{n}.zip")
        for n in range(3)
    ]
    return [bundle, *others]


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_may_fork", lambda: True)


@pytest.mark.parametrize("workers", [1, 2])
def test_damaged_bundles_in_a_batch_are_refused_alone_and_leave_nothing(
    good: list[Path], hq_env: DataDir, tmp_path: Path, workers: int, forking: None
) -> None:
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(300))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good[0].read_bytes()[:-200])
    members = zip_members(good[1])
    members["records.jsonl"] = members["records.jsonl"].replace(b'"sig":"', b'"sig":"A', 1)
    badsig = write_zip(tmp_path / "badsig.zip", members)
    members = zip_members(good[2])
    evidence = [name for name in members if name.startswith("evidence/")]
    if evidence:
        members[evidence[0]] = members[evidence[0]] + b"x"
    else:
        members["evidence/" + "0" * 64] = b"an evidence file nobody refers to"
    badevidence = write_zip(tmp_path / "badevidence.zip", members)
    paths = [good[0], garbage, badsig, good[1], truncated, badevidence, good[3]]
    items = batch.import_bundles(hq_env, paths, jobs=workers)
    statuses = [item.result.status if item.result else ("refused" if item.refused else "error") for item in items]
    assert statuses[0] == "imported" and statuses[3] == "imported" and statuses[6] == "imported"
    assert statuses[1] != "imported" and statuses[2] != "imported" and statuses[4] != "imported"
    assert len(registered(hq_env)) == statuses.count("imported")  # four distinct audits at most
    assert _leftovers(hq_env) == []


def _boom_on(target: Path, real: Any) -> Any:
    def prepare(data: Any, path: Path, staging: Any) -> Any:
        if Path(path) == target:
            raise RuntimeError("a bug while preparing this bundle")
        return real(data, path, staging)

    return prepare


def test_an_unexpected_failure_while_preparing_leaves_no_staged_files(
    good: list[Path], hq_env: DataDir, forking: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers have staged the bundles after the failing one (they run ahead of the
    parent): the aborted batch closes those stagings (found in review: their copies stayed in
    the file store's .staging until fsck reported them hours later)."""
    monkeypatch.setattr(batch, "prepare_import", _boom_on(good[1], batch.prepare_import))
    with pytest.raises(RuntimeError):
        batch.import_bundles(hq_env, good, jobs=2)
    assert [row.id for row in registered(hq_env)]  # the first bundle was registered: by design
    assert _leftovers(hq_env) == []


def test_an_unexpected_failure_while_registering_leaves_no_staged_files(
    good: list[Path], hq_env: DataDir, forking: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, when the parent's register step fails."""
    real = batch.register_plan
    calls: list[int] = []

    def register(register: Any, plan: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("a bug in the register")
        return real(register, plan)

    monkeypatch.setattr(batch, "register_plan", register)
    with pytest.raises(KeyError):
        batch.import_bundles(hq_env, good, jobs=2)
    assert len(registered(hq_env)) == 1
    assert _leftovers(hq_env) == []
