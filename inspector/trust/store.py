"""What one machine trusts: its pinned HQ roots and the installed trust list and revocation list.

Installing never rolls back: a document is accepted only when a pinned root signed it and its
``seq`` is higher than the installed one (the same bytes again are a harmless no-op)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from inspector._io.atomic import write_private
from inspector._io.locks import file_lock
from inspector.crypto.canonical import parse_time, utcnow
from inspector.crypto.signing import (
    PublicKey,
    read_public_pem,
)
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust.documents import load_crl, load_status, load_trustlist, peek_seq
from inspector.trust.lists import (
    CRL_FORMAT,
    MAX_PINNED,
    TRUSTLIST_FORMAT,
    RevocationList,
    TrustList,
    kid_arg,
)
from inspector.trust.status import STATUS_FORMAT, StatusList
from inspector.trust.verifier import pin_files, pinned_roots, read_installed, refuse_older


class TrustStore(DataDir):
    """The pinned roots and installed trust list / CRL of one data directory."""

    @property
    def _lock(self) -> Path:
        return self.trust / ".lock"

    # pinned roots -----------------------------------------------------------------------------
    def _pin_files(self) -> list[Path]:
        return pin_files(self)

    def pinned(self) -> list[PublicKey]:
        """The pinned HQ root keys (each screened; a bad pin file is a ``UserError`` naming it)."""
        return pinned_roots(self)

    def pin(self, pem_bytes: bytes, what: str = "HQ public key") -> PublicKey:
        """Pin an HQ root key; pinning the same key again is a no-op; a third key is refused."""
        key = read_public_pem(pem_bytes, what)
        with file_lock(self._lock, "the trust store"):
            pinned = self.pinned()
            if key in pinned:
                return key
            if len(pinned) >= MAX_PINNED:
                pins = ", ".join(p.kid_hex for p in pinned)
                raise UserError(
                    f"already {MAX_PINNED} pinned HQ roots ({pins}); unpin one with 'inspector trust unpin KID' first"
                )
            write_private(self.pinned_roots / f"{key.kid_hex}.pem", key.to_pem(), mode=0o644)
        return key

    def unpin(self, kid_hex: str) -> PublicKey:
        kid_hex = kid_arg(kid_hex)
        with file_lock(self._lock, "the trust store"):
            for path in self._pin_files():
                key = read_public_pem(path.read_bytes(), f"pinned root {path}")
                if key.kid_hex == kid_hex:
                    path.unlink()
                    return key
        raise UserError(f"no pinned HQ root has kid {kid_hex}")

    # installed documents --------------------------------------------------------------------
    def _read(self, path: Path) -> bytes | None:
        return read_installed(path)

    def trustlist_bytes(self) -> bytes | None:
        """The installed trust-list file exactly as installed (for bundles), or None."""
        return self._read(self.installed_trustlist)

    def crl_bytes(self) -> bytes | None:
        return self._read(self.installed_crl)

    def trustlist(self) -> TrustList | None:
        """The installed trust list, re-verified against the pinned roots; None if none installed."""
        data = self.trustlist_bytes()
        if data is None:
            return None
        return load_trustlist(data, self.pinned(), f"installed trust list {self.installed_trustlist}")

    def crl(self) -> RevocationList | None:
        data = self.crl_bytes()
        if data is None:
            return None
        return load_crl(data, self.pinned(), f"installed revocation list {self.installed_crl}")

    def _install(self, data: bytes, target: Path, fmt: str, loader: Any, what: str) -> Any:
        pinned = self.pinned()
        document = loader(data, pinned, what)
        _refuse_future(document, what)
        with file_lock(self._lock, "the trust store"):
            current = self._read(target)
            installed: int | None = None
            if current is not None:
                # The installed seq is trusted only once its signature verifies under a root
                # pinned *now*: a list from a root since unpinned (or a damaged file) cannot lock
                # out HQ's genuine lists by claiming a huge seq.
                try:
                    installed = loader(current, pinned, f"installed {target}").seq
                except UserError:
                    installed = None
            if current is not None and installed is not None:
                if document.seq < installed:
                    raise UserError(
                        f"{what}: seq {document.seq} is older than the installed seq {installed} (rollback refused)"
                    )
                if document.seq == installed:
                    if current == data:
                        return document
                    raise UserError(f"{what}: seq {document.seq} is already installed with different content; refused")
            write_private(target, data, mode=0o644)
        return document

    def given_trustlist(self, data: bytes, what: str) -> TrustList:
        """A trust list handed in for one verification (``verify --trust F``): signed by a pinned
        root, and not older than the installed one (no rollback by this door either)."""
        document = load_trustlist(data, self.pinned(), what)
        installed = self.trustlist()
        _refuse_older(document.seq, installed.seq if installed else None, what, "trust list")
        return document

    def given_crl(self, data: bytes, what: str) -> RevocationList:
        """A revocation list handed in for one verification (``verify --revocations F``)."""
        document = load_crl(data, self.pinned(), what)
        installed = self.crl()
        _refuse_older(document.seq, installed.seq if installed else None, what, "revocation list")
        return document

    def install(self, data: bytes, what: str = "trust list") -> TrustList:
        """Install a trust-list file if it is signed by a pinned root and newer than the installed one."""
        document: TrustList = self._install(data, self.installed_trustlist, TRUSTLIST_FORMAT, load_trustlist, what)
        return document

    def status_bytes(self) -> bytes | None:
        return self._read(self.installed_status)

    def status(self) -> StatusList | None:
        """The installed certificate status list, re-verified; None if none is installed."""
        data = self.status_bytes()
        if data is None:
            return None
        return load_status(data, self.pinned(), f"installed certificate status list {self.installed_status}")

    def install_status(self, data: bytes, what: str = "certificate status list") -> StatusList:
        """Install HQ's certificate status list under the same pinning and no-rollback rules."""
        document: StatusList = self._install(data, self.installed_status, STATUS_FORMAT, load_status, what)
        return document

    def given_status(self, data: bytes, what: str) -> StatusList:
        """A status list handed in for one verification (``verify --status F``): not older than installed."""
        document = load_status(data, self.pinned(), what)
        installed = self.status()
        _refuse_older(document.seq, installed.seq if installed else None, what, "certificate status list")
        return document

    def install_crl(self, data: bytes, what: str = "revocation list") -> RevocationList:
        """Install a CRL file under the same pinning and no-rollback rules."""
        document: RevocationList = self._install(data, self.installed_crl, CRL_FORMAT, load_crl, what)
        return document

    def installed_seq(self) -> int | None:
        data = self.trustlist_bytes()
        return None if data is None else peek_seq(data, TRUSTLIST_FORMAT, f"installed {self.installed_trustlist}")

    def installed_crl_seq(self) -> int | None:
        data = self.crl_bytes()
        return None if data is None else peek_seq(data, CRL_FORMAT, f"installed {self.installed_crl}")

    def installed_status_seq(self) -> int | None:
        data = self.status_bytes()
        return None if data is None else peek_seq(data, STATUS_FORMAT, f"installed {self.installed_status}")


FUTURE_SKEW = timedelta(minutes=5)


def _refuse_future(document: Any, what: str) -> None:
    """A list issued in the future would make every verification say the clock is wrong."""
    issued = parse_time(document.issued_at)
    if issued > utcnow() + FUTURE_SKEW:
        raise UserError(
            f"{what}: issued at {document.issued_at}, which is in the future for this machine's clock; "
            "check the date and time here (or HQ's), then install it again",
            code="issued-in-future",
        )


_refuse_older = refuse_older
