"""Checking a list of stored audit records: chain links, signatures, rules, the closing record and the seal.

Pure: storage, evidence files and trust lists are handed in by the caller."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import (
    Any,
    Protocol,
)

from pydantic import ValidationError

from inspector.audit.chain import (
    ChainState,
    canonical_loads,
    findings_root,
    parse_envelope,
    parse_payload,
    record_label,
)
from inspector.audit.checklist import Checklist
from inspector.audit.records import (
    AnyRecord,
    ClosedRecord,
    EvidenceRef,
    FindingRecord,
    OpenedRecord,
    SealPayload,
)
from inspector.audit.rules import finding_rule_problems
from inspector.crypto.digests import envelope_digest
from inspector.crypto.signing import Domain, Envelope, PublicKey
from inspector.errors import UserError

# ---------------------------------------------------------------------------------------------
# verification of a whole chain


class KeyCheck(Protocol):
    """The trust decision about the keys that signed an audit."""

    def key(self, kid: str) -> PublicKey | str:
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
        if self.checklist is not None and (
            payload.checklist.id,
            payload.checklist.version,
        ) != (
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
                self.problem(
                    f"{label}: found at position {position} with seq {payload.seq}: record {missing} is missing (deleted?)"
                )
            else:
                self.problem(
                    f"{label}: found at position {position} but has seq {payload.seq} (records reordered or inserted)"
                )
        if payload.prev != state.head:
            if position == 1:
                self.problem(f"{label}: the first record must not point to a previous one")
            else:
                self.problem(
                    f"{label}: its previous-record hash does not match record {position - 1} (a record before it was changed, removed or inserted)"
                )
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
            self.problem(
                f"{label}: claims to revise {payload.revises or 'nothing'}, but the item's previous finding is {previous.record_id if previous else 'none'}"
            )
        if self.checklist is not None:
            item = self.checklist.items.get(payload.item)
            if item is None:
                self.problem(
                    f"{label}: item {payload.item} is not in checklist {self.checklist.id} {self.checklist.version}"
                )
            else:
                for rule in finding_rule_problems(
                    self.checklist,
                    payload.item,
                    payload.status,
                    payload.note,
                    bool(payload.evidence),
                    payload.reason,
                    payload.due,
                ):
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
                report.warnings.append(
                    "the audit is not closed: there is no seal, so records removed from its end could not be detected"
                )
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
                self.problem(
                    f"seal: covers {seal.seq} records but only {self.count} are present (records {self.count + 1}–{seal.seq} removed)"
                )
            else:
                self.problem(
                    f"seal: covers {seal.seq} records but {self.count} are present (record {seal.seq + 1} onwards added after closing)"
                )
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
