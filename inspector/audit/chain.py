"""The state a chain of audit records describes: the latest finding per item, opened and closed
records, and the follow-up (corrective-action plans, their verification, meetings)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import (
    Any,
)

from pydantic import ValidationError

from inspector.audit.checklist import Checklist
from inspector.audit.records import (
    _MODELS,
    RECORD_FORMAT,
    AnyRecord,
    ClosedRecord,
    EvidenceRef,
    FindingRecord,
    MeetingRecord,
    OpenedRecord,
    ResponseRecord,
    VerificationRecord,
)
from inspector.audit.scoring import FindingStatus
from inspector.crypto.canonical import parse_canonical_json
from inspector.crypto.digests import envelope_digest, merkle_root
from inspector.crypto.signing import Envelope
from inspector.errors import UserError


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
    if isinstance(payload, (FindingRecord, ResponseRecord, VerificationRecord)):
        return f"record {seq} ({payload.type} {payload.item}, id {payload.id[:8]})"
    if isinstance(payload, MeetingRecord):
        return f"record {seq} ({payload.kind} meeting, id {payload.id[:8]})"
    if isinstance(payload, (OpenedRecord, ClosedRecord)):
        return f"record {seq} ({payload.type}, id {payload.id[:8]})"
    return f"record {seq}"


@dataclass(frozen=True)
class FollowUp:
    """A corrective-action plan or its verification as the chain holds it: payload and digest."""

    payload: ResponseRecord | VerificationRecord
    digest: str


@dataclass(frozen=True)
class Meeting:
    """A meeting record as the chain holds it: payload and digest."""

    payload: MeetingRecord
    digest: str


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
    closed_head: str | None = None  # digest of the closing record: what the seal covers
    # item -> its corrective-action plans and verifications, in chain order
    follow_ups: dict[str, list[FollowUp]] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)

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
            self.closed_head = digest
        elif isinstance(payload, (ResponseRecord, VerificationRecord)):
            self.follow_ups.setdefault(payload.item, []).append(FollowUp(payload, digest))
        elif isinstance(payload, MeetingRecord):
            self.meetings.append(Meeting(payload, digest))
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

    def evidence(self) -> dict[str, EvidenceRef]:
        """Every evidence file any record refers to (findings and follow-up), by SHA-256."""
        refs: dict[str, EvidenceRef] = {}
        for history in self.history.values():
            for finding in history:
                for ref in finding.evidence:
                    refs.setdefault(ref.sha256, ref)
        for records in self.follow_ups.values():
            for signed in records:
                for ref in signed.payload.evidence:
                    refs.setdefault(ref.sha256, ref)
        return refs


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
            again = json.dumps(
                value,
                ensure_ascii=False,
                separators=(",", ":"),
                sort_keys=True,
                allow_nan=False,
            )
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
