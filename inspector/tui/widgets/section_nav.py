"""The sections of the checklist with their progress; choosing one jumps into it.

ASCII only (section id, counts, English title): Hindi titles are shown in the item view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from inspector.checklist import Section


class SectionNav(OptionList):
    DEFAULT_CSS = """
    SectionNav {
        width: 28; height: 1fr; border: none; border-right: solid $primary; padding: 0;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def show(self, sections: list[Section], answered: dict[str, int], ncs: dict[str, int], current: str) -> None:
        """One line per section: id, answered/total, nonconformities, title; ``current`` highlighted."""
        options = []
        for section in sections:
            done, total = answered.get(section.id, 0), len(section.items)
            line = Text(no_wrap=True, overflow="ellipsis")
            mark = "✓" if done == total else " "
            line.append(f"{mark}{section.id:<4}", style="bold" if section.id == current else "")
            line.append(f"{done:>3}/{total:<3}", style="green" if done == total else "")
            bad = ncs.get(section.id, 0)
            line.append(f"{'!' + str(bad) if bad else '':<3}", style="bold yellow")
            line.append(section.title.en, style="dim")
            options.append(Option(line, id=section.id))
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        ids = [s.id for s in sections]
        index = ids.index(current) if current in ids else highlighted
        if index is not None:
            self.highlighted = index
