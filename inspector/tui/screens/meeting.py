"""The opening and closing meetings of one audit: who attended, who received the findings, a note.

A thin shell over ``Audit.meeting`` (``inspector.audit.followup_writer``), as ``inspector audit
meeting`` is: the fields are checked by the core's ``meeting_fields`` against the audit read
read-only first, so a mistake is one line before any passphrase is asked; then the key is
unlocked, the audit opened writable with it and the record signed into the chain (a worker).
Meetings may be recorded before or after the audit is closed; the core says when they may not
(an interrupted close). The closing meeting's record carries the corrective-action plans'
deadline, which the core computes from the checklist's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, RadioButton, RadioSet, Static, TextArea

from inspector.audit.views import AuditView
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import WorkerFailed
from inspector.tui.screens.signed_form import SignedFormScreen
from inspector.tui.session import Session
from inspector.tui.words.meeting import WORDS

if TYPE_CHECKING:
    from inspector.audit.records import MeetingRecord


@dataclass(frozen=True)
class MeetingInput:
    """The meeting as the auditor typed it (the core checks it)."""

    kind: str
    attendees: tuple[str, ...]
    acknowledged_by: str | None
    note: str | None


class MeetingScreen(SignedFormScreen):
    """Record the opening or closing meeting of an audit as a signed record."""

    CSS_PATH = "meeting.tcss"
    WORDS = WORDS
    PREFIX = "meeting"
    RECORD_FAILED = "cannot record the meeting"
    TITLE = "Meeting"
    AUTO_FOCUS = "#meeting-attendees"
    BINDINGS = [
        Binding("escape", "back", "Back", id="meeting-back"),
        Binding("ctrl+s", "record", "Record and sign", id="meeting-record", priority=True),
    ]

    class Loaded(Message):
        def __init__(self, view: AuditView) -> None:
            super().__init__()
            self.view = view

    class Recorded(Message):
        def __init__(self, record: MeetingRecord, view: AuditView) -> None:
            super().__init__()
            self.record = record
            self.view = view

    class Failed(WorkerFailed):
        """Reading the audit, checking the fields or signing the record failed."""

    def __init__(self, session: Session, audit_id: str, kind: str | None = None) -> None:
        super().__init__(session, audit_id)
        self.kind = kind  # None: chosen from the audit once read (closing once closed or opened)
        self.last_record: MeetingRecord | None = None

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="meeting-body"):
            yield Static(self.words("reading"), id="meeting-station")
            yield Static("", id="meeting-recorded")
            yield Static("", id="meeting-kind-label", classes="label")
            with RadioSet(id="meeting-kind", compact=True):
                yield RadioButton("", id="meeting-opening", compact=True)
                yield RadioButton("", id="meeting-closing", compact=True)
            yield Static("", id="meeting-attendees-label", classes="label")
            yield TextArea(id="meeting-attendees", compact=True)
            yield Static("", id="meeting-ack-label", classes="label")
            yield Input(id="meeting-ack", compact=True)
            yield Static("", id="meeting-note-label", classes="label")
            yield Input(id="meeting-note", compact=True)
            yield Static("", id="meeting-hint")
        yield Static("", id="meeting-message")
        with Horizontal(id="meeting-actions"):
            yield Button("", id="meeting-record", variant="primary", compact=True)
            yield Button("", id="meeting-back", classes="back-button", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.audit_id[:12]
        self._apply_words()
        self._show_kind()
        self.app.language_signal.subscribe(self, self._on_language)
        self._load()

    def _on_language(self, _lang: str) -> None:
        self._apply_words()
        if self.view is not None:
            self._render_view(self.view)

    def _apply_words(self) -> None:
        w = self.words
        translate_bindings(self, WORDS, self.app.session.lang)
        self.title = w("title")
        for key in ("kind", "attendees", "ack", "note"):
            self.query_one(f"#meeting-{key}-label", Static).update(w(f"{key}_label"))
        self.query_one("#meeting-opening", RadioButton).label = w("opening")
        self.query_one("#meeting-closing", RadioButton).label = w("closing")
        self.query_one("#meeting-attendees", TextArea).placeholder = w("attendees_placeholder")
        self.query_one("#meeting-ack", Input).placeholder = w("ack_placeholder")
        self.query_one("#meeting-note", Input).placeholder = w("note_placeholder")
        self.query_one("#meeting-hint", Static).update(w("closing_hint"))
        self.query_one("#meeting-record", Button).label = w("btn_record")
        self.query_one("#meeting-back", Button).label = w("btn_back")

    # -- reading ------------------------------------------------------------------------------
    def on_meeting_screen_loaded(self, message: Loaded) -> None:
        view = message.view
        if self.kind is None:
            self.kind = "closing" if view.closed or view.meetings else "opening"
            self._show_kind()
        self._render_view(view)

    def _render_view(self, view: AuditView) -> None:
        self.view = view
        self.sub_title = f"{view.station_code} · {view.audit_id[:12]}"
        state = self.words("state_closed") if view.closed else self.words("state_open")
        self.query_one("#meeting-station", Static).update(
            Text(
                self.words(
                    "station", station=view.station_en, code=view.station_code, audit=view.audit_id[:12], state=state
                )
            )
        )
        if view.meetings:
            shown = "; ".join(
                self.words("recorded_one", kind=self._kind_word(m.kind), date=m.time[:10], count=len(m.attendees))
                for m in view.meetings
            )
            recorded = self.words("recorded", meetings=shown)
        else:
            recorded = self.words("recorded_none")
        self.query_one("#meeting-recorded", Static).update(Text(recorded))

    def _kind_word(self, kind: str) -> str:
        return self.words(f"kind_{kind}") if f"kind_{kind}" in WORDS else kind

    def _show_kind(self) -> None:
        closing = self.kind == "closing"
        if self.kind is not None:  # not chosen before the audit is read: pressing would choose it
            button = self.query_one("#meeting-closing" if closing else "#meeting-opening", RadioButton)
            if not button.value:
                button.value = True
        for selector in ("#meeting-ack-label", "#meeting-ack", "#meeting-hint"):
            self.query_one(selector).display = closing

    @on(RadioSet.Changed, "#meeting-kind")
    def kind_changed(self, event: RadioSet.Changed) -> None:
        self.kind = "closing" if event.pressed.id == "meeting-closing" else "opening"
        self._show_kind()

    # -- recording ----------------------------------------------------------------------------
    def typed(self) -> MeetingInput:
        """What the form holds: attendees one a line, blank lines dropped; blanks are None."""
        attendees = tuple(
            line.strip() for line in self.query_one("#meeting-attendees", TextArea).text.splitlines() if line.strip()
        )
        closing = self.kind == "closing"
        ack = self.query_one("#meeting-ack", Input).value.strip() if closing else ""
        note = self.query_one("#meeting-note", Input).value
        return MeetingInput(self.kind or "opening", attendees, ack or None, note if note.strip() else None)

    @on(Button.Pressed, "#meeting-record")
    def action_record(self) -> None:
        if self.busy or self.view is None:
            return
        self._set_busy(True, self.words("checking"))
        self._record_flow(self.typed())

    def _check(self, meeting: MeetingInput) -> None:
        """The core's checks of the fields, without the key: a mistake costs no passphrase."""
        from inspector.audit.followup import meeting_fields
        from inspector.crypto.canonical import utcnow

        with self.session.audits.open(self.audit_id, writable=False) as audit:
            meeting_fields(
                audit.checklist,
                audit.state,
                kind=meeting.kind,
                attendees=meeting.attendees,
                acknowledged_by=meeting.acknowledged_by,
                note=meeting.note,
                today=utcnow().date(),
            )

    def _sign(self, audit: Any, meeting: MeetingInput) -> MeetingRecord:
        return audit.meeting(
            meeting.kind, meeting.attendees, acknowledged_by=meeting.acknowledged_by, note=meeting.note
        )

    def on_meeting_screen_recorded(self, message: Recorded) -> None:
        record = message.record
        self.last_record = record
        self._render_view(message.view)
        # A recorded meeting is not recorded twice by a second ctrl+s: the form starts empty again.
        self.query_one("#meeting-attendees", TextArea).text = ""
        self.query_one("#meeting-ack", Input).value = ""
        self.query_one("#meeting-note", Input).value = ""
        kind = self._kind_word(record.kind)
        count = len(record.attendees)
        if record.cap_deadline:
            line = self.words("done_deadline", kind=kind, count=count, date=record.cap_deadline, seq=record.seq)
        else:
            line = self.words("done", kind=kind, count=count, seq=record.seq)
        self._set_busy(False, line)

    # -- the rest -----------------------------------------------------------------------------
    def on_meeting_screen_failed(self, message: Failed) -> None:
        if self.view is None:
            self.query_one("#meeting-station", Static).update(Text(message.error))
        self._set_busy(False)
        self._say(message.error, error=True)
        field = {"attendee": "#meeting-attendees", "acknowledged_by": "#meeting-ack", "note": "#meeting-note"}.get(
            message.field or ""
        )
        if field is not None:
            self.query_one(field).focus()
