"""Audit records: the signed, hash-chained, append-only history of one audit.

Every change to an audit is one record, signed by the auditor in ``Domain.FINDING`` and stored as
its ``Envelope`` (kid, the exact payload text that was signed, signature). Each payload names the
audit, its position (``seq``, from 1) and ``prev``, the ``Envelope.digest()`` of the record before
it, so a deleted, inserted, reordered or edited record breaks the chain where it happened.

Record types, in chain order::

    audit-opened   seq 1: station, checklist identity, audit type, auditor (id, kid, public key)
    finding        one per recorded or revised finding; ``revises`` names the record it replaces
    audit-closed   last: score, decision and the Merkle root of the latest findings

Closing also signs a seal (``Domain.SEAL``) over the digest of the closing record (the chain
head) and the findings root; certificates commit to that root.

The findings root is an RFC 6962 Merkle tree (SHA-256, leaf prefix 0x00, node prefix 0x01) whose
leaves are the digests of the latest finding record of each item, in checklist order.

This module is pure: it knows the formats and checks a list of stored records; storage, evidence
files and trust lists are handed in by the caller.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Callable, Iterable, Literal, Mapping, Protocol, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inspector.crypto.canonical import parse_canonical_json
from inspector.audit.checklist import Checklist, ChecklistRef
from inspector.errors import UserError
from inspector.audit.scoring import FindingStatus
from inspector.crypto.signing import Domain, Envelope, PublicKey

RECORD_FORMAT = "inspector-record/v1"
SEAL_FORMAT = "inspector-seal/v1"

HEX64 = re.compile(r"^[0-9a-f]{64}$")
ID_HEX = re.compile(r"^[0-9a-f]{32}$")
NOTE_MAX = 4000
REASON_MAX = 1000


class RecordType(StrEnum):
    OPENED = "audit-opened"
    FINDING = "finding"
    CLOSED = "audit-closed"


class AuditType(StrEnum):
    STAGE1 = "stage1"
    CERTIFICATION = "certification"  # stage 2
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"


def new_id() -> str:
    """A fresh record or audit id: uuid4 as 32 lowercase hex digits."""
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# payload models (validators of the signed bytes, never used to re-create them)


def _check_hex64(value: str) -> str:
    if not HEX64.match(value):
        raise ValueError("must be 64 lowercase hex digits")
    return value


def _check_id(value: str) -> str:
    if not ID_HEX.match(value):
        raise ValueError("must be 32 lowercase hex digits")
    return value


TIME_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


def record_time(value: str) -> datetime:
    """Parse a record time (``canonical.TIME_FORMAT``, UTC) at C speed: it is done per record."""
    if not TIME_TEXT.match(value):
        raise ValueError("must be a UTC time YYYY-MM-DDTHH:MM:SSZ")
    return datetime.fromisoformat(value)  # "Z" is read as UTC (Python >= 3.11)


def _check_time(value: str) -> str:
    record_time(value)
    return value


def check_text(value: str, what: str, limit: int) -> str:
    """Free text inside a signed record: NFC, bounded, no control characters but newline and tab."""
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise ValueError(f"{what} contains control characters")
    if value[:1] and unicodedata.category(value[0]).startswith("M"):
        raise ValueError(f"{what} begins with a combining mark")
    return value


def check_due(value: str) -> str:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"due date {value!r} is not a date YYYY-MM-DD") from None
    if parsed.isoformat() != value:
        raise ValueError(f"due date {value!r} is not a date YYYY-MM-DD")
    return value


Hex64 = Annotated[str, Field(pattern=HEX64.pattern)]
IdHex = Annotated[str, Field(pattern=ID_HEX.pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class EvidenceRef(_Strict):
    """An evidence file, by content: the file itself lives under its SHA-256 name."""

    sha256: Hex64
    size: Annotated[int, Field(ge=0)]
    media_type: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=255)]


class StationRef(_Strict):
    code: str
    name: str
    name_hi: str


class AuditorRef(_Strict):
    id: str
    name: str
    kid: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    public_key: str  # base64 of the raw 32 bytes: lets a chain be checked for integrity alone


class _RecordBase(_Strict):
    format: Literal["inspector-record/v1"]
    id: IdHex
    audit: IdHex
    seq: Annotated[int, Field(ge=1)]
    prev: Hex64 | None
    time: str

    _time = field_validator("time")(classmethod(lambda cls, v: _check_time(v)))


class OpenedRecord(_RecordBase):
    type: Literal["audit-opened"]
    station: StationRef
    checklist: ChecklistRef
    audit_type: Annotated[AuditType, Field(strict=False)]
    auditor: AuditorRef


class FindingRecord(_RecordBase):
    type: Literal["finding"]
    item: str
    status: Annotated[FindingStatus, Field(strict=False)]
    note: str | None
    evidence: list[EvidenceRef]
    due: str | None
    reason: str | None
    revises: IdHex | None  # the record id of the finding this one replaces

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None) -> str | None:
        return None if value is None else check_due(value)


class ClosedRecord(_RecordBase):
    type: Literal["audit-closed"]
    findings_root: Hex64
    answered: int
    total: int
    percent: int | None
    majors: int
    minors: int
    observations: int
    decision: str


AnyRecord = OpenedRecord | FindingRecord | ClosedRecord
_MODELS: dict[str, type[BaseModel]] = {
    RecordType.OPENED.value: OpenedRecord,
    RecordType.FINDING.value: FindingRecord,
    RecordType.CLOSED.value: ClosedRecord,
}


class SealPayload(_Strict):
    """What the closing seal signs: the chain head, the findings root and the verdict."""

    format: Literal["inspector-seal/v1"]
    audit: IdHex
    station: str
    checklist: ChecklistRef
    audit_type: Annotated[AuditType, Field(strict=False)]
    auditor: str
    head: Hex64  # Envelope.digest() of the audit-closed record
    seq: Annotated[int, Field(ge=1)]  # its seq, i.e. the number of records sealed
    findings_root: Hex64
    opened: str
    closed: str
    percent: int | None
    majors: int
    minors: int
    decision: str

    _times = field_validator("opened", "closed")(classmethod(lambda cls, v: _check_time(v)))


# ---------------------------------------------------------------------------------------------
# digests and the Merkle root


def envelope_digest(envelope: Envelope) -> str:
    """Exactly ``Envelope.digest()``, computed without a second JSON canonicaliser pass.

    For an object of three ASCII-keyed strings RFC 8785 is: keys in order, no whitespace, and
    strings escaped as ``json.dumps(ensure_ascii=False)`` escapes them (``"``, ``\\`` and the
    C0 controls, lowercase ``\\u00xx``). Anything unusual (non-NFC or unencodable text) takes
    the reference path, so the two can never disagree.
    """
    payload = envelope.payload
    if not unicodedata.is_normalized("NFC", payload):
        return envelope.digest()
    try:
        text = '{"kid":%s,"payload":%s,"sig":%s}' % (
            json.dumps(envelope.kid),
            json.dumps(payload, ensure_ascii=False),
            json.dumps(envelope.sig),
        )
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return envelope.digest()
    return hashlib.sha256(data).hexdigest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash over ``leaves`` (SHA-256; 0x00 leaf and 0x01 node prefixes)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    return _subtree(level)


def _subtree(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # largest power of two below n
    left, right = _subtree(hashes[:split]), _subtree(hashes[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def findings_root(checklist: Checklist, latest_digests: Mapping[str, str]) -> bytes:
    """The 32-byte root over the latest finding digest of each answered item, in checklist order."""
    leaves = [bytes.fromhex(latest_digests[item_id]) for item_id in checklist.items if item_id in latest_digests]
    return merkle_root(leaves)


# ---------------------------------------------------------------------------------------------
# the state a chain describes


@dataclass(frozen=True)
class Finding:
    """The effective finding of an item: its latest record."""

    item: str
    status: FindingStatus
    note: str | None
    evidence: tuple[EvidenceRef, ...]
    due: str | None
    reason: str | None
    record_id: str
    seq: int
    time: str
    digest: str
    revision: int  # 1 for the first finding of the item, 2 for its first revision, ...


def record_label(seq: int | str, payload: Any) -> str:
    """How a problem names a record: its seq, type, item and short id."""
    if isinstance(payload, FindingRecord):
        return f"record {seq} (finding {payload.item}, id {payload.id[:8]})"
    if isinstance(payload, (OpenedRecord, ClosedRecord)):
        return f"record {seq} ({payload.type}, id {payload.id[:8]})"
    return f"record {seq}"


@dataclass
class ChainState:
    """What the records applied so far say. Filled by ``apply`` in chain order."""

    opened: OpenedRecord | None = None
    closed: ClosedRecord | None = None
    latest: dict[str, Finding] = field(default_factory=dict)
    history: dict[str, list[Finding]] = field(default_factory=dict)
    head: str | None = None  # digest of the last record
    seq: int = 0
    last_time: str | None = None
    clock_warnings: list[str] = field(default_factory=list)

    def apply(self, payload: AnyRecord, digest: str) -> None:
        if self.last_time is not None and payload.time < self.last_time:
            self.clock_warnings.append(
                f"{record_label(payload.seq, payload)} is dated {payload.time}, earlier than the record "
                f"before it ({self.last_time}): the clock ran backwards"
            )
        self.last_time = payload.time
        self.head = digest
        self.seq = payload.seq
        if isinstance(payload, OpenedRecord):
            self.opened = payload
        elif isinstance(payload, ClosedRecord):
            self.closed = payload
        else:
            revisions = self.history.setdefault(payload.item, [])
            finding = Finding(
                item=payload.item,
                status=payload.status,
                note=payload.note,
                evidence=tuple(payload.evidence),
                due=payload.due,
                reason=payload.reason,
                record_id=payload.id,
                seq=payload.seq,
                time=payload.time,
                digest=digest,
                revision=len(revisions) + 1,
            )
            revisions.append(finding)
            self.latest[payload.item] = finding

    def latest_digests(self) -> dict[str, str]:
        return {item: finding.digest for item, finding in self.latest.items()}


def canonical_loads(text: str, what: str) -> Any:
    """Parse payload text that must be canonical JSON (RFC 8785, NFC, no duplicate keys).

    The common case is checked at C speed: the payload is NFC and re-encoding the parsed value
    with sorted keys gives the same text back, which also rules out duplicate keys (a dropped
    duplicate would shorten it). Anything else takes ``parse_canonical_json``, which decides
    exactly and says what is wrong.
    """
    if unicodedata.is_normalized("NFC", text):
        try:
            value = json.loads(text)
            again = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
        except ValueError:
            value, again = None, None
        if again == text:
            return value
    return parse_canonical_json(text.encode("utf-8", "surrogatepass"), what)


def parse_payload(envelope: Envelope, what: str) -> AnyRecord:
    """The record model of ``envelope``'s payload (its signature is the caller's business)."""
    value = canonical_loads(envelope.payload, what)
    if not isinstance(value, dict):
        raise UserError(f"{what}: payload is not an object")
    model = _MODELS.get(str(value.get("type")))
    if model is None or value.get("format") != RECORD_FORMAT:
        raise UserError(f"{what}: not an {RECORD_FORMAT} record (type {value.get('type')!r})")
    try:
        return model.model_validate(value)  # type: ignore[return-value]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise UserError(f"{what}: {where}: {first['msg']}") from None


def parse_envelope(doc: Any, what: str) -> Envelope:
    if not isinstance(doc, dict):
        raise UserError(f"{what}: not a signed record")
    try:
        return Envelope.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise UserError(f"{what}: {where}: {first['msg']}") from None


def load_state(docs: Iterable[Any]) -> tuple[list[Envelope], ChainState]:
    """Rebuild the state of an audit from its stored envelopes, trusting the store.

    Used when a device opens its own audit: linkage is checked cheaply so a damaged store is
    refused, while signatures are left to ``verify_chain`` (``audit verify``, HQ import).
    """
    envelopes: list[Envelope] = []
    state = ChainState()
    for position, doc in enumerate(docs, start=1):
        what = f"record {position}"
        envelope = parse_envelope(doc, what)
        payload = parse_payload(envelope, what)
        if payload.seq != position or payload.prev != state.head:
            raise UserError(f"{what}: the audit's record chain is broken here; run 'inspector audit verify'")
        envelopes.append(envelope)
        state.apply(payload, envelope_digest(envelope))
    return envelopes, state


# ---------------------------------------------------------------------------------------------
# verification of a whole chain

class KeyCheck(Protocol):
    """The trust decision about the keys that signed an audit."""

    def key(self, kid: str) -> "PublicKey | str":
        """The enrolled key with ``kid`` if it may sign findings at all, else why not."""

    def window(self, kid: str, time: str) -> str | None:
        """None if key ``kid`` could sign at ``time`` (a record time), else why not."""


EvidenceCheck = Callable[[EvidenceRef], "str | None"]
"""``ref -> None`` when the file is present and matches, else what is wrong with it."""


@dataclass
class ChainReport:
    """Everything wrong with a chain (``problems``) and everything odd about it (``warnings``)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    state: ChainState = field(default_factory=ChainState)
    envelopes: list[Envelope] = field(default_factory=list)
    seal: SealPayload | None = None
    seal_envelope: Envelope | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    docs: Sequence[Any],
    seal_doc: Any | None,
    checklist: Checklist | None,
    key_check: KeyCheck | None,
    evidence_check: EvidenceCheck | None,
    *,
    expected_audit: str | None = None,
) -> ChainReport:
    """Check every record of an audit and its seal; name each broken record.

    ``key_check`` is the trust decision (None: signatures are checked only against the key the
    audit names for itself, which proves integrity but not who signed). ``checklist`` is the
    checklist that travelled with the audit; its content hash must be the one the audit recorded.
    """
    report = ChainReport()
    checker = _ChainChecker(report, checklist, key_check, evidence_check, expected_audit)
    for position, doc in enumerate(docs, start=1):
        checker.check(position, doc)
    checker.finish(seal_doc)
    report.warnings[:0] = report.state.clock_warnings
    return report


class _ChainChecker:
    def __init__(
        self,
        report: ChainReport,
        checklist: Checklist | None,
        key_check: KeyCheck | None,
        evidence_check: EvidenceCheck | None,
        expected_audit: str | None,
    ) -> None:
        self.report = report
        self.state = report.state
        self.checklist = checklist
        self.key_check = key_check
        self.evidence_check = evidence_check
        self.expected_audit = expected_audit
        self.audit_key: PublicKey | None = None
        self.trusted: dict[str, PublicKey | str] = {}
        self.ids: set[str] = set()
        self.evidence_seen: dict[str, str | None] = {}
        self.count = 0

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    def check(self, position: int, doc: Any) -> None:
        self.count = position
        what = f"record {position}"
        try:
            envelope = parse_envelope(doc, what)
        except UserError as exc:
            self.problem(f"{exc} (record damaged)")
            return
        self.report.envelopes.append(envelope)
        try:
            payload = parse_payload(envelope, what)
        except UserError as exc:
            self.problem(f"{exc} (record damaged)")
            self.state.head = envelope_digest(envelope)
            return
        label = record_label(payload.seq, payload)
        if position == 1:
            self._first(payload, label)
        signature_ok = self._signature(envelope, payload, label)
        self._linkage(position, payload, label)
        if signature_ok:
            self._content(payload, label)
        self.state.apply(payload, envelope_digest(envelope))

    def _first(self, payload: AnyRecord, label: str) -> None:
        if not isinstance(payload, OpenedRecord):
            self.problem(f"{label}: the first record must open the audit (the opening record is missing)")
            return
        try:
            self.audit_key = PublicKey.from_b64(payload.auditor.public_key, f"{label}: auditor public key")
        except UserError as exc:
            self.problem(str(exc))
            return
        if self.audit_key.kid_hex != payload.auditor.kid:
            self.problem(f"{label}: auditor kid does not match the auditor's public key")
        if self.checklist is not None and payload.checklist.hash != self.checklist.content_hash:
            self.problem(
                f"checklist: content hash {self.checklist.content_hash[:16]}… is not the "
                f"{payload.checklist.hash[:16]}… recorded when the audit was opened ({label}): the checklist was changed"
            )
        if self.checklist is not None and (payload.checklist.id, payload.checklist.version) != (
            self.checklist.id,
            self.checklist.version,
        ):
            self.problem(f"checklist: {self.checklist.id} {self.checklist.version} is not the one the audit used")

    def _key_for(self, kid: str, time: str, label: str) -> PublicKey | None:
        if self.audit_key is None:
            self.problem(f"{label}: cannot check the signature: the audit's opening record is missing or damaged")
            return None
        if kid != self.audit_key.kid_hex:
            self.problem(f"{label}: signed by key {kid}, not by the audit's auditor ({self.audit_key.kid_hex})")
            return None
        if self.key_check is None:
            return self.audit_key
        if kid not in self.trusted:
            self.trusted[kid] = self.key_check.key(kid)
        answer = self.trusted[kid]
        if isinstance(answer, str):
            self.problem(f"{label}: {answer}")
            return None
        if answer != self.audit_key:
            self.problem(f"{label}: the trust list's key {kid} is not the key the audit names")
            return None
        outside = self.key_check.window(kid, time)
        if outside:
            self.problem(f"{label}: {outside}")
            return None
        return answer

    def _signature(self, envelope: Envelope, payload: AnyRecord, label: str) -> bool:
        key = self._key_for(envelope.kid, payload.time, label)
        if key is None:
            return False
        try:
            signature = envelope.signature()
        except UserError:
            signature = b""
        if not key.verify(Domain.FINDING, envelope.payload_bytes, signature):
            self.problem(f"{label}: bad signature (the record was altered after signing)")
            return False
        return True

    def _linkage(self, position: int, payload: AnyRecord, label: str) -> None:
        state = self.state
        if self.expected_audit is not None and payload.audit != self.expected_audit:
            self.problem(f"{label}: belongs to audit {payload.audit}, not {self.expected_audit}")
        elif state.opened is not None and payload.audit != state.opened.audit:
            self.problem(f"{label}: belongs to audit {payload.audit}, not {state.opened.audit} (inserted?)")
        if payload.id in self.ids:
            self.problem(f"{label}: record id {payload.id} appears twice (duplicated record)")
        self.ids.add(payload.id)
        if payload.seq != position:
            expected = state.seq + 1
            if payload.seq > expected:
                missing = f"seq {expected}" if payload.seq == expected + 1 else f"seq {expected}–{payload.seq - 1}"
                self.problem(f"{label}: found at position {position} with seq {payload.seq}: record {missing} is missing (deleted?)")
            else:
                self.problem(f"{label}: found at position {position} but has seq {payload.seq} (records reordered or inserted)")
        if payload.prev != state.head:
            if position == 1:
                self.problem(f"{label}: the first record must not point to a previous one")
            else:
                self.problem(f"{label}: its previous-record hash does not match record {position - 1} (a record before it was changed, removed or inserted)")
        if state.closed is not None:
            self.problem(f"{label}: recorded after the audit was closed")
        if position > 1 and isinstance(payload, OpenedRecord):
            self.problem(f"{label}: a second opening record inside the chain")

    def _content(self, payload: AnyRecord, label: str) -> None:
        if isinstance(payload, FindingRecord):
            self._finding(payload, label)
        elif isinstance(payload, ClosedRecord):
            self._closed(payload, label)

    def _finding(self, payload: FindingRecord, label: str) -> None:
        previous = self.state.latest.get(payload.item)
        if payload.revises != (previous.record_id if previous else None):
            self.problem(f"{label}: claims to revise {payload.revises or 'nothing'}, but the item's previous finding is {previous.record_id if previous else 'none'}")
        if self.checklist is not None:
            item = self.checklist.items.get(payload.item)
            if item is None:
                self.problem(f"{label}: item {payload.item} is not in checklist {self.checklist.id} {self.checklist.version}")
            else:
                for rule in finding_rule_problems(self.checklist, payload.item, payload.status, payload.note, bool(payload.evidence), payload.reason, payload.due):
                    self.problem(f"{label}: {rule}")
        if self.evidence_check is None:
            return
        for ref in payload.evidence:
            if ref.sha256 not in self.evidence_seen:
                self.evidence_seen[ref.sha256] = self.evidence_check(ref)
            wrong = self.evidence_seen[ref.sha256]
            if wrong:
                self.problem(f"{label}: evidence {ref.name!r} ({ref.sha256[:16]}…): {wrong}")

    def _closed(self, payload: ClosedRecord, label: str) -> None:
        root = self._root()
        if root is not None and payload.findings_root != root:
            self.problem(f"{label}: its findings root does not match the findings recorded before it")
        if self.checklist is not None:
            unanswered = [i for i in self.checklist.items if i not in self.state.latest]
            if unanswered:
                self.problem(f"{label}: the audit was closed with {len(unanswered)} items unanswered")

    def _root(self) -> str | None:
        if self.checklist is None:
            return None
        return findings_root(self.checklist, self.state.latest_digests()).hex()

    def finish(self, seal_doc: Any | None) -> None:
        report = self.report
        if self.count == 0:
            self.problem("the audit has no records")
            return
        if seal_doc is None:
            if self.state.closed is not None:
                self.problem(f"the audit was closed (record {self.state.closed.seq}) but its seal is missing")
            else:
                report.warnings.append("the audit is not closed: there is no seal, so records removed from its end could not be detected")
            return
        try:
            envelope = parse_envelope(seal_doc, "seal")
        except UserError as exc:
            self.problem(f"{exc} (seal damaged)")
            return
        report.seal_envelope = envelope
        key = self.audit_key
        if key is None or envelope.kid != key.kid_hex:
            self.problem(f"seal: signed by key {envelope.kid}, not by the audit's auditor")
            return
        try:
            signature = envelope.signature()
        except UserError:
            signature = b""
        if not key.verify(Domain.SEAL, envelope.payload_bytes, signature):
            self.problem("seal: bad signature (the seal was altered after signing)")
            return
        try:
            seal = SealPayload.model_validate(canonical_loads(envelope.payload, "seal"))
        except UserError as exc:
            self.problem(str(exc))
            return
        except ValidationError as exc:
            self.problem(f"seal: {exc.errors()[0]['msg']}")
            return
        report.seal = seal
        self._seal_matches(seal)

    def _seal_matches(self, seal: SealPayload) -> None:
        state = self.state
        if state.opened is not None and seal.audit != state.opened.audit:
            self.problem(f"seal: seals audit {seal.audit}, not {state.opened.audit}")
        if seal.seq != self.count:
            if seal.seq > self.count:
                self.problem(f"seal: covers {seal.seq} records but only {self.count} are present (records {self.count + 1}–{seal.seq} removed)")
            else:
                self.problem(f"seal: covers {seal.seq} records but {self.count} are present (record {seal.seq + 1} onwards added after closing)")
        elif seal.head != state.head:
            self.problem(f"seal: the chain head (record {self.count}) is not the one that was sealed")
        if state.closed is None:
            self.problem("seal: there is no closing record to seal")
        elif seal.findings_root != state.closed.findings_root:
            self.problem("seal: its findings root differs from the closing record's")
        root = self._root()
        if root is not None and seal.findings_root != root:
            self.problem("seal: its findings root does not match the latest findings")
        if state.opened is not None and seal.checklist != state.opened.checklist:
            self.problem("seal: names a different checklist from the audit's")


# ---------------------------------------------------------------------------------------------
# finding rules (shared by the service, which refuses, and by verification, which reports)


def finding_rule_problems(
    checklist: Checklist,
    item_id: str,
    status: FindingStatus,
    note: str | None,
    has_evidence: bool,
    reason: str | None,
    due: str | None,
) -> list[str]:
    """What a finding breaks of the checklist's rules for ``item_id`` (which must exist)."""
    item = checklist.items[item_id]
    problems: list[str] = []
    default = checklist.default_grade(item).value
    if status is FindingStatus.MINOR and default == "major" and not reason:
        problems.append(
            f"{item_id} is {item.criticality.value}: a failure is a major nonconformity; "
            "recording it as minor needs a written reason (--reason)"
        )
    if status.is_nonconformity and item.require_note and not note:
        problems.append(f"{item_id}: a {status.value} nonconformity needs a note (objective evidence, --note)")
    if status.is_nonconformity and item.require_evidence and not has_evidence:
        problems.append(f"{item_id}: a {status.value} nonconformity needs an evidence file (--evidence)")
    if due is not None and not status.is_nonconformity:
        problems.append(f"{item_id}: a due date is only for nonconformities, not for {status.value}")
    return problems
