"""One line saying what happened to the last answer: saving, signed and saved, or not saved."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from inspector.tui.words.finding import WORDS

# Where the CLI names a flag for an error's field, the app names the key that does the same job.
FIELD_HINTS = {"note": "hint_note", "evidence": "hint_evidence", "reason": "hint_reason"}


class SaveState(Static):
    DEFAULT_CSS = """
    SaveState { height: auto; min-height: 1; max-height: 3; padding: 0 1; background: $boost; }
    SaveState.-failed { background: $error 30%; }
    SaveState.-saved { color: $success; }
    """

    lang = "en"  # set by the screen

    def saving(self, item: str) -> None:
        self._show(Text(WORDS(self.lang, "saving", item=item)), None)

    def saved(self, item: str, status: str, clock: str, record: int) -> None:
        self._show(Text(WORDS(self.lang, "saved", clock=clock, record=record, item=item, status=status)), "-saved")

    def failed(self, item: str, error: str, field: str | None = None) -> None:
        hint = FIELD_HINTS.get(field or "")
        if hint:
            error = f"{error} ({WORDS(self.lang, hint)})"
        text = Text.assemble(
            (WORDS(self.lang, "not_saved"), "bold"), f"{item}: " if not error.startswith(item) else "", error
        )
        text.append(WORDS(self.lang, "input_kept"), style="italic")
        self._show(text, "-failed")

    def notice(self, text: str) -> None:
        self._show(Text(text), None)

    def _show(self, text: Text, state: str | None) -> None:
        self.set_class(state == "-failed", "-failed")
        self.set_class(state == "-saved", "-saved")
        self.update(text)
