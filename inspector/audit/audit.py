"""One open audit: read its state, record findings, score, close and seal, then follow up.

Findings are recorded while the audit is open. Corrective-action plans (``respond``), their
verification (``follow_up``) and meeting records (``meeting``) may be recorded while it is open
and after it was sealed: the chain continues past the seal (:mod:`inspector.audit.followup`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from inspector.audit.chain import (
    ChainState,
    Finding,
    Meeting,
    canonical_loads,
    findings_root,
    load_state,
    parse_payload,
    restore_state,
    state_snapshot,
)
from inspector.audit.decision import Verdict, decide_chain
from inspector.audit.evidence import remove_created, store_evidence
from inspector.audit.followup import Nonconformity, last_day, nonconformities
from inspector.audit.followup_writer import FollowUpWriter
from inspector.audit.index import AuditSummary
from inspector.audit.layout import (
    CHECKLIST_NAME,
    EVIDENCE_DIR,
    RECORDS,
    SEAL,
    STORE_NAME,
    UNANSWERED_SHOWN,
    AuditDamaged,
    load_audit_checklist,
    lost_records_problem,
)
from inspector.audit.planning import FindingInput, FindingPlan
from inspector.audit.records import (
    RECORD_FORMAT,
    SEAL_FORMAT,
    EvidenceRef,
    FindingRecord,
    OpenedRecord,
    SealPayload,
    new_id,
    record_time,
)
from inspector.audit.rules import FindingContext, _unknown_item
from inspector.audit.scope import audit_sections
from inspector.audit.scoring import FindingStatus, Score, score
from inspector.crypto.canonical import now_text, utcnow
from inspector.crypto.digests import envelope_digest
from inspector.crypto.signing import Domain, Envelope, SigningKey, sign_record
from inspector.errors import UserError
from inspector.store.record_store import RecordStore

if TYPE_CHECKING:  # the service creates audits; an audit only calls back into its index
    from inspector.audit.service import AuditService

__all__ = ["Audit", "FindingInput", "Seal", "iter_nonconformities"]

# ---------------------------------------------------------------------------------------------
# values returned by the service


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
# one open audit


class Audit(FollowUpWriter):
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
        self.envelopes, self.state = self._load(store)
        lost = lost_records_problem(folder / STORE_NAME, len(self.envelopes), service.index.acknowledged(audit_id))
        if lost:
            raise AuditDamaged(lost)
        if self.state.opened is None:
            raise UserError(f"audit {audit_id}: has no opening record (damaged)")
        self.opened: OpenedRecord = self.state.opened
        if self.opened.checklist.hash != self.checklist.content_hash:
            raise UserError(
                f"audit {audit_id}: {folder / CHECKLIST_NAME} is not the checklist the audit was opened with; "
                "run 'inspector audit verify'"
            )
        self.sections: list[str] = audit_sections(self.checklist, self.opened)  # the audit's scope
        self.context = FindingContext.of(self.checklist, self.opened)
        seals = store.all(SEAL)
        self._seal = _parse_seal(seals[-1]) if seals else None
        self.key: SigningKey | None = None
        if key is not None:
            self.use_key(key)
        self._index_stale = writable  # refreshed at open and once more when closing the store
        self._flush_index()

    def _load(self, store: RecordStore) -> tuple[list[Envelope], ChainState]:
        """The chain's envelopes and state: from the store's checkpoint when it still describes
        the journal (only the records the state is made of are parsed, so opening does not grow
        with the audit's history), else from every record. Signatures are left to ``audit
        verify``, which always reads and checks the whole chain.

        A writable open keeps the checkpoint current: closing the store saves the state as it
        is then (see :meth:`RecordStore.keep_checkpoint`).
        """
        restored = restore_state(store.checkpoint_state(), self.id, store.count(RECORDS), lambda: store.all(RECORDS))
        envelopes, state = restored if restored is not None else load_state(store.all(RECORDS))
        if self.writable:
            store.keep_checkpoint((RECORDS,), lambda: state_snapshot(self.id, self.state, self.envelopes))
        return envelopes, state

    # -- context manager ----------------------------------------------------------------------
    def __enter__(self) -> Audit:
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

    @property
    def items(self) -> list[str]:
        """The item ids of the audit's scope, in checklist order."""
        wanted = set(self.sections)
        return [item for item, section in self.checklist.section_of.items() if section.id in wanted]

    def latest(self) -> dict[str, Finding]:
        """Item id -> its latest finding, in checklist order."""
        return {item: self.state.latest[item] for item in self.checklist.items if item in self.state.latest}

    def history(self, item_id: str) -> list[Finding]:
        """Every finding recorded for ``item_id``, oldest first."""
        if item_id not in self.checklist.items:
            raise UserError(_unknown_item(item_id, self.checklist))
        return list(self.state.history.get(item_id, []))

    def score(self) -> Score:
        """The measures over the audit's scope (score, counts, N/A share); they decide nothing."""
        return score(self.checklist, {item: f.status for item, f in self.state.latest.items()}, self.sections)

    def nonconformities(self) -> list[Nonconformity]:
        """Every current nonconformity with its follow-up state (plan, verification), in checklist order."""
        return nonconformities(self.checklist, self.state, self.sections)

    def meetings(self) -> list[Meeting]:
        """The meeting records, in chain order."""
        return list(self.state.meetings)

    def last_day(self) -> date | None:
        """The audit's last day (its closing record's date); None while it is open."""
        return last_day(self.state)

    def decision(self, today: date | None = None) -> Verdict:
        """The recommendation now (``today``: the date the 6-month limit is judged on)."""
        return decide_chain(self.checklist, self.state, today or utcnow().date())

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
            decision=self.decision().code.value,
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
        return self._require_key()

    def _require_key(self) -> SigningKey:
        if self.key is None:
            raise UserError("recording needs the auditor's key (unlock it with the passphrase)")
        return self.key

    def check_follow_up_writable(self) -> None:
        """Raise unless follow-up or meeting records may be written (opened writable; open or closed)."""
        if not self.writable:
            raise UserError(f"audit {self.id[:12]} was opened read-only")
        if self.is_closed and self._seal is None:
            raise UserError(f"audit {self.id[:12]}: its close was interrupted; close it again first")

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

    def _plan(self, rows: Sequence[FindingInput]) -> list[FindingPlan]:
        """Validate all rows against the checklist and the findings (earlier rows included)."""
        if not rows:
            raise UserError("no findings to record")
        pending: dict[str, FindingPlan] = {}
        plans: list[FindingPlan] = []
        today = record_time(self.opened.time).date()
        for row in rows:
            where = f"{row.where}: " if row.where else ""
            try:
                plan = FindingPlan.build(
                    row,
                    self.checklist,
                    pending.get(row.item) or self.state.latest.get(row.item),
                    today,
                    self.context,
                )
            except UserError as exc:
                raise UserError(f"{where}{exc}", code=exc.code, field=exc.field, **exc.details) from None
            pending[row.item] = plan
            plans.append(plan)
        return plans

    def _sign(
        self, plans: list[FindingPlan], refs: list[EvidenceRef], key: SigningKey
    ) -> tuple[list[Envelope], list[FindingRecord]]:
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
        result = self.score()
        unanswered = result.unanswered
        if unanswered:
            shown = ", ".join(unanswered[:UNANSWERED_SHOWN])
            more = ", …" if len(unanswered) > UNANSWERED_SHOWN else ""
            raise UserError(
                f"cannot close audit {self.id[:12]}: {len(unanswered)} of {result.total} items "
                f"unanswered ({shown}{more})"
            )

    def close(self) -> Seal:
        """Close the audit: sign the closing record and the seal. Refused while items are unanswered."""
        if self.is_closed and self._seal is None and self.writable and self.key is not None:
            return self._write_seal(self.key)  # a close interrupted between its two writes
        self.check_closable()
        key = self._require_writable()
        result = self.score()
        verdict = self.decision()  # as it stands at closing: history once signed
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
            "decision": verdict.code.value,
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


def _parse_seal(doc: Any) -> Seal:
    envelope = Envelope.model_validate(doc)
    try:
        payload = SealPayload.model_validate(canonical_loads(envelope.payload, "seal"))
    except ValidationError as exc:
        raise UserError(f"seal: {exc.errors()[0]['msg']} (damaged)") from None
    return Seal(envelope, payload)


def iter_nonconformities(audit: Audit) -> Iterator[tuple[Finding, list[str]]]:
    """Each nonconformity with the ISO clauses of its item, in checklist order."""
    for nc in audit.nonconformities():
        yield nc.finding, list(nc.clauses)
