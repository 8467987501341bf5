"""Messages that workers post to the screens that started them.

Workers run disk and crypto calls off the UI thread and report here; the handlers of these
messages are the only code that changes screen state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from inspector.audit.audit import Audit
    from inspector.audit.chain import Finding
    from inspector.audit.index import AuditSummary
    from inspector.audit.scoring import Score
    from inspector.crypto.keystore import KeyInfo
    from inspector.crypto.signing import SigningKey


class Unlocked(Message):
    """The passphrase opened the key."""

    def __init__(self, key: SigningKey) -> None:
        super().__init__()
        self.key = key


class UnlockFailed(Message):
    """The key did not open (wrong passphrase, damaged file...): ``error`` says why and
    ``code`` is the error's stable code (``"wrong-passphrase"`` when the passphrase was wrong)."""

    def __init__(self, error: str, code: str = "error") -> None:
        super().__init__()
        self.error = error
        self.code = code


class KeyCreated(Message):
    """First run: the key exists, is unlocked, and its public half is exported to ``pem_path``."""

    def __init__(self, info: KeyInfo, key: SigningKey, pem_path: Path) -> None:
        super().__init__()
        self.info = info
        self.key = key
        self.pem_path = pem_path


class KeyCreateFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class AuditsLoaded(Message):
    """The rows of the audit index, newest first, and the Hindi names of the stations."""

    def __init__(
        self, rows: list[AuditSummary], names_hi: dict[str, str], key_line: str = "", error: str | None = None
    ) -> None:
        super().__init__()
        self.key_line = key_line
        self.rows = rows
        self.names_hi = names_hi
        self.error = error


class ChoicesLoaded(Message):
    """What a new audit can be opened with: stations, checklists (label, path), audit types."""

    def __init__(
        self,
        stations: list[tuple[str, str, str]],
        checklists: list[tuple[str, Path]],
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.stations = stations  # (code, English name, Hindi name)
        self.checklists = checklists
        self.error = error


class AuditCreated(Message):
    def __init__(self, summary: AuditSummary) -> None:
        super().__init__()
        self.summary = summary


class AuditCreateFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class AuditOpened(Message):
    """The walk's audit is open (holding its lock when writable); a snapshot of its findings."""

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


class AuditOpenFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


@dataclass
class SaveJob:
    """One finding to sign and store, as the auditor gave it."""

    item: str
    status: str
    note: str | None
    due: str | None
    reason: str | None
    evidence: list[Path] = field(default_factory=list)
    advance: bool = False


class FindingSaved(Message):
    """``job`` is signed and durable: ``finding`` is its stored record, ``records`` the chain length."""

    def __init__(self, job: SaveJob, finding: Finding, score: Score, records: int) -> None:
        super().__init__()
        self.job = job
        self.finding = finding
        self.score = score
        self.records = records


class FindingFailed(Message):
    """``job`` was not stored; ``error`` is the one-line reason to show, ``field`` the input it
    concerns (``InspectorError.field``: "note", "reason", "evidence", "due") or None."""

    def __init__(self, job: SaveJob, error: str, field: str | None = None) -> None:
        super().__init__()
        self.job = job
        self.error = error
        self.field = field


class WriterIdle(Message):
    """The walk's writer finished a job that is not a finding (cursor, close)."""

    def __init__(self, what: str, error: str | None = None, detail: Any = None) -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.detail = detail
