"""The station registry: shipped stations, overrides, lookups, scale, CSV import and the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from inspector.audit import stations as registry_module
from inspector.audit.stations import (
    CSV_COLUMNS,
    Registry,
    RegistryInvalid,
    Station,
    import_registry_csv,
    load_registry,
    parse_registry,
    registry_toml,
)
from inspector.cli.main import main
from inspector.errors import UserError
from tests.helpers import STATIONS_TOML

# Names say what is certified; the English follows the Hindi (थाना -> Police Station).
CERTIFIED = {
    "GBN-S39": ("Kotwali Sector 39", "कोतवाली सेक्टर 39"),
    "GBN-S49": ("Police Station Sector 49", "थाना सेक्टर 49"),
    "GBN-S58": ("Police Station Sector 58", "थाना सेक्टर 58"),
    "GBN-BSRK": ("Police Station Bisrakh", "थाना बिसरख"),
    "GBN-BETA2": ("Police Station Beta-2", "थाना बीटा-2"),
    "GBN-EXPW": ("Police Station Expressway", "थाना एक्सप्रेसवे"),
    "GBN-BDLP": ("Police Station Badalpur", "थाना बादलपुर"),
    "GBN-KPARK": ("Police Station Knowledge Park", "थाना नॉलेज पार्क"),
}


def test_shipped_registry_has_the_eight_certified_stations() -> None:
    registry = load_registry()
    assert {s.code: (s.name.en, s.name.hi) for s in registry.stations} == CERTIFIED
    for station in registry.stations:
        assert station.in_charge_hi == "प्रभारी निरीक्षक" and "Inspector" in station.in_charge
        assert station.district_hi == "गौतमबुद्ध नगर" and station.commissionerate_hi
        assert station.address and station.zone in {"Noida", "Central Noida", "Greater Noida"}
        assert station.cctns_code == ""  # not known yet: the field is there for HQ to fill
        assert "address" in station.unconfirmed  # locality only


def test_shipped_registry_marks_what_the_review_could_not_confirm() -> None:
    registry = load_registry()
    s58, beta2 = registry.get("GBN-S58"), registry.get("GBN-BETA2")
    assert s58.zone == "Noida" and "zone" in s58.unconfirmed  # the 2020 plan; 1.0 said Central Noida
    assert "zone" in beta2.unconfirmed
    assert "name" in registry.get("GBN-S39").unconfirmed  # "Kotwali" is unconfirmed
    assert registry.get("GBN-BSRK").circle == "ACP-2, Central Noida"
    assert "in_charge" not in registry.get("GBN-KPARK").unconfirmed  # प्रभारी निरीक्षक, reported


def test_codes_are_case_insensitive_to_look_up() -> None:
    registry = load_registry()
    assert registry.get("gbn-s39").code == "GBN-S39"
    assert registry.get("  Gbn-Kpark ").code == "GBN-KPARK"
    assert registry.find("gbn-nowhere") is None


def test_unknown_station_names_the_known_ones() -> None:
    with pytest.raises(UserError, match="unknown station 'XX-1'.*GBN-S39") as info:
        load_registry().get("XX-1")
    assert info.value.field == "station"


def test_data_dir_registry_replaces_shipped(tmp_path: Path) -> None:
    (tmp_path / "stations.toml").write_text(
        '[[stations]]\ncode = "LKO-HZG"\nname = { en = "Hazratganj", hi = "हज़रतगंज" }\n'
        'district = "Lucknow"\ncommissionerate = "Lucknow"\nzone = "Central"\nin_charge = "SHO"\n',
        encoding="utf-8",
    )
    assert [s.code for s in load_registry(data_root=tmp_path).stations] == ["LKO-HZG"]


def test_first_release_registry_still_loads(tmp_path: Path) -> None:
    (tmp_path / "stations.toml").write_text(STATIONS_TOML, encoding="utf-8")
    station = load_registry(data_root=tmp_path).get("gbn-s49")
    assert station.in_charge == "SHO" and station.in_charge_hi is None and station.cctns_code == ""


def test_broken_registry_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "stations.toml"
    bad.write_text('[[stations]]\ncode = "bad code"\n', encoding="utf-8")
    with pytest.raises(UserError, match=f"station registry {bad}") as info:
        load_registry(bad)
    assert "\n" not in str(info.value) and "is not a station code like GBN-S39" in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('name = { en = "Sector 49"', 'name = { en = "Sector\u202e 49"'), "name.en: contains an invisible"),
        (('hi = "सेक्टर 49" }', 'hi = "Sector 49" }'), "name.hi: must be Hindi"),
        (('in_charge = "SHO"\n\n', 'in_charge = "SHO"\ncolour = "red"\n\n'), "colour: unknown key"),
        (('code = "GBN-S49"', 'code = "GBN-S39"'), "station GBN-S39 (line 10): duplicate station code"),
        (
            (
                'zone = "Noida"\nin_charge = "SHO"\n\n',
                'zone = "Noida"\nin_charge = "SHO"\nunconfirmed = ["colour"]\n\n',
            ),
            "unconfirmed: Value error, not a field of a station: colour",
        ),
    ],
)
def test_registry_problems_name_station_and_line(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in STATIONS_TOML
    bad = tmp_path / "stations.toml"
    bad.write_text(STATIONS_TOML.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(RegistryInvalid) as info:
        load_registry(bad)
    assert expected in str(info.value) and str(info.value).startswith(f"station registry {bad}: station ")


def test_duplicate_check_is_linear() -> None:
    # The first release used list.count per code: 50,000 stations would take minutes.
    name = {"en": "Police Station X", "hi": "थाना एक्स"}
    stations = [Station.model_construct(code=f"IN-{n:06d}", name=name) for n in range(50_000)]
    stations.append(Station.model_construct(code="IN-000007", name=name))
    started = time.perf_counter()
    assert Registry.model_construct(stations=stations).duplicates() == ["IN-000007"]
    assert time.perf_counter() - started < 2.0


def _big_registry(path: Path, count: int) -> None:
    rows = [
        f'[[stations]]\ncode = "IN-{n:05d}"\nname = {{ en = "Police Station {n}", hi = "थाना {n}" }}\n'
        f'district = "District {n % 50}"\nzone = "Zone {n % 5}"\n'
        for n in range(count)
    ]
    path.write_text("\n".join(rows), encoding="utf-8")


def test_large_registry_is_cached_by_content(tmp_path: Path) -> None:
    _big_registry(tmp_path / "stations.toml", 3000)
    registry_module._MEMO.clear()
    first = load_registry(data_root=tmp_path)
    caches = list((tmp_path / "cache").glob("stations-*.json"))
    assert len(caches) == 1 and len(first.stations) == 3000
    registry_module._MEMO.clear()  # as a new process
    again = load_registry(data_root=tmp_path)
    assert again == first and again.get("in-02999").name.en == "Police Station 2999"
    # a damaged cache is ignored, not trusted
    caches[0].write_bytes(caches[0].read_bytes()[:-100])
    registry_module._MEMO.clear()
    assert load_registry(data_root=tmp_path) == first
    # an edit of the TOML is seen at once (a new content hash), and replaces the old cache
    text = (tmp_path / "stations.toml").read_text(encoding="utf-8").replace("Police Station 2999", "Police Station Z")
    (tmp_path / "stations.toml").write_text(text, encoding="utf-8")
    assert load_registry(data_root=tmp_path).get("IN-02999").name.en == "Police Station Z"
    assert len(list((tmp_path / "cache").glob("stations-*.json"))) == 1


def test_cache_in_a_read_only_data_dir_only_loses_speed(tmp_path: Path) -> None:
    _big_registry(tmp_path / "stations.toml", 3000)
    (tmp_path / "cache").write_text("not a directory", encoding="utf-8")
    registry_module._MEMO.clear()
    assert len(load_registry(data_root=tmp_path).stations) == 3000


def test_registry_toml_round_trips(tmp_path: Path) -> None:
    registry = load_registry()
    text = registry_toml(registry, header="written by a test\nsecond line")
    assert text.startswith("# written by a test\n# second line\n")
    assert parse_registry(text.encode("utf-8"), "round-trip") == registry


# --- CSV import -------------------------------------------------------------------------------

HEADER = ",".join(CSV_COLUMNS)


def _csv(tmp_path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / "stations.csv"
    path.write_text(("\ufeff" if bom else "") + "\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_csv(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        'gbn-s63,Police Station Sector 63,थाना सेक्टर 63,Gautam Buddh Nagar,Central Noida,,"Sector 63, Noida",',
        "GBN-S49,Police Station Sector 49,थाना सेक्टर 49,Gautam Buddh Nagar,Noida,ACP-1,,09123456",
        "",
        bom=True,
    )
    registry = import_registry_csv(path)
    s63, s49 = registry.stations
    assert s63.code == "GBN-S63" and s63.address == "Sector 63, Noida" and s63.circle is None and s63.cctns_code == ""
    assert s49.circle == "ACP-1" and s49.cctns_code == "09123456" and s49.address is None
    assert parse_registry(registry_toml(registry).encode("utf-8"), "x") == registry


def test_import_csv_checks_every_row_first(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "GBN-A1,Police Station A,थाना ए,Gautam Buddh Nagar,Noida,,,",
        "GBN-A2,Police Station B,Thana B,Gautam Buddh Nagar,Noida,,,",
        "GBN-A1,Police Station C,थाना सी,Gautam Buddh Nagar,Noida,,,",
        "GBN-A4,Police\u202eStation D,थाना डी,Gautam Buddh Nagar,Noida,,,",
        "GBN-A5,Police Station E,थाना ई,,Noida,,,",
        "GBN-A6,too few",
    )
    with pytest.raises(RegistryInvalid) as info:
        import_registry_csv(path)
    found = info.value.problems
    assert f"{path} line 3: name_hi: must be Hindi (Devanagari script) without invisible or control characters" in found
    assert f"{path} line 4: code: GBN-A1 is also on line 2" in found
    assert any(p.startswith(f"{path} line 5: name_en: contains an invisible or control character") for p in found)
    assert any(p.startswith(f"{path} line 6: district") for p in found)
    assert f"{path} line 7: 2 cells, the header has 8" in found
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path} line 3:") and "(and 4 more problems)" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("code,name_en,name_hi,district,zone,circle,address", "missing column(s) cctns_code"),
        (HEADER + ",colour", "unknown column(s) colour"),
        (HEADER + ",zone", "a column named twice"),
    ],
)
def test_import_csv_header_problems(tmp_path: Path, header: str, expected: str) -> None:
    with pytest.raises(RegistryInvalid, match=r"line 1: header: .*" + expected.replace("(", r"\(").replace(")", r"\)")):
        import_registry_csv(_csv(tmp_path, header=header))


def test_import_csv_optional_columns_and_empty_file(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "GBN-X1,Police Station X,थाना एक्स,Gautam Buddh Nagar,Noida,,,,प्रभारी निरीक्षक",
        header=HEADER + ",in_charge_hi",
    )
    assert import_registry_csv(path).get("gbn-x1").in_charge_hi == "प्रभारी निरीक्षक"
    with pytest.raises(RegistryInvalid, match="no stations"):
        import_registry_csv(_csv(tmp_path))
    (tmp_path / "latin.csv").write_bytes(HEADER.encode() + b"\nGBN-X1,caf\xe9")
    with pytest.raises(RegistryInvalid, match="not UTF-8"):
        import_registry_csv(tmp_path / "latin.csv")


def test_cli_stations_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stations", "list", "--json", "--data-dir", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8 and all({"code", "name"} <= set(row) for row in rows)
    assert main(["--data-dir", str(tmp_path), "stations", "list"]) == 0
    assert "GBN-S39" in capsys.readouterr().out
