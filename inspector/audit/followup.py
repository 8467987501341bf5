"""Nonconformity follow-up: each nonconformity's state, and the rules of plans, verifications and meetings.

A nonconformity (the latest finding of an item is ``minor`` or ``major``) moves through::

    open ──respond──► planned ──follow-up --effective──► closed
                         │
                         └──follow-up --not-effective──► not-effective ──respond──► planned …

``respond`` records the station's corrective-action plan (correction, root cause, action, owner,
due date), accepted by the auditor who signs it; ``follow-up`` records the auditor's
verification of that plan, on site or from documents. Both are signed records of the audit's
chain and may be written before or after the seal. The deadlines count from the audit's last
day (the date of its closing record): a minor's plan is due within the checklist's
``minor_plan_days`` (90 by default), and a major must be verified effective within 6 months
(ISO/IEC 17021-1 practice: otherwise the stage 2 audit is repeated).

Pure: this module reads a :class:`~inspector.audit.chain.ChainState`; the audit writes.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from inspector._io.text import check_free_text, check_line_text
from inspector.audit.chain import ChainState, Finding, FollowUp
from inspector.audit.checklist import Checklist
from inspector.audit.records import (
    NAME_MAX,
    NOTE_MAX,
    MeetingRecord,
    ResponseRecord,
    VerificationRecord,
    check_due,
    record_time,
)
from inspector.audit.rules import Problem, _unknown_item
from inspector.audit.scoring import FindingStatus
from inspector.errors import UserError

MAJOR_VERIFY_MONTHS = 6
METHODS = ("on-site", "document")
MEETING_KINDS = ("opening", "closing")
MAX_ATTENDEES = 100


class NCState(StrEnum):
    OPEN = "open"  # no corrective-action plan yet
    PLANNED = "planned"  # a plan is recorded (accepted); for a major, its effect is not yet verified
    CLOSED = "closed"  # the plan's effect was verified effective
    NOT_EFFECTIVE = "not-effective"  # verified, and found not effective: a new plan is needed


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day(state: ChainState) -> date | None:
    """The audit's last day: the date of its closing record, None while it is open."""
    return record_time(state.closed.time).date() if state.closed else None


@dataclass(frozen=True)
class Nonconformity:
    """One nonconformity and everything its follow-up says, as of the chain read."""

    item: str
    grade: FindingStatus  # MINOR or MAJOR
    finding: Finding
    clauses: tuple[str, ...]
    section: str
    state: NCState
    plan: ResponseRecord | None  # the latest corrective-action plan
    verification: VerificationRecord | None  # the latest verification
    records: tuple[FollowUp, ...]  # every plan and verification of the item, in chain order
    plan_deadline: date | None  # the latest due date a plan may have (None while the audit is open)
    verify_deadline: date | None  # majors: verified effective by then, or a new stage 2

    @property
    def is_major(self) -> bool:
        return self.grade is FindingStatus.MAJOR

    @property
    def due(self) -> str | None:
        """The date the next step is due: the plan's due date, else the finding's, else the
        deadline for the plan itself."""
        if self.plan is not None:
            return self.plan.due
        if self.finding.due:
            return self.finding.due
        return self.plan_deadline.isoformat() if self.plan_deadline else None

    @property
    def verified_on(self) -> date | None:
        """The day its effect was verified, when it is closed."""
        if self.state is NCState.CLOSED and self.verification is not None:
            return record_time(self.verification.time).date()
        return None


def _state_of(records: Sequence[FollowUp]) -> tuple[NCState, ResponseRecord | None, VerificationRecord | None]:
    state, plan, verification = NCState.OPEN, None, None
    for signed in records:
        payload = signed.payload
        if isinstance(payload, ResponseRecord):
            state, plan = NCState.PLANNED, payload
        else:
            verification = payload
            state = NCState.CLOSED if payload.result == "effective" else NCState.NOT_EFFECTIVE
    return state, plan, verification


def plan_limit(checklist: Checklist, grade: FindingStatus, last: date) -> date:
    """The latest due date of a plan for a nonconformity of ``grade`` of an audit ending ``last``."""
    if grade is FindingStatus.MAJOR:
        return add_months(last, MAJOR_VERIFY_MONTHS)
    return date.fromordinal(last.toordinal() + checklist.scoring.minor_plan_days)


def nonconformities(
    checklist: Checklist, state: ChainState, sections: Sequence[str] | None = None
) -> list[Nonconformity]:
    """Every current nonconformity, in checklist order, with its follow-up state."""
    last = last_day(state)
    wanted = None if sections is None else set(sections)
    rows: list[Nonconformity] = []
    for item_id, item in checklist.items.items():
        finding = state.latest.get(item_id)
        if finding is None or not finding.status.is_nonconformity:
            continue
        section = checklist.section_of[item_id].id
        if wanted is not None and section not in wanted:
            continue
        records = tuple(state.follow_ups.get(item_id, ()))
        nc_state, plan, verification = _state_of(records)
        major = finding.status is FindingStatus.MAJOR
        rows.append(
            Nonconformity(
                item=item_id,
                grade=finding.status,
                finding=finding,
                clauses=tuple(item.clauses),
                section=section,
                state=nc_state,
                plan=plan,
                verification=verification,
                records=records,
                plan_deadline=plan_limit(checklist, finding.status, last) if last else None,
                verify_deadline=add_months(last, MAJOR_VERIFY_MONTHS) if last and major else None,
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# the rules of follow-up records (the audit refuses, verification reports)


def _current_nc(state: ChainState, item_id: str, what: str) -> tuple[Finding | None, list[Problem]]:
    finding = state.latest.get(item_id)
    if finding is None or not finding.status.is_nonconformity:
        status = finding.status.value if finding else "not recorded"
        return finding, [
            Problem(f"{item_id}: has no nonconformity to {what} (its finding is {status})", None, "not-a-nonconformity")
        ]
    return finding, []


def response_problems(checklist: Checklist, state: ChainState, item_id: str, due: str, on: date) -> list[Problem]:
    """What a corrective-action plan for ``item_id`` due ``due``, recorded on ``on``, breaks."""
    finding, problems = _current_nc(state, item_id, "answer")
    if problems or finding is None:
        return problems
    nc_state, _plan, _verification = _state_of(state.follow_ups.get(item_id, ()))
    if nc_state is NCState.CLOSED:
        return [Problem(f"{item_id}: its corrective action was already verified effective", None, "nc-already-closed")]
    due_day = date.fromisoformat(due)
    opened = record_time(state.opened.time).date() if state.opened else on
    if due_day < opened:
        return [
            Problem(
                f"{item_id}: the plan's due date {due} is before the audit was opened ({opened})",
                "due",
                "due-before-audit",
            )
        ]
    # While the audit is open its last day is not known yet; today is the earliest it can be.
    limit = plan_limit(checklist, finding.status, last_day(state) or on)
    if due_day > limit:
        span = (
            f"{MAJOR_VERIFY_MONTHS} months"
            if finding.status is FindingStatus.MAJOR
            else f"{checklist.scoring.minor_plan_days} days"
        )
        return [
            Problem(
                f"{item_id}: the plan's due date {due} is later than {limit.isoformat()} "
                f"({span} after the audit's last day, for a {finding.status.value} nonconformity)",
                "due",
                "due-beyond-limit",
            )
        ]
    return []


def verification_problems(checklist: Checklist, state: ChainState, item_id: str) -> list[Problem]:
    """What a verification of ``item_id``'s corrective action breaks (a plan must await it)."""
    _finding, problems = _current_nc(state, item_id, "verify")
    if problems:
        return problems
    records = state.follow_ups.get(item_id, ())
    if not records or not isinstance(records[-1].payload, ResponseRecord):
        nc_state, _plan, _verification = _state_of(records)
        if nc_state is NCState.CLOSED:
            why = "its corrective action was already verified effective"
        elif nc_state is NCState.NOT_EFFECTIVE:
            why = "its last plan was found not effective: record the station's new plan first"
        else:
            why = "no corrective-action plan is recorded: record the station's response first"
        return [Problem(f"{item_id}: nothing to verify: {why}", None, "no-plan-to-verify")]
    return []


def cap_deadline(checklist: Checklist, state: ChainState, on: date) -> date:
    """The plans' deadline a closing meeting on ``on`` announces: ``minor_plan_days`` after the
    audit's last day (the meeting's own day while the audit is still open)."""
    return date.fromordinal((last_day(state) or on).toordinal() + checklist.scoring.minor_plan_days)


# ---------------------------------------------------------------------------------------------
# building the fields of a new record (the audit adds the chain fields and signs)


def _text(value: str | None, what: str, field: str) -> str:
    if value is None:
        raise UserError(f"{what} is required", field=field, code="missing-text")
    return check_free_text(value, what, NOTE_MAX, field=field)


def _item(checklist: Checklist, item_id: str) -> str:
    wanted = item_id.strip().upper()
    if wanted not in checklist.items:
        raise UserError(_unknown_item(item_id, checklist))
    return wanted


def _no_files_on_sensitive(checklist: Checklist, item_id: str, evidence: Sequence[str | Path]) -> None:
    if evidence and checklist.items[item_id].sensitive:
        raise UserError(
            f"{item_id} concerns victims, children or detainees: evidence files are not kept for it; "
            "write the document's reference in the text instead",
            field="evidence",
            code="sensitive-no-evidence",
        )


def response_fields(
    checklist: Checklist,
    state: ChainState,
    item_id: str,
    *,
    correction: str | None,
    root_cause: str | None,
    action: str | None,
    owner: str | None,
    due: str | None,
    evidence: Sequence[str | Path],
    today: date,
) -> dict[str, Any]:
    """The checked fields of a corrective-action plan (raises ``UserError`` on the first problem)."""
    item_id = _item(checklist, item_id)
    fields: dict[str, Any] = {
        "item": item_id,
        "correction": _text(correction, "correction", "correction"),
        "root_cause": _text(root_cause, "root cause", "root_cause"),
        "action": _text(action, "corrective action", "action"),
        "owner": check_line_text(owner or "", "owner", NAME_MAX, field="owner"),
    }
    if not due or not due.strip():
        raise UserError("a corrective-action plan needs a due date", field="due", code="missing-due")
    try:
        fields["due"] = check_due(due.strip())
    except ValueError as exc:
        raise UserError(str(exc), field="due", code="bad-due") from None
    problems = response_problems(checklist, state, item_id, fields["due"], today)
    if problems:
        raise problems[0].error()
    _no_files_on_sensitive(checklist, item_id, evidence)
    fields["finding"] = state.latest[item_id].record_id
    return fields


def verification_fields(
    checklist: Checklist,
    state: ChainState,
    item_id: str,
    *,
    effective: bool,
    method: str,
    note: str | None,
    evidence: Sequence[str | Path],
) -> dict[str, Any]:
    """The checked fields of a verification (raises ``UserError`` on the first problem)."""
    item_id = _item(checklist, item_id)
    method = method.strip().lower()
    if method not in METHODS:
        raise UserError(f"unknown verification method {method!r} (use one of: {', '.join(METHODS)})", field="method")
    fields: dict[str, Any] = {
        "item": item_id,
        "result": "effective" if effective else "not-effective",
        "method": method,
        "note": _text(note, "note", "note"),
    }
    problems = verification_problems(checklist, state, item_id)
    if problems:
        raise problems[0].error()
    _no_files_on_sensitive(checklist, item_id, evidence)
    fields["finding"] = state.latest[item_id].record_id
    fields["response"] = state.follow_ups[item_id][-1].payload.id
    return fields


def meeting_fields(
    checklist: Checklist,
    state: ChainState,
    *,
    kind: str,
    attendees: Sequence[str],
    acknowledged_by: str | None,
    note: str | None,
    today: date,
) -> dict[str, Any]:
    """The checked fields of a meeting record (raises ``UserError`` on the first problem)."""
    kind = kind.strip().lower()
    if kind not in MEETING_KINDS:
        raise UserError(f"unknown meeting kind {kind!r} (use one of: {', '.join(MEETING_KINDS)})", field="kind")
    if not attendees:
        raise UserError('a meeting record needs at least one attendee ("NAME, RANK")', field="attendee")
    if len(attendees) > MAX_ATTENDEES:
        raise UserError(f"at most {MAX_ATTENDEES} attendees", field="attendee")
    names = [check_line_text(name, "attendee", NAME_MAX, field="attendee") for name in attendees]
    if len(set(names)) != len(names):
        raise UserError("an attendee is named twice", field="attendee")
    return {
        "kind": kind,
        "attendees": names,
        "acknowledged_by": None
        if acknowledged_by is None
        else check_line_text(acknowledged_by, "acknowledged by", NAME_MAX, field="acknowledged_by"),
        "note": None if note is None or not note.strip() else check_free_text(note, "note", NOTE_MAX, field="note"),
        "cap_deadline": cap_deadline(checklist, state, today).isoformat() if kind == "closing" else None,
    }


def meeting_problems(checklist: Checklist, state: ChainState, payload: MeetingRecord) -> list[Problem]:
    """What a stored meeting record breaks (its deadline must be the one the rules give)."""
    on = record_time(payload.time).date()
    expected = cap_deadline(checklist, state, on).isoformat() if payload.kind == "closing" else None
    if payload.cap_deadline != expected:
        return [
            Problem(
                f"its plans' deadline {payload.cap_deadline} is not the {expected} the checklist's rules give",
                None,
                "meeting-deadline",
            )
        ]
    return []
