"""The signing core's fast paths give exactly the bytes and answers of the reference code.

These paths are protocol-frozen: the bytes Ed25519 signs (the COSE Sig_structure), the envelope
digest a hash chain links to, and which stored envelopes are accepted. Each is compared with the
reference (cbor2, ``Envelope.digest()``, pydantic's strict validation) across every length class
and every character JSON escapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from inspector.crypto.digests import envelope_digest
from inspector.crypto.signing import Domain, Envelope, SigningKey, _sig_structure_cbor, protected_header, sig_structure

KEY = SigningKey.generate()


@pytest.mark.parametrize("size", [0, 1, 23, 24, 25, 255, 256, 257, 65535, 65536, 70000])
@pytest.mark.parametrize("domain", list(Domain))
def test_sig_structure_is_the_cbor2_encoding(domain: Domain, size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    for protected in (protected_header(KEY.kid), protected_header(bytes(8)), b"\xa0", b""):
        assert sig_structure(domain, protected, payload) == _sig_structure_cbor(domain, protected, payload)


def test_signatures_made_with_the_reference_bytes_still_verify() -> None:
    payload = '{"note":"मालखाना"}'.encode()
    signature = KEY._key.sign(_sig_structure_cbor(Domain.FINDING, KEY.public.protected, payload))
    assert KEY.public.verify(Domain.FINDING, payload, signature)
    assert not KEY.public.verify(Domain.SEAL, payload, signature)


TEXTS = [
    "",
    "plain",
    'quote " and backslash \\ and slash /',
    "".join(chr(c) for c in range(0x20)) + "\x7f",
    "मालखाना रजिस्टर अद्यतन है",
    "emoji 🚓 and U+2028 \u2028 U+2029 \u2029",
    "e\u0301",  # not NFC: the reference path
]


@pytest.mark.parametrize("text", TEXTS)
def test_envelope_digest_is_the_canonical_digest(text: str) -> None:
    envelope = Envelope(kid=KEY.public.kid_hex, payload='{"note":%s}' % text.__repr__(), sig="c2ln")
    assert envelope_digest(envelope) == envelope.digest()
    envelope = Envelope(kid=KEY.public.kid_hex, payload=text, sig="AAAA+/==")
    assert envelope_digest(envelope) == envelope.digest()


GOOD = {"kid": "0123456789abcdef", "payload": "{}", "sig": "c2ln"}


class _Str(str):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


def test_from_doc_builds_what_validation_builds() -> None:
    fast, slow = Envelope.from_doc(dict(GOOD)), Envelope.model_validate(dict(GOOD))
    assert fast == slow and fast.model_dump() == slow.model_dump() and hash(fast) == hash(slow)
    assert fast.model_fields_set == slow.model_fields_set


@pytest.mark.parametrize(
    "doc",
    [
        {**GOOD, "extra": "x"},
        {"kid": GOOD["kid"], "payload": "{}"},
        {**GOOD, "kid": "0123456789ABCDEF"},
        {**GOOD, "kid": "0123456789abcde"},
        {**GOOD, "kid": "0123456789abcdef\n"},
        {**GOOD, "payload": b"{}"},
        {**GOOD, "sig": 5},
        {**GOOD, "payload": None},
        "not a dict",
    ],
)
def test_from_doc_refuses_what_validation_refuses(doc: Any) -> None:
    with pytest.raises(ValidationError):
        Envelope.model_validate(doc)
    with pytest.raises(ValidationError):
        Envelope.from_doc(doc)


@pytest.mark.parametrize("doc", [_Dict(GOOD), {**GOOD, "payload": _Str("{}")}])
def test_unusual_but_valid_input_takes_the_validating_path(doc: Any) -> None:
    assert Envelope.from_doc(doc) == Envelope.model_validate(doc)
