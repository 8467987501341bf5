"""The sections of the checklist with their progress; choosing one jumps into it.

One widget rendering one block of text (not an OptionList): it changes on every answer, and
re-rendering a list of widgets each time cost more than the rest of the walk's update.
ASCII only (section id, counts, English title): Hindi titles are shown in the item view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

if TYPE_CHECKING:
    from inspector.audit.checklist import Section


class SectionNav(Widget, can_focus=True):
    DEFAULT_CSS = """
    SectionNav {
        width: 28; height: 1fr; border-right: solid $primary;
        text-wrap: nowrap; text-overflow: ellipsis; overflow: hidden;
    }
    SectionNav:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "choose", "Go to section", show=False),
    ]

    class Chosen(Message):
        def __init__(self, section_id: str) -> None:
            super().__init__()
            self.section_id = section_id

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ids: list[str] = []
        self.lines: list[Text] = []
        self.current = ""
        self.cursor = 0

    def show(self, sections: list[Section], answered: dict[str, int], ncs: dict[str, int], current: str) -> None:
        """One line per section: id, answered/total, nonconformities, title; ``current`` marked."""
        lines = [self._line(s, answered.get(s.id, 0), ncs.get(s.id, 0)) for s in sections]
        ids = [s.id for s in sections]
        changed = (
            ids != self.ids
            or current != self.current
            or any(a.plain != b.plain or a.spans != b.spans for a, b in zip(lines, self.lines))
        )
        self.ids, self.lines = ids, lines
        if current != self.current and current in ids:
            self.cursor = ids.index(current)
        self.current = current
        if changed:
            self.refresh()

    @staticmethod
    def _line(section: Section, done: int, bad: int) -> Text:
        total = len(section.items)
        line = Text()
        line.append("✓" if done == total else " ")
        line.append(f"{section.id:<4}", style="bold")
        line.append(f"{done:>3}/{total:<3}", style="green" if done == total else "")
        line.append(f"{'!' + str(bad) if bad else '':<3}", style="bold yellow")
        line.append(section.title.en, style="dim")
        return line

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        for index, line in enumerate(self.lines):
            styled = line.copy()
            if self.ids[index] == self.current:
                styled.stylize("reverse", 0, 5)
            if index == self.cursor and self.has_focus:
                styled.stylize("underline")
            out.append_text(styled)
            if index < len(self.lines) - 1:
                out.append("\n")
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.ids:
            self.cursor = max(0, min(len(self.ids) - 1, self.cursor + step))
            self.refresh()

    def action_choose(self) -> None:
        if self.ids:
            self.post_message(self.Chosen(self.ids[self.cursor]))

    def on_click(self, event: events.Click) -> None:
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self.ids):
            self.cursor = row
            self.post_message(self.Chosen(self.ids[row]))
