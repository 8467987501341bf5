"""Certificate records: what an auditor issues from a closed audit and HQ registers.

Two signed forms exist side by side and must agree:
- the compact PSC1 payload in the QR (``psc1.py``), signed in ``Domain.CERT``: what an officer's
  phone checks;
- this JSON record, signed in ``Domain.CERT_RECORD``, carrying what the wall certificate prints
  and HQ keeps (scope, audit id, checklist hash, names in both languages) plus the PSC1 text.
A separate domain keeps the two signatures from ever standing in for each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspector._io.files import read_user_file
from inspector.audit.records import AuditType
from inspector.certificates.links import link_text
from inspector.certificates.psc1 import CertResult, display_cert_id
from inspector.crypto.canonical import loads_strict
from inspector.crypto.signing import Envelope
from inspector.errors import UserError

DEFAULT_SCOPE_EN = "Infrastructure, quality management, police-station office procedures and public service"
DEFAULT_SCOPE_HI = "आधारभूत संरचना, गुणवत्तापूर्ण प्रबंधन, थाना कार्यालय प्रक्रिया एवं जनसेवा"
DEFAULT_LIFETIME_DAYS = 3 * 365  # ISO/IEC 17021-1 cycle: 3 years, surveillance in years 1 and 2
CERT_FORMAT = "inspector-cert/v1"
RECORD_LIMIT = 1024 * 1024  # a record is a few KB; anything near this is not one


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


CERT_DIR = "certificates"


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
    return (
        json.dumps(
            {"format": CERT_FORMAT, "envelope": envelope.model_dump()},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    ).encode("utf-8")


def parse_record(data: bytes, what: str) -> tuple[Envelope, CertificateBody]:
    """Read a certificate record file (no signature check: ``verify_record_file`` does that)."""
    document = loads_strict(data, what)
    if (
        not isinstance(document, dict)
        or document.get("format") != CERT_FORMAT
        or set(document) != {"format", "envelope"}
    ):
        raise UserError(f"{what}: not a certificate record (expected format {CERT_FORMAT!r})")
    try:
        envelope = Envelope.model_validate(document["envelope"])
        body = CertificateBody.model_validate(loads_strict(envelope.payload_bytes, what))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"{what}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    return envelope, body


def load_record_file(path: Path) -> tuple[Envelope, CertificateBody]:
    return parse_record(
        read_user_file(path, "certificate record", RECORD_LIMIT),
        f"certificate record {path}",
    )


def qr_text_of(body: CertificateBody) -> str:
    """What the QR carries: ``LINK#PAYLOAD`` when HQ set a verify URL, else the bare payload."""
    return link_text(body.verify_url, body.payload)
