"""Canonical bytes: the only encodings that are ever signed.

JSON records use RFC 8785 (JCS) via the ``rfc8785`` package. Text is NFC-normalised and floats
are refused before encoding, because a signature over bytes that a second implementation would
produce differently is worthless. Times are UTC strings ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import rfc8785

from inspector.errors import UserError

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def nfc(value: Any) -> Any:
    """NFC-normalise every string in a JSON-like value; refuse floats and odd types."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        raise ValueError("floats are not allowed in signed data")
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"object keys must be strings, not {type(key).__name__}")
            out[nfc(key)] = nfc(item)
        return out
    if isinstance(value, (list, tuple)):
        return [nfc(item) for item in value]
    raise ValueError(f"{type(value).__name__} is not allowed in signed data")


MAX_SAFE_INT = 2**53 - 1
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _simple(value: Any) -> bool:
    """True when JCS equals ``json.dumps(sort_keys=True)`` for ``value``.

    That holds for NFC strings, ASCII keys (code-point order = UTF-16 order), integers inside
    the I-JSON range and no floats: then the C-accelerated stdlib encoder gives the RFC 8785
    bytes, and the pure-Python ``rfc8785`` encoder (the cost of every verification) is skipped.
    """
    if isinstance(value, str):
        return unicodedata.is_normalized("NFC", value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INT <= value <= MAX_SAFE_INT
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _simple(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_simple(item) for item in value)
    return False


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of ``value`` after NFC normalisation."""
    if _simple(value):
        return _stdlib_canonical(value)
    return rfc8785.dumps(nfc(value))


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = item
    return out


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(text: str, value: Any, what: str) -> Any:
    """JSON may spell a lone surrogate (``"\\ud800"``), which no UTF-8 text can hold: refuse it
    here, as one clear line, rather than fail later while hashing, printing or storing it."""
    if not _SURROGATE_ESCAPE.search(text):
        return value  # the fast path: no escape that could produce one
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise UserError(f"{what}: text is not valid Unicode (a lone surrogate escape such as \\ud800)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def parse_canonical_json(data: bytes, what: str) -> Any:
    """Parse bytes that must be canonical JSON; anything else is a ``UserError`` naming ``what``.

    Duplicate keys need no hook on the fast path: ``json.loads`` keeps one of them, so the
    re-encoding is shorter than ``data`` and the comparison fails; the slow path then names it.
    """
    try:
        text = data.decode("utf-8")
        value = _DECODER.decode(text)
        # Without astral characters code-point order is UTF-16 order, so for NFC text the stdlib
        # encoder's bytes are the RFC 8785 bytes (see _simple).
        if not _ASTRAL.search(text) and unicodedata.is_normalized("NFC", text) and _stdlib_canonical(value) == data:
            return _refuse_lone_surrogates(text, value, what)
    except (UnicodeDecodeError, ValueError, RecursionError):
        pass
    return _parse_canonical_slowly(data, what)


def _no_float(text: str) -> Any:
    raise ValueError("floats are not allowed in signed data")


def _safe_int(text: str) -> int:
    value = int(text)
    if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
        raise ValueError("integer outside the I-JSON range")
    return value


# Built once: json.loads/dumps with options construct a new decoder/encoder on every call.
_DECODER = json.JSONDecoder(parse_float=_no_float, parse_int=_safe_int)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _stdlib_canonical(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def _parse_canonical_slowly(data: bytes, what: str) -> Any:
    """The precise reason ``data`` is not canonical JSON."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{what}: not valid JSON ({exc})") from None
    _refuse_lone_surrogates(text, value, what)
    try:
        again = canonical_json(value)
    except (ValueError, rfc8785.CanonicalizationError) as exc:
        raise UserError(f"{what}: not canonical JSON ({exc})") from None
    if again != data:
        raise UserError(f"{what}: not in canonical form")
    return value


def loads_strict(text: str | bytes, what: str) -> Any:
    """Parse JSON refusing duplicate keys (I-JSON); errors name ``what``."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UserError(f"{what}: not valid JSON ({exc})") from None
    return _refuse_lone_surrogates(text, value, what)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in signed data")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


_TIME_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


@lru_cache(maxsize=4096)
def parse_time(text: str) -> datetime:
    """Parse our fixed UTC format, and only it (``ValueError`` otherwise).

    ``strptime`` was a quarter of a certificate verification; the regex pins the format and
    ``fromisoformat`` (C) does the rest. Cached: trust-list times repeat on every check.
    """
    if not isinstance(text, str) or not _TIME_TEXT.match(text):
        raise ValueError(f"time {text!r} does not match {TIME_FORMAT}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def now_text() -> str:
    return format_time(utcnow())
