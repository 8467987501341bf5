"""One line saying what happened to the last answer: saving, signed and saved, or not saved."""

from __future__ import annotations

from rich.text import Text

# The core's messages name the command-line options; here the keys do the same job.
CLI_HINTS = (("--note", "e: type it in Note"), ("--evidence", "a: attach a file"), ("--reason", "type it in Reason"))
from textual.widgets import Static


class SaveState(Static):
    DEFAULT_CSS = """
    SaveState { height: auto; min-height: 1; max-height: 3; padding: 0 1; background: $boost; }
    SaveState.-failed { background: $error 30%; }
    SaveState.-saved { color: $success; }
    """

    def saving(self, item: str) -> None:
        self._show(Text(f"… signing and saving {item}"), None)

    def saved(self, item: str, status: str, clock: str, record: int) -> None:
        self._show(Text(f"✓ signed & saved {clock} · record {record} · {item} {status}"), "-saved")

    def failed(self, item: str, error: str) -> None:
        for option, hint in CLI_HINTS:
            error = error.replace(option, hint)
        text = Text.assemble(("✗ NOT SAVED ", "bold"), f"{item}: " if not error.startswith(item) else "", error)
        text.append("  (your input is kept: fix it and press the status key or ctrl+s again)", style="italic")
        self._show(text, "-failed")

    def notice(self, text: str) -> None:
        self._show(Text(text), None)

    def _show(self, text: Text, state: str | None) -> None:
        self.set_class(state == "-failed", "-failed")
        self.set_class(state == "-saved", "-saved")
        self.update(text)
