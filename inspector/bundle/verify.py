"""Verifying an audit carried in a bundle: the same checks as on the laptop, over the bundle's members."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from inspector.audit.chain_check import verify_chain
from inspector.audit.chain_work import EvidenceCheck, verify_ahead
from inspector.audit.checklist import ChecklistInvalid
from inspector.audit.checklist_cache import checklist_of_bytes
from inspector.audit.layout import SEAL
from inspector.audit.verify import TrustCheck, VerifyReport, make_report
from inspector.bundle.layout import CHECKLIST, EVIDENCE_PREFIX
from inspector.bundle.layout import SEAL as SEAL_MEMBER
from inspector.bundle.reader import BundleReader
from inspector.crypto.canonical import loads_strict
from inspector.errors import UserError


def verify_bundle(
    reader: BundleReader,
    trust: Any | None,
    *,
    evidence_check: EvidenceCheck | None = None,
) -> VerifyReport:
    """Verify everything in an opened bundle; problems name the record (and file) at fault.

    The checklist is parsed once per process and content (:mod:`inspector.audit.checklist_cache`).
    ``evidence_check``: how an evidence member is
    checked against the record's hash and size, by default ``reader.evidence_check``; HQ's
    import passes one that stages each file into its file store as it hashes it, so that the
    bytes are read and hashed once."""
    manifest = reader.manifest()
    problems: list[str] = []
    docs = reader.records(problems)
    with verify_ahead(docs) or nullcontext() as ahead:  # signatures meanwhile, in another process
        check = evidence_check or reader.evidence_check
        return _verify(reader, trust, manifest, problems, docs, ahead, check)


def _verify(
    reader: BundleReader,
    trust: Any | None,
    manifest: dict[str, Any],
    problems: list[str],
    docs: list[Any],
    ahead: Any,
    evidence_check: EvidenceCheck,
) -> VerifyReport:
    checklist = None
    if not reader.has(CHECKLIST):
        problems.append(f"{CHECKLIST}: missing from the bundle")
    else:
        try:
            checklist = checklist_of_bytes(reader.read(CHECKLIST), CHECKLIST)
        except ChecklistInvalid as exc:
            problems.append(f"{CHECKLIST}: not a valid checklist ({exc.problems[0]})")
    seal_doc = None
    if reader.has(SEAL_MEMBER):
        try:
            seal_doc = loads_strict(reader.read(SEAL_MEMBER), SEAL)
        except UserError as exc:
            problems.append(f"seal: {exc}")
            seal_doc = {}
    expected = manifest.get("audit") if isinstance(manifest.get("audit"), str) else None
    chain = verify_chain(
        docs,
        seal_doc,
        checklist,
        TrustCheck(trust) if trust is not None else None,
        evidence_check,
        expected_audit=expected,
        ahead=ahead,
    )
    report = make_report(chain, problems, trust, checklist)
    referenced = set(chain.state.evidence())
    extra = [name for name in reader.names(EVIDENCE_PREFIX) if name[len(EVIDENCE_PREFIX) :] not in referenced]
    if extra:
        report.warnings.append(f"{len(extra)} evidence file(s) in the bundle are not referred to by any record")
    return report
