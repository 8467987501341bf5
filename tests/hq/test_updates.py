"""A chain that grows after the seal (corrective-action plans, their verification, meetings): a
bundle that repeats every registered record and adds more is an update of the audit; an earlier
export is a no-op; a bundle whose follow-up differs from the registered one is a fork, refused
naming its first differing record. On both backends."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.hq.intake import ImportRefused, import_bundle, registered
from inspector.hq.register import FileStore, files_dir, open_register
from inspector.paths import DataDir
from tests.hq.world import bundle_of, days_from_today, make_closed_audit

Cli = Callable[..., tuple[int, str, str]]


def _plan(service: Any, key: Any, audit_id: str, action: str = "index the register weekly") -> None:
    with service.open(audit_id, key=key) as audit:
        audit.respond(
            "WHD-02",
            correction="register indexed",
            root_cause="no one was assigned the index",
            action=action,
            owner="SHO",
            due=days_from_today(20),
        )


def _verify(service: Any, key: Any, audit_id: str) -> None:
    with service.open(audit_id, key=key) as audit:
        audit.follow_up("WHD-02", effective=True, note="index complete and kept", method="on-site")


@pytest.fixture
def sealed(audit_service: Any, auditor_key: Any) -> str:
    return make_closed_audit(audit_service, auditor_key, findings={"WHD-02": ("minor", days_from_today(30))})


def test_follow_up_after_the_seal_imports_as_an_update(
    run_cli: Cli, hq_db: DataDir, audit_service: Any, auditor_key: Any, sealed: str, tmp_path: Path
) -> None:
    first = import_bundle(hq_db, bundle_of(audit_service, sealed, tmp_path / "1.zip"))
    assert first.status == "imported"
    _plan(audit_service, auditor_key, sealed)
    _verify(audit_service, auditor_key, sealed)
    later = bundle_of(audit_service, sealed, tmp_path / "2.zip")
    update = import_bundle(hq_db, later)
    assert update.status == "updated" and update.added_records == 2
    assert update.to_json()["status"] == "updated" and update.to_json()["added_records"] == 2
    [row] = registered(hq_db)
    assert row.records == first.audit.records + 2 and row.seal == first.audit.seal
    assert row.imported == first.audit.imported and row.updated is not None
    assert [(h.status, h.records) for h in row.history] == [("imported", first.audit.records), ("updated", row.records)]
    store = FileStore(files_dir(hq_db))
    assert store.path(row.bundle_sha256).read_bytes() == later.read_bytes(), "the archived bundle is the newest"
    assert store.has(first.audit.bundle_sha256), "the earlier bundle stays, in the audit's history"
    with open_register(hq_db) as register:
        assert len(register.chain_digests(row)) == row.records
        [(_, finding)] = list(register.findings([row.id]))
    assert (finding.item, finding.state) == ("WHD-02", "closed")
    # The same bundle again, or the earlier export: nothing changes.
    assert import_bundle(hq_db, later).status == "already-imported"
    assert import_bundle(hq_db, tmp_path / "1.zip").status == "already-imported"
    assert registered(hq_db) == [row]
    code, out, _ = run_cli("--data-dir", hq_db.root, "hq", "fsck", "--json")
    assert code == 0 and json.loads(out)["ok"]
    stats = json.loads(run_cli("--data-dir", hq_db.root, "hq", "stats", "--json")[1])
    [station] = stats["stations"]
    assert station["open_nonconformities"] == 0 and station["nonconformities"][0]["state"] == "closed"


def test_a_plan_recorded_after_the_first_import_shows_as_planned(
    hq_db: DataDir, audit_service: Any, auditor_key: Any, sealed: str, tmp_path: Path
) -> None:
    import_bundle(hq_db, bundle_of(audit_service, sealed, tmp_path / "1.zip"))
    with open_register(hq_db) as register:
        assert [f.state for _, f in register.findings()] == ["open"]
    _plan(audit_service, auditor_key, sealed)
    assert import_bundle(hq_db, bundle_of(audit_service, sealed, tmp_path / "2.zip")).status == "updated"
    with open_register(hq_db) as register:
        assert [(f.state, f.due) for _, f in register.findings()] == [("planned", days_from_today(20))]


def test_a_different_follow_up_is_a_fork_and_is_refused(
    hq_db: DataDir, audit_service: Any, auditor_key: Any, sealed: str, tmp_path: Path
) -> None:
    folder = audit_service.data.audit_dir(sealed)
    copy = tmp_path / "laptop-copy"
    shutil.copytree(folder, copy)
    _plan(audit_service, auditor_key, sealed, action="index the register weekly")
    one = bundle_of(audit_service, sealed, tmp_path / "one.zip")
    records = first_follow_up = registered_records(one)
    shutil.rmtree(folder)
    shutil.copytree(copy, folder)
    (audit_service.data.audits / "index.json").unlink()  # a second laptop never knew the first plan
    _plan(audit_service, auditor_key, sealed, action="a different plan")
    other = bundle_of(audit_service, sealed, tmp_path / "other.zip")
    import_bundle(hq_db, one)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_db, other)
    [reason] = caught.value.reasons
    assert f"record {first_follow_up}" in reason and "differs from the registered record" in reason
    assert "a fork of the audit" in reason and "sealed differently" not in reason
    [row] = registered(hq_db)
    assert row.records == records and [h.status for h in row.history] == ["imported"]


def registered_records(bundle: Path) -> int:
    """The number of records in a bundle (the last one is the follow-up just recorded)."""
    import zipfile

    with zipfile.ZipFile(bundle) as archive:
        return len([line for line in archive.read("records.jsonl").splitlines() if line.strip()])


def test_an_altered_follow_up_record_is_named_and_refused(
    hq_db: DataDir, audit_service: Any, auditor_key: Any, sealed: str, tmp_path: Path
) -> None:
    from tests.helpers import write_zip, zip_members

    import_bundle(hq_db, bundle_of(audit_service, sealed, tmp_path / "1.zip"))
    _plan(audit_service, auditor_key, sealed)
    members = zip_members(bundle_of(audit_service, sealed, tmp_path / "2.zip"))
    members["records.jsonl"] = members["records.jsonl"].replace(b"index the register weekly", b"index it yearly", 1)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_db, write_zip(tmp_path / "altered.zip", members))
    assert any(f"record {registered_records(tmp_path / '2.zip')}" in reason for reason in caught.value.reasons)
    assert [h.status for h in registered(hq_db)[0].history] == ["imported"]
