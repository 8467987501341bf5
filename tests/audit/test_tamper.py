"""Every kind of tampering with a stored audit is detected, and the broken record is named.

The attacker here has the laptop: they can rewrite the store file (its line checksums are not a
secret) and the audit folder, but not sign with the auditor's key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from inspector.audit.service import AuditService
from inspector.audit.verify import VerifyReport, verify_local
from inspector.crypto.signing import Domain, SigningKey, sign_record
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import Docs, rewrite_records, stored_records, stored_seal


def _rewrite(service: AuditService, audit_id: str, change: Callable[[Docs, Docs], tuple[Docs, Docs]]) -> None:
    """Rewrite the stored chain and seal as ``change(records, seal)`` returns them."""
    records, seal = change(stored_records(service, audit_id), stored_seal(service, audit_id))
    rewrite_records(service, audit_id, records, seal)


def _verify(service: AuditService, audit_id: str) -> VerifyReport:
    return verify_local(service, audit_id, TrustStore(service.data.root).trustlist())


def _payload(doc: dict[str, Any]) -> dict[str, Any]:
    return json.loads(doc["payload"])


def _edit_payload(doc: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    assert old in doc["payload"]
    return {**doc, "payload": doc["payload"].replace(old, new, 1)}


def test_an_intact_audit_verifies_against_the_trust_list(audit_service: AuditService, closed_audit: str) -> None:
    report = _verify(audit_service, closed_audit)
    assert report.ok, report.problems
    assert report.sealed and report.records == 7 and report.trust.startswith("trust list seq 1")


def test_editing_a_note_is_named(audit_service: AuditService, closed_audit: str) -> None:
    # record 2 is MAL-01's finding: "3 entries of 2024 not traceable"
    _rewrite(
        audit_service,
        closed_audit,
        lambda r, s: (r[:1] + [_edit_payload(r[1], "not traceable", "all traceable")] + r[2:], s),
    )
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any(p.startswith("record 2 (finding MAL-01") and "bad signature" in p for p in report.problems)
    assert any(
        p.startswith("record 3 ") and "previous-record hash does not match record 2" in p for p in report.problems
    )


def test_deleting_a_record_is_named(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(audit_service, closed_audit, lambda r, s: (r[:3] + r[4:], s))
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any("record seq 4 is missing" in p for p in report.problems), report.problems


def test_deleting_the_last_records_is_caught_by_the_seal(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(audit_service, closed_audit, lambda r, s: (r[:-2], s))
    report = _verify(audit_service, closed_audit)
    assert any("seal: covers 7 records but only 5 are present" in p for p in report.problems), report.problems


def test_inserting_a_record_is_named(audit_service: AuditService, closed_audit: str, auditor_key: SigningKey) -> None:
    def insert(records: Docs, seals: Docs) -> tuple[Docs, Docs]:
        # Even a well-formed record signed with the auditor's own key cannot be slipped in.
        fake = dict(_payload(records[2]), id="f" * 32, note="inserted later")
        forged = sign_record(auditor_key, Domain.FINDING, fake).model_dump()
        return records[:3] + [forged] + records[3:], seals

    _rewrite(audit_service, closed_audit, insert)
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any("record 3 (finding" in p and "id ffffffff" in p and "position 4" in p for p in report.problems), (
        report.problems
    )


def test_reordering_records_is_named(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(audit_service, closed_audit, lambda r, s: (r[:2] + [r[3], r[2]] + r[4:], s))
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any(p.startswith("record 4 ") and "position 3" in p for p in report.problems), report.problems


def test_swapped_evidence_is_named(audit_service: AuditService, closed_audit: str) -> None:
    folder = audit_service.data.audit_dir(closed_audit) / "evidence"
    [stored] = list(folder.iterdir())
    stored.write_bytes(b"a different photograph")
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any(
        p.startswith("record 2 (finding MAL-01") and "evidence 'malkhana-register.jpg'" in p and "swapped" in p
        for p in report.problems
    ), report.problems


def test_missing_evidence_is_named(audit_service: AuditService, closed_audit: str) -> None:
    folder = audit_service.data.audit_dir(closed_audit) / "evidence"
    for path in folder.iterdir():
        path.unlink()
    report = _verify(audit_service, closed_audit)
    assert any("record 2 (finding MAL-01" in p and "missing" in p for p in report.problems)


def test_a_changed_checklist_is_named(audit_service: AuditService, closed_audit: str) -> None:
    path = audit_service.data.audit_dir(closed_audit) / "checklist.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("critical = 5", "critical = 1"), encoding="utf-8")
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any(p.startswith("checklist: ") and "the checklist was changed" in p for p in report.problems), (
        report.problems
    )


def test_a_tampered_seal_is_named(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(
        audit_service,
        closed_audit,
        lambda r, s: (r, [_edit_payload(s[0], '"decision":"', '"decision":"recommend-certification-')]),
    )
    report = _verify(audit_service, closed_audit)
    assert report.problems == ["seal: bad signature (the seal was altered after signing)"]


def test_a_seal_without_a_closing_record_or_vice_versa(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(audit_service, closed_audit, lambda r, s: (r, []))
    report = _verify(audit_service, closed_audit)
    assert any("closed (record 7) but its seal is missing" in p for p in report.problems)


def test_a_chain_resigned_with_another_key_fails_the_trust_list(audit_service: AuditService, closed_audit: str) -> None:
    intruder = SigningKey.generate()

    def resign(records: Docs, seals: Docs) -> tuple[Docs, Docs]:
        out: Docs = []
        prev = None
        for doc in records:
            value = _payload(doc)
            value["prev"] = prev
            if value["type"] == "audit-opened":
                value["auditor"] = dict(value["auditor"], kid=intruder.public.kid_hex, public_key=intruder.public.b64)
            envelope = sign_record(intruder, Domain.FINDING, value)
            prev = envelope.digest()
            out.append(envelope.model_dump())
        return out, []

    _rewrite(audit_service, closed_audit, resign)
    # Without a trust list the forgery is consistent: only the trust list says who may sign.
    assert not any("signature" in p for p in verify_local(audit_service, closed_audit, None).problems)
    report = _verify(audit_service, closed_audit)
    assert not report.ok
    assert any(p.startswith("record 1 (audit-opened") and "unknown-key" in p for p in report.problems), report.problems


def test_a_record_from_another_audit_is_named(
    audit_service: AuditService, closed_audit: str, auditor_key: SigningKey
) -> None:
    def splice(records: Docs, seals: Docs) -> tuple[Docs, Docs]:
        value = dict(_payload(records[2]), audit="e" * 32)
        return records[:2] + [sign_record(auditor_key, Domain.FINDING, value).model_dump()] + records[3:], seals

    _rewrite(audit_service, closed_audit, splice)
    report = _verify(audit_service, closed_audit)
    assert any(p.startswith("record 3 ") and "belongs to audit eeeeeeee" in p for p in report.problems), report.problems


def test_a_damaged_envelope_is_named(audit_service: AuditService, closed_audit: str) -> None:
    _rewrite(audit_service, closed_audit, lambda r, s: (r[:4] + [{"kid": "zz", "payload": "{}", "sig": ""}] + r[5:], s))
    report = _verify(audit_service, closed_audit)
    assert any(p.startswith("record 5: kid") and "damaged" in p for p in report.problems), report.problems


def test_a_revoked_key_is_refused(
    audit_service: AuditService, closed_audit: str, hq_env: DataDir, auditor_key: SigningKey, passphrase: str
) -> None:
    from inspector.hq.enrolment import HQ

    hq = HQ(hq_env.root)
    hq.revoke_key(auditor_key.public.kid_hex, "laptop stolen")
    report = verify_local(audit_service, closed_audit, hq.current_trustlist())
    assert not report.ok and all("revoked-key" in p for p in report.problems) and len(report.problems) == 7


def test_verify_does_not_need_the_lock(
    audit_service: AuditService, closed_audit: str, open_audit: str, auditor_key: SigningKey
) -> None:
    del closed_audit
    with audit_service.open(open_audit, key=auditor_key):
        assert _verify(audit_service, open_audit).ok
