"""Digests of signed envelopes and the RFC 6962 Merkle tree (protocol-frozen: both are signed over)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence

from inspector.crypto.signing import Envelope

# ---------------------------------------------------------------------------------------------
# digests and the Merkle root


def envelope_digest(envelope: Envelope) -> str:
    """Exactly ``Envelope.digest()``, computed without a second JSON canonicaliser pass.

    For an object of three ASCII-keyed strings RFC 8785 is: keys in order, no whitespace, and
    strings escaped as ``json.dumps(ensure_ascii=False)`` escapes them (``"``, ``\\`` and the
    C0 controls, lowercase ``\\u00xx``). Anything unusual (non-NFC or unencodable text) takes
    the reference path, so the two can never disagree.
    """
    payload = envelope.payload
    if not unicodedata.is_normalized("NFC", payload):
        return envelope.digest()
    try:
        # The encoder functions ``json.dumps`` itself ends in for a str (same bytes, without
        # building an encoder per call): ASCII-escaped for kid and sig as ``json.dumps(s)``,
        # UTF-8 kept for the payload as ``json.dumps(s, ensure_ascii=False)``.
        text = '{"kid":%s,"payload":%s,"sig":%s}' % (
            _encode_ascii(envelope.kid),
            _encode_utf8(payload),
            _encode_ascii(envelope.sig),
        )
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return envelope.digest()
    return hashlib.sha256(data).hexdigest()


_encode_ascii = json.encoder.encode_basestring_ascii
_encode_utf8 = json.encoder.encode_basestring


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash over ``leaves`` (SHA-256; 0x00 leaf and 0x01 node prefixes)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    return _subtree(level)


def _subtree(hashes: list[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)  # largest power of two below n
    left, right = _subtree(hashes[:split]), _subtree(hashes[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()
