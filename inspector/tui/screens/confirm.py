"""Questions in a modal.

:class:`ConfirmScreen`: yes or no; dismisses with True (yes) or False (no, escape).
:class:`ChangeStatusScreen`: a recorded finding's status is about to change; shows old → new,
asks for what the finding rules require of the new status (a reason, a note), and dismisses
with a :class:`ChangeAnswer` or None (keep the finding as it is).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from inspector.tui.widgets.i18n import status_name
from inspector.tui.widgets.item_view import STATUS_STYLE
from inspector.tui.words.finding import WORDS


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("escape,n", "answer(False)", "No", id="confirm-no"),
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def no_pressed(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


@dataclass(frozen=True)
class StatusChange:
    """What is asked: ``item``'s recorded status ``old`` would become ``new``; the finding rules
    want a reason (``needs_reason``) or a note (``needs_note``) for it. ``reason`` and ``note``
    are what the auditor has typed so far (shown, and editable)."""

    item: str
    old: str
    new: str
    needs_reason: bool = False
    needs_note: bool = False
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class ChangeAnswer:
    """The change is confirmed, with the reason and note to record (as typed, trimmed)."""

    reason: str
    note: str


class ChangeStatusScreen(ModalScreen["ChangeAnswer | None"]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("escape", "keep", "Keep", id="change-keep"),
        Binding("n", "keep", "Keep", id="change-keep-n", show=False),
        Binding("y", "change", "Change", id="change-yes", show=False),
    ]

    def __init__(self, change: StatusChange, *, lang: str = "en") -> None:
        super().__init__()
        self.change = change
        self.lang = lang

    def compose(self) -> ComposeResult:
        change, lang = self.change, self.lang
        line = Text.assemble(
            (status_name(lang, change.old), STATUS_STYLE[change.old]),
            "  →  ",
            (status_name(lang, change.new), STATUS_STYLE[change.new]),
        )
        with Vertical(id="change-box"):
            yield Static(WORDS(lang, "change_title", item=change.item), id="change-question", markup=False)
            yield Static(line, id="change-line")
            yield Static(WORDS(lang, "change_revision"), id="change-revision", markup=False)
            if change.needs_reason:
                yield Label(WORDS(lang, "change_reason"), markup=False)
                yield Input(change.reason, id="change-reason", compact=True, select_on_focus=False)
            if change.needs_note:
                yield Label(WORDS(lang, "change_note"), markup=False)
                yield Input(change.note, id="change-note", compact=True, select_on_focus=False)
            yield Static("", id="change-error", markup=False)
            with Horizontal(id="change-buttons"):
                yield Button(WORDS(lang, "change_yes"), variant="warning", id="change-ok", compact=True)
                yield Button(WORDS(lang, "change_no"), variant="primary", id="change-no", compact=True)

    def on_mount(self) -> None:
        inputs = self.query(Input)
        (inputs.first() if inputs else self.query_one("#change-ok", Button)).focus()

    def _value(self, selector: str) -> str:
        found = self.query(selector)
        return found.first(Input).value.strip() if found else ""

    @on(Input.Submitted)
    @on(Button.Pressed, "#change-ok")
    def action_change(self) -> None:
        reason, note = self._value("#change-reason"), self._value("#change-note")
        missing = "reason" if self.change.needs_reason and not reason else None
        if missing is None and self.change.needs_note and not note:
            missing = "note"
        if missing is not None:
            error = self.query_one("#change-error", Static)
            error.update(WORDS(self.lang, f"change_needs_{missing}"))
            error.display = True  # hidden while there is nothing to say
            self.query_one(f"#change-{missing}", Input).focus()
            return
        self.dismiss(
            ChangeAnswer(
                reason=reason if self.change.needs_reason else self.change.reason,
                note=note if self.change.needs_note else self.change.note,
            )
        )

    @on(Button.Pressed, "#change-no")
    def action_keep(self) -> None:
        self.dismiss(None)
