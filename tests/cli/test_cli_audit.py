"""The ``audit`` and ``hq import|audits`` commands: the headless end-to-end run and bad input.

Bad input of every kind must give one line on stderr, exit status 2, no traceback, and leave
the data directory exactly as it was.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.checklist import default_checklist_path, load_checklist
from inspector.paths import DataDir
from tests.helpers import MINI_CHECKLIST, PYTHON, write_zip, zip_members

Cli = Callable[..., tuple[int, str, str]]


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (lock files aside) with a hash of its content."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


WAIVER = ("--waive-stage1", "stage 1 held on paper on 2026-11-02, before this tool")


def _new(run_cli: Cli, data: DataDir, *extra: str) -> str:
    """A new certification audit of GBN-S39 (its stage 1 waived) unless ``extra`` says otherwise."""
    if "--type" not in extra and "--waive-stage1" not in extra:
        extra = (*extra, *WAIVER)
    code, out, err = run_cli("--data-dir", data.root, "audit", "new", "--station", "GBN-S39", *extra)
    assert code == 0, err
    return out.strip()


def _stage2_items(checklist_path: Path) -> list[Any]:
    """The items a certification (stage 2) audit of the checklist covers."""
    checklist = load_checklist(checklist_path)
    return [item for section in checklist.sections if section.stage == "stage2" for item in section.items]


def _critical_item(checklist_path: Path) -> str:
    """The first item whose nonconformity is major by default (a critical item), not sensitive."""
    checklist = load_checklist(checklist_path)
    return next(
        i.id for i in _stage2_items(checklist_path) if checklist.default_grade(i).value == "major" and not i.sensitive
    )


def _full_csv(path: Path, checklist_path: Path, evidence: Path) -> list[str]:
    """Answers for every item: mostly conform, one downgraded critical item, a few other NCs
    (returns the items of the minors, in checklist order)."""
    checklist = load_checklist(checklist_path)
    items = _stage2_items(checklist_path)
    critical = checklist.items[_critical_item(checklist_path)]
    others = [i for i in items if i.id != critical.id and not i.sensitive][:3]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "status", "note", "evidence", "due", "reason"])
        for item in items:
            if item.id == critical.id:
                writer.writerow(
                    [
                        item.id,
                        "minor",
                        "रजिस्टर में 3 प्रविष्टियाँ अधूरी",
                        evidence.name,
                        "2099-03-31",
                        "entries completed during the audit",
                    ]
                )
            elif item in others:
                writer.writerow(
                    [item.id, "minor", "not traceable at the time of the visit", evidence.name, "2099-03-31", ""]
                )
            elif item.id == items[-1].id:
                writer.writerow([item.id, "observation", "could be better", "", "", ""])
            else:
                writer.writerow([item.id, "conform", "", "", "", ""])
    return [i.id for i in items if i.id == critical.id or i in others]


def test_headless_end_to_end(run_cli: Cli, trust_env: DataDir, hq_env: DataDir, tmp_path: Path) -> None:
    laptop, hq = ("--data-dir", trust_env.root), ("--data-dir", hq_env.root)
    audit_id = _new(run_cli, trust_env)  # the shipped checklist by default
    photo = tmp_path / "register.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo of the register")
    rows = tmp_path / "findings.csv"
    minors = _full_csv(rows, default_checklist_path(), photo)
    total = len(_stage2_items(default_checklist_path()))

    code, out, err = run_cli(*laptop, "audit", "record", audit_id[:8], "--from", rows)
    assert code == 0, err
    assert out.strip().endswith(f"{total}/{total} items answered")

    code, out, err = run_cli(*laptop, "audit", "show", audit_id, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["progress"] == {"answered": total, "total": total} and shown["minors"] == 4
    assert shown["scope"]["waive_stage1"] == WAIVER[1] and shown["na_share"] == 0
    assert [nc["item"] for nc in shown["nonconformities"]] == minors
    assert all(
        nc["due"] == "2099-03-31" and nc["clauses"] and nc["state"] == "open" and nc["grade"] == "minor"
        for nc in shown["nonconformities"]
    )
    # A critical item graded minor with a written reason is a minor like the others: each needs
    # an accepted corrective-action plan; the score takes no part.
    assert shown["decision"]["code"] == "corrective-action-pending"
    assert [(r["code"], r["item"]) for r in shown["decision"]["reasons"]] == [("minor-no-plan", m) for m in minors]
    assert shown["reasons"] == [f"minor nonconformity {m} has no accepted corrective-action plan" for m in minors]
    code, text, err = run_cli(*laptop, "audit", "show", audit_id)
    assert code == 0, err
    assert "nonconformities" in text and "graded minor because: entries completed during the audit" in text
    assert "decision: corrective-action-pending" in text

    plan_due = (date.today() + timedelta(days=60)).isoformat()  # within 90 days of the last day

    def respond(item: str) -> None:
        code, out, err = run_cli(
            *laptop,
            "audit", "respond", audit_id, item,
            "--correction", "entries completed", "--root-cause", "no one checks the register",
            "--action", "a weekly check by the SHO", "--owner", "Ravi Kumar, SI", "--due", plan_due,
        )  # fmt: skip
        assert code == 0, err
        assert f"{item}: plan recorded (due {plan_due}); the nonconformity is now planned" in out

    # Plans may come before closing or after it: two now, two after the seal.
    for item in minors[:2]:
        respond(item)
    code, out, err = run_cli(*laptop, "audit", "close", audit_id, "--json")
    assert code == 0, err
    closed = json.loads(out)
    root, sealed_records = closed["findings_root"], closed["records"]
    assert closed["decision"] == "corrective-action-pending"
    for item in minors[2:]:
        respond(item)
    code, out, err = run_cli(*laptop, "audit", "show", audit_id, "--json")
    shown = json.loads(out)
    assert (
        shown["decision"]["code"] == "recommend-certification"
        and shown["sealed_decision"] == "corrective-action-pending"
    )
    assert {nc["state"] for nc in shown["nonconformities"]} == {"planned"}
    assert shown["records"] == sealed_records + 2 and shown["sealed_records"] == sealed_records

    bundle = tmp_path / "bundle.zip"
    assert run_cli(*laptop, "audit", "export", audit_id, "-o", bundle)[0] == 0
    code, out, err = run_cli(*hq, "hq", "import", bundle, "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert imported["status"] == "imported" and imported["id"] == audit_id and imported["findings_root"] == root
    code, out, _ = run_cli(*hq, "hq", "import", bundle)
    assert code == 0 and "already imported" in out
    code, out, _ = run_cli(*hq, "hq", "audits", "--json")
    assert [row["id"] for row in json.loads(out)] == [audit_id]

    code, out, err = run_cli(*hq, "audit", "verify", bundle)
    assert code == 0 and out.startswith(f"intact: audit {audit_id}"), err
    code, out, _ = run_cli(*laptop, "audit", "verify", audit_id)
    assert code == 0 and "signers checked against installed trust list (seq 1)" in out

    # One character of one note changed inside the bundle: refused, and the record named.
    members = zip_members(bundle)
    edited = dict(
        members, **{"records.jsonl": members["records.jsonl"].replace(b"time of the visit", b"time of the visiT", 1)}
    )
    tampered = write_zip(tmp_path / "tampered.zip", edited)
    code, out, _ = run_cli(*hq, "audit", "verify", tampered)
    assert code == 1 and "NOT INTACT" in out
    assert any("(finding" in line and "bad signature" in line for line in out.splitlines())
    code, out, _ = run_cli(*hq, "hq", "import", tampered)
    assert code == 1 and "REFUSED" in out

    # One character of a plan after the seal changed: that record is named.
    edited = dict(members, **{"records.jsonl": members["records.jsonl"].replace(b"weekly check", b"weekly checK", 1)})
    code, out, _ = run_cli(*hq, "audit", "verify", write_zip(tmp_path / "plan-edited.zip", edited))
    assert code == 1 and "(response " in out and "bad signature" in out

    # An evidence file swapped inside the bundle: refused, each record that refers to it named.
    [name] = [n for n in members if n.startswith("evidence/")]
    swapped = write_zip(tmp_path / "swapped.zip", dict(members, **{name: b"a different photo"}))
    code, out, _ = run_cli(*hq, "audit", "verify", swapped, "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert len([p for p in report["problems"] if "does not match its hash" in p]) == 4


def test_list_history_and_json(run_cli: Cli, trust_env: DataDir) -> None:
    data = ("--data-dir", trust_env.root)
    code, out, _ = run_cli(*data, "audit", "list")
    assert code == 0 and "no audits yet" in out
    code, out, _ = run_cli(
        *data, "audit", "new", "--station", "GBN-S49", "--checklist", MINI_CHECKLIST, "--type", "surveillance", "--json"
    )
    audit_id = json.loads(out)["id"]
    assert (
        run_cli(
            *data, "audit", "record", audit_id, "MAL-02", "minor", "--note", "key log missing", "--due", "2099-01-01"
        )[0]
        == 0
    )
    assert run_cli(*data, "audit", "record", audit_id, "MAL-02", "conform", "--note", "key log found")[0] == 0
    code, out, _ = run_cli(*data, "audit", "history", audit_id, "mal-02", "--json")
    revisions = json.loads(out)["revisions"]
    assert [r["status"] for r in revisions] == ["minor", "conform"] and revisions[0]["due"] == "2099-01-01"
    code, out, _ = run_cli(*data, "audit", "history", audit_id, "MAL-02")
    assert "revision 1" in out and "revision 2" in out and "key log found" in out
    code, out, _ = run_cli(*data, "audit", "list", "--json")
    [row] = json.loads(out)
    # The mini checklist has no mandatory section: a surveillance audit takes a rotating sample
    # of half of its two sections, the first (MAL: 3 items) before the second.
    assert (
        row["type"] == "surveillance" and row["station"] == "GBN-S49" and row["progress"] == {"answered": 1, "total": 3}
    )
    code, out, _ = run_cli(*data, "audit", "verify", audit_id)
    assert code == 0 and "open (not sealed)" in out


@pytest.fixture
def cli_audit(run_cli: Cli, trust_env: DataDir) -> str:
    return _new(run_cli, trust_env, "--checklist", str(MINI_CHECKLIST))


BAD_INPUT = [
    (["audit", "new", "--station", "XX-1"], "unknown station 'XX-1'"),
    (["audit", "new", "--station", "GBN-S39", "--checklist", "/nonexistent.toml"], "no such file"),
    (["audit", "new", "--station", "GBN-S39", "--type", "stage9"], "unknown audit type"),
    (["audit", "new", "--station", "GBN-S39"], "needs a closed stage 1 audit of the station .*--waive-stage1"),
    (["audit", "new", "--station", "GBN-S39", "--type", "certification"], "needs a closed stage 1 audit"),
    (["audit", "new", "--station", "GBN-S39", "--type", "surveillance", *WAIVER], "applies only to a certification"),
    (["audit", "new", "--station", "GBN-S39", "--waive-stage1", "  "], "stage 1 waiver: must not be empty"),
    (["audit", "new", "--station", "GBN-S39", "--waive-stage1", "a\u202eb"], "stage 1 waiver: contains an invisible"),
    (
        ["audit", "record", "{audit}", "MAL-03", "na"],
        "MAL-03: marking it not applicable needs a written reason .--reason",
    ),
    (["audit", "record", "feedfacefeedface", "MAL-01", "conform"], "unknown audit 'feedfacefeedface'"),
    (["audit", "record", "{audit}", "MAL-77", "conform"], "unknown item 'MAL-77'"),
    (["audit", "record", "{audit}", "MAL-02", "okay"], "unknown status 'okay'"),
    (
        ["audit", "record", "{audit}", "MAL-01", "minor", "--note", "n", "--evidence", "{photo}"],
        "needs a written reason",
    ),
    (["audit", "record", "{audit}", "MAL-02", "minor"], "needs a note"),
    (["audit", "record", "{audit}", "MAL-02", "minor", "--note", "n", "--due", "tomorrow"], "not a date YYYY-MM-DD"),
    (
        ["audit", "record", "{audit}", "MAL-02", "conform", "--evidence", "/nonexistent.jpg"],
        "evidence file /nonexistent.jpg: no such file",
    ),
    (["audit", "record", "{audit}", "--from", "/nonexistent.csv"], "no such file"),
    (["audit", "record", "{audit}", "--from", "{bad_csv}"], "bad.csv line 3: unknown status 'maybe'"),
    (["audit", "record", "{audit}", "--from", "{short_csv}"], "short.csv line 2: 2 fields"),
    (["audit", "record", "{audit}", "MAL-02"], "give ITEM and STATUS"),
    (["audit", "close", "{audit}"], "cannot close audit .*5 of 5 items unanswered"),
    (["audit", "show", "0000"], "unknown audit '0000'"),
    (["audit", "history", "{audit}", "NOPE-01"], "unknown item 'NOPE-01'"),
    (["audit", "export", "{audit}", "-o", "/nonexistent-dir/x.zip"], "no such directory"),
    (["audit", "verify", "/nonexistent.zip"], "no such file"),
    (["hq", "import", "/nonexistent.zip"], "no such file"),
]


@pytest.mark.parametrize(
    ("argv", "message"), BAD_INPUT, ids=[" ".join(a[:3]) + f" #{i}" for i, (a, _m) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    run_cli: Cli, trust_env: DataDir, cli_audit: str, tmp_path: Path, argv: list[str], message: str
) -> None:
    import re

    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"jpeg")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("item,status,note\nMAL-02,conform,\nMAL-03,maybe,\n", encoding="utf-8")
    short_csv = tmp_path / "short.csv"
    short_csv.write_text("item,status,note\nMAL-02,conform\n", encoding="utf-8")
    names = {"audit": cli_audit, "photo": str(photo), "bad_csv": str(bad_csv), "short_csv": str(short_csv)}
    args = [a.format(**names) for a in argv]
    before = _snapshot(trust_env.root)
    code, out, err = run_cli("--data-dir", trust_env.root, *args)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("inspector: error: ") and "Traceback" not in err, err
    assert re.search(message, err), err
    assert _snapshot(trust_env.root) == before


def test_a_closed_audit_refuses_findings(run_cli: Cli, trust_env: DataDir, cli_audit: str, tmp_path: Path) -> None:
    rows = tmp_path / "all.csv"
    rows.write_text(
        "item,status,note,reason\nMAL-01,conform,,\nMAL-02,conform,,\nMAL-03,na,,no case property disposed of yet\n"
        "WHD-01,conform,,\nWHD-02,conform,,\n",
        encoding="utf-8",
    )
    data = ("--data-dir", trust_env.root)
    assert run_cli(*data, "audit", "record", cli_audit, "--from", rows)[0] == 0
    assert run_cli(*data, "audit", "close", cli_audit)[0] == 0
    before = _snapshot(trust_env.root)
    for argv in (["audit", "record", cli_audit, "MAL-02", "conform"], ["audit", "close", cli_audit]):
        code, _out, err = run_cli(*data, *argv)
        assert code == 2 and err.count("\n") == 1 and "closed" in err, err
    assert _snapshot(trust_env.root) == before


def test_wrong_passphrase_writes_nothing(
    run_cli: Cli, trust_env: DataDir, cli_audit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "not the passphrase")
    before = _snapshot(trust_env.root)
    code, _out, err = run_cli("--data-dir", trust_env.root, "audit", "record", cli_audit, "MAL-02", "conform")
    assert code == 2 and "wrong passphrase" in err
    assert _snapshot(trust_env.root) == before


def test_the_real_entry_point(trust_env: DataDir, subprocess_env: dict[str, str], cli_audit: str) -> None:
    done = subprocess.run(
        [PYTHON, "-m", "inspector", "--data-dir", str(trust_env.root), "audit", "list", "--json"],
        capture_output=True,
        text=True,
        env=subprocess_env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == [cli_audit]


def test_help_lists_every_audit_command(run_cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli("audit", "--help")
    out = capsys.readouterr().out
    for name in (
        "new",
        "record",
        "list",
        "show",
        "history",
        "close",
        "verify",
        "export",
        "respond",
        "follow-up",
        "meeting",
    ):
        assert name in out
