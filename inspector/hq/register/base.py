"""The register interface both backends implement, so every ``hq`` command is written once.

A :class:`Register` is opened per command (:func:`inspector.hq.register.open_register`). Reads
stream (``audits``, ``certificates``, ``findings``...: iterators, never lists of the whole
register). Writes happen only inside :meth:`Register.transaction`, which holds the lock of one
audit: on PostgreSQL a transaction-scoped advisory lock keyed by the audit id (imports of other
audits run alongside), on TinyDB the register file's writer lock (the embedded register has one
writer at a time; it is held only for the writes, never while a bundle is verified).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar

from inspector.errors import UserError
from inspector.hq.register.files import FileStore
from inspector.hq.register.models import (
    AuditChange,
    AuditFilter,
    CertificateFilter,
    ChecklistInfo,
    FileRef,
    FindingRow,
    RegisteredAudit,
    RegisteredCertificate,
    StationRow,
)


class RegisterConflict(UserError):
    """Another import registered, meanwhile, something this one meant to register (a
    certificate id): the transaction was rolled back, and trying again sees what it was."""

    default_code = "register-conflict"


@dataclass
class SchemaStatus:
    """The register's schema: the version it is at, the latest this program knows, and what an
    upgrade would do."""

    backend: str
    where: str  # the file, or the database URL without its password
    current: int
    latest: int
    pending: list[str] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return self.current >= self.latest


class Transaction(ABC):
    """The view of the register inside one import's lock."""

    @abstractmethod
    def audit(self, audit_id: str) -> RegisteredAudit | None: ...

    @abstractmethod
    def certificates(self, cert_ids: list[str]) -> dict[str, RegisteredCertificate]:
        """The registered certificates among ``cert_ids``."""

    @abstractmethod
    def chain_digests(self, row: RegisteredAudit) -> list[str]:
        """The digest of every record of the chain registered for ``row``, in order."""

    @abstractmethod
    def write(self, change: AuditChange) -> None:
        """Register the change; it becomes visible to others only when the transaction ends."""


class Register(ABC):
    backend: ClassVar[str]

    def __init__(self, files: FileStore) -> None:
        self.files = files

    # -- lifecycle

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Register:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @abstractmethod
    def schema(self) -> SchemaStatus: ...

    @abstractmethod
    def upgrade(self) -> list[str]:
        """Bring the register to the latest schema (idempotent); the steps taken, by name."""

    # -- reads

    @abstractmethod
    def audit(self, audit_id: str) -> RegisteredAudit | None: ...

    @abstractmethod
    def chain_digests(self, row: RegisteredAudit) -> list[str]: ...

    @abstractmethod
    def audits(self, where: AuditFilter) -> Iterator[RegisteredAudit]:
        """Matching audits, most recently closed first."""

    @abstractmethod
    def latest_by_station(self) -> Iterator[RegisteredAudit]:
        """Each station's most recently closed audit."""

    @abstractmethod
    def certificate(self, cert_id: str) -> RegisteredCertificate | None: ...

    @abstractmethod
    def certificates(self, where: CertificateFilter) -> Iterator[RegisteredCertificate]:
        """Matching certificates, newest first."""

    @abstractmethod
    def findings(self, audit_ids: list[str] | None = None) -> Iterator[tuple[str, FindingRow]]:
        """(audit id, finding) for the given audits, or every registered audit."""

    @abstractmethod
    def checklists(self) -> dict[str, ChecklistInfo]:
        """Every checklist a registered audit used, by content hash (a handful)."""

    @abstractmethod
    def stations(self) -> Iterator[StationRow]:
        """HQ's station registry as imported (empty until ``hq stations import``), by code."""

    @abstractmethod
    def replace_stations(self, rows: list[StationRow]) -> int:
        """Replace the registry by ``rows`` at once (all or nothing); the count stored."""

    @abstractmethod
    def file_refs(self) -> Iterator[FileRef]:
        """Every file the register refers to."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many audits, certificates and stations are registered."""

    # -- writes

    def held(self) -> AbstractContextManager[None]:
        """Keep what the transactions inside the block need open across them, for a batch that
        registers bundles one after the other (:mod:`inspector.hq.batch`): the embedded
        register's writer is opened once instead of once per transaction. Each transaction keeps
        its own decisions and commit. By default nothing (PostgreSQL locks per audit)."""
        return nullcontext()

    @abstractmethod
    def transaction(self, audit_id: str) -> AbstractContextManager[Transaction]:
        """The lock of audit ``audit_id`` and a transaction; committed when the block ends
        without an exception, else rolled back (nothing written)."""
