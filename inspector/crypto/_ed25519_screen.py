"""Screening of Ed25519 public keys before they are trusted.

OpenSSL (and so ``cryptography``) verifies signatures under small-order public keys, where a
signature with R a small-order point and S = 0 verifies for every message. A trust list holding
such a key would let anyone forge. So every key we accept is decoded here and must be a canonical
encoding of a point in the prime-order subgroup. Pure integer arithmetic, run once per key load.
"""

from __future__ import annotations

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended coordinates X, Y, Z, T
IDENTITY: Point = (0, 1, 1, 0)


class KeyRejected(ValueError):
    """The 32 bytes are not an acceptable Ed25519 public key; the message says why."""


def _decode(raw: bytes) -> Point:
    if len(raw) != 32:
        raise KeyRejected(f"public key must be 32 bytes, got {len(raw)}")
    value = int.from_bytes(raw, "little")
    sign = value >> 255
    y = value & ((1 << 255) - 1)
    if y >= P:
        raise KeyRejected("non-canonical public key encoding (y >= p)")
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        raise KeyRejected("public key is not a point on the curve")
    if x == 0 and sign:
        raise KeyRejected("non-canonical public key encoding (negative zero)")
    if (x & 1) != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def _add(a: Point, b: Point) -> Point:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(scalar: int, point: Point) -> Point:
    result = IDENTITY
    addend = point
    while scalar:
        if scalar & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        scalar >>= 1
    return result


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def check_public_key(raw: bytes) -> None:
    """Raise ``KeyRejected`` unless ``raw`` is a canonical point of prime order L."""
    point = _decode(raw)
    if _is_identity(_mul(8, point)):
        raise KeyRejected("small-order public key (would accept forged signatures)")
    if not _is_identity(_mul(L, point)):
        raise KeyRejected("public key has a small-order component (not in the prime-order subgroup)")
