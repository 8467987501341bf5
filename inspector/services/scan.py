"""Checking a scanned certificate, and the station names a verifier shows beside the verdict.

One use case for both shells: ``inspector verify`` and the app's verify screen check the scanned
text (``verify_payload``) and show the station's English and Hindi names from the local
registry. The names are for display only: they are not part of what is signed, and a station the
registry does not know simply has none.

Nothing here imports pydantic (issue 16 goal 3: ``inspector verify --payload`` at a few times a
bare interpreter start): the lists are read by ``trust.readers`` and the names by
``audit.station_lookup``, each held to the pydantic models' answers by its tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from inspector.audit.station_lookup import registry_names as lookup_names
from inspector.certificates.verify import Verdict, apply_status, verify_payload
from inspector.paths import DataDir
from inspector.trust.verifier import VerifierLists

if TYPE_CHECKING:
    from inspector.trust.verifier import RevocationListLike, StatusListLike, TrustListLike

    Lists = tuple[TrustListLike | None, RevocationListLike | None, StatusListLike | None]

__all__ = ["Scanned", "check_scan", "installed_lists", "registry_names", "with_station_names"]


@dataclass(frozen=True)
class Scanned:
    """A verdict and the registry's names of the station it claims (None when unknown)."""

    verdict: Verdict
    station_en: str | None
    station_hi: str | None

    @property
    def station_name(self) -> str:
        """The station's name as shown: the certificate's own, else the registry's English name."""
        claims = self.verdict.claims
        if claims is None:
            return ""
        return claims.station_name or self.station_en or ""

    @property
    def station_label(self) -> str:
        """How the station line is labelled: a station named by an invalid certificate is only claimed."""
        return "Station" if self.verdict.valid else "Station (as claimed)"


def installed_lists(data: DataDir) -> Lists:
    """The trust list, revocation list and certificate status list installed in ``data``
    (any may be None)."""
    lists = VerifierLists(data)
    return lists.trustlist(), lists.crl(), lists.status()


def registry_names(data: DataDir, verdict: Verdict) -> tuple[str | None, str | None]:
    """(English, Hindi) names of the verdict's station in the local registry, or (None, None)."""
    if verdict.claims is None:
        return None, None
    return lookup_names(data.root, verdict.claims.station_code)


def with_station_names(data: DataDir, verdict: Verdict) -> Scanned:
    english, hindi = registry_names(data, verdict)
    return Scanned(verdict, english, hindi)


def check_scan(data: DataDir, text: str, now: datetime | None = None, *, lists: Lists | None = None) -> Scanned:
    """Verify scanned ``text`` (``PSC1:…`` or a verify link) and name its station.

    ``lists`` are the (trust list, revocation list, status list) to decide with; by default those installed
    in ``data``, read afresh so a list installed a moment ago counts at once. Blocking (disk,
    signatures): the app calls it from a worker.
    """
    trust, crl, status = lists if lists is not None else installed_lists(data)
    verdict = verify_payload(text, trust, crl, now)
    if trust is not None:  # without a trust list the verdict already says no-trust
        apply_status(verdict, status, now)
    return with_station_names(data, verdict)
