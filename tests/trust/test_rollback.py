"""No rollback by any door: not by ``verify --trust F``, not by an installed list whose root was
unpinned, not by a list issued in the future, and not by a bundle signed with a revoked key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.bundle.export import export_audit
from inspector.crypto.canonical import utcnow
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.hq.enrolment import HQ
from inspector.hq.intake import ImportRefused, import_bundle
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import PASSPHRASE

Cli = Callable[..., tuple[int, str, str]]


def _newer_list(hq_env: DataDir, trust_env: DataDir) -> bytes:
    """HQ signs a newer trust list (seq + 1) and the laptop installs it; returns the old bytes."""
    store = TrustStore(trust_env.root)
    old = store.trustlist_bytes()
    assert old is not None
    hq = HQ(hq_env.root)
    hq.retire(hq.entries()[0].kid)
    store.install(hq.export_trustlist(PASSPHRASE))
    return old


def test_verify_with_an_older_trust_list_than_installed_is_refused(
    run_cli: Cli, trust_env: DataDir, hq_env: DataDir, tmp_path: Path
) -> None:
    old = tmp_path / "old-trustlist.json"
    old.write_bytes(_newer_list(hq_env, trust_env))
    code, _, err = run_cli("--data-dir", trust_env.root, "verify", "--payload", "PSC1:AAAA", "--trust", old)
    assert code == 2 and "rollback refused" in err and err.count("\n") == 1


def test_an_installed_list_from_an_unpinned_root_cannot_lock_out_hq(trust_env: DataDir, hq_env: DataDir) -> None:
    """A rogue list with a huge seq, installed under a root pinned at the time, is ignored once
    that root is unpinned: HQ's genuine list installs."""
    store = TrustStore(trust_env.root)
    rogue = HQ(trust_env.root / "rogue-hq")
    rogue.init("Rogue", PASSPHRASE, scrypt_n=2**14)
    rogue_root = rogue.unlock(PASSPHRASE)
    store.pin(rogue_root.public.to_pem())
    for _ in range(5):  # push the rogue list's seq above HQ's
        rogue.enroll(SigningKey.generate().public, "X", "AUD-9", PASSPHRASE)
    store.install(rogue.export_trustlist(PASSPHRASE))
    (store.pinned_roots / f"{rogue_root.public.kid_hex}.pem").unlink()  # HQ's root alone is pinned again
    hq = HQ(hq_env.root)
    genuine = hq.export_trustlist(PASSPHRASE, refresh=True)
    installed = store.install(genuine)
    assert installed.issuer.kid_hex == hq.root_public().kid_hex


def test_a_trust_list_issued_in_the_future_is_refused_at_install(trust_env: DataDir, hq_env: DataDir) -> None:
    hq = HQ(hq_env.root)
    future = hq.export_trustlist(PASSPHRASE, refresh=True, now=utcnow() + timedelta(days=2))
    with pytest.raises(UserError, match="in the future") as caught:
        TrustStore(trust_env.root).install(future)
    assert caught.value.code == "issued-in-future"


def test_a_bundle_signed_by_a_key_hq_revoked_is_refused_at_import(
    hq_env: DataDir, audit_service: Any, closed_audit: str, auditor_key: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "audit.zip"
    laptop_list = TrustStore(audit_service.data.root).trustlist_bytes()
    export_audit(audit_service, closed_audit, bundle, laptop_list)  # carries the list from before
    HQ(hq_env.root).revoke_key(auditor_key.public.kid_hex, "laptop stolen")
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_env, bundle)
    assert any("revoked-key" in reason for reason in caught.value.reasons)
