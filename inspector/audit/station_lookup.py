"""The station's names for a verdict, read from the registry without pydantic.

``inspector verify`` and the app's verify screen show, beside the verdict, the English and
Hindi names the local registry gives the certificate's station code. Loading the registry
through ``stations`` (pydantic models) was a quarter of ``verify --payload``'s start-up
(issue 16 goal 3), so this module reads the same file, picked the same way (the data
directory's ``stations.toml``, else the shipped one; for a large one the cache ``stations``
writes), and checks it by hand against the same rules. A registry ``stations`` would refuse
gives no names here either: tests/certificates/test_station_lookup.py holds the two to the
same answers on the shipped registry and on single-field mutations of it.

The rules are restated from ``stations`` (a test keeps them equal); the visible-text rule is
the one of its patterns, character categories from ``unicodedata``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

CODE = re.compile(r"[A-Z0-9-]{3,16}")
CCTNS_CODE = re.compile(r"[A-Za-z0-9-]{0,24}")
CACHE_MIN_BYTES = 64 * 1024
CACHE_FORMAT = "inspector-stations-cache/1"
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn"})
_JOINERS = frozenset("\u200c\u200d")
# field -> (required, kind); kinds: line (1..300 visible), hindi (1..300 visible with Devanagari)
_OPTIONAL_LINES = {
    "district_hi": "hindi",
    "commissionerate": "line",
    "commissionerate_hi": "hindi",
    "zone": "line",
    "circle": "line",
    "address": "line",
    "in_charge_hi": "hindi",
}
FIELDS = frozenset({"code", "name", "district", "in_charge", "cctns_code", "unconfirmed", *_OPTIONAL_LINES})


class _Bad(ValueError):
    """The registry breaks a rule: it gives no names."""


def _visible(value: str) -> bool:
    return all(unicodedata.category(c) not in _HIDDEN or c in _JOINERS for c in value)


def _line(value: Any, longest: int, hindi: bool) -> str:
    if type(value) is not str or not 1 <= len(value) <= longest or not _visible(value):
        raise _Bad
    if hindi and not any("\u0900" <= c <= "\u097f" for c in value):
        raise _Bad
    return value


def _station(value: Any) -> tuple[str, str, str]:
    """(code, English name, Hindi name) of one valid station entry."""
    if type(value) is not dict or not set(value) <= FIELDS or not {"code", "name", "district"} <= set(value):
        raise _Bad
    code = value["code"]
    if type(code) is not str or not CODE.fullmatch(code):
        raise _Bad
    name = value["name"]
    if type(name) is not dict or set(name) != {"en", "hi"}:
        raise _Bad
    english, hindi = _line(name["en"], 120, False), _line(name["hi"], 120, True)
    _line(value["district"], 300, False)
    for key, kind in _OPTIONAL_LINES.items():
        if value.get(key) is not None:
            _line(value[key], 300, kind == "hindi")
    if "in_charge" in value:
        _line(value["in_charge"], 300, False)
    if "cctns_code" in value and (
        type(value["cctns_code"]) is not str or not CCTNS_CODE.fullmatch(value["cctns_code"])
    ):
        raise _Bad
    if "unconfirmed" in value:
        listed = value["unconfirmed"]
        if type(listed) is not list or any(
            type(item) is not str or item not in FIELDS or item in ("code", "unconfirmed") for item in listed
        ):
            raise _Bad
    return code, english, hindi


def _names(document: Any) -> dict[str, tuple[str, str]]:
    if type(document) is not dict or set(document) != {"stations"}:
        raise _Bad
    stations = document["stations"]
    if type(stations) is not list or not stations:
        raise _Bad
    names: dict[str, tuple[str, str]] = {}
    for entry in stations:
        code, english, hindi = _station(entry)
        if code in names:
            raise _Bad  # a duplicate code: the registry is refused
        names[code] = (english, hindi)
    return names


def shipped_registry_path() -> Path:
    """``stations.shipped_registry_path()`` (a test keeps them equal), without
    ``importlib.resources``: it imports zipfile and more, 3.5 ms of a verification."""
    return Path(__file__).parent.parent / "data" / "stations.toml"


def _from_cache(cache: Path, digest: str) -> dict[str, tuple[str, str]] | None:
    try:
        raw = cache.read_bytes()
    except OSError:
        return None
    head = f'{{"format":"{CACHE_FORMAT}","sha256":"{digest}",'.encode()
    if not raw.startswith(head):
        return None
    try:
        return _names(json.loads(b"{" + raw[len(head) :]))
    except (ValueError, RecursionError):
        return None


# Names of the registries read in this process, by content hash (the app's verify screen asks for
# every scan; ``stations`` keeps its validated registries the same way).
_MEMO: dict[str, dict[str, tuple[str, str]]] = {}


def registry_names(data_root: Path | None, code: str) -> tuple[str | None, str | None]:
    """(English, Hindi) names of station ``code`` (case and surrounding space ignored) in the
    registry ``stations.load_registry(data_root=...)`` would load, or (None, None) when that
    registry does not know it or would be refused."""
    path = shipped_registry_path()
    in_data = data_root is not None and (data_root / "stations.toml").is_file()
    if in_data:
        assert data_root is not None
        path = data_root / "stations.toml"
    try:
        raw = path.read_bytes()
    except OSError:
        return None, None
    digest = hashlib.sha256(raw).hexdigest()
    names = _MEMO.get(digest)
    if names is None and in_data and len(raw) >= CACHE_MIN_BYTES:
        assert data_root is not None
        names = _from_cache(data_root / "cache" / f"stations-{digest[:32]}.json", digest)
    if names is None:
        try:
            names = _names(tomllib.loads(raw.decode("utf-8")))
        except (_Bad, UnicodeDecodeError, tomllib.TOMLDecodeError):
            names = {}  # refused as a whole: no station has names
        if len(_MEMO) >= 4:
            _MEMO.clear()
        _MEMO[digest] = names
    found = names.get(code.strip().upper())
    return found if found is not None else (None, None)
