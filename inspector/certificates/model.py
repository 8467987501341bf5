"""Certificate records: what an auditor issues from a closed audit and HQ registers.

Two signed forms exist side by side and must agree:
- the compact PSC1 payload in the QR (``psc1.py``), signed in ``Domain.CERT``: what an officer's
  phone checks;
- this JSON record, signed in ``Domain.CERT_RECORD``, carrying what the wall certificate prints
  and HQ keeps (scope, audit id, checklist hash, names in both languages) plus the PSC1 text.
A separate domain keeps the two signatures from ever standing in for each other.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspector.audit.records import AuditType
from inspector.certificates.psc1 import CertResult
from inspector.crypto.canonical import format_time, loads_strict, parse_time, utcnow
from inspector.crypto.signing import Domain, Envelope, SigningKey, sign_record
from inspector.errors import Invalid, UserError
from inspector.paths import DataDir

DEFAULT_SCOPE_EN = "Infrastructure, quality management, police-station office procedures and public service"
DEFAULT_SCOPE_HI = "आधारभूत संरचना, गुणवत्तापूर्ण प्रबंधन, थाना कार्यालय प्रक्रिया एवं जनसेवा"
DEFAULT_LIFETIME_DAYS = 3 * 365  # ISO/IEC 17021-1 cycle: 3 years, surveillance in years 1 and 2
CERT_FORMAT = "inspector-cert/v1"


def cert_id_text(cti: bytes) -> str:
    """The printed certificate id: base32 of the 10-byte cti, 16 characters."""
    return base64.b32encode(cti).decode("ascii")


def cert_id_bytes(text: str) -> bytes:
    cleaned = text.replace("-", "").replace(" ", "").upper()
    if len(cleaned) != 16:
        raise ValueError("a certificate id has 16 characters (A-Z, 2-7)")
    return base64.b32decode(cleaned)


def display_cert_id(text: str) -> str:
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


class CertificateBody(BaseModel):
    """The signed content of a certificate record. Times are UTC strings, dates ISO dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = CERT_FORMAT
    cert_id: Annotated[str, Field(pattern=r"^[A-Z2-7]{16}$")]
    station_code: str
    station_name_en: str
    station_name_hi: str
    district: str
    scope_en: str = DEFAULT_SCOPE_EN
    scope_hi: str = DEFAULT_SCOPE_HI
    standard: str = "ISO 9001:2015"
    checklist_id: str
    checklist_version: str
    checklist_hash: str
    audit_id: str
    audit_type: AuditType
    result: CertResult
    score: Annotated[int, Field(ge=0, le=100)]
    majors: int
    minors: int
    issued_at: str
    expires_at: str
    surveillance_due: list[str]
    auditor_id: str
    auditor_name: str
    issuer_name: str
    kid: str
    findings_root: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    payload: str  # the bare PSC1 text
    verify_url: str | None = None  # HQ's verify page; the QR then carries URL#PAYLOAD

    @property
    def display_id(self) -> str:
        return display_cert_id(self.cert_id)

    @property
    def issued_date(self) -> date:
        return date.fromisoformat(self.issued_at[:10])

    @property
    def expiry_date(self) -> date:
        return date.fromisoformat(self.expires_at[:10])


# ---------------------------------------------------------------------------------------------
# Issuing a certificate from a closed audit




ISSUER_HQ = 1  # claim ``iss``: the commissionerate HQ that runs the trust list
CERT_DIR = "certificates"
STATION_NAME_MAX = 40


@dataclass(frozen=True)
class IssuedCertificate:
    body: CertificateBody
    envelope: Envelope
    record_path: Path

    @property
    def qr_text(self) -> str:
        """What the QR carries: the verify link when HQ set one, else the bare payload."""
        return qr_text_of(self.body)


def record_bytes(envelope: Envelope) -> bytes:
    return (json.dumps({"format": CERT_FORMAT, "envelope": envelope.model_dump()}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def parse_record(data: bytes, what: str) -> tuple[Envelope, CertificateBody]:
    """Read a certificate record file (no signature check: ``verify_record_file`` does that)."""
    document = loads_strict(data, what)
    if not isinstance(document, dict) or document.get("format") != CERT_FORMAT or set(document) != {"format", "envelope"}:
        raise UserError(f"{what}: not a certificate record (expected format {CERT_FORMAT!r})")
    try:
        envelope = Envelope.model_validate(document["envelope"])
        body = CertificateBody.model_validate(loads_strict(envelope.payload_bytes, what))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"{what}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    return envelope, body


def _station_display(name: str) -> str:
    return name if len(name) <= STATION_NAME_MAX else name[: STATION_NAME_MAX - 1].rstrip() + "…"


def _result_for(audit: Any) -> CertResult:
    from inspector.audit.scoring import Decision

    decision = audit.score().decision
    if decision is Decision.CERTIFY:
        return CertResult.CERTIFIED
    reasons = "; ".join(audit.score().reasons) or decision.value
    raise UserError(f"audit {audit.id[:12]}: no certificate can be issued: decision is {decision.value} ({reasons})")


def _surveillance(issued: datetime, expires: datetime) -> list[str]:
    """Surveillance audits in years 1 and 2 (ISO/IEC 17021-1), when before expiry."""
    dates = []
    for years in (1, 2):
        due = issued + timedelta(days=365 * years)
        if due < expires:
            dates.append(due.date().isoformat())
    return dates


def issue_certificate(
    data: DataDir,
    audit_id: str,
    key: SigningKey,
    *,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    now: datetime | None = None,
) -> IssuedCertificate:
    """Sign a certificate for a closed audit whose decision allows it; refuse with reasons otherwise."""
    from inspector.audit.service import AuditService
    from inspector.certificates.psc1 import AuditType as QRAuditType
    from inspector.certificates.psc1 import CertClaims, encode
    from inspector.trust.lists import Purpose
    from inspector.trust.store import TrustStore

    if lifetime_days < 1:
        raise UserError("certificate lifetime must be at least one day")
    now = (now or utcnow()).replace(microsecond=0)
    with AuditService(data).open(audit_id, writable=False) as audit:
        opened, seal = audit.opened, audit.seal()
        if not audit.is_closed or seal is None:
            raise UserError(f"audit {audit.id[:12]} is not closed: close it first ('inspector audit close')")
        if opened.audit_type == AuditType.STAGE1:
            raise UserError(f"audit {audit.id[:12]} is a stage 1 (readiness) audit: it cannot lead to a certificate")
        result = _result_for(audit)
        closed_score = audit.score()
        folder, full_id = audit.folder, audit.id
        checklist = audit.checklist
    if opened.auditor.kid != key.public.kid_hex:
        raise UserError(f"this key ({key.public.kid_hex}) did not conduct audit {full_id[:12]}; its auditor's key is {opened.auditor.kid}")
    trust = TrustStore(data.root).trustlist()
    if trust is None:
        raise UserError("no trust list is installed: install HQ's trust list ('inspector trust install FILE') before issuing")
    try:
        entry = trust.authorize(key.public.kid_hex, Purpose.CERT, now)
    except Invalid as exc:
        raise UserError(f"this key may not issue certificates now: {exc}") from None
    if entry.auditor_id != opened.auditor.id:
        raise UserError(f"the key is enrolled for auditor {entry.auditor_id}, but the audit names {opened.auditor.id}")
    expires = min(now + timedelta(days=lifetime_days), parse_time(entry.verify_until))
    cti = os.urandom(10)
    claims = CertClaims(
        issuer=ISSUER_HQ,
        issued_at=int(now.timestamp()),
        expires_at=int(expires.timestamp()),
        cert_id=cti,
        station_code=opened.station.code,
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        result=result,
        score=closed_score.percent or 0,
        majors=closed_score.majors,
        minors=closed_score.minors,
        auditor_id=opened.auditor.id,
        findings_root=seal.qr_root,
        station_name=_station_display(opened.station.name),
        audit_date=CertClaims.day_number(parse_time(seal.payload.closed).date()),
        audit_type=QRAuditType[opened.audit_type.name],
    )
    verify_url = getattr(trust, "verify_url", None)
    payload = encode(_fitting(claims, verify_url), key)
    body = CertificateBody(
        cert_id=cert_id_text(cti),
        station_code=opened.station.code,
        station_name_en=opened.station.name,
        station_name_hi=opened.station.name_hi,
        district=_district(data, opened.station.code),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        checklist_hash=checklist.content_hash,
        audit_id=full_id,
        audit_type=opened.audit_type,
        result=result,
        score=closed_score.percent or 0,
        majors=closed_score.majors,
        minors=closed_score.minors,
        issued_at=format_time(now),
        expires_at=format_time(expires),
        surveillance_due=_surveillance(now, expires),
        auditor_id=opened.auditor.id,
        auditor_name=entry.name,
        issuer_name=trust.issuer_name,
        kid=key.public.kid_hex,
        findings_root=seal.findings_root.hex(),
        payload=payload,
        verify_url=verify_url,
    )
    envelope = sign_record(key, Domain.CERT_RECORD, body.model_dump(mode="json"))
    path = folder / CERT_DIR / f"{body.cert_id}.json"
    from inspector._io.atomic import write_private

    write_private(path, record_bytes(envelope), mode=0o644, overwrite=False)
    return IssuedCertificate(body, envelope, path)


def _fitting(claims: Any, verify_url: str | None) -> Any:
    """The fullest variant of ``claims`` whose QR (with the verify link, if any) stays <= v13-Q.

    Optional claims go first (audit type and date, then the display name, which the printed
    certificate carries anyway); if even the bare claims do not fit, issuing fails closed.
    """
    from inspector.certificates import psc1, qr

    variants = [
        claims,
        claims.model_copy(update={"audit_type": None, "audit_date": None}),
        claims.model_copy(update={"audit_type": None, "audit_date": None, "station_name": None}),
    ]
    for variant in variants:
        length = psc1.text_length(variant)
        if length > psc1.MAX_ISSUE_LENGTH:
            continue
        sample = psc1.PREFIX + "A" * (length - len(psc1.PREFIX))
        if qr.qr_version(link_text(verify_url, sample)) <= psc1.MAX_QR_VERSION:
            return variant
    raise UserError(
        f"the certificate does not fit a version {psc1.MAX_QR_VERSION} QR code"
        + (f" with the verify link {verify_url!r}: HQ should configure a shorter verify URL" if verify_url else "")
    )


def _district(data: DataDir, code: str) -> str:
    from inspector.audit.stations import load_registry

    try:
        return load_registry(data_root=data.root).get(code).district
    except UserError:
        return ""


def issued_certificates(data: DataDir) -> list[Path]:
    """Every certificate record issued on this machine, newest first."""
    if not data.audits.is_dir():
        return []
    paths = list(data.audits.glob(f"*/{CERT_DIR}/*.json"))
    return sorted(paths, key=lambda p: p.stat().st_mtime, reverse=True)


def find_certificate(data: DataDir, text: str) -> Path:
    """A certificate named by record path, full id, or a unique id prefix (dashes allowed)."""
    candidate = Path(text)
    if candidate.suffix == ".json" and candidate.is_file():
        return candidate
    wanted = text.replace("-", "").strip().upper()
    matches = [p for p in issued_certificates(data) if p.stem.startswith(wanted)] if len(wanted) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(f"certificate id {text!r} is ambiguous")
    raise UserError(f"unknown certificate {text!r} (give a record file or an id from 'inspector cert list')")


def load_record_file(path: Path) -> tuple[Envelope, CertificateBody]:
    from inspector.cli.common import read_bytes

    return parse_record(read_bytes(path, "certificate record", limit=1024 * 1024), f"certificate record {path}")


def compact_link(url: str) -> str:
    """``url`` with scheme and host in upper case (both are case-insensitive), so that a QR code
    can carry it in alphanumeric mode when the path allows; the path is kept as it is."""
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.upper()}{sep}{host.upper()}{slash}{path}"


def qr_text_of(body: CertificateBody) -> str:
    """What the QR carries: ``LINK#PAYLOAD`` when HQ set a verify URL, else the bare payload."""
    return link_text(body.verify_url, body.payload)


def link_text(verify_url: str | None, payload: str) -> str:
    return f"{compact_link(verify_url)}#{payload}" if verify_url else payload


def write_outputs(body: CertificateBody, envelope: Envelope, out_dir: Path, *, formats: tuple[str, ...] = ("json", "png", "svg", "html", "pdf")) -> dict[str, str]:
    """Write the record and its renderings into ``out_dir``; returns format -> path."""
    from inspector._io.atomic import write_private
    from inspector.certificates import printing, qr

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"output directory {out_dir}: cannot create ({exc.strerror})") from None
    text = qr_text_of(body)
    stem = out_dir / f"certificate-{body.cert_id}"
    written: dict[str, str] = {}
    renders = {
        "json": lambda: record_bytes(envelope),
        "png": lambda: qr.png_bytes(text, box_size=12),
        "svg": lambda: qr.svg_text(text).encode("utf-8"),
        "html": lambda: printing.render_html(body, qr.svg_text(text)).encode("utf-8"),
        "pdf": lambda: printing.render_pdf(body, qr.png_bytes(text, box_size=12)),
    }
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}") if fmt != "png" else out_dir / f"certificate-{body.cert_id}-qr.png"
        if fmt == "svg":
            path = out_dir / f"certificate-{body.cert_id}-qr.svg"
        try:
            write_private(path, renders[fmt](), mode=0o644)
        except OSError as exc:
            raise UserError(f"{path}: cannot write ({exc.strerror})") from None
        written[fmt] = str(path)
    return written
