"""What HQ's register holds, as the two backends hand it out (pydantic models at the boundary).

The JSON keys of :class:`RegisteredAudit` and :class:`RegisteredCertificate` are a contract:
``hq audits --json`` and ``hq certificates --json`` print them, and scripts at HQ read them. Keys
are only ever added (with defaults, so rows written by the first release still load).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from inspector.crypto.canonical import parse_time

EXPIRING_DAYS = 90
CertStatus = Literal["valid", "expiring", "expired", "revoked"]
CERT_STATUSES: tuple[str, ...] = ("valid", "expiring", "expired", "revoked")


class HistoryEntry(BaseModel):
    """One bundle of an audit that HQ registered: the first import, then each extension."""

    model_config = ConfigDict(extra="forbid")

    imported: str
    records: int
    bundle_sha256: str
    status: Literal["imported", "updated"]


class RegisteredAudit(BaseModel):
    """One imported audit as HQ keeps it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    type: str
    auditor: str
    auditor_kid: str
    checklist: str
    checklist_hash: str
    opened: str
    closed: str
    score: int | None
    majors: int
    minors: int
    decision: str
    records: int  # records in the newest registered bundle (the chain grows with follow-ups)
    findings_root: str
    seal: str  # Envelope.digest() of the seal: the audit's identity at HQ
    # Where the newest bundle is: ``ab/cd/<sha256>`` in the file store; a first-release row
    # names ``<audit id>.zip`` in the flat ``hq/bundles`` folder instead.
    bundle: str
    bundle_sha256: str
    imported: str  # when HQ first registered the audit
    trust: str
    warnings: list[str] = []
    # Added for the register at scale; absent from rows of the first release.
    head: str | None = None  # digest of the chain's last record, as registered
    updated: str | None = None  # when the newest extension was registered
    history: list[HistoryEntry] = []
    answered: int | None = None
    na: int | None = None  # items answered "not applicable"

    @property
    def legacy_bundle(self) -> bool:
        return "/" not in self.bundle

    def na_share(self) -> float | None:
        if self.answered is None or self.na is None or self.answered == 0:
            return None
        return self.na / self.answered


class RegisteredCertificate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    audit: str
    auditor: str
    result: str
    score: int
    issued_at: str
    expires_at: str
    surveillance_due: list[str]
    member: str  # the bundle member it came from
    record_sha256: str  # its record's bytes, kept in the file store under this hash

    def status(self, revoked: set[str] | frozenset[str], now: datetime) -> CertStatus:
        if self.id in revoked:
            return "revoked"
        expires = parse_time(self.expires_at)
        if now >= expires:
            return "expired"
        if now >= expires - timedelta(days=EXPIRING_DAYS):
            return "expiring"
        return "valid"

    def next_surveillance(self, now: datetime) -> str | None:
        today = now.date().isoformat()
        upcoming = [due for due in self.surveillance_due if due >= today]
        return upcoming[0] if upcoming else None


class StationRow(BaseModel):
    """A station of HQ's registry as the register keeps it (the fields ``hq stations`` prints)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    name_en: str
    name_hi: str = ""
    district: str = ""
    zone: str = ""
    circle: str = ""
    address: str = ""
    cctns_code: str = ""


class FindingRow(BaseModel):
    """An item of an audit that did not simply conform (nonconformity, observation or N/A), as
    the latest record of the registered chain says; conforming items are not stored."""

    model_config = ConfigDict(extra="forbid")

    item: str
    status: str  # minor, major, observation, na
    due: str | None = None  # the finding's due date, or the accepted plan's
    state: str | None = None  # nonconformities: open, planned, closed, not-effective


class ItemInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section: str
    title: str
    clauses: list[str]
    criticality: str


class ChecklistInfo(BaseModel):
    """What stats need of a checklist an audit used: each item's section, title and clauses."""

    model_config = ConfigDict(extra="forbid")

    hash: str
    id: str
    version: str
    items: dict[str, ItemInfo]


class StoredRecord(BaseModel):
    """One record of a chain exactly as signed (PostgreSQL keeps every record)."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    type: str
    kid: str
    payload: str
    sig: str
    digest: str


FileKind = Literal["bundle", "certificate", "evidence"]


@dataclass(frozen=True)
class FileRef:
    """A file the register refers to: by hash in the file store, or (first release) by path."""

    sha256: str
    kind: FileKind
    owner: str  # the audit or certificate id
    legacy_name: str | None = None  # the name in hq/bundles or hq/certificates, for old rows


@dataclass(frozen=True)
class AuditFilter:
    stations: frozenset[str] | None = None  # None: every station
    status: str | None = None  # the audit's decision code
    since: str | None = None  # closed on or after this time (ISO text compares as time)
    limit: int | None = None


@dataclass(frozen=True)
class CertificateFilter:
    stations: frozenset[str] | None = None
    since: str | None = None  # issued on or after
    limit: int | None = None


@dataclass
class AuditChange:
    """Everything one import writes, in one transaction: the row, the chain's new records, the
    audit's findings (replacing those held), its evidence, the checklist, the certificates."""

    row: RegisteredAudit
    new_records: list[StoredRecord]
    findings: list[FindingRow]
    evidence: list[str]
    checklist: ChecklistInfo | None
    certificates: list[RegisteredCertificate] = field(default_factory=list)
    files: list[tuple[str, FileKind, int]] = field(default_factory=list)  # (sha256, kind, size)
    audit_changed: bool = True  # False: only certificates arrive (the same chain again)
