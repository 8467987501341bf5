"""``psc1.CertClaims`` (checked by hand, so verifying never imports pydantic) accepts and refuses
exactly what the pydantic model it replaced did, kept here verbatim as the oracle.

Compared on the values ``parse_claims`` hands it (what its CBOR readers produce) and on the
Python values an issuer may pass, one claim changed at a time; and on whole payloads, through
``parse_claims``, for every web test vector's certificate.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

import cbor2
import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inspector.certificates import psc1
from inspector.certificates.psc1 import (
    CERT_ID_SIZE,
    CHECKLIST_ID,
    CHECKLIST_VERSION,
    FINDINGS_ROOT_SIZE,
    STATION_CODE,
    UINT64_MAX,
    AuditType,
    CertClaims,
    CertResult,
    PayloadError,
)
from tests.helpers import make_claims
from tests.web import webvectors as W

UInt = Annotated[int, Field(ge=0, le=UINT64_MAX)]
Count = Annotated[int, Field(ge=0, le=65535)]


class OracleClaims(BaseModel):
    """psc1.CertClaims as it was (a pydantic model), before issue 16 goal 3."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    issuer: UInt
    issued_at: UInt
    expires_at: UInt
    cert_id: Annotated[bytes, Field(min_length=CERT_ID_SIZE, max_length=CERT_ID_SIZE)]
    station_code: Annotated[str, Field(pattern=STATION_CODE.pattern)]
    checklist_id: Annotated[str, Field(pattern=CHECKLIST_ID.pattern)]
    checklist_version: Annotated[str, Field(max_length=20, pattern=CHECKLIST_VERSION.pattern)]
    result: CertResult
    score: Annotated[int, Field(ge=0, le=100)]
    majors: Count
    minors: Count
    auditor_id: Annotated[str, Field(min_length=1, max_length=24)]
    findings_root: Annotated[bytes, Field(min_length=FINDINGS_ROOT_SIZE, max_length=FINDINGS_ROOT_SIZE)]
    station_name: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    audit_date: Annotated[int, Field(ge=0, le=65535)] | None = None
    audit_type: AuditType | None = None

    @field_validator("station_code", "checklist_id", "checklist_version", "auditor_id", "station_name", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value

    @field_validator("auditor_id", "station_name")
    @classmethod
    def _visible(cls, value: str | None, info: Any) -> str | None:
        return None if value is None else psc1._check_text(value, info.field_name)


FIELDS = list(OracleClaims.model_fields)
BASE: dict[str, Any] = {name: getattr(make_claims(), name) for name in FIELDS}
BASE.update(station_name="Kotwali Sector 39", audit_date=20620, audit_type=AuditType.CERTIFICATION)

TEXTS = [
    "",
    " ",
    "a",
    "GBN-S39",
    "GBN-S39\n",
    "gbn-s39",
    "AB",
    "A" * 16,
    "A" * 17,
    "1.0.0",
    "1.0.0\n",
    "01.2.3",
    "1.0",
    "1" * 18 + ".0.0",
    "police-station-iso9001",
    "Police",
    "p" * 63,
    "p" * 64,
    "x\u200by",
    "x\u200dy",
    "\u202eevil",
    " lead",
    "trail ",
    "थाना सेक्टर 39",
    "\u0915\u093c" * 20,  # decomposed nukta letters: NFC composes them (still 40 code points)
    "\u0958" * 21,  # a composition exclusion: NFC decomposes it to 42 characters
    "Kotwali Sector 39, Gautam Buddh Nagar PS",
    "K" * 41,
    "A" * 24,
    "A" * 25,
    "e\u0301",  # not NFC: normalised on construction
]
INTS: list[Any] = [0, 1, -1, 100, 101, 65535, 65536, UINT64_MAX, UINT64_MAX + 1, True, False, 1.0, "1", None]
BYTES: list[Any] = [b"", bytes(9), bytes(10), bytes(16), bytes(17), bytearray(10), "0123456789", None]
ENUMS: list[Any] = [CertResult.CERTIFIED, AuditType.SURVEILLANCE, 2, None, "certified"]


def _variants(name: str) -> list[Any]:
    return [*TEXTS, *INTS, *BYTES, *ENUMS, []]


def _outcome(build: Any, fields: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    try:
        claims = build(**fields)
    except (ValidationError, ValueError):
        return False, None
    except TypeError:  # a claim missing: the dataclass says so as Python does for any call
        return False, None
    return True, {name: getattr(claims, name) for name in FIELDS}


def assert_same(fields: dict[str, Any]) -> bool:
    oracle = _outcome(OracleClaims, fields)
    lean = _outcome(CertClaims, fields)
    assert oracle == lean, {k: v for k, v in fields.items() if BASE.get(k, object()) != v}
    return oracle[0]


@pytest.mark.parametrize("name", FIELDS)
def test_each_claim_changed_alone_is_accepted_and_refused_alike(name: str) -> None:
    accepted = refused = 0
    for value in _variants(name):
        if assert_same(dict(BASE, **{name: value})):
            accepted += 1
        else:
            refused += 1
    assert accepted >= 1 and refused >= 1


def test_a_missing_required_claim_an_unknown_one_and_the_optional_ones_left_out_agree() -> None:
    for name in FIELDS:
        fields = dict(BASE)
        del fields[name]
        assert_same(fields)
    with pytest.raises(TypeError):  # an unknown claim is a programming error, not a refusal
        CertClaims(**dict(BASE, colour="red"))
    with pytest.raises(ValidationError):
        OracleClaims(**dict(BASE, colour="red"))


def test_model_copy_checks_its_update_like_construction() -> None:
    claims = CertClaims(**BASE)
    assert claims.model_copy(update={"station_name": None}).station_name is None
    assert claims.model_copy() == claims
    with pytest.raises(ValueError):
        claims.model_copy(update={"score": 101})


def _claims_map(payload: bytes) -> Any:
    try:
        return cbor2.loads(payload)
    except Exception:
        return None


def test_every_web_vector_payload_parses_alike() -> None:
    """``parse_claims`` answers as the readers plus the pydantic model did, on every vector."""
    compared = 0
    for vector in W.build_vectors() + W.fuzz_vectors(150):
        try:
            decoded = psc1.decode(psc1.parse_scanned(vector.text))
        except PayloadError:
            continue
        try:
            lean: Any = psc1.parse_claims(decoded.payload)
        except PayloadError as exc:
            lean = exc.code
        value = _claims_map(decoded.payload)
        fields: dict[str, Any] = {}
        try:
            if not isinstance(value, dict):
                raise PayloadError("bad-claim", "")
            if any(type(k) is not int or k not in psc1._CLAIM_VALUES for k in value):
                raise PayloadError("unknown-claim", "")
            if any(c not in value for c in psc1.REQUIRED_CLAIMS):
                raise PayloadError("bad-claim", "")
            for claim, raw in value.items():
                psc1._CLAIM_READERS[psc1.Claim(claim)](raw, fields)
            oracle: Any = OracleClaims(**fields)
        except PayloadError as exc:
            oracle = exc.code
        except ValidationError:
            oracle = "bad-claim"
        if isinstance(lean, str) or isinstance(oracle, str):
            if lean in ("bad-cbor", "duplicate-key", "trailing-bytes", "non-canonical-cbor"):
                continue  # refused before any claim is read, on both sides of the change
            assert lean == oracle, vector.id
        else:
            assert {n: getattr(lean, n) for n in FIELDS} == oracle.model_dump(), vector.id
        compared += 1
    assert compared >= 100
