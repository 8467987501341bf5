"""What an audit covers and what it builds on: audit types, the stage 1 before a certification
audit (or its waiver), the surveillance rotation, and the N/A and sensitive-item rules, on a
checklist of the 2.0 model (``cycle_checklist``: MAL mandatory; WHD, INF, CYB rotating; RDY stage 1)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.checklist import load_checklist
from inspector.audit.scope import plan_sections, surveillance_sample
from inspector.audit.service import AuditService
from inspector.audit.verify import verify_local
from inspector.audit.views import load_view
from inspector.crypto.signing import Envelope, SigningKey
from inspector.errors import UserError
from tests.helpers import AUDITOR_ID, MINI_CHECKLIST, stored_records

SOON = (date.today() + timedelta(days=30)).isoformat()


def new(service: AuditService, key: SigningKey, checklist: Path, kind: str, **options: Any) -> str:
    return str(service.new_audit("GBN-S39", checklist, kind, key, AUDITOR_ID, **options).id)


def complete(service: AuditService, key: SigningKey, audit_id: str) -> None:
    """Answer every item of the audit's scope "conform" and close it."""
    with service.open(audit_id, key=key) as audit:
        for item in audit.items:
            audit.record(item, "conform")
        audit.close()


def opening(service: AuditService, audit_id: str) -> dict[str, Any]:
    return json.loads(Envelope.model_validate(stored_records(service, audit_id)[0]).payload)


def test_each_type_covers_its_own_sections(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path
) -> None:
    checklist = load_checklist(cycle_checklist)
    assert plan_sections(checklist, checklist_type("stage1")) == ["RDY"]
    assert plan_sections(checklist, checklist_type("certification")) == ["MAL", "WHD", "INF", "CYB"]
    assert plan_sections(checklist, checklist_type("recertification")) == ["MAL", "WHD", "INF", "CYB"]
    assert plan_sections(checklist, checklist_type("surveillance")) == ["MAL", "WHD", "INF"]
    stage1 = new(audit_service, auditor_key, cycle_checklist, "stage1")
    with audit_service.open(stage1, key=auditor_key) as audit:
        assert audit.items == ["RDY-01", "RDY-02"] and audit.score().total == 2
        with pytest.raises(UserError, match="MAL-02: section MAL is not part of this audit's scope .RDY.") as caught:
            audit.record("MAL-02", "conform")
        assert caught.value.code == "item-out-of-scope"
    # A checklist without a stage 1 section (those of the first release): stage 1 walks it whole.
    legacy = load_checklist(MINI_CHECKLIST)
    assert plan_sections(legacy, checklist_type("stage1")) == ["MAL", "WHD"]


def checklist_type(name: str) -> Any:
    from inspector.audit.rules import parse_audit_type

    return parse_audit_type(name)


def test_a_certification_audit_needs_a_closed_stage1_or_a_waiver(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path
) -> None:
    with pytest.raises(UserError, match="needs a closed stage 1 audit of the station on this laptop") as caught:
        new(audit_service, auditor_key, cycle_checklist, "certification", require_stage1=True)
    assert caught.value.field == "waive_stage1" and caught.value.code == "stage1-required"
    assert audit_service.list_audits() == []  # nothing written
    waived = new(
        audit_service, auditor_key, cycle_checklist, "certification", require_stage1=True, waive_stage1="held on paper"
    )
    assert opening(audit_service, waived)["waive_stage1"] == "held on paper"
    assert opening(audit_service, waived)["stage1"] is None
    # An open stage 1 is not enough; a closed one is, and the audit names it.
    stage1 = new(audit_service, auditor_key, cycle_checklist, "stage1")
    with pytest.raises(UserError, match="needs a closed stage 1"):
        new(audit_service, auditor_key, cycle_checklist, "certification", require_stage1=True)
    complete(audit_service, auditor_key, stage1)
    after = new(audit_service, auditor_key, cycle_checklist, "certification", require_stage1=True)
    recorded = opening(audit_service, after)
    assert recorded["stage1"] == stage1 and recorded["waive_stage1"] is None and recorded["rules"] == 2
    assert recorded["sections"] == ["MAL", "WHD", "INF", "CYB"]
    assert load_view(audit_service, after).stage1 == stage1
    # Another station's stage 1 does not count.
    with pytest.raises(UserError, match="GBN-S49 needs a closed stage 1"):
        audit_service.new_audit(
            "GBN-S49", cycle_checklist, "certification", auditor_key, AUDITOR_ID, require_stage1=True
        )


@pytest.mark.parametrize("kind", ["stage1", "surveillance", "recertification"])
def test_a_waiver_is_only_for_a_certification_audit(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path, kind: str
) -> None:
    with pytest.raises(UserError, match=f"applies only to a certification .stage 2. audit, not to a {kind} audit"):
        new(audit_service, auditor_key, cycle_checklist, kind, waive_stage1="held on paper")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each record a day after the one before, so the audits of a cycle follow one another."""
    import itertools
    from datetime import UTC, datetime

    from inspector.crypto import canonical

    days = itertools.count()
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(canonical, "utcnow", lambda: start + timedelta(days=next(days)))


def test_surveillance_rotates_so_the_cycle_covers_every_section(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path, clock: None
) -> None:
    certification = new(audit_service, auditor_key, cycle_checklist, "certification", waive_stage1="on paper")
    complete(audit_service, auditor_key, certification)
    first = new(audit_service, auditor_key, cycle_checklist, "surveillance")
    assert opening(audit_service, first)["sections"] == ["MAL", "WHD", "INF"]  # MAL always; 2 of 3 rotating
    assert opening(audit_service, first)["previous"] == []
    complete(audit_service, auditor_key, first)
    second = new(audit_service, auditor_key, cycle_checklist, "surveillance")
    # CYB is still uncovered in this cycle; the sample is filled with the section covered longest ago.
    assert opening(audit_service, second)["sections"] == ["MAL", "WHD", "CYB"]
    assert opening(audit_service, second)["previous"] == [first]
    complete(audit_service, auditor_key, second)
    third = new(audit_service, auditor_key, cycle_checklist, "surveillance")
    assert opening(audit_service, third)["sections"] == ["MAL", "INF", "CYB"]
    # A recertification starts a new cycle.
    recertification = new(audit_service, auditor_key, cycle_checklist, "recertification")
    complete(audit_service, auditor_key, recertification)
    assert opening(audit_service, new(audit_service, auditor_key, cycle_checklist, "surveillance"))["sections"] == [
        "MAL",
        "WHD",
        "INF",
    ]
    assert verify_local(audit_service, second, None).ok


@pytest.mark.parametrize(
    ("previous", "sample"),
    [
        ([], ["WHD", "INF"]),
        ([["MAL", "WHD", "INF"]], ["WHD", "CYB"]),
        ([["MAL", "WHD", "INF"], ["MAL", "WHD", "CYB"]], ["INF", "CYB"]),  # WHD was covered twice
        ([["WHD"], ["INF"], ["CYB"]], ["WHD", "INF"]),  # each once: the longest ago first
        ([["XYZ"]], ["WHD", "INF"]),  # sections of another checklist version are ignored
    ],
)
def test_the_rotation_rule(cycle_checklist: Path, previous: list[list[str]], sample: list[str]) -> None:
    assert surveillance_sample(load_checklist(cycle_checklist), previous) == sample


@pytest.mark.parametrize(
    ("item", "options", "reason", "message", "code"),
    [
        ("MAL-01", {}, "no parcels", "MAL-01 cannot be marked not applicable: the requirement .clause 8.5.2, 8.5.3. applies to every station", "na-not-allowed"),
        ("MAL-02", {}, "no lock-up", "MAL-02 can be marked not applicable only at a station without a lock-up", "na-needs-no-lockup"),
        ("MAL-03", {}, None, "MAL-03: marking it not applicable needs a written reason", "na-needs-reason"),
    ],
)  # fmt: skip
def test_not_applicable_is_justified(
    audit_service: AuditService,
    auditor_key: SigningKey,
    cycle_checklist: Path,
    item: str,
    options: dict[str, Any],
    reason: str | None,
    message: str,
    code: str,
) -> None:
    audit_id = new(audit_service, auditor_key, cycle_checklist, "certification", waive_stage1="on paper", **options)
    with audit_service.open(audit_id, key=auditor_key) as audit:
        with pytest.raises(UserError, match=message) as caught:
            audit.record(item, "na", reason=reason)
        assert caught.value.code == code
        assert audit.latest() == {}


def test_no_lockup_is_recorded_and_lets_custody_items_be_na(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path
) -> None:
    audit_id = new(
        audit_service, auditor_key, cycle_checklist, "certification", waive_stage1="on paper", no_lockup=True
    )
    assert opening(audit_service, audit_id)["no_lockup"] is True
    with audit_service.open(audit_id, key=auditor_key) as audit:
        audit.record("MAL-02", "na", reason="the station has no lock-up")
        audit.record("MAL-03", "na", reason="no disposal order yet")
        audit.record("MAL-01", "conform")
        assert audit.score().na_share == 67 and audit.score().na_items == ["MAL-02", "MAL-03"]
    view = load_view(audit_service, audit_id)
    assert view.no_lockup and view.score.na == 2
    assert verify_local(audit_service, audit_id, None).ok


def test_sensitive_items_take_no_evidence_files(
    audit_service: AuditService, auditor_key: SigningKey, cycle_checklist: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "fir-page.jpg"
    photo.write_bytes(b"\xff\xd8 a page naming a victim")
    audit_id = new(audit_service, auditor_key, cycle_checklist, "certification", waive_stage1="on paper")
    with audit_service.open(audit_id, key=auditor_key) as audit:
        with pytest.raises(
            UserError, match="WHD-02 concerns victims, children or detainees: evidence files are not kept"
        ) as caught:
            audit.record("WHD-02", "minor", note="FIR 123/2026: statement not recorded", evidence=[photo])
        assert caught.value.field == "evidence" and caught.value.code == "sensitive-no-evidence"
        audit.record("WHD-02", "minor", note="FIR 123/2026: statement not recorded")  # the reference only
        with pytest.raises(UserError, match="evidence files are not kept"):
            audit.respond("WHD-02", correction="c", root_cause="r", action="a", owner="o", due=SOON, evidence=[photo])
    assert not (audit_service.data.audit_dir(audit_id) / "evidence").exists()
