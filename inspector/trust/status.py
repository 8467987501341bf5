"""The certificate status list: HQ's decision on every certificate, the one list verifiers honour.

Under ISO/IEC 17021-1 the certification decision is taken by people who did not audit, so an
auditor's signature on a certificate is not enough: a verifier answers VALID only for a
certificate this list shows as **granted** (and not expired). Everything else is INVALID with
the reason: ``not-decided`` (not in the list: awaiting HQ's decision), ``suspended``,
``withdrawn``, ``superseded`` (by a recertification's certificate) or ``revoked``.

The list is signed by the HQ root in its own domain (``PSA/status/v1``), installed like the
trust list (pinned root, a ``seq`` that only grows, never issued in the future) and embedded in
the phone page. The QR does not grow: certificates are found by their id (the 10-byte ``cti``).

Sized for a nation (issue 13: 50,000 certificates under 1 MB, no scan per lookup):

* ``granted`` is one base64 string of fixed 12-byte records, sorted by ``cti``: the 10-byte id and
  the decision day as a big-endian uint16 counted from 1970-01-01. A lookup is a binary search
  over the records (``granted_day``), 12 bytes a certificate (16 in base64);
* every other status is an entry of ``changes`` (few: suspensions, withdrawals, supersessions,
  revocations) with its date and reason; they are looked up through a dictionary built once.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, Strict, model_validator

from inspector.crypto.canonical import parse_time
from inspector.trust import rules
from inspector.trust.lists import CertId, Text, UtcTime, _SignedList
from inspector.trust.rules import CTI_SIZE as CTI_SIZE
from inspector.trust.rules import PRINTED_ID as PRINTED_ID
from inspector.trust.rules import RECORD_SIZE as RECORD_SIZE
from inspector.trust.rules import STATUS_FORMAT as STATUS_FORMAT
from inspector.trust.rules import CertStatus as CertStatus
from inspector.trust.rules import cti_of as cti_of

EPOCH = rules.EPOCH


IST_OFFSET = timedelta(hours=5, minutes=30)  # India Standard Time, no daylight saving


def day_number(moment: str) -> int:
    """Days from 1970-01-01 to the date of ``moment`` (a UTC time text) in India: decision dates
    are read on India's calendar everywhere (``certificates/dates.py``)."""
    return ((parse_time(moment) + IST_OFFSET).date() - EPOCH).days


class StatusChange(BaseModel):
    """A certificate whose status is no longer (or never was) plainly granted."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    cert_id: CertId
    status: Annotated[CertStatus, Strict(False)]  # JSON holds the text; the enum checks it
    since: UtcTime  # when HQ decided this status
    decided_at: UtcTime | None = None  # the original grant, where there was one
    reason: Text | None = None
    superseded_by: CertId | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status == CertStatus.GRANTED:
            raise ValueError("a granted certificate belongs in 'granted', not in 'changes'")
        if (self.status == CertStatus.SUPERSEDED) != (self.superseded_by is not None):
            raise ValueError("superseded_by is set exactly when the status is superseded")
        if self.status in (CertStatus.SUSPENDED, CertStatus.WITHDRAWN, CertStatus.REVOKED) and self.reason is None:
            raise ValueError(f"a {self.status.value} certificate needs a reason")
        return self


class Organisation(BaseModel):
    """The certifying organisation as HQ is configured (``hq init``): printed on certificates.

    ``accreditation`` is set only for an accredited certification body; without it the
    certificate reads as a first-party statement of the commissionerate's quality cell, never as
    third-party certification.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Text
    address: Text | None = None
    accreditation: Text | None = None


class Renewal(BaseModel):
    """A granted recertification: its revision and the station's original certification date."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    cert_id: CertId
    revision: Annotated[int, Field(ge=1)]
    original_certification: UtcTime


class StatusList(_SignedList):
    """The signed payload of a status list."""

    _kind: ClassVar[str] = "certificate status list"

    granted: Annotated[str, AfterValidator(rules.granted_blob)]
    changes: list[StatusChange] = Field(default_factory=list)
    organisation: Organisation | None = None
    renewals: list[Renewal] = Field(default_factory=list)

    _changes: dict[bytes, StatusChange] = PrivateAttr(default_factory=dict)
    _raw: bytes = PrivateAttr(default=b"")

    @model_validator(mode="after")
    def _index(self) -> Self:
        by_id: dict[bytes, StatusChange] = {}
        for change in self.changes:
            cti = cti_of(change.cert_id)
            if cti in by_id:
                raise ValueError(f"certificate {change.cert_id} is listed twice in changes")
            by_id[cti] = change
        self._changes = by_id
        self._raw = base64.b64decode(self.granted)
        for cti in by_id:
            if self.granted_day(cti) is not None:
                raise ValueError("a certificate is both granted and changed")
        return self

    @property
    def count(self) -> int:
        return len(self._raw) // RECORD_SIZE + len(self._changes)

    def granted_day(self, cti: bytes) -> int | None:
        """The decision day of a granted certificate, by binary search; None if not granted."""
        return rules.granted_day(self._raw, cti)

    def lookup(self, cti: bytes) -> tuple[CertStatus, StatusChange | None, date | None] | None:
        """(status, the change entry if any, the decision date) of certificate ``cti``, or None."""
        return rules.lookup_status(self._raw, self._changes, cti)

    def summary(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "issued_at": self.issued_at,
            "next_update": self.next_update,
            "issuer": {"name": self.issuer_name, "kid": self.issuer.kid_hex, "public_key": self.issuer_key},
            "granted": len(self._raw) // RECORD_SIZE,
            "changes": [change.model_dump(mode="json") for change in self.changes],
        }


def build_granted(records: list[tuple[bytes, int]]) -> str:
    """The ``granted`` string for (cti, decision day) pairs (any order; each id once)."""
    out = bytearray()
    for cti, day in sorted(records):
        if len(cti) != CTI_SIZE or not 0 <= day <= 0xFFFF:
            raise ValueError("a granted record needs a 10-byte id and a day in 0..65535")
        out += cti + day.to_bytes(2, "big")
    return base64.b64encode(bytes(out)).decode("ascii")


def today_utc() -> date:
    return datetime.now(UTC).date()
