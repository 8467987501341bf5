"""Start a new audit: station (from the registry), checklist (the shipped one by default), type.

A certification (stage 2) audit needs a closed stage 1 of the station on this laptop, or a written
reason to proceed without one (the waiver, recorded in the signed opening record); the core says
which (``AuditService.plan_audit``), and the screen shows the waiver field only for that type.
"No lock-up" is recorded too: custody items may then be marked not applicable.

Dismisses with the new audit's id (the home screen then opens the walk) or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from inspector.errors import UserError
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.words.new_audit import WORDS

if TYPE_CHECKING:
    from inspector.audit.index import AuditSummary
    from inspector.crypto.signing import SigningKey
    from inspector.tui.protocols import AppServices

AUDIT_TYPE_ORDER = ("certification", "stage1", "surveillance", "recertification")


def audit_types(lang: str) -> list[tuple[str, str]]:
    """(label, value) of each audit type, the default first."""
    return [(WORDS(lang, f"type:{value}"), value) for value in AUDIT_TYPE_ORDER]


@dataclass(frozen=True)
class NewAuditChoice:
    """What the form says, handed to the worker that signs the opening record."""

    station: str
    checklist: Path
    audit_type: str
    waive_stage1: str | None
    no_lockup: bool


class NewAuditScreen(ModalScreen["str | None"]):
    CSS_PATH = "new_audit.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="new-cancel"),
        Binding("ctrl+s", "start", "Start", id="new-start"),
    ]

    app: AppServices  # type: ignore[assignment]

    class ChoicesLoaded(Message):
        """What a new audit can be opened with: stations (code, English name, Hindi name) and
        checklists (label, path); ``problem`` says why they could not be read (then none)."""

        def __init__(
            self,
            stations: list[tuple[str, str, str]],
            checklists: list[tuple[str, Path]],
            problem: Problem | None = None,
        ) -> None:
            super().__init__()
            self.stations = stations
            self.checklists = checklists
            self.problem = problem

    class Created(Message):
        def __init__(self, summary: AuditSummary) -> None:
            super().__init__()
            self.summary = summary

    class Failed(WorkerFailed):
        """The audit was not opened (the form stays)."""

    def __init__(self) -> None:
        super().__init__()
        self.names_hi: dict[str, str] = {}
        self.loaded = False
        self._said: tuple[str, str] | None = None  # (catalogue key, or "" and a message)

    @property
    def lang(self) -> str:
        return self.app.session.lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="new-box"):
            yield Static(WORDS(lang, "title"), id="new-title")
            yield Label(WORDS(lang, "station"), id="new-station-label")
            yield Select[str]([], prompt=WORDS(lang, "loading_stations"), id="station", allow_blank=True)
            yield Static("", id="station-hi")
            yield Label(WORDS(lang, "checklist"), id="new-checklist-label")
            yield Select[str]([], prompt=WORDS(lang, "loading_checklists"), id="checklist", allow_blank=True)
            yield Label(WORDS(lang, "type"), id="new-type-label")
            yield Select[str](audit_types(lang), value="certification", id="audit-type", allow_blank=False)
            yield Input(placeholder=WORDS(lang, "waiver"), id="waive-stage1", compact=True)
            yield Checkbox(WORDS(lang, "no_lockup"), id="no-lockup", compact=True)
            yield Static("", id="new-error")
            with Horizontal(id="new-buttons"):
                yield Button(WORDS(lang, "start"), variant="primary", id="start")
                yield Button(WORDS(lang, "cancel"), id="cancel")

    def on_mount(self) -> None:
        self.app.language_signal.subscribe(self, self._on_language)
        self.load_choices()

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        self.query_one("#new-title", Static).update(WORDS(lang, "title"))
        for name, key in (("station", "station"), ("checklist", "checklist"), ("type", "type")):
            self.query_one(f"#new-{name}-label", Label).update(WORDS(lang, key))
        kinds = self.query_one("#audit-type", Select)
        chosen = kinds.value
        kinds.set_options(audit_types(lang))
        kinds.value = chosen
        if self.loaded:
            self.query_one("#station", Select).prompt = WORDS(lang, "choose_station")
            self.query_one("#checklist", Select).prompt = WORDS(lang, "choose_checklist")
        self.query_one("#waive-stage1", Input).placeholder = WORDS(lang, "waiver")
        self.query_one("#no-lockup", Checkbox).label = WORDS(lang, "no_lockup")
        self.query_one("#start", Button).label = WORDS(lang, "start")
        self.query_one("#cancel", Button).label = WORDS(lang, "cancel")
        if self._said is not None:
            self.show_error(*self._said)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-choices")
    def load_choices(self) -> None:
        from inspector.audit.checklist import shipped_checklists
        from inspector.audit.stations import load_registry

        try:
            registry = load_registry(data_root=self.app.session.data.root)
            stations = [(s.code, s.name.en, s.name.hi) for s in registry.stations]
            checklists = [(path.stem, path) for path in shipped_checklists()]
        except Exception as exc:
            problem = Problem.of(exc, WORDS(self.lang, "cannot_read"))
            self.post_message(self.ChoicesLoaded([], [], problem))
        else:
            self.post_message(self.ChoicesLoaded(stations, checklists))

    def on_new_audit_screen_choices_loaded(self, message: ChoicesLoaded) -> None:
        self.loaded = True
        if message.problem:
            self.show_error("", message.problem.error)
        self.names_hi = {code: hi for code, _en, hi in message.stations}
        station = self.query_one("#station", Select)
        station.prompt = WORDS(self.lang, "choose_station")  # the blank option must not still say "loading"
        station.set_options([(f"{code}  {en}", code) for code, en, _hi in message.stations])
        if message.stations:
            station.value = message.stations[0][0]
        checklist = self.query_one("#checklist", Select)
        checklist.prompt = WORDS(self.lang, "choose_checklist")
        checklist.set_options([(label, str(path)) for label, path in message.checklists])
        if message.checklists:
            checklist.value = str(message.checklists[0][1])
        station.focus()

    @on(Select.Changed, "#station")
    def station_changed(self, event: Select.Changed) -> None:
        hi = self.names_hi.get(str(event.value), "") if event.value is not Select.BLANK else ""
        self.query_one("#station-hi", Static).update(escape(hi))

    @on(Select.Changed, "#audit-type")
    def type_changed(self, event: Select.Changed) -> None:
        # The waiver is for a certification audit only; the core refuses it for any other type.
        self.query_one("#waive-stage1", Input).display = event.value == "certification"

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        station = self.query_one("#station", Select).value
        checklist = self.query_one("#checklist", Select).value
        audit_type = str(self.query_one("#audit-type", Select).value)
        if station is Select.BLANK or checklist is Select.BLANK:
            self.show_error("choose_both")
            return
        waiver_text = self.query_one("#waive-stage1", Input).value.strip()
        choice = NewAuditChoice(
            station=str(station),
            checklist=Path(str(checklist)),
            audit_type=audit_type,
            waive_stage1=waiver_text if waiver_text and audit_type == "certification" else None,
            no_lockup=self.query_one("#no-lockup", Checkbox).value,
        )
        self.run_worker(self._start(choice), exclusive=True, group="new-start")

    async def _start(self, choice: NewAuditChoice) -> None:
        key = await self.app.ensure_unlocked()
        if key is None:
            self.show_error("locked")
            return
        self.query_one("#start", Button).disabled = True
        self.show_error("opening")
        self.create(choice, key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="new-create")
    def create(self, choice: NewAuditChoice, key: SigningKey) -> None:
        session = self.app.session
        try:
            info = session.key_info()
            if info is None or not info.auditor_id:
                raise UserError(WORDS(self.lang, "no_key"))
            summary = session.audits.new_audit(
                choice.station,
                choice.checklist,
                choice.audit_type,
                key,
                info.auditor_id,
                info.name,
                no_lockup=choice.no_lockup,
                waive_stage1=choice.waive_stage1,
                require_stage1=True,
            )
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, WORDS(self.lang, "cannot_open"))))
        else:
            self.post_message(self.Created(summary))

    def on_new_audit_screen_created(self, message: Created) -> None:
        self.dismiss(message.summary.id)

    def on_new_audit_screen_failed(self, message: Failed) -> None:
        self.query_one("#start", Button).disabled = False
        self.show_error("", message.error)
        if message.field == "waive_stage1":
            self.query_one("#waive-stage1", Input).focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, key: str, text: str = "") -> None:
        """The catalogue's ``key`` (said again on a language switch), or ``text`` when ``key`` is ''."""
        self._said = (key, text)
        self.query_one("#new-error", Static).update(escape(WORDS(self.lang, key) if key else text))
