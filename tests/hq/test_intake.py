"""The HQ import: a verified, closed bundle is registered once and kept; anything else is refused
and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.audit.service import AuditService
from inspector.bundle.export import export_audit
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.hq.intake import ImportRefused, import_bundle, register_path, registered
from inspector.paths import DataDir
from tests.helpers import MINI_ANSWERS, write_zip, zip_members


def test_import_registers_the_audit_and_keeps_the_bundle(bundle: Path, hq_env: DataDir, closed_audit: str) -> None:
    result = import_bundle(hq_env, bundle)
    assert result.new and result.audit.id == closed_audit and result.audit.trust == "HQ register"
    assert (hq_env.hq_bundles / f"{closed_audit}.zip").read_bytes() == bundle.read_bytes()
    [row] = registered(hq_env)
    assert row.station == "GBN-S39" and row.decision == "not-ready" and row.score == 58  # 7 of 12 weight
    again = import_bundle(hq_env, bundle)
    assert not again.new and len(registered(hq_env)) == 1
    # The HQ key register beside it is untouched.
    assert register_path(hq_env) != hq_env.hq_register and hq_env.hq_register.exists()


def test_import_refuses_a_tampered_bundle_and_writes_nothing(bundle: Path, hq_env: DataDir) -> None:
    members = zip_members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_env, write_zip(bundle.with_name("tampered.zip"), members))
    assert any("record 2 (finding MAL-01" in reason for reason in caught.value.reasons)
    assert registered(hq_env) == [] and not hq_env.hq_bundles.exists()


def test_import_refuses_an_open_audit(
    audit_service: AuditService, open_audit: str, hq_env: DataDir, tmp_path: Path
) -> None:
    out = tmp_path / "open.zip"
    export_audit(audit_service, open_audit, out, None)
    with pytest.raises(ImportRefused, match="not closed"):
        import_bundle(hq_env, out)


def test_import_refuses_a_second_different_seal_for_one_audit(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, hq_env: DataDir, tmp_path: Path
) -> None:
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
    import_bundle(hq_env, first)
    with pytest.raises(ImportRefused, match="already registered with a different seal"):
        import_bundle(hq_env, second)
    [row] = registered(hq_env)
    assert (hq_env.hq_bundles / row.bundle).read_bytes() == first.read_bytes()


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


def test_import_refuses_audits_signed_by_a_revoked_key(bundle: Path, hq_env: DataDir, auditor_key: SigningKey) -> None:
    from inspector.hq.enrolment import HQ

    HQ(hq_env.root).revoke_key(auditor_key.public.kid_hex, "laptop stolen")
    with pytest.raises(ImportRefused, match="revoked-key"):
        import_bundle(hq_env, bundle)
