"""The audit summary: scores by section and overall, the nonconformities, the decision and why.

From here the auditor closes the audit (confirm, unlock, then ``Audit.close`` on a worker: the
audit is sealed and read-only from then on) and, when the closed audit's decision allows it,
issues the certificate (``issue_certificate`` on a worker, then the certificate screen).

The screen reads the audit into an :class:`AuditView` on a worker and renders only that; it
never holds an open ``Audit`` (which would hold the audit's lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static
from textual.worker import Worker, WorkerState

from inspector.audit.scoring import Decision, Score
from inspector.errors import UserError
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.session import Session

UNANSWERED_SHOWN = 5

DECISION_TEXT = {
    Decision.CERTIFY: "recommend certification",
    Decision.AFTER_CORRECTIVE_ACTION: "recommend certification after corrective action",
    Decision.NOT_READY: "not ready for certification",
}
DECISION_CLASS = {
    Decision.CERTIFY: "-certify",
    Decision.AFTER_CORRECTIVE_ACTION: "-corrective",
    Decision.NOT_READY: "-not-ready",
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
    """What the summary shows, read from the audit in one go (no lock kept)."""

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

    @property
    def can_issue(self) -> bool:
        return self.closed and self.score.decision is Decision.CERTIFY


def load_view(session: Session, audit_id: str) -> AuditView:
    """Read the audit (blocking: call from a worker)."""
    from inspector.audit.audit import iter_nonconformities
    from inspector.certificates.model import CERT_DIR

    with session.audits.open(audit_id, writable=False) as audit:
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
        certificates = sorted((audit.folder / CERT_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return AuditView(
            audit_id=audit.id,
            station_code=opened.station.code,
            station_en=opened.station.name,
            station_hi=opened.station.name_hi,
            audit_type=opened.audit_type.value,
            checklist=f"{opened.checklist.id} {opened.checklist.version}",
            auditor=opened.auditor.id
            if opened.auditor.name == opened.auditor.id
            else f"{opened.auditor.name} ({opened.auditor.id})",
            opened=opened.time,
            closed_at=audit.state.closed.time if audit.state.closed else None,
            score=result,
            section_titles={section.id: section.title.en for section in audit.checklist.sections},
            nonconformities=rows,
            findings_root=seal.payload.findings_root if seal else None,
            certificates=certificates,
            warnings=audit.clock_warnings(),
        )


def unanswered_message(score: Score) -> str:
    """Why an audit with unanswered items cannot be closed (the core's wording)."""
    shown = ", ".join(score.unanswered[:UNANSWERED_SHOWN])
    more = ", …" if len(score.unanswered) > UNANSWERED_SHOWN else ""
    return f"cannot close the audit: {len(score.unanswered)} of {score.total} items unanswered ({shown}{more})"


class SummaryScreen(Screen[None]):
    """Scores, nonconformities and decision of one audit; close it; issue its certificate."""

    CSS_PATH = "summary.tcss"
    TITLE = "Audit summary"
    AUTO_FOCUS = "#summary-body"
    BINDINGS = [
        Binding("escape", "back", "Back", id="summary-back"),
        Binding("c", "close_audit", "Close audit", id="summary-close"),
        Binding("i", "issue_certificate", "Issue certificate", id="summary-issue"),
        Binding("v", "view_certificate", "View certificate", id="summary-view"),
    ]

    class Loaded(Message):
        def __init__(self, view: AuditView, reading: int) -> None:
            super().__init__()
            self.view = view
            self.reading = reading

    class Closed(Message):
        def __init__(self, view: AuditView) -> None:
            super().__init__()
            self.view = view

    class Issued(Message):
        def __init__(self, record_path: Path) -> None:
            super().__init__()
            self.record_path = record_path

    def __init__(self, session: Session, audit_id: str) -> None:
        super().__init__()
        self.session = session
        self.audit_id = audit_id
        self.view: AuditView | None = None
        self.busy = False
        self.readings = 0  # a read started before a write must not overwrite what the write shows

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-body"):
            yield Static("Reading the audit…", id="summary-station")
            yield Static("", id="summary-station-hi")
            yield Static("", id="summary-status")
            yield Static("", id="summary-decision")
            yield Static("", id="summary-scores")
            yield Static("", id="summary-ncs")
            yield Static("", id="summary-sealed")
        yield Static("", id="summary-message")
        with Horizontal(id="summary-actions"):
            yield Button("Close audit (c)", id="summary-close", compact=True)
            yield Button("Issue certificate (i)", id="summary-issue", variant="success", compact=True)
            yield Button("View certificate (v)", id="summary-view", compact=True)
            yield Button("Back (esc)", id="summary-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.audit_id[:12]
        self._show_actions()

    def on_screen_resume(self) -> None:
        self.readings += 1
        self._load(self.readings)

    # -- reading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="summary-load", exit_on_error=False)
    def _load(self, reading: int) -> None:
        self.post_message(self.Loaded(load_view(self.session, self.audit_id), reading))

    def on_summary_screen_loaded(self, message: Loaded) -> None:
        if message.reading == self.readings:
            self._render_view(message.view)

    def _render_view(self, view: AuditView) -> None:
        self.view = view
        self.sub_title = f"{view.station_code} · {view.audit_id[:12]}"
        self.query_one("#summary-station", Static).update(
            Text.assemble((view.station_en, "bold"), f" ({view.station_code}) · {view.audit_type} audit")
        )
        self.query_one("#summary-station-hi", Static).update(Text(view.station_hi))
        self.query_one("#summary-status", Static).update(self._status_text(view))
        self._render_decision(view)
        self.query_one("#summary-scores", Static).update(self._scores_table(view))
        self.query_one("#summary-ncs", Static).update(self._nonconformities_text(view))
        sealed = self.query_one("#summary-sealed", Static)
        sealed.update(self._sealed_text(view))
        sealed.display = view.closed or bool(view.warnings)
        self._show_actions()

    @staticmethod
    def _status_text(view: AuditView) -> Text:
        result = view.score
        state = "closed and sealed" if view.closed else "open"
        text = Text()
        text.append(state, "bold")
        text.append(f" · {result.answered} of {result.total} items answered · opened {view.opened[:10]}")
        if view.closed_at:
            text.append(f" · closed {view.closed_at[:10]}")
        text.append(f"\nAuditor {view.auditor} · checklist {view.checklist}")
        return text

    def _render_decision(self, view: AuditView) -> None:
        result = view.score
        widget = self.query_one("#summary-decision", Static)
        text = Text()
        text.append("Decision: ", "bold")
        text.append(DECISION_TEXT[result.decision], "bold")
        if not view.closed and result.unanswered:
            text.append(" (provisional)")
        for reason in result.reasons:
            text.append(f"\n  - {reason}")
        if not result.reasons and result.decision is Decision.CERTIFY:
            text.append("\n  every threshold is met")
        widget.update(text)
        for cls in DECISION_CLASS.values():
            widget.remove_class(cls)
        widget.add_class(DECISION_CLASS[result.decision])
        widget.border_title = f"Score {result.percent}%" if result.percent is not None else "Score -"

    @staticmethod
    def _scores_table(view: AuditView) -> Table:
        result = view.score
        table = Table(box=None, pad_edge=False, padding=(0, 1), expand=False, show_edge=False, header_style="bold")
        # Numbers keep their full headers; only the title gives way on a narrow terminal.
        table.add_column("Section", no_wrap=True, min_width=7)
        table.add_column("Score", justify="right", no_wrap=True, min_width=5)
        table.add_column("Answered", justify="right", no_wrap=True, min_width=8)
        table.add_column("Major", justify="right", no_wrap=True, min_width=5)
        table.add_column("Minor", justify="right", no_wrap=True, min_width=5)
        table.add_column("Title", overflow="ellipsis", no_wrap=True)
        for section in result.sections:
            percent = "-" if section.percent is None else f"{section.percent}%"
            table.add_row(
                section.section_id,
                percent,
                f"{section.answered}/{section.total}",
                str(section.majors),
                str(section.minors),
                view.section_titles.get(section.section_id, ""),
            )
        overall = "-" if result.percent is None else f"{result.percent}%"
        table.add_row(
            Text("Overall", "bold"),
            Text(overall, "bold"),
            f"{result.answered}/{result.total}",
            str(result.majors),
            str(result.minors),
            f"observations: {result.observations}",
        )
        return table

    @staticmethod
    def _nonconformities_text(view: AuditView) -> Text:
        rows = view.nonconformities
        text = Text()
        text.append(f"Nonconformities ({len(rows)})", "bold")
        if not rows:
            text.append("\n  none recorded")
        for row in rows:
            due = f"due {row.due}" if row.due else "no due date"
            text.append("\n")
            text.append(f"{row.item:<7} {row.status:<5}", "bold")
            text.append(f" clause {', '.join(row.clauses)} · {due}")
            text.append(f"\n        {row.question}", "dim")
            if row.note:
                text.append(f"\n        {row.note}")
            if row.reason:
                text.append(f"\n        graded minor because: {row.reason}")
        return text

    @staticmethod
    def _sealed_text(view: AuditView) -> Text:
        text = Text()
        if view.findings_root:
            text.append("Sealed", "bold")
            text.append(f": findings root {view.findings_root[:32]}…; the findings can no longer change")
        if view.certificates:
            from inspector.certificates.psc1 import display_cert_id

            ids = ", ".join(display_cert_id(path.stem) for path in view.certificates)
            text.append(f"\nCertificates issued: {ids}")
        for warning in view.warnings:
            text.append(f"\nwarning: {warning}")
        return text

    # -- actions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action == "close_audit":
            return view is not None and not view.closed
        if action == "issue_certificate":
            return view is not None and view.can_issue
        if action == "view_certificate":
            return view is not None and bool(view.certificates)
        return True

    def _show_actions(self) -> None:
        view = self.view
        self.query_one("#summary-close", Button).display = bool(view and not view.closed)
        self.query_one("#summary-issue", Button).display = bool(view and view.can_issue)
        self.query_one("#summary-view", Button).display = bool(view and view.certificates)
        for button in self.query("#summary-actions Button"):
            button.disabled = self.busy and button.id != "summary-back"
        self.refresh_bindings()

    def _say(self, message: str, error: bool = False) -> None:
        widget = self.query_one("#summary-message", Static)
        widget.update(Text(message))
        widget.set_class(error, "-error")
        widget.display = bool(message)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self._say(message)
        self._show_actions()

    @on(Button.Pressed, "#summary-close")
    def action_close_audit(self) -> None:
        view = self.view
        if view is None or self.busy:
            return
        if view.closed:
            self._say("the audit is already closed and sealed")
            return
        if view.score.unanswered:
            self._say(unanswered_message(view.score), error=True)
            return
        self._close_flow(view)

    @work(exclusive=True, group="summary-action", exit_on_error=False)
    async def _close_flow(self, view: AuditView) -> None:
        percent = "-" if view.score.percent is None else f"{view.score.percent}%"
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Close and seal this audit?\n\n{view.station_en} ({view.station_code}): score {percent}, "
                f"decision {DECISION_TEXT[view.score.decision]}.\n"
                "Once sealed, no finding can be recorded or changed.",
                yes="Close and seal",
                no="Cancel",
            )
        )
        if not confirmed:
            return
        key = await self.app.ensure_unlocked()  # type: ignore[attr-defined]
        if key is None:
            self._say("the audit stays open: the auditor's key was not unlocked", error=True)
            return
        self._set_busy(True, "Closing and sealing the audit…")
        self.readings += 1
        self._close_audit(key)

    @work(thread=True, exclusive=True, group="summary-write", exit_on_error=False)
    def _close_audit(self, key: Any) -> None:
        with self.session.audits.open(self.audit_id, writable=True, key=key) as audit:
            audit.close()
        self.post_message(self.Closed(load_view(self.session, self.audit_id)))

    def on_summary_screen_closed(self, message: Closed) -> None:
        view = message.view
        self._render_view(view)
        percent = "-" if view.score.percent is None else f"{view.score.percent}%"
        self._set_busy(False, f"audit closed and sealed: score {percent}, decision {view.score.decision.value}")

    @on(Button.Pressed, "#summary-issue")
    def action_issue_certificate(self) -> None:
        view = self.view
        if view is None or self.busy:
            return
        if not view.closed:
            self._say("close the audit first: a certificate is issued from a sealed audit", error=True)
            return
        if not view.can_issue:
            reasons = "; ".join(view.score.reasons) or view.score.decision.value
            self._say(f"no certificate can be issued: decision is {view.score.decision.value} ({reasons})", error=True)
            return
        self._issue_flow(view)

    @work(exclusive=True, group="summary-action", exit_on_error=False)
    async def _issue_flow(self, view: AuditView) -> None:
        if view.certificates:
            from inspector.certificates.psc1 import display_cert_id

            again = await self.app.push_screen_wait(
                ConfirmScreen(
                    f"Certificate {display_cert_id(view.certificates[0].stem)} was already issued from this audit.\n\n"
                    "Issue another certificate?",
                    yes="Issue another",
                    no="Cancel",
                )
            )
            if not again:
                return
        key = await self.app.ensure_unlocked()  # type: ignore[attr-defined]
        if key is None:
            self._say("no certificate issued: the auditor's key was not unlocked", error=True)
            return
        self._set_busy(True, "Signing the certificate…")
        self._issue(key)

    @work(thread=True, exclusive=True, group="summary-write", exit_on_error=False)
    def _issue(self, key: Any) -> None:
        from inspector.certificates.issue import issue_certificate

        issued = issue_certificate(self.session.data, self.audit_id, key)
        self.post_message(self.Issued(issued.record_path))

    def on_summary_screen_issued(self, message: Issued) -> None:
        from inspector.certificates.psc1 import display_cert_id

        self._set_busy(False, f"certificate {display_cert_id(message.record_path.stem)} issued")
        self._open_certificate(message.record_path)

    @on(Button.Pressed, "#summary-view")
    def action_view_certificate(self) -> None:
        if self.view is not None and self.view.certificates:
            self._open_certificate(self.view.certificates[0])

    def _open_certificate(self, path: Path) -> None:
        from inspector.tui.screens.certificate import CertificateScreen

        self.app.push_screen(CertificateScreen(self.session, path))

    @on(Button.Pressed, "#summary-back")
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()

    # -- errors -------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        message = str(error) if isinstance(error, UserError) else f"unexpected error: {error!r}"
        if event.worker.group == "summary-load" and self.view is None:
            self.query_one("#summary-station", Static).update(Text(message))
        self._set_busy(False, message)
        self._say(message, error=True)
