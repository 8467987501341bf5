"""The HQ import, on both register backends: a verified, closed bundle is registered once and
kept in the file store; the same bundle again changes nothing; anything else is refused and
nothing is written (no row, no file, no staging left behind)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.audit.service import AuditService
from inspector.bundle.export import export_audit
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.hq.intake import ImportRefused, import_bundle, register_path, registered, registered_certificates
from inspector.hq.register import FileStore, files_dir, open_register
from inspector.hq.register.files import store_key
from inspector.paths import DataDir
from tests.helpers import MINI_ANSWERS, write_zip, zip_members
from tests.hq.world import bundle_of, make_closed_audit


def store_files(data: DataDir) -> list[Path]:
    """Every file in the HQ's file store (staging included: it must be empty after an import)."""
    root = files_dir(data)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_import_registers_the_audit_and_keeps_the_bundle(bundle: Path, hq_db: DataDir, closed_audit: str) -> None:
    result = import_bundle(hq_db, bundle)
    assert result.new and result.status == "imported" and result.audit.id == closed_audit
    assert result.audit.trust == "HQ register"
    row = result.audit
    store = FileStore(files_dir(hq_db))
    # Content-addressed and fanned out: ab/cd/<sha256>, the bytes exactly as received.
    assert row.bundle == store_key(row.bundle_sha256) and row.bundle.count("/") == 2
    assert store.path(row.bundle_sha256).read_bytes() == bundle.read_bytes()
    # The evidence file is kept once, by its hash, beside the bundle.
    evidence = [name.split("/", 1)[1] for name in zip_members(bundle) if name.startswith("evidence/")]
    assert evidence and all(store.has(sha) for sha in evidence)
    assert not (files_dir(hq_db) / ".staging").exists() or not any((files_dir(hq_db) / ".staging").iterdir())
    [listed] = registered(hq_db)
    assert listed.station == "GBN-S39" and listed.decision == row.decision and listed.score == 58  # 7 of 12 weight
    assert (
        listed.records == row.records and listed.head == row.head and [h.status for h in listed.history] == ["imported"]
    )
    assert (listed.answered, listed.na) == (5, 1)
    files_before = store_files(hq_db)
    again = import_bundle(hq_db, bundle)
    assert again.status == "already-imported" and not again.new and len(registered(hq_db)) == 1
    assert store_files(hq_db) == files_before
    # The HQ key register beside it is untouched.
    assert register_path(hq_db) != hq_db.hq_register and hq_db.hq_register.exists()


def test_the_flat_folders_of_the_first_release_are_not_used(bundle: Path, hq_db: DataDir) -> None:
    import_bundle(hq_db, bundle)
    assert not hq_db.hq_bundles.exists() and not hq_db.hq_certificates.exists()


def test_import_refuses_a_tampered_bundle_and_writes_nothing(bundle: Path, hq_db: DataDir) -> None:
    members = zip_members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_db, write_zip(bundle.with_name("tampered.zip"), members))
    assert any("record 2 (finding MAL-01" in reason for reason in caught.value.reasons)
    assert registered(hq_db) == [] and store_files(hq_db) == []


def test_import_refuses_an_open_audit(
    audit_service: AuditService, open_audit: str, hq_db: DataDir, tmp_path: Path
) -> None:
    out = tmp_path / "open.zip"
    export_audit(audit_service, open_audit, out, None)
    with pytest.raises(ImportRefused, match="not closed"):
        import_bundle(hq_db, out)
    assert registered(hq_db) == [] and store_files(hq_db) == []


def _fork(audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path) -> tuple[Path, Path]:
    """Two bundles of one audit, closed differently: the second has one more finding before
    its closing record (record 7), where the first closed."""
    folder = audit_service.data.audit_dir(open_audit)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        for item, (status, note, reason) in MINI_ANSWERS.items():
            if item != "MAL-01":
                audit.record(item, status, note=note, reason=reason)
        audit.record("MAL-01", "conform")
    fork = tmp_path / "fork"
    shutil.copytree(folder, fork)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.close()
    first = tmp_path / "first.zip"
    export_audit(audit_service, open_audit, first, None)
    shutil.rmtree(folder)
    shutil.copytree(fork, folder)
    # The index remembers the 7 acknowledged records and would (rightly) call the older copy
    # damaged; forget it, as a second laptop holding the fork would never have known them.
    (audit_service.data.audits / "index.json").unlink()
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("WHD-02", "conform")  # the same audit, closed differently
        audit.close()
    second = tmp_path / "second.zip"
    export_audit(audit_service, open_audit, second, None)
    return first, second


def test_a_fork_of_a_registered_audit_is_refused_naming_the_first_record_that_differs(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, hq_db: DataDir, tmp_path: Path
) -> None:
    first, second = _fork(audit_service, open_audit, auditor_key, tmp_path)
    import_bundle(hq_db, first)
    files_before = store_files(hq_db)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_db, second)
    [reason] = caught.value.reasons
    assert "already registered with a different chain" in reason
    assert "record 7 (finding WHD-02" in reason and "differs from the registered record 7" in reason
    assert "sealed differently" in reason
    [row] = registered(hq_db)
    assert FileStore(files_dir(hq_db)).path(row.bundle_sha256).read_bytes() == first.read_bytes()
    assert store_files(hq_db) == files_before, "a refused fork leaves no file behind"


def test_import_on_a_verifier_uses_the_installed_or_the_pinned_trust(
    bundle: Path, trust_env: DataDir, tmp_path: Path
) -> None:
    # A data dir without an HQ key but with the trust list installed (e.g. a zonal office).
    assert import_bundle(trust_env, bundle).audit.trust == "installed trust list"
    # Only the HQ root pinned: the bundle's own trust list is accepted because the root signed it.
    pinned_only = DataDir(tmp_path / "pinned-only")
    shutil.copytree(trust_env.pinned_roots, pinned_only.pinned_roots)
    assert import_bundle(pinned_only, bundle).audit.trust.startswith("bundle's trust list")
    # Nothing at all: refused before anything is checked.
    with pytest.raises(UserError, match="no trust list"):
        import_bundle(DataDir(tmp_path / "empty"), bundle)


def test_import_refuses_audits_signed_by_a_revoked_key(bundle: Path, hq_db: DataDir, auditor_key: SigningKey) -> None:
    from inspector.hq.enrolment import HQ

    HQ(hq_db.root).revoke_key(auditor_key.public.kid_hex, "laptop stolen")
    with pytest.raises(ImportRefused, match="revoked-key"):
        import_bundle(hq_db, bundle)
    assert store_files(hq_db) == []


def test_a_bundle_bringing_a_new_certificate_registers_it_and_keeps_the_archived_bundle(
    audit_service: AuditService, trust_env: DataDir, auditor_key: SigningKey, hq_db: DataDir, tmp_path: Path
) -> None:
    from inspector.certificates.issue import issue_certificate

    audit_id = make_closed_audit(audit_service, auditor_key)
    first = import_bundle(hq_db, bundle_of(audit_service, audit_id, tmp_path / "first.zip"))
    issue_certificate(trust_env, audit_id, auditor_key)
    again = import_bundle(hq_db, bundle_of(audit_service, audit_id, tmp_path / "with-certificate.zip"))
    assert again.status == "already-imported" and again.audit.bundle_sha256 == first.audit.bundle_sha256
    [cert] = registered_certificates(hq_db)
    assert cert.audit == audit_id
    assert FileStore(files_dir(hq_db)).has(cert.record_sha256)
    with open_register(hq_db) as register:
        assert register.certificate(cert.id) == cert
