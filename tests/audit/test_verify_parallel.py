"""A long chain's signatures and evidence hashes are checked on several threads, and the report is
exactly the report of checking one record after the other: same problems, same order.

Tampering of every kind sits in a chain long enough to take the parallel path; the two paths are
compared problem by problem, against the trust list and against the audit's own key alone.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import inspector.audit.chain_work as chain_work
from inspector.audit.audit import Audit
from inspector.audit.chain_check import verify_chain
from inspector.audit.evidence import check_stored
from inspector.audit.layout import EVIDENCE_DIR, load_audit_checklist
from inspector.audit.verify import TrustCheck, verify_local
from inspector.trust.store import TrustStore
from tests.helpers import MINI_ANSWERS, stored_records, stored_seal


@pytest.fixture
def long_audit(audit_service: Any, auditor_key: Any, open_audit: str, tmp_path: Path) -> str:
    """A closed audit of 1 + 5 x 16 + 1 records, photos on several findings."""
    photos = []
    for n in range(3):
        photo = tmp_path / f"photo-{n}.jpg"
        photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes([n]) * 5000)
        photos.append(photo)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        assert isinstance(audit, Audit)
        for n in range(16):
            for item, (status, note, reason) in MINI_ANSWERS.items():
                evidence = [photos[n % 3]] if status in ("minor", "conform") and n < 6 else []
                audit.record(
                    item,
                    status,
                    note=f"{note or 'ok'} #{n}",
                    evidence=evidence,
                    reason=reason,
                    due="2099-03-31" if status == "minor" else None,
                )
        audit.close()
    return open_audit


def _check(
    service: Any, audit_id: str, docs: list[Any], seal: Any, trusted: bool, parallel_min: int, fork: bool = False
) -> Any:
    folder = service.data.audit_dir(audit_id)
    trust = TrustStore(service.data.root).trustlist() if trusted else None
    chain_work.PARALLEL_MIN = parallel_min
    ahead = chain_work.verify_ahead(docs) if fork else None
    assert (ahead is not None) == fork
    try:
        return verify_chain(
            docs,
            seal,
            load_audit_checklist(folder),
            TrustCheck(trust) if trust is not None else None,
            lambda ref: check_stored(ref, folder / EVIDENCE_DIR),
            expected_audit=audit_id,
            ahead=ahead,
        )
    finally:
        chain_work.PARALLEL_MIN = 64
        if ahead is not None:
            ahead.close()


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the signature checks fork even here (pytest-xdist runs a thread of its own), and for
    a chain of this test's size."""
    monkeypatch.setattr(chain_work, "_may_fork", lambda: True)
    monkeypatch.setattr(chain_work, "FORK_MIN", 8)


def _tampered(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    docs = [dict(doc) for doc in docs]
    docs[9]["sig"] = docs[10]["sig"]  # a signature of another record
    docs[20] = {**docs[20], "payload": docs[20]["payload"].replace("#3", "#4", 1)}  # an edited note
    docs[30]["sig"] = "not base64!"
    del docs[40]  # a record removed
    docs[50] = {"kid": docs[50]["kid"], "payload": "{}"}  # a damaged envelope
    docs.insert(60, docs[59])  # a record duplicated
    return docs


@pytest.mark.parametrize("trusted", [True, False])
def test_the_parallel_check_reports_what_the_sequential_one_does(
    audit_service: Any, long_audit: str, trusted: bool
) -> None:
    docs, seal = stored_records(audit_service, long_audit), stored_seal(audit_service, long_audit)
    assert len(docs) >= chain_work.PARALLEL_MIN  # long enough for the parallel path by default
    folder = Path(audit_service.data.audit_dir(long_audit)) / EVIDENCE_DIR
    victim = sorted(folder.iterdir())[0]
    victim.write_bytes(victim.read_bytes() + b"!")  # an evidence file altered
    tampered = _tampered(docs)
    one_by_one = _check(audit_service, long_audit, tampered, seal[0], trusted, parallel_min=10**9)
    parallel = _check(audit_service, long_audit, tampered, seal[0], trusted, parallel_min=2)
    assert parallel.problems == one_by_one.problems and parallel.warnings == one_by_one.warnings
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chain_work, "_may_fork", lambda: True)
        patch.setattr(chain_work, "FORK_MIN", 8)
        forked = _check(audit_service, long_audit, tampered, seal[0], trusted, parallel_min=2, fork=True)
    assert forked.problems == one_by_one.problems and forked.warnings == one_by_one.warnings
    problems = one_by_one.problems
    assert any(p.startswith("record 10 ") and "bad signature" in p for p in problems)
    assert any(p.startswith("record 21 ") and "bad signature" in p for p in problems)
    assert any(p.startswith("record 31 ") and "bad signature" in p for p in problems)
    assert any("evidence" in p and "does not match its hash" in p for p in problems)
    assert any("appears twice" in p for p in problems)
    # Problems come in record order, as a sequential check states them.
    firsts = [int(p.split()[1]) for p in problems if p.startswith("record ") and p.split()[1].isdigit()]
    assert firsts == sorted(firsts)


def test_an_intact_long_audit_verifies_on_several_threads(
    audit_service: Any, long_audit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: set[str] = set()
    verify_batch = chain_work._verify_batch

    def spy(batch: Any) -> list[bool]:
        seen.add(threading.current_thread().name)
        return verify_batch(batch)

    monkeypatch.setattr(chain_work, "_verify_batch", spy)
    monkeypatch.setattr(chain_work, "_cores", lambda: 2)
    report = verify_local(audit_service, long_audit, TrustStore(audit_service.data.root).trustlist())
    assert report.ok, report.problems
    assert report.records == 82 and report.sealed
    assert any(name.startswith("chain-check") for name in seen), seen


def test_a_short_chain_starts_no_thread(audit_service: Any, closed_audit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    monkeypatch.setattr(chain_work, "ThreadPoolExecutor", lambda *a: started.append(a))
    report = verify_local(audit_service, closed_audit, None)
    assert report.ok and not started


def test_signatures_checked_in_a_forked_child_are_the_parents_verdicts(
    audit_service: Any, long_audit: str, forking: None
) -> None:
    docs = stored_records(audit_service, long_audit)
    docs[30] = {**docs[30], "sig": docs[31]["sig"]}
    with chain_work.verify_ahead(docs) as ahead:
        assert ahead is not None and ahead.start == int(len(docs) * chain_work.AHEAD_KEEP)
        key = ahead.key
        for position in range(ahead.start + 1, len(docs) + 1):
            assert ahead.covers(position, key)
            assert ahead.verdict(position) is (position != 31), position
        assert not ahead.covers(ahead.start, key)
    report = verify_local(audit_service, long_audit, None)  # through verify_local's own fork
    assert report.ok, report.problems


def test_a_child_that_dies_leaves_the_parent_to_check_everything(
    audit_service: Any, long_audit: str, forking: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setattr(chain_work, "_verdict_of", lambda key, doc: os._exit(3))
    docs, seal = stored_records(audit_service, long_audit), stored_seal(audit_service, long_audit)
    docs[40] = {**docs[40], "sig": docs[41]["sig"]}
    forked = _check(audit_service, long_audit, docs, seal[0], True, parallel_min=2, fork=True)
    alone = _check(audit_service, long_audit, docs, seal[0], True, parallel_min=10**9)
    assert forked.problems == alone.problems and any("record 41 " in p for p in forked.problems)


def test_no_child_for_a_chain_without_a_usable_opening_record(
    audit_service: Any, long_audit: str, forking: None
) -> None:
    docs = stored_records(audit_service, long_audit)
    assert chain_work.verify_ahead([{"kid": "0" * 16, "payload": "{}", "sig": ""}, *docs[1:]]) is None
    assert chain_work.verify_ahead(docs[:4]) is None  # shorter than FORK_MIN
