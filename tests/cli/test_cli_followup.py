"""``inspector audit respond|follow-up|meeting``, the audit types on the command line, and what
``cert issue`` refuses: each case behaves as issue 12 describes, and bad input is one line,
exit 2, nothing written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from inspector.paths import DataDir
from tests.helpers import MINI_CHECKLIST, write_zip, zip_members

Cli = Callable[..., tuple[int, str, str]]
SOON = (date.today() + timedelta(days=45)).isoformat()
PLAN = ("--correction", "parcels labelled", "--root-cause", "no weekly check", "--action", "a weekly check by the SHO")


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def _ok(run_cli: Cli, *args: str | Path) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


@pytest.fixture
def laptop(trust_env: DataDir) -> tuple[str, Path]:
    return ("--data-dir", trust_env.root)  # type: ignore[return-value]


def _audit(run_cli: Cli, laptop: tuple[str, Path], checklist: Path = MINI_CHECKLIST, *extra: str) -> str:
    out = _ok(run_cli, *laptop, "audit", "new", "--station", "GBN-S39", "--checklist", checklist, *extra, "--json")
    return str(json.loads(out)["id"])


def _record_all(run_cli: Cli, laptop: tuple[str, Path], audit_id: str, tmp_path: Path, **answers: str) -> None:
    rows = ["item,status,note,reason"]
    for item in ("MAL-01", "MAL-02", "MAL-03", "WHD-01", "WHD-02"):
        status = answers.get(item.replace("-", "_"), "conform")
        reason = "no disposal order received yet" if status == "na" else ""
        rows.append(f"{item},{status},seen on site,{reason}")
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _ok(run_cli, *laptop, "audit", "record", audit_id, "--from", path)


def _decision(run_cli: Cli, laptop: tuple[str, Path], audit_id: str) -> dict[str, object]:
    return json.loads(_ok(run_cli, *laptop, "audit", "show", audit_id, "--json"))  # type: ignore[no-any-return]


def test_a_major_blocks_until_follow_up_effective_then_the_audit_is_certifiable(
    run_cli: Cli, laptop: tuple[str, Path], hq_env: DataDir, tmp_path: Path
) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--waive-stage1", "stage 1 held on paper")
    photo = tmp_path / "shelf.jpg"
    photo.write_bytes(b"\xff\xd8 the shelf")
    _record_all(run_cli, laptop, audit_id, tmp_path, MAL_02="major")
    _ok(run_cli, *laptop, "audit", "meeting", audit_id, "--kind", "closing", "--attendee", "Sunita Devi, Lead Auditor",
        "--attendee", "Ravi Kumar, Inspector", "--acknowledged-by", "Ravi Kumar, Inspector")  # fmt: skip
    closed = json.loads(_ok(run_cli, *laptop, "audit", "close", audit_id, "--json"))
    assert closed["decision"] == "corrective-action-pending"
    shown = _decision(run_cli, laptop, audit_id)
    [nc] = shown["nonconformities"]  # type: ignore[misc]
    assert (nc["item"], nc["grade"], nc["state"]) == ("MAL-02", "major", "open")
    assert nc["verify_deadline"] and nc["due"] == nc["plan_deadline"]
    [meeting] = shown["meetings"]  # type: ignore[misc]
    assert meeting["kind"] == "closing" and meeting["acknowledged_by"] == "Ravi Kumar, Inspector"
    assert meeting["cap_deadline"] == (date.today() + timedelta(days=90)).isoformat()

    out = _ok(
        run_cli,
        *laptop,
        "audit",
        "respond",
        audit_id,
        "mal-02",
        *PLAN,
        "--owner",
        "Ravi Kumar, SI",
        "--due",
        SOON,
        "--json",
    )
    assert json.loads(out)["state"] == "planned"
    code, _out, err = run_cli(*laptop, "cert", "issue", audit_id, "--out", tmp_path / "cert")
    assert code == 2 and "not yet verified effective" in err
    out = _ok(run_cli, *laptop, "audit", "follow-up", audit_id, "MAL-02", "--effective", "--note", "key log kept daily",
              "--method", "document", "--evidence", photo)  # fmt: skip
    assert "MAL-02: verified effective (document); the nonconformity is now closed" in out
    shown = _decision(run_cli, laptop, audit_id)
    assert shown["decision"]["code"] == "recommend-certification"  # type: ignore[index]
    [nc] = shown["nonconformities"]  # type: ignore[misc]
    assert (
        nc["state"] == "closed"
        and nc["verification"]["method"] == "document"
        and nc["plan"]["owner"] == "Ravi Kumar, SI"
    )
    assert [f["kind"] for f in nc["follow_ups"]] == ["plan", "verification"]
    text = _ok(run_cli, *laptop, "audit", "show", audit_id)
    assert "MAL-02  major closed" in text and "verified effective (document)" in text

    _ok(run_cli, *laptop, "cert", "issue", audit_id, "--out", tmp_path / "cert")
    bundle = tmp_path / "audit.zip"
    _ok(run_cli, *laptop, "audit", "export", audit_id, "-o", bundle)
    # The bundle's chain holds every follow-up record after the seal, and verify covers each.
    report = json.loads(run_cli(*laptop, "audit", "verify", bundle, "--json")[1])
    assert report["ok"] and report["records"] == report["sealed_records"] + 2
    assert report["decision"] == "recommend-certification"
    members = zip_members(bundle)
    lines = members["records.jsonl"].decode().splitlines()
    for position, kind, needle in (
        (len(lines) - 1, "response", b"weekly check"),
        (len(lines), "follow-up", b"key log kept daily"),
    ):
        edited = dict(members, **{"records.jsonl": members["records.jsonl"].replace(needle, needle.upper(), 1)})
        code, out, _ = run_cli(*laptop, "audit", "verify", write_zip(tmp_path / f"edited-{position}.zip", edited))
        assert code == 1 and f"record {position} ({kind} MAL-02" in out and "bad signature" in out, out
    [name] = [n for n in members if n.startswith("evidence/")]
    swapped = write_zip(tmp_path / "swapped.zip", dict(members, **{name: b"another photo"}))
    code, out, _ = run_cli(*laptop, "audit", "verify", swapped)
    assert code == 1 and "(follow-up MAL-02" in out and "does not match its hash" in out


def test_a_minor_without_an_accepted_plan_blocks(run_cli: Cli, laptop: tuple[str, Path], tmp_path: Path) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--waive-stage1", "held on paper")
    _record_all(run_cli, laptop, audit_id, tmp_path, WHD_01="minor")
    _ok(run_cli, *laptop, "audit", "close", audit_id)
    code, _out, err = run_cli(*laptop, "cert", "issue", audit_id, "--out", tmp_path / "cert")
    assert code == 2 and "minor nonconformity WHD-01 has no accepted corrective-action plan" in err
    _ok(run_cli, *laptop, "audit", "respond", audit_id, "WHD-01", *PLAN, "--owner", "Asha, HC", "--due", SOON)
    assert _decision(run_cli, laptop, audit_id)["decision"]["code"] == "recommend-certification"  # type: ignore[index]


def test_all_na_is_not_certifiable(run_cli: Cli, laptop: tuple[str, Path], tmp_path: Path) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--waive-stage1", "held on paper")
    _record_all(
        run_cli, laptop, audit_id, tmp_path, **{i: "na" for i in ("MAL_01", "MAL_02", "MAL_03", "WHD_01", "WHD_02")}
    )
    shown = _decision(run_cli, laptop, audit_id)
    assert shown["na_share"] == 100 and shown["score"] is None
    assert shown["decision"]["code"] == "nothing-applicable"  # type: ignore[index]
    _ok(run_cli, *laptop, "audit", "close", audit_id)
    code, _out, err = run_cli(*laptop, "cert", "issue", audit_id, "--out", tmp_path / "cert")
    assert code == 2 and "decision is nothing-applicable" in err


def test_surveillance_never_yields_a_certificate(run_cli: Cli, laptop: tuple[str, Path], tmp_path: Path) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--type", "surveillance")
    for item in ("MAL-01", "MAL-02", "MAL-03"):  # its sample of the mini checklist: MAL
        _ok(run_cli, *laptop, "audit", "record", audit_id, item, "conform")
    _ok(run_cli, *laptop, "audit", "close", audit_id)
    assert _decision(run_cli, laptop, audit_id)["decision"]["code"] == "recommend-maintain"  # type: ignore[index]
    before = _snapshot(Path(laptop[1]))
    code, _out, err = run_cli(*laptop, "cert", "issue", audit_id, "--out", tmp_path / "cert")
    assert code == 2 and err.count("\n") == 1
    assert "a surveillance audit never issues a certificate: its result goes to HQ" in err
    assert _snapshot(Path(laptop[1])) == before and not (tmp_path / "cert").exists()


def test_stage1_then_stage2_on_this_laptop(
    run_cli: Cli, laptop: tuple[str, Path], cycle_checklist: Path, tmp_path: Path
) -> None:
    code, _out, err = run_cli(*laptop, "audit", "new", "--station", "GBN-S39", "--checklist", cycle_checklist)
    assert (
        code == 2 and "needs a closed stage 1 audit of the station on this laptop" in err and "(--waive-stage1)" in err
    )
    stage1 = _audit(run_cli, laptop, cycle_checklist, "--type", "stage1")
    _ok(run_cli, *laptop, "audit", "record", stage1, "RDY-01", "conform")
    _ok(run_cli, *laptop, "audit", "record", stage1, "RDY-02", "minor", "--note", "management review not minuted")
    _ok(run_cli, *laptop, "audit", "close", stage1)
    shown = _decision(run_cli, laptop, stage1)
    assert shown["scope"]["sections"] == ["RDY"]  # type: ignore[index]
    assert shown["decision"]["code"] == "stage1-concerns"  # type: ignore[index]
    code, _out, err = run_cli(*laptop, "cert", "issue", stage1, "--out", tmp_path / "cert")
    assert code == 2 and "a stage 1 (readiness) audit cannot lead to a certificate" in err
    stage2 = _audit(run_cli, laptop, cycle_checklist)  # no waiver needed now
    shown = _decision(run_cli, laptop, stage2)
    assert shown["scope"] == {
        "sections": ["MAL", "WHD", "INF", "CYB"],
        "no_lockup": False,
        "stage1": stage1,
        "waive_stage1": None,
    }


def test_na_needs_a_reason_and_the_items_leave(
    run_cli: Cli, laptop: tuple[str, Path], cycle_checklist: Path, tmp_path: Path
) -> None:
    audit_id = _audit(run_cli, laptop, cycle_checklist, "--waive-stage1", "held on paper")
    before = _snapshot(Path(laptop[1]))
    photo = tmp_path / "fir.jpg"
    photo.write_bytes(b"\xff\xd8 a page")
    for argv, message in [
        (["MAL-03", "na"], "MAL-03: marking it not applicable needs a written reason (--reason)"),
        (["MAL-01", "na", "--reason", "x"], "MAL-01 cannot be marked not applicable"),
        (["MAL-02", "na", "--reason", "x"], "only at a station without a lock-up"),
        (["WHD-02", "minor", "--note", "FIR 12/2026", "--evidence", photo], "evidence files are not kept for it"),
        (["RDY-01", "conform"], "section RDY is not part of this audit's scope"),
    ]:
        code, _out, err = run_cli(*laptop, "audit", "record", audit_id, *argv)
        assert code == 2 and err.count("\n") == 1 and message in err, err
    assert _snapshot(Path(laptop[1])) == before
    lockless = _audit(run_cli, laptop, cycle_checklist, "--waive-stage1", "held on paper", "--no-lockup")
    _ok(run_cli, *laptop, "audit", "record", lockless, "MAL-02", "na", "--reason", "no lock-up at this station")
    assert _decision(run_cli, laptop, lockless)["scope"]["no_lockup"] is True  # type: ignore[index]


BAD = [
    (["respond", "{audit}", "MAL-02", *PLAN, "--owner", "A", "--due", SOON], "MAL-02: has no nonconformity to answer"),
    (["respond", "{audit}", "WHD-01", *PLAN, "--owner", "A", "--due", "2999-01-01"], "is later than"),
    (["respond", "{audit}", "WHD-01", *PLAN, "--owner", "", "--due", SOON], "owner: must not be empty (--owner)"),
    (["respond", "{audit}", "WHD-01", *PLAN[:4], "--action", " ", "--owner", "A", "--due", SOON], "(--action)"),
    (["respond", "{audit}", "WHD-01", *PLAN, "--owner", "A"], "required: --due"),
    (["respond", "{audit}", "NOPE-01", *PLAN, "--owner", "A", "--due", SOON], "unknown item 'NOPE-01'"),
    (["respond", "feedface", "WHD-01", *PLAN, "--owner", "A", "--due", SOON], "unknown audit 'feedface'"),
    (["follow-up", "{audit}", "WHD-01", "--effective", "--note", "seen"], "no corrective-action plan is recorded"),
    (
        ["follow-up", "{audit}", "WHD-01", "--note", "seen"],
        "one of the arguments --effective --not-effective is required",
    ),
    (["follow-up", "{audit}", "WHD-01", "--effective", "--not-effective", "--note", "x"], "not allowed with argument"),
    (["follow-up", "{audit}", "WHD-01", "--effective", "--note", "x", "--method", "phone"], "invalid choice: 'phone'"),
    (["meeting", "{audit}", "--kind", "opening"], "required: --attendee"),
    (["meeting", "{audit}", "--kind", "lunch", "--attendee", "A, B"], "invalid choice: 'lunch'"),
    (["meeting", "{audit}", "--kind", "closing", "--attendee", "A\u202eB"], "attendee: contains an invisible"),
    (
        ["meeting", "{audit}", "--kind", "closing", "--attendee", "A", "--acknowledged-by", "B\tC"],
        "(--acknowledged-by)",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[f"{a[0]} #{i}" for i, (a, _m) in enumerate(BAD)])
def test_bad_follow_up_input_is_one_line_exit_2_and_writes_nothing(
    run_cli: Cli,
    laptop: tuple[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--waive-stage1", "held on paper")
    _record_all(run_cli, laptop, audit_id, tmp_path, WHD_01="minor")
    before = _snapshot(Path(laptop[1]))
    try:
        code, out, err = run_cli(*laptop, "audit", *[a.replace("{audit}", audit_id) for a in argv])
    except SystemExit as exc:  # argparse's own usage errors: one line, exit 2
        code = int(exc.code or 0)
        out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and "Traceback" not in err and message in err, err
    assert _snapshot(Path(laptop[1])) == before


def test_follow_up_takes_no_passphrase_before_its_input_is_checked(
    run_cli: Cli, laptop: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_id = _audit(run_cli, laptop, MINI_CHECKLIST, "--waive-stage1", "held on paper")
    _record_all(run_cli, laptop, audit_id, tmp_path, WHD_01="minor")
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "not the passphrase")
    code, _out, err = run_cli(*laptop, "audit", "follow-up", audit_id, "WHD-01", "--effective", "--note", "x")
    assert code == 2 and "no corrective-action plan" in err  # the input, not the passphrase
    code, _out, err = run_cli(*laptop, "audit", "respond", audit_id, "WHD-01", *PLAN, "--owner", "A", "--due", SOON)
    assert code == 2 and "wrong passphrase" in err
