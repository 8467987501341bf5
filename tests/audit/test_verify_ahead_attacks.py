"""The forked signature child (audit/chain_work.py Ahead): the child's verdicts are
taken only for the records it covers, under the key it used, and a bad signature at any
position, on either side of the parent/child boundary, is reported exactly as the sequential
check reports it; the child is reaped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import inspector.audit.chain_work as chain_work
from inspector.audit.verify import verify_local
from inspector.crypto.signing import Domain, SigningKey, b64encode
from inspector.trust.store import TrustStore
from tests.helpers import rewrite_records, stored_records, stored_seal

ROGUE = SigningKey.from_raw(bytes(range(7, 39)))


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_work, "_may_fork", lambda: True)
    monkeypatch.setattr(chain_work, "FORK_MIN", 8)


def _report(service: Any, audit_id: str) -> Any:
    return verify_local(service, audit_id, TrustStore(service.data.root).trustlist())


def _sequential(service: Any, audit_id: str) -> Any:
    with pytest.MonkeyPatch.context() as alone:
        alone.setattr(chain_work, "_may_fork", lambda: False)
        return _report(service, audit_id)


def _resign(service: Any, audit_id: str, positions: list[int]) -> None:
    """Records at ``positions`` (1-based) keep kid and payload but carry a rogue key's signature."""
    docs = [dict(doc) for doc in stored_records(service, audit_id)]
    for position in positions:
        doc = docs[position - 1]
        doc["sig"] = b64encode(ROGUE.sign(Domain.FINDING, doc["payload"].encode("utf-8")))
    rewrite_records(service, audit_id, docs, stored_seal(service, audit_id))


@pytest.mark.parametrize("where", ["boundary-parent", "boundary-child", "last", "second"])
def test_a_rogue_signature_is_caught_on_both_sides_of_the_boundary(
    audit_service: Any,
    chain: str,
    forking: None,
    where: str,
) -> None:
    count = len(stored_records(audit_service, chain))
    start = max(1, int(count * chain_work.AHEAD_KEEP))  # the child covers (start, count]
    position = {"boundary-parent": start, "boundary-child": start + 1, "last": count, "second": 2}[where]
    _resign(audit_service, chain, [position])
    expected = _sequential(audit_service, chain)
    assert not expected.ok and sum("bad signature" in p for p in expected.problems) == 1
    got = _report(audit_service, chain)
    assert got.problems == expected.problems


def test_a_child_claiming_every_record_good_cannot_cover_records_of_another_key(
    audit_service: Any,
    chain: str,
    forking: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child only ever answers for records under the opening record's key: a record whose
    kid names another key is decided by the parent even if the child said 'good' for it."""
    docs = [dict(doc) for doc in stored_records(audit_service, chain)]
    docs[-3]["kid"] = ROGUE.public.kid_hex
    docs[-3]["sig"] = b64encode(ROGUE.sign(Domain.FINDING, docs[-3]["payload"].encode("utf-8")))
    rewrite_records(audit_service, chain, docs, stored_seal(audit_service, chain))
    expected = _sequential(audit_service, chain)
    assert not expected.ok
    monkeypatch.setattr(chain_work, "_verdict_of", lambda key, doc: 1)
    got = _report(audit_service, chain)
    assert got.problems == expected.problems


def test_the_child_is_reaped(audit_service: Any, chain: str, forking: None) -> None:
    docs = stored_records(audit_service, chain)
    ahead = chain_work.verify_ahead(docs)
    assert ahead is not None
    pid = ahead.pid
    with ahead:
        pass
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    assert ahead.pipe == -1
    _ = Path  # keep the import for type hints in editors
