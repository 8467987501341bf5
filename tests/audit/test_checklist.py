"""Checklist format: every kind of broken file is refused with its location; identity is content."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.audit.checklist import (
    ChecklistInvalid,
    load_checklist,
    parse_checklist,
    validate_checklist_data,
)
from inspector.cli.main import main
from tests.helpers import MINI_CHECKLIST as MINI
from tests.helpers import REPO

SHIPPED = REPO / "checklists" / "police-station-iso9001.toml"


def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = mini_text()
    assert old in text, old
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


BROKEN = [
    # (what, old, new, expected fragments in one problem line)
    (
        "duplicate item id",
        'id = "MAL-02"',
        'id = "MAL-01"',
        ["section MAL", "item MAL-01", "duplicate item id", "line"],
    ),
    (
        "unknown item key",
        'guidance = "Inspect the room and the key register."',
        'guidance = "Inspect the room and the key register."\ncolour = "red"',
        ["section MAL", "item MAL-02", "colour: unknown key"],
    ),
    ("malformed clause", 'clauses = ["7.1.4"]', 'clauses = ["7.1.4x"]', ["item MAL-02", "clauses", "ISO 9001 clause"]),
    ("clause outside 4-10", 'clauses = ["8.5.4"]', 'clauses = ["11.2"]', ["item MAL-03", "clauses"]),
    (
        "missing Hindi",
        'title_hi = "मालखाना सुरक्षा"',
        'title_hi = "Malkhana security"',
        ["item MAL-02", "title_hi", "Hindi"],
    ),
    ("missing Hindi section title", 'hi = "मालखाना" }', 'hi = "Malkhana" }', ["section MAL", "title.hi", "Hindi"]),
    ("bad criticality", 'criticality = "medium"', 'criticality = "severe"', ["item MAL-03", "criticality"]),
    ("bad item id", 'id = "WHD-02"', 'id = "WHD-2"', ["section WHD", "item WHD-2", "item id like"]),
    ("prefix mismatch", 'id = "WHD-02"', 'id = "MAL-09"', ["section WHD", "item MAL-09", "prefix"]),
    ("bad legal reference", 'legal = ["BNSS 105"]', 'legal = ["section 105 of BNSS"]', ["item MAL-01", "legal"]),
    (
        "missing question",
        'question = "Is the help desk register legible and up to date?"\n',
        "",
        ["item WHD-02", "question: missing"],
    ),
    ("wrong standard", 'standard = "ISO 9001:2015"', 'standard = "ISO 9001:2008"', ["standard"]),
    ("unknown top-level key", 'version = "1.0.0"', 'version = "1.0.0"\nauthor = "x"', ["author: unknown key"]),
    ("empty evidence", 'evidence = ["Key register"]', "evidence = []", ["item MAL-02", "evidence"]),
    (
        "threshold order",
        "conditional_threshold = 70",
        "conditional_threshold = 90",
        ["scoring", "conditional_threshold is above"],
    ),
    (
        "missing weight level",
        "weights = { critical = 5, high = 3, medium = 2, low = 1 }",
        "weights = { critical = 5, high = 3, medium = 2 }",
        ["scoring.weights", "missing levels: low"],
    ),
    ("float weight", "critical = 5, high", "critical = 5.5, high", ["scoring.weights"]),
    ("bad TOML", 'title_hi = "निस्तारण आदेश"', 'title_hi = "निस्तारण आदेश', ["bad TOML", "line"]),
]


@pytest.mark.parametrize(("what", "old", "new", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_checklist_is_refused_with_location(
    tmp_path: Path, what: str, old: str, new: str, fragments: list[str]
) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(ChecklistInvalid) as info:
        load_checklist(path)
    lines = info.value.problems
    assert all(line.startswith(str(path)) for line in lines), lines
    assert any(all(f in line for f in fragments) for line in lines), lines


def test_empty_section_is_refused(tmp_path: Path) -> None:
    text = mini_text()
    text = text.replace(
        '[[sections]]\nid = "WHD"',
        '[[sections]]\nid = "EMP"\ntitle = { en = "Empty", hi = "ख़ाली" }\n\n[[sections]]\nid = "WHD"',
    )
    path = tmp_path / "empty.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistInvalid) as info:
        load_checklist(path)
    assert any("section EMP" in line and "no items" in line for line in info.value.problems)


def test_each_problem_is_its_own_line(tmp_path: Path) -> None:
    text = mini_text().replace('clauses = ["7.1.4"]', 'clauses = ["x"]').replace('id = "WHD-02"', 'id = "WHD-01"')
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistInvalid) as info:
        load_checklist(path)
    assert len(info.value.problems) >= 2
    assert all("\n" not in line for line in info.value.problems)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ChecklistInvalid, match="no such file"):
        load_checklist(tmp_path / "absent.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("title = 'caf\xe9'".encode("latin-1"))
    with pytest.raises(ChecklistInvalid, match="not UTF-8"):
        load_checklist(bad)


def test_shipped_checklist_is_valid_and_large_enough() -> None:
    checklist = load_checklist(SHIPPED)
    assert len(checklist.sections) >= 12
    assert len(checklist.items) >= 90
    legal = {ref for item in checklist.items.values() for ref in item.legal}
    for ref in ("BNSS 173", "BNSS 105", "BNSS 176(3)", "BNSS 37", "BNSS 193"):
        assert any(have == ref or have.startswith(ref + "(") for have in legal), ref


def test_packaged_copy_matches_repository_checklist() -> None:
    packaged = REPO / "inspector" / "data" / "checklists" / "police-station-iso9001.toml"
    assert packaged.read_bytes() == SHIPPED.read_bytes()


# --- identity -----------------------------------------------------------------------------


def _reformat(text: str) -> str:
    """Same content, different bytes: comments, blank lines and spacing around '='."""
    out = ["# reformatted copy"]
    for line in text.splitlines():
        out.append(re.sub(r"^(\w+) = ", r"\1   =   ", line))
        if line.startswith("[[sections.items]]"):
            out.append("# an item")
    return "\n".join(out) + "\n\n"


def test_hash_ignores_formatting_and_comments() -> None:
    original = parse_checklist(MINI.read_bytes(), "mini")
    again = parse_checklist(_reformat(mini_text()).encode("utf-8"), "mini")
    assert original.content_hash == again.content_hash


def _shuffled(value: object, rnd: st.DataObject) -> object:
    if isinstance(value, dict):
        keys = rnd.draw(st.permutations(list(value)))
        return {k: _shuffled(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_hash_ignores_key_order(data: st.DataObject) -> None:
    raw = tomllib.loads(mini_text())
    base = validate_checklist_data(raw, "mini").content_hash
    assert validate_checklist_data(_shuffled(raw, data), "mini").content_hash == base


STRING_PATHS = [
    ("title", "en"),
    ("sections", 0, "items", 0, "question"),
    ("sections", 1, "items", 1, "guidance"),
    ("sections", 0, "items", 2, "evidence", 0),
    ("parameters", 0, "source"),
]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(STRING_PATHS), st.text(alphabet="abcdefgh XYZ", min_size=1, max_size=5))
def test_hash_changes_with_any_content_change(path: tuple, suffix: str) -> None:
    raw = tomllib.loads(mini_text())
    base = validate_checklist_data(raw, "mini").content_hash
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = node[path[-1]] + suffix
    assert validate_checklist_data(raw, "mini").content_hash != base


def test_hash_changes_with_weight_and_criticality() -> None:
    raw = tomllib.loads(mini_text())
    base = validate_checklist_data(raw, "mini").content_hash
    raw["scoring"]["weights"]["low"] = 2
    changed = validate_checklist_data(raw, "mini").content_hash
    assert changed != base
    raw["sections"][0]["items"][2]["criticality"] = "low"
    assert validate_checklist_data(raw, "mini").content_hash != changed


# --- CLI ----------------------------------------------------------------------------------


def test_cli_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "validate", str(MINI)]) == 0
    assert "valid" in capsys.readouterr().out
    dup = broken(tmp_path, 'id = "MAL-02"', 'id = "MAL-01"')
    assert main(["checklist", "validate", str(MINI), str(dup)]) == 2
    err = capsys.readouterr().err
    assert f"{dup}: section MAL, item MAL-01" in err and "Traceback" not in err
    bad = broken(tmp_path, 'title_hi = "निस्तारण आदेश"', 'title_hi = "निस्तारण')
    assert main(["checklist", "validate", str(bad)]) == 2
    assert "bad TOML" in capsys.readouterr().err


def test_cli_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["checklist", "show", str(MINI), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in data["sections"]] == ["MAL", "WHD"]
    assert data["sections"][0]["items"][0]["id"] == "MAL-01"
    assert data["sections"][0]["items"][0]["weight"] == 5
    assert len(data["hash"]) == 64


def test_cli_show_hindi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "show", str(MINI), "--lang", "hi"]) == 0
    assert "मालखाना रजिस्टर मिलान" in capsys.readouterr().out


def test_cli_show_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "show", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0]


def test_cli_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["checklist", "show"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "inspector: error:" in err[0]
