"""Follow-up after the seal: corrective-action plans, their verification and meetings, signed and
chained like findings; what each is refused for; and how verification covers them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.decision import Decision
from inspector.audit.service import AuditService
from inspector.audit.verify import verify_local
from inspector.bundle.export import export_audit
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.crypto.signing import Envelope, SigningKey, sign_record
from inspector.errors import UserError
from inspector.paths import DataDir
from tests.helpers import MINI_CHECKLIST, rewrite_records, stored_records, stored_seal, zip_members

SOON = (date.today() + timedelta(days=30)).isoformat()


def plan(audit: Any, item: str = "MAL-01", **overrides: Any) -> Any:
    fields: dict[str, Any] = dict(
        correction="entries traced and completed",
        root_cause="nobody checks the register against the shelf",
        action="a monthly check signed by the SHO",
        owner="Ravi Kumar, SI",
        due=SOON,
    )
    fields.update(overrides)
    return audit.respond(item, **fields)


@pytest.fixture
def major_closed(audit_service: AuditService, auditor_key: SigningKey, open_audit: str, tmp_path: Path) -> str:
    """A closed audit of the mini checklist with one major (MAL-01) and one minor (WHD-01)."""
    photo = tmp_path / "register.jpg"
    photo.write_bytes(b"\xff\xd8 the register")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("MAL-01", "major", note="two parcels missing", evidence=[photo])
        audit.record("MAL-02", "conform")
        audit.record("MAL-03", "na", reason="no disposal order received yet")
        audit.record("WHD-01", "minor", note="desk unstaffed at 11:00")
        audit.record("WHD-02", "conform")
        audit.close()
    return open_audit


def test_a_major_blocks_until_it_is_verified_effective(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str, tmp_path: Path
) -> None:
    seal_before = stored_seal(audit_service, major_closed)
    with audit_service.open(major_closed, key=auditor_key) as audit:
        sealed = audit.state.seq
        verdict = audit.decision()
        assert verdict.code is Decision.CORRECTIVE_ACTION_PENDING
        assert [r.code for r in verdict.reasons] == ["major-open", "minor-no-plan"]
        first = plan(audit)
        plan(audit, "WHD-01", action="a roster with a reserve officer")
        assert {nc.item: nc.state.value for nc in audit.nonconformities()} == {"MAL-01": "planned", "WHD-01": "planned"}
        assert [r.code for r in audit.decision().reasons] == ["major-not-verified"]
        photo = tmp_path / "shelf.jpg"
        photo.write_bytes(b"\xff\xd8 the shelf, complete")
        check = audit.follow_up(
            "MAL-01", effective=True, note="parcels found and labelled", method="on-site", evidence=[photo]
        )
        assert check.response == first.id and check.finding == audit.state.latest["MAL-01"].record_id
        assert audit.decision().code is Decision.CERTIFY
        assert audit.state.seq == sealed + 3
    # The seal is the one the audit was closed with; the chain simply grew.
    assert stored_seal(audit_service, major_closed) == seal_before
    report = verify_local(audit_service, major_closed, None)
    assert report.ok, report.problems
    assert report.records == sealed + 3 and report.sealed_records == sealed
    assert report.decision is not None and report.decision.code is Decision.CERTIFY
    assert any("3 follow-up record(s) after the seal" in w for w in report.warnings)
    [row] = audit_service.list_audits()
    assert row.decision == "recommend-certification" and row.records == sealed + 3


def test_not_effective_needs_a_new_plan(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    with audit_service.open(major_closed, key=auditor_key) as audit:
        plan(audit)
        audit.follow_up("MAL-01", effective=False, note="two parcels still unlabelled", method="document")
        [nc, _minor] = audit.nonconformities()
        assert (
            nc.state.value == "not-effective" and nc.verification is not None and nc.verification.method == "document"
        )
        assert "major-not-effective" in [r.code for r in audit.decision().reasons]
        with pytest.raises(UserError, match="found not effective: record the station's new plan first"):
            audit.follow_up("MAL-01", effective=True, note="again")
        plan(audit, action="labels printed from CCTNS")
        audit.follow_up("MAL-01", effective=True, note="all labelled")
        assert audit.nonconformities()[0].state.value == "closed"
        with pytest.raises(UserError, match="already verified effective"):
            plan(audit)
    assert verify_local(audit_service, major_closed, None).ok


@pytest.mark.parametrize(
    ("item", "overrides", "message", "field"),
    [
        ("MAL-02", {}, "MAL-02: has no nonconformity to answer .its finding is conform", None),
        ("MAL-77", {}, "unknown item 'MAL-77'", None),
        ("MAL-01", {"due": "2000-01-01"}, "before the audit was opened", "due"),
        (
            "WHD-01",
            {"due": (date.today() + timedelta(days=91)).isoformat()},
            "90 days after the audit's last day",
            "due",
        ),
        (
            "MAL-01",
            {"due": (date.today() + timedelta(days=200)).isoformat()},
            "6 months after the audit's last day",
            "due",
        ),
        ("MAL-01", {"due": "31-12-2026"}, "not a date YYYY-MM-DD", "due"),
        ("MAL-01", {"due": None}, "needs a due date", "due"),
        ("MAL-01", {"correction": "  "}, "correction: must not be empty", "correction"),
        ("MAL-01", {"root_cause": "a\u202eb"}, "root cause: contains an invisible", "root_cause"),
        ("MAL-01", {"owner": "Ravi\nKumar"}, "owner: contains an invisible or control character", "owner"),
        ("MAL-01", {"action": "x" * 4001}, "corrective action: longer than 4000", "action"),
    ],
)
def test_a_plan_is_refused_for(
    audit_service: AuditService,
    auditor_key: SigningKey,
    major_closed: str,
    item: str,
    overrides: dict[str, Any],
    message: str,
    field: str | None,
) -> None:
    before = stored_records(audit_service, major_closed)
    with audit_service.open(major_closed, key=auditor_key) as audit:
        with pytest.raises(UserError, match=message) as caught:
            plan(audit, item, **overrides)
        assert caught.value.field == field
    assert stored_records(audit_service, major_closed) == before


def test_verification_needs_a_plan_and_the_key(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    with audit_service.open(major_closed, key=auditor_key) as audit:
        with pytest.raises(UserError, match="no corrective-action plan is recorded"):
            audit.follow_up("MAL-01", effective=True, note="seen")
        plan(audit)
        with pytest.raises(UserError, match="unknown verification method 'phone'") as caught:
            audit.follow_up("MAL-01", effective=True, note="seen", method="phone")
        assert caught.value.field == "method"
        with pytest.raises(UserError, match="note is required"):
            audit.follow_up("MAL-01", effective=True, note=None)
    with audit_service.open(major_closed, writable=True) as audit:  # no key
        with pytest.raises(UserError, match="needs the auditor's key"):
            audit.follow_up("MAL-01", effective=True, note="seen")
    with audit_service.open(major_closed, writable=False, key=auditor_key) as audit:
        with pytest.raises(UserError, match="read-only"):
            plan(audit, "WHD-01")
    with audit_service.open(major_closed, writable=True) as audit:
        with pytest.raises(UserError, match="was opened by auditor"):
            audit.use_key(SigningKey.generate())


def test_plans_may_come_before_closing_and_count_from_today_while_open(
    audit_service: AuditService, auditor_key: SigningKey, open_audit: str
) -> None:
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("WHD-01", "minor", note="desk unstaffed")
        with pytest.raises(UserError, match="later than"):
            plan(audit, "WHD-01", due=(date.today() + timedelta(days=91)).isoformat())
        plan(audit, "WHD-01")
        assert audit.nonconformities()[0].state.value == "planned"
        assert audit.nonconformities()[0].plan_deadline is None  # the last day is not known yet
        audit.record("WHD-01", "minor", note="desk unstaffed; roster shows no reserve")  # a revision keeps the plan
        assert audit.nonconformities()[0].state.value == "planned"
    assert verify_local(audit_service, open_audit, None).ok


def test_meetings_before_and_after_the_seal(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    with audit_service.open(major_closed, key=auditor_key) as audit:
        closing = audit.meeting(
            "closing",
            ["Sunita Devi, Lead Auditor", "Ravi Kumar, Inspector"],
            acknowledged_by="Ravi Kumar, Inspector (SHO)",
            note="findings read out in Hindi",
        )
        last = audit.last_day()
        assert last is not None and closing.cap_deadline == (last + timedelta(days=90)).isoformat()
        opening = audit.meeting("opening", ["Sunita Devi, Lead Auditor"])
        assert opening.cap_deadline is None and opening.acknowledged_by is None
        assert [m.payload.kind for m in audit.meetings()] == ["closing", "opening"]
        for kind, attendees, message, field in [
            ("lunch", ["A, B"], "unknown meeting kind 'lunch'", "kind"),
            ("opening", [], "at least one attendee", "attendee"),
            ("opening", ["A, B", "A, B"], "named twice", "attendee"),
            ("opening", ["A\u200bB"], "attendee: contains an invisible", "attendee"),
        ]:
            with pytest.raises(UserError, match=message) as caught:
                audit.meeting(kind, attendees)
            assert caught.value.field == field
    assert verify_local(audit_service, major_closed, None).ok


def _edit(service: AuditService, audit_id: str, position: int, old: str, new: str) -> None:
    records = stored_records(service, audit_id)
    doc = dict(records[position - 1])
    assert old in doc["payload"]
    doc["payload"] = doc["payload"].replace(old, new, 1)
    records[position - 1] = doc
    rewrite_records(service, audit_id, records, stored_seal(service, audit_id))


def test_a_changed_follow_up_record_is_named(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    with audit_service.open(major_closed, key=auditor_key) as audit:
        plan(audit)
        audit.meeting("closing", ["Sunita Devi, Lead Auditor"])
        position = audit.state.seq - 1
    _edit(audit_service, major_closed, position, "a monthly check", "a yearly check")
    report = verify_local(audit_service, major_closed, None)
    assert not report.ok
    assert report.problems[0].startswith(f"record {position} (response MAL-01, id ")
    assert "bad signature" in report.problems[0]
    # The record after it no longer links to it, and says so.
    assert any(
        p.startswith(f"record {position + 1} (closing meeting") and "previous-record hash" in p for p in report.problems
    )


def test_only_follow_up_records_may_come_after_the_seal(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    records = stored_records(audit_service, major_closed)
    closing = json.loads(Envelope.model_validate(records[-1]).payload)
    last = json.loads(Envelope.model_validate(records[-2]).payload)  # WHD-02's finding
    from inspector.crypto.digests import envelope_digest
    from inspector.crypto.signing import Domain

    late = dict(
        last,
        id="f" * 32,
        seq=closing["seq"] + 1,
        prev=envelope_digest(Envelope.model_validate(records[-1])),
        status="minor",
        note="late",
        revises=last["id"],
    )
    records.append(sign_record(auditor_key, Domain.FINDING, late).model_dump())
    rewrite_records(audit_service, major_closed, records, stored_seal(audit_service, major_closed))
    report = verify_local(audit_service, major_closed, None)
    assert not report.ok
    assert any("(finding WHD-02" in p and "recorded after the audit was closed" in p for p in report.problems)


def test_a_plan_signed_for_an_item_without_a_nonconformity_is_named(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str
) -> None:
    with audit_service.open(major_closed, key=auditor_key) as audit:
        plan(audit)
        position = audit.state.seq
    records = stored_records(audit_service, major_closed)
    value = json.loads(Envelope.model_validate(records[position - 1]).payload)
    with audit_service.open(major_closed, writable=False) as audit:
        conform_id = audit.state.latest["MAL-02"].record_id
    value.update(item="MAL-02", finding=conform_id)  # re-signed by the auditor's own key: still refused
    from inspector.crypto.signing import Domain

    records[position - 1] = sign_record(auditor_key, Domain.FINDING, value).model_dump()
    rewrite_records(audit_service, major_closed, records, stored_seal(audit_service, major_closed))
    report = verify_local(audit_service, major_closed, None)
    assert [p for p in report.problems if "has no nonconformity to answer" in p], report.problems


def test_the_bundle_after_follow_up_extends_the_one_before(
    audit_service: AuditService, auditor_key: SigningKey, major_closed: str, tmp_path: Path
) -> None:
    first = tmp_path / "first.zip"
    export_audit(audit_service, major_closed, first, None)
    photo = tmp_path / "after.jpg"
    photo.write_bytes(b"\xff\xd8 after the correction")
    with audit_service.open(major_closed, key=auditor_key) as audit:
        plan(audit, evidence=[photo])
        audit.follow_up("MAL-01", effective=True, note="fixed")
        audit.meeting("closing", ["Sunita Devi, Lead Auditor"], acknowledged_by="Ravi Kumar, Inspector")
    second = tmp_path / "second.zip"
    export_audit(audit_service, major_closed, second, None)
    before, after = zip_members(first), zip_members(second)
    assert after["seal.json"] == before["seal.json"]
    old_lines, new_lines = before["records.jsonl"].splitlines(), after["records.jsonl"].splitlines()
    assert new_lines[: len(old_lines)] == old_lines and len(new_lines) == len(old_lines) + 3
    manifest = json.loads(after["manifest.json"])
    assert manifest["records"] == len(new_lines) and manifest["sealed_records"] == len(old_lines)
    assert f"evidence/{__import__('hashlib').sha256(photo.read_bytes()).hexdigest()}" in after
    with BundleReader(second) as reader:
        report = verify_bundle(reader, None)
    assert report.ok, report.problems
    assert report.records == len(new_lines) and report.decision is not None
    assert report.decision.code is Decision.CORRECTIVE_ACTION_PENDING  # WHD-01's minor has no plan yet


def test_old_audits_keep_their_rules(audit_service: AuditService, auditor_key: SigningKey, trust_env: DataDir) -> None:
    """An audit opened by the first release (no ``rules`` in its opening record) keeps verifying
    with a N/A that has no reason; the same records under rules 2 are named."""
    from inspector.crypto.digests import envelope_digest
    from inspector.crypto.signing import Domain

    summary = audit_service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", auditor_key, "AUD-017")
    records = stored_records(audit_service, summary.id)
    opened = json.loads(Envelope.model_validate(records[0]).payload)

    def chain(opening: dict[str, Any]) -> list[dict[str, Any]]:
        first = sign_record(auditor_key, Domain.FINDING, opening)
        value = {
            "format": "inspector-record/v1", "type": "finding", "id": "e" * 32, "audit": summary.id, "seq": 2,
            "prev": envelope_digest(first), "time": opening["time"], "item": "MAL-03", "status": "na",
            "note": None, "evidence": [], "due": None, "reason": None, "revises": None,
        }  # fmt: skip
        return [first.model_dump(), sign_record(auditor_key, Domain.FINDING, value).model_dump()]

    legacy = {
        k: v
        for k, v in opened.items()
        if k not in ("rules", "no_lockup", "sections", "stage1", "waive_stage1", "previous")
    }
    rewrite_records(audit_service, summary.id, chain(legacy))
    assert verify_local(audit_service, summary.id, None).ok
    rewrite_records(audit_service, summary.id, chain(opened))
    report = verify_local(audit_service, summary.id, None)
    assert any("(finding MAL-03" in p and "needs a written reason" in p for p in report.problems), report.problems
