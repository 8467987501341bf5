"""Read models of an audit for the shells and the report: what a summary shows, what may be done next.

:func:`load_view` reads an audit once into an :class:`AuditView` (no lock is kept afterwards);
the view then answers "may it be closed?" and "may a certificate be issued from it?" with the
one wording every shell shows. No Textual or Rich here: the TUI's summary screen renders a view,
the audit report renders the same view, and tests check the rules without a terminal.

What a report renderer reads (all plain data):

* ``view.decision`` (:class:`~inspector.audit.decision.Verdict`: ``code``, ``text``, ``reasons``,
  ``warnings``) and ``view.score`` (section scores, counts, ``na_share``, ``na_items``);
* ``view.nonconformities``: :class:`NonconformityRow` each with its ``grade``, ``state``, ``due``,
  the station's latest plan (``plan``: :class:`PlanRow`), the latest verification
  (``verification``: :class:`VerificationRow`) and every follow-up record (``history``);
* ``view.meetings``: :class:`MeetingRow` (opening and closing, attendees, acknowledgment, deadline);
* the basis of the audit: ``sections`` (its scope), ``no_lockup``, ``stage1``, ``waive_stage1``;
  the seal: ``findings_root``, ``sealed_records``, ``sealed_decision``; ``records`` in the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from inspector.audit.audit import Audit
from inspector.audit.chain import FollowUp, Meeting
from inspector.audit.decision import DECISION_TEXT, Verdict, certificate_refusal
from inspector.audit.followup import Nonconformity
from inspector.audit.layout import CERTIFICATES_DIR, UNANSWERED_SHOWN
from inspector.audit.records import AuditType, ResponseRecord, VerificationRecord
from inspector.audit.scoring import Score
from inspector.audit.service import AuditService

__all__ = [
    "DECISION_TEXT",
    "AuditView",
    "MeetingRow",
    "NonconformityRow",
    "PlanRow",
    "VerificationRow",
    "load_view",
    "percent_text",
    "unanswered_message",
]


@dataclass(frozen=True)
class PlanRow:
    """The station's corrective-action plan, as recorded."""

    correction: str
    root_cause: str
    action: str
    owner: str
    due: str
    time: str
    record: str
    evidence: list[str]  # file names

    @classmethod
    def of(cls, plan: ResponseRecord) -> PlanRow:
        return cls(
            plan.correction,
            plan.root_cause,
            plan.action,
            plan.owner,
            plan.due,
            plan.time,
            plan.id,
            [ref.name for ref in plan.evidence],
        )


@dataclass(frozen=True)
class VerificationRow:
    """The auditor's verification of a plan."""

    result: str  # "effective" | "not-effective"
    method: str  # "on-site" | "document"
    note: str
    time: str
    record: str
    evidence: list[str]

    @classmethod
    def of(cls, verification: VerificationRecord) -> VerificationRow:
        return cls(
            verification.result,
            verification.method,
            verification.note,
            verification.time,
            verification.id,
            [ref.name for ref in verification.evidence],
        )


@dataclass(frozen=True)
class NonconformityRow:
    item: str
    status: str  # the grade, "minor" or "major" (the name of the first release)
    clauses: list[str]
    question: str
    due: str | None
    note: str | None
    reason: str | None
    state: str = "open"  # open | planned | closed | not-effective
    section: str = ""
    legal: tuple[str, ...] = ()
    sensitive: bool = False
    evidence: tuple[str, ...] = ()  # file names of the finding's evidence
    plan: PlanRow | None = None
    verification: VerificationRow | None = None
    history: tuple[PlanRow | VerificationRow, ...] = ()
    plan_deadline: str | None = None
    verify_deadline: str | None = None

    @property
    def grade(self) -> str:
        return self.status

    @classmethod
    def of(cls, audit: Audit, nc: Nonconformity) -> NonconformityRow:
        item = audit.checklist.items[nc.item]
        return cls(
            item=nc.item,
            status=nc.grade.value,
            clauses=list(nc.clauses),
            question=item.question_text.en,
            due=nc.due,
            note=nc.finding.note,
            reason=nc.finding.reason,
            state=nc.state.value,
            section=nc.section,
            legal=tuple(item.legal),
            sensitive=item.sensitive,
            evidence=tuple(ref.name for ref in nc.finding.evidence),
            plan=PlanRow.of(nc.plan) if nc.plan else None,
            verification=VerificationRow.of(nc.verification) if nc.verification else None,
            history=tuple(_follow_up_row(signed) for signed in nc.records),
            plan_deadline=nc.plan_deadline.isoformat() if nc.plan_deadline else None,
            verify_deadline=nc.verify_deadline.isoformat() if nc.verify_deadline else None,
        )


def _follow_up_row(signed: FollowUp) -> PlanRow | VerificationRow:
    payload = signed.payload
    return PlanRow.of(payload) if isinstance(payload, ResponseRecord) else VerificationRow.of(payload)


@dataclass(frozen=True)
class MeetingRow:
    kind: str  # "opening" | "closing"
    time: str
    attendees: list[str]
    acknowledged_by: str | None
    note: str | None
    cap_deadline: str | None
    record: str
    seq: int

    @classmethod
    def of(cls, meeting: Meeting) -> MeetingRow:
        m = meeting.payload
        return cls(m.kind, m.time, list(m.attendees), m.acknowledged_by, m.note, m.cap_deadline, m.id, m.seq)


@dataclass(frozen=True)
class AuditView:
    """One audit as read in one go: identity, score, decision, nonconformities, follow-up, seal."""

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
    decision: Verdict | None = None
    meetings: tuple[MeetingRow, ...] = ()
    sections: tuple[str, ...] = ()  # the audit's scope
    no_lockup: bool = False
    section_titles_hi: dict[str, str] = field(default_factory=dict)  # the same titles in Hindi
    stage1: str | None = None
    waive_stage1: str | None = None
    records: int = 0
    sealed_records: int | None = None
    sealed_decision: str | None = None  # the decision the closing record signed (history)
    last_day: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def verdict(self) -> Verdict:
        assert self.decision is not None
        return self.decision

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
        return certificate_refusal(AuditType(self.audit_type), self.verdict)

    @property
    def may_issue(self) -> bool:
        return self.issue_refusal is None

    @property
    def decision_text(self) -> str:
        return self.verdict.text

    @property
    def open_nonconformities(self) -> list[NonconformityRow]:
        """The nonconformities whose follow-up is not finished (not verified effective)."""
        return [nc for nc in self.nonconformities if nc.state != "closed"]


def percent_text(score: Score) -> str:
    """``85%``, or ``-`` while nothing is scored."""
    return "-" if score.percent is None else f"{score.percent}%"


def unanswered_message(score: Score) -> str:
    """Why an audit with unanswered items cannot be closed."""
    shown = ", ".join(score.unanswered[:UNANSWERED_SHOWN])
    more = ", …" if len(score.unanswered) > UNANSWERED_SHOWN else ""
    return f"cannot close the audit: {len(score.unanswered)} of {score.total} items unanswered ({shown}{more})"


def load_view(audits: AuditService, audit_id: str, today: date | None = None) -> AuditView:
    """Read ``audit_id`` (full id or unique prefix) without locking it. Blocking: disk and parsing."""
    with audits.open(audit_id, writable=False) as audit:
        return view_of(audit, today)


def view_of(audit: Audit, today: date | None = None) -> AuditView:
    """The read model of an audit already open (``today``: the date deadlines are judged on)."""
    result = audit.score()
    opened = audit.opened
    seal = audit.seal()
    closed = audit.state.closed
    certificates = sorted(
        (audit.folder / CERTIFICATES_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    auditor = opened.auditor
    last = audit.last_day()
    return AuditView(
        audit_id=audit.id,
        station_code=opened.station.code,
        station_en=opened.station.name,
        station_hi=opened.station.name_hi,
        audit_type=opened.audit_type.value,
        checklist=f"{opened.checklist.id} {opened.checklist.version}",
        auditor=auditor.id if auditor.name == auditor.id else f"{auditor.name} ({auditor.id})",
        opened=opened.time,
        closed_at=closed.time if closed else None,
        score=result,
        section_titles={section.id: section.title.en for section in audit.checklist.sections},
        section_titles_hi={section.id: section.title.hi for section in audit.checklist.sections},
        nonconformities=[NonconformityRow.of(audit, nc) for nc in audit.nonconformities()],
        findings_root=seal.payload.findings_root if seal else None,
        certificates=certificates,
        warnings=audit.clock_warnings(),
        decision=audit.decision(today),
        meetings=tuple(MeetingRow.of(m) for m in audit.meetings()),
        sections=tuple(audit.sections),
        no_lockup=opened.no_lockup,
        stage1=opened.stage1,
        waive_stage1=opened.waive_stage1,
        records=audit.state.seq,
        sealed_records=seal.payload.seq if seal else None,
        sealed_decision=closed.decision if closed else None,
        last_day=last.isoformat() if last else None,
    )
