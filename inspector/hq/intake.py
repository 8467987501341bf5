"""The HQ import: verify a bundle against HQ's trust, then register it in one transaction.

An audit's identity at HQ is its seal, and its content the chain of signed records the bundle
carries. Importing a bundle whose chain is the one registered is a harmless no-op (it may bring
certificates issued since); a bundle whose chain repeats every registered record and adds more
after them (follow-up and meeting records appended after the seal) is an **update**: the
register keeps the new records and count, and the newest bundle becomes the archived one, the
earlier ones staying in the audit's ``history``; a bundle whose chain differs from the
registered one (a **fork**: the same audit closed twice differently, or an altered follow-up)
is refused, naming the first record that differs. A certificate id already registered for
another audit is refused too. Nothing is written for a refused bundle.

The order of work keeps the lock short: the bundle is verified, hashed and its files staged
with no lock held (that is the slow part); then one transaction takes the audit's lock (see
:mod:`inspector.hq.register.base`), decides with what is registered *now*, moves the staged
files into the file store and writes. On PostgreSQL imports of different audits never wait for
each other.

The register (TinyDB in the data directory, or PostgreSQL) and the file store are in
:mod:`inspector.hq.register`; the HQ key register beside them is :mod:`inspector.hq.enrolment`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from inspector.audit.chain_work import EvidenceCheck
from inspector.audit.evidence import CHUNK
from inspector.audit.records import EvidenceRef
from inspector.bundle.layout import EVIDENCE_PREFIX
from inspector.bundle.reader import BundleReader, MemberUnreadable, evidence_mismatch
from inspector.bundle.verify import verify_bundle
from inspector.certificates.model import parse_record
from inspector.certificates.verify import verify_record
from inspector.crypto.canonical import now_text
from inspector.errors import Invalid, UserError
from inspector.hq.register import RegisterConflict, files_dir, open_register
from inspector.hq.register.base import Register, Transaction
from inspector.hq.register.derive import Derived, derive, stage_evidence
from inspector.hq.register.files import FileStore, Staging, store_key
from inspector.hq.register.models import (
    EXPIRING_DAYS,
    AuditChange,
    AuditFilter,
    CertificateFilter,
    FileKind,
    HistoryEntry,
    RegisteredAudit,
    RegisteredCertificate,
)
from inspector.hq.trust_source import choose_trust
from inspector.paths import DataDir

__all__ = [
    "EXPIRING_DAYS",
    "ImportRefused",
    "ImportResult",
    "RegisteredAudit",
    "RegisteredCertificate",
    "find_registered_certificate",
    "import_bundle",
    "register_path",
    "registered",
    "registered_certificates",
]

CERT_PREFIX = "certificates/"
ATTEMPTS = 3  # a certificate id registered meanwhile by another import: decide again
Status = Literal["imported", "already-imported", "updated"]
# Reasons that do not make an imported certificate a forgery: it may have expired or been
# revoked since it was issued, and the register shows that as its status.
_TIME_AND_STATUS = {"expired", "revoked"}


def register_path(data: DataDir) -> Path:
    """The embedded register's file (the PostgreSQL register has none)."""
    return data.hq_tinydb_register


@dataclass
class ImportResult:
    audit: RegisteredAudit
    status: Status
    warnings: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)  # bundle members, for the certificate register
    added_records: int = 0  # an update: records after those registered before

    @property
    def new(self) -> bool:  # False: this audit was already registered
        return self.status == "imported"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, **self.audit.model_dump(), "warnings": self.warnings}
        if self.status == "updated":
            out["added_records"] = self.added_records
        return out


class ImportRefused(Invalid):
    """The bundle failed verification, or conflicts with what HQ registered."""


def import_bundle(data: DataDir, path: str | Path, *, database: str | None = None) -> ImportResult:
    """Verify the bundle at ``path`` and register its audit; see the module docstring."""
    with FileStore(files_dir(data)).staging() as staging:
        plan = prepare_import(data, Path(path), staging)
        with open_register(data, database) as register:
            return register_plan(register, plan)


def prepare_import(data: DataDir, path: Path, staging: Staging) -> ImportPlan:
    """Everything an import does before the register: verify the bundle (``ImportRefused`` if it
    fails), derive what the register keeps and stage its files. Needs no lock and no register,
    so a batch prepares bundles in parallel (:mod:`inspector.hq.batch`).

    Each byte is read and hashed once: an evidence file is staged while verification hashes it
    (unless the file store holds it already, when it is only hashed), and the bundle itself is
    hashed while it is copied into the staging area."""
    with BundleReader(path) as reader:
        trust, source = choose_trust(data, reader, required=True)
        report = verify_bundle(reader, trust, evidence_check=_staging_check(reader, staging, path))
        problems = list(report.problems)
        if report.ok and not report.sealed:
            problems.append("the audit is not closed (the bundle has no seal); only closed audits can be imported")
        if problems:
            raise ImportRefused(problems)
        opened, closed, seal_digest = report.opened, report.closed, report.seal_digest
        assert report.audit_id and opened and closed and seal_digest
        certificates = reader.names(CERT_PREFIX)
        cert_files = {name: reader.read(name) for name in certificates}
        cert_rows = _check_certificates(cert_files, trust, report.audit_id, opened.station.code, closed.findings_root)
        derived = derive(reader, report)
        bundle_sha, bundle_size = staging.add(_file_chunks(path), None, f"bundle {path}")
        files: list[tuple[str, FileKind, int]] = [(bundle_sha, "bundle", bundle_size)]
        files += stage_evidence(staging, reader, path)
    for cert in cert_rows:
        sha, size = staging.add([cert_files[cert.member]], cert.record_sha256, f"bundle {path}: {cert.member}")
        files.append((sha, "certificate", size))
    now = now_text()
    row = RegisteredAudit(
        id=report.audit_id,
        station=opened.station.code,
        station_name=opened.station.name,
        type=opened.audit_type.value,
        auditor=opened.auditor.id,
        auditor_kid=opened.auditor.kid,
        checklist=f"{opened.checklist.id} {opened.checklist.version}",
        checklist_hash=opened.checklist.hash,
        opened=opened.time,
        closed=closed.time,
        score=closed.percent,
        majors=closed.majors,
        minors=closed.minors,
        decision=closed.decision,
        records=len(derived.digests),
        findings_root=closed.findings_root,
        seal=seal_digest,
        bundle=store_key(bundle_sha),
        bundle_sha256=bundle_sha,
        imported=now,
        trust=source,
        warnings=report.warnings,
        head=derived.digests[-1],
        history=[HistoryEntry(imported=now, records=len(derived.digests), bundle_sha256=bundle_sha, status="imported")],
        answered=derived.answered,
        na=derived.na,
    )
    return ImportPlan(row, derived, cert_rows, files, staging, report.warnings, certificates)


def register_plan(register: Register, plan: ImportPlan) -> ImportResult:
    """Register a prepared import (see :func:`prepare_import`) in one transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result = _register(register, plan)
            break
        except RegisterConflict:
            if attempt == ATTEMPTS:
                raise
    result.warnings = plan.warnings
    result.certificates = plan.certificate_members
    return result


def _staging_check(reader: BundleReader, staging: Staging, path: Path) -> EvidenceCheck:
    """``reader.evidence_check`` that also stages the file it hashes, when HQ lacks it.

    The verdicts are the reader's own. A member that cannot be read is a problem of the bundle
    (reported like any other); a failure to write the staged copy is HQ's, and raises."""

    def check(ref: EvidenceRef) -> str | None:
        name = EVIDENCE_PREFIX + ref.sha256
        if not reader.has(name) or staging.store.has(ref.sha256):
            return reader.evidence_check(ref)
        try:
            actual, size = staging.add(reader.member_chunks(name), None, f"bundle {path}: {name}")
        except MemberUnreadable as exc:
            return str(exc)
        return evidence_mismatch(ref, actual, size)

    return check


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


@dataclass
class ImportPlan:
    """What one import would register, prepared outside any lock."""

    row: RegisteredAudit
    derived: Derived
    certificates: list[RegisteredCertificate]
    files: list[tuple[str, FileKind, int]]
    staging: Staging
    warnings: list[str] = field(default_factory=list)
    certificate_members: list[str] = field(default_factory=list)  # bundle members, for the result


def _register(register: Register, plan: ImportPlan) -> ImportResult:
    """The transaction: decide against what is registered now, then write (or refuse)."""
    row, derived = plan.row, plan.derived
    with register.transaction(row.id) as tx:
        known = tx.certificates([cert.id for cert in plan.certificates])
        conflicts = _certificate_conflicts(known, plan.certificates)
        if conflicts:
            raise ImportRefused(conflicts)
        new_certs = [cert for cert in plan.certificates if cert.id not in known]
        cert_files = [entry for entry in plan.files if entry[1] == "certificate" and entry[0] in _shas(new_certs)]
        held = tx.audit(row.id)
        if held is None:
            plan.staging.commit()
            tx.write(
                AuditChange(
                    row, derived.stored(), derived.findings, derived.evidence, derived.checklist, new_certs, plan.files
                )
            )
            return ImportResult(row, "imported")
        relation, position, held_digests = _relation(held, derived, tx)
        if relation == "fork" or held.seal != row.seal:
            raise ImportRefused(_fork_message(held, row, derived, position, held_digests))
        if relation in ("same", "older"):
            # The same audit again (or an earlier export of it): it may bring certificates
            # issued since; the registered chain and archived bundle stay as they are.
            plan.staging.commit(only={sha for sha, _, _ in cert_files})
            tx.write(AuditChange(held, [], [], [], None, new_certs, cert_files, audit_changed=False))
            return ImportResult(held, "already-imported")
        now = row.imported
        updated = row.model_copy(
            update={
                "imported": held.imported,
                "updated": now,
                "warnings": held.warnings,
                "history": _history(held)
                + [HistoryEntry(imported=now, records=row.records, bundle_sha256=row.bundle_sha256, status="updated")],
            }
        )
        plan.staging.commit()
        tx.write(
            AuditChange(
                updated,
                derived.stored(start=held.records),
                derived.findings,
                derived.evidence,
                derived.checklist,
                new_certs,
                plan.files,
            )
        )
        return ImportResult(updated, "updated", added_records=row.records - held.records)


def _shas(certs: list[RegisteredCertificate]) -> set[str]:
    return {cert.record_sha256 for cert in certs}


def _history(held: RegisteredAudit) -> list[HistoryEntry]:
    if held.history:
        return list(held.history)
    # A row of the first release kept no history: its one bundle.
    return [
        HistoryEntry(imported=held.imported, records=held.records, bundle_sha256=held.bundle_sha256, status="imported")
    ]


def _relation(
    held: RegisteredAudit, derived: Derived, tx: Transaction
) -> tuple[Literal["same", "older", "extends", "fork"], int | None, list[str] | None]:
    """How the bundle's chain relates to the registered one, and the first differing record.

    Both chains were verified, and each record names the digest of the one before it, so the
    bundle repeats the registered records exactly when its record at the registered length has
    the registered head digest: no need to fetch the registered chain but to name a fork.
    """
    mine, count = derived.digests, held.records
    if held.head is not None and len(mine) >= count and mine[count - 1] == held.head:
        return ("same" if len(mine) == count else "extends"), None, None
    theirs = tx.chain_digests(held)
    for index, (a, b) in enumerate(zip(mine, theirs)):
        if a != b:
            return "fork", index + 1, theirs
    if len(mine) == len(theirs):
        return "same", None, theirs
    return ("older" if len(mine) < len(theirs) else "extends"), None, theirs


def _fork_message(
    held: RegisteredAudit, row: RegisteredAudit, derived: Derived, position: int | None, theirs: list[str] | None
) -> str:
    sealed = (
        f"; it is also sealed differently (registered seal {held.seal[:16]}…, this bundle's {row.seal[:16]}…)"
        if held.seal != row.seal
        else ""
    )
    if position is None:
        return f"audit {row.id} is already registered with a different seal (imported {held.imported}){sealed}: refused"
    registered = f"{theirs[position - 1][:16]}…" if theirs and position <= len(theirs) else "none"
    return (
        f"audit {row.id} is already registered with a different chain (imported {held.imported}): "
        f"{derived.label(position)} differs from the registered record {position} "
        f"(registered digest {registered}, this bundle's {derived.digests[position - 1][:16]}…){sealed}: "
        "a fork of the audit, refused"
    )


# ---------------------------------------------------------------------------------------------
# certificates


def _check_certificates(
    files: dict[str, bytes], trust: Any, audit_id: str, station: str, findings_root: str
) -> list[RegisteredCertificate]:
    """Verify every certificate in a bundle and bind it to the audit; refuse the import if one fails."""

    rows: list[RegisteredCertificate] = []
    problems: list[str] = []
    for name, data in sorted(files.items()):
        try:
            _, body = parse_record(data, name)
        except UserError as exc:
            problems.append(str(exc))
            continue
        verdict = verify_record(data, name, trust, None)
        fatal = [m for code, m in zip(verdict.reasons, verdict.messages) if code not in _TIME_AND_STATUS]
        if fatal:
            problems.append(f"{name}: not genuine: {'; '.join(fatal)}")
        if body.audit_id != audit_id or body.station_code != station or body.findings_root != findings_root:
            problems.append(f"{name}: issued for another audit, station or set of findings than this bundle's")
        rows.append(
            RegisteredCertificate(
                id=body.cert_id,
                station=body.station_code,
                station_name=body.station_name_en,
                audit=body.audit_id,
                auditor=body.auditor_id,
                result=body.result.name.lower().replace("_", "-"),
                score=body.score,
                issued_at=body.issued_at,
                expires_at=body.expires_at,
                surveillance_due=body.surveillance_due,
                member=name,
                record_sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    if problems:
        raise ImportRefused(problems)
    return rows


def _certificate_conflicts(known: dict[str, RegisteredCertificate], rows: list[RegisteredCertificate]) -> list[str]:
    """A certificate id already registered for another audit (or with other content) is refused:
    ids are random, so a clash is a forgery or a mistake, and must never overwrite a certificate."""
    problems = []
    for row in rows:
        held = known.get(row.id)
        if held is None:
            continue
        if held.audit != row.audit:
            problems.append(
                f"{row.member}: certificate id {row.id} already belongs to audit {held.audit} "
                f"(this bundle's audit is {row.audit}); refused"
            )
        elif held.record_sha256 != row.record_sha256:
            problems.append(f"{row.member}: certificate {row.id} is already registered with other content; refused")
    return problems


# ---------------------------------------------------------------------------------------------
# reading the register (lists for the callers that want them; the CLI streams)


def registered(data: DataDir, *, database: str | None = None) -> list[RegisteredAudit]:
    """Every imported audit, most recently closed first."""
    with open_register(data, database) as register:
        return list(register.audits(AuditFilter()))


def registered_certificates(data: DataDir, *, database: str | None = None) -> list[RegisteredCertificate]:
    """Every certificate that arrived with an imported bundle, newest first."""
    with open_register(data, database) as register:
        return list(register.certificates(CertificateFilter()))


def find_registered_certificate(
    data: DataDir, text: str, *, database: str | None = None
) -> RegisteredCertificate | None:
    """The registered certificate with id ``text`` (printed form with dashes accepted), or None."""
    wanted = text.replace("-", "").replace(" ", "").upper()
    if not wanted:
        return None
    with open_register(data, database) as register:
        return register.certificate(wanted)
