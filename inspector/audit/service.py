"""The audit service: open an audit, record findings, score, close and seal. No Textual here.

The TUI and the CLI are thin shells over :class:`AuditService` and :class:`Audit`. One audit is
one folder ``DataDir.audit_dir(id)`` holding ``audit.json`` (a ``RecordStore`` with the signed
chain in table ``records`` and the closing seal in table ``seal``), ``checklist.toml`` (the
original bytes of the checklist the audit was opened with) and ``evidence/`` (files named by
their SHA-256). ``DataDir.audits / index.json`` is a rebuildable index of summary rows, which
also remembers the item the auditor last looked at (the TUI resumes there). The cursor is not a
finding, so it never enters the signed chain.

Writes return only after the store has made them durable; a second process that tries to open
the same audit for writing gets the store's "audit is open elsewhere" error.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Literal, Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from inspector.crypto.canonical import now_text
from inspector.audit.checklist import Checklist, ChecklistInvalid, parse_checklist
from inspector.errors import UserError
from inspector.audit.evidence import remove_created, store_evidence
from inspector.crypto.keystore import atomic_write
from inspector.paths import DataDir
from inspector.audit.records import (
    NOTE_MAX,
    REASON_MAX,
    RECORD_FORMAT,
    SEAL_FORMAT,
    AuditType,
    EvidenceRef,
    Finding,
    FindingRecord,
    OpenedRecord,
    SealPayload,
    check_due,
    canonical_loads,
    check_text,
    envelope_digest,
    finding_rule_problems,
    findings_root,
    load_state,
    new_id,
    parse_payload,
    record_time,
)
from inspector.audit.scoring import FindingStatus, Score, score
from inspector.crypto.signing import Domain, Envelope, SigningKey, sign_record
from inspector.store.record_store import RecordStore, StoreLocked, StoreMissing
from inspector._io.files import read_user_file

RECORDS = "records"
SEAL = "seal"
INDEX_TABLE = "audits"
STORE_NAME = "audit.json"
CHECKLIST_NAME = "checklist.toml"
EVIDENCE_DIR = "evidence"
CERTIFICATES_DIR = "certificates"
INDEX_WAIT_SECONDS = 5.0
UNANSWERED_SHOWN = 5


class AuditLocked(UserError):
    """Another process has this audit open for writing."""

    def __init__(self, audit_id: str, pid: int | None) -> None:
        self.audit_id = audit_id
        holder = f"pid {pid}" if pid else "another process"
        super().__init__(f"audit is open elsewhere: {audit_id[:12]} is being written by {holder}; close it there first")


# ---------------------------------------------------------------------------------------------
# values handed to and returned by the service


@dataclass(frozen=True)
class FindingInput:
    """One finding to record; ``where`` prefixes its errors (e.g. ``"rows.csv line 7"``)."""

    item: str
    status: str | FindingStatus
    note: str | None = None
    evidence: Sequence[str | Path] = ()
    due: str | None = None
    reason: str | None = None
    where: str | None = None


class AuditSummary(BaseModel):
    """A row of the audit index: what ``audit list`` shows and the TUI's audit picker reads."""

    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    type: str
    status: Literal["open", "closed"]
    progress: dict[str, int]  # {"answered": n, "total": m}
    score: int | None
    decision: str
    majors: int
    minors: int
    checklist: str  # "id version"
    auditor: str
    opened: str
    closed: str | None
    records: int
    cursor: str | None = None


@dataclass(frozen=True)
class Seal:
    """The closing seal of an audit: what certificates commit to."""

    envelope: Envelope
    payload: SealPayload

    @property
    def findings_root(self) -> bytes:
        return bytes.fromhex(self.payload.findings_root)

    @property
    def qr_root(self) -> bytes:
        """The first 16 bytes of the findings root, as the certificate's QR carries it."""
        return self.findings_root[:16]

    @property
    def digest(self) -> str:
        return envelope_digest(self.envelope)


# ---------------------------------------------------------------------------------------------
# the index of audits


class AuditIndex:
    """Summary rows keyed by audit id. Opened briefly per operation: many audits share it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _store(self, writable: bool) -> RecordStore:
        deadline = time.monotonic() + INDEX_WAIT_SECONDS
        while True:
            try:
                return RecordStore(self.path, writable=writable)
            except StoreLocked:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def rows(self) -> list[AuditSummary]:
        if not self.path.exists():
            return []
        with self._store(writable=False) as store:
            docs = store.all(INDEX_TABLE)
        rows = []
        for doc in docs:
            try:
                rows.append(AuditSummary.model_validate(doc))
            except ValidationError:
                continue  # a row from an older layout: rebuilt from the audit itself
        return rows

    def get(self, audit_id: str) -> AuditSummary | None:
        if not self.path.exists():
            return None
        with self._store(writable=False) as store:
            doc = store.get(INDEX_TABLE, audit_id)
        try:
            return None if doc is None else AuditSummary.model_validate(doc)
        except ValidationError:
            return None

    def put(self, row: AuditSummary) -> None:
        with self._store(writable=True) as store:
            store.put(INDEX_TABLE, row.id, row.model_dump())

    def put_quietly(self, row: AuditSummary) -> None:
        """Update a row after a durable audit write; the index is rebuildable, so a busy index
        must not turn a finding that is safely stored into an error."""
        try:
            self.put(row)
        except StoreLocked:
            pass


# ---------------------------------------------------------------------------------------------
# the service


class AuditService:
    """Everything the shells do with audits on one data directory."""

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self.index = AuditIndex(data.audits / "index.json")

    # -- creating and finding audits ------------------------------------------------------------
    def new_audit(
        self,
        station_code: str,
        checklist_path: str | Path,
        audit_type: str | AuditType,
        key: SigningKey,
        auditor_id: str,
        auditor_name: str | None = None,
    ) -> AuditSummary:
        """Open a new audit: write its first signed record and a copy of the checklist."""
        from inspector.audit.stations import load_registry

        kind = parse_audit_type(audit_type)
        station = load_registry(data_root=self.data.root).get(station_code)
        raw = read_user_file(Path(checklist_path), "checklist", CSV_LIMIT)
        checklist = checklist_from_bytes(raw, str(checklist_path))
        audit_id = new_id()
        folder = self.data.audit_dir(audit_id)
        payload = {
            "format": RECORD_FORMAT,
            "type": "audit-opened",
            "id": new_id(),
            "audit": audit_id,
            "seq": 1,
            "prev": None,
            "time": now_text(),
            "station": {"code": station.code, "name": station.name.en, "name_hi": station.name.hi},
            "checklist": checklist.ref.model_dump(),
            "audit_type": kind.value,
            "auditor": {
                "id": auditor_id,
                "name": auditor_name or auditor_id,
                "kid": key.public.kid_hex,
                "public_key": key.public.b64,
            },
        }
        envelope = sign_record(key, Domain.FINDING, payload)
        atomic_write(folder / CHECKLIST_NAME, raw, mode=0o600)
        with RecordStore(folder / STORE_NAME, writable=True) as store:
            store.append(RECORDS, envelope.model_dump())
        with self.open(audit_id, writable=False) as audit:
            summary = audit.summary()
        self.index.put_quietly(summary)
        return summary

    def resolve(self, text: str) -> str:
        """The audit id ``text`` names: a full id or a unique prefix of at least 4 characters."""
        wanted = text.strip().lower()
        if not wanted or any(c not in "0123456789abcdef" for c in wanted):
            raise UserError(f"unknown audit {text!r} (audit ids are hex, as 'inspector audit list' shows)")
        if len(wanted) == 32 and (self.data.audit_dir(wanted) / STORE_NAME).is_file():
            return wanted
        if len(wanted) < 4:
            raise UserError(f"audit id {text!r} is too short: give at least 4 characters")
        matches = [audit_id for audit_id in self._audit_ids() if audit_id.startswith(wanted)]
        if not matches:
            raise UserError(f"unknown audit {text!r} (see 'inspector audit list')")
        if len(matches) > 1:
            raise UserError(f"audit id {text!r} is ambiguous: {', '.join(m[:12] for m in matches[:5])}")
        return matches[0]

    def _audit_ids(self) -> list[str]:
        if not self.data.audits.is_dir():
            return []
        return sorted(
            p.name
            for p in self.data.audits.iterdir()
            if len(p.name) == 32 and (p / STORE_NAME).is_file()
        )

    def open(self, audit_id: str, writable: bool = True, key: SigningKey | None = None) -> "Audit":
        """The audit ``audit_id`` (full id or unique prefix). Use as a context manager.

        ``writable`` takes the audit's lock (``StoreLocked`` if another process holds it);
        ``key`` is the auditor's key, needed to record or close.
        """
        audit_id = self.resolve(audit_id)
        folder = self.data.audit_dir(audit_id)
        try:
            store = RecordStore(folder / STORE_NAME, writable=writable)
        except StoreLocked as exc:
            raise AuditLocked(audit_id, exc.pid) from None
        except StoreMissing:
            raise UserError(f"unknown audit {audit_id!r} (see 'inspector audit list')") from None
        try:
            audit = Audit(self, audit_id, folder, store, writable, key)
        except BaseException:
            store.close()
            raise
        return audit

    def list_audits(self) -> list[AuditSummary]:
        """Every audit on this machine, newest first; audits missing from the index are added."""
        rows = {row.id: row for row in self.index.rows()}
        for audit_id in self._audit_ids():
            if audit_id in rows:
                continue
            try:
                with self.open(audit_id, writable=False) as audit:
                    rows[audit_id] = audit.summary()
            except UserError:
                continue  # a damaged or busy audit is listed once it can be read
        return sorted(rows.values(), key=lambda row: row.opened, reverse=True)

    def set_cursor(self, audit_id: str, item_id: str | None) -> None:
        """Remember the item the auditor last looked at (index only, not signed)."""
        audit_id = self.resolve(audit_id)
        row = self.index.get(audit_id)
        if row is None:
            with self.open(audit_id, writable=False) as audit:
                row = audit.summary()
        if item_id is not None:
            checklist = load_audit_checklist(self.data.audit_dir(audit_id))
            if item_id not in checklist.items:
                raise UserError(_unknown_item(item_id, checklist))
        self.index.put_quietly(row.model_copy(update={"cursor": item_id}))

    def cursor(self, audit_id: str) -> str | None:
        row = self.index.get(self.resolve(audit_id))
        return None if row is None else row.cursor

    # -- verification ---------------------------------------------------------------------------
    def verify(self, audit_id: str, trust: Any | None) -> Any:
        """``audit_verify.verify_local``: chain, signatures, seal, evidence and checklist."""
        from inspector.audit.verify import verify_local

        return verify_local(self, audit_id, trust)


# ---------------------------------------------------------------------------------------------
# one open audit


class Audit:
    """An audit opened by :meth:`AuditService.open`. Holds the audit's lock while writable."""

    def __init__(
        self,
        service: AuditService,
        audit_id: str,
        folder: Path,
        store: RecordStore,
        writable: bool,
        key: SigningKey | None,
    ) -> None:
        self.service = service
        self.id = audit_id
        self.folder = folder
        self.store = store
        self.writable = writable
        self.checklist = load_audit_checklist(folder)
        self.envelopes, self.state = load_state(store.all(RECORDS))
        if self.state.opened is None:
            raise UserError(f"audit {audit_id}: has no opening record (damaged)")
        self.opened: OpenedRecord = self.state.opened
        if self.opened.checklist.hash != self.checklist.content_hash:
            raise UserError(
                f"audit {audit_id}: {folder / CHECKLIST_NAME} is not the checklist the audit was opened with; "
                "run 'inspector audit verify'"
            )
        seals = store.all(SEAL)
        self._seal = _parse_seal(seals[-1]) if seals else None
        self.key: SigningKey | None = None
        if key is not None:
            self.use_key(key)
        self._index_stale = writable  # refreshed at open and once more when closing the store
        self._flush_index()

    # -- context manager ----------------------------------------------------------------------
    def __enter__(self) -> "Audit":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_store()

    def close_store(self) -> None:
        """Release the audit (and its lock), bringing its index row up to date."""
        try:
            self._flush_index()
        finally:
            self.store.close()

    # -- reading ---------------------------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        return self.state.closed is not None

    @property
    def evidence_dir(self) -> Path:
        return self.folder / EVIDENCE_DIR

    def latest(self) -> dict[str, Finding]:
        """Item id -> its latest finding, in checklist order."""
        return {item: self.state.latest[item] for item in self.checklist.items if item in self.state.latest}

    def history(self, item_id: str) -> list[Finding]:
        """Every finding recorded for ``item_id``, oldest first."""
        if item_id not in self.checklist.items:
            raise UserError(_unknown_item(item_id, self.checklist))
        return list(self.state.history.get(item_id, []))

    def score(self) -> Score:
        return score(self.checklist, {item: f.status for item, f in self.state.latest.items()})

    def findings_root(self) -> bytes:
        """The Merkle root (32 bytes) over the latest finding of each answered item."""
        return findings_root(self.checklist, self.state.latest_digests())

    def clock_warnings(self) -> list[str]:
        return list(self.state.clock_warnings)

    def seal(self) -> Seal | None:
        return self._seal

    def envelope_docs(self) -> list[dict[str, Any]]:
        """The stored envelopes, as stored (for export)."""
        return [envelope.model_dump() for envelope in self.envelopes]

    def summary(self) -> AuditSummary:
        result = self.score()
        opened = self.opened
        previous = self.service.index.get(self.id) if self.service.index.path.exists() else None
        return AuditSummary(
            id=self.id,
            station=opened.station.code,
            station_name=opened.station.name,
            type=opened.audit_type.value,
            status="closed" if self.is_closed else "open",
            progress={"answered": result.answered, "total": result.total},
            score=result.percent,
            decision=result.decision.value,
            majors=result.majors,
            minors=result.minors,
            checklist=f"{opened.checklist.id} {opened.checklist.version}",
            auditor=opened.auditor.id,
            opened=opened.time,
            closed=self.state.closed.time if self.state.closed else None,
            records=self.state.seq,
            cursor=previous.cursor if previous else None,
        )

    def _flush_index(self) -> None:
        """One index write per session, not per finding: the index is rebuilt from the audit."""
        if self._index_stale:
            self._index_stale = False
            self.service.index.put_quietly(self.summary())

    def set_cursor(self, item_id: str | None) -> None:
        self.service.set_cursor(self.id, item_id)

    # -- writing ---------------------------------------------------------------------------------
    def use_key(self, key: SigningKey) -> None:
        """Sign with ``key`` from now on; it must be the key of the auditor who opened the audit."""
        if key.public.kid_hex != self.opened.auditor.kid:
            raise UserError(
                f"audit {self.id[:12]} was opened by auditor {self.opened.auditor.id} (key {self.opened.auditor.kid}); "
                f"this key is {key.public.kid_hex}"
            )
        self.key = key

    def check_writable(self) -> None:
        """Raise unless findings may still be written here (opened writable, not closed)."""
        if not self.writable:
            raise UserError(f"audit {self.id[:12]} was opened read-only")
        if self.is_closed:
            raise UserError(f"audit {self.id[:12]} is closed: its findings can no longer change")

    def _require_writable(self) -> SigningKey:
        self.check_writable()
        if self.key is None:
            raise UserError("recording needs the auditor's key (unlock it with the passphrase)")
        return self.key

    def validate(self, rows: Sequence[FindingInput]) -> None:
        """Check ``rows`` as ``record_many`` would, without the key and without writing."""
        self.check_writable()
        self._plan(rows)

    def record(
        self,
        item_id: str,
        status: str | FindingStatus,
        note: str | None = None,
        evidence: Sequence[str | Path] = (),
        due: str | None = None,
        reason: str | None = None,
    ) -> Finding:
        """Record (or revise) the finding of one item; returns after the durable write."""
        return self.record_many([FindingInput(item_id, status, note, tuple(evidence), due, reason)])[0]

    def attach(self, item_id: str, evidence: Sequence[str | Path]) -> Finding:
        """Attach evidence to an item's finding: a revision that keeps its status and note."""
        latest = self.state.latest.get(item_id)
        if latest is None:
            if item_id not in self.checklist.items:
                raise UserError(_unknown_item(item_id, self.checklist))
            raise UserError(f"{item_id}: record a finding before attaching evidence to it")
        if not evidence:
            raise UserError("no evidence files to attach")
        return self.record(item_id, latest.status, evidence=evidence)

    def record_many(self, rows: Sequence[FindingInput]) -> list[Finding]:
        """Validate every row first, then copy evidence and write all rows in one durable append."""
        key = self._require_writable()
        plans = self._plan(rows)
        refs, created = store_evidence([p for plan in plans for p in plan.new_paths], self.evidence_dir)
        try:
            envelopes, payloads = self._sign(plans, refs, key)
            self.store.append_many(RECORDS, [e.model_dump() for e in envelopes])
        except BaseException:
            remove_created(created)
            raise
        findings: list[Finding] = []
        for envelope, payload in zip(envelopes, payloads):
            self.envelopes.append(envelope)
            self.state.apply(payload, envelope_digest(envelope))
            findings.append(self.state.latest[payload.item])
        self._index_stale = True
        return findings

    def _plan(self, rows: Sequence[FindingInput]) -> list["_Plan"]:
        """Validate all rows against the checklist and the findings (earlier rows included)."""
        if not rows:
            raise UserError("no findings to record")
        pending: dict[str, _Plan] = {}
        plans: list[_Plan] = []
        today = record_time(self.opened.time).date()
        for row in rows:
            where = f"{row.where}: " if row.where else ""
            try:
                plan = _Plan.build(row, self.checklist, pending.get(row.item) or self.state.latest.get(row.item), today)
            except UserError as exc:
                raise UserError(f"{where}{exc}") from None
            pending[row.item] = plan
            plans.append(plan)
        return plans

    def _sign(self, plans: list["_Plan"], refs: list[EvidenceRef], key: SigningKey) -> tuple[list[Envelope], list[FindingRecord]]:
        """Sign ``plans`` in order, chaining each to the one before; ``refs`` are their new files."""
        new_refs = iter(refs)
        head, seq = self.state.head, self.state.seq
        # Only the items this batch touches are looked up: a write costs the same at any size.
        last_id: dict[str, str | None] = {}
        evidence_of: dict[str, list[EvidenceRef]] = {}
        envelopes: list[Envelope] = []
        payloads: list[FindingRecord] = []
        for plan in plans:
            if plan.item not in evidence_of:
                previous = self.state.latest.get(plan.item)
                evidence_of[plan.item] = list(previous.evidence) if previous else []
                last_id[plan.item] = previous.record_id if previous else None
            evidence = evidence_of[plan.item]
            for _ in plan.new_paths:
                ref = next(new_refs)
                if all(r.sha256 != ref.sha256 for r in evidence):
                    evidence.append(ref)
            seq += 1
            value = {
                "format": RECORD_FORMAT,
                "type": "finding",
                "id": new_id(),
                "audit": self.id,
                "seq": seq,
                "prev": head,
                "time": now_text(),
                "item": plan.item,
                "status": plan.status.value,
                "note": plan.note,
                "evidence": [r.model_dump() for r in evidence],
                "due": plan.due,
                "reason": plan.reason,
                "revises": last_id[plan.item],
            }
            envelope = sign_record(key, Domain.FINDING, value)
            payload = FindingRecord.model_validate(canonical_loads(envelope.payload, "new record"))
            head = envelope_digest(envelope)
            last_id[plan.item] = payload.id
            envelopes.append(envelope)
            payloads.append(payload)
        return envelopes, payloads

    def check_closable(self) -> None:
        """Raise unless the audit can be closed now (writable, open, every item answered)."""
        self.check_writable()
        unanswered = self.score().unanswered
        if unanswered:
            shown = ", ".join(unanswered[:UNANSWERED_SHOWN])
            more = ", …" if len(unanswered) > UNANSWERED_SHOWN else ""
            raise UserError(
                f"cannot close audit {self.id[:12]}: {len(unanswered)} of {len(self.checklist.items)} items "
                f"unanswered ({shown}{more})"
            )

    def close(self) -> Seal:
        """Close the audit: sign the closing record and the seal. Refused while items are unanswered."""
        if self.is_closed and self._seal is None and self.writable and self.key is not None:
            return self._write_seal(self.key)  # a close interrupted between its two writes
        self.check_closable()
        key = self._require_writable()
        result = self.score()
        value = {
            "format": RECORD_FORMAT,
            "type": "audit-closed",
            "id": new_id(),
            "audit": self.id,
            "seq": self.state.seq + 1,
            "prev": self.state.head,
            "time": now_text(),
            "findings_root": self.findings_root().hex(),
            "answered": result.answered,
            "total": result.total,
            "percent": result.percent,
            "majors": result.majors,
            "minors": result.minors,
            "observations": result.observations,
            "decision": result.decision.value,
        }
        envelope = sign_record(key, Domain.FINDING, value)
        self.store.append(RECORDS, envelope.model_dump())
        self.envelopes.append(envelope)
        self.state.apply(parse_payload(envelope, "closing record"), envelope_digest(envelope))
        return self._write_seal(key)

    def _write_seal(self, key: SigningKey) -> Seal:
        closed = self.state.closed
        assert closed is not None and self.state.head is not None
        opened = self.opened
        value = {
            "format": SEAL_FORMAT,
            "audit": self.id,
            "station": opened.station.code,
            "checklist": opened.checklist.model_dump(),
            "audit_type": opened.audit_type.value,
            "auditor": opened.auditor.id,
            "head": self.state.head,
            "seq": self.state.seq,
            "findings_root": closed.findings_root,
            "opened": opened.time,
            "closed": closed.time,
            "percent": closed.percent,
            "majors": closed.majors,
            "minors": closed.minors,
            "decision": closed.decision,
        }
        envelope = sign_record(key, Domain.SEAL, value)
        self.store.append(SEAL, envelope.model_dump())
        self._seal = _parse_seal(envelope.model_dump())
        self._index_stale = True
        self._flush_index()
        return self._seal


@dataclass
class _Plan:
    """A validated finding, before its evidence is copied and it is signed."""

    item: str
    status: FindingStatus
    note: str | None
    due: str | None
    reason: str | None
    new_paths: list[str | Path]
    evidence_count: int  # files the finding will carry (previous ones are kept)

    @classmethod
    def build(cls, row: FindingInput, checklist: Checklist, previous: "Finding | _Plan | None", opened: date) -> "_Plan":
        """Check ``row``; unspecified note, due date and reason carry over from ``previous``."""
        if row.item not in checklist.items:
            raise UserError(_unknown_item(row.item, checklist))
        status = parse_status(row.status)
        note = _text_or_none(row.note, "note", NOTE_MAX)
        reason = _text_or_none(row.reason, "reason", REASON_MAX)
        due = _due_or_none(row.due, opened)
        before = 0
        if previous is not None:
            note = note if note is not None else previous.note
            if due is None and status.is_nonconformity:
                due = previous.due
            if reason is None and status is previous.status:
                reason = previous.reason
            before = len(previous.evidence) if isinstance(previous, Finding) else previous.evidence_count
        count = before + len(row.evidence)
        problems = finding_rule_problems(checklist, row.item, status, note, count > 0, reason, due)
        if problems:
            raise UserError(problems[0])
        return cls(row.item, status, note, due, reason, list(row.evidence), count)


# ---------------------------------------------------------------------------------------------
# findings from a CSV file

CSV_REQUIRED = ("item", "status", "note")
CSV_OPTIONAL = ("evidence", "due", "reason")
CSV_LIMIT = 20 * 1024 * 1024


def load_findings_csv(path: str | Path) -> list[FindingInput]:
    """Rows of a findings CSV (UTF-8, BOM tolerated): header ``item,status,note`` plus optional
    ``evidence`` (files separated by ``;``, relative to the CSV's folder), ``due`` and ``reason``.

    Only the shape is checked here; ``Audit.validate`` checks the content, and every error
    names the CSV line where the row starts.
    """
    import csv
    import io

    p = Path(path)
    raw = read_user_file(p, "findings file", CSV_LIMIT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise UserError(f"{p}: empty file (expected a header line: item,status,note)") from None
    except csv.Error as exc:
        raise UserError(f"{p} line 1: {exc}") from None
    unknown = [name for name in header if name not in CSV_REQUIRED + CSV_OPTIONAL]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        allowed = ", ".join(CSV_REQUIRED + CSV_OPTIONAL)
        what = f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}" if missing else "a column appears twice"
        raise UserError(f"{p} line 1: {what} (the header is item,status,note and optionally {', '.join(CSV_OPTIONAL)}; allowed: {allowed})")
    rows: list[FindingInput] = []
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UserError(f"{p} line {line}: {exc}") from None
        where = f"{p} line {line}"
        line = reader.line_num + 1
        if not any(cell.strip() for cell in fields):
            continue
        if len(fields) != len(header):
            raise UserError(f"{where}: {len(fields)} fields, the header has {len(header)}")
        cells = dict(zip(header, fields))
        if not cells["item"].strip():
            raise UserError(f"{where}: the item is empty")
        evidence = [p.parent / part.strip() for part in cells.get("evidence", "").split(";") if part.strip()]
        rows.append(
            FindingInput(
                item=cells["item"].strip(),
                status=cells["status"].strip(),
                note=cells["note"] or None,
                evidence=tuple(evidence),
                due=cells.get("due") or None,
                reason=cells.get("reason") or None,
                where=where,
            )
        )
    if not rows:
        raise UserError(f"{p}: no findings after the header line")
    return rows


# ---------------------------------------------------------------------------------------------
# helpers


def parse_status(value: str | FindingStatus) -> FindingStatus:
    try:
        return FindingStatus(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in FindingStatus)
        raise UserError(f"unknown status {value!r} (use one of: {allowed})") from None


def parse_audit_type(value: str | AuditType) -> AuditType:
    text = str(value).strip().lower()
    if text in ("stage2", "stage-2"):
        return AuditType.CERTIFICATION
    try:
        return AuditType(text)
    except ValueError:
        allowed = ", ".join(t.value for t in AuditType)
        raise UserError(f"unknown audit type {value!r} (use one of: {allowed})") from None


def _text_or_none(value: str | None, what: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return check_text(value, what, limit)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _due_or_none(value: str | None, opened: date) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        due = check_due(value.strip())
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if date.fromisoformat(due) < opened:
        raise UserError(f"due date {due} is before the audit was opened ({opened.isoformat()})")
    return due


def _unknown_item(item_id: str, checklist: Checklist) -> str:
    close = difflib.get_close_matches(item_id.upper(), list(checklist.items), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown item {item_id!r}: not in checklist {checklist.id} {checklist.version}{hint}"


def load_audit_checklist(folder: Path) -> Checklist:
    path = folder / CHECKLIST_NAME
    raw = read_user_file(path, "checklist", CSV_LIMIT)
    try:
        return checklist_from_bytes(raw, str(path))
    except ChecklistInvalid as exc:
        raise UserError(exc.problems[0]) from None


_CHECKLISTS: dict[str, Checklist] = {}


def checklist_from_bytes(raw: bytes, source: str) -> Checklist:
    """``parse_checklist`` remembered by content: validating the shipped checklist takes a
    noticeable fraction of a second, and a session opens the same one again and again."""
    digest = hashlib.sha256(raw).hexdigest()
    checklist = _CHECKLISTS.get(digest)
    if checklist is None:
        checklist = _CHECKLISTS[digest] = parse_checklist(raw, source)
    return checklist


def _parse_seal(doc: Any) -> Seal:
    envelope = Envelope.model_validate(doc)
    try:
        payload = SealPayload.model_validate(canonical_loads(envelope.payload, "seal"))
    except ValidationError as exc:
        raise UserError(f"seal: {exc.errors()[0]['msg']} (damaged)") from None
    return Seal(envelope, payload)


def iter_nonconformities(audit: Audit) -> Iterator[tuple[Finding, list[str]]]:
    """Each nonconformity with the ISO clauses of its item, in checklist order."""
    for item_id, finding in audit.latest().items():
        if finding.status.is_nonconformity:
            yield finding, list(audit.checklist.items[item_id].clauses)
