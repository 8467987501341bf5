"""Checking a list of stored audit records: chain links, signatures, rules, the closing record and the seal.

After the closing record the chain may continue with follow-up records only (corrective-action
plans, verifications, meetings); the seal covers the chain up to the closing record, and every
record after it is checked like any other (signature, link, rules, evidence files).

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
from inspector.audit.chain_work import Ahead, EvidenceCheck, Problems, Work
from inspector.audit.checklist import Checklist
from inspector.audit.followup import meeting_problems, response_problems, verification_problems
from inspector.audit.records import (
    FOLLOW_UP_TYPES,
    AnyRecord,
    ClosedRecord,
    EvidenceRef,
    FindingRecord,
    MeetingRecord,
    OpenedRecord,
    ResponseRecord,
    SealPayload,
    VerificationRecord,
    record_time,
)
from inspector.audit.rules import LEGACY, FindingContext, finding_rule_problems
from inspector.audit.scope import audit_sections
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


@dataclass
class ChainReport:
    """Everything wrong with a chain (``problems``) and everything odd about it (``warnings``)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    state: ChainState = field(default_factory=ChainState)
    envelopes: list[Envelope] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # envelope_digest of each of ``envelopes``
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
    ahead: Ahead | None = None,
) -> ChainReport:
    """Check every record of an audit and its seal; name each broken record.

    ``key_check`` is the trust decision (None: signatures are checked only against the key the
    audit names for itself, which proves integrity but not who signed). ``checklist`` is the
    checklist that travelled with the audit; its content hash must be the one the audit recorded.
    ``ahead`` (:func:`~inspector.audit.chain_work.verify_ahead`, started on these very ``docs``)
    holds signature verdicts worked out meanwhile by another process.
    """
    report = ChainReport()
    with Work(len(docs), ahead) as work:
        checker = _ChainChecker(report, checklist, key_check, evidence_check, expected_audit, work)
        for position, doc in enumerate(docs, start=1):
            checker.check(position, doc)
        checker.settle()
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
        work: Work,
    ) -> None:
        self.report = report
        self.work = work
        self.records: list[Problems] = []
        self.current: list[Any] = report.problems  # where problem() writes now
        self.state = report.state
        self.checklist = checklist
        self.key_check = key_check
        self.evidence_check = evidence_check
        self.expected_audit = expected_audit
        self.audit_key: PublicKey | None = None
        self.trusted: dict[str, PublicKey | str] = {}
        self.ids: set[str] = set()
        self.evidence_seen: dict[str, Callable[[], str | None]] = {}
        self.count = 0
        self.context = LEGACY  # the finding rules of the audit, from its opening record

    def problem(self, text: str) -> None:
        self.current.append(text)

    def check(self, position: int, doc: Any) -> None:
        self.count = position
        what = f"record {position}"
        record = Problems()
        self.records.append(record)
        self.current = record.before
        try:
            envelope = parse_envelope(doc, what)
        except UserError as exc:
            self.problem(f"{exc} (record damaged)")
            return
        self.report.envelopes.append(envelope)
        digest = envelope_digest(envelope)
        self.report.digests.append(digest)
        try:
            payload = parse_payload(envelope, what)
        except UserError as exc:
            self.problem(f"{exc} (record damaged)")
            self.state.head = digest
            return
        label = record_label(payload.seq, payload)
        if position == 1:
            self._first(payload, label)
        signed = self._signature(envelope, payload, label, record)
        self.current = record.after
        self._linkage(position, payload, label)
        if signed:  # counted only if the signature holds (see settle)
            self.current = record.content
            self._content(payload, label)
        self.state.apply(payload, digest)

    def settle(self) -> None:
        """Put every record's problems in the report, in order, once its signature is known."""
        problems = self.report.problems
        for record in self.records:
            problems.extend(record.before)
            signature_ok = record.signature is not None and self.work.signature_ok(record.signature)
            if record.signature is not None and not signature_ok:
                problems.append(f"{record.label}: bad signature (the record was altered after signing)")
            problems.extend(record.after)
            if not signature_ok:
                continue
            for entry in record.content:
                if isinstance(entry, str):
                    problems.append(entry)
                    continue
                label, ref, verdict = entry
                wrong = verdict()
                if wrong:
                    problems.append(f"{label}: evidence {ref.name!r} ({ref.sha256[:16]}…): {wrong}")
        self.records = []
        self.current = problems

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
        if self.checklist is not None:
            self.context = FindingContext.of(self.checklist, payload)
            unknown = sorted(set(payload.sections or ()) - {s.id for s in self.checklist.sections})
            if unknown:
                self.problem(f"{label}: its scope names sections the checklist does not have: {', '.join(unknown)}")
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

    def _signature(self, envelope: Envelope, payload: AnyRecord, label: str, record: Problems) -> bool:
        """Queue the record's signature check; False when it cannot be checked at all."""
        key = self._key_for(envelope.kid, payload.time, label)
        if key is None:
            return False
        record.signature = self.work.signature(key, envelope, self.count)
        record.label = label
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
        if state.closed is not None and payload.type not in FOLLOW_UP_TYPES:
            self.problem(f"{label}: recorded after the audit was closed")
        if position > 1 and isinstance(payload, OpenedRecord):
            self.problem(f"{label}: a second opening record inside the chain")

    def _content(self, payload: AnyRecord, label: str) -> None:
        if isinstance(payload, FindingRecord):
            self._finding(payload, label)
        elif isinstance(payload, ClosedRecord):
            self._closed(payload, label)
        elif isinstance(payload, (ResponseRecord, VerificationRecord)):
            self._follow_up(payload, label)
        elif isinstance(payload, MeetingRecord) and self.checklist is not None:
            for rule in meeting_problems(self.checklist, self.state, payload):
                self.problem(f"{label}: {rule}")

    def _follow_up(self, payload: ResponseRecord | VerificationRecord, label: str) -> None:
        """A plan or verification: it answers the item's current nonconformity, by the rules."""
        latest = self.state.latest.get(payload.item)
        if latest is not None and payload.finding != latest.record_id:
            self.problem(
                f"{label}: answers finding {payload.finding[:8]}, but the item's finding is {latest.record_id[:8]}"
            )
        if isinstance(payload, VerificationRecord):
            records = self.state.follow_ups.get(payload.item, [])
            if records and payload.response != records[-1].payload.id:
                self.problem(f"{label}: verifies plan {payload.response[:8]}, not the item's latest plan")
        if self.checklist is not None:
            item = self.checklist.items.get(payload.item)
            if item is None:
                self.problem(
                    f"{label}: item {payload.item} is not in checklist {self.checklist.id} {self.checklist.version}"
                )
                return
            if isinstance(payload, ResponseRecord):
                on = record_time(payload.time).date()
                rules = response_problems(self.checklist, self.state, payload.item, payload.due, on)
            else:
                rules = verification_problems(self.checklist, self.state, payload.item)
            for rule in rules:
                self.problem(f"{label}: {rule}")
            if item.sensitive and payload.evidence:
                self.problem(f"{label}: carries evidence files for an item about victims, children or detainees")
        self._evidence(payload.evidence, label)

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
                    self.context,
                ):
                    self.problem(f"{label}: {rule}")
        self._evidence(payload.evidence, label)

    def _evidence(self, refs: list[EvidenceRef], label: str) -> None:
        if self.evidence_check is None:
            return
        for ref in refs:
            if ref.sha256 not in self.evidence_seen:
                self.evidence_seen[ref.sha256] = self.work.evidence(self.evidence_check, ref)
            self.current.append((label, ref, self.evidence_seen[ref.sha256]))

    def _closed(self, payload: ClosedRecord, label: str) -> None:
        root = self._root()
        if root is not None and payload.findings_root != root:
            self.problem(f"{label}: its findings root does not match the findings recorded before it")
        if self.checklist is not None:
            scope = set(audit_sections(self.checklist, self.state.opened)) if self.state.opened else None
            unanswered = [
                item_id
                for item_id, section in self.checklist.section_of.items()
                if (scope is None or section.id in scope) and item_id not in self.state.latest
            ]
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
        closed = self.state.closed
        if closed is not None and self.count > closed.seq:
            report.warnings.append(
                f"{self.count - closed.seq} follow-up record(s) after the seal (records {closed.seq + 1}–{self.count}): "
                "each is signed and chained, but the removal of the last of them could not be detected here"
            )
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
        # The seal covers the chain up to the closing record; follow-up records may come after it.
        sealed_end = state.closed.seq if state.closed is not None else self.count
        if seal.seq != sealed_end:
            if seal.seq > self.count:
                self.problem(
                    f"seal: covers {seal.seq} records but only {self.count} are present (records {self.count + 1}–{seal.seq} removed)"
                )
            elif seal.seq > sealed_end:
                self.problem(
                    f"seal: covers {seal.seq} records but the closing record is record {sealed_end} (records removed or reordered)"
                )
            else:
                self.problem(
                    f"seal: covers {seal.seq} records but {self.count} are present (record {seal.seq + 1} onwards added after closing)"
                )
        elif seal.head != (state.closed_head if state.closed is not None else state.head):
            self.problem(f"seal: the chain head (record {sealed_end}) is not the one that was sealed")
        if state.closed is None:
            self.problem("seal: there is no closing record to seal")
        elif seal.findings_root != state.closed.findings_root:
            self.problem("seal: its findings root differs from the closing record's")
        root = self._root()
        if root is not None and seal.findings_root != root:
            self.problem("seal: its findings root does not match the latest findings")
        if state.opened is not None and seal.checklist != state.opened.checklist:
            self.problem("seal: names a different checklist from the audit's")
