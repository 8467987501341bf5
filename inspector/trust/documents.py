"""Signed HQ documents on disk and on the wire: encode, open (signature by a pinned root) and peek."""

from __future__ import annotations

import json
from typing import Any

from pydantic import (
    ValidationError,
)

from inspector.crypto.canonical import loads_strict
from inspector.crypto.signing import Domain, Envelope, PublicKey, verify_with_any
from inspector.errors import Invalid, UserError
from inspector.trust.lists import (
    CRL_FORMAT,
    DOCUMENT_LIMIT,
    TRUSTLIST_FORMAT,
    RevocationList,
    TrustList,
)
from inspector.trust.status import STATUS_FORMAT, StatusList

# ---------------------------------------------------------------------------------------------
# signed documents: encode and load


def encode_document(fmt: str, envelope: Envelope) -> bytes:
    """The file form of a signed trust list or CRL."""
    return (
        json.dumps(
            {"format": fmt, "envelope": envelope.model_dump()},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    ).encode("utf-8")


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "document"
    return f"{where}: {first['msg']}"


def _envelope_of(data: bytes, fmt: str, what: str) -> Envelope:
    if len(data) > DOCUMENT_LIMIT:
        raise UserError(f"{what}: too large ({len(data)} bytes)")
    document = loads_strict(data, what)
    if not isinstance(document, dict) or set(document) != {"format", "envelope"}:
        raise UserError(f"{what}: not a signed document (expected keys 'format' and 'envelope')")
    if document["format"] != fmt:
        raise UserError(f"{what}: format is {document['format']!r}, expected {fmt!r}")
    try:
        return Envelope.model_validate(document["envelope"])
    except ValidationError as exc:
        raise UserError(f"{what}: envelope: {_first_error(exc)}") from None


def _open_signed(
    data: bytes, fmt: str, domain: Domain, pinned: list[PublicKey], what: str
) -> tuple[PublicKey, dict[str, Any]]:
    envelope = _envelope_of(data, fmt, what)
    if not pinned:
        raise UserError(f"{what}: no HQ root key is pinned here; pin one with 'inspector trust pin HQ_KEY.pem'")
    if not any(root.kid_hex == envelope.kid for root in pinned):
        pins = ", ".join(root.kid_hex for root in pinned)
        raise UserError(f"{what}: signed by key {envelope.kid}, which is not a pinned HQ root (pinned: {pins})")
    try:
        signer, payload = verify_with_any(envelope, domain, pinned, what)
    except Invalid as exc:
        kind = {TRUSTLIST_FORMAT: "trust list", STATUS_FORMAT: "certificate status list"}.get(fmt, "revocation list")
        raise UserError(f"{exc} (the file was altered, or it was not signed as a {kind})") from None
    return signer, payload


def _load_document(
    data: bytes,
    fmt: str,
    domain: Domain,
    model: Any,
    pinned: list[PublicKey],
    what: str,
) -> Any:
    """Verify a signed list under a pinned root, parse it, and check it names its signer."""
    signer, payload = _open_signed(data, fmt, domain, pinned, what)
    try:
        document = model.model_validate(payload)
    except ValidationError as exc:
        raise UserError(f"{what}: {_first_error(exc)}") from None
    try:
        issuer = document.issuer
    except UserError as exc:
        raise UserError(f"{what}: {exc}") from None
    if issuer != signer:
        raise UserError(f"{what}: issuer_key is not the key that signed it")
    return document


def load_trustlist(data: bytes, pinned: list[PublicKey], what: str = "trust list") -> TrustList:
    """Verify and parse a trust-list file; ``UserError`` naming ``what`` for anything unusable."""
    trustlist: TrustList = _load_document(data, TRUSTLIST_FORMAT, Domain.TRUSTLIST, TrustList, pinned, what)
    issuer = trustlist.issuer
    seen: dict[str, PublicKey] = {issuer.kid_hex: issuer}
    for index, entry in enumerate(trustlist.auditors):
        where = f"{what}: auditors.{index} ({entry.auditor_id})"
        try:
            key = entry.key  # screens small-order / non-canonical keys and recomputes the kid
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None
        other = seen.get(key.kid_hex)
        if other is not None and other != key:
            raise UserError(f"{where}: kid {key.kid_hex} collides with another key")
        seen[key.kid_hex] = key
    return trustlist


def load_crl(data: bytes, pinned: list[PublicKey], what: str = "revocation list") -> RevocationList:
    """Verify and parse a revocation-list file; ``UserError`` naming ``what`` if unusable."""
    crl: RevocationList = _load_document(data, CRL_FORMAT, Domain.CRL, RevocationList, pinned, what)
    return crl


def peek_seq(data: bytes, fmt: str, what: str) -> int:
    """The ``seq`` of a signed document WITHOUT checking its signature (for rollback checks)."""
    envelope = _envelope_of(data, fmt, what)
    payload = loads_strict(envelope.payload_bytes, what)
    seq = payload.get("seq") if isinstance(payload, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise UserError(f"{what}: no seq")
    return seq


def load_status(data: bytes, pinned: list[PublicKey], what: str = "certificate status list") -> StatusList:
    """Verify and parse a certificate status list; ``UserError`` naming ``what`` if unusable."""
    status: StatusList = _load_document(data, STATUS_FORMAT, Domain.STATUS, StatusList, pinned, what)
    return status
