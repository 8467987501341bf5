"""Five buttons, one per finding status, labelled with their keys (1-5) for mouse users."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button

from inspector.tui.widgets.i18n import STATUS_KEYS, button_label

VARIANTS = {"conform": "success", "observation": "primary", "na": "default", "minor": "warning", "major": "error"}


class StatusButtons(Horizontal):
    DEFAULT_CSS = """
    StatusButtons { height: 1; width: 1fr; margin-bottom: 1; }
    StatusButtons Button { margin-right: 1; min-width: 8; }
    StatusButtons Button.-stored { text-style: bold reverse; }
    StatusButtons Button.-pending { text-style: bold underline; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = "en"

    def compose(self) -> ComposeResult:
        for key, status in STATUS_KEYS:
            yield Button(f"{key} {button_label(self.lang, status)}", id=f"status-{status}", compact=True)

    def set_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        for key, status in STATUS_KEYS:
            self.query_one(f"#status-{status}", Button).label = f"{key} {button_label(lang, status)}"

    def show(self, stored: str | None, pending: str | None) -> None:
        """Colour the stored status; underline a chosen status that is not saved yet."""
        for _key, status in STATUS_KEYS:
            button = self.query_one(f"#status-{status}", Button)
            button.variant = VARIANTS[status] if status in (stored, pending) else "default"
            button.set_class(status == stored, "-stored")
            button.set_class(status == pending and pending != stored, "-pending")
