"""The forked child checks signatures from the last record backwards while the parent, once it
has parsed the chain, checks from the first forwards and takes the child's verdicts as they
arrive: however far the child gets (all the way, part of the way, nowhere, or it dies), the
report is the report of checking every record here, and the parent never waits for the child."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest

import inspector.audit.chain_work as chain_work
from inspector.audit.verify import verify_local
from inspector.trust.store import TrustStore
from tests.helpers import rewrite_records, stored_records, stored_seal


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_work, "_may_fork", lambda: True)
    monkeypatch.setattr(chain_work, "FORK_MIN", 8)


def _report(service: Any, audit_id: str) -> Any:
    return verify_local(service, audit_id, TrustStore(service.data.root).trustlist())


def _tamper(service: Any, audit_id: str) -> None:
    docs, seal = stored_records(service, audit_id), stored_seal(service, audit_id)
    docs = [dict(doc) for doc in docs]
    for index in (3, len(docs) - 5):  # one the parent checks, one the child reaches first
        docs[index]["sig"] = docs[index + 1]["sig"]
    rewrite_records(service, audit_id, docs, seal)


@pytest.mark.parametrize("child", ["fast", "slow", "stuck", "dead"])
def test_the_report_is_the_same_however_far_the_child_gets(
    audit_service: Any, chain: str, forking: None, monkeypatch: pytest.MonkeyPatch, child: str
) -> None:
    _tamper(audit_service, chain)
    with pytest.MonkeyPatch.context() as alone:
        alone.setattr(chain_work, "_may_fork", lambda: False)
        expected = _report(audit_service, chain)
    assert not expected.ok and sum("bad signature" in p for p in expected.problems) == 2
    verdict_of = chain_work._verdict_of
    if child == "slow":  # the parent overtakes it: most verdicts are the parent's own

        def slow(key: Any, doc: Any) -> int:
            time.sleep(0.005)
            return verdict_of(key, doc)

        monkeypatch.setattr(chain_work, "_verdict_of", slow)
    elif child == "stuck":  # never sends a verdict: a parent that waited for it would hang here
        monkeypatch.setattr(chain_work, "_verdict_of", lambda key, doc: time.sleep(3600))
    elif child == "dead":
        monkeypatch.setattr(chain_work, "_verdict_of", lambda key, doc: os._exit(3))

    def hung(*_args: Any) -> None:
        raise AssertionError("the parent waited for the child")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        got = _report(audit_service, chain)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert got.problems == expected.problems and got.warnings == expected.warnings


def test_the_child_sends_the_last_records_first(audit_service: Any, chain: str, forking: None) -> None:
    docs = stored_records(audit_service, chain)
    with chain_work.verify_ahead(docs) as ahead:
        assert ahead is not None
        ahead.verdict(len(docs))  # waits for the child to finish
        assert ahead._got[0] == 1 and len(ahead._got) == len(docs) - ahead.start
        assert ahead.known(len(docs)) is True and ahead.known(ahead.start) is None
