"""The audit summary: the decision and why, scores by section (a measure), the nonconformities
with their follow-up state, the N/A share and the meetings.

From here the auditor closes the audit (confirm, unlock, then ``Audit.close`` on a worker: the
audit is sealed and read-only from then on) and, when the closed audit's decision allows it,
issues the certificate (``issue_certificate`` on a worker, then the certificate screen).

The screen reads the audit into the core's read model (``inspector.audit.views.AuditView``) on a
worker and renders only that; it never holds an open ``Audit`` (which would hold the audit's
lock). Whether the audit may be closed or a certificate issued, and the words for why not, are
the view's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from inspector.audit.decision import Decision
from inspector.audit.views import AuditView, NonconformityRow, load_view, percent_text
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.session import Session

if TYPE_CHECKING:
    from inspector.tui.protocols import AppServices

# The colour of the decision's frame: may go ahead, waits for something, or cannot as it stands.
DECISION_CLASS = {
    Decision.CERTIFY: "-certify",
    Decision.MAINTAIN: "-certify",
    Decision.STAGE2_READY: "-certify",
    Decision.INCOMPLETE: "-corrective",
    Decision.CORRECTIVE_ACTION_PENDING: "-corrective",
    Decision.STAGE1_CONCERNS: "-corrective",
    Decision.NOTHING_APPLICABLE: "-not-ready",
    Decision.NEW_STAGE2: "-not-ready",
    Decision.SUSPEND: "-not-ready",
}
# How a nonconformity's follow-up state reads on the screen.
STATE_TEXT = {
    "open": "no plan yet",
    "planned": "plan accepted",
    "closed": "verified effective",
    "not-effective": "not effective",
}


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

    app: AppServices  # type: ignore[assignment]

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

    class Failed(WorkerFailed):
        """Reading, closing or issuing failed; ``reading`` is the read it belongs to, if a read."""

        def __init__(self, problem: Problem, reading: int | None = None) -> None:
            super().__init__(problem)
            self.reading = reading

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
            yield Static("", id="summary-meetings")
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
        try:
            view = load_view(self.session.audits, self.audit_id)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot read the audit"), reading))
        else:
            self.post_message(self.Loaded(view, reading))

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
        meetings = self.query_one("#summary-meetings", Static)
        meetings.update(self._meetings_text(view))
        meetings.display = bool(view.meetings)
        sealed = self.query_one("#summary-sealed", Static)
        sealed.update(self._sealed_text(view))
        sealed.display = view.closed or bool(view.warnings)
        self._show_actions()

    @staticmethod
    def _status_text(view: AuditView) -> Text:
        result = view.score
        state = "closed and sealed" if view.closed else "open"
        share = "-" if result.na_share is None else f"{result.na_share}%"
        text = Text()
        text.append(state, "bold")
        text.append(f" · {result.answered} of {result.total} items answered · not applicable {result.na} ({share})")
        text.append(f"\nopened {view.opened[:10]}")
        if view.closed_at:
            text.append(f" · closed {view.closed_at[:10]}")
        if view.no_lockup:
            text.append(" · station without a lock-up")
        if view.waive_stage1:
            text.append(f" · stage 1 waived: {view.waive_stage1}")
        elif view.stage1:
            text.append(f" · after stage 1 {view.stage1[:12]}")
        text.append(f"\nAuditor {view.auditor} · checklist {view.checklist}")
        return text

    def _render_decision(self, view: AuditView) -> None:
        verdict = view.verdict
        widget = self.query_one("#summary-decision", Static)
        text = Text()
        text.append("Decision: ", "bold")
        text.append(verdict.text, "bold")
        if not view.closed and verdict.code is not Decision.INCOMPLETE:
            text.append(" (provisional: open)")
        for reason in verdict.reasons:
            text.append(f"\n  - {reason.message}")
        for warning in verdict.warnings:
            text.append(f"\n  ! {warning.message}", "italic")
        if not verdict.reasons and verdict.code is Decision.CERTIFY:
            text.append("\n  every nonconformity is answered as the rules require")
        widget.update(text)
        for cls in set(DECISION_CLASS.values()):
            widget.remove_class(cls)
        widget.add_class(DECISION_CLASS[verdict.code])
        score = view.score.percent
        widget.border_title = f"Score {score}% (a measure)" if score is not None else "Score -"

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
            text.append("\n")
            text.append(f"{row.item:<7} {row.status:<5}", "bold")
            text.append(f" {STATE_TEXT.get(row.state, row.state)}", _state_style(row))
            text.append(f" · clause {', '.join(row.clauses)} · {_due_text(row)}")
            text.append(f"\n        {row.question}", "dim")
            if row.note:
                text.append(f"\n        {row.note}")
            if row.reason:
                text.append(f"\n        graded minor because: {row.reason}")
            if row.plan is not None:
                text.append(f"\n        plan: {row.plan.action} (owner {row.plan.owner}, due {row.plan.due})")
            if row.verification is not None:
                check = row.verification
                text.append(f"\n        verified {check.result} ({check.method}, {check.time[:10]}): {check.note}")
        return text

    @staticmethod
    def _meetings_text(view: AuditView) -> Text:
        text = Text()
        text.append("Meetings", "bold")
        for meeting in view.meetings:
            text.append(f"\n{meeting.kind} {meeting.time[:10]}: ", "bold")
            text.append("; ".join(meeting.attendees))
            if meeting.acknowledged_by:
                text.append(f"\n        findings acknowledged by {meeting.acknowledged_by}")
            if meeting.cap_deadline:
                text.append(f"\n        corrective-action plans due by {meeting.cap_deadline}")
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
            return view is not None and view.may_issue
        if action == "view_certificate":
            return view is not None and bool(view.certificates)
        return True

    def _show_actions(self) -> None:
        view = self.view
        self.query_one("#summary-close", Button).display = bool(view and not view.closed)
        self.query_one("#summary-issue", Button).display = bool(view and view.may_issue)
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
        refusal = view.close_refusal
        if refusal is not None:
            self._say(refusal, error=not view.closed)
            return
        self._close_flow(view)

    @work(exclusive=True, group="summary-action", exit_on_error=False)
    async def _close_flow(self, view: AuditView) -> None:
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(
                f"Close and seal this audit?\n\n{view.station_en} ({view.station_code}): score {percent_text(view.score)}, "
                f"decision {view.decision_text}.\n"
                "Once sealed, no finding can be recorded or changed; "
                "corrective-action plans and their verification can still be added.",
                yes="Close and seal",
                no="Cancel",
            )
        )
        if not confirmed:
            return
        key = await self.app.ensure_unlocked()
        if key is None:
            self._say("the audit stays open: the auditor's key was not unlocked", error=True)
            return
        self._set_busy(True, "Closing and sealing the audit…")
        self.readings += 1
        self._close_audit(key)

    @work(thread=True, exclusive=True, group="summary-write", exit_on_error=False)
    def _close_audit(self, key: Any) -> None:
        try:
            with self.session.audits.open(self.audit_id, writable=True, key=key) as audit:
                audit.close()
            view = load_view(self.session.audits, self.audit_id)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot close the audit")))
        else:
            self.post_message(self.Closed(view))

    def on_summary_screen_closed(self, message: Closed) -> None:
        view = message.view
        self._render_view(view)
        self._set_busy(False, f"audit closed and sealed: decision {view.verdict.text}")

    @on(Button.Pressed, "#summary-issue")
    def action_issue_certificate(self) -> None:
        view = self.view
        if view is None or self.busy:
            return
        refusal = view.issue_refusal
        if refusal is not None:
            self._say(refusal, error=True)
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
        key = await self.app.ensure_unlocked()
        if key is None:
            self._say("no certificate issued: the auditor's key was not unlocked", error=True)
            return
        self._set_busy(True, "Signing the certificate…")
        self._issue(key)

    @work(thread=True, exclusive=True, group="summary-write", exit_on_error=False)
    def _issue(self, key: Any) -> None:
        from inspector.certificates.issue import issue_certificate

        try:
            issued = issue_certificate(self.session.data, self.audit_id, key)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot issue the certificate")))
        else:
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
    def on_summary_screen_failed(self, message: Failed) -> None:
        if message.reading is not None:
            if message.reading != self.readings:
                return  # an older read: a newer one is on its way
            if self.view is None:
                self.query_one("#summary-station", Static).update(Text(message.error))
        self._set_busy(False, message.error)
        self._say(message.error, error=True)


def _due_text(row: NonconformityRow) -> str:
    if row.state == "closed":
        return "closed"
    return f"due {row.due}" if row.due else "plan due once the audit is closed"


def _state_style(row: NonconformityRow) -> str:
    return {"closed": "green", "planned": "", "open": "yellow", "not-effective": "bold red"}.get(row.state, "")
