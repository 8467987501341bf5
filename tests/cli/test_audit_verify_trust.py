"""``audit verify`` exits 0 only when the signers were checked against a trust list: without
one, a chain re-signed by a forger with a key of their own is intact too."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from inspector.paths import DataDir
from inspector.trust.store import TrustStore

Cli = Callable[..., tuple[int, str, str]]


def test_without_a_trust_list_an_intact_audit_is_not_verified(
    run_cli: Cli, trust_env: DataDir, closed_audit: str
) -> None:
    TrustStore(trust_env.root).installed_trustlist.unlink()
    code, out, _ = run_cli("--data-dir", trust_env.root, "audit", "verify", closed_audit)
    assert code == 1 and "NOT VERIFIED" in out and "trust list" in out
    code, out, _ = run_cli("--data-dir", trust_env.root, "audit", "verify", closed_audit, "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is True and report["trusted"] is False


def test_with_the_trust_list_an_intact_audit_verifies(run_cli: Cli, trust_env: DataDir, closed_audit: str) -> None:
    code, out, err = run_cli("--data-dir", trust_env.root, "audit", "verify", closed_audit, "--json")
    report: dict[str, Any] = json.loads(out)
    assert code == 0, err
    assert report["ok"] is True and report["trusted"] is True
