"""PSC1 codec: round trips, sizes, and the adversarial cases of qr-credentials.md §9 (1, 2, 3, 7, 8)."""

from __future__ import annotations

import base64
import gzip
import time
import zlib
from datetime import date
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.certificates import psc1
from inspector.certificates.psc1 import AuditType, CertClaims, CertResult, PayloadError
from inspector.crypto.signing import Domain, SigningKey, protected_header, sig_structure
from tests.helpers import make_claims

KEY = SigningKey.from_raw(bytes(range(32)))
OTHER_KEY = SigningKey.from_raw(bytes(range(32, 64)))
NAME_40 = "Kotwali Sector 39, Gautam Buddh Nagar PS"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def claims_map(claims: CertClaims) -> dict[int, Any]:
    return cbor2.loads(psc1.payload_bytes(claims))


def signed_text(payload: bytes, key: SigningKey = KEY, domain: Domain = Domain.CERT) -> str:
    """A correctly signed envelope around arbitrary payload bytes (what a rogue signer can make)."""
    protected = protected_header(key.kid)
    return psc1.to_text(psc1.cose_bytes(protected, payload, key.sign(domain, payload, protected=protected)))


def raw_text(value: Any) -> str:
    return psc1.to_text(cbor2.dumps(value, canonical=True))


def envelope(protected: Any, unprotected: Any, payload: Any, signature: Any, tag: int | None = 18) -> str:
    parts = [protected, unprotected, payload, signature]
    return raw_text(parts if tag is None else cbor2.CBORTag(tag, parts))


def good_parts(claims: CertClaims | None = None) -> tuple[bytes, bytes, bytes]:
    payload = psc1.payload_bytes(claims or make_claims())
    protected = protected_header(KEY.kid)
    return protected, payload, KEY.sign(Domain.CERT, payload, protected=protected)


def code_of(text: str) -> str:
    with pytest.raises(PayloadError) as info:
        psc1.decode(text)
    return info.value.code


def claims_code(payload: bytes) -> str:
    with pytest.raises(PayloadError) as info:
        psc1.parse_claims(payload)
    return info.value.code


VALID = psc1.encode(
    make_claims(station_name="Kotwali Sector 39", audit_date=20620, audit_type=AuditType.CERTIFICATION), KEY
)


# ---------------------------------------------------------------------------------------------
# Round trip and model


def test_round_trip() -> None:
    claims = make_claims(station_name="Kotwali Sector 39", audit_date=20620, audit_type=AuditType.SURVEILLANCE)
    text = psc1.encode(claims, KEY)
    assert text.startswith("PSC1:") and set(text[5:]) <= set(BASE32)
    decoded = psc1.decode(text)
    assert decoded.kid == KEY.kid and decoded.protected == protected_header(KEY.kid)
    assert psc1.verify_signature(decoded, KEY.public)
    assert psc1.parse_claims(decoded.payload) == claims
    assert psc1.text_length(claims) == len(text)


def test_optional_claims_are_omitted() -> None:
    assert set(claims_map(make_claims())) == {int(c) for c in psc1.REQUIRED_CLAIMS}


def test_signature_is_ed25519_over_sig_structure_with_cert_domain() -> None:
    decoded = psc1.decode(VALID)
    expected = sig_structure(Domain.CERT, protected_header(KEY.kid), decoded.payload)
    assert cbor2.loads(expected) == ["Signature1", decoded.protected, b"PSA/cert/v1", decoded.payload]
    KEY.public._key.verify(decoded.signature, expected)  # raises if not


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 Sector 39"
    claims = make_claims(station_name=decomposed)
    assert claims.station_name == "Caf\u00e9 Sector 39"
    # Devanagari nukta letters decompose under NFC: the length limit applies after normalising.
    assert make_claims(station_name="\u0958" * 20).station_name == "\u0915\u093c" * 20
    with pytest.raises(ValueError):
        make_claims(station_name="\u0958" * 21)


def test_devanagari_name_with_joiners_is_allowed() -> None:
    name = "\u0925\u093e\u0928\u093e \u0915\u094d\u200d\u0937"  # थाना + a ZWJ half-form
    assert make_claims(station_name=name).station_name == name


def test_non_nfc_text_in_a_signed_payload_is_refused() -> None:
    payload = claims_map(make_claims())
    payload[-6] = "A\u0301UD"
    assert claims_code(cbor2.dumps(payload, canonical=True)) == "bad-claim"


@pytest.mark.parametrize(
    "overrides",
    [
        dict(cert_id=bytes(9)),
        dict(findings_root=bytes(17)),
        dict(score=101),
        dict(issued_at=-1),
        dict(issued_at=True),
        dict(result=2),  # strict: the enum, not an int
        dict(station_code="gbn-s39"),
        dict(station_code="GBN-S39-ABCDEFGHIJ"),
        dict(auditor_id="A" * 25),
        dict(station_name="X" * 41),
        dict(station_name="Sector\u202e93"),  # bidi override would reorder what the officer reads
        dict(station_name=" Sector 39"),
        dict(station_name="Sector\u200b39"),  # zero-width space
        dict(auditor_id="AUD\u0007"),
        dict(audit_date=1781654400),  # seconds passed where days are expected
    ],
)
def test_model_refuses_bad_values(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_claims(**overrides)


def test_audit_date_is_a_day_number() -> None:
    claims = make_claims(audit_date=CertClaims.day_number(date(2026, 6, 15)))
    assert claims.audit_day == date(2026, 6, 15)


def test_station_code_shape_matches_registry() -> None:
    from inspector.audit.stations import CODE

    assert psc1.STATION_CODE.pattern == CODE.pattern


# ---------------------------------------------------------------------------------------------
# Size budget (§8.3): fail closed above QR version 13 at ECC Q


def test_max_issue_length_is_the_v13_q_alphanumeric_capacity() -> None:
    from inspector.certificates import qr

    assert qr.qr_version("PSC1:" + "A" * (psc1.MAX_ISSUE_LENGTH - 5)) == psc1.MAX_QR_VERSION
    assert qr.qr_version("PSC1:" + "A" * (psc1.MAX_ISSUE_LENGTH - 4)) == psc1.MAX_QR_VERSION + 1


def test_realistic_certificate_fits_version_13() -> None:
    from inspector.certificates import qr

    # Longest display name in the shipped registry, plus audit date and type: 351 of 352 characters.
    claims = make_claims(station_name="Kotwali Sector 39", audit_date=20620, audit_type=AuditType.CERTIFICATION)
    text = psc1.encode(claims, KEY)
    assert len(text) <= psc1.MAX_ISSUE_LENGTH
    assert qr.qr_version(text) <= psc1.MAX_QR_VERSION


def test_realistic_certificate_with_40_char_name_fails_closed() -> None:
    # With the shipped checklist id the 40-character display name needs 380-389 characters
    # (QR version 15): the issuer must refuse rather than print a dense code.
    claims = make_claims(station_name=NAME_40, audit_date=20620, audit_type=AuditType.CERTIFICATION)
    assert not psc1.fits(claims)
    with pytest.raises(psc1.QRTooLarge, match="version 13"):
        psc1.encode(claims, KEY)
    assert psc1.fits(claims.model_copy(update={"station_name": None}))


def test_40_char_name_fits_with_short_identifiers() -> None:
    from inspector.certificates import qr

    claims = make_claims(checklist_id="ps9001", auditor_id="A17", station_name=NAME_40, audit_date=20620)
    text = psc1.encode(claims, KEY)
    assert qr.qr_version(text) == 13


# ---------------------------------------------------------------------------------------------
# §9.1 tampered payload, copied signature, wrong signature size


def test_flipped_payload_bit_does_not_verify() -> None:
    protected, payload, signature = good_parts()
    for index in (0, len(payload) // 2, len(payload) - 1):
        tampered = bytearray(payload)
        tampered[index] ^= 0x01
        text = envelope(protected, {}, bytes(tampered), signature)
        try:
            decoded = psc1.decode(text)
        except PayloadError:
            continue
        assert not psc1.verify_signature(decoded, KEY.public)


def test_score_changed_in_payload_does_not_verify() -> None:
    protected, payload, signature = good_parts(make_claims(result=CertResult.NOT_CERTIFIED, score=40))
    forged = psc1.payload_bytes(make_claims(result=CertResult.CERTIFIED, score=95))
    decoded = psc1.decode(envelope(protected, {}, forged, signature))
    assert not psc1.verify_signature(decoded, KEY.public)


def test_signature_copied_from_another_certificate_does_not_verify() -> None:
    _, _, other_signature = good_parts(make_claims(station_code="GBN-S49"))
    protected, payload, _ = good_parts(make_claims(station_code="GBN-S39"))
    decoded = psc1.decode(envelope(protected, {}, payload, other_signature))
    assert not psc1.verify_signature(decoded, KEY.public)


def test_other_key_or_wrong_kid_does_not_verify() -> None:
    decoded = psc1.decode(VALID)
    assert not psc1.verify_signature(decoded, OTHER_KEY.public)
    # The right key but a header naming another kid: refused before any crypto.
    protected, payload, signature = good_parts()
    swapped = psc1.decode(envelope(protected_header(OTHER_KEY.kid), {}, payload, signature))
    assert not psc1.verify_signature(swapped, KEY.public)


@pytest.mark.parametrize("size", [0, 63, 65, 96])
def test_signature_of_wrong_size_is_refused(size: int) -> None:
    protected, payload, signature = good_parts()
    wrong = (signature * 2)[:size]
    assert code_of(envelope(protected, {}, payload, wrong)) == "bad-signature-size"


# ---------------------------------------------------------------------------------------------
# §9.2 cross-purpose replay


@pytest.mark.parametrize("domain", [d for d in Domain if d is not Domain.CERT])
def test_signature_from_another_domain_does_not_verify(domain: Domain) -> None:
    payload = psc1.payload_bytes(make_claims())
    decoded = psc1.decode(signed_text(payload, domain=domain))  # structurally perfect
    assert not psc1.verify_signature(decoded, KEY.public)
    assert psc1.verify_signature(psc1.decode(signed_text(payload)), KEY.public)


# ---------------------------------------------------------------------------------------------
# §9.3 algorithm and header games


def _protected(header: Any) -> bytes:
    return cbor2.dumps(header, canonical=True)


@pytest.mark.parametrize(
    "header",
    [
        {1: -7, 4: KEY.kid},  # ES256
        {1: -35, 4: KEY.kid},  # ES384
        {1: "none", 4: KEY.kid},
        {1: None, 4: KEY.kid},
        {4: KEY.kid},  # alg missing
        {1: -8},  # kid missing
        {1: -8, 4: KEY.kid, 3: 0},  # extra entry (content type)
        {1: -8, 4: KEY.kid, 33: b"x509"},
        {1: -8, 4: KEY.kid[:7]},
        {1: -8, 4: KEY.kid.hex()},  # kid as text
        {1: True, 4: KEY.kid},
        {"1": -8, "4": KEY.kid},
        [1, -8, 4, KEY.kid],
    ],
)
def test_protected_header_must_be_exactly_eddsa_and_kid(header: Any) -> None:
    _, payload, signature = good_parts()
    assert code_of(envelope(_protected(header), {}, payload, signature)) == "bad-header"


def test_non_canonical_protected_header_is_refused() -> None:
    _, payload, signature = good_parts()
    # Same map, keys in the wrong order (4 before 1): a second byte string for the same header.
    reordered = b"\xa2\x04\x48" + KEY.kid + b"\x01\x27"
    assert cbor2.loads(reordered) == {1: -8, 4: KEY.kid}
    assert code_of(envelope(reordered, {}, payload, signature)) == "bad-header"
    # Non-minimal encoding of alg.
    long_alg = b"\xa2\x01\x38\x07\x04\x48" + KEY.kid
    assert cbor2.loads(long_alg) == {1: -8, 4: KEY.kid}
    assert code_of(envelope(long_alg, {}, payload, signature)) == "bad-header"


@pytest.mark.parametrize(
    "unprotected",
    [
        {4: KEY.kid},  # kid only in the unprotected header (protected header then lacks it)
        {4: OTHER_KEY.kid},  # conflicting kids
        {1: -8},
        {"x": 1},
    ],
)
def test_unprotected_header_must_be_empty(unprotected: dict[Any, Any]) -> None:
    protected, payload, signature = good_parts()
    assert code_of(envelope(protected, unprotected, payload, signature)) == "bad-header"
    assert code_of(envelope(_protected({1: -8}), unprotected, payload, signature)) == "bad-header"


def test_es256_header_with_p384_sized_signature_is_refused() -> None:
    _, payload, signature = good_parts()
    # The Spanish DCC pattern: header says ES256, signature is 96 bytes.
    text = envelope(_protected({1: -7, 4: KEY.kid}), {}, payload, signature + signature[:32])
    assert code_of(text) in {"bad-header", "bad-signature-size"}


def test_protected_header_not_a_byte_string() -> None:
    _, payload, signature = good_parts()
    assert code_of(envelope({1: -8, 4: KEY.kid}, {}, payload, signature)) == "bad-cose"


# ---------------------------------------------------------------------------------------------
# §9.7 transport encoding


@pytest.mark.parametrize("prefix", ["psc1:", "HC1:", "PSC3:", "PSC1", "PSC1;", " PSC1:", "", "NZCP:/1/"])
def test_wrong_prefix(prefix: str) -> None:
    assert code_of(prefix + VALID[5:]) == "bad-prefix"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:5] + t[5:].lower(),  # lower-case body
        lambda t: t + "=" * (-(len(t) - 5) % 8 or 8),  # padding
        lambda t: t[:40] + " " + t[40:],  # space inserted by a camera app
        lambda t: t[:40] + "%20" + t[40:],
        lambda t: t[:40] + "0" + t[41:],  # outside the base32 alphabet
        lambda t: t[:40] + "1" + t[41:],
        lambda t: t[:40] + "8" + t[41:],
        lambda t: t[:40] + "\u0410" + t[41:],  # Cyrillic A
        lambda t: t + "\n",  # decode() is strict; parse_scanned() strips
        lambda t: t[:40] + "\x00" + t[41:],
    ],
)
def test_characters_outside_the_alphabet(mangle: Any) -> None:
    assert code_of(mangle(VALID)) == "bad-base32"


def test_impossible_base32_length() -> None:
    assert code_of(VALID + "A") in {"bad-base32", "non-canonical-base32"}
    for extra in (1, 3, 6):
        body = "A" * (8 * 5 + extra)
        assert code_of("PSC1:" + body) == "bad-base32"


def test_non_canonical_final_base32_character() -> None:
    body = VALID[5:]
    # The last character carries unused low bits; every sibling that decodes to the same bytes
    # must be refused so one certificate has exactly one text.
    unused = {2: 2, 4: 4, 5: 1, 7: 3}[len(body) % 8]
    last = BASE32.index(body[-1])
    siblings = [BASE32[last | bits] for bits in range(1, 1 << unused)]
    assert siblings
    for char in siblings:
        text = VALID[:-1] + char
        assert base64.b32decode(text[5:] + "=" * (-len(body) % 8)) == base64.b32decode(body + "=" * (-len(body) % 8))
        assert code_of(text) == "non-canonical-base32"


def test_long_input_fails_fast() -> None:
    for text in ("PSC1:" + "A" * 5000, "X" * 100_000, VALID + "A" * 5000, "PSC1:" + "\u20ac" * 10**6):
        start = time.perf_counter()
        assert code_of(text) == "too-long"
        assert time.perf_counter() - start < 0.05
    assert code_of("PSC1:" + "A" * 416) == "too-long"  # 421 characters
    assert code_of("PSC1:" + "A" * 415) != "too-long"  # exactly 420 is looked at


@pytest.mark.parametrize("value", [None, b"PSC1:AAAA", 42, ["PSC1:"]])
def test_non_text_input(value: Any) -> None:
    with pytest.raises(PayloadError) as info:
        psc1.decode(value)
    assert info.value.code == "bad-input"


def test_empty_body() -> None:
    assert code_of("PSC1:") == "bad-base32"


# ---------------------------------------------------------------------------------------------
# §9.8 CBOR strictness


def test_trailing_bytes_after_the_cose_item() -> None:
    protected, payload, signature = good_parts()
    cose = psc1.cose_bytes(protected, payload, signature)
    for trailer in (b"\x00", b"\xf6", cose[:20]):
        assert code_of(psc1.to_text(cose + trailer)) == "trailing-bytes"


def test_trailing_bytes_after_the_payload_item() -> None:
    payload = psc1.payload_bytes(make_claims()) + b"\x00"
    decoded = psc1.decode(signed_text(payload))
    assert psc1.verify_signature(decoded, KEY.public)  # the rogue signer signed it ...
    assert claims_code(decoded.payload) == "trailing-bytes"  # ... and still nobody reads it


def test_duplicate_claim_keys_are_refused() -> None:
    # A rogue signer's ambiguous certificate {-3: 0, -3: 2}: lenient cbor2 would read "certified".
    good = psc1.payload_bytes(make_claims(result=CertResult.NOT_CERTIFIED))
    items = cbor2.loads(good)
    count = len(items)
    body = good[1:]  # drop the map header, keep the canonically ordered entries
    assert good[0] == 0xA0 + count
    duplicated = bytes([0xA0 + count + 1]) + body + b"\x22\x02"  # ..., -3: 2 appended
    assert cbor2.loads(duplicated)[-3] == 2  # last one wins in a lenient parser
    decoded = psc1.decode(signed_text(duplicated))
    assert psc1.verify_signature(decoded, KEY.public)
    assert claims_code(decoded.payload) == "duplicate-key"


def test_canonical_re_encode_alone_catches_duplicate_keys() -> None:
    # Belt and braces: even without the decoder's duplicate check, re-encoding drops one of the
    # two entries, so the byte comparison fails.
    duplicated = bytes.fromhex("a222002202")
    assert cbor2.dumps(cbor2.loads(duplicated), canonical=True) != duplicated


def test_duplicate_keys_in_headers() -> None:
    _, payload, signature = good_parts()
    dup_protected = b"\xa3\x01\x27\x04\x48" + KEY.kid + b"\x01\x27"
    assert code_of(envelope(dup_protected, {}, payload, signature)) == "bad-header"
    cose = psc1.cose_bytes(*good_parts())
    # The unprotected header {} replaced by {1: -8, 1: -8}, spliced in by hand.
    assert cose[:3] == b"\xd2\x84\x4d"
    head = cose[: 3 + 13]
    rest = cose[3 + 13 + 1 :]
    assert cose[3 + 13] == 0xA0
    assert code_of(psc1.to_text(head + b"\xa2\x01\x27\x01\x27" + rest)) == "duplicate-key"


def test_non_minimal_integers_are_refused() -> None:
    good = psc1.payload_bytes(make_claims(score=5))
    assert b"\x23\x05" in good  # -4: 5
    long_score = good.replace(b"\x23\x05", b"\x23\x18\x05", 1)
    assert cbor2.loads(long_score) == cbor2.loads(good)
    decoded = psc1.decode(signed_text(long_score))
    assert psc1.verify_signature(decoded, KEY.public)
    assert claims_code(decoded.payload) == "non-canonical-cbor"
    # In the envelope: the array header 0x84 written as 0x98 0x04.
    cose = psc1.cose_bytes(*good_parts())
    assert code_of(psc1.to_text(b"\xd2\x98\x04" + cose[2:])) == "non-canonical-cbor"


def test_indefinite_length_is_refused() -> None:
    cose = psc1.cose_bytes(*good_parts())
    indefinite = b"\xd2\x9f" + cose[2:] + b"\xff"
    assert code_of(psc1.to_text(indefinite)) == "non-canonical-cbor"


@pytest.mark.parametrize("tag", [None, 17, 98, 96, 61])
def test_untagged_or_wrongly_tagged_cose(tag: int | None) -> None:
    protected, payload, signature = good_parts()
    assert code_of(envelope(protected, {}, payload, signature, tag=tag)) == "bad-cose"


@pytest.mark.parametrize(
    "value",
    [
        cbor2.CBORTag(18, [b"", {}, b""]),
        cbor2.CBORTag(18, [b"", {}, b"", b"", b""]),
        cbor2.CBORTag(18, {1: 2}),
        cbor2.CBORTag(18, b"x"),
        cbor2.CBORTag(18, [protected_header(KEY.kid), {}, "text payload", bytes(64)]),
        cbor2.CBORTag(18, [protected_header(KEY.kid), {}, None, bytes(64)]),  # detached payload
        cbor2.CBORTag(18, [protected_header(KEY.kid), [], b"", bytes(64)]),
        "PSC1",
        0,
    ],
)
def test_malformed_cose_structure(value: Any) -> None:
    assert code_of(raw_text(value)) in {"bad-cose", "bad-header"}


def test_garbage_cbor() -> None:
    assert code_of(psc1.to_text(b"\xff\xff\xff")) == "bad-cbor"
    assert code_of(psc1.to_text(b"\xd2")) == "bad-cbor"
    assert code_of(psc1.to_text(b"\x5a\xff\xff\xff\xff")) == "bad-cbor"  # 4 GiB byte string, 0 given


@pytest.mark.parametrize("key", [-11, 2, 99, "station", -1000000, b"\x01"])
def test_unknown_claims_are_refused(key: Any) -> None:
    items = claims_map(make_claims())
    items[key] = 1
    decoded = psc1.decode(signed_text(cbor2.dumps(items, canonical=True)))
    assert psc1.verify_signature(decoded, KEY.public)
    assert claims_code(decoded.payload) == "unknown-claim"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (4, "1876348800"),  # string exp
        (4, -5),
        (4, 1.5e9),
        (6, True),
        (7, bytes(9)),  # cti 9 B
        (7, bytes(11)),
        (7, "0123456789"),
        (-7, bytes(15)),  # findings root
        (-7, bytes(17)),
        (-1, b"GBN-S39"),
        (-1, "gbn-s39"),
        (-2, ["police-station-iso9001"]),
        (-2, ["police-station-iso9001", 1]),
        (-2, "police-station-iso9001 1.0.0"),
        (-3, 3),  # result outside the enum
        (-3, -1),
        (-4, 101),
        (-5, [0]),
        (-5, [0, -1]),
        (-5, {0: 0, 1: 1}),
        (-6, "A" * 25),
        (-8, "X" * 41),
        (-8, ""),
        (-8, "Sector\u202e93"),
        (-9, 1781654400),
        (-10, 4),
    ],
)
def test_wrong_claim_types_and_sizes(key: int, value: Any) -> None:
    items = claims_map(make_claims())
    items[key] = value
    assert claims_code(cbor2.dumps(items, canonical=True)) == "bad-claim"


def test_tagged_time_is_refused() -> None:
    # cbor2 turns tag 1 into a datetime (re-encoded as tag 0): refused either way.
    items = claims_map(make_claims())
    items[4] = cbor2.CBORTag(1, 1876348800)
    assert claims_code(cbor2.dumps(items, canonical=True)) in {"bad-claim", "non-canonical-cbor"}


@pytest.mark.parametrize("missing", sorted(int(c) for c in psc1.REQUIRED_CLAIMS))
def test_missing_required_claim(missing: int) -> None:
    items = claims_map(make_claims())
    del items[missing]
    assert claims_code(cbor2.dumps(items, canonical=True)) == "bad-claim"


@pytest.mark.parametrize("value", [[1, 2], "text", b"bytes", 7, None, cbor2.CBORTag(18, {})])
def test_payload_must_be_a_map(value: Any) -> None:
    assert claims_code(cbor2.dumps(value, canonical=True)) == "bad-claim"


def test_compressed_blobs_are_never_inflated() -> None:
    cose = psc1.cose_bytes(*good_parts())
    for blob in (zlib.compress(cose), gzip.compress(cose), zlib.compress(cose, 9)[2:]):
        assert code_of(psc1.to_text(blob)) in {"bad-cbor", "bad-cose", "trailing-bytes", "non-canonical-cbor"}
    payload = psc1.payload_bytes(make_claims())
    decoded = psc1.decode(signed_text(zlib.compress(payload)))
    assert psc1.verify_signature(decoded, KEY.public)
    with pytest.raises(PayloadError):
        psc1.parse_claims(decoded.payload)


def test_deeply_nested_cbor() -> None:
    deep = b"\x81" * 5000 + b"\x00"
    with pytest.raises(PayloadError):
        psc1.parse_claims(deep)
    assert code_of(psc1.to_text(b"\x81" * 200 + b"\x00")) in {"bad-cbor", "bad-cose"}


# ---------------------------------------------------------------------------------------------
# Scanned text and verify links


@pytest.mark.parametrize(
    "scanned",
    [
        "{t}",
        "{t}\n",
        "{t}\r\n",
        "  {t}\t",
        "https://psa.up.gov.in/v#{t}",
        "HTTPS://PSA.UP.GOV.IN/V#{t}\n",
        "https://psa.up.gov.in/verify/index.html?lang=hi#{t}",
        "https://localhost:8443/#{t}",
    ],
)
def test_parse_scanned_accepts(scanned: str) -> None:
    assert psc1.parse_scanned(scanned.format(t=VALID)) == VALID


@pytest.mark.parametrize(
    ("scanned", "code"),
    [
        ("http://psa.up.gov.in/v#{t}", "bad-url"),
        ("https://psa.up.gov.in/v?{t}", "bad-url"),
        ("https:///v#{t}", "bad-url"),
        ("https://psa.up.gov.in/a b#{t}", "bad-url"),
        ("x" * 2000, "too-long"),
    ],
)
def test_parse_scanned_refuses(scanned: str, code: str) -> None:
    with pytest.raises(PayloadError) as info:
        psc1.parse_scanned(scanned.format(t=VALID))
    assert info.value.code == code


def test_parse_scanned_changes_nothing_inside() -> None:
    inner = VALID[:40] + " " + VALID[40:]
    assert psc1.parse_scanned(inner) == inner
    assert code_of(psc1.parse_scanned("https://h/v#" + VALID.replace("PSC1:", "PSC1%3A"))) == "bad-prefix"
    assert code_of(psc1.parse_scanned("https://h/v#" + VALID + "#x")) == "bad-base32"


# ---------------------------------------------------------------------------------------------
# Property tests: nothing but PayloadError escapes, and nothing mutated verifies

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_never_verifies(text: str) -> None:
    try:
        decoded = psc1.decode(text)
    except PayloadError:
        return
    assert not psc1.verify_signature(decoded, KEY.public), text
    try:
        psc1.parse_claims(decoded.payload)
    except PayloadError:
        pass


@FAST
@given(st.text(max_size=500))
def test_random_text_only_raises_payload_error(text: str) -> None:
    for candidate in (text, "PSC1:" + text):
        try:
            psc1.decode(psc1.parse_scanned(candidate))
        except PayloadError:
            pass


@FAST
@given(st.text(alphabet=BASE32, max_size=420))
def test_random_base32_only_raises_payload_error(body: str) -> None:
    try:
        decoded = psc1.decode("PSC1:" + body)
    except PayloadError:
        return
    assert not psc1.verify_signature(decoded, KEY.public)


@FAST
@given(st.binary(max_size=260))
def test_base32_decoder_agrees_with_the_standard_library(data: bytes) -> None:
    body = base64.b32encode(data).decode("ascii").rstrip("=")
    if not body:
        return
    assert psc1._base32_decode(body) == data
    # Every other final character that the stdlib maps to the same bytes is refused.
    for char in BASE32:
        other = body[:-1] + char
        if other != body:
            try:
                same = base64.b32decode(other + "=" * (-len(other) % 8)) == data
            except ValueError:
                same = False
            if same:
                with pytest.raises(PayloadError):
                    psc1._base32_decode(other)


@FAST
@given(st.binary(max_size=260))
def test_random_cose_bytes_only_raise_payload_error(data: bytes) -> None:
    _check_never_verifies(psc1.to_text(data))
    try:
        psc1.parse_claims(data)
    except PayloadError:
        pass


@FAST
@given(st.data())
def test_mutated_payload_never_verifies(data: st.DataObject) -> None:
    text = VALID
    kind = data.draw(st.sampled_from(["substitute", "truncate", "insert", "delete"]))
    index = data.draw(st.integers(0, len(text) - 1))
    if kind == "substitute":
        char = data.draw(st.sampled_from(BASE32 + "=0189a:# \n").filter(lambda c: c != text[index]))
        mutated = text[:index] + char + text[index + 1 :]
    elif kind == "truncate":
        mutated = text[:index]
    elif kind == "insert":
        mutated = text[:index] + data.draw(st.text(alphabet=BASE32, min_size=1, max_size=3)) + text[index:]
    else:
        mutated = text[:index] + text[index + 1 :]
    assert mutated != text
    _check_never_verifies(mutated)


@FAST
@given(st.data())
def test_mutated_cose_bytes_never_verify(data: st.DataObject) -> None:
    cose = bytearray(psc1.cose_bytes(*good_parts()))
    index = data.draw(st.integers(0, len(cose) - 1))
    cose[index] ^= data.draw(st.integers(1, 255))
    _check_never_verifies(psc1.to_text(bytes(cose)))


# ---------------------------------------------------------------------------------------------
# Issue 16: new certificates leave the display name out; those that carry it keep verifying.

# Signed by KEY with the first release's issuer: display name, audit date and type included.
OLD_PAYLOAD_WITH_NAME = (
    "PSC1:2KCE3IQBE4CEQL6YUKNIFNPWGSQFRA5OAEAQIGTP23HYABQ2NIY6HAAHJIASGRLHRGV433YBEMQGOR2CJYWVGMZZEGBHM4DPNRU"
    "WGZJNON2GC5DJN5XC22LTN44TAMBRMUYS4MBOGARAEIYYK4SIEAADEVVFKUBPI5BE4L2BGE3SMUAACERDGRCVMZ3YRGNKXPGN33X7E5"
    "YUW33UO5QWY2JAKNSWG5DPOIQDGOJIDFIIYKIBLBAE2SGALTMAUHCJYAYBW5PVZ5ZIMZURMD7MJHRFTT3LNVYD3BGEW4XGJLNF5S5V7EQIK"
    "47JTFBZO67BWHH5OVG754FWHUYJ6MBDXDKYBY"
)


def test_a_payload_that_carries_the_station_name_still_verifies() -> None:
    decoded = psc1.decode(OLD_PAYLOAD_WITH_NAME)
    assert psc1.verify_signature(decoded, KEY.public)
    claims = psc1.parse_claims(decoded.payload)
    assert claims == make_claims(station_name="Kotwali Sector 39", audit_date=20620, audit_type=AuditType.CERTIFICATION)
    # The codec still writes exactly these bytes for those claims (Ed25519 is deterministic).
    assert psc1.encode(claims, KEY) == OLD_PAYLOAD_WITH_NAME


def test_the_bare_claims_leave_room_for_a_31_character_link_at_version_13() -> None:
    from inspector.certificates import qr
    from inspector.certificates.links import link_text

    text = psc1.encode(make_claims(auditor_id="AUD-GBN-017"), KEY)
    assert len(text) == 313  # the figure psc1's module docstring works from
    assert qr.qr_version(link_text("https://verify.uppolice.gov.in/", text)) == psc1.MAX_QR_VERSION
    assert qr.qr_version(link_text("https://verify.uppolice.gov.in/c/", text)) == psc1.MAX_QR_VERSION + 1
