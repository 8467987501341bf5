"""The rules a finding must follow, shared by the service (which refuses) and verification (which reports)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from inspector._io.text import check_free_text
from inspector.audit.checklist import Checklist
from inspector.audit.records import RULES_CURRENT, RULES_V1, AuditType, OpenedRecord, check_due
from inspector.audit.scope import audit_sections
from inspector.audit.scoring import FindingStatus
from inspector.errors import UserError

# ---------------------------------------------------------------------------------------------
# helpers


def parse_status(value: str | FindingStatus) -> FindingStatus:
    try:
        return FindingStatus(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in FindingStatus)
        raise UserError(f"unknown status {value!r} (use one of: {allowed})") from None


def parse_audit_type(value: str | AuditType) -> AuditType:
    text = str(value).strip().lower()
    if text in ("stage2", "stage-2"):
        return AuditType.CERTIFICATION
    try:
        return AuditType(text)
    except ValueError:
        allowed = ", ".join(t.value for t in AuditType)
        raise UserError(f"unknown audit type {value!r} (use one of: {allowed})") from None


def _text_or_none(value: str | None, what: str, limit: int) -> str | None:
    if value is None:
        return None
    if not value.strip():
        return None
    return check_free_text(value, what, limit, field=what)


def _due_or_none(value: str | None, opened: date) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        due = check_due(value.strip())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if date.fromisoformat(due) < opened:
        raise UserError(f"due date {due} is before the audit was opened ({opened.isoformat()})")
    return due


def _unknown_item(item_id: str, checklist: Checklist) -> str:
    close = difflib.get_close_matches(item_id.upper(), list(checklist.items), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown item {item_id!r}: not in checklist {checklist.id} {checklist.version}{hint}"


# ---------------------------------------------------------------------------------------------
# finding rules (shared by the service, which refuses, and by verification, which reports)


@dataclass(frozen=True)
class FindingContext:
    """What the opening record says that a finding's rules depend on.

    ``rules`` is the rules version the audit was opened under: audits of the first release
    (version 1) are held to the rules they were signed under, so they keep verifying.
    """

    rules: int = RULES_V1
    no_lockup: bool = False
    sections: frozenset[str] | None = None  # the audit's scope; None: every section

    @classmethod
    def of(cls, checklist: Checklist, opened: OpenedRecord) -> FindingContext:
        sections = None if opened.sections is None else frozenset(audit_sections(checklist, opened))
        return cls(opened.rules, opened.no_lockup, sections)

    @property
    def current(self) -> bool:
        return self.rules >= RULES_CURRENT


LEGACY = FindingContext()


@dataclass(frozen=True)
class Problem:
    """One rule a finding breaks: the sentence, the field it concerns and a stable code."""

    message: str
    field: str | None
    code: str

    def __str__(self) -> str:
        return self.message

    def error(self) -> UserError:
        return UserError(self.message, code=self.code, field=self.field)


def na_problems(checklist: Checklist, item_id: str, context: FindingContext) -> list[Problem]:
    """Why ``item_id`` may not be answered "not applicable" at all in this audit (the reason a
    N/A also needs is not asked here: a shell checks this before asking for it)."""
    if not context.current:
        return []
    item = checklist.items[item_id]
    if not item.na_allowed:
        return [
            Problem(
                f"{item_id} cannot be marked not applicable: the requirement (clause {', '.join(item.clauses)}) "
                "applies to every station",
                "status",
                "na-not-allowed",
            )
        ]
    if item.na_requires_no_lockup and not context.no_lockup:
        return [
            Problem(
                f"{item_id} can be marked not applicable only at a station without a lock-up, "
                "and this audit was opened for a station with one",
                "status",
                "na-needs-no-lockup",
            )
        ]
    return []


def finding_rule_problems(
    checklist: Checklist,
    item_id: str,
    status: FindingStatus,
    note: str | None,
    has_evidence: bool,
    reason: str | None,
    due: str | None,
    context: FindingContext = LEGACY,
) -> list[Problem]:
    """What a finding breaks of the checklist's rules for ``item_id`` (which must exist)."""
    item = checklist.items[item_id]
    problems: list[Problem] = []
    if context.current:
        section = checklist.section_of[item_id].id
        if context.sections is not None and section not in context.sections:
            return [
                Problem(
                    f"{item_id}: section {section} is not part of this audit's scope ({', '.join(sorted(context.sections))})",
                    None,
                    "item-out-of-scope",
                )
            ]
        if status is FindingStatus.NA:
            problems.extend(na_problems(checklist, item_id, context))
            if not reason:
                problems.append(
                    Problem(f"{item_id}: marking it not applicable needs a written reason", "reason", "na-needs-reason")
                )
        if item.sensitive and has_evidence:
            problems.append(
                Problem(
                    f"{item_id} concerns victims, children or detainees: evidence files are not kept for it; "
                    "record the case or register reference in the note",
                    "evidence",
                    "sensitive-no-evidence",
                )
            )
    default = checklist.default_grade(item).value
    if status is FindingStatus.MINOR and default == "major" and not reason:
        problems.append(
            Problem(
                f"{item_id} is {item.criticality.value}: a failure is a major nonconformity; "
                "recording it as minor needs a written reason",
                "reason",
                "downgrade-needs-reason",
            )
        )
    if status.is_nonconformity and item.require_note and not note:
        problems.append(
            Problem(
                f"{item_id}: a {status.value} nonconformity needs a note (objective evidence)",
                "note",
                "nonconformity-needs-note",
            )
        )
    # A sensitive item cannot take files, so its note (the reference) is its objective evidence.
    needs_file = item.require_evidence and not (context.current and item.sensitive)
    if status.is_nonconformity and needs_file and not has_evidence:
        problems.append(
            Problem(
                f"{item_id}: a {status.value} nonconformity needs an evidence file",
                "evidence",
                "nonconformity-needs-evidence",
            )
        )
    if due is not None and not status.is_nonconformity:
        problems.append(
            Problem(
                f"{item_id}: a due date is only for nonconformities, not for {status.value}",
                "due",
                "due-only-for-nonconformities",
            )
        )
    return problems
