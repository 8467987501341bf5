"""Identities cannot collide at HQ: a certificate id that belongs to one audit is never taken
over by another audit's bundle (it is refused, naming both audits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.bundle.export import export_audit
from inspector.certificates import issue
from inspector.certificates.issue import issue_certificate
from inspector.hq.intake import ImportRefused, import_bundle, registered_certificates
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, MINI_CHECKLIST


def _closed(service: Any, key: Any) -> str:
    summary = service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", key, AUDITOR_ID, AUDITOR_NAME)
    with service.open(summary.id, key=key) as audit:
        for item in audit.checklist.items:
            audit.record(item, "conform")
        audit.close()
    return str(summary.id)


def test_a_certificate_id_of_another_audit_is_refused(
    trust_env: DataDir, hq_db: DataDir, audit_service: Any, auditor_key: Any, tmp_path: Path
) -> None:
    first_audit, second_audit = _closed(audit_service, auditor_key), _closed(audit_service, auditor_key)
    with pytest.MonkeyPatch.context() as patch:  # both certificates get one id (a forger's choice)
        patch.setattr(issue.os, "urandom", lambda n: b"\x07" * n)
        cert_id = issue_certificate(trust_env, first_audit, auditor_key).body.cert_id
        same_id = issue_certificate(trust_env, second_audit, auditor_key).body.cert_id
    assert cert_id == same_id
    trustlist = TrustStore(trust_env.root).trustlist_bytes()
    export_audit(audit_service, first_audit, tmp_path / "a.zip", trustlist)
    export_audit(audit_service, second_audit, tmp_path / "b.zip", trustlist)
    import_bundle(hq_db, tmp_path / "a.zip")
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_db, tmp_path / "b.zip")
    message = " ".join(caught.value.reasons)
    assert cert_id in message and first_audit in message and second_audit in message
    [row] = registered_certificates(hq_db)
    assert row.audit == first_audit, "the registered certificate was not overwritten"
