"""The station registry: shipped demo stations, overrides, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.audit.stations import load_registry
from inspector.cli.main import main
from inspector.errors import UserError

CERTIFIED = [
    "Kotwali Sector 39",
    "Sector 49",
    "Sector 58",
    "Bisrakh",
    "Beta-2",
    "Expressway",
    "Badalpur",
    "Knowledge Park",
]


def test_shipped_registry_has_the_eight_certified_stations() -> None:
    registry = load_registry()
    assert sorted(s.name.en for s in registry.stations) == sorted(CERTIFIED)  # each once, in any order
    assert all(any("\u0900" <= ch <= "\u097f" for ch in s.name.hi) for s in registry.stations)


def test_unknown_station_names_the_known_ones() -> None:
    with pytest.raises(UserError, match="unknown station 'XX-1'.*GBN-S39"):
        load_registry().get("XX-1")


def test_data_dir_registry_replaces_shipped(tmp_path: Path) -> None:
    (tmp_path / "stations.toml").write_text(
        '[[stations]]\ncode = "LKO-HZG"\nname = { en = "Hazratganj", hi = "हज़रतगंज" }\n'
        'district = "Lucknow"\ncommissionerate = "Lucknow"\nzone = "Central"\nin_charge = "SHO"\n',
        encoding="utf-8",
    )
    assert [s.code for s in load_registry(data_root=tmp_path).stations] == ["LKO-HZG"]


def test_broken_registry_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "stations.toml"
    bad.write_text('[[stations]]\ncode = "bad code"\n', encoding="utf-8")
    with pytest.raises(UserError, match=f"station registry {bad}"):
        load_registry(bad)


def test_cli_stations_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stations", "list", "--json", "--data-dir", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8 and all({"code", "name"} <= set(row) for row in rows)
    assert main(["--data-dir", str(tmp_path), "stations", "list"]) == 0
    assert "GBN-S39" in capsys.readouterr().out
