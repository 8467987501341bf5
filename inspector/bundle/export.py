"""Exporting an audit as one zip bundle for headquarters (layout in :mod:`inspector.bundle.layout`)."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector._io.atomic import atomic_output
from inspector.audit.evidence import CHUNK
from inspector.audit.layout import CERTIFICATES_DIR
from inspector.audit.service import AuditService
from inspector.bundle.layout import (
    BUNDLE_FORMAT,
    CERT_PREFIX,
    CHECKLIST,
    EVIDENCE_PREFIX,
    FIXED_TIME,
    MANIFEST,
    RECORDS,
    SEAL,
    TRUSTLIST,
    _allowed,
)
from inspector.crypto.canonical import now_text
from inspector.errors import UserError

# ---------------------------------------------------------------------------------------------
# export


@dataclass(frozen=True)
class ExportResult:
    path: Path
    audit_id: str
    records: int
    evidence: int
    certificates: int
    sealed: bool
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "audit": self.audit_id,
            "records": self.records,
            "evidence": self.evidence,
            "certificates": self.certificates,
            "sealed": self.sealed,
            "sha256": self.sha256,
        }


def export_audit(
    service: AuditService,
    audit_id: str,
    out: Path,
    trustlist_bytes: bytes | None,
    *,
    overwrite: bool = False,
) -> ExportResult:
    """Write the bundle of ``audit_id`` to ``out`` atomically (never a half-written zip)."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise UserError(f"{out}: already exists (use --force to replace it)")
    if out.is_dir():
        raise UserError(f"{out}: is a directory")
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such directory")
    with service.open(audit_id, writable=False) as audit:
        docs = audit.envelope_docs()
        seal = audit.seal()
        refs = audit.state.evidence()  # of findings and follow-up records alike
        for ref in refs.values():
            if not (audit.evidence_dir / ref.sha256).is_file():
                raise UserError(
                    f"audit {audit.id[:12]}: evidence file {ref.name!r} ({ref.sha256[:16]}…) is missing; run 'inspector audit verify'"
                )
        checklist_bytes = (audit.folder / "checklist.toml").read_bytes()
        certificates = sorted((audit.folder / CERTIFICATES_DIR).glob("*.json"))
        manifest: dict[str, Any] = {
            "format": BUNDLE_FORMAT,
            "audit": audit.id,
            "station": audit.opened.station.code,
            "type": audit.opened.audit_type.value,
            "status": "closed" if audit.is_closed else "open",
            "records": len(docs),
            "sealed": seal is not None,
            # The seal covers the records up to the closing one; follow-up records may follow it.
            "sealed_records": seal.payload.seq if seal else None,
            "findings_root": seal.payload.findings_root if seal else None,
            "checklist": {
                **audit.opened.checklist.model_dump(),
                "file": CHECKLIST,
                "sha256": hashlib.sha256(checklist_bytes).hexdigest(),
            },
            "trustlist": {
                "file": TRUSTLIST,
                "sha256": hashlib.sha256(trustlist_bytes).hexdigest(),
            }
            if trustlist_bytes
            else None,
            "evidence": [
                {"sha256": ref.sha256, "size": ref.size} for ref in sorted(refs.values(), key=lambda r: r.sha256)
            ],
            "certificates": [CERT_PREFIX + path.name for path in certificates if _allowed(CERT_PREFIX + path.name)],
            "exported": now_text(),
            "exporter": f"inspector {__version__}",
        }
        evidence_dir = audit.evidence_dir
        audit_short = audit.id
    records_text = "".join(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n" for doc in docs)
    with atomic_output(out) as handle, zipfile.ZipFile(handle, "w") as archive:
        _write(
            archive,
            MANIFEST,
            (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
        _write(archive, RECORDS, records_text.encode("utf-8"))
        if seal is not None:
            _write(
                archive,
                SEAL,
                json.dumps(seal.envelope.model_dump(), ensure_ascii=False).encode("utf-8"),
            )
        _write(archive, CHECKLIST, checklist_bytes)
        if trustlist_bytes:
            _write(archive, TRUSTLIST, trustlist_bytes)
        for entry in manifest["evidence"]:
            _write_file(
                archive,
                EVIDENCE_PREFIX + entry["sha256"],
                evidence_dir / entry["sha256"],
            )
        for path in certificates:
            if _allowed(CERT_PREFIX + path.name):
                _write(archive, CERT_PREFIX + path.name, path.read_bytes())
    digest = hashlib.sha256()
    with open(out, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return ExportResult(
        out,
        audit_short,
        len(docs),
        len(refs),
        len(manifest["certificates"]),
        seal is not None,
        digest.hexdigest(),
    )


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = compress
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(_info(name, zipfile.ZIP_DEFLATED), data)


def _write_file(archive: zipfile.ZipFile, name: str, path: Path) -> None:
    # Photos and scans are already compressed: stored, they cost no CPU and no bomb check.
    with (
        open(path, "rb") as source,
        archive.open(_info(name, zipfile.ZIP_STORED), "w") as target,
    ):
        while chunk := source.read(CHUNK):
            target.write(chunk)
