"""A finding to record, and its validated plan (before evidence is copied and it is signed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inspector.audit.chain import Finding
from inspector.audit.checklist import Checklist
from inspector.audit.records import NOTE_MAX, REASON_MAX
from inspector.audit.rules import (
    LEGACY,
    FindingContext,
    _due_or_none,
    _text_or_none,
    _unknown_item,
    finding_rule_problems,
    parse_status,
)
from inspector.audit.scoring import FindingStatus
from inspector.errors import UserError


@dataclass(frozen=True)
class FindingInput:
    """One finding to record; ``where`` prefixes its errors (e.g. ``"rows.csv line 7"``)."""

    item: str
    status: str | FindingStatus
    note: str | None = None
    evidence: Sequence[str | Path] = ()
    due: str | None = None
    reason: str | None = None
    where: str | None = None


@dataclass
class FindingPlan:
    """A validated finding, before its evidence is copied and it is signed."""

    item: str
    status: FindingStatus
    note: str | None
    due: str | None
    reason: str | None
    new_paths: list[str | Path]
    evidence_count: int  # files the finding will carry (previous ones are kept)

    @classmethod
    def build(
        cls,
        row: FindingInput,
        checklist: Checklist,
        previous: Finding | FindingPlan | None,
        opened: date,
        context: FindingContext = LEGACY,
    ) -> FindingPlan:
        """Check ``row``; unspecified note, due date and reason carry over from ``previous``."""
        if row.item not in checklist.items:
            raise UserError(_unknown_item(row.item, checklist))
        status = parse_status(row.status)
        note = _text_or_none(row.note, "note", NOTE_MAX)
        reason = _text_or_none(row.reason, "reason", REASON_MAX)
        due = _due_or_none(row.due, opened)
        before = 0
        if previous is not None:
            note = note if note is not None else previous.note
            if due is None and status.is_nonconformity:
                due = previous.due
            if reason is None and status is previous.status:
                reason = previous.reason
            before = len(previous.evidence) if isinstance(previous, Finding) else previous.evidence_count
        count = before + len(row.evidence)
        problems = finding_rule_problems(checklist, row.item, status, note, count > 0, reason, due, context)
        if problems:
            raise problems[0].error()
        return cls(row.item, status, note, due, reason, list(row.evidence), count)
