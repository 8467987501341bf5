"""The single writer of the audit on the walk screen (an invisible widget).

It holds the open :class:`~inspector.audit.Audit` (and so its lock) and runs every disk and
crypto call on it, one thread worker at a time, in the order asked: findings, the resume
cursor, and finally closing the store. Results are posted as its own messages
(``AuditWriter.Saved``, ``AuditWriter.SaveFailed``...), which bubble up to the screen; the
screen never touches the ``Audit`` while a job may be running.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widget import Widget

from inspector.errors import UserError
from inspector.tui.messages import Problem, SaveJob, WorkerFailed

if TYPE_CHECKING:
    from inspector.audit.audit import Audit
    from inspector.audit.chain import Finding
    from inspector.audit.scoring import Score
    from inspector.crypto.signing import SigningKey
    from inspector.tui.session import Session


class AuditWriter(Widget):
    DEFAULT_CSS = "AuditWriter { display: none; }"

    class Opened(Message):
        """The audit is open (holding its lock when writable); a snapshot of its findings."""

        def __init__(
            self,
            audit: Audit,
            findings: dict[str, Finding],
            score: Score,
            cursor: str | None,
            records: int,
            station_hi: str,
        ) -> None:
            super().__init__()
            self.audit = audit
            self.findings = findings
            self.score = score
            self.cursor = cursor
            self.records = records
            self.station_hi = station_hi

    class OpenFailed(WorkerFailed):
        """The audit could not be opened (open elsewhere, damaged...)."""

    class Saved(Message):
        """``job`` is signed and durable: ``finding`` is its stored record, ``records`` the chain length."""

        def __init__(self, job: SaveJob, finding: Finding, score: Score, records: int) -> None:
            super().__init__()
            self.job = job
            self.finding = finding
            self.score = score
            self.records = records

    class SaveFailed(WorkerFailed):
        """``job`` was not stored; ``field`` is the input the error concerns ("note", "reason",
        "evidence", "due") or None."""

        def __init__(self, job: SaveJob, problem: Problem) -> None:
            super().__init__(problem)
            self.job = job

    class Idle(Message):
        """A job that is not a finding (``what``: "cursor", "close") finished; ``problem`` if it failed."""

        def __init__(self, what: str, problem: Problem | None = None) -> None:
            super().__init__()
            self.what = what
            self.problem = problem

    def __init__(self, session: Session, audit_id: str) -> None:
        super().__init__()
        self.session = session
        self.audit_id = audit_id
        self.audit: Audit | None = None
        self._jobs: deque[tuple[str, Any]] = deque()
        self._busy = False
        self.idle = asyncio.Event()
        self.idle.set()
        self.closed = False

    # -- asking ------------------------------------------------------------------------------------
    def save(self, job: SaveJob, key: SigningKey) -> None:
        self._push("save", (job, key))

    def cursor(self, item_id: str) -> None:
        """Remember ``item_id`` for resuming; a cursor still waiting is replaced."""
        self._jobs = deque(j for j in self._jobs if j[0] != "cursor")
        self._push("cursor", item_id)

    def close(self) -> None:
        if not self.closed:
            self._push("close", None)

    def _push(self, kind: str, payload: Any) -> None:
        self._jobs.append((kind, payload))
        self.idle.clear()
        self._pump()

    def _pump(self) -> None:
        if self._busy:
            return
        if not self._jobs or self.audit is None:
            if not self._jobs:
                self.idle.set()
            return
        kind, payload = self._jobs.popleft()
        self._busy = True
        runners: dict[str, Callable[[Any], Any]] = {"save": self._save, "cursor": self._cursor, "close": self._close}
        runners[kind](payload)

    def _done(self) -> None:
        self._busy = False
        self._pump()

    # -- opening -----------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-open")
    def open(self) -> None:
        service = self.session.audits
        try:
            audit = service.open(self.audit_id, writable=True)
            if audit.is_closed:  # closed audits are read, not locked
                audit.close_store()
                audit = service.open(self.audit_id, writable=False)
            try:
                cursor = service.cursor(audit.id)
                station_hi = _station_hi(self.session, audit.opened.station.code, audit.opened.station.name_hi)
                opened = self.Opened(audit, audit.latest(), audit.score(), cursor, audit.state.seq, station_hi)
            except BaseException:
                audit.close_store()
                raise
        except Exception as exc:
            self.post_message(self.OpenFailed(Problem.of(exc, f"cannot open audit {self.audit_id[:12]}")))
        else:
            self.post_message(opened)

    def on_audit_writer_opened(self, message: Opened) -> None:
        self.audit = message.audit
        self._pump()

    # -- the jobs (each in a thread; exactly one runs at a time) ----------------------------------
    @work(thread=True, exit_on_error=False, group="audit-writer")
    def _save(self, payload: tuple[SaveJob, SigningKey]) -> None:
        job, key = payload
        audit = self.audit
        assert audit is not None
        try:
            audit.use_key(key)
            finding = audit.record(
                job.item, job.status, note=job.note, evidence=job.evidence, due=job.due, reason=job.reason
            )
            result = self.Saved(job, finding, audit.score(), audit.state.seq)
        except Exception as exc:  # disk full, permissions...: shown, never swallowed
            self.post_message(self.SaveFailed(job, Problem.of(exc, "could not save")))
        else:
            self.post_message(result)
        finally:
            audit.key = None  # the key lives in the session only, so locking it stops signing

    def on_audit_writer_saved(self) -> None:
        self._done()

    def on_audit_writer_save_failed(self) -> None:
        self._done()

    @work(thread=True, exit_on_error=False, group="audit-writer")
    def _cursor(self, item_id: str) -> None:
        try:
            self.session.audits.set_cursor(self.audit_id, item_id)
        except Exception as exc:  # the cursor is a convenience: report, carry on
            self.post_message(self.Idle("cursor", Problem.during(exc, "could not remember the position")))
        else:
            self.post_message(self.Idle("cursor"))

    @work(thread=True, exit_on_error=False, group="audit-writer")
    def _close(self, _payload: None) -> None:
        audit = self.audit
        try:
            if audit is not None:
                audit.close_store()
        except Exception as exc:
            self.post_message(self.Idle("close", Problem.during(exc, "closing the audit")))
        else:
            self.post_message(self.Idle("close"))

    def on_audit_writer_idle(self, message: Idle) -> None:
        if message.what == "close":
            self.closed = True
            self.audit = None
            self._jobs.clear()
        self._done()

    def on_unmount(self) -> None:
        """Last resort when the screen goes without closing (the app is exiting)."""
        if self.audit is not None and not self._busy:
            try:
                self.audit.close_store()
            except Exception:
                pass
            self.audit = None


def _station_hi(session: Session, code: str, recorded: str | None) -> str:
    if recorded:
        return recorded
    try:
        from inspector.audit.stations import load_registry

        return load_registry(data_root=session.data.root).get(code).name.hi
    except UserError:
        return ""
