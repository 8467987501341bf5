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
import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pydantic import BaseModel, ConfigDict, field_validator

from inspector.crypto._ed25519_screen import KeyRejected, check_public_key
from inspector.crypto.canonical import canonical_json, parse_canonical_json
from inspector.errors import Invalid, UserError

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


class Envelope(BaseModel):
    """A signed JSON record as stored: the exact payload text that was signed, kid and signature.

    The payload is kept as the canonical JSON text itself (UTF-8 of it is what was signed), so a
    verifier checks the stored bytes, never a re-serialised model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kid: str
    payload: str
    sig: str

    @field_validator("kid")
    @classmethod
    def _kid_hex(cls, value: str) -> str:
        if not _KID_HEX.fullmatch(value):
            raise ValueError("kid must be 16 lowercase hex digits")
        return value

    @classmethod
    def from_doc(cls, doc: Any) -> Envelope:
        """``model_validate(doc)``, with the common case decided without pydantic's machinery.

        Verifying an audit builds one envelope per record, so this is on the hot path. A plain
        dict of exactly the three fields, each an exact ``str`` and ``kid`` 16 lowercase hex
        digits, is what strict validation accepts unchanged; anything else (a missing or extra
        field, a subclass, a bad kid) goes through ``model_validate``, which decides and says why.
        """
        if type(doc) is dict and len(doc) == 3:
            kid, payload, sig = doc.get("kid"), doc.get("payload"), doc.get("sig")
            if type(kid) is str and type(payload) is str and type(sig) is str and _KID_HEX.fullmatch(kid):
                return cls.model_construct(kid=kid, payload=payload, sig=sig)
        return cls.model_validate(doc)

    @property
    def payload_bytes(self) -> bytes:
        return self.payload.encode("utf-8")

    def signature(self) -> bytes:
        return b64decode(self.sig, "signature")

    def digest(self) -> str:
        """SHA-256 over the envelope's canonical JSON: what a hash chain links to."""
        return hashlib.sha256(canonical_json(self.model_dump())).hexdigest()


def sign_record(key: SigningKey, domain: Domain, value: Any) -> Envelope:
    payload = canonical_json(value)
    return Envelope(
        kid=key.public.kid_hex,
        payload=payload.decode("utf-8"),
        sig=b64encode(key.sign(domain, payload)),
    )


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


def read_public_pem(data: bytes, what: str) -> PublicKey:
    """A screened Ed25519 public key from PEM bytes; every failure is one line naming ``what``."""
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
