"""HQ's station registry from a CSV (``hq stations import``), on both backends: every row is
checked before anything is written; the register and the data directory's ``stations.toml``
then hold the new registry, which ``hq stations`` lists and ``--zone`` filters by."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.audit.stations import load_registry
from inspector.paths import DataDir

Cli = Callable[..., tuple[int, str, str]]
HEADER = "code,name_en,name_hi,district,zone,circle,address,cctns_code\n"
ROWS = [
    "GBN-S39,Police Station Sector 39,थाना सेक्टर 39,Gautam Buddh Nagar,Central Noida,Noida Circle 1,Sector 39 Noida,",
    "GBN-S49,Police Station Sector 49,थाना सेक्टर 49,Gautam Buddh Nagar,Central Noida,Noida Circle 2,,1234501",
    "gbn-s58,Police Station Sector 58,थाना सेक्टर 58,Gautam Buddh Nagar,Noida,Noida Circle 3,,",
]


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _stations(run_cli: Cli, hq: DataDir, *args: str) -> list[dict[str, Any]]:
    code, out, err = run_cli("--data-dir", hq.root, "hq", "stations", *args, "--json")
    assert code == 0, err
    return list(json.loads(out))


def test_a_csv_registry_replaces_hqs_registry(run_cli: Cli, hq_db: DataDir, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "--data-dir", hq_db.root, "hq", "stations", "import", _csv(tmp_path / "s.csv", ROWS), "--json"
    )
    assert code == 0, err
    assert json.loads(out)["imported"] == 3
    rows = {row["code"]: row for row in _stations(run_cli, hq_db)}
    assert set(rows) == {"GBN-S39", "GBN-S49", "GBN-S58"}
    assert rows["GBN-S49"]["cctns_code"] == "1234501" and rows["GBN-S39"]["circle"] == "Noida Circle 1"
    assert rows["GBN-S58"]["name_hi"] == "थाना सेक्टर 58" and rows["GBN-S58"]["certificate_status"] == "none"
    assert [row["code"] for row in _stations(run_cli, hq_db, "--zone", "central noida")] == ["GBN-S39", "GBN-S49"]
    # The data directory's registry is the same, for every other command.
    assert [s.code for s in load_registry(data_root=hq_db.root).stations] == ["GBN-S39", "GBN-S49", "GBN-S58"]


def test_a_bad_row_writes_nothing(run_cli: Cli, hq_db: DataDir, tmp_path: Path) -> None:
    before = (hq_db.root / "stations.toml").read_bytes()
    listed = _stations(run_cli, hq_db)
    bad = ROWS[:1] + ["GBN-S49,,थाना,Gautam Buddh Nagar,Noida,,,"] + ROWS[2:] + [ROWS[0]]
    code, out, err = run_cli("--data-dir", hq_db.root, "hq", "stations", "import", _csv(tmp_path / "bad.csv", bad))
    assert code == 2 and "bad.csv line 3" in err and "more problem" in err and len(err.splitlines()) == 1
    assert (hq_db.root / "stations.toml").read_bytes() == before
    assert _stations(run_cli, hq_db) == listed
