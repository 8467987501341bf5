"""The current checklist item: question, Hindi title, clauses and law, guidance, evidence to
look for, and what is recorded. Plain Statics in a scroll, so long text wraps freely."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from inspector.tui.widgets.i18n import LABELS, STATUS_NAMES

if TYPE_CHECKING:
    from inspector.audit.chain import Finding
    from inspector.audit.checklist import Item, Section

STATUS_STYLE = {"conform": "green", "observation": "cyan", "na": "dim", "minor": "yellow", "major": "bold red"}


class ItemView(VerticalScroll, can_focus=True):
    """Read-only view of one item; focusable so the arrows scroll it."""

    DEFAULT_CSS = """
    ItemView { height: 1fr; padding: 0 1; }
    ItemView.-hindi { padding-right: 4; }
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
        words = LABELS[lang]
        # Hindi labels stand on lines of their own: a Hindi word inside a wrapped English line
        # makes the terminal draw the line wider than it was wrapped for.
        sep = "\n" if lang == "hi" else ": "
        self.set_class(lang == "hi", "-hindi")
        crit = item.criticality.value
        needs = [w for w, flag in (("note", item.require_note), ("evidence", item.require_evidence)) if flag]
        head = Text.assemble((item.id, "bold"), " · ", (crit, "bold red" if crit == "critical" else ""))
        head.append(f" · {position}")
        self._set("head", head)
        self._set("section", Text(f"{section.id} · {section.title.hi if lang == 'hi' else section.title.en}"))
        # The Hindi title sits on its own free-flowing line: never in a border or a column.
        self._set("hi", Text(item.title_hi, style="bold"))
        # Rendered: each {parameter-id} in the checklist text shows as its value and unit.
        self._set("question", Text(item.question_text.en))
        refs = Text.assemble((f"{words['clauses']}: ", "bold"), ", ".join(item.clauses))
        if item.legal:
            refs.append_text(
                Text.assemble("\n" if lang == "hi" else "  ·  ", (f"{words['legal']}: ", "bold"), ", ".join(item.legal))
            )
        if needs:
            refs.append(f"\n{words['needs']}: " + ", ".join(words[n] for n in needs), style="italic")
        self._set("refs", refs)
        self._set("guidance", Text.assemble((f"{words['guidance']}{sep}", "bold"), item.guidance_text.en))
        look = Text(f"{words['look_for']}:", style="bold")
        for entry in item.evidence:
            look.append(f"\n • {entry}", style="")
        self._set("look-for", look)
        self._set("record", self._record_text(finding, pending, lang, local_time))
        self.scroll_home(animate=False)

    def _record_text(self, finding: Finding | None, pending: str | None, lang: str, local_time: str) -> Text:
        words, names = LABELS[lang], STATUS_NAMES[lang]
        text = Text()
        if finding is None:
            text.append(words["not_answered"], style="italic")
        else:
            status = finding.status.value
            text.append(f"{words['recorded']}: ", style="bold")
            text.append(names[status], style=STATUS_STYLE[status])
            # the details stay in English on their own line (see the note in ``show``)
            text.append(f"\nrevision {finding.revision} · {local_time} · record {finding.seq}")
            if finding.due:
                text.append(f" · due {finding.due}")
            if finding.evidence:
                text.append(f" · {len(finding.evidence)} evidence file(s)")
            if finding.note:
                text.append(f"\n“{finding.note}”", style="italic")
        if pending:
            text.append(f"\n{words['pending']}: ", style="bold yellow")
            text.append(names[pending], style=STATUS_STYLE[pending])
        return text

    def _set(self, part: str, content: Text) -> None:
        self.query_one(f"#item-{part}", Static).update(content)
