"""Fixtures of the phone verifier's tests: the browser, and a page published around today.

Chromium must be installed: CI's .ci/run installs Debian's ``chromium``, and under CI (``CI`` set)
a missing browser fails these tests. On a developer's machine without it they are skipped with
the install hint, so the README's test command still works with Python alone.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.crypto.signing import Domain
from inspector.hq.publish import publish_verifier
from inspector.trust.lists import CRL_FORMAT, TRUSTLIST_FORMAT
from inspector.trust.status import STATUS_FORMAT, day_number

from . import statusvectors as SV
from . import webvectors as W
from .browser import BASE_URL, find_chromium


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path:
        return path
    message = (
        "Chromium is not installed, and the phone verifier is tested in a real browser. "
        "Install it (Debian/Ubuntu: apt-get install -y chromium); CI's .ci/run does this itself."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# One certificate for every decision HQ can give, dated around now (ids: statusvectors).
LIVE_CTIS = {
    "valid": SV.GRANTED_CTI,
    "not-decided": SV.UNDECIDED_CTI,
    "suspended": SV.SUSPENDED_CTI,
    "withdrawn": SV.WITHDRAWN_CTI,
    "superseded": SV.SUPERSEDED_CTI,
    "revoked": bytes.fromhex("99887766554433221100"),  # in the CRL and in the status list
}


def live_lists(now: datetime, *, status_seq: int = 1, granted: bool = True) -> dict[str, bytes]:
    """The trust list, CRL and status list HQ would publish at ``now``: the certificate ``valid``
    granted three days ago (unless ``granted`` is false), every other status of LIVE_CTIS."""
    auditor = W.Auditor(
        "UP/GBN/A17",
        "Sunita Devi",
        W.ACTIVE.signing,
        use_from=now - timedelta(days=100),
        use_until=now + timedelta(days=200),
    )
    trustlist = W.signed_document(
        TRUSTLIST_FORMAT,
        Domain.TRUSTLIST,
        W.trustlist_payload([auditor.entry()], issued_at=now - timedelta(days=1), next_update=now + timedelta(days=29)),
    )
    revoked = {
        "cert_id": base64.b32encode(LIVE_CTIS["revoked"]).decode(),
        "reason": "issued for the wrong station",
        "revoked_at": W.t(now - timedelta(days=2)),
    }
    crl_payload = W.crl_payload(issued_at=now - timedelta(days=1), next_update=now + timedelta(days=29))
    crl_payload["entries"] = [revoked]
    decided = W.t(now - timedelta(days=3))
    changes = [
        {
            "cert_id": SV.cid(SV.SUSPENDED_CTI),
            "status": "suspended",
            "since": W.t(now - timedelta(days=2)),
            "decided_at": W.t(now - timedelta(days=200)),
            "reason": "surveillance audit overdue",
        },
        {
            "cert_id": SV.cid(SV.WITHDRAWN_CTI),
            "status": "withdrawn",
            "since": W.t(now - timedelta(days=2)),
            "decided_at": W.t(now - timedelta(days=200)),
            "reason": "major nonconformity not corrected after suspension",
        },
        {
            "cert_id": SV.cid(SV.SUPERSEDED_CTI),
            "status": "superseded",
            "since": decided,
            "decided_at": W.t(now - timedelta(days=1000)),
            "superseded_by": SV.cid(SV.GRANTED_CTI),
        },
        {
            "cert_id": revoked["cert_id"],
            "status": "revoked",
            "since": revoked["revoked_at"],
            "reason": revoked["reason"],
        },
    ]
    status = SV.status_payload(
        seq=status_seq,
        issued_at=now - timedelta(hours=1),
        next_update=now + timedelta(days=7),
        granted=[(SV.GRANTED_CTI, day_number(decided))] if granted else [],
        changes=changes,
    )
    return {
        "trustlist": trustlist.encode(),
        "crl": W.signed_document(CRL_FORMAT, Domain.CRL, crl_payload).encode(),
        "status": W.signed_document(STATUS_FORMAT, Domain.STATUS, status).encode(),
    }


@pytest.fixture(scope="module")
def live() -> dict[str, Any]:
    """Lists and certificates dated around the real time, published with ``publish_verifier``."""
    now = datetime.now(UTC).replace(microsecond=0)
    times = {"iat": W.epoch(now - timedelta(days=10)), "exp": W.epoch(now + timedelta(days=355))}
    out: dict[str, Any] = {"now": now, **live_lists(now)}
    for name, cti in LIVE_CTIS.items():
        out[name] = W.cert(cti=cti, **times)
    out["tampered"] = W.flip_payload_bit(out["valid"])
    return out


def publish(directory: Path, lists: dict[str, Any], **kw: Any) -> Path:
    return publish_verifier(
        directory, lists["trustlist"], lists["crl"], [W.ROOT.public], BASE_URL, status_bytes=lists["status"], **kw
    )


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory, live: dict[str, Any]) -> Path:
    return publish(tmp_path_factory.mktemp("site") / "verify", live)
