"""The walk's recording half: a status key (1-5, or a button) to a signed, saved finding.

A status key signs and saves the finding at once through the screen's
:class:`~inspector.tui.widgets.audit_writer.AuditWriter`; unsaved input stays on screen (per
item) until it is saved. Two habits are mended here (issue 14):

- a status key held down records once (:mod:`inspector.tui.screens.walk_keys`);
- a key that would change a recorded status asks first, old → new, with what the finding
  rules require of the new status (a reason for N/A or a downgrade, a note for a
  nonconformity that needs one); cancelling changes nothing.

:class:`WalkRecording` is the base of :class:`~inspector.tui.screens.walk.WalkScreen`, which
owns the state and the display; this half only records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input

from inspector.crypto.canonical import parse_time
from inspector.tui.messages import SaveJob
from inspector.tui.screens.walk_keys import RepeatGuard
from inspector.tui.widgets.audit_writer import AuditWriter
from inspector.tui.widgets.finding_form import Draft
from inspector.tui.widgets.i18n import STATUS_OF_KEY, short_name
from inspector.tui.widgets.item_view import ItemView
from inspector.tui.widgets.save_state import SaveState
from inspector.tui.words.finding import WORDS, problem_text

if TYPE_CHECKING:
    from inspector.audit.chain import Finding
    from inspector.audit.checklist import Checklist
    from inspector.audit.rules import FindingContext
    from inspector.tui.protocols import AppServices
    from inspector.tui.screens.confirm import ChangeAnswer

NONCONFORMITIES = ("minor", "major")
SAVING_NOTICE_AFTER = 0.15  # seconds
# The input that fixes an error about each field (``InspectorError.field``).
FOCUS_FOR_FIELD = {"note": "#note", "reason": "#reason", "due": "#due"}


def local_clock(utc_text: str) -> str:
    try:
        return parse_time(utc_text).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return utc_text


def key_time(event: events.Key) -> float:
    """When a key arrived (seconds, monotonic); tests put a clock of their own in its place."""
    return event.time


def change_needs(
    checklist: Checklist, item_id: str, status: str, draft: Draft, context: FindingContext
) -> tuple[bool, bool]:
    """(a reason, a note): what the finding rules want of ``status`` for ``item_id`` that the
    confirmation of a change should ask for. The reason is asked whenever the rules need one
    (what was typed before is shown for editing); the note only when it is missing. Evidence
    files are not asked here: a save without a needed file is refused and says so."""
    from inspector.audit.rules import finding_rule_problems, parse_status

    problems = finding_rule_problems(
        checklist, item_id, parse_status(status), draft.note.strip() or None, True, None, None, context
    )
    fields = {problem.field for problem in problems}
    return "reason" in fields, "note" in fields


class WalkRecording(Screen[None]):
    """Recording findings; the state it works on is made by :class:`WalkScreen`."""

    app: AppServices  # type: ignore[assignment]

    audit_id: str
    checklist: Checklist | None
    context: FindingContext | None
    findings: dict[str, Finding]
    drafts: dict[str, Draft]
    read_only: bool
    in_flight: int  # saves handed to the writer, not yet answered
    saving_job: SaveJob | None  # the save whose result is awaited
    deferred: list[str]  # status keys pressed while a save was in flight
    writer: AuditWriter
    repeat_guard: RepeatGuard
    key_clock: Callable[[events.Key], float]
    _cursor_timer: Timer | None

    if TYPE_CHECKING:  # provided by WalkScreen

        @property
        def current(self) -> str: ...
        @property
        def lang(self) -> str: ...
        def draft(self, item_id: str | None = None) -> Draft: ...
        def show_current(self) -> None: ...
        def action_move(self, step: int) -> None: ...
        def goto_item(self, item_id: str) -> None: ...
        def _has_next(self) -> bool: ...

    # -- keys -------------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """Every key that reaches the screen passes here before its binding runs (bindings are
        looked up once the key has bubbled up to the app): a held status key stops here."""
        status = STATUS_OF_KEY.get(event.key)
        if self.repeat_guard.is_repeat(event.key, self.key_clock(event), status is not None):
            event.stop()
            event.prevent_default()
            if self.checklist is not None:
                self.query_one(SaveState).notice(WORDS(self.lang, "held_key", key=event.key, item=self.current))

    def on_screen_resume(self) -> None:
        self.repeat_guard.reset()  # the keys pressed meanwhile went to the screen on top

    # -- editing ----------------------------------------------------------------------------------
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
        from inspector.tui.widgets.file_picker import FilePicker, evidence_folder
        from inspector.tui.words.walk import WORDS as WALK

        item_id = self.current
        start = evidence_folder(self.app.session.data.root)
        picker = FilePicker(start, WALK(self.lang, "picker_title", item=item_id), lang=self.lang)
        self.app.push_screen(picker, lambda path: self._attached(item_id, path))

    def _attached(self, item_id: str, path: Path | None) -> None:
        if path is None:
            return
        from inspector.tui.widgets.file_picker import remember_folder

        remember_folder(self.app.session.data.root, path)
        draft = self.draft(item_id)
        if path not in draft.evidence:
            draft.evidence.append(path)
        if item_id == self.current:
            self.show_current()
        if draft.status or item_id in self.findings:
            self.action_commit()  # attach to the stored finding at once
        else:
            self.query_one(SaveState).notice(WORDS(self.lang, "attach_later", name=path.name, item=item_id))

    # -- recording --------------------------------------------------------------------------------
    def action_record(self, status: str, confirmed: bool = False) -> None:
        """Record ``status`` for the current item; ``confirmed``: a change of its recorded
        status the auditor has already confirmed."""
        if self.checklist is None:
            return
        if self.read_only:
            self.query_one(SaveState).notice(WORDS(self.lang, "closed_no_change"))
            return
        if self.in_flight:
            self.deferred.append(status)  # applied once the item shown has been saved
            return
        if self.app.session.key is None:
            self.run_worker(self._unlock_then(status, confirmed), group="walk-unlock", exclusive=True)
            return
        draft = self.draft()
        finding = self.findings.get(self.current)
        if finding is not None and finding.status.value == status and not draft.differs_from(finding):
            already = WORDS(self.lang, "already", item=self.current, status=short_name(self.lang, status))
            self.query_one(SaveState).notice(already)
            self.action_move(1)
            return
        if status == "na" and self._na_refused():
            return
        if finding is not None and finding.status.value != status and not confirmed:
            self._confirm_change(finding, status)
            return
        if status == "na" and not self._na_reason_ready():
            return
        self._submit(status, advance=True)

    def _na_refused(self) -> bool:
        """True (and says why) when the current item may not be N/A in this audit at all."""
        from inspector.audit.rules import na_problems

        assert self.checklist is not None and self.context is not None
        refused = na_problems(self.checklist, self.current, self.context)
        if refused:
            problem = problem_text(self.lang, refused[0].code, self.current, refused[0].message)
            self.query_one(SaveState).notice(WORDS(self.lang, "not_recorded", problem=problem))
        return bool(refused)

    def _confirm_change(self, finding: Finding, status: str) -> None:
        """Ask before ``finding``'s status becomes ``status``; record once confirmed."""
        from inspector.tui.screens.confirm import ChangeStatusScreen, StatusChange

        assert self.checklist is not None and self.context is not None
        item_id, draft = self.current, self.draft()
        needs_reason, needs_note = change_needs(self.checklist, item_id, status, draft, self.context)
        old = finding.status.value
        change = StatusChange(item_id, old, status, needs_reason, needs_note, draft.reason.strip(), draft.note.strip())

        def answered(answer: ChangeAnswer | None) -> None:
            if answer is None:
                self.query_one(SaveState).notice(
                    WORDS(self.lang, "change_kept", item=item_id, old=short_name(self.lang, old))
                )
                return
            kept = self.draft(item_id)
            kept.reason, kept.note = answer.reason, answer.note
            if item_id != self.current:
                self.goto_item(item_id)
            self.show_current()
            self.action_record(status, confirmed=True)

        self.app.push_screen(ChangeStatusScreen(change, lang=self.lang), answered)

    def _na_reason_ready(self) -> bool:
        """True when the current item may be recorded N/A now; else ask for the written reason
        the rules require (and record once it is given)."""
        assert self.context is not None
        item_id = self.current
        if not self.context.current or self.draft().reason.strip():
            return True
        from inspector.tui.widgets.reason_prompt import ReasonPrompt

        def answered(reason: str | None) -> None:
            if reason is None:
                self.query_one(SaveState).notice(WORDS(self.lang, "na_cancelled", item=item_id))
                return
            self.draft(item_id).reason = reason
            if item_id == self.current:
                self.show_current()
                self.action_record("na")

        prompt = ReasonPrompt(
            WORDS(self.lang, "na_question", item=item_id),
            placeholder=WORDS(self.lang, "reason_placeholder_prompt"),
            lang=self.lang,
        )
        self.app.push_screen(prompt, answered)
        return False

    async def _unlock_then(self, status: str, confirmed: bool = False) -> None:
        if await self.app.ensure_unlocked() is None:
            self.query_one(SaveState).notice(WORDS(self.lang, "locked"))
            return
        self.action_record(status, confirmed)

    def action_commit(self) -> None:
        """Save the note, due date, reason or files of the current item with its status."""
        if self.checklist is None or self.read_only:
            return
        draft, finding = self.draft(), self.findings.get(self.current)
        status = draft.status or (finding.status.value if finding else None)
        if status is None:
            self.query_one(SaveState).notice(WORDS(self.lang, "choose_status", item=self.current))
            self.query_one(ItemView).focus()
            return
        if not draft.differs_from(finding):
            self.query_one(SaveState).notice(WORDS(self.lang, "nothing_new"))
            return
        if self.app.session.key is None:
            # a pending status was chosen (and any change of it confirmed) before the key locked
            self.run_worker(self._unlock_then(status, True), group="walk-unlock", exclusive=True)
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
        short = short_name(self.lang, job.status)
        self.query_one(SaveState).saved(job.item, short, local_clock(finding.time), finding.seq)
        if job.item == self.current and job.advance and self._has_next():
            self.action_move(1)
        else:
            self.show_current()  # also on the last item, so counts and status show what was saved
        if job.status in NONCONFORMITIES and job.item == self.current and not finding.due:
            self.query_one(SaveState).saved(
                job.item, WORDS(self.lang, "saved_nc_no_due", status=short), local_clock(finding.time), finding.seq
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
        error = problem_text(self.lang, message.code, job.item, message.error)
        self.query_one(SaveState).failed(job.item, error, message.field)
        selector = FOCUS_FOR_FIELD.get(message.field or "")
        if selector is not None:
            self.query_one(selector, Input).focus()

    def _replay_deferred(self) -> None:
        while self.deferred and not self.in_flight:
            self.action_record(self.deferred.pop(0))
