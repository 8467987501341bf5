"""Home: the audits on this device (in progress and closed) and what to do with them.

The table tells audits of one station apart (type, day opened, progress, state); the lines
below give the highlighted audit in full, with the state of its follow-up (read on a worker:
how many nonconformities have no plan yet, a plan, an effective verification). Every word comes
from ``inspector/tui/words/home.py``, in the session's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from inspector.errors import UserError
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem
from inspector.tui.widgets.audit_table import AuditTable, in_progress, local_time, long_decision, type_of
from inspector.tui.words.home import WORDS

if TYPE_CHECKING:
    from inspector.audit.index import AuditSummary
    from inspector.tui.protocols import AppServices
    from inspector.tui.session import Session


@dataclass(frozen=True)
class KeyFacts:
    """Whose key is on this laptop, as data: words are chosen when shown."""

    name: str | None = None
    auditor_id: str = ""
    kid: str = ""
    enrolment: str = ""
    """'' (no key), "enrolled", "trust_unreadable", "no_trustlist" or "not_enrolled"."""
    pem: str = ""


@dataclass(frozen=True)
class FollowUpCounts:
    open: int = 0
    planned: int = 0
    closed: int = 0
    not_effective: int = 0

    @property
    def total(self) -> int:
        return self.open + self.planned + self.closed + self.not_effective


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("n", "new_audit", "New audit", id="new-audit"),
        Binding("r", "resume", "Resume", id="resume", key_display="r/enter"),
        Binding("s", "summary", "Summary", id="summary"),
        Binding("v", "verify", "Verify", id="verify"),
        Binding("q", "app.quit", "Quit", id="home-quit"),
        # Short words and the theme out of the footer: at 80 columns it must not be cut.
        Binding("ctrl+l", "app.lock", "Lock", id="home-lock"),
        Binding("ctrl+t", "app.toggle_theme", "Theme", id="home-theme", show=False),
    ]

    app: AppServices  # type: ignore[assignment]

    class Loaded(Message):
        """The rows of the audit index, newest first, and the Hindi names of the stations;
        ``problem`` says why the rows could not be read (then there are none)."""

        def __init__(
            self, rows: list[AuditSummary], names_hi: dict[str, str], key: KeyFacts, problem: Problem | None = None
        ) -> None:
            super().__init__()
            self.rows = rows
            self.names_hi = names_hi
            self.key = key
            self.problem = problem

    class FollowUpRead(Message):
        """The follow-up state of ``audit_id`` (None when its view could not be read)."""

        def __init__(self, audit_id: str, counts: FollowUpCounts | None) -> None:
            super().__init__()
            self.audit_id = audit_id
            self.counts = counts

    def __init__(self, *, data_label: str | None = None) -> None:
        """``data_label``: what the header shows for the data directory (default: its path)."""
        super().__init__()
        self.data_label = data_label
        self.rows: dict[str, AuditSummary] = {}
        self.names_hi: dict[str, str] = {}
        self.key = KeyFacts()
        self.follow_ups: dict[str, FollowUpCounts | None] = {}
        self.problem: Problem | None = None
        self.loaded = False

    @property
    def lang(self) -> str:
        return self.app.session.lang

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="home-key")
        yield AuditTable(id="audits", lang=self.lang)
        yield Static(WORDS(self.lang, "loading"), id="home-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.data_label if self.data_label is not None else str(self.app.session.data.root)
        self.app.key_state_signal.subscribe(self, self.key_state_changed)
        self.app.language_signal.subscribe(self, self._on_language)
        translate_bindings(self, WORDS, self.lang)
        self.query_one(AuditTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.follow_ups.clear()  # the walk or the summary may have recorded follow-up
        self.reload()

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        translate_bindings(self, WORDS, lang)
        self.query_one(AuditTable).set_language(lang)
        self.key_state_changed()
        if self.loaded:
            self._show_detail_or_problem()
        else:
            self.query_one("#home-detail", Static).update(WORDS(lang, "loading"))

    # -- loading -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="home-load")
    def reload(self) -> None:
        session = self.app.session
        names: dict[str, str] = {}
        key = KeyFacts()
        try:
            from inspector.audit.stations import load_registry

            names = {s.code: s.name.hi for s in load_registry(data_root=session.data.root).stations}
        except UserError:
            pass  # the registry is only needed for the Hindi names
        try:
            info = session.key_info()
            if info is not None:
                enrolment, pem = _enrolment(session, info.kid)
                key = KeyFacts(info.name, info.auditor_id or "", info.kid, enrolment, pem)
            rows = session.audits.list_audits()
        except Exception as exc:
            self.post_message(self.Loaded([], names, key, Problem.of(exc, WORDS(self.lang, "cannot_read"))))
        else:
            self.post_message(self.Loaded(rows, names, key))

    def on_home_screen_loaded(self, message: Loaded) -> None:
        self.loaded = True
        self.rows = {row.id: row for row in message.rows}
        self.names_hi = message.names_hi
        self.key = message.key
        self.problem = message.problem
        self.query_one(AuditTable).show(message.rows)
        self.key_state_changed()
        self._show_detail_or_problem()

    def _show_detail_or_problem(self) -> None:
        if self.problem:
            self.query_one("#home-detail", Static).update(f"[b red]{escape(self.problem.error)}[/]")
        else:
            self.show_detail(self.query_one(AuditTable).current_id)

    def key_line(self, lang: str) -> str:
        key = self.key
        if key.name is None:
            return WORDS(lang, "no_key")
        line = WORDS(lang, "auditor", name=f"[b]{escape(key.name)}[/b]", auditor_id=escape(key.auditor_id), kid=key.kid)
        if key.enrolment == "enrolled":
            return f"{line} · {WORDS(lang, 'enrolled')}"
        if key.enrolment:
            return f"{line} · [yellow]{WORDS(lang, key.enrolment, pem=escape(key.pem))}[/]"
        return line

    def key_state_changed(self, unlocked: bool | None = None) -> None:
        """Show the key's state (subscribed to ``key_state_signal``, which gives it)."""
        if unlocked is None:
            unlocked = self.app.session.unlocked
        lang = self.lang
        state = f"[b green]{WORDS(lang, 'unlocked')}[/]" if unlocked else f"[b]{WORDS(lang, 'locked')}[/]"
        line = self.key_line(lang) if self.loaded else ""
        self.query_one("#home-key", Static).update(f"{line} · {state}" if line else state)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(None if event.row_key.value is None else str(event.row_key.value))

    def show_detail(self, audit_id: str | None) -> None:
        detail = self.query_one("#home-detail", Static)
        row = self.rows.get(audit_id or "")
        if row is None:
            detail.update(WORDS(self.lang, "no_audits") if not self.rows else "")
            return
        detail.update("\n".join(line for line in self.detail_lines(row, self.lang) if line))
        if row.id not in self.follow_ups and (row.majors or row.minors):
            self.read_follow_up(row.id)

    def detail_lines(self, row: AuditSummary, lang: str) -> list[str]:
        answered, total = row.progress.get("answered", 0), row.progress.get("total", 0)
        score = WORDS(lang, "no_score") if row.score is None else WORDS(lang, "score", score=row.score)
        if in_progress(row):
            decision = WORDS(lang, "decl:in_progress", left=total - answered)
        else:
            decision = long_decision(row.decision, lang)
        when = (
            WORDS(lang, "detail_open", opened=local_time(row.opened), auditor=escape(row.auditor), records=row.records)
            if row.status == "open"
            else WORDS(
                lang,
                "detail_closed",
                opened=local_time(row.opened),
                closed=local_time(row.closed or ""),
                auditor=escape(row.auditor),
                records=row.records,
            )
        )
        return [
            WORDS(
                lang,
                "detail_what",
                code=f"[b]{escape(row.station)}[/b]",
                name=escape(row.station_name),
                type=type_of(row.type, lang, long=True),
                checklist=escape(row.checklist),
            ),
            escape(self.names_hi.get(row.station, "")),  # Hindi on a line of its own, outside the table
            WORDS(
                lang,
                "detail_progress",
                answered=answered,
                total=total,
                score=score,
                majors=row.majors,
                minors=row.minors,
            ),
            WORDS(lang, "detail_decision", decision=f"[b]{decision}[/b]"),
            self.follow_up_line(row, lang),
            when,
        ]

    def follow_up_line(self, row: AuditSummary, lang: str) -> str:
        if not (row.majors or row.minors):
            return WORDS(lang, "followup_none")
        if row.id not in self.follow_ups:
            return WORDS(lang, "followup_loading")
        counts = self.follow_ups[row.id]
        if counts is None:
            return ""
        if not counts.total:
            return WORDS(lang, "followup_none")
        bad = WORDS(lang, "followup_bad", count=counts.not_effective) if counts.not_effective else ""
        return WORDS(lang, "followup", open=counts.open, planned=counts.planned, closed=counts.closed, bad=bad)

    @work(thread=True, exit_on_error=False, group="home-follow-up")
    def read_follow_up(self, audit_id: str) -> None:
        from inspector.audit.views import load_view

        try:
            view = load_view(self.app.session.audits, audit_id)
        except Exception:
            self.post_message(self.FollowUpRead(audit_id, None))  # the summary says why
            return
        states = [nc.state for nc in view.nonconformities]
        counts = FollowUpCounts(
            open=states.count("open"),
            planned=states.count("planned"),
            closed=states.count("closed"),
            not_effective=states.count("not-effective"),
        )
        self.post_message(self.FollowUpRead(audit_id, counts))

    def on_home_screen_follow_up_read(self, message: FollowUpRead) -> None:
        self.follow_ups[message.audit_id] = message.counts
        if self.query_one(AuditTable).current_id == message.audit_id:
            self.show_detail(message.audit_id)

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
            self.notify(WORDS(self.lang, "no_selected"), severity="warning")
            return
        self.open_walk(audit_id)

    def open_walk(self, audit_id: str) -> None:
        from inspector.tui.screens.walk import WalkScreen

        self.app.push_screen(WalkScreen(audit_id))

    def action_summary(self) -> None:
        audit_id = self.query_one(AuditTable).current_id
        if audit_id is None:
            self.notify(WORDS(self.lang, "no_selected_summary"), severity="warning")
            return
        try:
            from inspector.tui.screens.summary import SummaryScreen
        except ImportError:
            self.notify(WORDS(self.lang, "no_summary"), severity="error")
            return
        self.app.push_screen(SummaryScreen(self.app.session, audit_id))

    def action_verify(self) -> None:
        try:
            from inspector.tui.screens.verify import VerifyScreen
        except ImportError:
            self.notify(WORDS(self.lang, "no_verify"), severity="error")
            return
        self.app.push_screen(VerifyScreen(self.app.session))


def _enrolment(session: Session, kid: str) -> tuple[str, str]:
    """Whether the installed trust list lists this key: (catalogue key, the PEM's path)."""
    from inspector.services.auditor_key import public_pem_path

    try:
        trustlist, _crl = session.trust_lists()
    except UserError:
        return "trust_unreadable", ""
    if trustlist is None:
        return "no_trustlist", ""
    if not trustlist.candidates(kid):
        return "not_enrolled", public_pem_path(session.data).relative_to(session.data.root).as_posix()
    return "enrolled", ""
