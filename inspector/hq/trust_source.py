"""Which trust list checks an audit's signers on this machine, and where it came from."""

from __future__ import annotations

from typing import Any

from inspector.bundle.reader import BundleReader
from inspector.errors import UserError
from inspector.hq.enrolment import HQ
from inspector.paths import DataDir
from inspector.trust.store import TrustStore


def choose_trust(data: DataDir, reader: BundleReader | None, *, required: bool) -> tuple[Any | None, str]:
    """The trust list to check signers against here, and where it came from.

    HQ's own register is authoritative where the HQ key lives (it knows revocations not yet
    published); elsewhere the installed trust list; failing both, a bundle's own list is
    accepted only if a pinned root signed it. With none and ``required``: a ``UserError``.
    """

    if data.hq_key.exists():
        return HQ(data.root).current_trustlist(), "HQ register"
    store = TrustStore(data.root)
    installed = store.trustlist()
    if installed is not None:
        return installed, "installed trust list"
    if reader is not None:
        own = reader.trustlist(store.pinned())
        if own is not None:
            return own, "bundle's trust list (signed by a pinned root)"
    if required:
        raise UserError(
            "no trust list to check the bundle against: run 'inspector hq init' here, or install a trust list "
            "('inspector trust install'), or pin the HQ root key"
        )
    return None, "none"
