"""Audit records: the signed, hash-chained, append-only history of one audit.

Every change to an audit is one record, signed by the auditor in ``Domain.FINDING`` and stored as
its ``Envelope`` (kid, the exact payload text that was signed, signature). Each payload names the
audit, its position (``seq``, from 1) and ``prev``, the ``Envelope.digest()`` of the record before
it, so a deleted, inserted, reordered or edited record breaks the chain where it happened.

Record types, in chain order::

    audit-opened     seq 1: station, checklist identity, audit type, auditor (id, kid, public key);
                     since rules 2 also the audit's scope (sections), the station's lock-up and
                     the stage 1 it builds on (or the written waiver)
    finding          one per recorded or revised finding; ``revises`` names the record it replaces
    audit-closed     score, decision and the Merkle root of the latest findings
    response         the station's corrective-action plan for one nonconformity (``audit respond``)
    follow-up        the auditor's verification of that plan: effective or not, on site or by documents
    meeting          the opening or closing meeting: attendees, the in-charge's acknowledgment

Findings come before the closing record; responses, verifications and meetings may come before
or after it (follow-up continues after the seal, and the chain simply grows).

Closing also signs a seal (``Domain.SEAL``) over the digest of the closing record (the chain
head at that moment) and the findings root; certificates commit to that root. The seal covers
the records up to the closing record; what follows it is signed and chained like every record,
but a record removed from the very end after the seal cannot be told from one never written
(HQ, holding the longer chain, can: it refuses a bundle that is not an extension of it).

The findings root is an RFC 6962 Merkle tree (SHA-256, leaf prefix 0x00, node prefix 0x01) whose
leaves are the digests of the latest finding record of each item, in checklist order.

This module is pure: it knows the formats and checks a list of stored records; storage, evidence
files and trust lists are handed in by the caller.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import (
    Annotated,
    Literal,
)

from pydantic import BaseModel, ConfigDict, Field, field_validator

from inspector.audit.checklist import ChecklistRef
from inspector.audit.scoring import FindingStatus

RECORD_FORMAT = "inspector-record/v1"
SEAL_FORMAT = "inspector-seal/v1"

HEX64 = re.compile(r"^[0-9a-f]{64}$")
ID_HEX = re.compile(r"^[0-9a-f]{32}$")
NOTE_MAX = 4000
REASON_MAX = 1000
NAME_MAX = 200  # a person's "NAME, RANK"


class RecordType(StrEnum):
    OPENED = "audit-opened"
    FINDING = "finding"
    CLOSED = "audit-closed"
    RESPONSE = "response"
    VERIFICATION = "follow-up"
    MEETING = "meeting"


# The record types a chain may hold after its closing record (and before it as well).
FOLLOW_UP_TYPES = frozenset({RecordType.RESPONSE.value, RecordType.VERIFICATION.value, RecordType.MEETING.value})

# The rules an audit was opened under (``OpenedRecord.rules``). 1: the first release (no key in
# the opening record). 2: N/A needs a reason and the item's leave, sensitive items take no
# evidence files, findings only for items in the audit's scope, follow-up records.
RULES_V1 = 1
RULES_CURRENT = 2


class AuditType(StrEnum):
    STAGE1 = "stage1"
    CERTIFICATION = "certification"  # stage 2
    SURVEILLANCE = "surveillance"
    RECERTIFICATION = "recertification"


def new_id() -> str:
    """A fresh record or audit id: uuid4 as 32 lowercase hex digits."""
    return uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# payload models (validators of the signed bytes, never used to re-create them)


def _check_hex64(value: str) -> str:
    if not HEX64.match(value):
        raise ValueError("must be 64 lowercase hex digits")
    return value


def _check_id(value: str) -> str:
    if not ID_HEX.match(value):
        raise ValueError("must be 32 lowercase hex digits")
    return value


TIME_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


def record_time(value: str) -> datetime:
    """Parse a record time (``canonical.TIME_FORMAT``, UTC) at C speed: it is done per record."""
    if not TIME_TEXT.match(value):
        raise ValueError("must be a UTC time YYYY-MM-DDTHH:MM:SSZ")
    return datetime.fromisoformat(value)  # "Z" is read as UTC (Python >= 3.11)


def _check_time(value: str) -> str:
    record_time(value)
    return value


def check_text(value: str, what: str, limit: int) -> str:
    """Free text inside a signed record: NFC, bounded, no control characters but newline and tab."""
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise ValueError(f"{what} contains control characters")
    if value[:1] and unicodedata.category(value[0]).startswith("M"):
        raise ValueError(f"{what} begins with a combining mark")
    return value


def check_due(value: str) -> str:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"due date {value!r} is not a date YYYY-MM-DD") from None
    if parsed.isoformat() != value:
        raise ValueError(f"due date {value!r} is not a date YYYY-MM-DD")
    return value


Hex64 = Annotated[str, Field(pattern=HEX64.pattern)]
IdHex = Annotated[str, Field(pattern=ID_HEX.pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class EvidenceRef(_Strict):
    """An evidence file, by content: the file itself lives under its SHA-256 name."""

    sha256: Hex64
    size: Annotated[int, Field(ge=0)]
    media_type: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=255)]


class StationRef(_Strict):
    code: str
    name: str
    name_hi: str


class AuditorRef(_Strict):
    id: str
    name: str
    kid: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    public_key: str  # base64 of the raw 32 bytes: lets a chain be checked for integrity alone


class _RecordBase(_Strict):
    format: Literal["inspector-record/v1"]
    id: IdHex
    audit: IdHex
    seq: Annotated[int, Field(ge=1)]
    prev: Hex64 | None
    time: str

    _time = field_validator("time")(classmethod(lambda cls, v: _check_time(v)))


class OpenedRecord(_RecordBase):
    type: Literal["audit-opened"]
    station: StationRef
    checklist: ChecklistRef
    audit_type: Annotated[AuditType, Field(strict=False)]
    auditor: AuditorRef
    # Added with rules 2; absent from audits opened by the first release, which keep verifying.
    rules: Annotated[int, Field(ge=1)] = RULES_V1
    no_lockup: bool = False  # the station has no lock-up: custody items may be "not applicable"
    sections: list[str] | None = None  # the audit's scope, in checklist order; None: every section
    stage1: IdHex | None = None  # the closed stage 1 audit of the station this audit builds on
    waive_stage1: str | None = None  # why a certification audit proceeds without that stage 1
    previous: list[IdHex] | None = None  # surveillance: the earlier audits its sample was drawn from

    @field_validator("waive_stage1")
    @classmethod
    def _waiver(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, "stage 1 waiver", REASON_MAX)


class FindingRecord(_RecordBase):
    type: Literal["finding"]
    item: str
    status: Annotated[FindingStatus, Field(strict=False)]
    note: str | None
    evidence: list[EvidenceRef]
    due: str | None
    reason: str | None
    revises: IdHex | None  # the record id of the finding this one replaces

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None) -> str | None:
        return None if value is None else check_due(value)


class ClosedRecord(_RecordBase):
    type: Literal["audit-closed"]
    findings_root: Hex64
    answered: int
    total: int
    percent: int | None
    majors: int
    minors: int
    observations: int
    decision: str


class ResponseRecord(_RecordBase):
    """The station's corrective-action plan for one nonconformity, accepted by the auditor who signs it."""

    type: Literal["response"]
    item: str
    finding: IdHex  # the finding record (the nonconformity) this plan answers
    correction: str  # what was done at once to put the failure right
    root_cause: str
    action: str  # the corrective action that removes the cause
    owner: str  # who carries it out
    due: str
    evidence: list[EvidenceRef]

    _due = field_validator("due")(classmethod(lambda cls, v: check_due(v)))

    @field_validator("correction", "root_cause", "action", "owner")
    @classmethod
    def _texts(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return check_text(value, "text", NOTE_MAX)


class VerificationRecord(_RecordBase):
    """The auditor's verification of a corrective action: effective or not, and how it was seen."""

    type: Literal["follow-up"]
    item: str
    finding: IdHex
    response: IdHex  # the plan whose effect was verified
    result: Literal["effective", "not-effective"]
    method: Literal["on-site", "document"]
    note: str
    evidence: list[EvidenceRef]

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return check_text(value, "note", NOTE_MAX)


class MeetingRecord(_RecordBase):
    """The opening or closing meeting with the station; the closing one states the plans' deadline."""

    type: Literal["meeting"]
    kind: Literal["opening", "closing"]
    attendees: Annotated[list[str], Field(min_length=1, max_length=100)]
    acknowledged_by: str | None  # the station in-charge who received the findings
    note: str | None
    cap_deadline: str | None  # closing: the latest due date of a minor's corrective-action plan

    @field_validator("attendees")
    @classmethod
    def _attendees(cls, value: list[str]) -> list[str]:
        return [check_text(name, "attendee", NAME_MAX) for name in value]

    @field_validator("acknowledged_by")
    @classmethod
    def _acknowledged(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, "acknowledged by", NAME_MAX)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value, "note", NOTE_MAX)

    @field_validator("cap_deadline")
    @classmethod
    def _deadline(cls, value: str | None) -> str | None:
        return None if value is None else check_due(value)


FollowUpRecord = ResponseRecord | VerificationRecord
AnyRecord = OpenedRecord | FindingRecord | ClosedRecord | ResponseRecord | VerificationRecord | MeetingRecord
_MODELS: dict[str, type[BaseModel]] = {
    RecordType.OPENED.value: OpenedRecord,
    RecordType.FINDING.value: FindingRecord,
    RecordType.CLOSED.value: ClosedRecord,
    RecordType.RESPONSE.value: ResponseRecord,
    RecordType.VERIFICATION.value: VerificationRecord,
    RecordType.MEETING.value: MeetingRecord,
}


class SealPayload(_Strict):
    """What the closing seal signs: the chain head, the findings root and the verdict."""

    format: Literal["inspector-seal/v1"]
    audit: IdHex
    station: str
    checklist: ChecklistRef
    audit_type: Annotated[AuditType, Field(strict=False)]
    auditor: str
    head: Hex64  # Envelope.digest() of the audit-closed record
    seq: Annotated[int, Field(ge=1)]  # its seq, i.e. the number of records sealed
    findings_root: Hex64
    opened: str
    closed: str
    percent: int | None
    majors: int
    minors: int
    decision: str

    _times = field_validator("opened", "closed")(classmethod(lambda cls, v: _check_time(v)))
