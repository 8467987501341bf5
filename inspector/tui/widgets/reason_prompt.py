"""A modal that asks for one line of text: the written reason a "not applicable" needs.

Dismisses with the text typed (trimmed, never empty) or None (escape, cancel). The text is
checked by the core when the finding is saved, like any other input (``inspector._io.text``).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from inspector.tui.words.finding import WORDS


class ReasonPrompt(ModalScreen["str | None"]):
    DEFAULT_CSS = """
    ReasonPrompt { align: center middle; }
    ReasonPrompt #reason-box {
        width: 72; max-width: 100%; height: auto; padding: 0 2;
        border-top: thick $warning; border-bottom: thick $warning; background: $surface;
    }
    ReasonPrompt #reason-question { margin-bottom: 1; }
    ReasonPrompt #reason-text { background: $boost; }
    ReasonPrompt #reason-error { color: $error; height: auto; }
    ReasonPrompt #reason-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ReasonPrompt #reason-buttons Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason-cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "", *, lang: str = "en") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(self.question, id="reason-question", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="reason-text", compact=True)
            yield Static("", id="reason-error")
            with Horizontal(id="reason-buttons"):
                yield Button(WORDS(self.lang, "save_enter"), variant="primary", id="reason-ok", compact=True)
                yield Button(WORDS(self.lang, "cancel_esc"), id="reason-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reason-text", Input).focus()

    @on(Input.Submitted, "#reason-text")
    @on(Button.Pressed, "#reason-ok")
    def save(self) -> None:
        text = self.query_one("#reason-text", Input).value.strip()
        if not text:
            self.query_one("#reason-error", Static).update(WORDS(self.lang, "reason_required"))
            return
        self.dismiss(text)

    @on(Button.Pressed, "#reason-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
