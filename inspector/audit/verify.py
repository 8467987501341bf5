"""Verification of an audit stored on this laptop against a trust list.

``verify_local`` feeds ``chain_check.verify_chain`` the stored envelopes, the seal, the checklist
that travelled with the audit, a ``TrustCheck`` (who may sign findings, when) and a way to re-hash
each evidence file, and turns its findings into a ``VerifyReport`` whose every problem names the
record (or file) at fault. Bundles are verified the same way by :mod:`inspector.bundle.verify`.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from inspector._io.files import read_user_file
from inspector.audit.chain_check import ChainReport, verify_chain
from inspector.audit.chain_work import verify_ahead
from inspector.audit.checklist import Checklist, ChecklistInvalid
from inspector.audit.checklist_cache import checklist_of_bytes
from inspector.audit.decision import Verdict, decide_chain
from inspector.audit.evidence import check_stored
from inspector.audit.layout import (
    CHECKLIST_LIMIT,
    CHECKLIST_NAME,
    EVIDENCE_DIR,
    RECORDS,
    SEAL,
    STORE_NAME,
    lost_records_problem,
)
from inspector.audit.records import ClosedRecord, OpenedRecord, record_time
from inspector.audit.service import AuditService
from inspector.crypto.canonical import parse_time, utcnow
from inspector.crypto.digests import envelope_digest
from inspector.errors import Invalid, UserError
from inspector.store.errors import StorageDamaged
from inspector.store.record_store import RecordStore
from inspector.trust.lists import KeyStatus, Purpose


@dataclass
class VerifyReport:
    """The verdict of ``verify_audit``: ``ok`` when nothing is wrong; each problem names its record."""

    ok: bool
    problems: list[str]
    warnings: list[str]
    audit_id: str | None = None
    station: str | None = None
    records: int = 0
    sealed: bool = False
    findings_root: str | None = None
    trust: str = ""  # how signers were checked
    trusted: bool = False  # signers were checked against a trust list (not only the audit's own key)
    opened: OpenedRecord | None = None
    closed: ClosedRecord | None = None
    seal_digest: str | None = None  # Envelope.digest() of a verified seal
    sealed_records: int | None = None  # the records the seal covers (follow-up records may follow)
    decision: Verdict | None = None  # the decision the records give today (None when damaged)
    # What the check built, for a caller that keeps the verified audit (HQ's register) so that
    # it does not parse the records and the checklist a second time; not part of the verdict.
    chain: ChainReport | None = field(default=None, repr=False)
    checklist: Checklist | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "audit": self.audit_id,
            "station": self.station,
            "records": self.records,
            "sealed": self.sealed,
            "findings_root": self.findings_root,
            "sealed_records": self.sealed_records,
            "decision": self.decision.code.value if self.decision else None,
            "trust": self.trust,
            "trusted": self.trusted,
            "problems": self.problems,
            "warnings": self.warnings,
        }


class TrustCheck:
    """A ``KeyCheck`` over a trust list: enrolled, not revoked, for findings, inside its window.

    The time-independent part is decided once per key; each record then costs a comparison
    with the key's signing windows, parsed once. Only a record outside every window goes back
    to ``TrustList.authorize``, so every verdict and message is the trust list's own.
    """

    def __init__(self, trustlist: Any) -> None:

        self.trustlist = trustlist
        self.purpose = Purpose.FINDING
        self.windows: dict[str, list[tuple[datetime, datetime]]] = {}

    def key(self, kid: str) -> Any:

        usable = self.trustlist.entries_for(kid, self.purpose)
        if not usable or any(e.status == KeyStatus.REVOKED for e in self.trustlist.candidates(kid)):
            try:  # unknown, revoked or not for findings: the trust list says which, whatever the time
                self.trustlist.authorize(kid, self.purpose, utcnow())
            except Invalid as exc:
                return str(exc)
        if all(utcnow() > parse_time(entry.verify_until) for entry in usable):
            last = max(entry.verify_until for entry in usable)
            return f"expired-key: signatures by key {kid} of {usable[0].auditor_id} may be relied on only until {last}"
        try:
            key = usable[0].key
        except UserError as exc:
            return str(exc)
        self.windows[kid] = [(parse_time(e.use_from), parse_time(e.use_until)) for e in usable]
        return key

    def window(self, kid: str, time: str) -> str | None:

        moment = record_time(time)
        if any(start <= moment <= end for start, end in self.windows.get(kid, [])):
            return None
        try:
            self.trustlist.authorize(kid, self.purpose, moment)
        except Invalid as exc:
            return str(exc)
        return None


def make_report(
    chain: ChainReport, extra_problems: list[str], trust: Any | None, checklist: Checklist | None = None
) -> VerifyReport:
    state = chain.state
    problems = extra_problems + chain.problems
    warnings = list(chain.warnings)
    if trust is None:
        warnings.append(
            "no trust list: signatures were checked against the key the audit names, which proves it is intact but not who signed it"
        )
        how = "audit's own key (no trust list)"
    else:
        how = f"trust list seq {trust.seq} issued {trust.issued_at}"
    opened = state.opened
    return VerifyReport(
        ok=not problems,
        problems=problems,
        warnings=warnings,
        audit_id=opened.audit if opened else None,
        station=opened.station.code if opened else None,
        records=len(chain.envelopes),
        sealed=chain.seal is not None,
        findings_root=chain.seal.findings_root if chain.seal else None,
        trust=how,
        trusted=trust is not None,
        opened=opened,
        closed=state.closed,
        seal_digest=envelope_digest(chain.seal_envelope) if chain.seal and chain.seal_envelope else None,
        sealed_records=chain.seal.seq if chain.seal else None,
        decision=decide_chain(checklist, state, utcnow().date()) if checklist and opened and not problems else None,
        chain=chain,
        checklist=checklist,
    )


def verify_local(service: AuditService, audit_id: str, trust: Any | None) -> VerifyReport:
    """Verify an audit stored on this machine. Takes no lock: a writer may be busy meanwhile.
    The checklist is parsed once per process and content (:mod:`inspector.audit.checklist_cache`)."""
    audit_id = service.resolve(audit_id)
    folder = service.data.audit_dir(audit_id)
    try:
        with RecordStore(folder / STORE_NAME, writable=False) as store:
            docs = store.all(RECORDS)
            seals = store.all(SEAL)
    except StorageDamaged as exc:  # a verdict about this audit, not unusable input: exit 1
        return VerifyReport(ok=False, problems=[str(exc)], warnings=[], audit_id=audit_id)
    # Signatures first, in another process when the chain is long: they are checked while the
    # checklist and the records are parsed here (see inspector.audit.chain_work).
    with verify_ahead(docs) or nullcontext() as ahead:
        problems: list[str] = []
        lost = lost_records_problem(folder / STORE_NAME, len(docs), service.index.acknowledged(audit_id))
        if lost:
            problems.append(lost)
        checklist = None
        try:
            checklist = _audit_checklist(folder)
        except UserError as exc:
            problems.append(f"checklist: {exc}")
        if len(seals) > 1:
            problems.append(f"seal: {len(seals)} seals stored, expected one")
        evidence_dir = folder / EVIDENCE_DIR
        chain = verify_chain(
            docs,
            seals[0] if seals else None,
            checklist,
            TrustCheck(trust) if trust is not None else None,
            lambda ref: check_stored(ref, evidence_dir),
            expected_audit=audit_id,
            ahead=ahead,
        )
    return make_report(chain, problems, trust, checklist)


def _audit_checklist(folder: Path) -> Checklist:
    """``layout.load_audit_checklist`` (the same reading, the same messages), remembered per process."""
    path = folder / CHECKLIST_NAME
    raw = read_user_file(path, "checklist", CHECKLIST_LIMIT)
    try:
        return checklist_of_bytes(raw, str(path))
    except ChecklistInvalid as exc:
        raise UserError(exc.problems[0]) from None
