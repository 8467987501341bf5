"""Exporting an audit as one zip bundle for headquarters (layout in :mod:`inspector.bundle.layout`)."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector import __version__
from inspector._io.atomic import atomic_output
from inspector.audit.evidence import CHUNK
from inspector.audit.layout import CERTIFICATES_DIR
from inspector.audit.layout import RECORDS as RECORDS_TABLE
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
        docs = _stored_envelopes(audit)
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
    with atomic_output(out) as handle, zipfile.ZipFile(handle, "w") as archive:
        _write(
            archive,
            MANIFEST,
            (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
        _write_records(archive, docs)
        record_count = len(docs)
        del docs  # the largest thing this function holds: let it go before the evidence is copied
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
        record_count,
        len(refs),
        len(manifest["certificates"]),
        seal is not None,
        digest.hexdigest(),
    )


def _stored_envelopes(audit: Any) -> list[dict[str, Any]]:
    """The audit's envelopes exactly as stored (``kid``, ``payload``, ``sig``), without building
    a model of each: at 50,000 records the models alone took a third of the export. Each is
    checked to have that shape, as building the model would; verification is HQ's."""
    count = len(audit.envelopes)  # what the audit was opened with (a writer may append meanwhile)
    # Read once, without copies: a checkpointed store's journal is replayed a piece at a time.
    docs: list[Any] = list(audit.store.iter_raw(RECORDS_TABLE))
    if len(docs) < count:  # the store lost records since it was opened: never silently
        raise UserError(f"the audit's store holds {len(docs)} records, {count} were read before")
    docs = docs[:count]
    for position, doc in enumerate(docs, start=1):
        if not (
            isinstance(doc, dict)
            and doc.keys() == _ENVELOPE_KEYS
            and all(type(v) is str for v in doc.values())
            and _KID.fullmatch(doc["kid"])
        ):
            raise UserError(f"audit {audit.id[:12]}: record {position} is damaged; run 'inspector audit verify'")
    return docs


_ENVELOPE_KEYS = {"kid", "payload", "sig"}
_KID = re.compile(r"[0-9a-f]{16}")  # as the envelope model requires
# records.jsonl is most of a long audit's bundle (40 MB of text at 50,000 records): compressed
# at zlib's fastest level it takes a third of the time of the default level, for a fifth more bytes.
RECORDS_LEVEL = 1
_LINES_PER_WRITE = 512


def _write_records(archive: zipfile.ZipFile, docs: list[dict[str, Any]]) -> None:
    """records.jsonl, one envelope a line, written into the archive a few hundred lines at a
    time: never the whole chain as one string. Each line is the envelope's JSON with its keys
    in the model's order (kid, payload, sig), as bundles always had it."""
    info = _info(RECORDS, zipfile.ZIP_DEFLATED)
    info._compresslevel = RECORDS_LEVEL  # type: ignore[attr-defined]  # zipfile's per-member level
    # ``json.dumps(doc, ensure_ascii=False, separators=(",", ":"))`` of a dict of three strings,
    # with json's own string encoder (C) and without building an encoder's state per line.
    text = json.encoder.encode_basestring
    with archive.open(info, "w") as target:
        for start in range(0, len(docs), _LINES_PER_WRITE):
            lines = [
                f'{{"kid":{text(doc["kid"])},"payload":{text(doc["payload"])},"sig":{text(doc["sig"])}}}\n'
                for doc in docs[start : start + _LINES_PER_WRITE]
            ]
            target.write("".join(lines).encode("utf-8"))


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
