"""Start-up shortcuts of the verify path decide exactly what they replaced (issue 16 goal 3):
pinned roots read without cryptography's PEM loader, and the curve constants written out."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization

from inspector.crypto import _ed25519_screen as screen
from inspector.crypto import signing
from inspector.crypto.signing import PublicKey, SigningKey, read_public_pem
from inspector.errors import UserError


def test_the_curve_constants_are_the_computed_ones() -> None:
    p = screen.P
    assert (-121665 * pow(121666, p - 2, p)) % p == screen.D
    assert 2 * screen.D % p == screen.D2
    assert pow(2, (p - 1) // 4, p) == screen.SQRT_M1


def _loader_says(data: bytes) -> bytes | None:
    """The raw key cryptography's own loader reads from ``data``, or None if it refuses."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        return None
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


KEYS = [SigningKey.from_raw(bytes([n]) * 32).public for n in range(1, 9)]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.kid_hex)
def test_a_pem_written_by_the_product_reads_as_cryptography_reads_it(key: PublicKey) -> None:
    pem = key.to_pem()
    assert signing._canonical_pem_raw(pem) == _loader_says(pem) == key.raw
    assert read_public_pem(pem, "pin") == key


def _variants(pem: bytes) -> list[bytes]:
    body = pem.split(b"\n")[1]
    der = base64.b64decode(body)
    return [
        pem.replace(b"\n", b"\r\n"),  # other line ends: the loader decides
        pem.rstrip(b"\n"),
        pem + b"\n",
        b"junk\n" + pem,
        pem.replace(body, body[:-4] + b"AAA="),
        pem.replace(body, base64.b64encode(der[:-1] + bytes([der[-1] ^ 1]))),
        pem.replace(body, base64.b64encode(bytes.fromhex("302a300506032b6571032100") + der[12:])),  # Ed448 OID
        pem.replace(b"PUBLIC KEY", b"PRIVATE KEY"),
        pem.replace(body, base64.b64encode(bytes.fromhex("302a300506032b6570032100") + bytes(32))),  # small order
    ]


def test_any_other_pem_is_left_to_cryptography_and_read_as_before() -> None:
    for pem in _variants(KEYS[0].to_pem()):
        expected = _loader_says(pem)
        fast = signing._canonical_pem_raw(pem)
        assert fast is None or fast == expected  # the shortcut only takes the exact form
        try:
            got: bytes | None = read_public_pem(pem, "pin").raw
        except UserError:
            got = None
        if expected is not None and got is None:
            # a key cryptography reads but the product refuses: only the small-order screen does that
            with pytest.raises(UserError, match="unsafe public key"):
                read_public_pem(pem, "pin")
        else:
            assert got == expected
