"""The audit summary: the decision and why, scores by section (a measure), the nonconformities
with their follow-up state, the N/A share, the meetings, and what to do next.

From here the auditor closes the audit (confirm, unlock, then ``Audit.close`` on a worker: the
audit is sealed and read-only from then on), records the opening or closing meeting (the meeting
screen) and the nonconformities' corrective-action plans and their verification (the follow-up
screen, ``p``), writes the audit report (``inspector.reports.write_report`` on a worker, into
``<data>/reports/<audit12>/``), opens the hand-over screen (bundle, report to a chosen folder,
trust lists, public key) and, when the closed audit's decision allows it, issues the certificate
(``issue_certificate`` on a worker, then the certificate screen). A certificate already issued
from the audit is offered for viewing instead of signing another.

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
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.session import Session
from inspector.tui.words.summary import WORDS

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
# The catalogue key of a nonconformity's follow-up state as the screen reads it.
STATE_KEY = {
    "open": "nc_open",
    "planned": "nc_planned",
    "closed": "nc_closed",
    "not-effective": "nc_not_effective",
}
# The catalogue keys of a verification's result and method (codes in the record).
RESULT_KEY = {"effective": "result_effective", "not-effective": "result_not_effective"}
METHOD_KEY = {"on-site": "method_on_site", "document": "method_document"}
# What the issue action is refused with when the audit already has its certificate (the core's code).
ALREADY_ISSUED = "already-issued"
REPORTS_DIR = "reports"  # <data>/reports/<audit12>/: where the summary's report action writes


def report_dir(session: Session, audit_id: str) -> Path:
    """The default folder of an audit's report: ``<data dir>/reports/<first 12 of the id>/``."""
    return session.data.root / REPORTS_DIR / audit_id[:12]


class SummaryScreen(Screen[None]):
    """Scores, nonconformities and decision of one audit; close it; issue its certificate."""

    CSS_PATH = "summary.tcss"
    TITLE = "Audit summary"
    AUTO_FOCUS = "#summary-body"
    BINDINGS = [
        Binding("escape", "back", "Back", id="summary-back"),
        # Short descriptions: with every action offered the footer still fits 80 columns.
        Binding("c", "close_audit", "Close", id="summary-close"),
        Binding("i", "issue_certificate", "Issue", id="summary-issue"),
        Binding("v", "view_certificate", "Cert.", id="summary-view"),
        Binding("m", "meeting", "Meeting", id="summary-meeting"),
        # Shown only while the audit has nonconformities; a key, not a button: the buttons fill 80 columns.
        Binding("p", "followup", "Follow-up", id="summary-followup"),
        Binding("r", "report", "Report", id="summary-report"),
        Binding("h", "handover", "Hand-over", id="summary-handover"),
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

    class Reported(Message):
        def __init__(self, paths: dict[str, str]) -> None:
            super().__init__()
            self.paths = paths

    class Failed(WorkerFailed):
        """Reading, closing, issuing or the report failed; ``reading`` is the read it belongs to, if a read."""

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
        self.reported: dict[str, str] = {}  # format -> path of the last report written from here

    @property
    def lang(self) -> str:
        return self.session.lang

    def words(self, key: str, /, **fields: object) -> str:
        return WORDS(self.lang, key, **fields)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-body"):
            yield Static(self.words("reading"), id="summary-station")
            yield Static("", id="summary-station-hi")
            yield Static("", id="summary-status")
            yield Static("", id="summary-decision")
            yield Static("", id="summary-next")
            yield Static("", id="summary-scores")
            yield Static("", id="summary-ncs")
            yield Static("", id="summary-meetings")
            yield Static("", id="summary-sealed")
        yield Static("", id="summary-message")
        with Horizontal(id="summary-actions"):
            yield Button("", id="summary-close", compact=True)
            yield Button("", id="summary-issue", variant="success", compact=True)
            yield Button("", id="summary-view", compact=True)
            yield Button("", id="summary-meeting", compact=True)
            yield Button("", id="summary-report", compact=True)
            yield Button("", id="summary-handover", compact=True)
            yield Button("", id="summary-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.audit_id[:12]
        self._label_buttons()
        self._show_actions()
        self.app.language_signal.subscribe(self, self._on_language)

    def _on_language(self, _lang: str) -> None:
        self.title = self.words("title")
        self._label_buttons()
        if self.view is not None:
            self._render_view(self.view)

    def _label_buttons(self) -> None:
        self.title = self.words("title")
        translate_bindings(self, WORDS, self.app.session.lang)
        for name in ("close", "issue", "view", "meeting", "report", "handover", "back"):
            self.query_one(f"#summary-{name}", Button).label = self.words(f"btn_{name}")

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
        kind = self.words(f"type_{view.audit_type}") if f"type_{view.audit_type}" in WORDS else view.audit_type
        self.query_one("#summary-station", Static).update(
            Text.assemble((view.station_en, "bold"), self.words("station_rest", code=view.station_code, type=kind))
        )
        self.query_one("#summary-station-hi", Static).update(Text(view.station_hi))
        self.query_one("#summary-status", Static).update(self._status_text(view))
        self._render_decision(view)
        self.query_one("#summary-next", Static).update(self._next_text(view))
        self.query_one("#summary-scores", Static).update(self._scores_table(view))
        self.query_one("#summary-ncs", Static).update(self._nonconformities_text(view))
        meetings = self.query_one("#summary-meetings", Static)
        meetings.update(self._meetings_text(view))
        meetings.display = bool(view.meetings)
        sealed = self.query_one("#summary-sealed", Static)
        sealed.update(self._sealed_text(view))
        sealed.display = view.closed or bool(view.warnings)
        self._show_actions()

    def _status_text(self, view: AuditView) -> Text:
        w = self.words
        result = view.score
        share = "-" if result.na_share is None else f"{result.na_share}%"
        text = Text()
        text.append(w("state_closed") if view.closed else w("state_open"), "bold")
        text.append(w("answered", answered=result.answered, total=result.total, na=result.na, share=share))
        text.append("\n" + w("opened", date=view.opened[:10]))
        if view.closed_at:
            text.append(w("closed_on", date=view.closed_at[:10]))
        if view.no_lockup:
            text.append(w("no_lockup"))
        if view.waive_stage1:
            text.append(w("stage1_waived", reason=view.waive_stage1))
        elif view.stage1:
            text.append(w("after_stage1", audit=view.stage1[:12]))
        text.append("\n" + w("auditor_line", auditor=view.auditor, checklist=view.checklist))
        return text

    def _render_decision(self, view: AuditView) -> None:
        verdict = view.verdict
        widget = self.query_one("#summary-decision", Static)
        text = Text()
        text.append(self.words("decision"), "bold")
        text.append(verdict.text_in(self.lang), "bold")
        if not view.closed and verdict.code is not Decision.INCOMPLETE:
            text.append(self.words("provisional"))
        for reason in verdict.reasons:
            text.append(f"\n  - {reason.text_in(self.lang)}")
        for warning in verdict.warnings:
            text.append(f"\n  ! {warning.text_in(self.lang)}", "italic")
        if not verdict.reasons and verdict.code is Decision.CERTIFY:
            text.append("\n  " + self.words("all_answered"))
        widget.update(text)
        for cls in set(DECISION_CLASS.values()):
            widget.remove_class(cls)
        widget.add_class(DECISION_CLASS[verdict.code])
        score = view.score.percent
        widget.border_title = (
            self.words("score_title", percent=score) if score is not None else self.words("score_none")
        )

    def next_steps(self, view: AuditView) -> list[str]:
        """What the auditor does next with this audit, in order (the catalogue's words)."""
        w = self.words
        steps: list[str] = []
        kinds = {meeting.kind for meeting in view.meetings}
        if not view.closed:
            if not kinds:
                steps.append(w("next_opening"))
            if view.may_close:
                steps.append(w("next_close"))
            return steps
        if "closing" not in kinds:
            steps.append(w("next_closing_meeting"))
        pending = view.open_nonconformities
        # A plan found not effective needs a new plan, not another verification.
        no_plan = [nc for nc in pending if nc.plan is None or nc.state == "not-effective"]
        if no_plan:
            deadlines = sorted(nc.plan_deadline for nc in no_plan if nc.plan_deadline)
            deadline = w("next_deadline", date=deadlines[0]) if deadlines else ""
            steps.append(w("next_plans", count=len(no_plan), deadline=deadline))
        if len(no_plan) < len(pending):
            steps.append(w("next_verify", count=len(pending) - len(no_plan)))
        if view.may_issue and not view.certificates:
            steps.append(w("next_issue"))
        steps.append(w("next_handover"))
        return steps

    def _next_text(self, view: AuditView) -> Table:
        steps = self.next_steps(view)
        self.query_one("#summary-next", Static).display = bool(steps)
        return hanging(Text(self.words("next"), "bold"), [("  →", Text(step)) for step in steps])

    def _scores_table(self, view: AuditView) -> Table:
        w = self.words
        result = view.score
        table = Table(box=None, pad_edge=False, padding=(0, 1), expand=False, show_edge=False, header_style="bold")
        # Numbers keep their full headers; only the title gives way on a narrow terminal.
        table.add_column(w("col_section"), no_wrap=True, min_width=7)
        table.add_column(w("col_score"), justify="right", no_wrap=True, min_width=5)
        table.add_column(w("col_answered"), justify="right", no_wrap=True, min_width=8)
        table.add_column(w("col_major"), justify="right", no_wrap=True, min_width=5)
        table.add_column(w("col_minor"), justify="right", no_wrap=True, min_width=5)
        table.add_column(w("col_title"), overflow="ellipsis", no_wrap=True)
        for section in result.sections:
            percent = "-" if section.percent is None else f"{section.percent}%"
            table.add_row(
                section.section_id,
                percent,
                f"{section.answered}/{section.total}",
                str(section.majors),
                str(section.minors),
                (view.section_titles_hi if self.app.session.lang == "hi" else view.section_titles).get(
                    section.section_id, view.section_titles.get(section.section_id, "")
                ),
            )
        overall = "-" if result.percent is None else f"{result.percent}%"
        table.add_row(
            Text(w("overall"), "bold"),
            Text(overall, "bold"),
            f"{result.answered}/{result.total}",
            str(result.majors),
            str(result.minors),
            w("observations", count=result.observations),
        )
        return table

    def _nonconformities_text(self, view: AuditView) -> Table:
        """One block per nonconformity; its question, note, plan and verification are indented
        under it, and stay indented when they wrap (a Rich Text wraps to column 0)."""
        w = self.words
        rows = view.nonconformities
        outer = Table.grid(expand=True)
        outer.add_column(ratio=1)
        outer.add_row(Text(w("ncs_title", count=len(rows)), "bold"))
        if not rows:
            outer.add_row(Text("  " + w("ncs_none")))
        for row in rows:
            head = Text()
            head.append(f"{row.item:<7} {row.status:<5}", "bold")
            state = w(STATE_KEY[row.state]) if row.state in STATE_KEY else row.state
            head.append(f" {state}", _state_style(row))
            head.append(w("clause", clauses=", ".join(row.clauses)) + self._due_text(row))
            lines = [Text(row.question, "dim")]
            if row.note:
                lines.append(Text(row.note))
            if row.reason:
                lines.append(Text(w("graded_minor", reason=row.reason)))
            if row.plan is not None:
                plan = row.plan
                lines.append(Text(w("plan", action=plan.action, owner=plan.owner, due=plan.due)))
            if row.verification is not None:
                check = row.verification
                result = w(RESULT_KEY[check.result]) if check.result in RESULT_KEY else check.result
                method = w(METHOD_KEY[check.method]) if check.method in METHOD_KEY else check.method
                lines.append(Text(w("verified", result=result, method=method, date=check.time[:10], note=check.note)))
            outer.add_row(hanging(head, [("", line) for line in lines], indent=8))
        return outer

    def _due_text(self, row: NonconformityRow) -> str:
        if row.state == "closed":
            return self.words("due_closed")
        return self.words("due_on", date=row.due) if row.due else self.words("due_after_close")

    def _meetings_text(self, view: AuditView) -> Text:
        w = self.words
        text = Text()
        text.append(w("meetings"), "bold")
        for meeting in view.meetings:
            kind = w(f"kind_{meeting.kind}") if f"kind_{meeting.kind}" in WORDS else meeting.kind
            text.append(f"\n{kind} {meeting.time[:10]}: ", "bold")
            text.append("; ".join(meeting.attendees))
            if meeting.acknowledged_by:
                text.append("\n        " + w("acknowledged", name=meeting.acknowledged_by))
            if meeting.cap_deadline:
                text.append("\n        " + w("cap_deadline", date=meeting.cap_deadline))
        return text

    def _sealed_text(self, view: AuditView) -> Text:
        w = self.words
        text = Text()
        if view.findings_root:
            text.append(w("sealed"), "bold")
            text.append(w("sealed_rest", root=view.findings_root[:32]))
        if view.certificates:
            from inspector.certificates.psc1 import display_cert_id

            ids = ", ".join(display_cert_id(path.stem) for path in view.certificates)
            text.append("\n" + w("certs_issued", ids=ids))
        for warning in view.warnings:
            text.append("\n" + w("warning", text=warning))
        return text

    # -- actions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if action == "close_audit":
            return view is not None and not view.closed
        if action == "issue_certificate":
            # Once issued, ``v`` stands for the certificate (as the buttons do): the footer keeps
            # room for the hand-over at 80 columns.
            return view is not None and view.may_issue and not view.certificates
        if action == "view_certificate":
            return view is not None and bool(view.certificates)
        if action in ("meeting", "report", "handover"):
            return view is not None
        if action == "followup":
            return view is not None and bool(view.nonconformities)
        return True

    def _show_actions(self) -> None:
        view = self.view
        self.query_one("#summary-close", Button).display = bool(view and not view.closed)
        # With a certificate issued, the issue key offers that certificate: one button is enough.
        self.query_one("#summary-issue", Button).display = bool(view and view.may_issue and not view.certificates)
        self.query_one("#summary-view", Button).display = bool(view and view.certificates)
        for name in ("meeting", "report", "handover"):
            self.query_one(f"#summary-{name}", Button).display = view is not None
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
        w = self.words
        confirmed = await self.app.push_screen_wait(
            ConfirmScreen(
                w(
                    "confirm_close",
                    station=view.station_en,
                    code=view.station_code,
                    score=percent_text(view.score),
                    decision=view.verdict.text_in(self.lang),
                ),
                yes=w("confirm_close_yes"),
                no=w("cancel"),
            )
        )
        if not confirmed:
            return
        key = await self.app.ensure_unlocked()
        if key is None:
            self._say(w("stays_open"), error=True)
            return
        self._set_busy(True, w("closing"))
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
        self._set_busy(False, self.words("closed", decision=view.verdict.text_in(self.lang)))

    @on(Button.Pressed, "#summary-issue")
    def action_issue_certificate(self) -> None:
        view = self.view
        if view is None or self.busy:
            return
        if view.certificates:
            self._offer_issued(view.certificates[0])
            return
        refusal = view.issue_refusal
        if refusal is not None:
            self._say(refusal, error=True)
            return
        self._issue_flow()

    @work(exclusive=True, group="summary-action", exit_on_error=False)
    async def _offer_issued(self, path: Path | None) -> None:
        """One certificate per audit: offer the one issued (``path``, or the newest on record)."""
        from inspector.certificates.psc1 import display_cert_id

        if path is None:
            found = sorted(
                (self.session.data.audit_dir(self.audit_id) / "certificates").glob("*.json"),
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            if not found:
                return
            path = found[0]
        view_it = await self.app.push_screen_wait(
            ConfirmScreen(
                self.words("already_issued", cert=display_cert_id(path.stem)),
                yes=self.words("view_yes"),
                no=self.words("cancel"),
            )
        )
        if view_it:
            self._open_certificate(path)

    @work(exclusive=True, group="summary-action", exit_on_error=False)
    async def _issue_flow(self) -> None:
        key = await self.app.ensure_unlocked()
        if key is None:
            self._say(self.words("not_issued"), error=True)
            return
        self._set_busy(True, self.words("signing"))
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

        self._set_busy(False, self.words("issued", cert=display_cert_id(message.record_path.stem)))
        self._open_certificate(message.record_path)

    @on(Button.Pressed, "#summary-view")
    def action_view_certificate(self) -> None:
        if self.view is not None and self.view.certificates:
            self._open_certificate(self.view.certificates[0])

    def _open_certificate(self, path: Path) -> None:
        from inspector.tui.screens.certificate import CertificateScreen

        self.app.push_screen(CertificateScreen(self.session, path))

    @on(Button.Pressed, "#summary-meeting")
    def action_meeting(self) -> None:
        if self.view is None or self.busy:
            return
        from inspector.tui.screens.meeting import MeetingScreen

        self.app.push_screen(MeetingScreen(self.session, self.view.audit_id))

    def action_followup(self) -> None:
        view = self.view
        if view is None or self.busy or not view.nonconformities:
            return
        from inspector.tui.screens.followup import FollowUpScreen

        self.app.push_screen(FollowUpScreen(self.session, view.audit_id))

    @on(Button.Pressed, "#summary-handover")
    def action_handover(self) -> None:
        if self.view is None or self.busy:
            return
        from inspector.tui.screens.handover import HandoverScreen

        self.app.push_screen(HandoverScreen(self.session, self.view.audit_id))

    @on(Button.Pressed, "#summary-report")
    def action_report(self) -> None:
        view = self.view
        if view is None or self.busy:
            return
        from inspector.tui.widgets.folder_picker import shown_path

        folder = report_dir(self.session, view.audit_id)
        self._set_busy(True, self.words("reporting", folder=shown_path(folder)))
        self._write_report(view.audit_id, folder)

    @work(thread=True, exclusive=True, group="summary-write", exit_on_error=False)
    def _write_report(self, audit_id: str, folder: Path) -> None:
        from inspector.reports import write_report

        try:
            paths = write_report(self.session.audits, audit_id, folder)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot write the report")))
        else:
            self.post_message(self.Reported(paths))

    def on_summary_screen_reported(self, message: Reported) -> None:
        self.reported = message.paths
        from inspector.tui.screens.handover import report_line

        self._set_busy(False, report_line(self.words, message.paths))

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
        if message.code == ALREADY_ISSUED:
            # Another window issued it meanwhile: read the audit again and offer that certificate.
            self.readings += 1
            self._load(self.readings)
            self._offer_issued(None)


def _state_style(row: NonconformityRow) -> str:
    return {"closed": "green", "planned": "", "open": "yellow", "not-effective": "bold red"}.get(row.state, "")


def hanging(head: Text, rows: list[tuple[str, Text]], indent: int = 4) -> Table:
    """``head`` over ``rows`` of (marker, text), each text ``indent`` columns in, in a column of
    its own so that its wrapped lines stay under its first word rather than at column 0."""
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))  # one space after the marker
    grid.add_column(width=indent - 1, no_wrap=True)
    grid.add_column(ratio=1)
    for marker, text in rows:
        grid.add_row(marker, text)
    outer = Table.grid(expand=True)
    outer.add_column(ratio=1)
    outer.add_row(head)
    if rows:
        outer.add_row(grid)
    return outer
