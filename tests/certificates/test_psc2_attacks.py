"""The compact certificate form PSC2 (issue 16): malleability, replay between the
two forms, kid binding and the hand-written base32 decoder. Attacks the code refuses, and
harmless re-framings it accepts by design."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime

import pytest

from inspector.certificates import psc1, verify
from inspector.certificates.psc1 import PayloadError
from inspector.crypto.signing import Domain, PublicKey
from inspector.trust import readers
from tests.web import webvectors as W

NOW = W.NOW_DT


def _lists() -> tuple[object, object]:
    ctx = W.build_contexts()["main"]
    roots = [PublicKey.from_b64(b) for b in ctx["roots"]]
    trust = readers.read_trustlist(ctx["trustlist"].encode(), roots)
    crl = readers.read_crl(ctx["crl"].encode(), roots) if ctx.get("crl") else None
    return trust, crl


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def test_psc1_reframed_as_psc2_by_a_third_party_verifies_to_the_very_same_certificate() -> None:
    """No key is needed to turn a PSC1 into a PSC2 (and back): the signature covers the same
    Sig_structure. That is malleability of the *text*, not of the certificate: claims, cert id,
    signer and verdict are identical, so nothing can be forged by it."""
    trust, crl = _lists()
    full = W.cert()
    d = psc1.decode(full)
    reframed = psc1.PREFIX_COMPACT + _b32(d.kid + d.signature + d.payload)
    one = verify.verify_payload(full, trust, crl, NOW)  # type: ignore[arg-type]
    two = verify.verify_payload(reframed, trust, crl, NOW)  # type: ignore[arg-type]
    assert one.valid and two.valid
    assert one.claims == two.claims and one.claims is not None
    assert one.entry is not None and two.entry is not None and one.entry.kid == two.entry.kid
    # and back again: PSC2 -> PSC1 by hand gives the same text the issuer would have written
    d2 = psc1.decode(reframed)
    back = psc1.to_text(psc1.cose_bytes(d2.protected, d2.payload, d2.signature))
    assert back == full


def test_psc2_with_another_trusted_kid_does_not_verify() -> None:
    """The kid is bound: it is inside the rebuilt protected header, which the signature covers."""
    trust, crl = _lists()
    d = psc1.decode(W.compact_cert())
    other = W.SECOND.signing.public.kid
    assert other != d.kid
    swapped = psc1.PREFIX_COMPACT + _b32(other + d.signature + d.payload)
    verdict = verify.verify_payload(swapped, trust, crl, NOW)  # type: ignore[arg-type]
    assert not verdict.valid and verdict.claims is None
    # same claims re-signed under the same key but a header with another kid would be needed
    assert not psc1.verify_signature(psc1.decode(swapped), W.SECOND.signing.public)


def test_a_signature_over_a_different_protected_header_cannot_be_carried_as_psc2() -> None:
    """PSC2 always rebuilds {1:-8, 4:kid}: a signature the key made over any other header (for
    instance with an extra header field) does not verify as PSC2."""
    key = W.ACTIVE.signing
    payload = W.cbor(W.claims())
    odd_header = W.cbor({1: -8, 4: key.public.kid, 3: 0})
    sig = key.sign(Domain.CERT, payload, protected=odd_header)
    text = psc1.PREFIX_COMPACT + _b32(key.public.kid + sig + payload)
    assert not psc1.verify_signature(psc1.decode(text), key.public)


def test_psc2_claims_must_still_be_strict_cbor_after_a_good_signature() -> None:
    """A signer cannot make a PSC2 payload be read two ways: the claims go through the same
    strict CBOR reader (non-canonical, trailing bytes) as PSC1's."""
    key = W.ACTIVE.signing
    good = W.cbor(W.claims())
    assert 0xA0 <= good[0] <= 0xB7  # a map of fewer than 24 claims, its length in the first byte
    non_minimal = b"\xb9" + (good[0] & 0x1F).to_bytes(2, "big") + good[1:]  # same map, 2-byte length
    for bad in (good + b"\x00", non_minimal):
        sig = key.sign(Domain.CERT, bad, protected=key.public.protected)
        decoded = psc1.decode(psc1.PREFIX_COMPACT + _b32(key.public.kid + sig + bad))
        assert psc1.verify_signature(decoded, key.public)
        with pytest.raises(PayloadError):
            psc1.parse_claims(decoded.payload)


def test_the_int_based_base32_decoder_agrees_with_the_stdlib_and_has_one_text_per_bytes() -> None:
    """Differential check of psc1._base32_decode (int(), not b32decode) on bounded random
    input: every canonical text decodes to the stdlib's bytes (leading zero bytes kept), and
    every other ending of the last character is refused."""
    rng = random.Random(1616)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for _ in range(1500):
        size = rng.choice([0, 1, 2, 5, 8, 9, 72, 73, rng.randrange(1, 260)])
        raw = bytes([0] * rng.randrange(0, 4)) + rng.randbytes(size)
        if not raw:
            continue
        body = _b32(raw)
        assert psc1._base32_decode(body) == raw
        last = rng.choice(alphabet)
        other = body[:-1] + last
        if other == body:
            continue
        try:
            got = psc1._base32_decode(other)
        except PayloadError as exc:
            assert exc.code in {"non-canonical-base32", "bad-base32"}
            continue
        # accepted: must then be the canonical text of what it decodes to
        assert _b32(got) == other
    for bad in ("a", "AB=", "AB\n", "A B", "0", "1", "8", "Ａ", "AAAAAAA\u0661"):
        with pytest.raises(PayloadError):
            psc1._base32_decode(bad)


def test_psc2_of_exactly_head_size_or_less_is_refused_and_garbage_never_raises_anything_else() -> None:
    rng = random.Random(42)
    for _ in range(400):
        raw = rng.randbytes(rng.randrange(0, 200))
        text = psc1.PREFIX_COMPACT + _b32(raw)
        try:
            decoded = psc1.decode(text)
        except PayloadError:
            continue
        assert len(raw) > psc1.COMPACT_HEAD
        try:
            psc1.parse_claims(decoded.payload)
        except PayloadError:
            pass
    verdict = verify.verify_payload(psc1.PREFIX_COMPACT + _b32(bytes(72)), None, None, datetime.now(UTC))
    assert not verdict.valid
