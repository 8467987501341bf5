"""The current checklist item: question, Hindi title, clauses and law, guidance, evidence to
look for, and what is recorded. Plain Statics in a scroll, so long text wraps freely."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from inspector.tui.widgets.i18n import status_name
from inspector.tui.words.item import WORDS

if TYPE_CHECKING:
    from inspector.audit.chain import Finding
    from inspector.audit.checklist import Item, Section

STATUS_STYLE = {"conform": "green", "observation": "cyan", "na": "dim", "minor": "yellow", "major": "bold red"}


def bullet_list(label: Text, entries: list[str]) -> Table:
    """``label`` over a bulleted list whose wrapped lines stay indented under their first word
    (a Rich Text wraps to column 0, which at 80 columns reads as a new entry)."""
    grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
    grid.add_column(width=2, justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    for entry in entries:
        grid.add_row("•", entry)
    outer = Table.grid(expand=True)
    outer.add_column(ratio=1)
    outer.add_row(label)
    outer.add_row(grid)
    return outer


class ItemView(VerticalScroll, can_focus=True):
    """Read-only view of one item; focusable so the arrows scroll it."""

    DEFAULT_CSS = """
    ItemView { height: 1fr; padding: 0 1; }
    ItemView.-hindi { padding: 0 4 0 1; }
    ItemView > Static { width: 1fr; }
    ItemView #item-head { text-style: bold; }
    ItemView #item-section { color: $text-muted; }
    ItemView #item-question { margin: 1 0 0 0; }
    ItemView #item-guidance, ItemView #item-look-for, ItemView #item-refs { margin-top: 1; }
    ItemView #item-record { margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        for part in ("head", "section", "hi", "question", "refs", "guidance", "look-for", "record"):
            yield Static("", id=f"item-{part}")

    def show(
        self,
        item: Item,
        section: Section,
        position: str,
        finding: Finding | None,
        pending: str | None,
        lang: str,
        local_time: str,
    ) -> None:
        hindi = lang == "hi"
        # Hindi labels stand on lines of their own: a Hindi word inside a wrapped English line
        # makes the terminal draw the line wider than it was wrapped for.
        sep = "\n" if hindi else ": "
        self.set_class(hindi, "-hindi")
        crit = item.criticality.value
        needs = [
            w for w, flag in (("needs_note", item.require_note), ("needs_evidence", item.require_evidence)) if flag
        ]
        head = Text.assemble(
            (item.id, "bold"), " · ", (WORDS(lang, f"criticality_{crit}"), "bold red" if crit == "critical" else "")
        )
        head.append(f" · {position}")
        self._set("head", head)
        self._set("section", Text(f"{section.id} · {section.title.hi if hindi else section.title.en}"))
        # The Hindi title sits on its own free-flowing line: never in a border or a column.
        self._set("hi", Text(item.title_hi, style="bold"))
        # Rendered: each {parameter-id} in the checklist text shows as its value and unit.
        # A checklist without the question in Hindi gives its Hindi title for it, shown above already.
        question = item.question_text.hi if hindi and item.question_hi else item.question_text.en
        self._set("question", Text(question))
        refs = Text.assemble((f"{WORDS(lang, 'clauses')}: ", "bold"), ", ".join(item.clauses))
        if item.legal:
            refs.append_text(
                Text.assemble("\n" if hindi else "  ·  ", (f"{WORDS(lang, 'legal')}: ", "bold"), ", ".join(item.legal))
            )
        if needs:
            refs.append(f"\n{WORDS(lang, 'needs')}: " + ", ".join(WORDS(lang, n) for n in needs), style="italic")
        self._set("refs", refs)
        guidance = item.guidance_text.hi if hindi else item.guidance_text.en
        self._set("guidance", Text.assemble((f"{WORDS(lang, 'guidance')}{sep}", "bold"), guidance))
        look = Text(f"{WORDS(lang, 'look_for')}:", style="bold")
        # A checklist without the evidence in Hindi shows it in English.
        evidence = [entry.hi if hindi else entry.en for entry in item.evidence_text]
        self._set("look-for", bullet_list(look, evidence))
        self._set("record", self._record_text(finding, pending, lang, local_time))
        self.scroll_home(animate=False)

    def _record_text(self, finding: Finding | None, pending: str | None, lang: str, local_time: str) -> Text:
        text = Text()
        if finding is None:
            text.append(WORDS(lang, "not_answered"), style="italic")
        else:
            status = finding.status.value
            text.append(f"{WORDS(lang, 'recorded')}: ", style="bold")
            text.append(status_name(lang, status), style=STATUS_STYLE[status])
            details = [WORDS(lang, "details", revision=finding.revision, clock=local_time, record=finding.seq)]
            if finding.due:
                details.append(WORDS(lang, "due", due=finding.due))
            text.append("\n" + " · ".join(details))
            if finding.reason:
                text.append(f"\n{WORDS(lang, 'reason')}: ", style="bold")
                text.append(finding.reason)
            if finding.note:
                text.append(f"\n“{finding.note}”", style="italic")
        if pending:
            text.append(f"\n{WORDS(lang, 'pending')}: ", style="bold yellow")
            text.append(status_name(lang, pending), style=STATUS_STYLE[pending])
        return text

    def _set(self, part: str, content: Text | Table) -> None:
        self.query_one(f"#item-{part}", Static).update(content)
