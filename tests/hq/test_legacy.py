"""An HQ data directory of the first release (bundles and certificate records in two flat
folders, rows without findings) keeps working as it is, and ``hq db upgrade`` moves it into the
file store: each file checked against its registered hash, the rows rewritten, the folders gone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.hq.intake import import_bundle
from inspector.hq.register import FileStore, files_dir
from inspector.paths import DataDir
from inspector.store.record_store import RecordStore
from tests.hq.world import bundle_of, days_from_today, make_closed_audit

Cli = Callable[..., tuple[int, str, str]]
FIRST_RELEASE_KEYS = [
    "id",
    "station",
    "station_name",
    "type",
    "auditor",
    "auditor_kid",
    "checklist",
    "checklist_hash",
    "opened",
    "closed",
    "score",
    "majors",
    "minors",
    "decision",
    "records",
    "findings_root",
    "seal",
    "bundle",
    "bundle_sha256",
    "imported",
    "trust",
    "warnings",
]


def make_first_release(hq: DataDir) -> None:
    """Rewrite ``hq``'s register and files as the first release kept them."""
    path = hq.hq_tinydb_register
    store = FileStore(files_dir(hq))
    with RecordStore(path, writable=False) as old:
        audits, certs = old.items("audits"), old.items("certificates")
    path.unlink()
    hq.hq_bundles.mkdir(parents=True)
    hq.hq_certificates.mkdir(parents=True)
    with RecordStore(path) as new:
        for audit_id, row in audits:
            shutil.move(store.path(row["bundle_sha256"]), hq.hq_bundles / f"{audit_id}.zip")
            legacy = {key: row[key] for key in FIRST_RELEASE_KEYS} | {"bundle": f"{audit_id}.zip"}
            new.put("audits", audit_id, legacy)
        for cert_id, row in certs:
            shutil.move(store.path(row["record_sha256"]), hq.hq_certificates / f"{cert_id}.json")
            new.put("certificates", cert_id, row)
    shutil.rmtree(files_dir(hq))  # the evidence was never kept apart


@pytest.fixture
def first_release(
    hq_env: DataDir, audit_service: Any, auditor_key: Any, trust_env: DataDir, tmp_path: Path
) -> dict[str, Any]:
    from inspector.certificates.issue import issue_certificate

    nc = make_closed_audit(audit_service, auditor_key, "GBN-S49", {"WHD-02": ("minor", days_from_today(30))})
    good = make_closed_audit(audit_service, auditor_key)
    cert = issue_certificate(trust_env, good, auditor_key).body.cert_id
    bundles = {audit_id: bundle_of(audit_service, audit_id, tmp_path / f"{audit_id}.zip") for audit_id in (nc, good)}
    for path in bundles.values():
        import_bundle(hq_env, path)
    make_first_release(hq_env)
    return {"nc": nc, "good": good, "cert": cert, "bundles": bundles}


def _run(run_cli: Cli, hq: DataDir, *args: str) -> tuple[int, Any, str]:
    code, out, err = run_cli("--data-dir", hq.root, "hq", *args, "--json")
    return code, json.loads(out) if out.strip() else None, err


def test_a_first_release_directory_works_as_it_is(run_cli: Cli, hq_env: DataDir, first_release: dict[str, Any]) -> None:
    code, audits, _ = _run(run_cli, hq_env, "audits")
    assert code == 0 and {row["bundle"] for row in audits} == {f"{a}.zip" for a in first_release["bundles"]}
    code, certs, _ = _run(run_cli, hq_env, "certificates")
    assert code == 0 and [row["id"] for row in certs] == [first_release["cert"]]
    code, report, _ = _run(run_cli, hq_env, "fsck")
    assert code == 0 and report["ok"] and report["files"] == 3
    assert any("upgrade pending" in warning for warning in report["warnings"])
    status = _run(run_cli, hq_env, "db", "status")[1]
    assert status["version"] == 1 and len(status["pending"]) == 2
    for path in first_release["bundles"].values():
        assert import_bundle(hq_env, path).status == "already-imported"
    code, revoked, err = _run(run_cli, hq_env, "revoke", first_release["cert"], "--reason", "test")
    assert code == 0, err


def test_db_upgrade_moves_the_flat_folders_into_the_file_store(
    run_cli: Cli, hq_env: DataDir, first_release: dict[str, Any]
) -> None:
    before = {row["id"]: row for row in _run(run_cli, hq_env, "audits")[1]}
    code, result, err = _run(run_cli, hq_env, "db", "upgrade")
    assert code == 0, err
    assert result["from_version"] == 1 and result["version"] == 2 and len(result["applied"]) == 2
    assert not hq_env.hq_bundles.exists() and not hq_env.hq_certificates.exists()
    store = FileStore(files_dir(hq_env))
    after = {row["id"]: row for row in _run(run_cli, hq_env, "audits")[1]}
    for audit_id, row in after.items():
        assert row["bundle"].count("/") == 2 and store.has(row["bundle_sha256"])
        assert row["bundle_sha256"] == before[audit_id]["bundle_sha256"] and row["seal"] == before[audit_id]["seal"]
        assert row["head"] and [h["status"] for h in row["history"]] == ["imported"]
    code, report, _ = _run(run_cli, hq_env, "fsck")
    assert code == 0 and report["warnings"] == [] and report["files"] == 3
    stats = _run(run_cli, hq_env, "stats")[1]
    [s49] = [s for s in stats["stations"] if s["station"] == "GBN-S49"]
    assert [nc["item"] for nc in s49["nonconformities"]] == ["WHD-02"], "findings registered from the bundle"
    assert _run(run_cli, hq_env, "db", "upgrade")[1]["applied"] == []
    for path in first_release["bundles"].values():
        assert import_bundle(hq_env, path).status == "already-imported"


def test_an_upgrade_refuses_a_file_that_is_not_the_registered_one(
    run_cli: Cli, hq_env: DataDir, first_release: dict[str, Any]
) -> None:
    victim = hq_env.hq_bundles / f"{first_release['nc']}.zip"
    victim.write_bytes(victim.read_bytes() + b"\0")
    code, out, err = run_cli("--data-dir", hq_env.root, "hq", "db", "upgrade")
    assert code == 2 and "is not the bundle registered for audit" in err and len(err.splitlines()) == 1
    assert victim.exists(), "left in place"
    code, report, _ = _run(run_cli, hq_env, "fsck")
    assert code == 1 and any("does not match its hash" in problem for problem in report["problems"])
