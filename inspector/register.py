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
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from inspector.audit_verify import choose_trust, verify_bundle
from inspector.bundle import BundleReader
from inspector.canonical import now_text
from inspector.errors import Invalid, UserError
from inspector.evidence import CHUNK
from inspector.paths import DataDir
from inspector.storage import RecordStore, StoreLocked

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
        return {"status": "imported" if self.new else "already-imported", **self.audit.model_dump(), "warnings": self.warnings}


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
    opened, closed, seal_digest = report.opened, report.closed, report.seal_digest
    assert report.audit_id and opened and closed and seal_digest
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
        existing = store.get(TABLE, row.id)
        if existing is not None:
            known = RegisteredAudit.model_validate(existing)
            if known.seal == row.seal:
                return ImportResult(known, new=False, warnings=report.warnings, certificates=certificates)
            raise ImportRefused(
                f"audit {row.id} is already registered with a different seal (imported {known.imported}, "
                f"seal {known.seal[:16]}…; this bundle's seal {row.seal[:16]}…): refused"
            )
        _keep_copy(Path(path), data.hq_bundles / row.bundle)
        store.put(TABLE, row.id, row.model_dump())
    return ImportResult(row, new=True, warnings=report.warnings, certificates=certificates)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _keep_copy(source: Path, target: Path) -> None:
    """Copy the bundle into HQ's archive atomically (temp file, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        raise UserError(f"{target}: cannot write ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
