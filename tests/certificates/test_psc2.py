"""The compact certificate form ``PSC2:`` (issue 16 goal 4): the same claims and signature as
PSC1 without the COSE framing, read by the same verifier; PSC1 payloads verify as before."""

from __future__ import annotations

import base64

import pytest

from inspector.certificates import psc1, qr
from inspector.certificates.links import link_text
from inspector.certificates.psc1 import PayloadError
from inspector.crypto.signing import Domain, SigningKey
from tests.helpers import make_claims

KEY = SigningKey.from_raw(bytes(range(32)))
CLAIMS = make_claims(station_code="GBN-KPARK", auditor_id="AUD-GBN-017", checklist_version="2.0.0")


def _raw(text: str) -> bytes:
    body = text[len(psc1.PREFIX_COMPACT) :]
    return base64.b32decode(body + "=" * (-len(body) % 8))


def test_a_compact_certificate_reads_back_to_the_same_claims_under_the_same_signature() -> None:
    compact, full = psc1.encode(CLAIMS, KEY, compact=True), psc1.encode(CLAIMS, KEY)
    assert compact.startswith("PSC2:") and full.startswith("PSC1:")
    one, two = psc1.decode(compact), psc1.decode(full)
    assert (one.kid, one.protected, one.payload, one.signature) == (two.kid, two.protected, two.payload, two.signature)
    assert psc1.verify_signature(one, KEY.public) and psc1.parse_claims(one.payload) == CLAIMS
    assert len(compact) == psc1.text_length(CLAIMS, compact=True) == len(full) - 21


def test_the_compact_form_is_signed_as_a_certificate_and_nothing_else() -> None:
    payload = psc1.payload_bytes(CLAIMS)
    header = KEY.public.protected
    as_finding = psc1.to_compact_text(KEY.kid, KEY.sign(Domain.FINDING, payload, protected=header), payload)
    assert not psc1.verify_signature(psc1.decode(as_finding), KEY.public)
    other = SigningKey.from_raw(bytes(range(1, 33)))
    assert not psc1.verify_signature(psc1.decode(psc1.encode(CLAIMS, KEY, compact=True)), other.public)


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda raw: raw[:72], "bad-cose"),
        (lambda raw: raw[:30], "bad-cose"),
        (lambda raw: raw + b"\x00", "ok-envelope"),  # the envelope has no length: the claims parser refuses it
    ],
)
def test_a_compact_text_too_short_for_its_parts_is_refused(mangle: object, code: str) -> None:
    raw = mangle(_raw(psc1.encode(CLAIMS, KEY, compact=True)))  # type: ignore[operator]
    text = psc1.PREFIX_COMPACT + base64.b32encode(raw).decode().rstrip("=")
    if code == "ok-envelope":
        decoded = psc1.decode(text)
        assert not psc1.verify_signature(decoded, KEY.public)
        with pytest.raises(PayloadError) as info:
            psc1.parse_claims(decoded.payload)
        assert info.value.code == "trailing-bytes"
        return
    with pytest.raises(PayloadError) as info:
        psc1.decode(text)
    assert info.value.code == code


def test_unknown_prefixes_are_still_refused_and_say_both_forms() -> None:
    with pytest.raises(PayloadError) as info:
        psc1.decode("PSC3:AAAA")
    assert info.value.code == "bad-prefix" and "PSC1:" in info.value.message and "PSC2:" in info.value.message


LINKS = [
    "https://up.gov.in/v/",
    "https://verify.uppolice.gov.in/",
    "https://verify.uppolice.gov.in/c/",
    "https://verify.uppolice.gov.in/cert/v1/",
]


@pytest.mark.parametrize("link", LINKS)
def test_verify_links_that_took_version_14_fit_version_13_in_the_compact_form(link: str) -> None:
    full, compact = psc1.encode(CLAIMS, KEY), psc1.encode(CLAIMS, KEY, compact=True)
    assert qr.qr_version(link_text(link, compact)) <= psc1.MAX_QR_VERSION
    assert qr.qr_version(link_text(link, compact)) <= qr.qr_version(link_text(link, full))
    assert qr.version_cap(compact) == psc1.MAX_QR_VERSION
    qr.matrix(link_text(link, compact))  # renders
