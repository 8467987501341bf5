"""Screening of Ed25519 public keys before they are trusted.

OpenSSL (and so ``cryptography``) verifies signatures under small-order public keys, where a
signature with R a small-order point and S = 0 verifies for every message. A trust list holding
such a key would let anyone forge. So every key we accept is decoded here and must be a canonical
encoding of a point in the prime-order subgroup. Pure integer arithmetic.

It runs for every key of every trust list a command reads, so it is on the start-up path of
``inspector verify``: decoding takes one exponentiation (RFC 8032 §5.1.3, the square root and
the inversion combined), [8]P and [L]P use the dedicated doubling formula with the arithmetic
inlined, and the verdict for each key is remembered for the life of the process (the same root
key is screened again for every list it signed). What is decided is exactly what it always was.
"""

from __future__ import annotations

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
# Written out rather than computed at import (two modular exponentiations on the start-up path
# of ``inspector verify``): D = -121665/121666 mod P, D2 = 2D mod P, SQRT_M1 = 2^((P-1)/4) mod P.
# tests/trust/test_lean_verify_path.py recomputes them.
D = 37095705934669439343138083508754565189542113879843219016388785533085940283555
D2 = 16295367250680780974490674513165176452449235426866156013048779062215315747161
SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752
_L_BITS = bin(L)[3:]  # the bits of L after its leading 1, most significant first

Point = tuple[int, int, int, int]  # extended coordinates X, Y, Z, T
IDENTITY: Point = (0, 1, 1, 0)

# Verdicts already reached in this process: raw key -> None (accepted) or the rejection message.
# Bounded so that a process reading many different keys cannot grow it without limit.
_VERDICTS: dict[bytes, str | None] = {}
_VERDICTS_LIMIT = 100_000


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
    # x = (u/v)^((p+3)/8) computed as u v^3 (u v^7)^((p-5)/8): one exponentiation, no inversion.
    v3 = v * v % P * v % P
    x = u * v3 % P * pow(u * v3 % P * v3 % P * v % P, (P - 5) // 8, P) % P
    vxx = v * x % P * x % P
    if vxx != u:
        if vxx != (P - u) % P:
            raise KeyRejected("public key is not a point on the curve")
        x = x * SQRT_M1 % P
    if x == 0 and sign:
        raise KeyRejected("non-canonical public key encoding (negative zero)")
    if (x & 1) != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def _add(a: Point, b: Point) -> Point:
    """Unified addition on edwards25519 (a = -1), extended coordinates (add-2008-hwcd-3)."""
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _double(point: Point) -> Point:
    """Dedicated doubling (dbl-2008-hwcd with a = -1); the same point as ``_add(p, p)``."""
    x, y, z, _ = point
    a = x * x % P
    b = y * y % P
    c = 2 * z * z % P
    h = a + b
    e = h - (x + y) * (x + y) % P  # -E; the sign cancels in the products below
    g = a - b  # -G
    f = g + c  # -F
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _is_identity(point: Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def _times_8_is_identity(point: Point) -> bool:
    return _is_identity(_double(_double(_double(point))))


def _times_l_is_identity(point: Point) -> bool:
    """[L]point == identity, by left-to-right double-and-add over the bits of L, inlined.

    The doubling's T coordinate is only computed where an addition follows, which needs it.
    """
    px, py, _, pt = point
    p_minus, p_plus, p_t2d = (py - px) % P, (py + px) % P, pt * D2 % P
    x, y, z, t = point
    for bit in _L_BITS:
        # double (a = -1; see _double for the sign trick)
        a = x * x % P
        b = y * y % P
        c = 2 * z * z % P
        h = a + b
        e = h - (x + y) * (x + y) % P
        g = a - b
        f = g + c
        x, y, z = e * f % P, g * h % P, f * g % P
        if bit == "1":
            t = e * h % P
            # add the point (Z2 = 1)
            aa = (y - x) * p_minus % P
            bb = (y + x) * p_plus % P
            cc = t * p_t2d % P
            dd = 2 * z
            e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
            x, y, z = e * f % P, g * h % P, f * g % P
            t = e * h % P
    return x % P == 0 and (y - z) % P == 0


def _mul(scalar: int, point: Point) -> Point:
    """[scalar]point (right-to-left double-and-add); kept for tests and cross-checks."""
    result = IDENTITY
    addend = point
    while scalar:
        if scalar & 1:
            result = _add(result, addend)
        addend = _double(addend)
        scalar >>= 1
    return result


def _screen(raw: bytes) -> str | None:
    try:
        point = _decode(raw)
    except KeyRejected as exc:
        return str(exc)
    if _times_8_is_identity(point):
        return "small-order public key (would accept forged signatures)"
    if not _times_l_is_identity(point):
        return "public key has a small-order component (not in the prime-order subgroup)"
    return None


def check_public_key(raw: bytes) -> None:
    """Raise ``KeyRejected`` unless ``raw`` is a canonical point of prime order L."""
    raw = bytes(raw)
    try:
        verdict = _VERDICTS[raw]
    except KeyError:
        verdict = _screen(raw)
        if len(_VERDICTS) >= _VERDICTS_LIMIT:
            _VERDICTS.clear()
        _VERDICTS[raw] = verdict
    if verdict is not None:
        raise KeyRejected(verdict)
