"""Home: the audits on this device (in progress and closed) and what to do with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from inspector.errors import UserError
from inspector.tui.messages import Problem
from inspector.tui.widgets.audit_table import AuditTable, short_decision

if TYPE_CHECKING:
    from inspector.audit.index import AuditSummary
    from inspector.tui.protocols import AppServices
    from inspector.tui.session import Session


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("n", "new_audit", "New audit", id="new-audit"),
        Binding("r", "resume", "Resume", id="resume", key_display="r/enter"),
        Binding("s", "summary", "Summary", id="summary"),
        Binding("v", "verify", "Verify", id="verify"),
        Binding("q", "app.quit", "Quit", id="home-quit"),
        Binding("ctrl+l", "app.lock", "Lock key", id="home-lock"),
        Binding("ctrl+t", "app.toggle_theme", "Theme", id="home-theme"),
    ]

    app: AppServices  # type: ignore[assignment]

    class Loaded(Message):
        """The rows of the audit index, newest first, and the Hindi names of the stations;
        ``problem`` says why the rows could not be read (then there are none)."""

        def __init__(
            self, rows: list[AuditSummary], names_hi: dict[str, str], key_line: str, problem: Problem | None = None
        ) -> None:
            super().__init__()
            self.rows = rows
            self.names_hi = names_hi
            self.key_line = key_line
            self.problem = problem

    def __init__(self, *, data_label: str | None = None) -> None:
        """``data_label``: what the header shows for the data directory (default: its path)."""
        super().__init__()
        self.data_label = data_label
        self.rows: dict[str, AuditSummary] = {}
        self.names_hi: dict[str, str] = {}
        self.key_line = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="home-key")
        yield AuditTable(id="audits")
        yield Static("Loading audits…", id="home-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.data_label if self.data_label is not None else str(self.app.session.data.root)
        self.app.key_state_signal.subscribe(self, self.key_state_changed)
        self.query_one(AuditTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- loading -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="home-load")
    def reload(self) -> None:
        session = self.app.session
        names: dict[str, str] = {}
        key_line = ""
        try:
            from inspector.audit.stations import load_registry

            names = {s.code: s.name.hi for s in load_registry(data_root=session.data.root).stations}
        except UserError:
            pass  # the registry is only needed for the Hindi names
        try:
            info = session.key_info()
            enrolled = _enrolment(session, info.kid if info else None)
            key_line = (
                f"Auditor [b]{escape(info.name)}[/b] ({escape(info.auditor_id or '')}) · key {info.kid}{enrolled}"
                if info
                else "No auditor key on this device"
            )
            rows = session.audits.list_audits()
        except Exception as exc:
            self.post_message(self.Loaded([], names, key_line, Problem.of(exc, "cannot read the audits")))
        else:
            self.post_message(self.Loaded(rows, names, key_line))

    def on_home_screen_loaded(self, message: Loaded) -> None:
        self.rows = {row.id: row for row in message.rows}
        self.names_hi = message.names_hi
        self.key_line = message.key_line
        table = self.query_one(AuditTable)
        table.show(message.rows)
        self.key_state_changed()
        if message.problem:
            self.query_one("#home-detail", Static).update(f"[b red]{escape(message.problem.error)}[/]")
        else:
            self.show_detail(table.current_id)

    def key_state_changed(self, unlocked: bool | None = None) -> None:
        """Show the key's state (subscribed to ``key_state_signal``, which gives it)."""
        if unlocked is None:
            unlocked = self.app.session.unlocked
        state = "[b green]unlocked[/]" if unlocked else "[b]locked[/] (ctrl+l to unlock)"
        self.query_one("#home-key", Static).update(f"{self.key_line} · {state}" if self.key_line else state)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(None if event.row_key.value is None else str(event.row_key.value))

    def show_detail(self, audit_id: str | None) -> None:
        detail = self.query_one("#home-detail", Static)
        row = self.rows.get(audit_id or "")
        if row is None:
            detail.update("No audits yet. Press [b]n[/b] to start one." if not self.rows else "")
            return
        done = row.progress.get("answered", 0), row.progress.get("total", 0)
        score = "no score yet" if row.score is None else f"score {row.score}%"
        hi = self.names_hi.get(row.station, "")
        what = (
            "[b]enter[/b] resume · [b]s[/b] summary"
            if row.status == "open"
            else "closed · [b]s[/b] summary and certificate"
        )
        lines = [
            f"[b]{escape(row.station)}[/b] {escape(row.station_name)} · {row.type} audit · {escape(row.checklist)}",
            escape(hi),  # Hindi on a line of its own, outside the table
            f"{done[0]} of {done[1]} answered · {score} · {row.majors} major, {row.minors} minor · {short_decision(row.decision)}",
            f"opened {_local(row.opened)} by {escape(row.auditor)} · {row.records} signed records · {what}",
        ]
        detail.update("\n".join(line for line in lines if line))

    # -- actions -----------------------------------------------------------------------------------
    def action_new_audit(self) -> None:
        from inspector.tui.screens.new_audit import NewAuditScreen

        self.app.push_screen(NewAuditScreen(), self._created)

    def _created(self, audit_id: str | None) -> None:
        if audit_id:
            self.open_walk(audit_id)

    @on(DataTable.RowSelected)
    def action_resume(self) -> None:
        audit_id = self.query_one(AuditTable).current_id
        if audit_id is None:
            self.notify("no audit selected: press n to start one", severity="warning")
            return
        self.open_walk(audit_id)

    def open_walk(self, audit_id: str) -> None:
        from inspector.tui.screens.walk import WalkScreen

        self.app.push_screen(WalkScreen(audit_id))

    def action_summary(self) -> None:
        audit_id = self.query_one(AuditTable).current_id
        if audit_id is None:
            self.notify("no audit selected", severity="warning")
            return
        try:
            from inspector.tui.screens.summary import SummaryScreen
        except ImportError:
            self.notify("the summary screen is not part of this build", severity="error")
            return
        self.app.push_screen(SummaryScreen(self.app.session, audit_id))

    def action_verify(self) -> None:
        try:
            from inspector.tui.screens.verify import VerifyScreen
        except ImportError:
            self.notify("the verify screen is not part of this build", severity="error")
            return
        self.app.push_screen(VerifyScreen(self.app.session))


def _enrolment(session: Session, kid: str | None) -> str:
    """' · enrolled' / a warning when the installed trust list does not list this key."""
    from inspector.services.auditor_key import public_pem_path

    if kid is None:
        return ""
    try:
        trustlist, _crl = session.trust_lists()
    except UserError:
        return " · [yellow]trust list unreadable[/]"
    if trustlist is None:
        return " · [yellow]no trust list installed[/]"
    if not trustlist.candidates(kid):
        pem = public_pem_path(session.data).relative_to(session.data.root)
        return f" · [yellow]not enrolled: send {escape(pem.as_posix())} to HQ[/]"
    return " · enrolled"


def _local(utc_text: str) -> str:
    from inspector.crypto.canonical import parse_time

    try:
        return parse_time(utc_text).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return utc_text
