"""The checklist walk: sections on the left, the current item, and the finding being recorded.

A status key (1-5, or a button) signs and saves the finding at once through the screen's
:class:`AuditWriter`; the result line shows "✓ signed & saved … · record N" or the error,
and unsaved input stays on screen (per item) until it is saved. Moving between items writes
the resume cursor, so reopening the audit comes back to the same item.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input

from inspector.crypto.canonical import parse_time
from inspector.tui.commands import ItemJumpProvider
from inspector.tui.messages import SaveJob
from inspector.tui.widgets.audit_writer import AuditWriter
from inspector.tui.widgets.finding_form import Draft, FindingForm
from inspector.tui.widgets.i18n import SHORT, STATUS_KEYS
from inspector.tui.widgets.item_view import ItemView
from inspector.tui.widgets.save_state import SaveState
from inspector.tui.widgets.section_nav import SectionNav
from inspector.tui.widgets.status_buttons import StatusButtons

if TYPE_CHECKING:
    from inspector.audit.chain import Finding
    from inspector.audit.checklist import Checklist, Section
    from inspector.audit.rules import FindingContext
    from inspector.tui.protocols import AppServices

NONCONFORMITIES = ("minor", "major")
CURSOR_DELAY = 0.4  # seconds on an item before it is remembered as the place to resume
# The input that fixes an error about each field (``InspectorError.field``).
FOCUS_FOR_FIELD = {"note": "#note", "reason": "#reason", "due": "#due"}


def local_clock(utc_text: str) -> str:
    try:
        return parse_time(utc_text).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return utc_text


SAVING_NOTICE_AFTER = 0.15  # seconds


def settle_memory() -> None:
    """Collect once, then leave everything alive now (Textual, the models, the open audit) out
    of later collections. Otherwise a full collection walks all of it every few dozen answers:
    measured 60-90 ms, the worst key-to-next-item times of a walk (issue 16, goal 5)."""
    gc.collect()
    gc.freeze()


class WalkScreen(Screen[None]):
    """The checklist walk of one audit; a :class:`~inspector.tui.protocols.QuitGuard`."""

    CSS_PATH = "walk.tcss"
    COMMANDS = {ItemJumpProvider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The sub-title names the current item, so it changes on every status key. Screen's own
    # reactive repaints the whole screen on a change (about 95 widgets, 5-20 ms a key); the
    # header watches it and repaints just itself, which is all that changes (issue 16, goal 5).
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    BINDINGS = [
        *(Binding(key, f"record('{status}')", SHORT[status], id=f"status-{status}") for key, status, _ in STATUS_KEYS),
        Binding("n", "move(1)", "Next", id="next"),
        Binding("p", "move(-1)", "Prev", id="previous"),
        Binding("u", "next_unanswered", "Unanswered", id="next-unanswered"),
        Binding("e", "focus_field('#note')", "Note", id="note", show=False),
        Binding("d", "focus_field('#due')", "Due date", id="due", show=False),
        Binding("a", "attach", "Attach evidence", id="attach", show=False),
        Binding("ctrl+s", "commit", "Save", id="save", show=False),
        Binding("f", "toggle_filter", "NC only", id="filter"),
        Binding("l", "toggle_language", "Hindi/English", id="language"),
        Binding("s", "summary", "Summary", id="walk-summary", show=False),
        Binding("escape", "back", "Home", id="back"),
        Binding("q", "app.quit", "Quit", id="walk-quit", show=False),
    ]

    app: AppServices  # type: ignore[assignment]

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
        self.lang = "en"
        self.nc_only = False
        self.read_only = False
        self.in_flight = 0  # saves handed to the writer, not yet answered
        self.position_text = ""  # the item's place and the answered count, as shown
        self.saving_job: SaveJob | None = None  # the save whose result is awaited
        self.deferred: list[str] = []  # status keys pressed while a save was in flight
        self.header_text = ""
        self.station_hi = ""
        self.writer: AuditWriter
        self._cursor_timer: Timer | None = None

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
        yield Footer()
        yield self.writer

    def on_mount(self) -> None:
        self.sub_title = "opening the audit…"
        self.query_one("#walk-main").loading = True
        self.writer.open()

    def on_audit_writer_open_failed(self, message: AuditWriter.OpenFailed) -> None:
        self.notify(message.error, title="Cannot open the audit", severity="error", timeout=10)
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
        self.header_text = f"{opened.station.code} {opened.station.name} · {opened.audit_type.value}"
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
            state.notice("this audit is closed: its findings are read-only (s: summary)")
        else:
            state.notice(
                f"{message.records} signed records · resumed at {self.current}"
                if self.findings
                else "press 1-5 to record"
            )
        self.query_one(ItemView).focus()
        self.call_after_refresh(settle_memory)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what settle_memory set aside may be garbage once the walk is left

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
        item_id = self.current
        item = self.checklist.items[item_id]
        section = self.checklist.section_of[item_id]
        finding = self.findings.get(item_id)
        draft = self.drafts.get(item_id) or Draft.of(finding)
        in_section = [i.id for i in section.items].index(item_id) + 1
        position = (
            f"{in_section}/{len(section.items)} in {section.id} · {len(self.findings)}/{len(self.order)} answered"
        )
        if self.nc_only:
            position += " · showing nonconformities"
        self.position_text = position
        clock = local_clock(finding.time) if finding else ""
        self.query_one(ItemView).show(item, section, position, finding, draft.status, self.lang, clock)
        self.query_one(StatusButtons).show(finding.status.value if finding else None, draft.status)
        self.query_one(FindingForm).load(draft, len(finding.evidence) if finding else 0)
        answered: dict[str, int] = {}
        ncs: dict[str, int] = {}
        for done_id, done in self.findings.items():
            sid = self.checklist.section_of[done_id].id
            answered[sid] = answered.get(sid, 0) + 1
            ncs[sid] = ncs.get(sid, 0) + (done.status.value in NONCONFORMITIES)
        self.query_one(SectionNav).show(self.sections, answered, ncs, section.id)
        self.sub_title = f"{self.header_text} · {item_id}"

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
            self.query_one(SaveState).notice(
                "last item: u goes to the next unanswered one" if step > 0 else "first item"
            )
            return
        self.go(later[0] if step > 0 else later[-1])

    def action_next_unanswered(self) -> None:
        if self.checklist is None:
            return
        index = self._first_unanswered(self.index + 1)
        if index is None:
            self.query_one(SaveState).notice("every item is answered: s opens the summary")
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
            self.query_one(SaveState).notice("no nonconformities recorded yet")
            return
        self.nc_only = not self.nc_only
        if self.nc_only and not self._is_nc(self.current):
            self.go(self._visible()[0])
        else:
            self.show_current()

    def action_toggle_language(self) -> None:
        self.lang = "hi" if self.lang == "en" else "en"
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
        yield "Next unanswered item", self.action_next_unanswered, "u"
        yield "Show only nonconformities (toggle)", self.action_toggle_filter, "f"
        yield "Hindi / English labels", self.action_toggle_language, "l"
        yield "Attach an evidence file", self.action_attach, "a"
        yield "Summary of this audit", self.action_summary, "s"

    # -- editing --------------------------------------------------------------------------------------
    @on(Input.Changed, "#note, #due, #reason")
    def edited(self, event: Input.Changed) -> None:
        if self.checklist is not None:
            setattr(self.draft(), str(event.input.id), event.value)

    @on(Input.Submitted, "#note, #due, #reason")
    def submitted(self) -> None:
        self.query_one(ItemView).focus()  # single keys work again; a failed save refocuses the field
        self.action_commit()

    @on(Button.Pressed, "#statuses Button")
    def status_clicked(self, event: Button.Pressed) -> None:
        self.action_record(str(event.button.id).removeprefix("status-"))

    @on(Button.Pressed, "#attach")
    def action_attach(self) -> None:
        if self.read_only or self.checklist is None:
            return
        from inspector.tui.widgets.file_picker import FilePicker

        item_id = self.current
        last = self.draft(item_id).evidence[-1].parent if self.draft(item_id).evidence else Path.home()
        self.app.push_screen(FilePicker(last, f"Evidence for {item_id}"), lambda path: self._attached(item_id, path))

    def _attached(self, item_id: str, path: Path | None) -> None:
        if path is None:
            return
        draft = self.draft(item_id)
        if path not in draft.evidence:
            draft.evidence.append(path)
        if item_id == self.current:
            self.show_current()
        if draft.status or item_id in self.findings:
            self.action_commit()  # attach to the stored finding at once
        else:
            self.query_one(SaveState).notice(f"{path.name} will be attached when you record {item_id} (1-5)")

    # -- recording ----------------------------------------------------------------------------------
    def action_record(self, status: str) -> None:
        if self.checklist is None:
            return
        if self.read_only:
            self.query_one(SaveState).notice("this audit is closed: findings can no longer change")
            return
        if self.in_flight:
            self.deferred.append(status)  # applied once the item shown has been saved
            return
        if self.app.session.key is None:
            self.run_worker(self._unlock_then(status), group="walk-unlock", exclusive=True)
            return
        if status == "na" and not self._na_reason_ready():
            return
        draft = self.draft()
        finding = self.findings.get(self.current)
        if finding is not None and finding.status.value == status and not draft.differs_from(finding):
            self.query_one(SaveState).notice(f"{self.current} is already recorded as {SHORT[status]}")
            self.action_move(1)
            return
        self._submit(status, advance=True)

    def _na_reason_ready(self) -> bool:
        """True when the current item may be recorded N/A now; else say why not, or ask for the
        written reason the rules require (and record once it is given)."""
        from inspector.audit.rules import na_problems

        assert self.checklist is not None and self.context is not None
        item_id = self.current
        refused = na_problems(self.checklist, item_id, self.context)
        if refused:
            self.query_one(SaveState).notice(f"✗ not recorded: {refused[0].message}")
            return False
        if not self.context.current or self.draft().reason.strip():
            return True
        from inspector.tui.widgets.reason_prompt import ReasonPrompt

        def answered(reason: str | None) -> None:
            if reason is None:
                self.query_one(SaveState).notice(f"{item_id}: not recorded (N/A needs a reason)")
                return
            self.draft(item_id).reason = reason
            if item_id == self.current:
                self.show_current()
                self.action_record("na")

        self.app.push_screen(
            ReasonPrompt(f"Why is {item_id} not applicable at this station?", placeholder="the written reason"),
            answered,
        )
        return False

    async def _unlock_then(self, status: str) -> None:
        if await self.app.ensure_unlocked() is None:
            self.query_one(SaveState).notice("the key is locked: nothing was saved")
            return
        self.action_record(status)

    def action_commit(self) -> None:
        """Save the note, due date, reason or files of the current item with its status."""
        if self.checklist is None or self.read_only:
            return
        draft, finding = self.draft(), self.findings.get(self.current)
        status = draft.status or (finding.status.value if finding else None)
        if status is None:
            self.query_one(SaveState).notice(f"input kept: now choose a status for {self.current} (1-5)")
            self.query_one(ItemView).focus()
            return
        if not draft.differs_from(finding):
            self.query_one(SaveState).notice("nothing new to save")
            return
        if self.app.session.key is None:
            self.run_worker(self._unlock_then(status), group="walk-unlock", exclusive=True)
            return
        self._submit(status, advance=False)

    def _submit(self, status: str, advance: bool) -> None:
        key = self.app.session.key
        assert key is not None
        draft = self.draft()
        draft.status = status
        nc = status in NONCONFORMITIES
        job = SaveJob(
            item=self.current,
            status=status,
            note=draft.note.strip() or None,
            due=(draft.due.strip() or None) if nc else None,
            reason=draft.reason.strip() or None,
            evidence=list(draft.evidence),
            advance=advance and not nc,
        )
        self.in_flight += 1
        self.saving_job = job
        # A save takes a few milliseconds: painting "saving…" first would cost a whole extra
        # frame per answer, so it is shown only if the save is still running after a moment.
        self.set_timer(SAVING_NOTICE_AFTER, lambda: self._still_saving(job))
        self.writer.save(job, key)
        self.app.session.touch()

    def _still_saving(self, job: SaveJob) -> None:
        if self.saving_job is job:
            self.query_one(SaveState).saving(job.item)

    def on_audit_writer_saved(self, message: AuditWriter.Saved) -> None:
        job, finding = message.job, message.finding
        self.in_flight -= 1
        self.saving_job = None
        self.findings[job.item] = finding
        draft = self.drafts.get(job.item)
        if draft is not None:
            draft.status = None
            draft.evidence = [p for p in draft.evidence if p not in job.evidence]
            if not draft.differs_from(finding):
                del self.drafts[job.item]
        self.query_one(SaveState).saved(job.item, SHORT[job.status], local_clock(finding.time), finding.seq)
        if job.item == self.current and job.advance and self._has_next():
            self.action_move(1)
        else:
            self.show_current()  # also on the last item, so counts and status show what was saved
        if job.status in NONCONFORMITIES and job.item == self.current and not finding.due:
            self.query_one(SaveState).saved(
                job.item, SHORT[job.status] + " (d: set a due date · n: next)", local_clock(finding.time), finding.seq
            )
        self._replay_deferred()

    def on_audit_writer_save_failed(self, message: AuditWriter.SaveFailed) -> None:
        job = message.job
        self.in_flight -= 1
        self.saving_job = None
        self.deferred.clear()  # they were aimed at the items after this one
        self.draft(job.item).status = job.status
        if job.item != self.current:
            self.goto_item(job.item)
        else:
            self.show_current()
        self.query_one(SaveState).failed(job.item, message.error, message.field)
        selector = FOCUS_FOR_FIELD.get(message.field or "")
        if selector is not None:
            self.query_one(selector, Input).focus()

    def _replay_deferred(self) -> None:
        while self.deferred and not self.in_flight:
            self.action_record(self.deferred.pop(0))

    def on_audit_writer_idle(self, message: AuditWriter.Idle) -> None:
        if message.problem:
            self.notify(message.problem.error, severity="warning")

    # -- leaving ------------------------------------------------------------------------------------------
    def unsaved(self) -> list[str]:
        return [item for item, draft in self.drafts.items() if draft.differs_from(self.findings.get(item))]

    async def prepare_to_quit(self) -> bool:
        """Ask about unsaved input, wait for the writer, release the audit. False: stay."""
        pending = self.unsaved()
        if pending:
            from inspector.tui.screens.confirm import ConfirmScreen

            shown = ", ".join(pending[:4]) + (" …" if len(pending) > 4 else "")
            question = f"Input for {shown} is not saved. Leave anyway and lose it?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Leave", no="Stay")):
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
            self.notify("the summary screen is not part of this build", severity="error")
            return
        session, audit_id = self.app.session, self.audit_id
        self.run_worker(
            self._leave(lambda: self.app.switch_screen(SummaryScreen(session, audit_id))), group="walk-leave"
        )
