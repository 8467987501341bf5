"""What one data directory trusts, read for one verification without pydantic (issue 16 goal 3).

``VerifierLists`` is ``TrustStore``'s read side on the lean readers (``trust.readers``): the
pinned roots, the installed trust list, revocation list and status list, and lists handed in
for one check, which may not be older than the installed ones (no rollback by that door
either). The ``Protocol`` classes at the end name what a verifier reads of a list, so that
``certificates.verify`` takes the pydantic models (HQ, tests) and the lean classes alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from inspector.crypto.signing import PublicKey, read_public_pem
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust.readers import (
    RevocationView,
    StatusView,
    TrustListView,
    read_crl,
    read_status,
    read_trustlist,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime
    from typing import Any, Protocol

    from inspector.crypto.signing import Domain, Envelope
    from inspector.trust.rules import CertStatus, KeyStatus, Purpose


def pin_files(data: DataDir) -> list[Path]:
    if not data.pinned_roots.is_dir():
        return []
    return sorted(p for p in data.pinned_roots.iterdir() if p.suffix == ".pem" and not p.name.startswith("."))


def pinned_roots(data: DataDir) -> list[PublicKey]:
    """The pinned HQ root keys (each screened; a bad pin file is a ``UserError`` naming it)."""
    keys: list[PublicKey] = []
    for path in pin_files(data):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError(f"pinned root {path}: cannot read ({exc.strerror})") from None
        keys.append(read_public_pem(raw, f"pinned root {path}"))
    return keys


def read_installed(path: Path) -> bytes | None:
    """An installed list's bytes, or None when none is installed."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None


class VerifierLists:
    """The lists of one data directory as a verifier reads them (``TrustStore``'s read side)."""

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self._pinned: list[PublicKey] | None = None

    def pinned(self) -> list[PublicKey]:
        if self._pinned is None:
            self._pinned = pinned_roots(self.data)
        return self._pinned

    def trustlist(self) -> TrustListView | None:
        raw = read_installed(self.data.installed_trustlist)
        if raw is None:
            return None
        return read_trustlist(raw, self.pinned(), f"installed trust list {self.data.installed_trustlist}")

    def crl(self) -> RevocationView | None:
        raw = read_installed(self.data.installed_crl)
        if raw is None:
            return None
        return read_crl(raw, self.pinned(), f"installed revocation list {self.data.installed_crl}")

    def status(self) -> StatusView | None:
        raw = read_installed(self.data.installed_status)
        if raw is None:
            return None
        return read_status(raw, self.pinned(), f"installed certificate status list {self.data.installed_status}")

    def given_trustlist(self, raw: bytes, what: str) -> TrustListView:
        """A trust list handed in for one verification: signed by a pinned root, not older than installed."""
        document = read_trustlist(raw, self.pinned(), what)
        installed = self.trustlist()
        refuse_older(document.seq, installed.seq if installed else None, what, "trust list")
        return document

    def given_crl(self, raw: bytes, what: str) -> RevocationView:
        document = read_crl(raw, self.pinned(), what)
        installed = self.crl()
        refuse_older(document.seq, installed.seq if installed else None, what, "revocation list")
        return document

    def given_status(self, raw: bytes, what: str) -> StatusView:
        document = read_status(raw, self.pinned(), what)
        installed = self.status()
        refuse_older(document.seq, installed.seq if installed else None, what, "certificate status list")
        return document


def refuse_older(seq: int, installed: int | None, what: str, kind: str) -> None:
    if installed is not None and seq < installed:
        raise UserError(
            f"{what}: seq {seq} is older than the installed {kind} (seq {installed}); rollback refused "
            f"(verify against the installed {kind}, or install a newer one)",
            code="rollback",
        )


# ---------------------------------------------------------------------------------------------
# what a verifier reads of a list: the pydantic models and the classes above both have it.
# For the type checker only: building Protocol classes costs import time on the verify path.

if TYPE_CHECKING:

    class EntryLike(Protocol):
        @property
        def auditor_id(self) -> str: ...
        @property
        def name(self) -> str: ...
        @property
        def public_key(self) -> str: ...
        @property
        def kid(self) -> str: ...
        @property
        def purposes(self) -> Sequence[Purpose]: ...
        @property
        def use_from(self) -> str: ...
        @property
        def use_until(self) -> str: ...
        @property
        def verify_until(self) -> str: ...
        @property
        def status(self) -> KeyStatus: ...
        @property
        def revoked_at(self) -> str | None: ...
        @property
        def reason(self) -> str | None: ...
        @property
        def key(self) -> PublicKey: ...

    class ListLike(Protocol):
        @property
        def seq(self) -> int: ...
        @property
        def issued_at(self) -> str: ...
        @property
        def next_update(self) -> str: ...
        def is_stale(self, now: datetime | None = None) -> bool: ...

    class TrustListLike(ListLike, Protocol):
        def candidates(self, kid_hex: str) -> Sequence[EntryLike]: ...
        def verify_envelope(
            self, envelope: Envelope, domain: Domain, purpose: Purpose, what: str = "record"
        ) -> tuple[EntryLike, dict[str, Any]]: ...

    class RevokedLike(Protocol):
        @property
        def reason(self) -> str: ...
        @property
        def revoked_at(self) -> str: ...

    class RevocationListLike(ListLike, Protocol):
        def is_revoked(self, cert_id: str) -> RevokedLike | None: ...

    class ChangeLike(Protocol):
        @property
        def since(self) -> str: ...
        @property
        def reason(self) -> str | None: ...
        @property
        def superseded_by(self) -> str | None: ...

    class StatusListLike(ListLike, Protocol):
        def lookup(self, cti: bytes) -> tuple[CertStatus, ChangeLike | None, date | None] | None: ...
