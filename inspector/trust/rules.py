"""The rules of HQ's signed lists, free of pydantic: names, formats and the checks of one field.

Both readers of a trust list, revocation list and status list use these: the pydantic models
HQ writes with (``lists``, ``status``) and the lean readers ``inspector verify`` uses
(``readers``), so the two cannot drift on what one field may hold. Field checks raise
``ValueError`` (the models turn it into a validation error, the readers into a ``UserError``).
Nothing here imports pydantic: ``inspector verify --payload`` imports this module (issue 16
goal 3).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from inspector.crypto.canonical import format_time, parse_time
from inspector.errors import Invalid, Reason, ReasonCode, UserError

TRUSTLIST_FORMAT = "inspector-trustlist/v1"
CRL_FORMAT = "inspector-crl/v1"
STATUS_FORMAT = "inspector-status/v1"

MAX_CERT_LIFETIME_DAYS = 3 * 365 + 30  # certificates: 3 years with yearly surveillance, + grace
DOCUMENT_LIMIT = 20 * 1024 * 1024
KID_HEX = re.compile(r"^[0-9a-f]{16}$")
CERT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")
# Same as inspector.crypto.keystore.AUDITOR_ID (a test keeps them equal): restated so that
# reading a trust list does not import the keystore and its models.
AUDITOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
REASON_MAX = 500
VERIFY_URL_MAX = 100

RECORD_SIZE = 12  # a granted record of a status list: 10-byte cti + uint16 decision day
CTI_SIZE = 10
PRINTED_ID = 16  # base32 characters of a 10-byte cti


class Purpose(StrEnum):
    """What an auditor key may sign."""

    CERT = "cert"
    FINDING = "finding"


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # may not sign any more; what it signed inside its window stays valid
    REVOKED = "revoked"  # compromised: nothing it ever signed is accepted


class CertStatus(StrEnum):
    GRANTED = "granted"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


def utc_text(value: str) -> str:
    try:
        moment = parse_time(value)
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ") from None
    if format_time(moment) != value:
        raise ValueError(f"{value!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ")
    return value


def kid_text(value: str) -> str:
    if not KID_HEX.match(value):
        raise ValueError("kid must be 16 lowercase hex digits")
    return value


def auditor_id_text(value: str) -> str:
    if not AUDITOR_ID.match(value):
        raise ValueError(f"auditor id: {value!r} is not a valid id (letters, digits, '.', '_', '/', '-'; at most 64)")
    return value


def text(value: str) -> str:
    """A name or reason in a list: 1..REASON_MAX characters, not blank, no control character."""
    if not 1 <= len(value) <= REASON_MAX:
        raise ValueError(f"must have 1 to {REASON_MAX} characters")
    if not value.strip():
        raise ValueError("must not be empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("contains control characters")
    return value


def cert_id_text(value: str) -> str:
    if not CERT_ID.match(value):
        raise ValueError(f"{value!r} is not a certificate id")
    return value


def check_verify_url(text: str) -> str:
    """An https URL of printable ASCII without a fragment: it is printed into every QR code."""
    if not (text[:8].lower() == "https://" and text.isascii() and text.isprintable() and " " not in text):
        raise UserError(f"verify URL {text!r}: must be an https:// address of plain ASCII characters")
    if "#" in text or len(text) > VERIFY_URL_MAX:
        raise UserError(f"verify URL {text!r}: no '#' and at most {VERIFY_URL_MAX} characters")
    return text


def cti_of(cert_id: str) -> bytes:
    """The 10-byte id of a printed certificate id (16 base32 characters, dashes allowed)."""
    value = cert_id.replace("-", "").replace(" ", "").upper()
    if len(value) != PRINTED_ID:
        raise ValueError(f"{cert_id!r} is not a certificate id (16 characters A-Z, 2-7)")
    try:
        return base64.b32decode(value)
    except binascii.Error:
        raise ValueError(f"{cert_id!r} is not a certificate id (16 characters A-Z, 2-7)") from None


def granted_blob(value: str) -> str:
    """A status list's ``granted``: canonical base64 of whole records sorted by id, each once."""
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("granted is not base64") from None
    if base64.b64encode(raw).decode("ascii") != value:
        raise ValueError("granted is not canonical base64")
    if len(raw) % RECORD_SIZE:
        raise ValueError(f"granted is not a whole number of {RECORD_SIZE}-byte records")
    previous = b""
    for offset in range(0, len(raw), RECORD_SIZE):
        cti = raw[offset : offset + CTI_SIZE]
        if cti <= previous:
            raise ValueError("granted records must be sorted by certificate id, each once")
        previous = cti
    return value


def granted_day(raw: bytes, cti: bytes) -> int | None:
    """The decision day of ``cti`` in the decoded ``granted`` records, by binary search; None if absent."""
    lo, hi = 0, len(raw) // RECORD_SIZE
    while lo < hi:
        mid = (lo + hi) // 2
        here = raw[mid * RECORD_SIZE : mid * RECORD_SIZE + CTI_SIZE]
        if here < cti:
            lo = mid + 1
        elif here > cti:
            hi = mid
        else:
            start = mid * RECORD_SIZE + CTI_SIZE
            return int.from_bytes(raw[start : start + 2], "big")
    return None


EPOCH = date(1970, 1, 1)  # status lists count decision days from here


class _Change(Protocol):
    @property
    def status(self) -> CertStatus: ...
    @property
    def decided_at(self) -> str | None: ...


C = TypeVar("C", bound=_Change)


def lookup_status(
    raw: bytes, changes: Mapping[bytes, C], cti: bytes
) -> tuple[CertStatus, C | None, date | None] | None:
    """(status, the change entry if any, the decision date) of certificate ``cti`` in a status
    list's decoded ``granted`` records and its changes; None if the list does not name it. One
    rule for the pydantic model and the lean reader alike."""
    change = changes.get(cti)
    if change is not None:
        decided = parse_time(change.decided_at).date() if change.decided_at else None
        return change.status, change, decided
    day = granted_day(raw, cti)
    if day is None:
        return None
    return CertStatus.GRANTED, None, EPOCH + timedelta(days=day)


class _Enrolled(Protocol):
    @property
    def kid(self) -> str: ...
    @property
    def auditor_id(self) -> str: ...
    @property
    def status(self) -> KeyStatus: ...
    @property
    def purposes(self) -> Any: ...
    @property
    def revoked_at(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def key(self) -> Any: ...


E = TypeVar("E", bound=_Enrolled)


def verify_by_kid(
    envelope: Any, domain: Any, purpose: Purpose, found: Sequence[E], what: str
) -> tuple[E, dict[str, Any]]:
    """The entry of ``found`` (the trust list's entries with the envelope's kid) whose key
    verifies ``envelope``, not revoked and enrolled for ``purpose``, and the payload; ``Invalid``
    naming why otherwise. Shared by ``lists.TrustList`` and the lean ``readers`` list."""
    from inspector.crypto.signing import verify_with_any  # here: cryptography loads on first use

    if not found:
        raise Invalid(
            Reason(ReasonCode.UNKNOWN_KEY, f"{what} is signed by key {envelope.kid}, which is not in the trust list")
        )
    verified: list[E] = []
    payload: dict[str, Any] | None = None
    for entry in found:
        try:
            _, payload = verify_with_any(envelope, domain, [entry.key], what)
        except Invalid:
            continue
        verified.append(entry)
    if not verified or payload is None:
        raise Invalid(Reason(ReasonCode.BAD_SIGNATURE, f"{what} does not verify under key {envelope.kid}"))
    for entry in verified:
        if entry.status == KeyStatus.REVOKED:
            raise Invalid(revoked_reason(entry))
    usable = [entry for entry in verified if purpose in entry.purposes]
    if not usable:
        raise Invalid(
            Reason(ReasonCode.WRONG_PURPOSE, f"key {envelope.kid} is not enrolled to sign {Purpose(purpose).value}")
        )
    return usable[0], payload


def revoked_reason(entry: _Enrolled) -> Reason:
    return Reason(
        ReasonCode.REVOKED_KEY,
        f"key {entry.kid} of {entry.auditor_id} was revoked at {entry.revoked_at} ({entry.reason})",
    )
