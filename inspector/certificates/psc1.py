"""PSC1: the compact signed certificate carried in the station's QR code.

Text form (reference qr-credentials.md §8)::

    "PSC1:" + BASE32(RFC 4648, upper case, no padding) of
    #6.18([ protected = bstr .cbor {1: -8, 4: kid(8)},  unprotected = {},  payload,  signature(64) ])

or, in the compact form (issue 16 goal 4)::

    "PSC2:" + BASE32 of kid(8) || signature(64) || payload

which carries the same payload and the same signature (over the same Sig_structure, its
protected header ``{1: -8, 4: kid}`` rebuilt from the kid, since every certificate has that
one header) without the COSE framing: 13 bytes, 21 QR characters, fewer. Every verifier here
and the phone page read both (tests/web vectors); ``encode(..., compact=True)`` writes it. It is
meant for the verify links PSC1 cannot keep within version 13 (31-40 characters): verifiers of
earlier releases know only PSC1, so an issuer should write PSC2 only where PSC1 does not fit.

The signature is the product-wide Ed25519 over the COSE ``Sig_structure`` with the domain tag
``PSA/cert/v1`` as external_aad (see ``inspector.signing``), so a finding or trust-list signature
can never pass as a certificate.

This module is a codec only: no I/O and no trust decisions (``inspector.verify`` makes those).
A verifier calls, in this order::

    decoded = decode(parse_scanned(raw))      # envelope only, before any trust decision
    verify_signature(decoded, key)            # for each trusted key with decoded.kid
    claims = parse_claims(decoded.payload)    # only after a signature passed

Every check is strict, because a lenient parser lets one signed certificate be read two ways
(cbor2 keeps the last of duplicate keys, ignores trailing bytes and accepts non-minimal
integers; ``base64.b32decode`` accepts non-canonical final characters). Any malformed input
raises ``PayloadError`` with a short reason code; no other exception escapes ``decode``,
``parse_claims`` or ``parse_scanned``, whatever the input.

The station's name is not in the QR (decided in issue 16; benchmarks/bench_qr.py measures it).
A version 13 code at ECC Q holds 1,952 bits. The claims every verifier requires (this wire
format, which the phone page reads too) take 107 bytes for station GBN-S39, the shipped
checklist id and an 11-character auditor id; in the COSE envelope (85 bytes, 64 of them the
signature) that is 313 characters of ``PSC1:`` text, 1,737 bits. A verify link gets the other
215 bits: 31 characters when its upper-cased scheme and host are the whole link, 25 with a short
host and a lower-case path (each further character of station code or auditor id costs about
two). A 40-character display name adds 42 bytes: version 15 even without a link, so with these
identifiers a payload carrying it cannot stay within version 13 at all, link or not. So the
issuer no longer signs the optional station-name claim into new certificates: ``inspector
verify``, the app and the phone page show the name the station registry gives for the signed
station code (the phone page from the registry HQ publishes with it), which the officer compares
with the station in front of them. Payloads issued earlier that carry the claim still decode
and verify as before. The optional audit type and date stay when they fit (they go first). A
verify link too long for version 13 with the bare claims (HQ's ``publish-verifier`` refuses to
configure one, but an older trust list may carry one) lets the code grow to
``MAX_LINK_QR_VERSION`` instead of making issuing fail: version 14 holds links of 42-48
characters, version 15 of 76-82.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Any

import cbor2

from inspector.crypto.signing import (
    COSE_ALG_EDDSA,
    SIGNATURE_SIZE,
    Domain,
    PublicKey,
    SigningKey,
    protected_header,
)

PREFIX = "PSC1:"
# The compact form (issue 16 goal 4): the same signature over the same claims, framed as
# kid(8) || signature(64) || payload instead of a COSE_Sign1, 13 bytes (21 QR characters) less.
PREFIX_COMPACT = "PSC2:"
PREFIXES = (PREFIX, PREFIX_COMPACT)
COMPACT_HEAD = 8 + 64  # kid and signature before the payload (KID_SIZE + SIGNATURE_SIZE)
COSE_SIGN1_TAG = 18
KID_SIZE = 8
CERT_ID_SIZE = 10
FINDINGS_ROOT_SIZE = 16

# Largest text decode() looks at (§8.6 step 1), checked before anything else so a 5,000-char
# paste fails in constant time. It is looser than what an issuer may produce (MAX_ISSUE_LENGTH).
MAX_TEXT_LENGTH = 420
# Raw scanner input (verify-link URL + payload) is bounded the same way before it is split.
MAX_SCANNED_LENGTH = 1024

# The issuer fails closed above QR version 13 at ECC Q (§8.3). Capacity of a v13-Q symbol:
# 244 data codewords = 1952 bits; one alphanumeric segment costs 4 (mode) + 11 (count) bits
# plus 11 bits per character pair, giving 352 characters (tests cross-check this against qrcode).
MAX_QR_VERSION = 13
MAX_ISSUE_LENGTH = 352
# A verify link in front of the payload may take the QR past version 13 rather than make
# issuing fail (see the module docstring: HQ's own check keeps configured links within 13).
MAX_LINK_QR_VERSION = 15

UINT64_MAX = 2**64 - 1
EPOCH_DAY = date(1970, 1, 1)
_BASE32_BODY = re.compile(r"[A-Z2-7]+")
# Same shape as inspector.stations.CODE (a test keeps them equal); restated here so the wire
# format does not silently change when the registry rules do.
STATION_CODE = re.compile(r"^[A-Z0-9-]{3,16}$")
CHECKLIST_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
CHECKLIST_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
# Invisible characters can reorder (bidi overrides) or hide (zero-width space) what the officer
# reads on the verify screen, so format characters are refused, except the zero-width
# (non-)joiners that Devanagari spelling needs. Same rule as keystore's names.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_JOINERS = frozenset("\u200c\u200d")


class PayloadError(Exception):
    """The QR text or certificate payload is malformed. ``code`` is a short kebab-case reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"PayloadError({self.code!r}, {self.message!r})"


class QRTooLarge(ValueError):
    """The certificate would need a QR code larger than ``MAX_QR_VERSION`` at ECC Q."""


class CertResult(IntEnum):
    NOT_CERTIFIED = 0
    CONDITIONAL = 1
    CERTIFIED = 2


class AuditType(IntEnum):
    STAGE1 = 0
    CERTIFICATION = 1
    SURVEILLANCE = 2
    RECERTIFICATION = 3


class Claim(IntEnum):
    """CBOR map keys of the payload (§8.3). Small ints keep the QR small."""

    ISSUER = 1
    EXPIRES_AT = 4
    ISSUED_AT = 6
    CERT_ID = 7
    STATION_CODE = -1
    CHECKLIST = -2
    RESULT = -3
    SCORE = -4
    NONCONFORMITIES = -5
    AUDITOR_ID = -6
    FINDINGS_ROOT = -7
    STATION_NAME = -8
    AUDIT_DATE = -9
    AUDIT_TYPE = -10


OPTIONAL_CLAIMS = frozenset({Claim.STATION_NAME, Claim.AUDIT_DATE, Claim.AUDIT_TYPE})
REQUIRED_CLAIMS = frozenset(Claim) - OPTIONAL_CLAIMS


def _check_text(value: str, what: str) -> str:
    """Refuse characters that are invisible or ambiguous on the officer's screen."""
    for char in value:
        if unicodedata.category(char) in _INVISIBLE and char not in _JOINERS:
            raise ValueError(f"{what} contains the control character U+{ord(char):04X}")
    if value != value.strip():
        raise ValueError(f"{what} has leading or trailing white space")
    return value


# The claims' rules as (name, kind, bounds): checked by hand rather than by a pydantic model so
# that verifying a certificate never imports pydantic (issue 16 goal 3: its import alone was 6x
# a bare interpreter start). They are exactly those of the pydantic model this class replaced
# (strict types, NFC before lengths, patterns matched whole); tests/certificates/
# test_claims_equivalence.py keeps that model as the oracle and compares the two on every
# vector and on single-claim mutations.
_UINTS = (("issuer", UINT64_MAX), ("issued_at", UINT64_MAX), ("expires_at", UINT64_MAX))
_COUNTS = (("score", 100), ("majors", 65535), ("minors", 65535))
_PATTERNS = (
    ("station_code", STATION_CODE, None),
    ("checklist_id", CHECKLIST_ID, None),
    ("checklist_version", CHECKLIST_VERSION, 20),
)
_BYTES = (("cert_id", CERT_ID_SIZE), ("findings_root", FINDINGS_ROOT_SIZE))


def _whole(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` matched against the whole text: ``^...$`` in Python would also accept a
    trailing newline, which the model's (Rust) patterns refused."""
    return re.compile(pattern.pattern.removeprefix("^").removesuffix("$"))


_WHOLE = {name: _whole(pattern) for name, pattern, _ in _PATTERNS}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # strict: an int subclass, never a bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CertClaims:
    """The certificate as signed into the QR. Text is NFC-normalised on construction; any
    value outside the rules raises ``ValueError`` naming the claim."""

    issuer: int
    issued_at: int  # unix seconds (UTC)
    expires_at: int  # unix seconds (UTC)
    cert_id: bytes
    station_code: str
    checklist_id: str
    checklist_version: str
    result: CertResult
    score: int
    majors: int
    minors: int
    auditor_id: str
    findings_root: bytes
    station_name: str | None = None
    # Days since 1970-01-01 (the RFC 8943 date count), not seconds: 3 bytes instead of 5 in a
    # budget where every byte is 1.6 QR characters. The cap catches a seconds value passed by mistake.
    audit_date: int | None = None
    audit_type: AuditType | None = None

    def __post_init__(self) -> None:
        for name, top in _UINTS + _COUNTS:
            _check_int(name, getattr(self, name), top)
        for name, size in _BYTES:
            value = getattr(self, name)
            if type(value) is not bytes or len(value) != size:
                raise ValueError(f"{name}: must be {size} bytes")
        # NFC first, so that the length limits apply to the normalised text: NFC can lengthen
        # text (Devanagari nukta letters U+0958..U+095F are composition exclusions and decompose).
        for name in ("station_code", "checklist_id", "checklist_version", "auditor_id", "station_name"):
            value = getattr(self, name)
            if value is None and name == "station_name":
                continue
            if not isinstance(value, str):
                raise ValueError(f"{name}: must be text")
            object.__setattr__(self, name, unicodedata.normalize("NFC", value))
        for name, _, longest in _PATTERNS:
            value = getattr(self, name)
            if longest is not None and len(value) > longest:
                raise ValueError(f"{name}: at most {longest} characters")
            if not _WHOLE[name].fullmatch(value):
                raise ValueError(f"{name}: {value!r} does not have the required form")
        for name, longest in (("auditor_id", 24), ("station_name", 40)):
            value = getattr(self, name)
            if value is None:
                continue
            if not 1 <= len(value) <= longest:
                raise ValueError(f"{name}: 1 to {longest} characters")
            _check_text(value, name)
        if type(self.result) is not CertResult:
            raise ValueError("result: must be a CertResult")
        if self.audit_date is not None:
            _check_int("audit_date", self.audit_date, 65535)
        if self.audit_type is not None and type(self.audit_type) is not AuditType:
            raise ValueError("audit_type: must be an AuditType")

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> CertClaims:
        """A copy with ``update`` applied (the name the pydantic model gave this), checked again."""
        return dataclasses.replace(self, **(update or {}))

    @property
    def cert_id_hex(self) -> str:
        return self.cert_id.hex()

    @property
    def audit_day(self) -> date | None:
        return None if self.audit_date is None else EPOCH_DAY + timedelta(days=self.audit_date)

    @staticmethod
    def day_number(day: date) -> int:
        """The ``audit_date`` value for a calendar date."""
        return (day - EPOCH_DAY).days


def _check_int(name: str, value: object, top: int) -> None:
    if not _is_int(value) or not 0 <= value <= top:  # type: ignore[operator]
        raise ValueError(f"{name}: must be an integer from 0 to {top}")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A structurally valid envelope, before any trust decision. ``payload`` is not parsed yet."""

    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes

    @property
    def kid_hex(self) -> str:
        return self.kid.hex()


# ---------------------------------------------------------------------------------------------
# Issuing


def payload_bytes(claims: CertClaims) -> bytes:
    """Deterministic CBOR of the claims: the exact bytes that are signed."""
    items: dict[int, Any] = {
        Claim.ISSUER: claims.issuer,
        Claim.ISSUED_AT: claims.issued_at,
        Claim.EXPIRES_AT: claims.expires_at,
        Claim.CERT_ID: claims.cert_id,
        Claim.STATION_CODE: claims.station_code,
        Claim.CHECKLIST: [claims.checklist_id, claims.checklist_version],
        Claim.RESULT: int(claims.result),
        Claim.SCORE: claims.score,
        Claim.NONCONFORMITIES: [claims.majors, claims.minors],
        Claim.AUDITOR_ID: claims.auditor_id,
        Claim.FINDINGS_ROOT: claims.findings_root,
    }
    if claims.station_name is not None:
        items[Claim.STATION_NAME] = claims.station_name
    if claims.audit_date is not None:
        items[Claim.AUDIT_DATE] = claims.audit_date
    if claims.audit_type is not None:
        items[Claim.AUDIT_TYPE] = int(claims.audit_type)
    # Plain ints as keys: cbor2 would encode an IntEnum fine, but the canonical check compares
    # against decoded plain ints, so keep the two sides identical by construction.
    return cbor2.dumps({int(key): value for key, value in items.items()}, canonical=True)


def cose_bytes(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """The tagged COSE_Sign1 with an empty unprotected header."""
    return cbor2.dumps(
        cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]),
        canonical=True,
    )


def to_text(cose: bytes) -> str:
    """``PSC1:`` + unpadded upper-case base32 of the COSE bytes."""
    return PREFIX + base64.b32encode(cose).decode("ascii").rstrip("=")


def to_compact_text(kid: bytes, signature: bytes, payload: bytes) -> str:
    """``PSC2:`` + unpadded upper-case base32 of kid || signature || payload."""
    return PREFIX_COMPACT + base64.b32encode(kid + signature + payload).decode("ascii").rstrip("=")


def text_length(claims: CertClaims, *, compact: bool = False) -> int:
    """Length of the QR text ``encode`` would produce, without a key (kid and signature sizes are fixed)."""
    payload = payload_bytes(claims)
    if compact:
        size = COMPACT_HEAD + len(payload)
    else:
        size = len(cose_bytes(protected_header(bytes(KID_SIZE)), payload, bytes(SIGNATURE_SIZE)))
    return len(PREFIX) + -(-size * 8 // 5)


def fits(claims: CertClaims) -> bool:
    """True when the certificate fits a version ``MAX_QR_VERSION`` QR code at ECC Q."""
    return text_length(claims) <= MAX_ISSUE_LENGTH


def encode(claims: CertClaims, key: SigningKey, *, compact: bool = False) -> str:
    """Sign ``claims`` and return the QR text (``PSC2:`` with ``compact``). Fails closed if it
    would not fit a v13-Q QR code."""
    length = text_length(claims, compact=compact)
    if length > MAX_ISSUE_LENGTH:
        raise QRTooLarge(
            f"certificate QR text would be {length} characters; a version {MAX_QR_VERSION} QR code at ECC Q "
            f"holds {MAX_ISSUE_LENGTH}. Leave out the station display name (printed on the certificate "
            f"anyway) or other optional claims."
        )
    payload = payload_bytes(claims)
    protected = protected_header(key.kid)
    signature = key.sign(Domain.CERT, payload, protected=protected)
    text = (
        to_compact_text(key.kid, signature, payload) if compact else to_text(cose_bytes(protected, payload, signature))
    )
    # Read back what we are about to print: an issuer must never hand out a QR its own
    # verifier would refuse (and re-verifying guards against a faulty signature computation).
    decoded = decode(text)
    if not verify_signature(decoded, key.public) or parse_claims(decoded.payload) != claims:
        raise RuntimeError("certificate failed its own read-back check")  # pragma: no cover
    return text


# ---------------------------------------------------------------------------------------------
# Reading: transport, envelope, claims


def parse_scanned(text: str) -> str:
    """Return the bare ``PSC1:...`` text from what a scanner produced.

    Accepts the bare payload or a verify link ``https://host/path#PSC1:...`` (the payload sits in
    the fragment, which browsers never send to the server). Only surrounding white space is
    removed (hand-held scanners append a newline); nothing inside is changed or decoded.
    """
    if not isinstance(text, str):
        raise PayloadError("bad-input", f"scanned data must be text, not {type(text).__name__}")
    if len(text) > MAX_SCANNED_LENGTH:
        raise PayloadError("too-long", f"scanned text is longer than {MAX_SCANNED_LENGTH} characters")
    text = text.strip()
    if not text[:8].lower().startswith(("https://", "http://")):
        return text
    link, hash_mark, fragment = text.partition("#")
    if not hash_mark:
        raise PayloadError("bad-url", "verify link has no #PSC1: fragment")
    if not link[:8].lower() == "https://":
        raise PayloadError("bad-url", "verify link must use https://")
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in link):
        raise PayloadError("bad-url", "verify link contains white space or control characters")
    # One rule on both verifiers (web/psc1.js urlHost): HQ's page is served under a name, so an
    # IP literal in brackets is refused outright rather than validated two different ways.
    netloc = link[8:].split("/", 1)[0].split("?", 1)[0]
    if "[" in netloc or "]" in netloc:
        raise PayloadError("bad-url", "verify link host must be a name, not a bracketed IP address")
    import urllib.parse  # only links need it: a bare payload is checked without (issue 16 goal 3)

    try:
        host = urllib.parse.urlsplit(link).hostname
    except ValueError:
        host = None
    if not host:
        raise PayloadError("bad-url", "verify link has no host")
    return fragment


def decode(text: str) -> Decoded:
    """Check transport and envelope strictly (§8.6 steps 1-4). Raises ``PayloadError``."""
    if not isinstance(text, str):
        raise PayloadError("bad-input", f"QR payload must be text, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise PayloadError("too-long", f"QR payload is longer than {MAX_TEXT_LENGTH} characters")
    if text.startswith(PREFIX_COMPACT):
        return _compact(_base32_decode(text[len(PREFIX_COMPACT) :]))
    if not text.startswith(PREFIX):
        raise PayloadError(
            "bad-prefix",
            f"not a station certificate: the text must start with {PREFIX} or {PREFIX_COMPACT}",
        )
    cose = _base32_decode(text[len(PREFIX) :])
    value = _strict_cbor(cose, "certificate envelope")
    return _envelope(value)


def verify_signature(decoded: Decoded, key: PublicKey) -> bool:
    """True when ``key`` signed this envelope as a certificate (domain ``PSA/cert/v1``)."""
    if key.kid != decoded.kid:
        return False
    return key.verify(Domain.CERT, decoded.payload, decoded.signature, protected=decoded.protected)


def parse_claims(payload: bytes) -> CertClaims:
    """Strictly decode a payload whose signature already passed (§8.6 step 7)."""
    value = _strict_cbor(payload, "certificate payload")
    if not isinstance(value, Mapping):
        raise PayloadError("bad-claim", "certificate payload is not a CBOR map")
    for key in value:
        if type(key) is not int or key not in _CLAIM_VALUES:
            raise PayloadError("unknown-claim", f"certificate payload has an unknown claim {key!r}")
    missing = sorted(claim.name.lower() for claim in REQUIRED_CLAIMS if claim not in value)
    if missing:
        raise PayloadError("bad-claim", f"certificate payload lacks {', '.join(missing)}")
    fields: dict[str, Any] = {}
    for claim, raw in value.items():
        _CLAIM_READERS[Claim(claim)](raw, fields)
    try:
        return CertClaims(**fields)
    except ValueError as exc:
        raise PayloadError("bad-claim", f"certificate claim {exc}") from None


# ---------------------------------------------------------------------------------------------
# Internals


# Base32 digits -> the digits int(..., 32) understands (0-9, a-v). int() parses in C; the stdlib
# base64.b32decode is pure Python and was 80% of decode() time. int() would also accept lower
# case, "_", signs and white space, so the alphabet regex must run first.
_TO_INT_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv")


def _base32_decode(body: str) -> bytes:
    # fullmatch, not match: "$" would accept a trailing newline.
    if not body.isascii() or not _BASE32_BODY.fullmatch(body):
        raise PayloadError(
            "bad-base32",
            "QR payload has characters outside the base32 alphabet A-Z, 2-7",
        )
    size, unused_bits = divmod(len(body) * 5, 8)
    if unused_bits >= 5:  # lengths 1, 3, 6 mod 8: a whole character would carry no data
        raise PayloadError("bad-base32", "QR payload has an impossible base32 length")
    value = int(body.translate(_TO_INT_DIGITS), 32)
    # The last character's unused low bits must be zero (b32decode ignores them), so that one
    # byte string has exactly one text.
    if value & ((1 << unused_bits) - 1):
        raise PayloadError(
            "non-canonical-base32",
            "QR payload's last base32 character is not canonical",
        )
    return (value >> unused_bits).to_bytes(size, "big")


def _decoder(data: bytes, duplicates: bool) -> tuple[Any, int]:
    stream = io.BytesIO(data)
    value = cbor2.CBORDecoder(stream, max_depth=8, allow_duplicate_keys=duplicates).decode()
    return value, stream.tell()


def _strict_cbor(data: bytes, what: str) -> Any:
    """Exactly one deterministic CBOR item (RFC 8949 §4.2.1), no duplicate keys, nothing after it."""
    try:
        value, used = _decoder(data, duplicates=False)
    except Exception:  # cbor2 raises several types (and ValueError/OverflowError) on bad input
        # Tell a duplicate key apart from garbage: the lenient decoder accepts the former.
        try:
            _decoder(data, duplicates=True)
        except Exception:
            raise PayloadError("bad-cbor", f"{what} is not valid CBOR") from None
        raise PayloadError("duplicate-key", f"{what} has a duplicate map key") from None
    if used != len(data):
        raise PayloadError("trailing-bytes", f"{what} has {len(data) - used} bytes after its CBOR item")
    try:
        canonical = cbor2.dumps(value, canonical=True)
    except Exception:
        canonical = None
    # Also catches non-minimal integers and lengths, indefinite lengths, unsorted maps, and any
    # duplicate key that slipped through (a re-encoded dict has lost one of them).
    if canonical != data:
        raise PayloadError("non-canonical-cbor", f"{what} is not deterministic CBOR")
    return value


def _envelope(value: Any) -> Decoded:
    if not isinstance(value, cbor2.CBORTag) or value.tag != COSE_SIGN1_TAG:
        raise PayloadError("bad-cose", "certificate is not a tagged COSE_Sign1 (CBOR tag 18)")
    parts = value.value
    if not isinstance(parts, (list, tuple)) or len(parts) != 4:
        raise PayloadError("bad-cose", "COSE_Sign1 must be an array of 4 items")
    protected, unprotected, payload, signature = parts
    if type(protected) is not bytes or type(payload) is not bytes or type(signature) is not bytes:
        raise PayloadError(
            "bad-cose",
            "COSE_Sign1 protected header, payload and signature must be byte strings",
        )
    if not isinstance(unprotected, Mapping) or unprotected:
        raise PayloadError("bad-header", "COSE unprotected header must be empty")
    if len(signature) != SIGNATURE_SIZE:
        raise PayloadError(
            "bad-signature-size",
            f"signature is {len(signature)} bytes, Ed25519 needs {SIGNATURE_SIZE}",
        )
    return Decoded(
        kid=_kid_from(protected),
        protected=protected,
        payload=payload,
        signature=signature,
    )


def _compact(data: bytes) -> Decoded:
    """kid || signature || payload. The protected header is not carried: it is the one header
    every certificate has (``{1: -8, 4: kid}``), rebuilt here, so the signature is checked over
    exactly the bytes a PSC1 certificate's is (Sig_structure, domain ``PSA/cert/v1``)."""
    if len(data) <= COMPACT_HEAD:
        raise PayloadError("bad-cose", f"compact certificate is {len(data)} bytes: kid, signature and claims need more")
    kid = data[:KID_SIZE]
    return Decoded(
        kid=kid, protected=_PROTECTED_PREFIX + kid, payload=data[COMPACT_HEAD:], signature=data[KID_SIZE:COMPACT_HEAD]
    )


def _kid_from(protected: bytes) -> bytes:
    """The protected header must be exactly ``{1: -8, 4: kid(8)}``: the token never picks the algorithm."""
    # Fast path: those are precisely the 13 bytes a2 01 27 04 48 <kid>. Anything else takes the
    # slow path below, which only exists to say what is wrong.
    if len(protected) == len(_PROTECTED_PREFIX) + KID_SIZE and protected.startswith(_PROTECTED_PREFIX):
        return protected[len(_PROTECTED_PREFIX) :]
    try:
        header = _strict_cbor(protected, "COSE protected header")
    except PayloadError as exc:
        raise PayloadError("bad-header", exc.message) from None
    if not isinstance(header, Mapping) or set(header) != {1, 4} or any(type(k) is not int for k in header):
        raise PayloadError("bad-header", "COSE protected header must hold exactly alg (1) and kid (4)")
    alg, kid = header[1], header[4]
    if type(alg) is not int or alg != COSE_ALG_EDDSA:
        raise PayloadError("bad-header", f"COSE algorithm {alg!r} refused: only EdDSA (-8)")
    if type(kid) is not bytes or len(kid) != KID_SIZE:
        raise PayloadError("bad-header", f"COSE kid must be {KID_SIZE} bytes")
    raise PayloadError("bad-header", "COSE protected header is not canonical")  # pragma: no cover


_PROTECTED_PREFIX = b"\xa2\x01\x27\x04\x48"  # map(2), 1: -8, 4: bstr(8)
if COMPACT_HEAD != KID_SIZE + SIGNATURE_SIZE or protected_header(bytes(KID_SIZE)) != _PROTECTED_PREFIX + bytes(
    KID_SIZE
):  # pragma: no cover
    raise RuntimeError("signing.protected_header changed: update psc1._PROTECTED_PREFIX")


# Readers turn one raw claim into model fields, checking CBOR types before pydantic sees them
# (pydantic strict mode alone would accept a CBOR tuple as a list, for instance).


def _uint(raw: Any, what: str) -> int:
    if type(raw) is not int or raw < 0:
        raise PayloadError("bad-claim", f"certificate claim {what} must be an unsigned integer")
    return raw


def _bstr(raw: Any, what: str) -> bytes:
    if type(raw) is not bytes:
        raise PayloadError("bad-claim", f"certificate claim {what} must be a byte string")
    return raw


def _tstr(raw: Any, what: str) -> str:
    if type(raw) is not str:
        raise PayloadError("bad-claim", f"certificate claim {what} must be a text string")
    if unicodedata.normalize("NFC", raw) != raw:
        raise PayloadError("bad-claim", f"certificate claim {what} is not NFC-normalised text")
    return raw


def _pair(raw: Any, what: str, item: Callable[[Any, str], Any]) -> tuple[Any, Any]:
    if not isinstance(raw, (list, tuple)) or len(raw) != 2:
        raise PayloadError("bad-claim", f"certificate claim {what} must be an array of 2 items")
    return item(raw[0], what), item(raw[1], what)


def _enum(raw: Any, what: str, enum: type[IntEnum]) -> IntEnum:
    try:
        return enum(_uint(raw, what))
    except ValueError:
        raise PayloadError("bad-claim", f"certificate claim {what} has an unknown value {raw}") from None


def _set(name: str, read: Callable[[Any, str], Any]) -> Callable[[Any, dict[str, Any]], None]:
    def reader(raw: Any, fields: dict[str, Any]) -> None:
        fields[name] = read(raw, name)

    return reader


def _set_checklist(raw: Any, fields: dict[str, Any]) -> None:
    fields["checklist_id"], fields["checklist_version"] = _pair(raw, "checklist", _tstr)


def _set_nonconformities(raw: Any, fields: dict[str, Any]) -> None:
    fields["majors"], fields["minors"] = _pair(raw, "nonconformities", _uint)


_CLAIM_READERS: dict[Claim, Callable[[Any, dict[str, Any]], None]] = {
    Claim.ISSUER: _set("issuer", _uint),
    Claim.ISSUED_AT: _set("issued_at", _uint),
    Claim.EXPIRES_AT: _set("expires_at", _uint),
    Claim.CERT_ID: _set("cert_id", _bstr),
    Claim.STATION_CODE: _set("station_code", _tstr),
    Claim.CHECKLIST: _set_checklist,
    Claim.RESULT: _set("result", lambda raw, what: _enum(raw, what, CertResult)),
    Claim.SCORE: _set("score", _uint),
    Claim.NONCONFORMITIES: _set_nonconformities,
    Claim.AUDITOR_ID: _set("auditor_id", _tstr),
    Claim.FINDINGS_ROOT: _set("findings_root", _bstr),
    Claim.STATION_NAME: _set("station_name", _tstr),
    Claim.AUDIT_DATE: _set("audit_date", _uint),
    Claim.AUDIT_TYPE: _set("audit_type", lambda raw, what: _enum(raw, what, AuditType)),
}
_CLAIM_VALUES = frozenset(int(claim) for claim in Claim)


# ---------------------------------------------------------------------------------------------
# printed certificate ids


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
