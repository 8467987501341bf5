"""The editable part of a finding: note, due date, reason, evidence files to attach.

What the auditor types is a :class:`Draft` kept per item by the walk screen, so moving away
and back, or a failed save, never loses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from inspector.audit.chain import Finding


@dataclass
class Draft:
    """Unsaved input for one item. ``status`` is a chosen status whose save failed or waits."""

    note: str = ""
    due: str = ""
    reason: str = ""
    evidence: list[Path] = field(default_factory=list)
    status: str | None = None

    @classmethod
    def of(cls, finding: Finding | None) -> Draft:
        if finding is None:
            return cls()
        return cls(note=finding.note or "", due=finding.due or "", reason=finding.reason or "")

    def differs_from(self, finding: Finding | None) -> bool:
        """True when saving now would add something to the stored finding."""
        return self.status is not None or bool(self.evidence) or self != Draft.of(finding)


class FindingForm(Vertical):
    DEFAULT_CSS = """
    FindingForm { height: auto; }
    FindingForm Horizontal { height: 1; }
    FindingForm Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    FindingForm Input { background: $boost; }
    FindingForm #note { width: 1fr; }
    FindingForm #due { width: 12; margin-right: 1; }
    FindingForm #reason { width: 1fr; margin-right: 1; }
    FindingForm #evidence-line { height: 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="form-note"):
            yield Label("Note [b](e)[/b]")
            yield Input(placeholder="objective evidence: what you saw (enter saves)", id="note", compact=True)
        with Horizontal(id="form-dates"):
            yield Label("Due [b](d)[/b]")
            yield Input(placeholder="YYYY-MM-DD", id="due", compact=True, max_length=10)
            yield Label("Reason")
            yield Input(placeholder="why N/A or minor", id="reason", compact=True)
            yield Button("a Attach…", id="attach", compact=True)
        yield Static("", id="evidence-line")

    def load(self, draft: Draft, stored_files: int) -> None:
        """Show ``draft`` without firing change events back into it."""
        for name, value in (("note", draft.note), ("due", draft.due), ("reason", draft.reason)):
            box = self.query_one(f"#{name}", Input)
            with box.prevent(Input.Changed):
                box.value = value
        self.show_evidence(draft, stored_files)

    def show_evidence(self, draft: Draft, stored_files: int) -> None:
        parts = [f"{stored_files} stored evidence file(s)"] if stored_files else ["no evidence file"]
        if draft.evidence:
            names = ", ".join(p.name for p in draft.evidence)
            parts.append(f"to attach on save: {names}")
        self.query_one("#evidence-line", Static).update(" · ".join(parts))

    def read_into(self, draft: Draft) -> None:
        draft.note = self.query_one("#note", Input).value
        draft.due = self.query_one("#due", Input).value
        draft.reason = self.query_one("#reason", Input).value

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.query("Input, Button"):
            widget.disabled = not enabled
