"""The table of audits on the home screen, in the session's language.

Audits of one station must be told apart at a glance: each row has the audit type, the day it
was opened, the answered items and where it stands. An audit still being answered reads
"in progress", never a decision it has not reached; decision codes become the catalogue's short
words (``inspector/tui/words/home.py``), an unknown code "see summary", never the code itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable

from inspector.tui.words.home import WORDS

if TYPE_CHECKING:
    from inspector.audit.index import AuditSummary

COLUMNS = ("station", "name", "type", "opened", "done", "score", "state")
NAME_WIDTH = 16


def in_progress(row: AuditSummary) -> bool:
    """An open audit with items still to answer: it has no decision yet."""
    return row.status == "open" and row.progress.get("answered", 0) < row.progress.get("total", 0)


def short_decision(value: str, lang: str = "en") -> str:
    """A decision code as the table's short word."""
    key = f"dec:{value}"
    return WORDS(lang, key if key in WORDS else "dec:unknown")


def long_decision(value: str, lang: str = "en") -> str:
    """A decision code as a sentence."""
    key = f"decl:{value}"
    return WORDS(lang, key if key in WORDS else "decl:unknown")


def state_of(row: AuditSummary, lang: str = "en") -> str:
    """The table's "State" cell: in progress, or the decision's short word."""
    return WORDS(lang, "in_progress") if in_progress(row) else short_decision(row.decision, lang)


def type_of(value: str, lang: str = "en", *, long: bool = False) -> str:
    prefix = "type_long:" if long else "type:"
    key = f"{prefix}{value}"
    if key in WORDS:
        return WORDS(lang, key)
    return WORDS(lang, "type_long:unknown") if long else value


class AuditTable(DataTable[str]):
    """One row per audit, keyed by audit id; open audits first, then closed ones."""

    DEFAULT_CSS = """
    AuditTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, lang: str = "en") -> None:
        super().__init__(id=id)
        self.lang = lang
        self.rows_shown: list[AuditSummary] = []

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self._add_columns()

    def _add_columns(self) -> None:
        for key in COLUMNS:
            self.add_column(WORDS(self.lang, f"col_{key}"), key=key)

    def set_language(self, lang: str) -> None:
        """Headers and cells in ``lang``, the cursor kept on its audit."""
        if lang == self.lang:
            return
        self.lang = lang
        current = self.current_id
        self.clear(columns=True)
        self._add_columns()
        self._fill(current)

    def show(self, rows: list[AuditSummary]) -> None:
        """Replace the rows, keeping the cursor on the same audit where it still exists."""
        current = self.current_id
        self.rows_shown = [r for r in rows if r.status == "open"] + [r for r in rows if r.status != "open"]
        self.clear()
        self._fill(current)

    def _fill(self, current: str | None) -> None:
        for row in self.rows_shown:
            done = f"{row.progress.get('answered', 0)}/{row.progress.get('total', 0)}"
            self.add_row(
                row.station,
                _clip(row.station_name, NAME_WIDTH),
                type_of(row.type, self.lang),
                local_time(row.opened)[:10],
                done,
                "-" if row.score is None else f"{row.score}%",
                state_of(row, self.lang),
                key=row.id,
            )
        if current is not None and current in {r.id for r in self.rows_shown}:
            self.move_cursor(row=self.get_row_index(current))

    @property
    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return None if key.value is None else str(key.value)


def local_time(utc_text: str) -> str:
    """A record's UTC time as the laptop's local "YYYY-MM-DD HH:MM"."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return utc_text
    if moment.tzinfo is None:
        return utc_text
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
