"""The checklist walk: sections on the left, the current item, and the finding being recorded.

A status key (1-5, or a button) signs and saves the finding at once (the recording half,
:mod:`inspector.tui.screens.walk_record`); the result line shows "✓ signed & saved … · record N"
or the error, and unsaved input stays on screen (per item) until it is saved. Moving between
items writes the resume cursor, so reopening the audit comes back to the same item. Every word
shown comes from the catalogues ``words/walk.py``, ``words/item.py`` and ``words/finding.py``,
in the session's language.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive
from textual.timer import Timer
from textual.widgets import Footer, Header, Input

from inspector.tui.commands import ItemJumpProvider
from inspector.tui.keymap import reword_bindings
from inspector.tui.messages import SaveJob
from inspector.tui.screens.walk_keys import RepeatGuard
from inspector.tui.screens.walk_record import NONCONFORMITIES, WalkRecording, key_time, local_clock
from inspector.tui.widgets.audit_writer import AuditWriter
from inspector.tui.widgets.finding_form import Draft, FindingForm
from inspector.tui.widgets.i18n import STATUS_KEYS, short_name
from inspector.tui.widgets.item_view import ItemView
from inspector.tui.widgets.save_state import SaveState
from inspector.tui.widgets.section_nav import SectionNav
from inspector.tui.widgets.status_buttons import StatusButtons
from inspector.tui.words import other
from inspector.tui.words.item import WORDS as ITEM
from inspector.tui.words.walk import WORDS

if TYPE_CHECKING:
    from inspector.audit.chain import Finding
    from inspector.audit.checklist import Checklist, Section
    from inspector.audit.rules import FindingContext

__all__ = ["NONCONFORMITIES", "WalkScreen", "local_clock"]

CURSOR_DELAY = 0.4  # seconds on an item before it is remembered as the place to resume


def settle_memory() -> None:
    """Collect once, then leave everything alive now (Textual, the models, the open audit) out
    of later collections. Otherwise a full collection walks all of it every few dozen answers:
    measured 60-90 ms, the worst key-to-next-item times of a walk (issue 16, goal 5)."""
    gc.collect()
    gc.freeze()


class WalkScreen(WalkRecording):
    """The checklist walk of one audit; a :class:`~inspector.tui.protocols.QuitGuard` and a
    :class:`~inspector.tui.protocols.HasHelp`."""

    CSS_PATH = "walk.tcss"
    COMMANDS = {ItemJumpProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The sub-title names the current item, so it changes on every status key. Screen's own
    # reactive repaints the whole screen on a change (about 95 widgets, 5-20 ms a key); the
    # header watches it and repaints just itself, which is all that changes (issue 16, goal 5).
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    # Descriptions are the English words; ``_word_bindings`` puts the session's language in.
    # The status keys stay out of the footer: the buttons show them with their keys, and at
    # 80 columns the footer has room for the moving keys only.
    BINDINGS = [
        *(
            Binding(key, f"record('{status}')", short_name("en", status), id=f"status-{status}", show=False)
            for key, status in STATUS_KEYS
        ),
        Binding("n", "move(1)", WORDS("en", "key_next"), id="next"),
        Binding("p", "move(-1)", WORDS("en", "key_previous"), id="previous"),
        Binding("u", "next_unanswered", WORDS("en", "key_next-unanswered"), id="next-unanswered"),
        Binding("e", "focus_field('#note')", WORDS("en", "key_note"), id="note", show=False),
        Binding("d", "focus_field('#due')", WORDS("en", "key_due"), id="due", show=False),
        Binding("a", "attach", WORDS("en", "key_attach"), id="attach", show=False),
        Binding("ctrl+s", "commit", WORDS("en", "key_save"), id="save", show=False),
        Binding("f", "toggle_filter", WORDS("en", "key_filter"), id="filter"),
        Binding("l", "toggle_language", WORDS("en", "key_language"), id="language"),
        Binding("s", "summary", WORDS("en", "key_walk-summary"), id="walk-summary"),
        Binding("escape", "back", WORDS("en", "key_back"), id="back"),
        Binding("q", "app.quit", WORDS("en", "key_walk-quit"), id="walk-quit", show=False),
    ]

    def __init__(self, audit_id: str) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.checklist: Checklist | None = None
        self.sections: list[Section] = []  # the audit's scope
        self.context: FindingContext | None = None  # what the finding rules depend on
        self.order: list[str] = []
        self.index = 0
        self.findings: dict[str, Finding] = {}
        self.drafts: dict[str, Draft] = {}
        self.nc_only = False
        self.read_only = False
        self.in_flight = 0
        self.position_text = ""  # the item's place and the answered count, as shown
        self.saving_job: SaveJob | None = None
        self.deferred: list[str] = []
        self.station: tuple[str, str, str] = ("", "", "")  # code, English name, audit type
        self.station_hi = ""
        self.repeat_guard = RepeatGuard()
        self.key_clock: Callable[[events.Key], float] = key_time
        self._cursor_timer: Timer | None = None

    @property
    def lang(self) -> str:
        return self.app.session.lang

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.writer = AuditWriter(self.app.session, self.audit_id)
        yield Header()
        with Horizontal(id="walk-body"):
            yield SectionNav(id="sections")
            with Vertical(id="walk-main"):
                yield ItemView(id="item")
                yield StatusButtons(id="statuses")
                yield FindingForm(id="form")
                yield SaveState("", id="save-state")
        yield Footer(compact=True)
        yield self.writer

    def on_mount(self) -> None:
        self.app.language_signal.subscribe(self, self._on_language)
        self._on_language(self.lang, show=False)
        self.sub_title = WORDS(self.lang, "opening")
        self.query_one("#walk-main").loading = True
        self.writer.open()

    def on_audit_writer_open_failed(self, message: AuditWriter.OpenFailed) -> None:
        self.notify(message.error, title=WORDS(self.lang, "cannot_open"), severity="error", timeout=10)
        self.dismiss()

    def on_audit_writer_opened(self, message: AuditWriter.Opened) -> None:
        audit = message.audit
        self.checklist = audit.checklist
        scope = set(audit.sections)  # a stage 1 or surveillance audit walks only its sections
        self.sections = [s for s in audit.checklist.sections if s.id in scope]
        self.context = audit.context
        self.order = list(audit.items)
        self.findings = dict(message.findings)
        self.read_only = not audit.writable
        opened = audit.opened
        self.station = (opened.station.code, opened.station.name, opened.audit_type.value)
        self.station_hi = message.station_hi
        if message.cursor in self.order:
            self.index = self.order.index(message.cursor)
        else:
            self.index = self._first_unanswered(0) or 0
        self.query_one("#walk-main").loading = False
        self.query_one(FindingForm).set_enabled(not self.read_only)
        self.show_current()
        state = self.query_one(SaveState)
        if self.read_only:
            state.notice(WORDS(self.lang, "read_only"))
        elif self.findings:
            state.notice(WORDS(self.lang, "resumed", records=message.records, item=self.current))
        else:
            state.notice(WORDS(self.lang, "press_to_record"))
        self.query_one(ItemView).focus()
        self.call_after_refresh(settle_memory)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what settle_memory set aside may be garbage once the walk is left

    # -- language and help ------------------------------------------------------------------------
    def _on_language(self, lang: str, show: bool = True) -> None:
        self._word_bindings(lang)
        self.query_one(StatusButtons).set_language(lang)
        self.query_one(FindingForm).set_language(lang)
        self.query_one(SaveState).lang = lang
        if show and self.checklist is not None:
            self.show_current()

    def _word_bindings(self, lang: str) -> None:
        """Footer descriptions in ``lang``: a status key's short name, else ``key_<id>``."""

        def describe(bid: str) -> str | None:
            if bid.startswith("status-"):
                return short_name(lang, bid.removeprefix("status-"))
            return WORDS(lang, f"key_{bid}") if f"key_{bid}" in WORDS else None

        reword_bindings(self, describe)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def action_toggle_language(self) -> None:
        self.app.set_language(other(self.lang))

    # -- what is shown ------------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.order[self.index]

    def draft(self, item_id: str | None = None) -> Draft:
        item_id = item_id or self.current
        if item_id not in self.drafts:
            self.drafts[item_id] = Draft.of(self.findings.get(item_id))
        return self.drafts[item_id]

    def show_current(self) -> None:
        if self.checklist is None:
            return
        lang = self.lang
        item_id = self.current
        item = self.checklist.items[item_id]
        section = self.checklist.section_of[item_id]
        finding = self.findings.get(item_id)
        draft = self.drafts.get(item_id) or Draft.of(finding)
        in_section = [i.id for i in section.items].index(item_id) + 1
        position = ITEM(
            lang,
            "position",
            n=in_section,
            total=len(section.items),
            section=section.id,
            answered=len(self.findings),
            count=len(self.order),
        )
        if self.nc_only:
            position += ITEM(lang, "showing_ncs")
        self.position_text = position
        clock = local_clock(finding.time) if finding else ""
        self.query_one(ItemView).show(item, section, position, finding, draft.status, lang, clock)
        self.query_one(StatusButtons).show(finding.status.value if finding else None, draft.status)
        self.query_one(FindingForm).load(draft, [ref.name for ref in finding.evidence] if finding else [])
        answered: dict[str, int] = {}
        ncs: dict[str, int] = {}
        for done_id, done in self.findings.items():
            sid = self.checklist.section_of[done_id].id
            answered[sid] = answered.get(sid, 0) + 1
            ncs[sid] = ncs.get(sid, 0) + (done.status.value in NONCONFORMITIES)
        self.query_one(SectionNav).show(self.sections, answered, ncs, section.id)
        code, name, audit_type = self.station
        if lang == "hi" and self.station_hi:
            name = self.station_hi
        self.sub_title = f"{code} {name} · {WORDS(lang, f'type_{audit_type}')} · {item_id}"

    # -- moving -------------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        if not self.order or index == self.index:
            return
        self.index = index
        self.show_current()
        if not self.read_only:
            # Written once the auditor settles on an item, not for every item passed by:
            # a burst of answers then costs one cursor write, not one per answer.
            if self._cursor_timer is not None:
                self._cursor_timer.stop()
            self._cursor_timer = self.set_timer(CURSOR_DELAY, self._write_cursor)

    def _write_cursor(self) -> None:
        self._cursor_timer = None
        if self.checklist is not None and not self.writer.closed:
            self.writer.cursor(self.current)

    def goto_item(self, item_id: str) -> None:
        if item_id in self.order:
            if self.nc_only and not self._is_nc(item_id):
                self.nc_only = False
            self.go(self.order.index(item_id))
            self.query_one(ItemView).focus()

    def _is_nc(self, item_id: str) -> bool:
        finding = self.findings.get(item_id)
        return finding is not None and finding.status.value in NONCONFORMITIES

    def _visible(self) -> list[int]:
        return [i for i, item in enumerate(self.order) if not self.nc_only or self._is_nc(item)]

    def _has_next(self) -> bool:
        return any(i > self.index for i in self._visible())

    def _first_unanswered(self, start: int) -> int | None:
        count = len(self.order)
        for step in range(count):
            index = (start + step) % count
            if self.order[index] not in self.findings:
                return index
        return None

    def action_move(self, step: int) -> None:
        if self.checklist is None:
            return
        visible = self._visible()
        later = [i for i in visible if (i > self.index if step > 0 else i < self.index)]
        if not later:
            self.query_one(SaveState).notice(WORDS(self.lang, "last_item" if step > 0 else "first_item"))
            return
        self.go(later[0] if step > 0 else later[-1])

    def action_next_unanswered(self) -> None:
        if self.checklist is None:
            return
        index = self._first_unanswered(self.index + 1)
        if index is None:
            self.query_one(SaveState).notice(WORDS(self.lang, "all_answered"))
            return
        self.go(index)

    @on(SectionNav.Chosen)
    def section_chosen(self, event: SectionNav.Chosen) -> None:
        if self.checklist is None:
            return
        section = next(s for s in self.checklist.sections if s.id == event.section_id)
        ids = [item.id for item in section.items]
        target = next((i for i in ids if i not in self.findings), ids[0])
        self.nc_only = False
        self.goto_item(target)

    def action_toggle_filter(self) -> None:
        if not self.nc_only and not any(self._is_nc(i) for i in self.order):
            self.query_one(SaveState).notice(WORDS(self.lang, "no_ncs"))
            return
        self.nc_only = not self.nc_only
        if self.nc_only and not self._is_nc(self.current):
            self.go(self._visible()[0])
        else:
            self.show_current()

    def action_focus_field(self, selector: str) -> None:
        if not self.read_only and self.checklist is not None:
            self.query_one(selector, Input).focus()

    # -- palette --------------------------------------------------------------------------------------
    def jump_targets(self) -> Iterator[tuple[str, str, str]]:
        if self.checklist is None:
            return
        for item_id in self.order:
            yield item_id, self.checklist.items[item_id].question, self.checklist.section_of[item_id].title.en

    def palette_actions(self) -> Iterator[tuple[str, Callable[[], Any], str]]:
        # English: the palette draws its entries in a bordered list (see inspector/tui/commands.py)
        yield WORDS("en", "palette_unanswered"), self.action_next_unanswered, "u"
        yield WORDS("en", "palette_filter"), self.action_toggle_filter, "f"
        yield WORDS("en", "palette_language"), self.action_toggle_language, "l"
        yield WORDS("en", "palette_attach"), self.action_attach, "a"
        yield WORDS("en", "palette_summary"), self.action_summary, "s"

    # -- leaving ------------------------------------------------------------------------------------------
    def unsaved(self) -> list[str]:
        return [item for item, draft in self.drafts.items() if draft.differs_from(self.findings.get(item))]

    async def prepare_to_quit(self) -> bool:
        """Ask about unsaved input, wait for the writer, release the audit. False: stay."""
        pending = self.unsaved()
        if pending:
            from inspector.tui.screens.confirm import ConfirmScreen

            shown = ", ".join(pending[:4]) + (" …" if len(pending) > 4 else "")
            question = WORDS(self.lang, "unsaved", items=shown)
            ask = ConfirmScreen(question, yes=WORDS(self.lang, "leave"), no=WORDS(self.lang, "stay"))
            if not await self.app.push_screen_wait(ask):
                self.goto_item(pending[0])
                return False
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
            self._cursor_timer = None
        if self.checklist is not None and not self.read_only:
            self.writer.cursor(self.current)
        self.writer.close()
        await self.writer.idle.wait()
        return True

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(ItemView).focus()
            return
        self.run_worker(self._leave(), group="walk-leave", exclusive=True)

    async def _leave(self, then: Callable[[], Any] | None = None) -> None:
        if await self.prepare_to_quit():
            if then is None:
                self.dismiss()
            else:
                then()

    def action_summary(self) -> None:
        try:
            from inspector.tui.screens.summary import SummaryScreen
        except ImportError:
            self.notify(WORDS(self.lang, "no_summary"), severity="error")
            return
        session, audit_id = self.app.session, self.audit_id
        self.run_worker(
            self._leave(lambda: self.app.switch_screen(SummaryScreen(session, audit_id))), group="walk-leave"
        )
