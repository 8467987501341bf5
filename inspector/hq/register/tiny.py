"""The embedded register: one TinyDB ``RecordStore`` at ``hq/audits.json`` (a demo, one
commissionerate, tests without a server).

Tables (keyed): ``audits`` (audit id -> RegisteredAudit, as the first release wrote them),
``certificates`` (certificate id -> RegisteredCertificate), ``details`` (audit id -> the
findings and evidence of its registered chain), ``checklists`` (content hash -> items),
``registry`` (the one entry ``stations``: HQ's imported station registry, replaced whole).

Every read replays the file (the embedded register is for hundreds of audits, not hundreds of
thousands). A transaction holds the store's writer lock for its writes only; it writes the
audit's row last, so an import cut short by a crash leaves the audit as it was registered (its
certificates or details may be ahead of it until the bundle is imported again, and ``hq fsck``
says so).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inspector.bundle.reader import BundleReader
from inspector.errors import UserError
from inspector.hq.register import derive
from inspector.hq.register.base import Register, SchemaStatus, Transaction
from inspector.hq.register.files import FileStore, hash_file, store_key
from inspector.hq.register.models import (
    AuditChange,
    AuditFilter,
    CertificateFilter,
    ChecklistInfo,
    FileRef,
    FindingRow,
    HistoryEntry,
    RegisteredAudit,
    RegisteredCertificate,
    StationRow,
)
from inspector.paths import DataDir
from inspector.store.errors import StoreLocked
from inspector.store.record_store import RecordStore

AUDITS = "audits"
CERTIFICATES = "certificates"
DETAILS = "details"
CHECKLISTS = "checklists"
REGISTRY = "registry"
WAIT_SECONDS = 30.0
LATEST = 2  # 1: the first release (flat folders, no details); 2: the file store


class TinyRegister(Register):
    backend = "tinydb"

    def __init__(self, data: DataDir, files: FileStore) -> None:
        super().__init__(files)
        self.data = data
        self.path = data.hq_tinydb_register
        self._reader: RecordStore | None = None
        self._held: RecordStore | None = None  # the writer kept open by held()

    # -- lifecycle

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _read(self) -> RecordStore | None:
        """A read-only snapshot of the register (taken once; refreshed after a transaction)."""
        if self._reader is None:
            if not self.path.exists():
                return None
            self._reader = RecordStore(self.path, writable=False)
        return self._reader

    def _open_writer(self) -> RecordStore:
        deadline = time.monotonic() + WAIT_SECONDS
        self.data.ensure(self.path)
        while True:
            try:
                return RecordStore(self.path, writable=True)
            except StoreLocked:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    # -- schema

    def _legacy(self) -> tuple[list[RegisteredAudit], list[RegisteredCertificate]]:
        audits = [row for row in self._all_audits() if row.legacy_bundle]
        certificates = [
            row for row in self._all_certificates() if (self.data.hq_certificates / f"{row.id}.json").is_file()
        ]
        return audits, certificates

    def schema(self) -> SchemaStatus:
        audits, certificates = self._legacy()
        pending = []
        if audits:
            pending.append(f"move {len(audits)} archived bundle(s) from {self.data.hq_bundles} into the file store")
        if certificates:
            pending.append(
                f"move {len(certificates)} certificate record(s) from {self.data.hq_certificates} into the file store"
            )
        return SchemaStatus(self.backend, str(self.path), LATEST - 1 if pending else LATEST, LATEST, pending)

    def upgrade(self) -> list[str]:
        """Move the first release's flat folders into the file store: each file is hashed
        against the register, copied into place, the row rewritten, and only then removed."""
        from inspector.hq.register.legacy import upgrade_tiny

        done = upgrade_tiny(self)
        self.close()
        return done

    # -- reads

    def _all_audits(self) -> list[RegisteredAudit]:
        store = self._read()
        return [] if store is None else [RegisteredAudit.model_validate(doc) for _, doc in store.items(AUDITS)]

    def _all_certificates(self) -> list[RegisteredCertificate]:
        store = self._read()
        if store is None:
            return []
        return [RegisteredCertificate.model_validate(doc) for _, doc in store.items(CERTIFICATES)]

    def audit(self, audit_id: str) -> RegisteredAudit | None:
        store = self._read()
        doc = None if store is None else store.get(AUDITS, audit_id)
        return None if doc is None else RegisteredAudit.model_validate(doc)

    def chain_digests(self, row: RegisteredAudit) -> list[str]:
        path = self.bundle_path(row)
        if not path.is_file():
            raise UserError(
                f"the archived bundle of audit {row.id} is missing ({path}); run 'inspector hq fsck'",
                code="file-missing",
            )
        with BundleReader(path) as reader:
            return derive.chain_digests(reader)

    def bundle_path(self, row: RegisteredAudit) -> Path:
        if row.legacy_bundle:
            return self.data.hq_bundles / row.bundle
        return self.files.path(row.bundle_sha256)

    def audits(self, where: AuditFilter) -> Iterator[RegisteredAudit]:
        rows = [row for row in self._all_audits() if _audit_matches(row, where)]
        rows.sort(key=lambda row: (row.closed, row.id), reverse=True)
        yield from rows[: where.limit] if where.limit is not None else rows

    def latest_by_station(self) -> Iterator[RegisteredAudit]:
        latest: dict[str, RegisteredAudit] = {}
        for row in self._all_audits():
            known = latest.get(row.station)
            if known is None or (row.closed, row.id) > (known.closed, known.id):
                latest[row.station] = row
        yield from (latest[code] for code in sorted(latest))

    def certificate(self, cert_id: str) -> RegisteredCertificate | None:
        store = self._read()
        doc = None if store is None else store.get(CERTIFICATES, cert_id)
        return None if doc is None else RegisteredCertificate.model_validate(doc)

    def certificates(self, where: CertificateFilter) -> Iterator[RegisteredCertificate]:
        rows = [
            row
            for row in self._all_certificates()
            if (where.stations is None or row.station in where.stations)
            and (where.since is None or row.issued_at >= where.since)
        ]
        rows.sort(key=lambda row: (row.issued_at, row.id), reverse=True)
        yield from rows[: where.limit] if where.limit is not None else rows

    def findings(self, audit_ids: list[str] | None = None) -> Iterator[tuple[str, FindingRow]]:
        store = self._read()
        if store is None:
            return
        wanted = None if audit_ids is None else set(audit_ids)
        for audit_id, doc in store.items(DETAILS):
            if wanted is None or audit_id in wanted:
                for finding in doc.get("findings", []):
                    yield audit_id, FindingRow.model_validate(finding)

    def details(self, audit_id: str) -> dict[str, Any] | None:
        store = self._read()
        return None if store is None else store.get(DETAILS, audit_id)

    def checklists(self) -> dict[str, ChecklistInfo]:
        store = self._read()
        if store is None:
            return {}
        return {key: ChecklistInfo.model_validate(doc) for key, doc in store.items(CHECKLISTS)}

    def stations(self) -> Iterator[StationRow]:
        store = self._read()
        doc = None if store is None else store.get(REGISTRY, "stations")
        for row in [] if doc is None else doc.get("stations", []):
            yield StationRow.model_validate(row)

    def replace_stations(self, rows: list[StationRow]) -> int:
        with self._open_writer() as store:
            # One entry, one journal line: the registry is replaced whole or not at all.
            store.put(REGISTRY, "stations", {"stations": [row.model_dump() for row in rows]})
        self.close()
        return len(rows)

    def file_refs(self) -> Iterator[FileRef]:
        store = self._read()
        if store is None:
            return
        for audit_id, doc in store.items(AUDITS):
            row = RegisteredAudit.model_validate(doc)
            if row.legacy_bundle:
                yield FileRef(row.bundle_sha256, "bundle", audit_id, legacy_name=row.bundle)
            shas = {entry.bundle_sha256 for entry in row.history} | (
                set() if row.legacy_bundle else {row.bundle_sha256}
            )
            for sha in sorted(shas):
                yield FileRef(sha, "bundle", audit_id)
            details = store.get(DETAILS, audit_id) or {}
            for sha in details.get("evidence", []):
                yield FileRef(sha, "evidence", audit_id)
        for cert_id, doc in store.items(CERTIFICATES):
            yield FileRef(doc["record_sha256"], "certificate", cert_id, legacy_name=f"{cert_id}.json")

    def counts(self) -> dict[str, int]:
        store = self._read()
        if store is None:
            return {"audits": 0, "certificates": 0, "stations": 0}
        registry = store.get(REGISTRY, "stations") or {}
        return {
            "audits": store.count(AUDITS),
            "certificates": store.count(CERTIFICATES),
            "stations": len(registry.get("stations", [])),
        }

    def consistency_problems(self) -> list[str]:
        """Rows whose details disagree with them: an import cut short (fsck names them)."""
        store = self._read()
        if store is None:
            return []
        problems = []
        for audit_id, doc in store.items(AUDITS):
            details = store.get(DETAILS, audit_id)
            if details is not None and details.get("records") != doc.get("records"):
                problems.append(
                    f"audit {audit_id}: its findings were registered from {details.get('records')} records, "
                    f"its row from {doc.get('records')} (an import was interrupted): import its newest bundle again"
                )
        return problems

    # -- writes

    @contextmanager
    def held(self) -> Iterator[None]:
        """The writer (and its lock) kept across the transactions inside: opening it replays the
        whole register, once per batch of registrations instead of once per bundle."""
        if self._held is not None:
            yield
            return
        self.close()
        with self._open_writer() as store:
            self._held = store
            try:
                yield
            finally:
                self._held = None
        self.close()

    @contextmanager
    def transaction(self, audit_id: str) -> Iterator[Transaction]:
        if self._held is not None:  # every write of the store is durable on return: nothing to commit
            yield _TinyTransaction(self, self._held)
            return
        self.close()  # a snapshot taken before the lock would be stale inside it
        with self._open_writer() as store:
            yield _TinyTransaction(self, store)
        self.close()


def _audit_matches(row: RegisteredAudit, where: AuditFilter) -> bool:
    return (
        (where.stations is None or row.station in where.stations)
        and (where.status is None or row.decision == where.status)
        and (where.since is None or row.closed >= where.since)
    )


class _TinyTransaction(Transaction):
    def __init__(self, register: TinyRegister, store: RecordStore) -> None:
        self.register = register
        self.store = store

    def audit(self, audit_id: str) -> RegisteredAudit | None:
        doc = self.store.get(AUDITS, audit_id)
        return None if doc is None else RegisteredAudit.model_validate(doc)

    def certificates(self, cert_ids: list[str]) -> dict[str, RegisteredCertificate]:
        found = {}
        for cert_id in cert_ids:
            doc = self.store.get(CERTIFICATES, cert_id)
            if doc is not None:
                found[cert_id] = RegisteredCertificate.model_validate(doc)
        return found

    def chain_digests(self, row: RegisteredAudit) -> list[str]:
        return self.register.chain_digests(row)

    def write(self, change: AuditChange) -> None:
        store = self.store
        for cert in change.certificates:
            store.put(CERTIFICATES, cert.id, cert.model_dump())
        if not change.audit_changed:
            return
        if change.checklist is not None and store.get(CHECKLISTS, change.checklist.hash) is None:
            store.put(CHECKLISTS, change.checklist.hash, change.checklist.model_dump())
        store.put(
            DETAILS,
            change.row.id,
            {
                "records": change.row.records,
                "findings": [finding.model_dump() for finding in change.findings],
                "evidence": sorted(set(change.evidence)),
            },
        )
        store.put(AUDITS, change.row.id, change.row.model_dump())  # last: the import's commit point


def new_history(row: RegisteredAudit) -> list[HistoryEntry]:
    """The history of a first-release row, which kept none: its one bundle."""
    return [
        HistoryEntry(imported=row.imported, records=row.records, bundle_sha256=row.bundle_sha256, status="imported")
    ]


__all__ = ["TinyRegister", "hash_file", "new_history", "store_key"]
