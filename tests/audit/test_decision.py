"""The decision (``inspector.audit.decision.decide``): the rules certification bodies apply, as a table.

Each row is a small checklist (the mini checklist's rules, ``systemic_minors`` 3 and
``minor_plan_days`` 90), its answers, the follow-up of its nonconformities, the audit's type and
the day the decision is taken. The chain of records behind it is built for real (payload models
applied to a ``ChainState`` in order, as an audit reads its store), so the nonconformities'
states are the ones ``followup.nonconformities`` derives.

A row's spec is one item per word, ``<criticality>:<answer>[/<follow-up>]``: criticality C, H,
M or L (``C!`` also forbids N/A); answer conform, observation, na, minor, major or ``-``; the
follow-up of a nonconformity, in chain order, one letter per record: ``p`` a plan, ``e`` a
verification found effective, ``x`` one found not effective. Items are MAL-01, MAL-02, ...;
``|`` starts a second section (WHD-01, ...). The audit's last day is 1 June 2026; plans and
verifications are dated ``at`` days after it (30 by default); ``today`` is days after it too.

How the rules read:

* every item of the scope answered, else ``incomplete`` (its reasons still list what else waits);
* every answered item "not applicable": ``nothing-applicable`` (nothing was audited);
* a major needs its corrective action verified effective within 6 months of the last day;
  past that, ``new-stage2-needed`` (surveillance: ``recommend-suspension``);
* a minor needs an accepted plan (recorded by ``respond``); a plan found not effective needs a new one;
* observations never block, the score takes no part, and a critical item graded minor is a minor;
* stage 1 raises areas of concern, never a certificate; surveillance recommends maintaining.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from inspector.audit.chain import ChainState
from inspector.audit.checklist import Checklist, validate_checklist_data
from inspector.audit.decision import Decision, certificate_refusal, decide
from inspector.audit.followup import NCState, add_months, nonconformities
from inspector.audit.records import (
    AuditType,
    ClosedRecord,
    FindingRecord,
    ResponseRecord,
    VerificationRecord,
    new_id,
)
from inspector.audit.scoring import FindingStatus, score
from tests.helpers import MINI_CHECKLIST

LEVELS = {"C": "critical", "H": "high", "M": "medium", "L": "low"}
SECTIONS = [("MAL", "Malkhana", "मालखाना"), ("WHD", "Women help desk", "महिला हेल्प डेस्क")]
LAST_DAY = date(2026, 6, 1)
ZERO = "0" * 64


def _time(day: date) -> str:
    return f"{day.isoformat()}T10:00:00Z"


@dataclass
class World:
    checklist: Checklist
    state: ChainState
    statuses: dict[str, FindingStatus]


def build(
    spec: str, *, closed: bool = True, at: int = 30, clauses: dict[str, list[str]] | None = None, **rules: int
) -> World:
    """The checklist ``spec`` describes and the state of its chain (see the module docstring)."""
    data: dict[str, Any] = tomllib.loads(MINI_CHECKLIST.read_text(encoding="utf-8"))
    data["scoring"].update(rules)
    data["sections"] = []
    answers: list[tuple[str, str, str]] = []
    for (section_id, en, hi), part in zip(SECTIONS, spec.split("|"), strict=False):
        items = []
        for number, word in enumerate(part.split(), start=1):
            level, answer = word.split(":")
            item_id = f"{section_id}-{number:02d}"
            item: dict[str, Any] = {
                "id": item_id,
                "question": f"Question {item_id}?",
                "title_hi": "परीक्षण बिंदु",
                "clauses": (clauses or {}).get(item_id, ["7.5.3"]),
                "guidance": "Look.",
                "evidence": ["Register"],
                "criticality": LEVELS[level.rstrip("!")],
            }
            if level.endswith("!"):
                item["na_allowed"] = False
            items.append(item)
            status, _, follow = answer.partition("/")
            if status != "-":
                answers.append((item_id, status, follow))
        data["sections"].append({"id": section_id, "title": {"en": en, "hi": hi}, "items": items})
    checklist = validate_checklist_data(data, "decision table")
    state = ChainState()
    audit_id = new_id()
    seq = 1

    def common(kind: str, day: date) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        return {
            "format": "inspector-record/v1",
            "type": kind,
            "id": new_id(),
            "audit": audit_id,
            "seq": seq,
            "prev": ZERO,
            "time": _time(day),
        }

    finding_ids: dict[str, str] = {}
    for item_id, status, _follow in answers:
        record = FindingRecord.model_validate(
            {
                **common("finding", LAST_DAY),
                "item": item_id,
                "status": status,
                "note": "seen",
                "evidence": [],
                "due": None,
                "reason": "reason given" if status == "na" else None,
                "revises": None,
            }
        )
        state.apply(record, new_id() * 2)
        finding_ids[item_id] = record.id
    if closed:
        result = score(checklist, {i: FindingStatus(s) for i, s, _ in answers})
        state.apply(
            ClosedRecord.model_validate(
                {
                    **common("audit-closed", LAST_DAY),
                    "findings_root": ZERO,
                    "answered": result.answered,
                    "total": result.total,
                    "percent": result.percent,
                    "majors": result.majors,
                    "minors": result.minors,
                    "observations": result.observations,
                    "decision": "whatever was decided then",
                }
            ),
            new_id() * 2,
        )
    day = LAST_DAY + timedelta(days=at)
    for item_id, _status, follow in answers:
        plan_id = None
        for letter in follow:
            if letter == "p":
                plan = ResponseRecord.model_validate(
                    {
                        **common("response", day),
                        "item": item_id,
                        "finding": finding_ids[item_id],
                        "correction": "put right",
                        "root_cause": "no checker",
                        "action": "a weekly check",
                        "owner": "Ravi Kumar, SI",
                        "due": (LAST_DAY + timedelta(days=60)).isoformat(),
                        "evidence": [],
                    }
                )
                state.apply(plan, new_id() * 2)
                plan_id = plan.id
            else:
                assert plan_id is not None, f"{item_id}: a verification needs a plan before it"
                state.apply(
                    VerificationRecord.model_validate(
                        {
                            **common("follow-up", day),
                            "item": item_id,
                            "finding": finding_ids[item_id],
                            "response": plan_id,
                            "result": "effective" if letter == "e" else "not-effective",
                            "method": "on-site",
                            "note": "seen",
                            "evidence": [],
                        }
                    ),
                    new_id() * 2,
                )
    return World(checklist, state, {i: FindingStatus(s) for i, s, _ in answers})


def judge(world: World, audit_type: AuditType = AuditType.CERTIFICATION, today: int = 40) -> Any:
    result = score(world.checklist, world.statuses)
    ncs = nonconformities(world.checklist, world.state)
    return decide(
        world.checklist,
        audit_type,
        result,
        world.statuses,
        ncs,
        closed=world.state.closed is not None,
        today=LAST_DAY + timedelta(days=today),
    )


def conform(level: str, count: int) -> str:
    return f"{level}:conform " * count


CERT, SURV, RECERT, STAGE1 = (
    AuditType.CERTIFICATION,
    AuditType.SURVEILLANCE,
    AuditType.RECERTIFICATION,
    AuditType.STAGE1,
)
SIX_MONTHS = (add_months(LAST_DAY, 6) - LAST_DAY).days  # 183: 1 June to 1 December


@dataclass(frozen=True)
class Row:
    id: str
    spec: str
    decision: Decision
    reasons: list[str] = field(default_factory=list)  # the reason codes, in order
    audit_type: AuditType = CERT
    closed: bool = True
    at: int = 30  # days after the last day the follow-up records are dated
    today: int = 40  # days after the last day the decision is taken


ROWS = [
    # --- nothing open: certifiable, whatever the score
    Row("all-conform", "C:conform H:conform M:conform L:conform", Decision.CERTIFY),
    Row("observations-never-block", "C:conform H:observation L:observation", Decision.CERTIFY),
    Row("a-low-score-decides-nothing", "H:minor/p H:minor/p L:conform", Decision.CERTIFY),  # 14%
    Row("some-na-with-a-reason", "C:na H:conform", Decision.CERTIFY),
    # --- answers missing, or nothing applicable
    Row("unanswered-item", "C:- H:conform", Decision.INCOMPLETE, ["unanswered"], closed=False),
    Row(
        "unanswered-lists-what-else-waits",
        "C:major H:minor L:-",
        Decision.INCOMPLETE,
        ["unanswered", "major-open", "minor-no-plan"],
        closed=False,
    ),
    Row("all-na-is-not-certifiable", "C:na H:na L:na", Decision.NOTHING_APPLICABLE, ["nothing-applicable"]),
    Row("na-on-an-item-that-forbids-it", "C!:na H:conform", Decision.CORRECTIVE_ACTION_PENDING, ["na-not-allowed"]),
    # --- minors need an accepted plan
    Row(
        "minor-without-a-plan-blocks",
        conform("C", 3) + "L:minor",
        Decision.CORRECTIVE_ACTION_PENDING,
        ["minor-no-plan"],
    ),
    Row("minor-with-a-plan-is-certifiable", conform("C", 3) + "L:minor/p", Decision.CERTIFY),
    Row("minor-verified-effective", conform("C", 3) + "L:minor/pe", Decision.CERTIFY),
    Row(
        "minor-plan-not-effective-needs-a-new-plan",
        conform("C", 3) + "L:minor/px",
        Decision.CORRECTIVE_ACTION_PENDING,
        ["minor-not-effective"],
    ),
    Row("minor-new-plan-after-not-effective", conform("C", 3) + "L:minor/pxp", Decision.CERTIFY),
    Row("critical-graded-minor-is-a-minor", "C:minor/p " + conform("C", 6), Decision.CERTIFY),
    Row("minor-on-an-open-audit-with-a-plan", "H:minor/p L:conform", Decision.CERTIFY, closed=False),
    # --- majors need a verified corrective action
    Row("major-without-a-plan", conform("H", 2) + "L:major", Decision.CORRECTIVE_ACTION_PENDING, ["major-open"]),
    Row(
        "major-with-a-plan-awaits-verification", "H:major/p", Decision.CORRECTIVE_ACTION_PENDING, ["major-not-verified"]
    ),
    Row("major-verified-effective-is-certifiable", "H:major/pe L:conform", Decision.CERTIFY),
    Row("major-not-effective", "H:major/px", Decision.CORRECTIVE_ACTION_PENDING, ["major-not-effective"]),
    Row("major-not-effective-then-fixed", "H:major/pxpe", Decision.CERTIFY),
    Row("critical-major-verified", "C:major/pe", Decision.CERTIFY),
    # --- the 6-month limit for majors
    Row("major-open-5-months-on", "H:major/p", Decision.CORRECTIVE_ACTION_PENDING, ["major-not-verified"], today=150),
    Row(
        "major-open-on-the-last-allowed-day",
        "H:major",
        Decision.CORRECTIVE_ACTION_PENDING,
        ["major-open"],
        today=SIX_MONTHS,
    ),
    Row(
        "major-open-past-6-months", "H:major", Decision.NEW_STAGE2, ["major-not-verified-in-time"], today=SIX_MONTHS + 1
    ),
    Row("major-verified-on-the-last-day", "H:major/pe", Decision.CERTIFY, at=SIX_MONTHS, today=300),
    Row(
        "major-verified-too-late",
        "H:major/pe",
        Decision.NEW_STAGE2,
        ["major-not-verified-in-time"],
        at=SIX_MONTHS + 1,
        today=SIX_MONTHS + 2,
    ),
    Row(
        "late-major-and-a-pending-minor",
        "H:major L:minor",
        Decision.NEW_STAGE2,
        ["major-not-verified-in-time", "minor-no-plan"],
        today=400,
    ),
    Row(
        "open-audits-have-no-clock",
        "H:major/p",
        Decision.CORRECTIVE_ACTION_PENDING,
        ["major-not-verified"],
        closed=False,
        today=400,
    ),
    Row(
        "every-blocker-named-in-checklist-order",
        "C:minor H:major/px L:minor/px | M:major",
        Decision.CORRECTIVE_ACTION_PENDING,
        ["minor-no-plan", "major-not-effective", "minor-not-effective", "major-open"],
    ),
    # --- audit types
    Row("recertification-like-certification", "H:minor/p L:conform", Decision.CERTIFY, audit_type=RECERT),
    Row(
        "recertification-late-major",
        "H:major",
        Decision.NEW_STAGE2,
        ["major-not-verified-in-time"],
        audit_type=RECERT,
        today=400,
    ),
    Row("surveillance-maintains", "H:conform L:minor/p", Decision.MAINTAIN, audit_type=SURV),
    Row(
        "surveillance-pending", "H:major/p", Decision.CORRECTIVE_ACTION_PENDING, ["major-not-verified"], audit_type=SURV
    ),
    Row(
        "surveillance-late-major-suspends",
        "H:major",
        Decision.SUSPEND,
        ["major-not-verified-in-time"],
        audit_type=SURV,
        today=400,
    ),
    Row("stage1-ready", "H:conform L:observation", Decision.STAGE2_READY, audit_type=STAGE1),
    Row(
        "stage1-concerns",
        "H:minor L:major/p",
        Decision.STAGE1_CONCERNS,
        ["area-of-concern", "area-of-concern"],
        audit_type=STAGE1,
    ),
    Row("stage1-concern-resolved", "H:minor/pe L:conform", Decision.STAGE2_READY, audit_type=STAGE1),
    Row("stage1-incomplete", "H:- L:conform", Decision.INCOMPLETE, ["unanswered"], audit_type=STAGE1, closed=False),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_decision(row: Row) -> None:
    verdict = judge(build(row.spec, closed=row.closed, at=row.at), row.audit_type, row.today)
    assert (verdict.code, [r.code for r in verdict.reasons]) == (row.decision, row.reasons), [
        r.message for r in verdict.reasons
    ]


def test_ids_are_unique() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)


def test_reasons_name_the_item_and_the_deadline() -> None:
    verdict = judge(build("H:conform H:major/p"), today=10)
    [reason] = verdict.reasons
    assert reason.item == "MAL-02"
    assert reason.message == (
        "the corrective action for major nonconformity MAL-02 is not yet verified effective (by 2026-12-01)"
    )
    late = judge(build("H:major"), today=200)
    assert late.reasons[0].message == (
        "major nonconformity MAL-01 was not verified closed within 6 months of the audit's last day (2026-12-01)"
    )
    assert late.text == "a new stage 2 audit is needed"


def test_the_states_of_nonconformities() -> None:
    world = build("H:minor H:minor/p H:major/pe H:major/px L:conform C:na")
    states = {nc.item: (nc.grade.value, nc.state) for nc in nonconformities(world.checklist, world.state)}
    assert states == {
        "MAL-01": ("minor", NCState.OPEN),
        "MAL-02": ("minor", NCState.PLANNED),
        "MAL-03": ("major", NCState.CLOSED),
        "MAL-04": ("major", NCState.NOT_EFFECTIVE),
    }
    first, second, third, _ = nonconformities(world.checklist, world.state)
    assert first.due == "2026-08-30" and first.plan_deadline == date(2026, 8, 30)  # 90 days after 1 June
    assert second.due == "2026-07-31"  # the plan's own due date
    assert third.verify_deadline == date(2026, 12, 1) and third.verified_on == date(2026, 7, 1)


@pytest.mark.parametrize(
    ("spec", "rules", "warned"),
    [
        ("H:minor/p H:minor/p L:minor/p", {}, ["ISO clause 7.5.3", "section MAL"]),
        ("H:minor/p H:minor/p L:conform", {}, []),
        ("H:minor/p H:minor/p L:conform", {"systemic_minors": 2}, ["ISO clause 7.5.3", "section MAL"]),
        ("H:minor/p H:minor/p | L:minor/p", {}, ["ISO clause 7.5.3"]),  # two sections, one clause
        ("H:major/pe H:major/pe H:major/pe", {}, []),  # majors are already majors
    ],
)
def test_several_minors_on_one_clause_or_section_are_a_warning(
    spec: str, rules: dict[str, int], warned: list[str]
) -> None:
    verdict = judge(build(spec, **rules))
    assert verdict.code is Decision.CERTIFY  # a warning: the auditor decides whether it is a major
    assert [w.code for w in verdict.warnings] == ["systemic-minors"] * len(warned)
    for warning, what in zip(verdict.warnings, warned, strict=True):
        assert f"against {what} " in warning.message and "consider whether together they are a major" in warning.message


def test_systemic_minors_by_section_with_different_clauses() -> None:
    world = build(
        "H:minor/p H:minor/p H:minor/p", clauses={"MAL-01": ["7.5.3"], "MAL-02": ["8.5.2"], "MAL-03": ["9.1"]}
    )
    [warning] = judge(world).warnings
    assert warning.message.startswith("3 minor nonconformities against section MAL (MAL-01, MAL-02, MAL-03)")


@pytest.mark.parametrize(
    ("audit_type", "spec", "refusal"),
    [
        (CERT, "H:conform", None),
        (RECERT, "H:conform", None),
        (SURV, "H:conform", "a surveillance audit never issues a certificate"),
        (STAGE1, "H:conform", "a stage 1 (readiness) audit cannot lead to a certificate"),
        (CERT, "H:minor", "decision is corrective-action-pending (minor nonconformity MAL-01 has no accepted"),
        (CERT, "H:na", "decision is nothing-applicable"),
    ],
)
def test_which_audits_may_lead_to_a_certificate(audit_type: AuditType, spec: str, refusal: str | None) -> None:
    answer = certificate_refusal(audit_type, judge(build(spec), audit_type))
    if refusal is None:
        assert answer is None
    else:
        assert answer is not None and refusal in answer, answer
