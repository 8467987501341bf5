"""Read models of an audit for the shells: what a summary shows, and what may be done next.

:func:`load_view` reads an audit once into an :class:`AuditView` (no lock is kept afterwards);
the view then answers "may it be closed?" and "may a certificate be issued from it?" with the
one wording every shell shows. No Textual or Rich here: the TUI's summary screen renders a view,
and tests check the rules without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.audit.audit import iter_nonconformities
from inspector.audit.layout import CERTIFICATES_DIR, UNANSWERED_SHOWN
from inspector.audit.records import AuditType
from inspector.audit.scoring import Decision, Score
from inspector.audit.service import AuditService

__all__ = [
    "DECISION_TEXT",
    "AuditView",
    "NonconformityRow",
    "load_view",
    "percent_text",
    "unanswered_message",
]

# The decision in words, as a person reads it (the enumeration's values are for scripts).
DECISION_TEXT = {
    Decision.CERTIFY: "recommend certification",
    Decision.AFTER_CORRECTIVE_ACTION: "recommend certification after corrective action",
    Decision.NOT_READY: "not ready for certification",
}


@dataclass(frozen=True)
class NonconformityRow:
    item: str
    status: str
    clauses: list[str]
    question: str
    due: str | None
    note: str | None
    reason: str | None


@dataclass(frozen=True)
class AuditView:
    """One audit as read in one go: identity, score, nonconformities, seal and certificates."""

    audit_id: str
    station_code: str
    station_en: str
    station_hi: str
    audit_type: str
    checklist: str
    auditor: str
    opened: str
    closed_at: str | None
    score: Score
    section_titles: dict[str, str]
    nonconformities: list[NonconformityRow]
    findings_root: str | None
    certificates: list[Path]  # issued from this audit, newest first
    warnings: list[str]

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    # -- what may be done next ------------------------------------------------------------------
    @property
    def close_refusal(self) -> str | None:
        """Why the audit cannot be closed now, or None when it can."""
        if self.closed:
            return "the audit is already closed and sealed"
        if self.score.unanswered:
            return unanswered_message(self.score)
        return None

    @property
    def may_close(self) -> bool:
        return self.close_refusal is None

    @property
    def issue_refusal(self) -> str | None:
        """Why no certificate can be issued from the audit now, or None when one can."""
        if not self.closed:
            return "close the audit first: a certificate is issued from a sealed audit"
        if self.audit_type == AuditType.STAGE1.value:
            return "no certificate can be issued: a stage 1 (readiness) audit cannot lead to a certificate"
        decision = self.score.decision
        if decision is not Decision.CERTIFY:
            reasons = "; ".join(self.score.reasons) or decision.value
            return f"no certificate can be issued: decision is {decision.value} ({reasons})"
        return None

    @property
    def may_issue(self) -> bool:
        return self.issue_refusal is None

    @property
    def decision_text(self) -> str:
        return DECISION_TEXT[self.score.decision]


def percent_text(score: Score) -> str:
    """``85%``, or ``-`` while nothing is scored."""
    return "-" if score.percent is None else f"{score.percent}%"


def unanswered_message(score: Score) -> str:
    """Why an audit with unanswered items cannot be closed."""
    shown = ", ".join(score.unanswered[:UNANSWERED_SHOWN])
    more = ", …" if len(score.unanswered) > UNANSWERED_SHOWN else ""
    return f"cannot close the audit: {len(score.unanswered)} of {score.total} items unanswered ({shown}{more})"


def load_view(audits: AuditService, audit_id: str) -> AuditView:
    """Read ``audit_id`` (full id or unique prefix) without locking it. Blocking: disk and parsing."""
    with audits.open(audit_id, writable=False) as audit:
        result = audit.score()
        opened = audit.opened
        seal = audit.seal()
        rows = [
            NonconformityRow(
                item=finding.item,
                status=finding.status.value,
                clauses=clauses,
                question=audit.checklist.items[finding.item].question,
                due=finding.due,
                note=finding.note,
                reason=finding.reason,
            )
            for finding, clauses in iter_nonconformities(audit)
        ]
        certificates = sorted(
            (audit.folder / CERTIFICATES_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        auditor = opened.auditor
        return AuditView(
            audit_id=audit.id,
            station_code=opened.station.code,
            station_en=opened.station.name,
            station_hi=opened.station.name_hi,
            audit_type=opened.audit_type.value,
            checklist=f"{opened.checklist.id} {opened.checklist.version}",
            auditor=auditor.id if auditor.name == auditor.id else f"{auditor.name} ({auditor.id})",
            opened=opened.time,
            closed_at=audit.state.closed.time if audit.state.closed else None,
            score=result,
            section_titles={section.id: section.title.en for section in audit.checklist.sections},
            nonconformities=rows,
            findings_root=seal.payload.findings_root if seal else None,
            certificates=certificates,
            warnings=audit.clock_warnings(),
        )
