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
from datetime import date
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_SCOPE_EN = "Infrastructure, quality management, police-station office procedures and public service"
DEFAULT_SCOPE_HI = "आधारभूत संरचना, गुणवत्तापूर्ण प्रबंधन, थाना कार्यालय प्रक्रिया एवं जनसेवा"
DEFAULT_LIFETIME_DAYS = 3 * 365  # ISO/IEC 17021-1 cycle: 3 years, surveillance in years 1 and 2
CERT_FORMAT = "inspector-cert/v1"


class Result(IntEnum):
    """As carried in the QR (claim -3)."""

    NOT_CERTIFIED = 0
    CONDITIONAL = 1
    CERTIFIED = 2


class AuditType(StrEnum):
    STAGE1 = "stage1"
    CERTIFICATION = "certification"
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"


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
    result: Result
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
    payload: str  # the PSC1 text the QR carries

    @property
    def display_id(self) -> str:
        return display_cert_id(self.cert_id)

    @property
    def issued_date(self) -> date:
        return date.fromisoformat(self.issued_at[:10])

    @property
    def expiry_date(self) -> date:
        return date.fromisoformat(self.expires_at[:10])
