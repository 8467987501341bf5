"""HQ's certification decision and the certificate's life, end to end on the command line.

Issue on the laptop -> export -> ``hq import`` -> ``hq decide --grant`` by a reviewer who is not
the auditor -> ``hq status`` -> ``trust install-status``: ``inspector verify`` says VALID; before
the grant it says INVALID ``not-decided``; suspend, restore, supersede and withdraw follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.bundle.export import export_audit
from inspector.certificates.issue import issue_certificate
from inspector.hq.intake import import_bundle
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, MINI_CHECKLIST

Cli = Callable[..., tuple[int, str, str]]
REVIEWER = ("--reviewer-id", "TC-01", "--reviewer-name", "Technical Committee, Member 1")


class World:
    def __init__(self, run: Cli, laptop: DataDir, hq: DataDir, service: Any, key: Any, tmp: Path) -> None:
        self.run, self.laptop, self.hq, self.service, self.key, self.tmp = run, laptop, hq, service, key, tmp
        self.lists = 0

    def certified(self, audit_type: str = "certification") -> tuple[str, str]:
        """A closed, all-conforming audit with its certificate, imported at HQ: (audit, cert id)."""
        summary = self.service.new_audit("GBN-S39", MINI_CHECKLIST, audit_type, self.key, AUDITOR_ID, AUDITOR_NAME)
        with self.service.open(summary.id, key=self.key) as audit:
            for item in audit.checklist.items:
                audit.record(item, "conform")
            audit.close()
        cert = issue_certificate(self.laptop, summary.id, self.key).body
        bundle = self.tmp / f"{summary.id}.zip"
        export_audit(self.service, summary.id, bundle, TrustStore(self.laptop.root).trustlist_bytes())
        import_bundle(self.hq, bundle)
        return str(summary.id), cert.payload

    def publish(self) -> None:
        self.lists += 1
        target = self.tmp / f"status-{self.lists}.json"
        code, _, err = self.run("--data-dir", self.hq.root, "hq", "status", "-o", target)
        assert code == 0, err
        code, _, err = self.run("--data-dir", self.laptop.root, "trust", "install-status", target)
        assert code == 0, err

    def verify(self, payload: str) -> dict[str, Any]:
        code, out, err = self.run("--data-dir", self.laptop.root, "verify", "--payload", payload, "--json")
        verdict: dict[str, Any] = json.loads(out)
        assert code == (0 if verdict["valid"] else 1), err
        return verdict

    def decide(self, audit: str, action: str, *extra: str) -> tuple[int, str, str]:
        return self.run("--data-dir", self.hq.root, "hq", "decide", audit, f"--{action}", *extra, "--note", "reviewed")


@pytest.fixture
def world(
    run_cli: Cli, trust_env: DataDir, hq_env: DataDir, audit_service: Any, auditor_key: Any, tmp_path: Path
) -> World:
    return World(run_cli, trust_env, hq_env, audit_service, auditor_key, tmp_path)


def test_granted_by_a_reviewer_then_valid(world: World) -> None:
    audit, payload = world.certified()
    verdict = world.verify(payload)
    assert verdict["verdict"] == "INVALID" and verdict["reasons"] == ["not-decided"]
    world.publish()  # a status list that does not name the certificate yet
    assert world.verify(payload)["reasons"] == ["not-decided"]
    code, out, err = world.decide(audit, "grant", *REVIEWER)
    assert code == 0, err
    world.publish()
    verdict = world.verify(payload)
    assert verdict["verdict"] == "VALID" and verdict["status"] == "granted" and verdict["decided_on"]
    code, out, _ = world.run("--data-dir", world.laptop.root, "cert", "list", "--json")
    [row] = json.loads(out)
    assert row["id"] == verdict["certificate"]["id"] and row["status"] == "granted"


def test_the_auditor_cannot_decide_on_their_own_audit(world: World) -> None:
    audit, _ = world.certified()
    code, _, err = world.decide(audit, "grant", "--reviewer-id", AUDITOR_ID, "--reviewer-name", AUDITOR_NAME)
    assert code == 2 and "did not audit" in err and err.count("\n") == 1


def test_a_decision_on_an_audit_hq_has_not_imported_is_refused(world: World) -> None:
    code, _, err = world.decide("0123456789ab", "grant", *REVIEWER)
    assert code == 2 and "has not imported" in err


def test_suspend_restore_and_withdraw(world: World) -> None:
    audit, payload = world.certified()
    assert world.decide(audit, "grant", *REVIEWER)[0] == 0
    cert_id = world.verify(payload)["certificate"]["id"]
    run, hq = world.run, world.hq.root
    assert run("--data-dir", hq, "hq", "suspend", cert_id, "--reason", "surveillance overdue")[0] == 0
    world.publish()
    verdict = world.verify(payload)
    assert verdict["reasons"] == ["suspended"] and "surveillance overdue" in verdict["messages"][0]
    assert run("--data-dir", hq, "hq", "restore", cert_id, "--note", "surveillance done")[0] == 0
    world.publish()
    assert world.verify(payload)["verdict"] == "VALID"
    assert run("--data-dir", hq, "hq", "withdraw", cert_id, "--reason", "station closed")[0] == 0
    world.publish()
    assert world.verify(payload)["reasons"] == ["withdrawn"]
    code, _, err = run("--data-dir", hq, "hq", "restore", cert_id, "--note", "again")
    assert code == 2 and "withdrawn" in err


def test_a_granted_recertification_supersedes_the_old_certificate(world: World) -> None:
    first, old = world.certified()
    assert world.decide(first, "grant", *REVIEWER)[0] == 0
    second, new = world.certified("recertification")
    assert world.decide(second, "grant", *REVIEWER)[0] == 0
    world.publish()
    assert world.verify(new)["verdict"] == "VALID"
    verdict = world.verify(old)
    assert verdict["reasons"] == ["superseded"]


def test_surveillance_maintains_and_never_grants(world: World) -> None:
    first, payload = world.certified()
    assert world.decide(first, "grant", *REVIEWER)[0] == 0
    code, _, err = world.decide(first, "maintain", *REVIEWER)
    assert code == 2 and "surveillance" in err


def test_a_status_list_is_no_rollback_and_not_from_the_future(world: World) -> None:
    audit, _ = world.certified()
    world.publish()
    assert world.decide(audit, "grant", *REVIEWER)[0] == 0
    world.publish()
    code, _, err = world.run("--data-dir", world.laptop.root, "trust", "install-status", world.tmp / "status-1.json")
    assert code == 2 and "rollback refused" in err
