"""The HQ register of imported audits: verify a bundle against HQ's trust, then record it.

The register is a ``RecordStore`` at ``hq/audits.json`` (table ``audits``, keyed by audit id);
``hq/register.json`` is the key register of ``inspector.hq``. A copy of each imported bundle
is kept as ``hq/bundles/<audit id>.zip``.

An audit's identity at HQ is its seal: importing a bundle whose seal is the one registered is a
harmless no-op, while a bundle with a different seal for a registered audit (the same audit
closed twice with different findings) is refused and nothing is written.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from inspector._io.atomic import atomic_output, write_private
from inspector.audit.evidence import CHUNK
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.certificates.model import parse_record
from inspector.certificates.verify import verify_record
from inspector.crypto.canonical import now_text, parse_time
from inspector.errors import Invalid, UserError
from inspector.hq.trust_source import choose_trust
from inspector.paths import DataDir
from inspector.store.errors import StoreLocked
from inspector.store.record_store import RecordStore

TABLE = "audits"
WAIT_SECONDS = 10.0


def register_path(data: DataDir) -> Path:
    return data.hq / "audits.json"


class RegisteredAudit(BaseModel):
    """One imported audit as HQ keeps it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    type: str
    auditor: str
    auditor_kid: str
    checklist: str
    checklist_hash: str
    opened: str
    closed: str
    score: int | None
    majors: int
    minors: int
    decision: str
    records: int
    findings_root: str
    seal: str  # Envelope.digest() of the seal: the audit's identity at HQ
    bundle: str  # file name under hq/bundles
    bundle_sha256: str
    imported: str
    trust: str
    warnings: list[str] = []


@dataclass
class ImportResult:
    audit: RegisteredAudit
    new: bool  # False: this exact audit was already registered
    warnings: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)  # bundle members, for the certificate register

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "imported" if self.new else "already-imported",
            **self.audit.model_dump(),
            "warnings": self.warnings,
        }


class ImportRefused(Invalid):
    """The bundle failed verification, or conflicts with what HQ registered."""


def _open_register(data: DataDir, writable: bool) -> RecordStore:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            return RecordStore(register_path(data), writable=writable)
        except StoreLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def registered(data: DataDir) -> list[RegisteredAudit]:
    """Every imported audit, most recently closed first."""
    if not register_path(data).exists():
        return []
    with _open_register(data, writable=False) as store:
        rows = [RegisteredAudit.model_validate(doc) for doc in store.all(TABLE)]
    return sorted(rows, key=lambda row: row.closed, reverse=True)


def import_bundle(data: DataDir, path: str | Path) -> ImportResult:
    """Verify the bundle at ``path`` and register its audit; see the module docstring."""
    with BundleReader(path) as reader:
        trust, source = choose_trust(data, reader, required=True)
        report = verify_bundle(reader, trust)
        problems = list(report.problems)
        if report.ok and not report.sealed:
            problems.append("the audit is not closed (the bundle has no seal); only closed audits can be imported")
        if problems:
            raise ImportRefused(problems)
        certificates = reader.names("certificates/")
        cert_files = {name: reader.read(name) for name in certificates}
    opened, closed, seal_digest = report.opened, report.closed, report.seal_digest
    assert report.audit_id and opened and closed and seal_digest
    cert_rows = _check_certificates(cert_files, trust, report.audit_id, opened.station.code, closed.findings_root)
    bundle_sha = _sha256_file(Path(path))
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
        records=report.records,
        findings_root=closed.findings_root,
        seal=seal_digest,
        bundle=f"{report.audit_id}.zip",
        bundle_sha256=bundle_sha,
        imported=now_text(),
        trust=source,
        warnings=report.warnings,
    )
    with _open_register(data, writable=True) as store:
        conflicts = _certificate_conflicts(store, cert_rows)
        if conflicts:
            raise ImportRefused(conflicts)
        existing = store.get(TABLE, row.id)
        if existing is not None:
            known = RegisteredAudit.model_validate(existing)
            if known.seal == row.seal:
                # The same audit again: harmless, but it may bring certificates issued since.
                _store_certificates(data, store, cert_rows, cert_files)
                return ImportResult(
                    known,
                    new=False,
                    warnings=report.warnings,
                    certificates=certificates,
                )
            raise ImportRefused(
                f"audit {row.id} is already registered with a different seal (imported {known.imported}, "
                f"seal {known.seal[:16]}…; this bundle's seal {row.seal[:16]}…): refused"
            )
        _keep_copy(Path(path), data.hq_bundles / row.bundle)
        store.put(TABLE, row.id, row.model_dump())
        _store_certificates(data, store, cert_rows, cert_files)
    return ImportResult(row, new=True, warnings=report.warnings, certificates=certificates)


# ---------------------------------------------------------------------------------------------
# the certificate register

CERT_TABLE = "certificates"
EXPIRING_DAYS = 90
# Reasons that do not make an imported certificate a forgery: it may have expired or been
# revoked since it was issued, and the register shows that as its status.
_TIME_AND_STATUS = {"expired", "revoked"}


class RegisteredCertificate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    audit: str
    auditor: str
    result: str
    score: int
    issued_at: str
    expires_at: str
    surveillance_due: list[str]
    member: str  # the bundle member it came from
    record_sha256: str

    def status(self, revoked: set[str], now: Any) -> str:
        from datetime import timedelta

        if self.id in revoked:
            return "revoked"
        expires = parse_time(self.expires_at)
        if now >= expires:
            return "expired"
        if now >= expires - timedelta(days=EXPIRING_DAYS):
            return "expiring"
        return "valid"

    def next_surveillance(self, now: Any) -> str | None:
        today = now.date().isoformat()
        upcoming = [due for due in self.surveillance_due if due >= today]
        return upcoming[0] if upcoming else None


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


def _certificate_conflicts(store: RecordStore, rows: list[RegisteredCertificate]) -> list[str]:
    """A certificate id already registered for another audit (or with other content) is refused:
    ids are random, so a clash is a forgery or a mistake, and must never overwrite a certificate."""
    problems = []
    for row in rows:
        doc = store.get(CERT_TABLE, row.id)
        if doc is None:
            continue
        known = RegisteredCertificate.model_validate(doc)
        if known.audit != row.audit:
            problems.append(
                f"{row.member}: certificate id {row.id} already belongs to audit {known.audit} "
                f"(this bundle's audit is {row.audit}); refused"
            )
        elif known.record_sha256 != row.record_sha256:
            problems.append(f"{row.member}: certificate {row.id} is already registered with other content; refused")
    return problems


def _store_certificates(
    data: DataDir,
    store: RecordStore,
    rows: list[RegisteredCertificate],
    files: dict[str, bytes],
) -> None:

    for row in rows:
        write_private(data.hq / "certificates" / f"{row.id}.json", files[row.member], mode=0o644)
        store.put(CERT_TABLE, row.id, row.model_dump())


def registered_certificates(data: DataDir) -> list[RegisteredCertificate]:
    """Every certificate that arrived with an imported bundle, newest first."""
    if not register_path(data).exists():
        return []
    with _open_register(data, writable=False) as store:
        rows = [RegisteredCertificate.model_validate(doc) for _, doc in store.items(CERT_TABLE)]
    return sorted(rows, key=lambda row: row.issued_at, reverse=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _keep_copy(source: Path, target: Path) -> None:
    """Copy the bundle into HQ's archive atomically."""

    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_output(target) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, CHUNK)


def find_registered_certificate(data: DataDir, text: str) -> RegisteredCertificate | None:
    """The registered certificate with id ``text`` (printed form with dashes accepted), or None."""
    wanted = text.replace("-", "").replace(" ", "").upper()
    if not register_path(data).exists():
        return None
    with _open_register(data, writable=False) as store:
        doc = store.get(CERT_TABLE, wanted)
    return None if doc is None else RegisteredCertificate.model_validate(doc)
