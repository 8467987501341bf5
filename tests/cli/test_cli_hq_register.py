"""The HQ register's commands on both backends: listings that stream and filter, ``hq stations``,
``hq db upgrade|status``, ``hq fsck``, and the choice of the database (``--database``,
``INSPECTOR_HQ_DATABASE``, ``[hq] database``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.hq.register import FileStore, files_dir
from inspector.paths import DataDir
from tests.hq.world import bundle_of, days_from_today, make_closed_audit

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def imported(
    run_cli: Cli, hq_db: DataDir, audit_service: Any, auditor_key: Any, trust_env: DataDir, tmp_path: Path
) -> dict[str, str]:
    """Three audits registered at HQ: two of GBN-S39 (the later with a certificate), one of GBN-S49."""
    from inspector.certificates.issue import issue_certificate

    ids = {}
    for name, station in (("first", "GBN-S39"), ("other", "GBN-S49"), ("second", "GBN-S39")):
        findings = {"WHD-02": ("minor", days_from_today(30))} if name == "other" else {}
        ids[name] = make_closed_audit(audit_service, auditor_key, station, findings)
    ids["cert"] = issue_certificate(trust_env, ids["second"], auditor_key).body.cert_id
    for name in ("first", "other", "second"):
        code, out, err = run_cli(
            "--data-dir",
            hq_db.root,
            "hq",
            "import",
            bundle_of(audit_service, ids[name], tmp_path / f"{name}.zip"),
            "--json",
        )
        assert code == 0, err
        assert json.loads(out)["status"] == "imported"
    return ids


def _json(run_cli: Cli, hq: DataDir, *args: str) -> Any:
    code, out, err = run_cli("--data-dir", hq.root, "hq", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_audits_stream_with_filters(run_cli: Cli, hq_db: DataDir, imported: dict[str, str]) -> None:
    rows = _json(run_cli, hq_db, "audits")
    assert {row["id"] for row in rows} == {imported["first"], imported["other"], imported["second"]}
    assert [row["closed"] for row in rows] == sorted((row["closed"] for row in rows), reverse=True)
    assert {row["id"] for row in _json(run_cli, hq_db, "audits", "--station", "gbn-s49")} == {imported["other"]}
    assert len(_json(run_cli, hq_db, "audits", "--zone", "noida")) == 3
    assert _json(run_cli, hq_db, "audits", "--since", "2999-01-01") == []
    assert len(_json(run_cli, hq_db, "audits", "--limit", "2")) == 2
    decision = rows[0]["decision"]
    assert all(row["decision"] == decision for row in _json(run_cli, hq_db, "audits", "--status", decision))
    # The stream prints exactly what one JSON dump of the list would.
    code, out, _ = run_cli("--data-dir", hq_db.root, "hq", "audits", "--json")
    assert out == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    code, out, _ = run_cli("--data-dir", hq_db.root, "hq", "audits", "--station", "GBN-S39")
    assert code == 0 and out.count("GBN-S39") == 2


def test_certificates_and_stations(run_cli: Cli, hq_db: DataDir, imported: dict[str, str]) -> None:
    [cert] = _json(run_cli, hq_db, "certificates")
    assert cert["id"] == imported["cert"] and cert["status"] == "valid" and cert["audit"] == imported["second"]
    assert _json(run_cli, hq_db, "certificates", "--status", "expired") == []
    assert _json(run_cli, hq_db, "certificates", "--station", "GBN-S49") == []
    stations = {row["code"]: row for row in _json(run_cli, hq_db, "stations")}
    assert set(stations) == {"GBN-S39", "GBN-S49"}
    s39 = [row for row in _json(run_cli, hq_db, "audits", "--station", "GBN-S39")]
    latest = max(s39, key=lambda row: (row["closed"], row["id"]))  # audits closed in one second: by id
    assert stations["GBN-S39"]["latest_audit"] == latest["id"]
    assert stations["GBN-S39"]["certificate_status"] == "valid" and stations["GBN-S49"]["certificate_status"] == "none"
    assert [row["code"] for row in _json(run_cli, hq_db, "stations", "--status", "none")] == ["GBN-S49"]
    code, _, err = run_cli("--data-dir", hq_db.root, "hq", "stations", "--zone", "Nowhere")
    assert code == 2 and "no station of HQ's registry is in zone 'Nowhere'" in err and len(err.splitlines()) == 1


def test_db_status_upgrade_and_fsck(run_cli: Cli, hq_db: DataDir, hq_backend: str, imported: dict[str, str]) -> None:
    status = _json(run_cli, hq_db, "db", "status")
    assert status["backend"] == hq_backend and status["version"] == status["latest"] and status["pending"] == []
    assert (status["audits"], status["certificates"]) == (3, 1)
    assert _json(run_cli, hq_db, "db", "upgrade")["applied"] == []  # idempotent
    report = _json(run_cli, hq_db, "fsck")
    assert report["ok"] and report["files"] >= 4 and report["problems"] == []
    [cert] = _json(run_cli, hq_db, "certificates")
    FileStore(files_dir(hq_db)).path(cert["record_sha256"]).unlink()
    stray = files_dir(hq_db) / "ab" / "cd"
    stray.mkdir(parents=True, exist_ok=True)
    (stray / ("abcd" + "0" * 60)).write_bytes(b"nobody refers to me")
    code, out, _ = run_cli("--data-dir", hq_db.root, "hq", "fsck")
    assert code == 1
    assert f"certificate {cert['record_sha256'][:16]}… of certificate {cert['id']}: missing" in out
    assert "orphaned" in out and "abcd0000" in out


def test_a_damaged_file_is_named_by_fsck(run_cli: Cli, hq_db: DataDir, imported: dict[str, str]) -> None:
    [row] = [r for r in _json(run_cli, hq_db, "audits") if r["id"] == imported["other"]]
    path = FileStore(files_dir(hq_db)).path(row["bundle_sha256"])
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    report = _json_fail(run_cli, hq_db, "fsck")
    assert any(f"of audit {row['id']}" in p and "does not match its hash" in p for p in report["problems"])
    code, _, _ = run_cli("--data-dir", hq_db.root, "hq", "fsck", "--quick")
    assert code == 0, "--quick checks presence only"


def _json_fail(run_cli: Cli, hq: DataDir, *args: str) -> Any:
    code, out, _ = run_cli("--data-dir", hq.root, "hq", *args, "--json")
    assert code == 1
    return json.loads(out)


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://x@y/z", "is not a PostgreSQL URL"),
        ("postgresql://nobody:secret@127.0.0.1:1/none", "cannot connect"),
    ],
)
def test_a_bad_database_is_one_line_exit_2(run_cli: Cli, hq_env: DataDir, url: str, message: str) -> None:
    for args in (
        ["hq", "audits", "--database", url],
        ["hq", "db", "upgrade", "--database", url],
        ["hq", "revoke", "X", "--reason", "r", "--database", url],
    ):
        code, out, err = run_cli("--data-dir", hq_env.root, *args)
        assert code == 2 and message in err and len(err.splitlines()) == 1 and "Traceback" not in err
        assert "secret" not in err, "a password is never printed"


def test_the_database_comes_from_the_flag_then_the_environment_then_config(
    run_cli: Cli, hq_env: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.hq.register import database_url

    hq_env.config.write_text('[hq]\ndatabase = "postgresql://config@h/db"\n', encoding="utf-8")
    assert database_url(hq_env) == "postgresql://config@h/db"
    monkeypatch.setenv("INSPECTOR_HQ_DATABASE", "postgresql://env@h/db")
    assert database_url(hq_env) == "postgresql://env@h/db"
    assert database_url(hq_env, "postgresql://flag@h/db") == "postgresql://flag@h/db"
    monkeypatch.setenv("INSPECTOR_HQ_DATABASE", "tinydb")
    assert database_url(hq_env) is None


def test_a_postgresql_register_must_be_upgraded_first(run_cli: Cli, hq_env: DataDir, pg_session_database: str) -> None:
    from tests.helpers import pg_schema_url

    url = pg_schema_url(pg_session_database)
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", "audits", "--database", url)
    assert code == 2 and "schema version 0" in err and "inspector hq db upgrade" in err
    code, out, err = run_cli("--data-dir", hq_env.root, "hq", "db", "upgrade", "--database", url, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["from_version"] == 0 and result["version"] >= 1 and result["applied"]
    assert run_cli("--data-dir", hq_env.root, "hq", "audits", "--database", url, "--json")[1] == "[]\n"
