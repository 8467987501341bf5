"""Lean readers of HQ's signed lists for the verification path: no pydantic.

``inspector verify --payload`` must start in a few times a bare interpreter (issue 16 goal 3),
and importing pydantic and building the list models alone took 6x. So a verifier reads the
trust list, revocation list and status list here, into plain read-only classes checked by
hand, while HQ writes (and ``trust install`` reads) them with the pydantic models of ``lists``
and ``status``. The rules of one field are shared (``rules``); what the models add (strict
types, unknown and missing keys, defaults, the cross-field checks) is restated below, and
tests/trust/test_readers_equivalence.py holds the two to the same answers on every web test
vector and on single-field mutations of signed lists. A document either reader refuses is a
``UserError`` naming ``what``.

``trust.verifier`` reads a data directory's lists with these readers and names, as protocols,
what a verifier reads of a list.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from inspector.crypto.canonical import loads_strict, parse_canonical_json, parse_time, utcnow
from inspector.crypto.signing import Domain, PublicKey, b64decode
from inspector.errors import UserError
from inspector.trust import rules
from inspector.trust.rules import CertStatus, KeyStatus, Purpose

if TYPE_CHECKING:
    from inspector.crypto.signing import Envelope

T = TypeVar("T")
_ENVELOPE_KEYS = frozenset({"kid", "payload", "sig"})


class _Refused(ValueError):
    """One field (``where``) breaks the rules; turned into the ``UserError`` naming the document."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


def _refuse(where: str, message: str) -> NoReturn:
    raise _Refused(where, message)


# ---------------------------------------------------------------------------------------------
# strict fields, as the models' ``strict=True, extra="forbid"`` read them


def _object(value: Any, where: str, required: frozenset[str], optional: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict:
        _refuse(where, "must be an object")
    extra = sorted(set(value) - required - optional)
    if extra:
        _refuse(f"{where}.{extra[0]}" if where else extra[0], "unknown key")
    missing = sorted(required - set(value))
    if missing:
        _refuse(f"{where}.{missing[0]}" if where else missing[0], "missing required key")
    return value


def _str(value: Any, where: str, check: Callable[[str], str] | None = None) -> str:
    if type(value) is not str:
        _refuse(where, "must be text")
    if check is not None:
        try:
            check(value)
        except ValueError as exc:
            _refuse(where, str(exc))
    return value


def _int(value: Any, where: str, minimum: int) -> int:
    if type(value) is not int:
        _refuse(where, "must be an integer")
    if value < minimum:
        _refuse(where, f"must be at least {minimum}")
    return value


def _list(value: Any, where: str, read: Callable[[Any, str], T]) -> list[T]:
    if type(value) is not list:
        _refuse(where, "must be a list")
    return [read(item, f"{where}.{index}") for index, item in enumerate(value)]


def _optional(doc: dict[str, Any], name: str, read: Callable[[Any, str], T], where: str) -> T | None:
    """A field that may be absent or null."""
    value = doc.get(name)
    return None if value is None else read(value, f"{where}{name}")


def _choice(value: Any, where: str, enum: type[T]) -> T:
    """A lax enum field (``Strict(False)``): the text of one of its values."""
    if type(value) is not str:
        _refuse(where, "must be text")
    try:
        return enum(value)  # type: ignore[call-arg]
    except ValueError:
        _refuse(where, f"{value!r} is not one of {', '.join(str(m) for m in enum)}")  # type: ignore[attr-defined]


def _time(value: Any, where: str) -> str:
    return _str(value, where, rules.utc_text)


def _text(value: Any, where: str) -> str:
    return _str(value, where, rules.text)


def _cert_id(value: Any, where: str) -> str:
    return _str(value, where, rules.cert_id_text)


# ---------------------------------------------------------------------------------------------
# the lists


class SignedHead:
    """What every list HQ signs carries: a growing seq, its times and its issuer.

    These classes are plain slotted classes, not dataclasses: building a dataclass costs import
    time on the verify path. They are read-only by use (nothing assigns to a list once read)."""

    __slots__ = ("issued_at", "issuer_key", "issuer_name", "next_update", "seq")

    def __init__(self, seq: int, issued_at: str, next_update: str, issuer_name: str, issuer_key: str) -> None:
        self.seq = seq
        self.issued_at = issued_at
        self.next_update = next_update
        self.issuer_name = issuer_name
        self.issuer_key = issuer_key

    @property
    def issuer(self) -> PublicKey:
        return PublicKey.from_b64(self.issuer_key, "list issuer key")

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= parse_time(self.next_update)


_HEAD = frozenset({"seq", "issued_at", "next_update", "issuer_name", "issuer_key"})


def _head(doc: dict[str, Any]) -> dict[str, Any]:
    head = {
        "seq": _int(doc["seq"], "seq", 1),
        "issued_at": _time(doc["issued_at"], "issued_at"),
        "next_update": _time(doc["next_update"], "next_update"),
        "issuer_name": _text(doc["issuer_name"], "issuer_name"),
        "issuer_key": _str(doc["issuer_key"], "issuer_key"),
    }
    if parse_time(head["next_update"]) <= parse_time(head["issued_at"]):
        _refuse("next_update", "next_update must be after issued_at")
    return head


class Entry:
    """One enrolled auditor key as the trust list states it, its key screened at reading."""

    __slots__ = _ENTRY_FIELDS = (
        "auditor_id",
        "name",
        "public_key",
        "kid",
        "purposes",
        "use_from",
        "use_until",
        "verify_until",
        "status",
        "retired_at",
        "revoked_at",
        "reason",
        "key",
    )
    auditor_id: str
    name: str
    public_key: str
    kid: str
    purposes: tuple[Purpose, ...]
    use_from: str
    use_until: str
    verify_until: str
    status: KeyStatus
    retired_at: str | None
    revoked_at: str | None
    reason: str | None
    key: PublicKey

    def __init__(self, **fields: Any) -> None:
        for name in self._ENTRY_FIELDS:
            setattr(self, name, fields[name])


_ENTRY_REQUIRED = frozenset(
    {"auditor_id", "name", "public_key", "kid", "purposes", "use_from", "use_until", "verify_until"}
)
_ENTRY_OPTIONAL = frozenset({"status", "retired_at", "revoked_at", "reason"})


def _entry_fields(value: Any, where: str) -> dict[str, Any]:
    doc = _object(value, where, _ENTRY_REQUIRED, _ENTRY_OPTIONAL)
    at = f"{where}."
    purposes = _list(doc["purposes"], f"{at}purposes", lambda item, w: _choice(item, w, Purpose))
    if not purposes:
        _refuse(f"{at}purposes", "at least one purpose")
    if "status" in doc:
        status = _choice(doc["status"], f"{at}status", KeyStatus)
    else:
        status = KeyStatus.ACTIVE
    fields: dict[str, Any] = {
        "auditor_id": _str(doc["auditor_id"], f"{at}auditor_id", rules.auditor_id_text),
        "name": _text(doc["name"], f"{at}name"),
        "public_key": _str(doc["public_key"], f"{at}public_key"),
        "kid": _str(doc["kid"], f"{at}kid", rules.kid_text),
        "purposes": tuple(purposes),
        "use_from": _time(doc["use_from"], f"{at}use_from"),
        "use_until": _time(doc["use_until"], f"{at}use_until"),
        "verify_until": _time(doc["verify_until"], f"{at}verify_until"),
        "status": status,
        "retired_at": _optional(doc, "retired_at", _time, at),
        "revoked_at": _optional(doc, "revoked_at", _time, at),
        "reason": _optional(doc, "reason", _text, at),
    }
    # TrustEntry._consistent, in its order
    if len(set(purposes)) != len(purposes) or purposes != sorted(purposes):
        _refuse(where, "purposes must be sorted and unique")
    if not parse_time(fields["use_from"]) <= parse_time(fields["use_until"]) <= parse_time(fields["verify_until"]):
        _refuse(where, "need use_from <= use_until <= verify_until")
    if (status == KeyStatus.REVOKED) != (fields["revoked_at"] is not None):
        _refuse(where, "revoked_at is set exactly when status is revoked")
    if status == KeyStatus.REVOKED and fields["reason"] is None:
        _refuse(where, "a revoked key needs a reason")
    if (status == KeyStatus.RETIRED) != (fields["retired_at"] is not None) and status != KeyStatus.REVOKED:
        _refuse(where, "retired_at is set exactly when status is retired")
    return fields


class TrustListView(SignedHead):
    """A verified trust list: the enrolled auditor keys."""

    __slots__ = ("auditors", "verify_url")

    def __init__(self, head: dict[str, Any], auditors: tuple[Entry, ...], verify_url: str | None) -> None:
        super().__init__(**head)
        self.auditors = auditors
        self.verify_url = verify_url

    def candidates(self, kid_hex: str) -> list[Entry]:
        """Every entry whose kid is ``kid_hex``, whatever its status (kids are truncated hashes)."""
        return [entry for entry in self.auditors if entry.kid == kid_hex]

    def verify_envelope(
        self, envelope: Envelope, domain: Domain, purpose: Purpose, what: str = "record"
    ) -> tuple[Entry, dict[str, Any]]:
        """``lists.TrustList.verify_envelope``: the entry whose key verified and the payload."""
        return rules.verify_by_kid(envelope, domain, purpose, self.candidates(envelope.kid), what)


class Revoked:
    __slots__ = ("cert_id", "reason", "revoked_at")

    def __init__(self, cert_id: str, reason: str, revoked_at: str) -> None:
        self.cert_id = cert_id
        self.reason = reason
        self.revoked_at = revoked_at


class RevocationView(SignedHead):
    """A verified revocation list."""

    __slots__ = ("entries",)

    def __init__(self, head: dict[str, Any], entries: tuple[Revoked, ...]) -> None:
        super().__init__(**head)
        self.entries = entries

    def is_revoked(self, cert_id: str) -> Revoked | None:
        for entry in self.entries:
            if entry.cert_id == cert_id:
                return entry
        return None


def _revoked(value: Any, where: str) -> Revoked:
    doc = _object(value, where, frozenset({"cert_id", "reason", "revoked_at"}), frozenset())
    return Revoked(
        _cert_id(doc["cert_id"], f"{where}.cert_id"),
        _text(doc["reason"], f"{where}.reason"),
        _time(doc["revoked_at"], f"{where}.revoked_at"),
    )


class Change:
    """A certificate whose status is no longer (or never was) plainly granted."""

    __slots__ = ("cert_id", "decided_at", "reason", "since", "status", "superseded_by")

    def __init__(
        self,
        cert_id: str,
        status: CertStatus,
        since: str,
        decided_at: str | None,
        reason: str | None,
        superseded_by: str | None,
    ) -> None:
        self.cert_id = cert_id
        self.status = status
        self.since = since
        self.decided_at = decided_at
        self.reason = reason
        self.superseded_by = superseded_by


def _change(value: Any, where: str) -> Change:
    doc = _object(
        value,
        where,
        frozenset({"cert_id", "status", "since"}),
        frozenset({"decided_at", "reason", "superseded_by"}),
    )
    at = f"{where}."
    change = Change(
        _cert_id(doc["cert_id"], f"{at}cert_id"),
        _choice(doc["status"], f"{at}status", CertStatus),
        _time(doc["since"], f"{at}since"),
        _optional(doc, "decided_at", _time, at),
        _optional(doc, "reason", _text, at),
        _optional(doc, "superseded_by", _cert_id, at),
    )
    if change.status == CertStatus.GRANTED:
        _refuse(where, "a granted certificate belongs in 'granted', not in 'changes'")
    if (change.status == CertStatus.SUPERSEDED) != (change.superseded_by is not None):
        _refuse(where, "superseded_by is set exactly when the status is superseded")
    needs_reason = (CertStatus.SUSPENDED, CertStatus.WITHDRAWN, CertStatus.REVOKED)
    if change.status in needs_reason and change.reason is None:
        _refuse(where, f"a {change.status.value} certificate needs a reason")
    return change


def _organisation(value: Any, where: str) -> dict[str, Any]:
    doc = _object(value, where, frozenset({"name"}), frozenset({"address", "accreditation"}))
    at = f"{where}."
    return {
        "name": _text(doc["name"], f"{at}name"),
        "address": _optional(doc, "address", _text, at),
        "accreditation": _optional(doc, "accreditation", _text, at),
    }


def _renewal(value: Any, where: str) -> dict[str, Any]:
    doc = _object(value, where, frozenset({"cert_id", "revision", "original_certification"}), frozenset())
    return {
        "cert_id": _cert_id(doc["cert_id"], f"{where}.cert_id"),
        "revision": _int(doc["revision"], f"{where}.revision", 1),
        "original_certification": _time(doc["original_certification"], f"{where}.original_certification"),
    }


class StatusView(SignedHead):
    """A verified certificate status list: HQ's decision on every certificate (see ``status``)."""

    __slots__ = ("_by_cti", "_raw", "changes", "granted", "organisation", "renewals")

    def __init__(
        self,
        head: dict[str, Any],
        granted: str,
        changes: tuple[Change, ...],
        organisation: dict[str, Any] | None,
        renewals: tuple[dict[str, Any], ...],
        by_cti: dict[bytes, Change],
    ) -> None:
        super().__init__(**head)
        self.granted = granted
        self.changes = changes
        self.organisation = organisation
        self.renewals = renewals
        self._raw = base64.b64decode(granted)
        self._by_cti = by_cti

    @property
    def count(self) -> int:
        return len(self._raw) // rules.RECORD_SIZE + len(self._by_cti)

    def granted_day(self, cti: bytes) -> int | None:
        return rules.granted_day(self._raw, cti)

    def lookup(self, cti: bytes) -> tuple[CertStatus, Change | None, date | None] | None:
        """(status, the change entry if any, the decision date) of certificate ``cti``, or None."""
        return rules.lookup_status(self._raw, self._by_cti, cti)


def _trustlist(payload: dict[str, Any]) -> TrustListView:
    doc = _object(payload, "", _HEAD | {"auditors"}, frozenset({"verify_url"}))
    head = _head(doc)
    fields = _list(doc["auditors"], "auditors", _entry_fields)
    verify_url = doc.get("verify_url")
    if verify_url is not None:
        try:
            rules.check_verify_url(_str(verify_url, "verify_url"))
        except UserError as exc:
            _refuse("verify_url", str(exc))
    entries = []
    for index, item in enumerate(fields):
        try:  # screens small-order / non-canonical keys; the kid must recompute from the key
            key = PublicKey.from_b64(item["public_key"], f"public key of {item['auditor_id']}")
        except UserError as exc:
            _refuse(f"auditors.{index} ({item['auditor_id']})", str(exc))
        if key.kid_hex != item["kid"]:
            _refuse(
                f"auditors.{index} ({item['auditor_id']})",
                f"public key of {item['auditor_id']}: kid {item['kid']} does not match the key",
            )
        entries.append(Entry(key=key, **item))
    return TrustListView(head, tuple(entries), verify_url)


def _crl(payload: dict[str, Any]) -> RevocationView:
    doc = _object(payload, "", _HEAD | {"entries"}, frozenset())
    head = _head(doc)
    entries = _list(doc["entries"], "entries", _revoked)
    ids = [entry.cert_id for entry in entries]
    if len(set(ids)) != len(ids):
        _refuse("entries", "a certificate id is listed twice")
    return RevocationView(head, tuple(entries))


def _status(payload: dict[str, Any]) -> StatusView:
    doc = _object(payload, "", _HEAD | {"granted"}, frozenset({"changes", "organisation", "renewals"}))
    head = _head(doc)
    granted = _str(doc["granted"], "granted", rules.granted_blob)
    changes = _list(doc["changes"], "changes", _change) if "changes" in doc else []
    organisation = _optional(doc, "organisation", _organisation, "")
    renewals = _list(doc["renewals"], "renewals", _renewal) if "renewals" in doc else []
    by_cti: dict[bytes, Change] = {}
    for change in changes:
        try:
            cti = rules.cti_of(change.cert_id)
        except ValueError as exc:
            _refuse("changes", str(exc))
        if cti in by_cti:
            _refuse("changes", f"certificate {change.cert_id} is listed twice in changes")
        by_cti[cti] = change
    raw = base64.b64decode(granted)
    for cti in by_cti:
        if rules.granted_day(raw, cti) is not None:
            _refuse("changes", "a certificate is both granted and changed")
    return StatusView(head, granted, tuple(changes), organisation, tuple(renewals), by_cti)


# ---------------------------------------------------------------------------------------------
# signed documents: the envelope, the pinned root's signature, then the list


_KINDS = {
    rules.TRUSTLIST_FORMAT: (Domain.TRUSTLIST, "trust list"),
    rules.CRL_FORMAT: (Domain.CRL, "revocation list"),
    rules.STATUS_FORMAT: (Domain.STATUS, "certificate status list"),
}


def _signed_payload(data: bytes, fmt: str, pinned: list[PublicKey], what: str) -> tuple[PublicKey, dict[str, Any]]:
    """``documents._open_signed`` without the envelope model: (the root that signed, payload)."""
    if len(data) > rules.DOCUMENT_LIMIT:
        raise UserError(f"{what}: too large ({len(data)} bytes)")
    document = loads_strict(data, what)
    if not isinstance(document, dict) or set(document) != {"format", "envelope"}:
        raise UserError(f"{what}: not a signed document (expected keys 'format' and 'envelope')")
    if document["format"] != fmt:
        raise UserError(f"{what}: format is {document['format']!r}, expected {fmt!r}")
    envelope = document["envelope"]
    try:
        _object(envelope, "envelope", _ENVELOPE_KEYS, frozenset())
        kid, text, sig = (_str(envelope[name], f"envelope.{name}") for name in ("kid", "payload", "sig"))
        if not _fullmatch_kid(kid):
            _refuse("envelope.kid", "kid must be 16 lowercase hex digits")
    except _Refused as exc:
        raise UserError(f"{what}: {exc}") from None
    if not pinned:
        raise UserError(f"{what}: no HQ root key is pinned here; pin one with 'inspector trust pin HQ_KEY.pem'")
    roots = [root for root in pinned if root.kid_hex == kid]
    if not roots:
        pins = ", ".join(root.kid_hex for root in pinned)
        raise UserError(f"{what}: signed by key {kid}, which is not a pinned HQ root (pinned: {pins})")
    domain, kind = _KINDS[fmt]
    payload_bytes = text.encode("utf-8")
    problem = f"{what}: bad signature"
    for root in roots:  # kids are truncated hashes: every pinned root with this kid is tried
        try:
            signature = b64decode(sig, "signature")
        except UserError:
            problem = f"{what}: signature is not valid base64"
            continue
        if not root.verify(domain, payload_bytes, signature):
            problem = f"{what}: bad signature"
            continue
        try:
            value = parse_canonical_json(payload_bytes, what)
        except UserError as exc:
            problem = str(exc)
            continue
        if not isinstance(value, dict):
            problem = f"{what}: payload is not an object"
            continue
        return root, value
    raise UserError(f"{problem} (the file was altered, or it was not signed as a {kind})")


def _fullmatch_kid(kid: str) -> bool:
    # signing.Envelope's rule: exactly 16 lowercase hex digits (fullmatch, no trailing newline)
    return len(kid) == 16 and all(c in "0123456789abcdef" for c in kid)


def _read(data: bytes, fmt: str, reader: Callable[[dict[str, Any]], T], pinned: list[PublicKey], what: str) -> T:
    signer, payload = _signed_payload(data, fmt, pinned, what)
    try:
        document = reader(payload)
    except _Refused as exc:
        raise UserError(f"{what}: {exc}") from None
    head: Any = document
    try:
        issuer = head.issuer
    except UserError as exc:
        raise UserError(f"{what}: {exc}") from None
    if issuer != signer:
        raise UserError(f"{what}: issuer_key is not the key that signed it")
    return document


def read_trustlist(data: bytes, pinned: list[PublicKey], what: str = "trust list") -> TrustListView:
    """``documents.load_trustlist`` without pydantic: verified under a pinned root, every key
    screened and its kid recomputed, no two keys sharing a kid."""
    trustlist = _read(data, rules.TRUSTLIST_FORMAT, _trustlist, pinned, what)
    issuer = trustlist.issuer
    seen: dict[str, PublicKey] = {issuer.kid_hex: issuer}
    for index, entry in enumerate(trustlist.auditors):
        other = seen.get(entry.key.kid_hex)
        if other is not None and other != entry.key:
            raise UserError(
                f"{what}: auditors.{index} ({entry.auditor_id}): kid {entry.key.kid_hex} collides with another key"
            )
        seen[entry.key.kid_hex] = entry.key
    return trustlist


def read_crl(data: bytes, pinned: list[PublicKey], what: str = "revocation list") -> RevocationView:
    """``documents.load_crl`` without pydantic."""
    return _read(data, rules.CRL_FORMAT, _crl, pinned, what)


def read_status(data: bytes, pinned: list[PublicKey], what: str = "certificate status list") -> StatusView:
    """``documents.load_status`` without pydantic."""
    return _read(data, rules.STATUS_FORMAT, _status, pinned, what)
