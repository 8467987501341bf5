"""The editable part of a finding: note, due date, reason, evidence files to attach.

What the auditor types is a :class:`Draft` kept per item by the walk screen, so moving away
and back, or a failed save, never loses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from inspector.tui.words.finding import WORDS

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
    # Laid out for 80 columns (a 62-column form beside the narrow section list): the reason's
    # placeholder fits its box, and the attach button sits with the evidence it concerns.
    DEFAULT_CSS = """
    FindingForm { height: auto; }
    FindingForm Horizontal { height: 1; }
    FindingForm #form-evidence { height: auto; max-height: 2; }
    FindingForm Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    FindingForm Input { background: $boost; }
    FindingForm #note { width: 1fr; }
    FindingForm #due { width: 12; margin-right: 1; }
    FindingForm #reason { width: 1fr; margin-right: 1; }
    FindingForm #attach { width: auto; min-width: 0; margin-right: 1; }
    FindingForm #evidence-line { width: 1fr; height: auto; max-height: 2; color: $text-muted; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = "en"
        self._shown: tuple[Sequence[str], Sequence[Path]] = ((), ())

    def compose(self) -> ComposeResult:
        w = self.lang
        # select_on_focus off: with it, the first key typed into a note that is already there
        # would replace the whole note.
        with Horizontal(id="form-note"):
            yield Label(WORDS(w, "note_label"), id="note-label")
            yield Input(placeholder=WORDS(w, "note_placeholder"), id="note", compact=True, select_on_focus=False)
        with Horizontal(id="form-dates"):
            yield Label(WORDS(w, "due_label"), id="due-label")
            yield Input(
                placeholder=WORDS(w, "due_placeholder"), id="due", compact=True, max_length=10, select_on_focus=False
            )
            yield Label(WORDS(w, "reason_label"), id="reason-label")
            yield Input(placeholder=WORDS(w, "reason_placeholder"), id="reason", compact=True, select_on_focus=False)
        with Horizontal(id="form-evidence"):
            yield Button(WORDS(w, "attach_button"), id="attach", compact=True)
            yield Static("", id="evidence-line", markup=False)

    def set_language(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        for name in ("note", "due", "reason"):
            self.query_one(f"#{name}-label", Label).update(WORDS(lang, f"{name}_label"))
            self.query_one(f"#{name}", Input).placeholder = WORDS(lang, f"{name}_placeholder")
        self.query_one("#attach", Button).label = WORDS(lang, "attach_button")
        self._render_evidence(*self._shown)

    def load(self, draft: Draft, stored: Sequence[str] = ()) -> None:
        """Show ``draft`` (and the names of the files stored with the finding) without firing
        change events back into it."""
        for name, value in (("note", draft.note), ("due", draft.due), ("reason", draft.reason)):
            box = self.query_one(f"#{name}", Input)
            with box.prevent(Input.Changed):
                box.value = value
            if not box.has_focus:
                box.cursor_position = 0  # a long note shows its beginning, not its end
        self.show_evidence(draft, stored)

    def show_evidence(self, draft: Draft, stored: Sequence[str] = ()) -> None:
        self._shown = (tuple(stored), tuple(draft.evidence))
        self._render_evidence(*self._shown)

    def _render_evidence(self, stored: Sequence[str], pending: Sequence[Path]) -> None:
        lang = self.lang
        parts = [WORDS(lang, "stored_evidence", names=", ".join(stored))] if stored else []
        if pending:
            parts.append(WORDS(lang, "to_attach", names=", ".join(p.name for p in pending)))
        self.query_one("#evidence-line", Static).update(" · ".join(parts) or WORDS(lang, "no_evidence"))

    @on(events.DescendantFocus)
    def _to_end(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input):
            event.widget.cursor_position = len(event.widget.value)  # typing adds to what is there

    @on(events.DescendantBlur)
    def _to_start(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, Input):
            event.widget.cursor_position = 0

    def read_into(self, draft: Draft) -> None:
        draft.note = self.query_one("#note", Input).value
        draft.due = self.query_one("#due", Input).value
        draft.reason = self.query_one("#reason", Input).value

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.query("Input, Button"):
            widget.disabled = not enabled
