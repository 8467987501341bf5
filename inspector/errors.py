"""The product's one error hierarchy, and the reason codes of verdicts.

Every error a user can act on is an :class:`InspectorError` carrying, as data:

* ``code``: a stable kebab-case identifier scripts and shells may branch on;
* ``field``: the input it concerns (``"note"``, ``"reason"``, ``"passphrase"``, ...), or ``None``;
* ``details``: any other structured facts (paths, ids, counts);
* ``exit_status``: what the command line exits with (2 for unusable input or state, 1 for a
  verdict that something is not genuine or not intact).

Messages name the *thing* ("a minor nonconformity needs a note"), never a command-line flag: the
CLI appends the flag for ``field`` (``inspector.cli.common.flag_hint``), the TUI focuses the field.
Nothing anywhere parses message text to recover a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

__all__ = ["InspectorError", "Invalid", "Reason", "ReasonCode", "UserError", "first_validation_error"]


class ReasonCode(StrEnum):
    """Why a certificate (or a signed record) is not valid: the one list every verifier uses.

    The phone page's reason texts are tested against this enumeration
    (``tests/web/test_reason_codes.py``), so a code added here without its text fails the suite.
    """

    CLOCK_WRONG = "clock-wrong"
    NO_TRUST = "no-trust"
    UNKNOWN_KEY = "unknown-key"
    WRONG_PURPOSE = "wrong-purpose"
    BAD_SIGNATURE = "bad-signature"
    REVOKED_KEY = "revoked-key"
    AUDITOR_MISMATCH = "auditor-mismatch"
    OUTSIDE_SIGNING_WINDOW = "outside-signing-window"
    EXCEEDS_KEY_VALIDITY = "exceeds-key-validity"
    LIFETIME_TOO_LONG = "lifetime-too-long"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    RECORD_MISMATCH = "record-mismatch"
    # HQ's decision, from the certificate status list (trust/status.py)
    NOT_DECIDED = "not-decided"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Reason:
    """One reason of a verdict: a code from :class:`ReasonCode` and the sentence a person reads."""

    code: ReasonCode
    message: str

    def __str__(self) -> str:
        # The established one-line form, kept so printed reasons read as they always have.
        return f"{self.code.value}: {self.message}"


class InspectorError(Exception):
    """Base of all errors the user can act on; ``code``, ``field`` and ``details`` are data."""

    exit_status: ClassVar[int] = 2
    default_code: ClassVar[str] = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.details = details


class UserError(InspectorError):
    """Bad input or state the user must fix; one clear line, exit status 2."""

    exit_status = 2
    default_code = "bad-input"


class Invalid(InspectorError):
    """A verification verdict: the object is not valid (exit status 1).

    ``reasons`` are the sentences (as before); ``reason_objects`` keep their codes where the
    raiser knew one, and ``code`` is the first reason's code (``"invalid"`` when none has one).
    """

    exit_status = 1
    default_code = "invalid"

    def __init__(self, reasons: str | Reason | Sequence[str | Reason]) -> None:
        items: list[str | Reason] = [reasons] if isinstance(reasons, (str, Reason)) else list(reasons)
        self.reason_objects: list[Reason] = [r for r in items if isinstance(r, Reason)]
        self.reasons: list[str] = [str(r) for r in items]
        first = self.reason_objects[0].code.value if self.reason_objects else None
        super().__init__("; ".join(self.reasons), code=first)

    @property
    def reason_code(self) -> ReasonCode | None:
        """The first reason's code, when the raiser gave one."""
        return self.reason_objects[0].code if self.reason_objects else None


def first_validation_error(exc: Any, what: str) -> UserError:
    """One line for the first problem pydantic found in ``what``: ``what: loc.path: message``."""
    errors = exc.errors()
    if not errors:
        return UserError(f"{what}: not valid", code="invalid-document")
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    where = f"{what}: {loc}: " if loc else f"{what}: "
    return UserError(where + str(first.get("msg", "not valid")), code="invalid-document", field=loc or None)
