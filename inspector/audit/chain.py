"""The state a chain of audit records describes: the latest finding per item, opened and closed
records, and the follow-up (corrective-action plans, their verification, meetings)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
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
    """What the records applied so far say. Filled by ``apply`` in chain order.

    ``history`` (every revision of every item) is the one part that grows with the audit's
    length. A state restored from a checkpoint (:func:`restore_state`) holds only what is current
    and reads ``history`` from the store the first time something asks for it; everything else
    (latest findings, revision numbers, evidence, follow-up, head) is kept up to date by
    ``apply`` either way.
    """

    opened: OpenedRecord | None = None
    closed: ClosedRecord | None = None
    latest: dict[str, Finding] = field(default_factory=dict)
    head: str | None = None  # digest of the last record
    seq: int = 0
    last_time: str | None = None
    clock_warnings: list[str] = field(default_factory=list)
    closed_head: str | None = None  # digest of the closing record: what the seal covers
    # item -> its corrective-action plans and verifications, in chain order
    follow_ups: dict[str, list[FollowUp]] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)
    revisions: dict[str, int] = field(default_factory=dict)  # item -> findings recorded for it
    # sha256 -> the first reference to it, of findings (every revision) and follow-up records
    evidence_refs: dict[str, EvidenceRef] = field(default_factory=dict)
    _history: dict[str, list[Finding]] | None = field(default_factory=dict, repr=False)
    _load_history: Callable[[], dict[str, list[Finding]]] | None = field(default=None, repr=False)

    @property
    def history(self) -> dict[str, list[Finding]]:
        """Item -> every finding recorded for it, oldest first (read on demand after a checkpoint)."""
        if self._history is None:
            assert self._load_history is not None
            loaded = self._load_history()
            seq = self.seq  # records applied meanwhile are in the store too: keep what we know
            self._history = {item: [f for f in found if f.seq <= seq] for item, found in loaded.items()}
            self._load_history = None
        return self._history

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
            self._note_evidence(payload.evidence)
        elif isinstance(payload, MeetingRecord):
            self.meetings.append(Meeting(payload, digest))
        else:
            revision = self.revisions.get(payload.item, 0) + 1
            self.revisions[payload.item] = revision
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
                revision=revision,
            )
            if self._history is not None:
                self._history.setdefault(payload.item, []).append(finding)
            self.latest[payload.item] = finding
            self._note_evidence(payload.evidence)

    def _note_evidence(self, refs: Iterable[EvidenceRef]) -> None:
        for ref in refs:
            if ref.sha256 not in self.evidence_refs:
                self.evidence_refs[ref.sha256] = ref

    def latest_digests(self) -> dict[str, str]:
        return {item: finding.digest for item, finding in self.latest.items()}

    def evidence(self) -> dict[str, EvidenceRef]:
        """Every evidence file any record refers to (findings and follow-up), by SHA-256."""
        return dict(self.evidence_refs)


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
            again = _SORTED_JSON.encode(value)
        except ValueError:
            value, again = None, None
        if again == text:
            return value
    return parse_canonical_json(text.encode("utf-8", "surrogatepass"), what)


# ``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)``
# without building the encoder again for every record.
_SORTED_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


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
        return Envelope.from_doc(doc)
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
# the checkpoint of an audit's state (saved with the store's checkpoint, see inspector.store.checkpoint)

STATE_FORMAT = "inspector-audit-state"
STATE_VERSION = 1


class RecordList(list[Envelope]):
    """An audit's envelopes in chain order, when its state came from a checkpoint.

    Only the records the state is made of (and those appended since) are in memory; the first
    use that needs any other one (export, a test, ...) reads them all from the store. Length,
    ``append`` and indexing a record in memory never read the store.
    """

    def __init__(self, count: int, known: dict[int, Envelope], load: Callable[[], list[Envelope]]) -> None:
        super().__init__()
        self._count = count
        self._known = known  # index -> envelope
        self._load: Callable[[], list[Envelope]] | None = load

    def materialize(self) -> None:
        if self._load is None:
            return
        loaded = self._load()
        if len(loaded) < self._count:  # the store lost records since it was opened: never silently
            raise UserError(f"the audit's store holds {len(loaded)} records, {self._count} were read before")
        super().extend(loaded[: self._count])  # records appended meanwhile are appended by their writer
        self._load = None
        self._known = {}

    def append(self, envelope: Envelope) -> None:
        if self._load is None:
            super().append(envelope)
        else:
            self._known[self._count] = envelope
            self._count += 1

    def __len__(self) -> int:
        return self._count if self._load is not None else super().__len__()

    def __getitem__(self, index: Any) -> Any:
        if self._load is not None and isinstance(index, int):
            position = index + self._count if index < 0 else index
            if position in self._known:
                return self._known[position]
        self.materialize()
        return super().__getitem__(index)

    def __iter__(self) -> Iterator[Envelope]:
        self.materialize()
        return super().__iter__()

    def __reversed__(self) -> Iterator[Envelope]:
        self.materialize()
        return super().__reversed__()

    def __contains__(self, item: object) -> bool:
        self.materialize()
        return super().__contains__(item)

    def __eq__(self, other: object) -> bool:
        self.materialize()
        if isinstance(other, RecordList):
            other.materialize()
        return super().__eq__(other)

    __hash__ = None  # as list's: unhashable

    def __repr__(self) -> str:
        self.materialize()
        return super().__repr__()


def _materializing(name: str) -> Any:
    method = getattr(list, name)

    def call(self: RecordList, *args: Any, **kwargs: Any) -> Any:
        self.materialize()
        return method(self, *args, **kwargs)

    call.__name__ = name
    return call


# Every other list operation works on the whole chain: read it first.
for _name in (
    "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "index", "count", "copy",
    "__setitem__", "__delitem__", "__add__", "__iadd__", "__mul__", "__imul__", "__lt__", "__le__", "__gt__", "__ge__",
):  # fmt: skip
    setattr(RecordList, _name, _materializing(_name))


def _current_positions(state: ChainState) -> list[int]:
    """The seq of every record the state is made of: opening, closing, each item's latest
    finding, every follow-up and meeting record. The chain's last record is always among them."""
    seqs = {finding.seq for finding in state.latest.values()}
    seqs.update(record.payload.seq for records in state.follow_ups.values() for record in records)
    seqs.update(meeting.payload.seq for meeting in state.meetings)
    for record in (state.opened, state.closed):
        if record is not None:
            seqs.add(record.seq)
    return sorted(seqs)


def state_snapshot(audit_id: str, state: ChainState, envelopes: list[Envelope]) -> dict[str, Any]:
    """The audit state as JSON values for the store's checkpoint: the signed records it is made
    of, exactly as stored, and what the rest of the chain contributed (revision counts, the
    evidence of superseded findings, clock warnings). Its size depends on the checklist and the
    follow-up, not on how many times findings were revised."""
    return {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
        "audit": audit_id,
        "seq": state.seq,
        "head": state.head,
        "records": [[seq, envelopes[seq - 1].model_dump()] for seq in _current_positions(state)],
        "revisions": dict(state.revisions),
        "evidence": [ref.model_dump() for ref in state.evidence_refs.values()],
        "clock_warnings": list(state.clock_warnings),
    }


def restore_state(
    saved: Any, audit_id: str, count: int, load_docs: Callable[[], list[Any]]
) -> tuple[RecordList, ChainState] | None:
    """The envelopes and state a checkpoint's ``saved`` snapshot describes, or None when it is
    not one of this audit at ``count`` records (the caller then loads the whole chain).

    The records are parsed and linked as ``load_state`` would, but only those the state is made
    of; the rest of the chain is read by ``load_docs`` the first time it is needed.
    """
    try:
        if not isinstance(saved, dict) or (saved.get("format"), saved.get("version")) != (STATE_FORMAT, STATE_VERSION):
            return None
        if saved["audit"] != audit_id or saved["seq"] != count or count < 1:
            return None
        state = ChainState(_history=None)
        known: dict[int, Envelope] = {}
        for seq, doc in saved["records"]:
            envelope = parse_envelope(doc, f"record {seq}")
            payload = parse_payload(envelope, f"record {seq}")
            if payload.seq != seq or payload.audit != audit_id or seq <= state.seq:
                return None
            known[seq - 1] = envelope
            state.apply(payload, envelope_digest(envelope))
        if state.seq != count or state.head != saved["head"] or state.opened is None or state.opened.seq != 1:
            return None
        revisions = {str(item): int(n) for item, n in saved["revisions"].items()}
        if any(revisions.get(item, 0) < 1 for item in state.latest):
            return None
        state.revisions = revisions
        state.latest = {item: replace(f, revision=revisions[item]) for item, f in state.latest.items()}
        state.evidence_refs = {}
        state._note_evidence(EvidenceRef.model_validate(ref) for ref in saved["evidence"])
        state.clock_warnings = [str(text) for text in saved["clock_warnings"]]
    except (UserError, ValidationError, KeyError, TypeError, ValueError):
        return None

    def envelopes() -> list[Envelope]:
        # Export copies the records as stored, so only their envelopes are built here; the
        # whole chain is linked and checked by ``audit verify`` and by HQ's import.
        return [parse_envelope(doc, f"record {n}") for n, doc in enumerate(load_docs(), start=1)]

    state._load_history = lambda: load_state(load_docs())[1].history
    return RecordList(count, known, envelopes), state
