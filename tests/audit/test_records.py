"""Record formats, digests, the Merkle root and the finding rules (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.audit.chain import findings_root, load_state, parse_payload, record_label
from inspector.audit.checklist import load_checklist
from inspector.audit.rules import finding_rule_problems
from inspector.audit.scoring import FindingStatus
from inspector.crypto.digests import envelope_digest, merkle_root
from inspector.crypto.signing import Domain, Envelope, SigningKey, sign_record
from inspector.errors import UserError
from tests.helpers import MINI_CHECKLIST

# RFC 6962 / certificate-transparency reference vectors: leaf inputs and the root over the first n.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


@pytest.mark.parametrize("count", sorted(CT_ROOTS))
def test_merkle_root_matches_rfc6962_vectors(count: int) -> None:
    leaves = [bytes.fromhex(h) for h in CT_LEAVES[:count]]
    assert merkle_root(leaves).hex() == CT_ROOTS[count]


def test_findings_root_follows_checklist_order_and_skips_unanswered() -> None:
    checklist = load_checklist(MINI_CHECKLIST)
    digests = {item: f"{i:064x}" for i, item in enumerate(reversed(list(checklist.items)))}
    ordered = [bytes.fromhex(digests[item]) for item in checklist.items]
    assert findings_root(checklist, digests) == merkle_root(ordered)
    partial = {k: v for k, v in digests.items() if k != "MAL-02"}
    assert findings_root(checklist, partial) == merkle_root(
        [bytes.fromhex(partial[i]) for i in checklist.items if i in partial]
    )
    assert len(findings_root(checklist, digests)) == 32


_KEY = SigningKey.generate()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fast_envelope_digest_equals_envelope_digest(note: str) -> None:
    try:
        envelope = sign_record(_KEY, Domain.FINDING, {"note": note, "x": 1})
    except ValueError:
        return  # text the canonical encoder refuses (lone surrogates)
    assert envelope_digest(envelope) == envelope.digest()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fast_digest_agrees_even_on_odd_stored_payloads(payload: str) -> None:
    # A stored payload may be anything after tampering: the two digests must still agree.
    envelope = Envelope(kid="0" * 16, payload=payload, sig="AAAA")
    try:
        reference = envelope.digest()
    except ValueError:
        return
    assert envelope_digest(envelope) == reference


def _opened(key: SigningKey, audit: str = "a" * 32) -> Envelope:
    return sign_record(
        key,
        Domain.FINDING,
        {
            "format": "inspector-record/v1",
            "type": "audit-opened",
            "id": "1" * 32,
            "audit": audit,
            "seq": 1,
            "prev": None,
            "time": "2025-01-02T03:04:05Z",
            "station": {"code": "GBN-S39", "name": "Kotwali Sector 39", "name_hi": "कोतवाली सेक्टर 39"},
            "checklist": {"id": "mini-station", "version": "1.0.0", "hash": "b" * 64},
            "audit_type": "certification",
            "auditor": {
                "id": "AUD-017",
                "name": "Sunita Devi",
                "kid": key.public.kid_hex,
                "public_key": key.public.b64,
            },
        },
    )


def _finding(key: SigningKey, seq: int, prev: str, time: str, item: str = "MAL-02", **extra: object) -> Envelope:
    value = {
        "format": "inspector-record/v1",
        "type": "finding",
        "id": f"{seq:032x}",
        "audit": "a" * 32,
        "seq": seq,
        "prev": prev,
        "time": time,
        "item": item,
        "status": "conform",
        "note": None,
        "evidence": [],
        "due": None,
        "reason": None,
        "revises": None,
    }
    value.update(extra)
    return sign_record(key, Domain.FINDING, value)


def test_load_state_tracks_latest_history_and_backwards_clock() -> None:
    key = SigningKey.generate()
    first = _opened(key)
    second = _finding(key, 2, first.digest(), "2025-01-02T04:00:00Z")
    third = _finding(key, 3, second.digest(), "2025-01-02T03:59:59Z", status="minor", revises=f"{2:032x}")
    envelopes, state = load_state([e.model_dump() for e in (first, second, third)])
    assert len(envelopes) == 3 and state.seq == 3 and state.head == third.digest()
    assert state.latest["MAL-02"].status is FindingStatus.MINOR
    assert [f.revision for f in state.history["MAL-02"]] == [1, 2]
    assert (
        len(state.clock_warnings) == 1
        and "record 3" in state.clock_warnings[0]
        and "backwards" in state.clock_warnings[0]
    )


def test_load_state_refuses_a_broken_chain() -> None:
    key = SigningKey.generate()
    first = _opened(key)
    second = _finding(key, 2, "0" * 64, "2025-01-02T04:00:00Z")
    with pytest.raises(UserError, match="record 2: .*chain is broken"):
        load_state([first.model_dump(), second.model_dump()])


def test_parse_payload_refuses_unknown_types_and_bad_fields() -> None:
    key = SigningKey.generate()
    odd = sign_record(key, Domain.FINDING, {"format": "inspector-record/v1", "type": "party"})
    with pytest.raises(UserError, match="not an inspector-record/v1 record"):
        parse_payload(odd, "record 9")
    bad_due = _finding(key, 2, "0" * 64, "2025-01-02T04:00:00Z", due="2025-13-01")
    with pytest.raises(UserError, match="record 2: due"):
        parse_payload(bad_due, "record 2")


def test_record_label_names_seq_item_and_id() -> None:
    key = SigningKey.generate()
    payload = parse_payload(_finding(key, 4, "0" * 64, "2025-01-02T04:00:00Z", item="WHD-01"), "x")
    assert record_label(4, payload) == f"record 4 (finding WHD-01, id {payload.id[:8]})"


def test_finding_rules() -> None:
    checklist = load_checklist(MINI_CHECKLIST)
    # MAL-01 is critical (default grade major), needs a note and evidence on failure.
    assert finding_rule_problems(checklist, "MAL-01", FindingStatus.MAJOR, "n", True, None, None) == []
    problems = finding_rule_problems(checklist, "MAL-01", FindingStatus.MINOR, None, False, None, None)
    assert len(problems) == 3
    assert [p.field for p in problems] == ["reason", "note", "evidence"]
    assert (
        "written reason" in problems[0].message and "note" in problems[1].message and "evidence" in problems[2].message
    )
    assert finding_rule_problems(checklist, "MAL-01", FindingStatus.MINOR, "n", True, "why", None) == []
    # A due date belongs to nonconformities only; conform needs nothing.
    assert finding_rule_problems(checklist, "MAL-02", FindingStatus.CONFORM, None, False, None, None) == []
    assert (
        "only for nonconformities"
        in finding_rule_problems(checklist, "MAL-02", FindingStatus.CONFORM, None, False, None, "2099-01-01")[0].message
    )
    # MAL-03 requires nothing.
    assert finding_rule_problems(checklist, "MAL-03", FindingStatus.MAJOR, None, False, None, None) == []
