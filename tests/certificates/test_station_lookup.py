"""``audit.station_lookup`` (the names ``inspector verify`` shows, read without pydantic) gives a
station's names exactly when ``stations.load_registry`` would, on the shipped registry, on
single-field mutations of it in a data directory, and through the large registry's cache."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest

from inspector.audit import station_lookup, stations
from inspector.errors import UserError

SHIPPED = tomllib.loads(stations.shipped_registry_path().read_text(encoding="utf-8"))
CODES = [entry["code"] for entry in SHIPPED["stations"]]


def oracle(data_root: Path | None, code: str) -> tuple[str | None, str | None]:
    try:
        name = stations.load_registry(data_root=data_root).get(code).name
    except UserError:
        return None, None
    return name.en, name.hi


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are TOML basic-string escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def toml_of(document: dict[str, Any]) -> str:
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in document.items() if k != "stations"]
    for entry in document.get("stations", []):
        lines.append("[[stations]]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def assert_same(root: Path, document: dict[str, Any] | str) -> bool:
    text = document if isinstance(document, str) else toml_of(document)
    (root / "stations.toml").write_text(text, encoding="utf-8")
    answers = [
        (oracle(root, code), station_lookup.registry_names(root, code)) for code in [*CODES[:3], " gbn-s39 ", "NOPE-1"]
    ]
    for theirs, ours in answers:
        assert theirs == ours
    return answers[0][0] != (None, None)


def test_the_shipped_registry_names_every_station_alike() -> None:
    for code in [*CODES, code_lower := CODES[0].lower(), "NOPE-1"]:
        assert station_lookup.registry_names(None, code) == oracle(None, code)
    assert station_lookup.registry_names(None, code_lower) != (None, None)
    assert station_lookup.shipped_registry_path() == stations.shipped_registry_path()


VALUES: list[Any] = [
    "",
    " ",
    "x",
    "x\u200by",
    "\u200c",
    "थाना",
    "Police थाना",
    "\u202eevil",
    "a\tb",
    "x" * 121,
    "x" * 300,
    "x" * 301,
    "gbn-s39",
    "GBN-S39\n",
    "AB",
    "A" * 17,
    "GBN-S49",
    "CCTNS-0001",
    "bad code!",
    1,
    True,
    [],
    ["name"],
    ["code"],
    ["bogus"],
    [1],
    {"en": "a", "hi": "थ"},
    {"en": "a"},
    {"en": "a", "hi": "no hindi"},
    {"en": "a", "hi": "थ", "x": "y"},
]


def _mutations(seed: int, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    fields = sorted(station_lookup.FIELDS) + ["unknown_key"]
    for index in (0, 3):
        for name in fields:
            entry = SHIPPED["stations"][index]
            if name in entry:
                deleted = json.loads(json.dumps(SHIPPED))
                del deleted["stations"][index][name]
                out.append(deleted)
            for value in VALUES:
                mutated = json.loads(json.dumps(SHIPPED))
                mutated["stations"][index][name] = value
                out.append(mutated)
    random.Random(seed).shuffle(out)
    return out[:count]


def test_single_field_mutations_of_a_registry_give_names_alike(tmp_path: Path) -> None:
    assert assert_same(tmp_path, SHIPPED)
    named = unnamed = 0
    for document in _mutations(seed=16, count=160):
        if assert_same(tmp_path, document):
            named += 1
        else:
            unnamed += 1
    assert named >= 10 and unnamed >= 40


@pytest.mark.parametrize(
    "document",
    [
        {"stations": []},
        {"stations": SHIPPED["stations"], "extra": "x"},
        {"stations": SHIPPED["stations"] + SHIPPED["stations"][:1]},  # a duplicate code
        "stations = 1\n",
        "[[stations]]\ncode = \n",  # not TOML
        "",
    ],
)
def test_registries_refused_as_a_whole_give_no_names(tmp_path: Path, document: Any) -> None:
    assert not assert_same(tmp_path, document)


def test_a_file_that_is_not_utf8_gives_no_names(tmp_path: Path) -> None:
    (tmp_path / "stations.toml").write_bytes(b"\xff\xfe")
    assert station_lookup.registry_names(tmp_path, CODES[0]) == oracle(tmp_path, CODES[0]) == (None, None)


def _large() -> dict[str, Any]:
    entries = []
    for number in range(320):  # over CACHE_MIN_BYTES of TOML
        entry = dict(SHIPPED["stations"][number % len(CODES)])
        entry["code"] = f"GBN-X{number:04d}"
        entries.append(entry)
    return {"stations": entries}


def test_a_large_registry_is_read_from_the_cache_stations_writes_and_a_bad_cache_is_passed_over(tmp_path: Path) -> None:
    text = toml_of(_large())
    assert len(text.encode()) >= station_lookup.CACHE_MIN_BYTES
    (tmp_path / "stations.toml").write_text(text, encoding="utf-8")
    assert oracle(tmp_path, "GBN-X0005") != (None, None)  # writes the cache
    [cache] = (tmp_path / "cache").glob("stations-*.json")
    assert station_lookup.registry_names(tmp_path, "GBN-X0005") == oracle(tmp_path, "GBN-X0005")
    # The lookup reads the cache: a cache saying otherwise (same header) is believed...
    raw = cache.read_bytes()
    cache.write_bytes(raw.replace(b"GBN-X0005", b"GBN-Y0005"))
    assert station_lookup.registry_names(tmp_path, "GBN-Y0005") != (None, None)
    # ...and a damaged one is passed over for the TOML, as stations does.
    cache.write_bytes(raw[:-40])
    assert station_lookup.registry_names(tmp_path, "GBN-X0005") == oracle(tmp_path, "GBN-X0005") != (None, None)


def test_the_restated_rules_are_the_registrys() -> None:
    assert stations.CODE.pattern == f"^{station_lookup.CODE.pattern}$"
    assert f"^{station_lookup.CCTNS_CODE.pattern}$" == stations.CCTNS_CODE
    assert set(stations.Station.model_fields) == station_lookup.FIELDS
    assert (station_lookup.CACHE_MIN_BYTES, station_lookup.CACHE_FORMAT) == (
        stations.CACHE_MIN_BYTES,
        stations.CACHE_FORMAT,
    )
    optional = {n for n, f in stations.Station.model_fields.items() if not f.is_required()}
    assert set(station_lookup._OPTIONAL_LINES) | {"in_charge", "cctns_code", "unconfirmed"} == optional
    hindi = {n for n, f in stations.Station.model_fields.items() if "HindiLine" in repr(f) or n.endswith("_hi")}
    assert {n for n, kind in station_lookup._OPTIONAL_LINES.items() if kind == "hindi"} == hindi
