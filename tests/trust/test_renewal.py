"""Renewal never voids the past: a key keeps the history of its signing windows.

``hq enroll --renew`` (of an active key, or of a retired one) ends the current window and adds a
new one; every certificate and finding the key signed inside any window it held stays valid on
the CLI's verifier, in ``audit verify`` and at HQ's import.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.verify import verify_local
from inspector.bundle.export import export_audit
from inspector.certificates.issue import issue_certificate
from inspector.certificates.verify import verify_payload
from inspector.crypto.canonical import utcnow
from inspector.hq.enrolment import HQ
from inspector.hq.intake import import_bundle
from inspector.paths import DataDir
from inspector.trust.lists import KeyStatus
from inspector.trust.store import TrustStore
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, MINI_CHECKLIST, PASSPHRASE


@pytest.fixture(autouse=True)
def later_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The laptop's clock runs on with HQ's renewals below (days from now), so installing the
    lists HQ signs then is not refused as issued in the future."""
    real = utcnow
    monkeypatch.setattr("inspector.trust.store.utcnow", lambda: real() + timedelta(days=10))


@pytest.fixture
def certifiable(audit_service: Any, auditor_key: Any) -> str:
    """A closed audit of the mini checklist with every item conforming."""
    summary = audit_service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", auditor_key, AUDITOR_ID, AUDITOR_NAME)
    with audit_service.open(summary.id, key=auditor_key) as audit:
        for item in audit.checklist.items:
            audit.record(item, "conform", note="seen on site")
        audit.close()
    return str(summary.id)


def _renew(hq_env: DataDir, trust_env: DataDir, public: Any, days_later: int, *, retire_first: bool = False) -> Any:
    """Renew the auditor's key at HQ ``days_later`` days from now; install the new list."""
    hq = HQ(hq_env.root)
    when = utcnow() + timedelta(days=days_later)
    if retire_first:
        hq.retire(public.kid_hex, now=when - timedelta(hours=1))
    hq.enroll(public, AUDITOR_NAME, AUDITOR_ID, PASSPHRASE, renew=True, valid_days=90, now=when)
    TrustStore(trust_env.root).install(hq.export_trustlist(PASSPHRASE, now=when))
    return TrustStore(trust_env.root).trustlist()


def test_a_certificate_signed_before_renewal_stays_valid(
    trust_env: DataDir, hq_env: DataDir, certifiable: str, auditor_key: Any
) -> None:
    issued = issue_certificate(trust_env, certifiable, auditor_key)
    trustlist = _renew(hq_env, trust_env, auditor_key.public, days_later=2)
    windows = [(e.status, e.use_from, e.use_until) for e in trustlist.candidates(auditor_key.public.kid_hex)]
    assert [status for status, _, _ in windows] == [KeyStatus.RETIRED, KeyStatus.ACTIVE]
    verdict = verify_payload(issued.body.payload, trustlist, None, now=utcnow() + timedelta(days=3))
    assert verdict.valid, verdict.messages
    assert verdict.entry is not None and verdict.entry.status == KeyStatus.RETIRED  # judged by its own window


def test_renewing_a_retired_key_keeps_its_old_window(
    trust_env: DataDir, hq_env: DataDir, certifiable: str, auditor_key: Any
) -> None:
    issued = issue_certificate(trust_env, certifiable, auditor_key)
    trustlist = _renew(hq_env, trust_env, auditor_key.public, days_later=5, retire_first=True)
    verdict = verify_payload(issued.body.payload, trustlist, None, now=utcnow() + timedelta(days=6))
    assert verdict.valid, verdict.messages


def test_findings_recorded_before_renewal_still_verify_and_import(
    trust_env: DataDir, hq_env: DataDir, audit_service: Any, closed_audit: str, auditor_key: Any, tmp_path: Path
) -> None:
    trustlist = _renew(hq_env, trust_env, auditor_key.public, days_later=2)
    report = verify_local(audit_service, closed_audit, trustlist)
    assert report.ok, report.problems
    bundle = tmp_path / "audit.zip"
    export_audit(audit_service, closed_audit, bundle, TrustStore(trust_env.root).trustlist_bytes())
    result = import_bundle(hq_env, bundle)
    assert result.new and result.audit.id == closed_audit


def test_a_revocation_covers_every_window_of_the_key(
    trust_env: DataDir, hq_env: DataDir, certifiable: str, auditor_key: Any
) -> None:
    issued = issue_certificate(trust_env, certifiable, auditor_key)
    _renew(hq_env, trust_env, auditor_key.public, days_later=2)
    hq = HQ(hq_env.root)
    hq.revoke_key(auditor_key.public.kid_hex, "laptop stolen", now=utcnow() + timedelta(days=2, hours=1))
    TrustStore(trust_env.root).install(hq.export_trustlist(PASSPHRASE, now=utcnow() + timedelta(days=2, hours=1)))
    trustlist = TrustStore(trust_env.root).trustlist()
    assert {e.status for e in trustlist.candidates(auditor_key.public.kid_hex)} == {KeyStatus.REVOKED}
    verdict = verify_payload(issued.body.payload, trustlist, None, now=utcnow() + timedelta(days=3))
    assert not verdict.valid and verdict.reasons == ["revoked-key"]
