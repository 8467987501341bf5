"""Canonical JSON: the stdlib fast path must give exactly the RFC 8785 bytes."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.crypto.canonical import canonical_json, nfc, parse_canonical_json
from inspector.errors import UserError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_path_equals_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(nfc(value))
    except (rfc8785.CanonicalizationError, ValueError):
        return
    assert canonical_json(value) == expected


def test_hindi_nfc_and_key_order() -> None:
    decomposed = "\u0915\u093c"  # क + nukta; NFC keeps the pair (U+0958 is a composition exclusion)
    assert canonical_json({"b": 1, "a": "\u0958"}) == ('{"a":"' + decomposed + '","b":1}').encode("utf-8")


def test_non_bmp_keys_use_utf16_order() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2}
    assert canonical_json(value) == rfc8785.dumps(value)


def test_floats_and_big_ints_refused() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": 1.5})
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical_json({"x": 2**60})


def test_parse_rejects_non_canonical_and_duplicates() -> None:
    assert parse_canonical_json(b'{"a":1}', "t") == {"a": 1}
    with pytest.raises(UserError, match="not in canonical form"):
        parse_canonical_json(b'{"a": 1}', "t")
    with pytest.raises(UserError, match="duplicate key"):
        parse_canonical_json(b'{"a":1,"a":1}', "t")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_parse_accepts_exactly_the_rfc8785_bytes(value: object) -> None:
    try:
        data = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError):
        return
    if data != rfc8785.dumps(nfc(value)):
        with pytest.raises(UserError):
            parse_canonical_json(data, "t")  # not NFC: refused
        return
    assert parse_canonical_json(data, "t") == value


def test_parse_refuses_floats_big_ints_and_astral_key_order() -> None:
    for bad in (b'{"a":1.5}', b'{"a":9007199254740993}', b'{"\xef\xac\x81":2,"\xf0\x9f\x98\x80":1}'):
        with pytest.raises(UserError):
            parse_canonical_json(bad, "t")
