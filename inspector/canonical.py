"""Canonical bytes: the only encodings that are ever signed.

JSON records use RFC 8785 (JCS) via the ``rfc8785`` package. Text is NFC-normalised and floats
are refused before encoding, because a signature over bytes that a second implementation would
produce differently is worthless. Times are UTC strings ``YYYY-MM-DDTHH:MM:SSZ``.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime, timezone
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


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of ``value`` after NFC normalisation."""
    return rfc8785.dumps(nfc(value))


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = item
    return out


def parse_canonical_json(data: bytes, what: str) -> Any:
    """Parse bytes that must be canonical JSON; anything else is a ``UserError`` naming ``what``."""
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{what}: not valid JSON ({exc})") from None
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
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{what}: not valid JSON ({exc})") from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in signed data")
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """Parse our fixed UTC format, and only it."""
    moment = datetime.strptime(text, TIME_FORMAT)
    return moment.replace(tzinfo=timezone.utc)


def now_text() -> str:
    return format_time(utcnow())
