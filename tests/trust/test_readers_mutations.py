"""The lean (pydantic-free) readers of HQ's signed lists and of the PEM fast path:
differential checks against the pydantic loaders still present (trust.documents) and against
cryptography's PEM loader. Bounded and seeded. Every input is accepted or refused
alike by both."""

from __future__ import annotations

import base64
import random

import pytest

from inspector.crypto import signing
from inspector.crypto.signing import PublicKey, SigningKey
from inspector.errors import UserError
from tests.trust import test_readers_equivalence as E

PAIRS_PER_LIST = 500


@pytest.mark.parametrize("kind", list(E.BASES))
def test_every_single_field_mutation_not_just_a_sample_is_read_alike(kind: str) -> None:
    """The project's own test samples 110 mutations per list; here every candidate is tried."""
    tried = 0
    for mutated in E.mutations(E.BASES[kind], seed=0, count=10**6):
        data = E._signed(kind, mutated)
        if data is None:
            continue
        E.assert_same(kind, data)
        tried += 1
    assert tried >= 300


@pytest.mark.parametrize("kind", list(E.BASES))
def test_pairs_of_mutations_are_read_alike(kind: str) -> None:
    """Two fields changed at once reach the cross-field rules (revoked_at with status, purposes,
    windows, granted vs changes) in combinations one change alone cannot."""
    rng = random.Random(1616)
    firsts = E.mutations(E.BASES[kind], seed=3, count=10**6)
    accepted = 0
    for _ in range(PAIRS_PER_LIST):
        first = rng.choice(firsts)
        second = E.mutations(first, seed=rng.randrange(10**9), count=1)
        if not second:
            continue
        data = E._signed(kind, second[0])
        if data is None:
            continue
        accepted += E.assert_same(kind, data)
    assert accepted >= 1


def _pem(raw: bytes) -> bytes:
    der = bytes.fromhex("302a300506032b6570032100") + raw
    return b"-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der) + b"\n-----END PUBLIC KEY-----\n"


def _slow(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[bool, bytes | None]:
    with monkeypatch.context() as m:
        m.setattr(signing, "_canonical_pem_raw", lambda _data: None)
        return _outcome(data)


def _outcome(data: bytes) -> tuple[bool, bytes | None]:
    try:
        return True, signing.read_public_pem(data, "pin").raw
    except UserError:
        return False, None


def test_the_pem_fast_path_accepts_exactly_what_cryptography_s_loader_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    from inspector.crypto import _ed25519_screen as screen

    small = [bytes(32), b"\x01" + bytes(31), b"\xec" + b"\xff" * 30 + b"\x7f", b"\xed" + b"\xff" * 30 + b"\x7f"]
    small += [p for p in getattr(screen, "SMALL_ORDER", []) if isinstance(p, bytes | bytearray)][:8]
    candidates = [SigningKey.from_raw(rng.randbytes(32)).public.raw for _ in range(20)] + small
    candidates += [rng.randbytes(32) for _ in range(40)]
    for raw in candidates:
        pem = _pem(bytes(raw))
        variants = [pem, pem.replace(b"\n", b"\r\n"), pem[:-1], pem + b"\n", pem.replace(b"PUBLIC", b"public")]
        for data in variants:
            assert _outcome(data) == _slow(data, monkeypatch), (raw.hex(), data)
    good = SigningKey.from_raw(bytes(range(32))).public
    assert _outcome(good.to_pem()) == (True, good.raw)
    assert PublicKey(good.raw) == good
