"""The table of audits on the home screen: ASCII cells only (Hindi goes in a Static below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import DataTable

if TYPE_CHECKING:
    from inspector.audit.index import AuditSummary

DECISIONS = {
    "recommend-certification": "certify",
    "recommend-after-corrective-action": "after CA",  # audits closed by the first release
    "not-ready": "not ready",
    # the decision codes of inspector.audit.decision
    "incomplete": "incomplete",
    "nothing-applicable": "all N/A",
    "corrective-action-pending": "CA pending",
    "new-stage2-needed": "new stage 2",
    "recommend-maintain": "maintain",
    "recommend-suspension": "suspend",
    "ready-for-stage2": "ready",
    "stage1-concerns": "concerns",
}
TYPES = {"stage1": "stage 1", "certification": "stage 2", "surveillance": "surveill.", "recertification": "recert."}


def short_decision(value: str) -> str:
    return DECISIONS.get(value, value)


class AuditTable(DataTable[str]):
    """One row per audit, keyed by audit id; open audits first, then closed ones."""

    DEFAULT_CSS = """
    AuditTable {
        height: 1fr;
    }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("Station", key="station")
        self.add_column("Name", key="name")
        self.add_column("Type", key="type")
        self.add_column("Status", key="status")
        self.add_column("Done", key="progress")
        self.add_column("Score", key="score")
        self.add_column("Decision", key="decision")

    def show(self, rows: list[AuditSummary]) -> None:
        """Replace the rows, keeping the cursor on the same audit where it still exists."""
        current = self.current_id
        self.clear()
        ordered = [r for r in rows if r.status == "open"] + [r for r in rows if r.status != "open"]
        for row in ordered:
            done = f"{row.progress.get('answered', 0)}/{row.progress.get('total', 0)}"
            self.add_row(
                row.station,
                _clip(row.station_name, 22),
                TYPES.get(row.type, row.type),
                "open" if row.status == "open" else "closed",
                done,
                "-" if row.score is None else f"{row.score}%",
                short_decision(row.decision),
                key=row.id,
            )
        if current is not None and current in {r.id for r in ordered}:
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


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
