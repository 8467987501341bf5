"""How workers report, and what more than one screen or widget shares.

The one idiom for the app's thread workers: the worker does the disk and crypto calls and posts
a message with the result, or, when anything goes wrong, a :class:`WorkerFailed` message carrying
a :class:`Problem` (the line to show, and the error's ``code`` and ``field`` as data).
``post_message`` is Textual's thread-safe way to reach the UI thread; the handlers of these
messages are the only code that changes screen state. Workers therefore end in::

    try:
        result = ...
    except Exception as exc:
        self.post_message(self.Failed(Problem.of(exc, "cannot read the audit")))
    else:
        self.post_message(self.Loaded(result))

Each message is defined inside the one screen or widget that posts it (as ``Button.Pressed``):
``UnlockScreen.Failed`` is handled by ``on_unlock_screen_failed``. Async workers that only wait
for the auditor (a confirmation, the unlock modal) call no core code and need no such handling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from inspector.errors import InspectorError

__all__ = ["UNEXPECTED", "Problem", "SaveJob", "WorkerFailed"]

UNEXPECTED = "unexpected"  # the code of a failure that was not an InspectorError


@dataclass(frozen=True)
class Problem:
    """Why a worker's job failed, as data a screen can act on.

    ``error`` is the line to show; ``code`` the error's stable code (``InspectorError.code``,
    ``"unexpected"`` for any other exception); ``field`` the input it concerns or None.
    """

    error: str
    code: str = UNEXPECTED
    field: str | None = None

    @classmethod
    def of(cls, exc: Exception, doing: str) -> Problem:
        """An :class:`InspectorError` in its own words; anything else as ``"<doing>: <exc>"``."""
        if isinstance(exc, InspectorError):
            return cls(str(exc), exc.code, exc.field)
        return cls(f"{doing}: {exc}")

    @classmethod
    def during(cls, exc: Exception, doing: str) -> Problem:
        """Always ``"<doing>: <exc>"``: for side jobs whose errors need saying what was being done."""
        if isinstance(exc, InspectorError):
            return cls(f"{doing}: {exc}", exc.code, exc.field)
        return cls(f"{doing}: {exc}")


class WorkerFailed(Message):
    """Base of the failure messages workers post; subclasses add what the job was."""

    def __init__(self, problem: Problem) -> None:
        super().__init__()
        self.problem = problem

    @property
    def error(self) -> str:
        return self.problem.error

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def field(self) -> str | None:
        return self.problem.field


@dataclass
class SaveJob:
    """One finding to sign and store, as the auditor gave it (the walk screen asks, its writer does)."""

    item: str
    status: str
    note: str | None
    due: str | None
    reason: str | None
    evidence: list[Path] = field(default_factory=list)
    advance: bool = False
