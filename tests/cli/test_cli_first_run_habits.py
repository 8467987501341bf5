"""Habits a first-time run of the command line found (issue 14, "On the CLI").

* a CSV batch giving one item twice is refused, naming both lines, and records nothing;
* a second ``cert issue`` for one audit is refused (it would be a second valid certificate),
  naming the one there is; ``--render-again`` writes that one's files again, signing nothing;
* station codes are found in any case (``gbn-s39`` is GBN-S39) wherever one is typed;
* ``cert list`` shows HQ's decision on each certificate.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.csv_import import load_findings_csv
from inspector.certificates.issue import AlreadyIssued, issue_certificate
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.paths import DataDir
from tests.helpers import MINI_CHECKLIST, grant_at_hq

Cli = Callable[..., tuple[int, str, str]]
ITEMS = ("MAL-01", "MAL-02", "MAL-03", "WHD-01", "WHD-02")


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (lock files aside) with a hash of its content."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def _ok(run_cli: Cli, *args: str | Path) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


def _one_line_refusal(run_cli: Cli, *args: str | Path) -> str:
    code, out, err = run_cli(*args)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("inspector: error: ") and "Traceback" not in err, err
    return err


def _new_audit(run_cli: Cli, data: DataDir, station: str = "GBN-S39") -> str:
    out = _ok(
        run_cli, "--data-dir", data.root, "audit", "new", "--station", station, "--checklist", MINI_CHECKLIST,
        "--waive-stage1", "held on paper", "--json",
    )  # fmt: skip
    return str(json.loads(out)["id"])


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("item,status,note\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _certified(run_cli: Cli, data: DataDir, tmp_path: Path) -> str:
    audit_id = _new_audit(run_cli, data)
    rows = _csv(tmp_path / "all.csv", [f"{item},conform,seen" for item in ITEMS])
    _ok(run_cli, "--data-dir", data.root, "audit", "record", audit_id, "--from", rows)
    _ok(run_cli, "--data-dir", data.root, "audit", "close", audit_id)
    return audit_id


# --- CSV batches -----------------------------------------------------------------------------


def test_a_csv_giving_one_item_twice_is_refused_naming_both_lines(
    run_cli: Cli, trust_env: DataDir, tmp_path: Path
) -> None:
    audit_id = _new_audit(run_cli, trust_env)
    rows = _csv(tmp_path / "twice.csv", ["MAL-01,conform,", "MAL-02,conform,", "", " mal-01 ,minor,desk empty"])
    before = _snapshot(trust_env.root)
    err = _one_line_refusal(run_cli, "--data-dir", trust_env.root, "audit", "record", audit_id, "--from", rows)
    assert f"{rows} line 5: item MAL-01 is already given on line 2" in err, err
    assert _snapshot(trust_env.root) == before  # nothing recorded, not even the first rows


def test_the_duplicate_refusal_carries_its_code_and_both_lines(tmp_path: Path) -> None:
    rows = _csv(
        tmp_path / "twice.csv", ["WHD-01,conform,", '"MAL-03","na","a note\nover two lines"', "mal-03,conform,"]
    )
    with pytest.raises(UserError) as caught:
        load_findings_csv(rows)
    error = caught.value
    assert error.code == "duplicate-item" and error.field == "item"
    assert error.details == {"item": "MAL-03", "line": 5, "first_line": 3}  # a quoted note spans lines 3-4
    assert error.message == f"{rows} line 5: item MAL-03 is already given on line 3"


def test_item_ids_in_a_csv_or_on_the_command_line_are_found_in_any_case(
    run_cli: Cli, trust_env: DataDir, tmp_path: Path
) -> None:
    audit_id = _new_audit(run_cli, trust_env)
    rows = _csv(tmp_path / "lower.csv", ["mal-01,conform,", " Mal-02 ,conform,"])
    assert [row.item for row in load_findings_csv(rows)] == ["MAL-01", "MAL-02"]
    out = _ok(run_cli, "--data-dir", trust_env.root, "audit", "record", audit_id, "--from", rows)
    assert "MAL-01: conform" in out and "MAL-02: conform" in out
    out = _ok(run_cli, "--data-dir", trust_env.root, "audit", "record", audit_id, "mal-03", "conform")
    assert "MAL-03: conform" in out


# --- one certificate per audit ---------------------------------------------------------------


def test_a_second_cert_issue_is_refused_naming_the_certificate_there_is(
    run_cli: Cli, trust_env: DataDir, tmp_path: Path
) -> None:
    audit_id = _certified(run_cli, trust_env, tmp_path)
    data = ("--data-dir", trust_env.root)
    first = json.loads(_ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "cert", "--json"))
    before = _snapshot(trust_env.root)
    err = _one_line_refusal(run_cli, *data, "cert", "issue", audit_id[:8], "--out", tmp_path / "again")
    display = "-".join(first["id"][i : i + 4] for i in range(0, 16, 4))
    assert f"already has certificate {display}" in err and first["record"] in err, err
    assert f"'inspector cert issue {audit_id[:12]} --out DIR --render-again'" in err
    assert _snapshot(trust_env.root) == before and not (tmp_path / "again").exists()
    listed = json.loads(_ok(run_cli, *data, "cert", "list", "--json"))
    assert [row["id"] for row in listed] == [first["id"]]


def test_the_core_refuses_a_second_certificate_with_a_code_and_the_certificate_id(
    trust_env: DataDir, run_cli: Cli, auditor_key: SigningKey, tmp_path: Path
) -> None:
    audit_id = _certified(run_cli, trust_env, tmp_path)
    issued = issue_certificate(trust_env, audit_id, auditor_key)
    with pytest.raises(AlreadyIssued) as caught:
        issue_certificate(trust_env, audit_id, auditor_key)
    error = caught.value
    assert isinstance(error, UserError) and error.code == "already-issued" and error.field == "audit"
    assert error.details["cert_id"] == issued.body.cert_id and error.details["record"] == str(issued.record_path)
    assert error.issued.body == issued.body
    assert sorted(p.name for p in issued.record_path.parent.glob("*.json")) == [issued.record_path.name]


def test_an_issuer_that_lost_the_race_is_refused_when_it_comes_to_write(
    trust_env: DataDir, run_cli: Cli, auditor_key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two issuers at once (the app and a terminal): both pass the first look, and the one that
    writes second finds the other's record under the lock and writes nothing."""
    from inspector.certificates import issue

    audit_id = _certified(run_cli, trust_env, tmp_path)
    looks: list[Path] = []
    real = issue._existing

    def first_look_sees_nothing(folder: Path) -> Any:
        looks.append(folder)
        if len(looks) == 1:  # meanwhile, another process issues its certificate
            monkeypatch.setattr(issue, "_existing", real)
            winner = issue_certificate(trust_env, audit_id, auditor_key)
            monkeypatch.setattr(issue, "_existing", first_look_sees_nothing)
            looks.append(winner.record_path)
            return None
        return real(folder)

    monkeypatch.setattr(issue, "_existing", first_look_sees_nothing)
    with pytest.raises(AlreadyIssued) as caught:
        issue_certificate(trust_env, audit_id, auditor_key)
    winner_record = looks[1]
    assert caught.value.details["record"] == str(winner_record)
    assert [p.name for p in winner_record.parent.glob("*.json")] == [winner_record.name]


def test_render_again_writes_the_issued_certificate_and_signs_nothing(
    run_cli: Cli, trust_env: DataDir, hq_env: DataDir, tmp_path: Path
) -> None:
    audit_id = _certified(run_cli, trust_env, tmp_path)
    data = ("--data-dir", trust_env.root)
    err = _one_line_refusal(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "r", "--render-again")
    assert "has no certificate yet: issue it without --render-again" in err and not (tmp_path / "r").exists()
    first = json.loads(_ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "cert", "--json"))
    record = Path(first["record"])
    kept = record.read_bytes()
    again = json.loads(
        _ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "again", "--render-again", "--json")
    )
    assert again["id"] == first["id"] and again["record"] == first["record"] and again["draft"] is True
    assert set(again["paths"]) == {"json", "png", "svg", "html", "pdf"}
    assert Path(again["paths"]["json"]).read_bytes() == kept == record.read_bytes()  # the same signed record
    assert Path(again["paths"]["png"]).read_bytes() == Path(first["paths"]["png"]).read_bytes()
    assert sorted(p.name for p in record.parent.glob("*.json")) == [record.name]
    # once HQ has granted it, writing it again prints the granted certificate (as 'cert print' does)
    grant_at_hq(trust_env, hq_env, audit_id)
    granted = json.loads(
        _ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "granted", "--render-again", "--json")
    )
    assert granted["draft"] is False
    text = _ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "text", "--render-again")
    assert "written again (nothing new signed)" in text
    err = _one_line_refusal(
        run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "x", "--render-again", "--lifetime-days", "9"
    )
    assert "--lifetime-days applies to a new certificate" in err


# --- station codes and cert list -------------------------------------------------------------


def test_station_codes_are_found_in_any_case(run_cli: Cli, trust_env: DataDir, tmp_path: Path) -> None:
    data = ("--data-dir", trust_env.root)
    audit_id = _new_audit(run_cli, trust_env, station=" gbn-s39 ")
    shown = json.loads(_ok(run_cli, *data, "audit", "show", audit_id, "--json"))
    assert shown["station"] == "GBN-S39", shown["station"]
    station = json.loads(_ok(run_cli, *data, "stations", "show", "gbn-s39", "--json"))
    assert station["code"] == "GBN-S39" and station["name"]["hi"] == "कोतवाली सेक्टर 39"
    text = _ok(run_cli, *data, "stations", "show", "Gbn-S39")
    assert text.startswith("GBN-S39  Kotwali Sector 39 / कोतवाली सेक्टर 39") and "District:" in text
    err = _one_line_refusal(run_cli, *data, "stations", "show", "gbn-s999")
    assert "unknown station 'gbn-s999'" in err


def test_cert_list_shows_the_status_and_filters_by_station_in_any_case(
    run_cli: Cli, trust_env: DataDir, hq_env: DataDir, tmp_path: Path
) -> None:
    data = ("--data-dir", trust_env.root)
    audit_id = _certified(run_cli, trust_env, tmp_path)
    issued = json.loads(_ok(run_cli, *data, "cert", "issue", audit_id, "--out", tmp_path / "cert", "--json"))
    [row] = json.loads(_ok(run_cli, *data, "cert", "list", "--json"))
    assert row["id"] == issued["id"] and row["status"] is None  # no status list installed yet
    assert "status unknown (no status list installed)" in _ok(run_cli, *data, "cert", "list")
    grant_at_hq(trust_env, hq_env, audit_id)
    [row] = json.loads(_ok(run_cli, *data, "cert", "list", "--station", "gbn-s39", "--json"))
    assert row["status"] == "granted" and row["station"] == "GBN-S39"
    line = _ok(run_cli, *data, "cert", "list")
    assert issued["id"] in line and line.rstrip().endswith("granted")
    assert json.loads(_ok(run_cli, *data, "cert", "list", "--station", "GBN-S49", "--json")) == []
    assert "no certificates of station GBN-S49 issued here" in _ok(
        run_cli, *data, "cert", "list", "--station", "gbn-s49"
    )
