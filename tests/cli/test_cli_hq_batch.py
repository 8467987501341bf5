"""``inspector hq import A.zip B.zip ... [--jobs N]``: several bundles at once, each with the
outcome importing it alone gives; a path that is no file refuses the whole batch, unwritten."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.paths import DataDir
from tests.helpers import write_zip, zip_members
from tests.hq.world import bundle_of, make_closed_audit

Cli = Callable[..., tuple[int, str, str]]


def _registered(run_cli: Cli, hq: DataDir) -> list[str]:
    code, out, err = run_cli("--data-dir", hq.root, "hq", "audits", "--json")
    assert code == 0, err
    return sorted(row["id"] for row in json.loads(out))


def test_two_bundles_import_in_one_command(
    run_cli: Cli, hq_env: DataDir, audit_service: Any, auditor_key: Any, bundle: Path, tmp_path: Path
) -> None:
    other = bundle_of(audit_service, make_closed_audit(audit_service, auditor_key), tmp_path / "other.zip")
    code, out, err = run_cli("--data-dir", hq_env.root, "hq", "import", bundle, other, "--jobs", "1", "--json")
    assert code == 0, err
    rows = json.loads(out)["bundles"]
    assert [row["file"] for row in rows] == [str(bundle), str(other)]
    assert [row["status"] for row in rows] == ["imported", "imported"]
    assert len(_registered(run_cli, hq_env)) == 2
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "import", bundle, other)
    assert code == 0 and out.count("was already imported") == 2


def test_a_forged_bundle_is_refused_and_the_others_go_on(
    run_cli: Cli, hq_env: DataDir, audit_service: Any, auditor_key: Any, bundle: Path, tmp_path: Path
) -> None:
    members = zip_members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    forged = write_zip(tmp_path / "forged.zip", members)
    other = bundle_of(audit_service, make_closed_audit(audit_service, auditor_key), tmp_path / "other.zip")
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "import", forged, other)
    assert code == 1
    assert f"REFUSED: {forged}" in out and f"{other}: imported audit" in out
    assert len(_registered(run_cli, hq_env)) == 1


def test_a_missing_file_refuses_the_batch_and_registers_nothing(
    run_cli: Cli, hq_env: DataDir, bundle: Path, tmp_path: Path
) -> None:
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", "import", bundle, tmp_path / "nope.zip")
    assert code == 2 and "nope.zip: no such file" in err and err.count("\n") == 1
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", "import", bundle, bundle)
    assert code == 2 and "given twice" in err
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", "import", bundle, bundle, "--jobs", "0")
    assert code == 2 and "--jobs" in err
    assert _registered(run_cli, hq_env) == []
