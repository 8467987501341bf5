"""The signing core: round trips, domain separation, mutations, unsafe keys."""

from __future__ import annotations

import itertools

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.crypto._ed25519_screen import L, P
from inspector.crypto.canonical import canonical_json, nfc
from inspector.crypto.signing import (
    Domain,
    Envelope,
    PublicKey,
    SigningKey,
    b64decode,
    b64encode,
    compute_kid,
    sign_record,
    verify_record,
    verify_with_any,
)
from inspector.errors import Invalid, UserError

# The 8 small-order points of edwards25519 (canonical encodings): identity, the point of order
# 2, the two of order 4 and the four of order 8 (sign-bit variants included).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2 (y = p-1)
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4 (y = 0)
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4, sign bit
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8, sign bit
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8, sign bit
]
# Non-canonical: x = 0 with the sign bit set (identity and order 2 again).
NEGATIVE_ZERO = [
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]


def _y_ge_p() -> list[bytes]:
    """Every encoding with y in [p, 2^255), both sign bits: 2 x 19 non-canonical encodings."""
    out = []
    for y in range(P, 2**255):
        for sign in (0, 1):
            out.append((y | (sign << 255)).to_bytes(32, "little"))
    return out


NON_CANONICAL = _y_ge_p()

KEY = SigningKey.generate()
OTHER = SigningKey.generate()
RECORD = {
    "type": "finding",
    "item": "2.3",
    "verdict": "minor",
    "note": "थाने में रजिस्टर अद्यतन नहीं है; पुराने मामलों की प्रविष्टियाँ अधूरी हैं",
    "n": 7,
}


def test_sign_record_round_trip() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    assert env.kid == KEY.public.kid_hex
    assert env.payload_bytes == canonical_json(RECORD)
    assert verify_record(env, Domain.FINDING, KEY.public) == nfc(RECORD)


def test_envelope_json_round_trip() -> None:
    env = sign_record(KEY, Domain.CERT, RECORD)
    again = Envelope.model_validate_json(env.model_dump_json())
    assert verify_record(again, Domain.CERT, KEY.public) == nfc(RECORD)
    assert again.digest() == env.digest()


def test_signature_is_deterministic_and_64_bytes() -> None:
    a = sign_record(KEY, Domain.FINDING, RECORD)
    b = sign_record(KEY, Domain.FINDING, RECORD)
    assert a == b
    assert len(a.signature()) == 64


def test_key_round_trips_through_pem_b64_and_raw() -> None:
    pub = KEY.public
    assert PublicKey.from_pem(pub.to_pem()) == pub
    assert PublicKey.from_b64(pub.b64) == pub
    assert SigningKey.from_raw(KEY.raw_private()).public == pub
    assert pub.kid == compute_kid(pub.raw) and len(pub.kid) == 8
    assert "kid=" in repr(KEY) and KEY.raw_private().hex() not in repr(KEY)


@pytest.mark.parametrize("signed_in,checked_in", [(a, b) for a, b in itertools.permutations(Domain, 2)])
def test_every_cross_domain_use_is_rejected(signed_in: Domain, checked_in: Domain) -> None:
    env = sign_record(KEY, signed_in, RECORD)
    with pytest.raises(Invalid, match="bad signature"):
        verify_record(env, checked_in, KEY.public)
    assert not KEY.public.verify(checked_in, env.payload_bytes, env.signature())


def test_wrong_key_is_rejected() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    with pytest.raises(Invalid, match="signed by key"):
        verify_record(env, Domain.FINDING, OTHER.public)
    forged = Envelope(kid=OTHER.public.kid_hex, payload=env.payload, sig=env.sig)
    with pytest.raises(Invalid, match="bad signature"):
        verify_record(forged, Domain.FINDING, OTHER.public)


def test_every_single_byte_mutation_of_payload_is_rejected() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    payload, sig = env.payload_bytes, env.signature()
    for index in range(len(payload)):
        for delta in (0x01, 0x80, 0xFF):
            mutated = bytearray(payload)
            mutated[index] ^= delta
            assert not KEY.public.verify(Domain.FINDING, bytes(mutated), sig), (index, delta)
            try:
                text = bytes(mutated).decode("utf-8")
            except UnicodeDecodeError:
                continue
            with pytest.raises(Invalid):
                verify_record(Envelope(kid=env.kid, payload=text, sig=env.sig), Domain.FINDING, KEY.public)


def test_every_single_byte_mutation_of_signature_is_rejected() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    sig = env.signature()
    for index in range(len(sig)):
        for delta in (0x01, 0x80, 0xFF):
            mutated = bytearray(sig)
            mutated[index] ^= delta
            bad = Envelope(kid=env.kid, payload=env.payload, sig=b64encode(bytes(mutated)))
            with pytest.raises(Invalid):
                verify_record(bad, Domain.FINDING, KEY.public)


def test_truncated_extended_and_non_base64_signatures_are_rejected() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    sig = env.signature()
    for bad in (sig[:63], sig + b"\0", b"", sig[:32]):
        assert not KEY.public.verify(Domain.FINDING, env.payload_bytes, bad)
        with pytest.raises(Invalid):
            verify_record(Envelope(kid=env.kid, payload=env.payload, sig=b64encode(bad)), Domain.FINDING, KEY.public)
    with pytest.raises(Invalid, match="base64"):
        verify_record(Envelope(kid=env.kid, payload=env.payload, sig="!!!!"), Domain.FINDING, KEY.public)


def test_non_canonical_s_is_rejected() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    sig = env.signature()
    s = int.from_bytes(sig[32:], "little") + L
    malleated = sig[:32] + s.to_bytes(32, "little")
    assert not KEY.public.verify(Domain.FINDING, env.payload_bytes, malleated)


def test_non_canonical_payload_text_is_rejected_even_when_signed() -> None:
    # A key holder signs bytes that are not canonical JSON: the verifier refuses them anyway.
    text = '{"b":1, "a":2}'
    sig = KEY.sign(Domain.FINDING, text.encode())
    env = Envelope(kid=KEY.public.kid_hex, payload=text, sig=b64encode(sig))
    with pytest.raises(Invalid, match="canonical"):
        verify_record(env, Domain.FINDING, KEY.public)


def test_envelope_rejects_bad_kid_and_extra_fields() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    with pytest.raises(ValueError):
        Envelope(kid=env.kid.upper(), payload=env.payload, sig=env.sig)
    with pytest.raises(ValueError):
        Envelope.model_validate({**env.model_dump(), "alg": "none"})


def test_verify_with_any_tries_every_key_sharing_a_kid() -> None:
    env = sign_record(KEY, Domain.FINDING, RECORD)
    impostor = SigningKey.generate().public
    impostor.kid = KEY.public.kid  # simulate a truncated-hash collision
    key, value = verify_with_any(env, Domain.FINDING, [impostor, OTHER.public, KEY.public])
    assert key == KEY.public and value == nfc(RECORD)
    with pytest.raises(Invalid):
        verify_with_any(env, Domain.FINDING, [impostor, OTHER.public])
    with pytest.raises(Invalid, match="unknown key"):
        verify_with_any(env, Domain.FINDING, [])


def test_strict_base64() -> None:
    assert b64decode(b64encode(b"abc"), "x") == b"abc"
    for bad in ("YWJj\n", "YWJ", "YW=j", "YWJk=", "Y WJj", "é"):
        with pytest.raises(UserError):
            b64decode(bad, "x")


# --- unsafe keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("hex_key", SMALL_ORDER + NEGATIVE_ZERO)
def test_small_order_keys_refused(hex_key: str) -> None:
    with pytest.raises(UserError, match="unsafe public key"):
        PublicKey(bytes.fromhex(hex_key))


@pytest.mark.parametrize("raw", NON_CANONICAL, ids=lambda r: r.hex()[:4] + ".." + r.hex()[-2:])
def test_non_canonical_keys_refused(raw: bytes) -> None:
    with pytest.raises(UserError, match="unsafe public key"):
        PublicKey(raw)


def test_mixed_order_key_refused() -> None:
    """A valid key plus a point of order 8: on the curve, canonical, but not in the subgroup."""
    from inspector.crypto._ed25519_screen import _add, _decode

    def encode(point) -> bytes:  # type: ignore[no-untyped-def]
        x, y, z, _ = point
        zi = pow(z, P - 2, P)
        x, y = x * zi % P, y * zi % P
        return (y | ((x & 1) << 255)).to_bytes(32, "little")

    mixed = encode(_add(_decode(KEY.public.raw), _decode(bytes.fromhex(SMALL_ORDER[4]))))
    with pytest.raises(UserError, match="small-order component"):
        PublicKey(mixed)


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_wrong_length_keys_refused(length: int) -> None:
    with pytest.raises(UserError):
        PublicKey(b"\x11" * length)


def test_why_the_screen_matters_cryptography_accepts_the_forgery() -> None:
    """Under the identity key, R = identity and S = 0 verifies for ANY message in OpenSSL."""
    identity = bytes.fromhex(SMALL_ORDER[0])
    forged = identity + bytes(32)
    raw = Ed25519PublicKey.from_public_bytes(identity)
    try:
        raw.verify(forged, b"any message at all")
        accepted = True
    except InvalidSignature:
        accepted = False
    # Whatever the backend does, our PublicKey refuses the key before any verify can happen.
    with pytest.raises(UserError):
        PublicKey(identity)
    if not accepted:  # pragma: no cover - a backend that screens itself
        pytest.skip("this backend rejects the small-order forgery on its own")


def test_generated_keys_pass_the_screen() -> None:
    for _ in range(20):
        key = SigningKey.generate()
        assert PublicKey(key.public.raw) == key.public


# --- properties --------------------------------------------------------------------------------

json_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=0x20), max_size=40
) | st.sampled_from(["निरीक्षण", "थाना सेक्टर 39", "क्षेत्राधिकारी", "ड्यूटी रजिस्टर"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | json_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(json_text, json_values, max_size=6), st.sampled_from(list(Domain)))
def test_property_round_trip_any_payload(value: dict, domain: Domain) -> None:
    env = sign_record(KEY, domain, value)
    assert verify_record(env, domain, KEY.public) == nfc(value)
    again = Envelope.model_validate_json(env.model_dump_json())
    assert verify_record(again, domain, KEY.public) == nfc(value)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=700), st.data())
def test_property_any_mutation_of_signed_bytes_fails(payload: bytes, data: st.DataObject) -> None:
    sig = KEY.sign(Domain.CERT, payload)
    assert KEY.public.verify(Domain.CERT, payload, sig)
    target = data.draw(st.sampled_from(["payload", "sig"]) if payload else st.just("sig"))
    blob = bytearray(payload if target == "payload" else sig)
    index = data.draw(st.integers(0, len(blob) - 1))
    blob[index] ^= data.draw(st.integers(1, 255))
    if target == "payload":
        assert not KEY.public.verify(Domain.CERT, bytes(blob), sig)
    else:
        assert not KEY.public.verify(Domain.CERT, payload, bytes(blob))
    other = data.draw(st.sampled_from([d for d in Domain if d != Domain.CERT]))
    assert not KEY.public.verify(other, payload, sig)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_property_screen_never_crashes(raw: bytes) -> None:
    try:
        key = PublicKey(raw)
    except UserError:
        return
    assert key.raw == raw and key.kid == compute_kid(raw)
