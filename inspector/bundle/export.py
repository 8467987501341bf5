"""Audit bundles: one zip file that carries an audit from the laptop to headquarters.

Layout (every name is fixed; nothing else is accepted on reading)::

    manifest.json            what the bundle holds (informative: the signed records decide)
    records.jsonl            the stored envelopes, one JSON object per line, in chain order
    seal.json                the closing seal envelope (absent while the audit is open)
    checklist.toml           the original bytes of the checklist the audit used
    trustlist.json           the trust list in force on the laptop (signed by HQ), if installed
    evidence/<sha256>        every evidence file any record refers to, named by its hash
    certificates/<name>.json certificate records issued from the audit, if any

Reading is defensive: names must match the layout exactly (so no path can leave the bundle),
duplicate names, links and encrypted members are refused, and sizes are bounded both as the zip
declares them and as the bytes actually arrive.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from inspector import __version__
from inspector._io.atomic import atomic_output
from inspector.audit.evidence import CHUNK, MAX_EVIDENCE_BYTES
from inspector.audit.layout import CERTIFICATES_DIR
from inspector.audit.records import EvidenceRef
from inspector.audit.service import AuditService
from inspector.crypto.canonical import loads_strict, now_text
from inspector.errors import UserError

BUNDLE_FORMAT = "inspector-bundle/v1"
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
SEAL = "seal.json"
CHECKLIST = "checklist.toml"
TRUSTLIST = "trustlist.json"
EVIDENCE_PREFIX = "evidence/"
CERT_PREFIX = "certificates/"

NAME_RULES = (
    re.compile(r"manifest\.json"),
    re.compile(r"records\.jsonl"),
    re.compile(r"seal\.json"),
    re.compile(r"checklist\.toml"),
    re.compile(r"trustlist\.json"),
    re.compile(r"evidence/[0-9a-f]{64}"),
    re.compile(r"certificates/[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.json"),
)
SMALL_LIMITS = {
    MANIFEST: 16 * 1024 * 1024,
    RECORDS: 256 * 1024 * 1024,
    SEAL: 64 * 1024,
    CHECKLIST: 16 * 1024 * 1024,
    TRUSTLIST: 20 * 1024 * 1024,
}
CERT_LIMIT = 1024 * 1024
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 8 * 1024 * 1024 * 1024
MAX_RATIO = 200  # declared size / compressed size above which a member is a zip bomb
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # members carry no timestamps: the same audit, the same bytes


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
    service: AuditService, audit_id: str, out: Path, trustlist_bytes: bytes | None, *, overwrite: bool = False
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
        refs = _all_evidence(audit.state.history.values())
        for ref in refs.values():
            if not (audit.evidence_dir / ref.sha256).is_file():
                raise UserError(f"audit {audit.id[:12]}: evidence file {ref.name!r} ({ref.sha256[:16]}…) is missing; run 'inspector audit verify'")
        checklist_bytes = (audit.folder / "checklist.toml").read_bytes()
        certificates = sorted((audit.folder / CERTIFICATES_DIR).glob("*.json"))
        manifest = {
            "format": BUNDLE_FORMAT,
            "audit": audit.id,
            "station": audit.opened.station.code,
            "type": audit.opened.audit_type.value,
            "status": "closed" if audit.is_closed else "open",
            "records": len(docs),
            "sealed": seal is not None,
            "findings_root": seal.payload.findings_root if seal else None,
            "checklist": {
                **audit.opened.checklist.model_dump(),
                "file": CHECKLIST,
                "sha256": hashlib.sha256(checklist_bytes).hexdigest(),
            },
            "trustlist": {"file": TRUSTLIST, "sha256": hashlib.sha256(trustlist_bytes).hexdigest()} if trustlist_bytes else None,
            "evidence": [{"sha256": ref.sha256, "size": ref.size} for ref in sorted(refs.values(), key=lambda r: r.sha256)],
            "certificates": [CERT_PREFIX + path.name for path in certificates if _allowed(CERT_PREFIX + path.name)],
            "exported": now_text(),
            "exporter": f"inspector {__version__}",
        }
        evidence_dir = audit.evidence_dir
        audit_short = audit.id
    records_text = "".join(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n" for doc in docs)
    with atomic_output(out) as handle, zipfile.ZipFile(handle, "w") as archive:
        _write(archive, MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        _write(archive, RECORDS, records_text.encode("utf-8"))
        if seal is not None:
            _write(archive, SEAL, json.dumps(seal.envelope.model_dump(), ensure_ascii=False).encode("utf-8"))
        _write(archive, CHECKLIST, checklist_bytes)
        if trustlist_bytes:
            _write(archive, TRUSTLIST, trustlist_bytes)
        for entry in manifest["evidence"]:
            _write_file(archive, EVIDENCE_PREFIX + entry["sha256"], evidence_dir / entry["sha256"])
        for path in certificates:
            if _allowed(CERT_PREFIX + path.name):
                _write(archive, CERT_PREFIX + path.name, path.read_bytes())
    digest = hashlib.sha256()
    with open(out, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return ExportResult(out, audit_short, len(docs), len(refs), len(manifest["certificates"]), seal is not None, digest.hexdigest())


def _all_evidence(histories: Any) -> dict[str, EvidenceRef]:
    refs: dict[str, EvidenceRef] = {}
    for history in histories:
        for finding in history:
            for ref in finding.evidence:
                refs.setdefault(ref.sha256, ref)
    return refs


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = compress
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(_info(name, zipfile.ZIP_DEFLATED), data)


def _write_file(archive: zipfile.ZipFile, name: str, path: Path) -> None:
    # Photos and scans are already compressed: stored, they cost no CPU and no bomb check.
    with open(path, "rb") as source, archive.open(_info(name, zipfile.ZIP_STORED), "w") as target:
        while chunk := source.read(CHUNK):
            target.write(chunk)


def _allowed(name: str) -> bool:
    return any(rule.fullmatch(name) for rule in NAME_RULES)


# ---------------------------------------------------------------------------------------------
# reading


class BundleReader:
    """A bundle opened for reading, after every member passed the safety checks."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path, "r")
        except FileNotFoundError:
            raise UserError(f"bundle {self.path}: no such file") from None
        except IsADirectoryError:
            raise UserError(f"bundle {self.path}: is a directory") from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UserError(f"bundle {self.path}: not a zip file ({exc})") from None
        try:
            self.members = self._check_members()
        except BaseException:
            self.zip.close()
            raise

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UserError(f"bundle {self.path}: {len(infos)} members (at most {MAX_MEMBERS})")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            where = f"bundle {self.path}: member {name!r}"
            if name in members:
                raise UserError(f"{where}: appears twice")
            if not _allowed(name):
                raise UserError(f"{where}: not part of an inspector bundle (unexpected name or path)")
            kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type; 0 when not recorded
            if kind and kind != stat.S_IFREG:
                raise UserError(f"{where}: not a regular file (link or device)")
            if info.flag_bits & 0x1:
                raise UserError(f"{where}: encrypted")
            limit = self._limit(name)
            if info.file_size > limit:
                raise UserError(f"{where}: too large ({info.file_size} bytes; at most {limit})")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UserError(f"{where}: compression ratio too high (zip bomb?)")
            total += info.file_size
            members[name] = info
        if total > MAX_TOTAL_BYTES:
            raise UserError(f"bundle {self.path}: {total} bytes uncompressed (at most {MAX_TOTAL_BYTES})")
        return members

    @staticmethod
    def _limit(name: str) -> int:
        if name in SMALL_LIMITS:
            return SMALL_LIMITS[name]
        if name.startswith(CERT_PREFIX):
            return CERT_LIMIT
        return MAX_EVIDENCE_BYTES

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> "BundleReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def _chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes, never more than it declared (a lying header is an error)."""
        info = self.members[name]
        read = 0
        try:
            with self.zip.open(info, "r") as handle:
                while chunk := handle.read(CHUNK):
                    read += len(chunk)
                    if read > info.file_size:
                        raise UserError(f"bundle {self.path}: member {name!r} is larger than it declares")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UserError(f"bundle {self.path}: member {name!r} cannot be read ({exc})") from None

    def read(self, name: str) -> bytes:
        return b"".join(self._chunks(name))

    def hash_member(self, name: str) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        for chunk in self._chunks(name):
            size += len(chunk)
            digest.update(chunk)
        return digest.hexdigest(), size

    def names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.members if name.startswith(prefix))

    def manifest(self) -> dict[str, Any]:
        if not self.has(MANIFEST):
            raise UserError(f"bundle {self.path}: not an inspector bundle (no {MANIFEST})")
        value = loads_strict(self.read(MANIFEST), f"bundle {self.path}: {MANIFEST}")
        if not isinstance(value, dict) or value.get("format") != BUNDLE_FORMAT:
            raise UserError(f"bundle {self.path}: {MANIFEST} is not an {BUNDLE_FORMAT} manifest")
        return value

    def evidence_check(self, ref: EvidenceRef) -> str | None:
        name = EVIDENCE_PREFIX + ref.sha256
        if not self.has(name):
            return "the file is missing from the bundle"
        try:
            actual, size = self.hash_member(name)
        except UserError as exc:
            return str(exc)
        if actual != ref.sha256:
            return f"the file's content does not match its hash (found {actual[:16]}…: swapped or altered)"
        if size != ref.size:
            return f"the file has {size} bytes, the record says {ref.size}"
        return None

    def records(self, problems: list[str]) -> list[Any]:
        """The JSON objects of records.jsonl in order; a line that is not JSON becomes None
        and a problem naming the line (the chain check then names the record)."""
        if not self.has(RECORDS):
            problems.append(f"{RECORDS}: missing from the bundle")
            return []
        try:
            text = self.read(RECORDS).decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{RECORDS}: not UTF-8 text (byte {exc.start})")
            return []
        docs: list[Any] = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                docs.append(loads_strict(line, f"record {len(docs) + 1}"))
            except UserError as exc:
                problems.append(f"{exc} ({RECORDS} line {number})")
                docs.append(None)
        return docs

    def trustlist(self, pinned: list[Any]) -> Any | None:
        """The bundle's own trust list, only when one of ``pinned`` signed it (else None)."""
        from inspector.trust.lists import load_trustlist

        if not pinned or not self.has(TRUSTLIST):
            return None
        try:
            return load_trustlist(self.read(TRUSTLIST), pinned, f"bundle {self.path}: {TRUSTLIST}")
        except UserError:
            return None
