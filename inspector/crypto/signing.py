"""The signing core: Ed25519 over COSE ``Sig_structure`` bytes with a per-type domain.

Every signature in the product, stored JSON records and the compact certificate in the QR alike,
is Ed25519 over ``["Signature1", protected, external_aad, payload]`` (RFC 9052 §4.4) encoded as
deterministic CBOR. ``protected`` is ``{1: -8, 4: kid}``, fixed by this code (the algorithm is
never read from input) and ``external_aad`` is the record type's domain tag, never transmitted:
a finding signature can therefore never verify as a certificate or a trust list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from inspector.crypto._ed25519_screen import KeyRejected, check_public_key
from inspector.crypto.canonical import parse_canonical_json
from inspector.errors import Invalid, UserError

if TYPE_CHECKING:
    # re-exported lazily (``__getattr__`` below)
    from inspector.crypto.envelope import Envelope as Envelope
    from inspector.crypto.envelope import sign_record as sign_record

KID_TAG = b"PSA/kid/v1"
_KID_HEX = re.compile(r"[0-9a-f]{16}")
COSE_ALG_EDDSA = -8
SIGNATURE_SIZE = 64


class Domain(StrEnum):
    """Domain-separation tags, one per signed record type."""

    FINDING = "PSA/finding/v1"  # every record of an audit's hash chain
    SEAL = "PSA/seal/v1"  # the closing seal of an audit
    CERT = "PSA/cert/v1"  # the compact certificate in the QR (PSC1)
    CERT_RECORD = "PSA/cert-record/v1"  # the full certificate record HQ keeps
    ENROLMENT = "PSA/enrolment/v1"
    TRUSTLIST = "PSA/trustlist/v1"
    CRL = "PSA/crl/v1"
    STATUS = "PSA/status/v1"  # HQ's certificate status list (decisions)
    DECISION = "PSA/decision/v1"  # one certification decision of HQ's reviewers


def compute_kid(raw_public: bytes) -> bytes:
    """Key id: the first 8 bytes of SHA-256 over a tag and the raw key. Always recomputed."""
    return hashlib.sha256(KID_TAG + raw_public).digest()[:8]


def protected_header(kid: bytes) -> bytes:
    return cbor2.dumps({1: COSE_ALG_EDDSA, 4: kid}, canonical=True)


def sig_structure(domain: Domain, protected: bytes, payload: bytes) -> bytes:
    """The exact bytes Ed25519 signs (COSE Sig_structure with the domain as external_aad).

    Deterministic CBOR of ``["Signature1", protected, domain, payload]``: everything before the
    payload's length depends only on the domain and the header, so it is encoded once (by
    cbor2, as before) and reused; only the payload's byte-string head is built per call. The
    bytes are exactly ``_sig_structure_cbor``'s (tests compare the two at every length class).
    """
    key = (domain.value, bytes(protected))
    prefix = _SIG_PREFIXES.get(key)
    if prefix is None:
        # The same structure with an empty payload ends in the one-byte head 0x40: cut it off.
        prefix = _sig_structure_cbor(domain, protected, b"")[:-1]
        if len(_SIG_PREFIXES) < _SIG_PREFIXES_MAX:  # bounded: certificates bring their own headers
            _SIG_PREFIXES[key] = prefix
    return prefix + _bstr_head(len(payload)) + bytes(payload)


def _sig_structure_cbor(domain: Domain, protected: bytes, payload: bytes) -> bytes:
    """The reference encoding of the Sig_structure (cbor2, canonical)."""
    return cbor2.dumps(["Signature1", protected, domain.value.encode("ascii"), payload], canonical=True)


_SIG_PREFIXES: dict[tuple[str, bytes], bytes] = {}
_SIG_PREFIXES_MAX = 1024


def _bstr_head(size: int) -> bytes:
    """The head of a CBOR byte string (major type 2) of ``size`` bytes, shortest form (RFC 8949 §4.2.1)."""
    if size < 24:
        return bytes((0x40 | size,))
    if size < 0x100:
        return b"\x58" + size.to_bytes(1, "big")
    if size < 0x10000:
        return b"\x59" + size.to_bytes(2, "big")
    if size < 0x100000000:
        return b"\x5a" + size.to_bytes(4, "big")
    return b"\x5b" + size.to_bytes(8, "big")


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: the one text form of the bytes, nothing else."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise UserError(f"{what}: not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise UserError(f"{what}: not canonical base64")
    return data


class PublicKey:
    """An Ed25519 public key that passed the small-order and canonical-encoding screen."""

    __slots__ = ("_key", "_protected", "kid", "raw")

    def __init__(self, raw: bytes) -> None:
        try:
            check_public_key(raw)
        except KeyRejected as exc:
            raise UserError(f"unsafe public key refused: {exc}") from None
        self.raw = bytes(raw)
        self.kid = compute_kid(self.raw)
        self._key = Ed25519PublicKey.from_public_bytes(self.raw)
        self._protected = protected_header(self.kid)

    @classmethod
    def from_b64(cls, text: str, what: str = "public key") -> PublicKey:
        return cls(b64decode(text, what))

    @classmethod
    def from_pem(cls, data: bytes, what: str = "public key file") -> PublicKey:
        from cryptography.hazmat.primitives import serialization

        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{what}: not a PEM public key ({exc})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise UserError(f"{what}: not an Ed25519 public key")
        return cls(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))

    @property
    def kid_hex(self) -> str:
        return self.kid.hex()

    @property
    def b64(self) -> str:
        return b64encode(self.raw)

    def to_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    @property
    def protected(self) -> bytes:
        return self._protected

    def verify(
        self,
        domain: Domain,
        payload: bytes,
        signature: bytes,
        protected: bytes | None = None,
    ) -> bool:
        """True when ``signature`` is this key's over ``payload`` in ``domain``."""
        if len(signature) != SIGNATURE_SIZE:
            return False
        header = self._protected if protected is None else protected
        try:
            self._key.verify(signature, sig_structure(domain, header, payload))
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return f"PublicKey(kid={self.kid_hex})"


class SigningKey:
    """An Ed25519 private key in memory. Never printed: ``repr`` shows only the kid."""

    __slots__ = ("_key", "public")

    def __init__(self, key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives import serialization

        self._key = key
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public = PublicKey(raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def raw_private(self) -> bytes:
        """The 32 secret bytes, for the keystore to encrypt. Nothing else should call this."""
        from cryptography.hazmat.primitives import serialization

        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def kid(self) -> bytes:
        return self.public.kid

    def sign(self, domain: Domain, payload: bytes, protected: bytes | None = None) -> bytes:
        header = self.public.protected if protected is None else protected
        return self._key.sign(sig_structure(domain, header, payload))

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.public.kid_hex})"


_LAZY = frozenset({"Envelope", "sign_record"})


def __getattr__(name: str) -> Any:
    """``signing.Envelope`` and ``signing.sign_record``, imported on first use: the class is a pydantic model, and
    ``inspector verify --payload`` never builds one (issue 16 goal 3: pydantic's import alone
    was 6x a bare interpreter start). ``from inspector.crypto.signing import Envelope`` keeps
    working everywhere."""
    if name in _LAZY:
        # The dependency points from ``envelope`` to this module; these names are re-exported
        # for the callers that have always imported them from here.
        return getattr(importlib.import_module("inspector.crypto.envelope"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def verify_record(envelope: Envelope, domain: Domain, key: PublicKey, what: str = "record") -> dict[str, Any]:
    """Verify ``envelope`` under ``key`` in ``domain`` and return its payload, else raise ``Invalid``."""
    if envelope.kid != key.kid_hex:
        raise Invalid(f"{what}: signed by key {envelope.kid}, expected {key.kid_hex}")
    try:
        signature = envelope.signature()
    except UserError:
        raise Invalid(f"{what}: signature is not valid base64") from None
    if not key.verify(domain, envelope.payload_bytes, signature):
        raise Invalid(f"{what}: bad signature")
    try:
        value = parse_canonical_json(envelope.payload_bytes, what)
    except UserError as exc:
        raise Invalid(str(exc)) from None
    if not isinstance(value, dict):
        raise Invalid(f"{what}: payload is not an object")
    return value


def verify_with_any(
    envelope: Envelope,
    domain: Domain,
    candidates: Iterable[PublicKey],
    what: str = "record",
) -> tuple[PublicKey, dict[str, Any]]:
    """Try every candidate key whose recomputed kid matches (kids are truncated hashes)."""
    last: Invalid | None = None
    for key in candidates:
        if key.kid_hex != envelope.kid:
            continue
        try:
            return key, verify_record(envelope, domain, key, what)
        except Invalid as exc:
            last = exc
    raise last or Invalid(f"{what}: signed by unknown key {envelope.kid}")


KeyLookup = Callable[[str], Iterable[PublicKey]]


# The PEM every Ed25519 public key file of the product holds (``PublicKey.to_pem``): the fixed
# SubjectPublicKeyInfo DER prefix (RFC 8410) and the 32 raw bytes, in one base64 line.
_SPKI_ED25519 = bytes.fromhex("302a300506032b6570032100")
_PEM_HEAD, _PEM_TAIL = b"-----BEGIN PUBLIC KEY-----\n", b"\n-----END PUBLIC KEY-----\n"


def _canonical_pem_raw(data: bytes) -> bytes | None:
    """The raw key of a PEM file that is byte for byte ``to_pem``'s form, else None.

    ``cryptography``'s PEM loader pulls in its whole serialization package (about 6 ms, a third
    of ``inspector verify --payload``'s own import time; issue 16 goal 3) to read what is always
    these 113 bytes. Any other form goes to that loader, which decides as before.
    """
    if len(data) != 113 or not data.startswith(_PEM_HEAD) or not data.endswith(_PEM_TAIL):
        return None
    body = data[len(_PEM_HEAD) : -len(_PEM_TAIL)]
    try:
        der = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(der) != 44 or not der.startswith(_SPKI_ED25519) or base64.b64encode(der) != body:
        return None
    return der[len(_SPKI_ED25519) :]


def read_public_pem(data: bytes, what: str) -> PublicKey:
    """A screened Ed25519 public key from PEM bytes; every failure is one line naming ``what``."""
    raw = _canonical_pem_raw(data)
    if raw is not None:
        try:
            return PublicKey(raw)
        except UserError as exc:
            raise UserError(f"{what}: {exc}") from None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise UserError(f"{what}: not a PEM public key") from None
    except Exception:
        raise UserError(f"{what}: not a supported PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UserError(f"{what}: not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        return PublicKey(raw)
    except UserError as exc:
        raise UserError(f"{what}: {exc}") from None
