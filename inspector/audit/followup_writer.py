"""Writing follow-up records to an audit: corrective-action plans, their verification, meetings.

A mixin of :class:`~inspector.audit.audit.Audit` (kept apart so each module stays readable). These
records may be written while the audit is open and after it was sealed: the chain continues past
the seal. Every input is checked (:mod:`inspector.audit.followup`) before anything is copied or
signed; the record is durable when the method returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspector.audit.chain import ChainState, parse_payload
from inspector.audit.checklist import Checklist
from inspector.audit.evidence import remove_created, store_evidence
from inspector.audit.followup import meeting_fields, response_fields, verification_fields
from inspector.audit.layout import EVIDENCE_DIR, RECORDS
from inspector.audit.records import (
    RECORD_FORMAT,
    AnyRecord,
    MeetingRecord,
    ResponseRecord,
    VerificationRecord,
    new_id,
)
from inspector.crypto.canonical import now_text, utcnow
from inspector.crypto.digests import envelope_digest
from inspector.crypto.signing import Domain, Envelope, SigningKey, sign_record
from inspector.store.record_store import RecordStore


class FollowUpWriter:
    """The follow-up half of an audit; the attributes below are the :class:`Audit`'s."""

    id: str
    checklist: Checklist
    state: ChainState
    store: RecordStore
    envelopes: list[Envelope]
    folder: Path
    _index_stale: bool

    def check_follow_up_writable(self) -> None:  # pragma: no cover - the Audit defines it
        raise NotImplementedError

    def _require_key(self) -> SigningKey:  # pragma: no cover - the Audit defines it
        raise NotImplementedError

    # -- follow-up: corrective-action plans, their verification, meetings (open or sealed) -------
    def respond(
        self,
        item_id: str,
        *,
        correction: str | None,
        root_cause: str | None,
        action: str | None,
        owner: str | None,
        due: str | None,
        evidence: Sequence[str | Path] = (),
    ) -> ResponseRecord:
        """Record the station's corrective-action plan for a nonconformity (accepted by signing it)."""
        self.check_follow_up_writable()
        fields = response_fields(
            self.checklist,
            self.state,
            item_id,
            correction=correction,
            root_cause=root_cause,
            action=action,
            owner=owner,
            due=due,
            evidence=evidence,
            today=utcnow().date(),
        )
        record = self._append_follow_up("response", fields, evidence)
        assert isinstance(record, ResponseRecord)
        return record

    def follow_up(
        self,
        item_id: str,
        *,
        effective: bool,
        note: str | None,
        method: str = "on-site",
        evidence: Sequence[str | Path] = (),
    ) -> VerificationRecord:
        """Record the auditor's verification of the latest plan for a nonconformity."""
        self.check_follow_up_writable()
        fields = verification_fields(
            self.checklist, self.state, item_id, effective=effective, method=method, note=note, evidence=evidence
        )
        record = self._append_follow_up("follow-up", fields, evidence)
        assert isinstance(record, VerificationRecord)
        return record

    def meeting(
        self,
        kind: str,
        attendees: Sequence[str],
        *,
        acknowledged_by: str | None = None,
        note: str | None = None,
    ) -> MeetingRecord:
        """Record the opening or closing meeting; a closing one states the plans' deadline."""
        self.check_follow_up_writable()
        fields = meeting_fields(
            self.checklist,
            self.state,
            kind=kind,
            attendees=attendees,
            acknowledged_by=acknowledged_by,
            note=note,
            today=utcnow().date(),
        )
        record = self._append_follow_up("meeting", fields, ())
        assert isinstance(record, MeetingRecord)
        return record

    def _append_follow_up(self, kind: str, fields: dict[str, Any], paths: Sequence[str | Path]) -> AnyRecord:
        """Copy the evidence, sign ``fields`` as the next record of the chain, write it durably."""
        key = self._require_key()
        refs, created = store_evidence(list(paths), self.folder / EVIDENCE_DIR)
        try:
            value: dict[str, Any] = {
                "format": RECORD_FORMAT,
                "type": kind,
                "id": new_id(),
                "audit": self.id,
                "seq": self.state.seq + 1,
                "prev": self.state.head,
                "time": now_text(),
                **fields,
            }
            if kind != "meeting":
                unique = {ref.sha256: ref for ref in refs}
                value["evidence"] = [ref.model_dump() for ref in unique.values()]
            envelope = sign_record(key, Domain.FINDING, value)
            payload = parse_payload(envelope, "new record")
            self.store.append(RECORDS, envelope.model_dump())
        except BaseException:
            remove_created(created)
            raise
        self.envelopes.append(envelope)
        self.state.apply(payload, envelope_digest(envelope))
        self._index_stale = True
        return payload
