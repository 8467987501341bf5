"""Trust installed on a machine: pinned HQ roots, the signed trust list and the revocation list.

HQ's root key signs two documents (see ``inspector.hq``):

* the **trust list** (domain ``PSA/trustlist/v1``): every enrolled auditor key with its purposes,
  signing window (``use_from``..``use_until``), ``verify_until`` and status, under a monotonic
  ``seq`` with ``issued_at`` and ``next_update``;
* the **revocation list** (domain ``PSA/crl/v1``): revoked certificate ids, with its own ``seq``.

On disk and on the wire each is ``{"format": "inspector-trustlist/v1" | "inspector-crl/v1",
"envelope": {"kid", "payload", "sig"}}`` where the envelope is a ``signing.Envelope`` and the
payload is the canonical JSON of :class:`TrustList` / :class:`RevocationList`.

A machine accepts one only when it is signed by a pinned root (at most two pins, for rotation),
every key in it passes the small-order/canonical screen, every kid recomputes from its key, no two
different keys share a kid, and its ``seq`` is higher than the installed one (no rollback; the same
bytes again are a harmless no-op). Kids are never taken from input: they are recomputed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    model_validator,
)

from inspector._io.text import check_line_text
from inspector.crypto.canonical import format_time, parse_time, utcnow
from inspector.crypto.signing import Domain, Envelope, PublicKey
from inspector.errors import Invalid, Reason, ReasonCode, UserError
from inspector.trust import rules
from inspector.trust.rules import CERT_ID as CERT_ID
from inspector.trust.rules import CRL_FORMAT as CRL_FORMAT
from inspector.trust.rules import DOCUMENT_LIMIT as DOCUMENT_LIMIT
from inspector.trust.rules import KID_HEX as KID_HEX
from inspector.trust.rules import MAX_CERT_LIFETIME_DAYS as MAX_CERT_LIFETIME_DAYS
from inspector.trust.rules import REASON_MAX as REASON_MAX
from inspector.trust.rules import TRUSTLIST_FORMAT as TRUSTLIST_FORMAT
from inspector.trust.rules import VERIFY_URL_MAX as VERIFY_URL_MAX
from inspector.trust.rules import KeyStatus as KeyStatus
from inspector.trust.rules import Purpose as Purpose
from inspector.trust.rules import check_verify_url as check_verify_url

DEFAULT_VALID_DAYS = 365  # an enrolment's signing window
MAX_VALID_DAYS = 365 + 60  # 12 months + a 2-month rollover overlap
DEFAULT_NEXT_UPDATE_DAYS = 30
MAX_PINNED = 2  # current and next HQ root

UtcTime = Annotated[str, AfterValidator(rules.utc_text)]
KidHex = Annotated[str, AfterValidator(rules.kid_text)]
AuditorId = Annotated[str, AfterValidator(rules.auditor_id_text)]
Text = Annotated[str, Field(min_length=1, max_length=REASON_MAX), AfterValidator(rules.text)]
CertId = Annotated[str, AfterValidator(rules.cert_id_text)]
_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


def kid_arg(text: str) -> str:
    """A kid typed by a user: 16 hex digits (case-insensitive)."""
    value = text.strip().lower()
    if not KID_HEX.match(value):
        raise UserError(f"{text!r} is not a key id (16 hex digits, as 'inspector hq show' prints)")
    return value


PRINTED_CERT_ID = re.compile(r"^[A-Za-z2-7]{4}(-?[A-Za-z2-7]{4}){3}$")


def check_cert_id(text: str) -> str:
    """A certificate id as revocation lists carry it: the 16 base32 characters, no dashes.

    People copy the printed form (``H3T5-SQZM-KXTR-6J64``), so that is accepted and normalised.
    """
    text = text.strip()
    if PRINTED_CERT_ID.match(text):
        return text.replace("-", "").upper()
    if not CERT_ID.match(text):
        raise UserError(f"{text!r} is not a certificate id")
    return text


def check_reason(text: str) -> str:
    """A reason typed at HQ (revocation, retirement): one line under the one text policy."""
    return check_line_text(text, "the reason", REASON_MAX, field="reason")


def parse_purposes(text: str) -> list[Purpose]:
    """``"cert,finding"`` -> sorted unique purposes; a clear error for anything else."""
    out: set[Purpose] = set()
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        try:
            out.add(Purpose(part))
        except ValueError:
            allowed = ", ".join(p.value for p in Purpose)
            raise UserError(f"unknown purpose {part!r} (allowed: {allowed})") from None
    if not out:
        raise UserError("at least one purpose is needed (cert, finding)")
    return sorted(out)


class TrustEntry(BaseModel):
    """One enrolled auditor key as the trust list states it."""

    model_config = _STRICT

    auditor_id: AuditorId
    name: Text
    public_key: str
    kid: KidHex
    purposes: Annotated[list[Annotated[Purpose, Strict(False)]], Field(min_length=1)]
    use_from: UtcTime
    use_until: UtcTime
    verify_until: UtcTime
    status: Annotated[KeyStatus, Strict(False)] = KeyStatus.ACTIVE
    retired_at: UtcTime | None = None
    revoked_at: UtcTime | None = None
    reason: Text | None = None

    _key: PublicKey | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> TrustEntry:
        if len(set(self.purposes)) != len(self.purposes) or list(self.purposes) != sorted(self.purposes):
            raise ValueError("purposes must be sorted and unique")
        if not parse_time(self.use_from) <= parse_time(self.use_until) <= parse_time(self.verify_until):
            raise ValueError("need use_from <= use_until <= verify_until")
        if (self.status == KeyStatus.REVOKED) != (self.revoked_at is not None):
            raise ValueError("revoked_at is set exactly when status is revoked")
        if self.status == KeyStatus.REVOKED and self.reason is None:
            raise ValueError("a revoked key needs a reason")
        if (self.status == KeyStatus.RETIRED) != (self.retired_at is not None) and self.status != KeyStatus.REVOKED:
            raise ValueError("retired_at is set exactly when status is retired")
        return self

    @property
    def key(self) -> PublicKey:
        """The screened public key (``UserError`` if unsafe), checked against ``kid``."""
        if self._key is None:
            key = PublicKey.from_b64(self.public_key, f"public key of {self.auditor_id}")
            if key.kid_hex != self.kid:
                raise UserError(f"public key of {self.auditor_id}: kid {self.kid} does not match the key")
            self._key = key
        return self._key

    def revoked_reason(self) -> Reason:
        return rules.revoked_reason(self)

    def authorize(self, purpose: Purpose, signed_at: datetime) -> None:
        """Raise ``Invalid`` unless this key may have signed ``purpose`` at ``signed_at``."""
        who = f"key {self.kid} of {self.auditor_id}"
        if self.status == KeyStatus.REVOKED:
            raise Invalid(self.revoked_reason())
        if purpose not in self.purposes:
            raise Invalid(
                Reason(
                    ReasonCode.WRONG_PURPOSE,
                    f"{who} is not enrolled to sign {Purpose(purpose).value}",
                )
            )
        if not parse_time(self.use_from) <= signed_at <= parse_time(self.use_until):
            raise Invalid(
                Reason(
                    ReasonCode.OUTSIDE_SIGNING_WINDOW,
                    f"signed at {format_time(signed_at)}, but {who} may sign only "
                    f"from {self.use_from} until {self.use_until}",
                )
            )

    def summary(self) -> dict[str, Any]:
        """The JSON the CLI prints for this entry."""
        return {
            "kid": self.kid,
            "auditor_id": self.auditor_id,
            "id": self.auditor_id,
            "name": self.name,
            "status": self.status.value,
            "purposes": [p.value for p in self.purposes],
            "use_from": self.use_from,
            "use_until": self.use_until,
            "verify_until": self.verify_until,
            "retired_at": self.retired_at,
            "revoked_at": self.revoked_at,
            "reason": self.reason,
            "public_key": self.public_key,
        }


class _SignedList(BaseModel):
    """What every list HQ signs carries: a growing seq, its times and its issuer."""

    model_config = _STRICT
    _kind: ClassVar[str] = "list"

    seq: Annotated[int, Field(ge=1)]
    issued_at: UtcTime
    next_update: UtcTime
    issuer_name: Text
    issuer_key: str

    @model_validator(mode="after")
    def _times(self) -> Self:
        if parse_time(self.next_update) <= parse_time(self.issued_at):
            raise ValueError("next_update must be after issued_at")
        return self

    @property
    def issuer(self) -> PublicKey:
        return PublicKey.from_b64(self.issuer_key, f"{self._kind} issuer key")

    def is_stale(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= parse_time(self.next_update)


class TrustList(_SignedList):
    """The signed list of enrolled auditor keys (the payload of a trust-list envelope)."""

    _kind: ClassVar[str] = "trust list"

    auditors: list[TrustEntry]
    # HQ's phone verifier page: new certificates put URL#PAYLOAD in their QR (absent: bare payload)
    verify_url: Annotated[str, AfterValidator(lambda v: check_verify_url(v))] | None = None

    def signed_dict(self) -> dict[str, Any]:
        """The payload as signed: ``verify_url`` is left out when unset, keeping older lists' shape."""
        return self.model_dump(mode="json", exclude={"verify_url"} if self.verify_url is None else None)

    def candidates(self, kid_hex: str) -> list[TrustEntry]:
        """Every entry whose kid is ``kid_hex``, whatever its status (kids are truncated hashes)."""
        return [entry for entry in self.auditors if entry.kid == kid_hex]

    def entries_for(self, kid_hex: str, purpose: Purpose) -> list[TrustEntry]:
        """Entries with this kid that are not revoked and may sign ``purpose`` (window not checked)."""
        return [
            entry
            for entry in self.candidates(kid_hex)
            if entry.status != KeyStatus.REVOKED and purpose in entry.purposes
        ]

    def for_auditor(self, auditor_id: str) -> list[TrustEntry]:
        return [entry for entry in self.auditors if entry.auditor_id == auditor_id]

    def authorize(self, kid_hex: str, purpose: Purpose, signed_at: datetime) -> TrustEntry:
        """The entry with ``kid_hex`` allowed to sign ``purpose`` at ``signed_at``, else ``Invalid``.

        The ``Invalid`` carries its ``ReasonCode``: ``unknown-key``, ``revoked-key``, ``wrong-purpose``,
        ``outside-signing-window``. When the same key is listed twice, a revocation wins.
        """
        found = self.candidates(kid_hex)
        if not found:
            raise Invalid(Reason(ReasonCode.UNKNOWN_KEY, f"no enrolled key has kid {kid_hex}"))
        failures: list[Invalid] = []
        revoked = [entry for entry in found if entry.status == KeyStatus.REVOKED]
        if revoked:
            raise Invalid(revoked[0].revoked_reason())
        for entry in found:
            try:
                entry.authorize(purpose, signed_at)
            except Invalid as exc:
                failures.append(exc)
                continue
            return entry
        raise failures[0]

    def verify_envelope(
        self, envelope: Envelope, domain: Domain, purpose: Purpose, what: str = "record"
    ) -> tuple[TrustEntry, dict[str, Any]]:
        """Check ``envelope``'s signature against every listed key with its kid.

        Returns the entry whose key verified (not revoked, enrolled for ``purpose``) and the
        payload. The caller then checks the time: ``entry.authorize(purpose, signed_at)``.
        """
        return rules.verify_by_kid(envelope, domain, purpose, self.candidates(envelope.kid), what)

    def summary(self) -> dict[str, Any]:
        """The JSON ``inspector trust show --json`` prints."""
        issuer = self.issuer
        return {
            "seq": self.seq,
            "issued_at": self.issued_at,
            "next_update": self.next_update,
            "issuer": {
                "name": self.issuer_name,
                "kid": issuer.kid_hex,
                "public_key": self.issuer_key,
            },
            "auditors": [entry.summary() for entry in self.auditors],
        }


class RevokedCert(BaseModel):
    model_config = _STRICT

    cert_id: CertId
    reason: Text
    revoked_at: UtcTime


class RevocationList(_SignedList):
    """The signed list of revoked certificate ids (the payload of a CRL envelope)."""

    _kind: ClassVar[str] = "revocation list"

    entries: list[RevokedCert]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        ids = [entry.cert_id for entry in self.entries]
        if len(set(ids)) != len(ids):
            raise ValueError("a certificate id is listed twice")
        return self

    def is_revoked(self, cert_id: str) -> RevokedCert | None:
        for entry in self.entries:
            if entry.cert_id == cert_id:
                return entry
        return None

    def summary(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "issued_at": self.issued_at,
            "next_update": self.next_update,
            "issuer": {
                "name": self.issuer_name,
                "kid": self.issuer.kid_hex,
                "public_key": self.issuer_key,
            },
            "revoked": [entry.model_dump(mode="json") for entry in self.entries],
        }
