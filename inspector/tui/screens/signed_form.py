"""What the screens that sign one follow-up record share (the meeting and follow-up screens):
the audit they belong to, its read model loaded on a worker, their words, the result line, and
the busy state while a record is signed.

A subclass sets ``WORDS`` (its catalogue) and ``PREFIX`` (its widgets' id prefix: the result
line is ``#<PREFIX>-message``, the record button ``#<PREFIX>-record``, the back button
``#<PREFIX>-back``) and defines its own ``Loaded``, ``Recorded`` and ``Failed`` messages, so
that Textual routes them to its ``on_<screen>_loaded`` / ``_recorded`` / ``_failed`` handlers.

Recording is one flow for every such screen (:meth:`_record_flow`): the subclass's ``_check``
runs the core's field checks on a read-only open, so a mistake costs no passphrase; then the key
is unlocked and ``_sign`` appends the record on a writable open. Both run off the UI thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.screen import Screen
from textual.widgets import Button, Static

from inspector.audit.views import AuditView, load_view
from inspector.tui.messages import Problem

if TYPE_CHECKING:
    from inspector.tui.protocols import AppServices
    from inspector.tui.session import Session
    from inspector.tui.words import Catalogue


class SignedFormScreen(Screen[None]):
    """Base of a screen that reads one audit and signs one record of it."""

    WORDS: ClassVar[Catalogue]
    PREFIX: ClassVar[str]
    RECORD_FAILED: ClassVar[str]  # what a failed check or signature is called, e.g. "cannot record the meeting"
    Loaded: ClassVar[Any]  # the subclass's message classes (see the module's note)
    Recorded: ClassVar[Any]
    Failed: ClassVar[Any]

    app: AppServices  # type: ignore[assignment]

    def __init__(self, session: Session, audit_id: str) -> None:
        super().__init__()
        self.session = session
        self.audit_id = audit_id
        self.view: AuditView | None = None
        self.busy = False

    @property
    def lang(self) -> str:
        return self.session.lang

    def words(self, key: str, /, **fields: object) -> str:
        return self.WORDS(self.lang, key, **fields)

    def help_text(self, lang: str) -> str:
        return self.WORDS(lang, "help")

    @work(thread=True, exclusive=True, group="signed-form-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            view = load_view(self.session.audits, self.audit_id)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot read the audit")))
        else:
            self.post_message(self.Loaded(view))

    def _check(self, typed: Any) -> None:
        """Raise what the core says is wrong with ``typed`` (no key needed); run on a thread."""
        raise NotImplementedError

    def _sign(self, audit: Any, typed: Any) -> Any:
        """Append the record of ``typed`` to the writable ``audit`` and return it; run on a thread."""
        raise NotImplementedError

    @work(exclusive=True, group="signed-form-action", exit_on_error=False)
    async def _record_flow(self, typed: Any) -> None:
        try:
            await asyncio.to_thread(self._check, typed)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, self.RECORD_FAILED)))
            return
        key = await self.app.ensure_unlocked()
        if key is None:
            self._set_busy(False)
            self._say(self.words("not_unlocked"), error=True)
            return
        self._say(self.words("signing"))
        await asyncio.to_thread(self._write, typed, key)

    def _write(self, typed: Any, key: Any) -> None:
        try:
            with self.session.audits.open(self.audit_id, writable=True, key=key) as audit:
                record = self._sign(audit, typed)
            view = load_view(self.session.audits, self.audit_id)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, self.RECORD_FAILED)))
        else:
            self.post_message(self.Recorded(record, view))

    def _say(self, message: str, error: bool = False) -> None:
        widget = self.query_one(f"#{self.PREFIX}-message", Static)
        widget.update(Text(message))
        widget.set_class(error, "-error")
        widget.display = bool(message)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self._say(message)
        self.query_one(f"#{self.PREFIX}-record", Button).disabled = busy

    @on(Button.Pressed, ".back-button")
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()
