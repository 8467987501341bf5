"""What the register keeps of a verified bundle besides its row: the chain's records and their
digests, the findings HQ compares across stations, the evidence it refers to, the checklist.

Records are handled generically, by their stored envelopes and the chain's digests: whatever
record types the laptop appends after the seal (follow-up, meetings), a chain HQ holds is
extended when the new bundle repeats every registered record and adds more, and forked when one
differs. Only the audit read model (``inspector.audit.chain``) knows what each type means.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.audit.chain import load_state, parse_envelope, parse_payload, record_label
from inspector.audit.checklist import Checklist, ChecklistInvalid
from inspector.audit.followup import nonconformities
from inspector.audit.layout import checklist_from_bytes
from inspector.audit.verify import VerifyReport
from inspector.bundle.layout import CHECKLIST, EVIDENCE_PREFIX
from inspector.bundle.reader import BundleReader
from inspector.crypto.digests import envelope_digest
from inspector.crypto.signing import Envelope
from inspector.errors import UserError
from inspector.hq.register.files import Staging
from inspector.hq.register.models import ChecklistInfo, FileKind, FindingRow, ItemInfo, StoredRecord

NONCONFORMITY = ("minor", "major")


@dataclass
class Derived:
    envelopes: list[Envelope]
    digests: list[str]
    findings: list[FindingRow]
    evidence: list[str]  # sha256 of every evidence member of the bundle
    checklist: ChecklistInfo | None
    answered: int
    na: int

    def label(self, position: int) -> str:
        """How a problem names record ``position`` (1-based) of this chain."""
        envelope = self.envelopes[position - 1]
        return label_of(envelope, position)

    def stored(self, start: int = 0) -> list[StoredRecord]:
        """The records from index ``start`` on, exactly as signed."""
        return [
            StoredRecord(
                seq=index + 1,
                type=_record_type(envelope),
                kid=envelope.kid,
                payload=envelope.payload,
                sig=envelope.sig,
                digest=self.digests[index],
            )
            for index, envelope in enumerate(self.envelopes[start:], start=start)
        ]


def label_of(envelope: Envelope, position: int) -> str:
    try:
        return record_label(position, parse_payload(envelope, f"record {position}"))
    except UserError:
        return f"record {position} ({_record_type(envelope)})"


def _record_type(envelope: Envelope) -> str:
    try:
        value = json.loads(envelope.payload)
    except ValueError:
        return "unknown"
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else "unknown"


def chain_digests(reader: BundleReader) -> list[str]:
    """The digest of each record of a bundle's chain (a bundle HQ already verified)."""
    problems: list[str] = []
    docs = reader.records(problems)
    return [envelope_digest(parse_envelope(doc, f"record {n}")) for n, doc in enumerate(docs, start=1)]


def derive(reader: BundleReader, verified: VerifyReport | None = None) -> Derived:
    """Everything the register keeps of a bundle that passed ``verify_bundle``.

    ``verified``, that verification's report: its chain (envelopes, digests, state) and its
    checklist are used as they are, instead of reading and parsing the records again."""
    chain = verified.chain if verified is not None and verified.ok else None
    if chain is not None and len(chain.digests) == len(chain.envelopes):
        envelopes, digests, state = chain.envelopes, chain.digests, chain.state
        checklist = verified.checklist if verified is not None else None
    else:
        problems: list[str] = []
        docs = reader.records(problems)
        if problems:
            raise UserError(problems[0])
        envelopes, state = load_state(docs)
        digests = [envelope_digest(envelope) for envelope in envelopes]
        checklist = _checklist(reader)
    states = nonconformity_states(checklist, state)
    findings: list[FindingRow] = []
    na = 0
    for item, finding in state.latest.items():
        status = finding.status.value
        if status == "conform":
            continue
        if status == "na":
            na += 1
        nc_state, due = states.get(item, (None, finding.due))
        findings.append(FindingRow(item=item, status=status, due=due, state=nc_state))
    evidence = [name[len(EVIDENCE_PREFIX) :] for name in reader.names(EVIDENCE_PREFIX)]
    info = None if checklist is None else checklist_info(checklist)
    return Derived(envelopes, digests, findings, evidence, info, len(state.latest), na)


def nonconformity_states(checklist: Checklist | None, state: Any) -> dict[str, tuple[str | None, str | None]]:
    """item -> (state, due date) of each nonconformity of the chain: ``open``, ``planned``,
    ``closed`` or ``not-effective`` as the follow-up records after the seal say (the audit
    read model decides), with the date its next step is due."""
    if checklist is not None:
        return {nc.item: (nc.state.value, nc.due) for nc in nonconformities(checklist, state)}
    # Without its checklist (a bundle that verified without one cannot be imported, but the
    # read model needs it): every nonconformity open, with its finding's due date.
    return {
        item: ("open", finding.due) for item, finding in state.latest.items() if finding.status.value in NONCONFORMITY
    }


def _checklist(reader: BundleReader) -> Checklist | None:
    if not reader.has(CHECKLIST):
        return None
    try:
        return checklist_from_bytes(reader.read(CHECKLIST), CHECKLIST)
    except ChecklistInvalid:
        return None


_INFOS: dict[str, ChecklistInfo] = {}  # content hash -> what the register keeps of that checklist


def checklist_info(checklist: Checklist) -> ChecklistInfo:
    """The register's view of ``checklist`` (items, sections, titles), built once per content
    hash: a batch of bundles of one checklist renders its 163 questions once, not per bundle.
    The object is shared: it is written to the register as it is, never changed."""
    info = _INFOS.get(checklist.content_hash)
    if info is None:
        if len(_INFOS) >= 8:
            _INFOS.clear()
        info = _INFOS[checklist.content_hash] = _checklist_info(checklist)
    return info


def _checklist_info(checklist: Checklist) -> ChecklistInfo:
    items = {
        item.id: ItemInfo(
            section=section.id,
            title=item.question_text.en[:200],
            clauses=list(item.clauses),
            criticality=item.criticality.value,
        )
        for section in checklist.sections
        for item in section.items
    }
    return ChecklistInfo(hash=checklist.content_hash, id=checklist.id, version=checklist.version, items=items)


def stage_bundle(
    staging: Staging, reader: BundleReader, path: Path, bundle_sha: str
) -> list[tuple[str, FileKind, int]]:
    """Stage the bundle itself and each of its evidence files; (sha256, kind, size) of each."""
    sha, size = staging.add_file(path, bundle_sha, f"bundle {path}")
    return [(sha, "bundle", size), *stage_evidence(staging, reader, path)]


def stage_evidence(staging: Staging, reader: BundleReader, path: Path) -> list[tuple[str, FileKind, int]]:
    """Stage each evidence file of the bundle (one staged already, while it was verified, is
    not read again); (sha256, "evidence", size) of each."""
    staged: list[tuple[str, FileKind, int]] = []
    for name in reader.names(EVIDENCE_PREFIX):
        expected = name[len(EVIDENCE_PREFIX) :]
        # The reader's bounded member stream (never more than the member declares).
        sha, size = staging.add(reader._chunks(name), expected, f"bundle {path}: {name}")
        staged.append((sha, "evidence", size))
    return staged
