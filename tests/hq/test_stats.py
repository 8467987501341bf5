"""HQ's view across stations, on both backends: a test commissionerate of four stations, three of
which fail the same item, audited by two auditors who grade that item differently."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.service import AuditService
from inspector.hq.intake import import_bundle
from inspector.paths import DataDir
from tests.helpers import PASSPHRASE, SCRYPT_N
from tests.hq.world import bundle_of, days_from_today, make_closed_audit

Cli = Callable[..., tuple[int, str, str]]
DUE = days_from_today(30)  # two plans due in 30 days, one in 80
AT = days_from_today(45)  # the day the stats are taken: 15 days after DUE
STATIONS = [("GBN-S01", "Noida"), ("GBN-S02", "Noida"), ("GBN-S03", "Central"), ("GBN-S04", "Central")]


def _stations_toml() -> str:
    return "".join(
        f'[[stations]]\ncode = "{code}"\nname = {{ en = "Police Station {code[-2:]}", hi = "थाना {code[-2:]}" }}\n'
        f'district = "Gautam Buddh Nagar"\ncommissionerate = "Gautam Buddh Nagar"\nzone = "{zone}"\nin_charge = "SHO"\n\n'
        for code, zone in STATIONS
    )


def second_auditor(hq: DataDir, laptop: DataDir, tmp_path: Path) -> tuple[AuditService, Any]:
    """Another auditor with a laptop of their own, enrolled at HQ (both laptops get the new list)."""
    from inspector.crypto.keystore import create_key, unlock
    from inspector.hq.enrolment import HQ
    from inspector.trust.store import TrustStore

    other = DataDir(tmp_path / "laptop-2")
    info = create_key(other.auditor_key, "auditor", "Ravi Kumar", PASSPHRASE, "AUD-042", scrypt_n=SCRYPT_N)
    headquarters = HQ(hq.root)
    headquarters.enroll(info.public, "Ravi Kumar", "AUD-042", PASSPHRASE)
    trustlist = headquarters.export_trustlist(PASSPHRASE)
    for data in (laptop, other):
        store = TrustStore(data.root)
        store.pin(headquarters.root_public().to_pem())
        store.install(trustlist)
    (other.root / "stations.toml").write_text(_stations_toml(), encoding="utf-8")
    return AuditService(other), unlock(other.auditor_key, PASSPHRASE)


@pytest.fixture
def commissionerate(
    hq_db: DataDir, trust_env: DataDir, audit_service: AuditService, auditor_key: Any, tmp_path: Path
) -> dict[str, str]:
    from inspector.certificates.issue import issue_certificate

    for data in (hq_db, trust_env):
        (data.root / "stations.toml").write_text(_stations_toml(), encoding="utf-8")
    service_b, key_b = second_auditor(hq_db, trust_env, tmp_path)
    due = DUE
    plan = [
        ("GBN-S01", audit_service, auditor_key, "AUD-017", {"WHD-02": ("minor", due), "MAL-02": ("minor", due)}),
        ("GBN-S02", audit_service, auditor_key, "AUD-017", {"WHD-02": ("minor", due)}),
        ("GBN-S03", service_b, key_b, "AUD-042", {"WHD-02": ("minor", days_from_today(80))}),
        ("GBN-S04", service_b, key_b, "AUD-042", {}),
    ]
    ids = {}
    for station, service, key, auditor, findings in plan:
        audit_id = make_closed_audit(service, key, station, findings, auditor_id=auditor, auditor_name=auditor)
        if station == "GBN-S04":
            ids["cert"] = issue_certificate(service.data, audit_id, key).body.cert_id
        import_bundle(hq_db, bundle_of(service, audit_id, tmp_path / f"{station}.zip"))
        ids[station] = audit_id
    return ids


def _stats(run_cli: Cli, hq: DataDir, *args: str) -> dict[str, Any]:
    code, out, err = run_cli("--data-dir", hq.root, "hq", "stats", "--at", AT, *args, "--json")
    assert code == 0, err
    return dict(json.loads(out))


def test_stats_name_the_recurring_nonconformity(run_cli: Cli, hq_db: DataDir, commissionerate: dict[str, str]) -> None:
    stats = _stats(run_cli, hq_db)
    assert stats["stations_audited"] == 4 and stats["stations_in_registry"] == 4
    [item] = stats["recurring"]["by_item"]
    assert item["item"] == "WHD-02" and item["stations"] == ["GBN-S01", "GBN-S02", "GBN-S03"] and item["count"] == 3
    assert item["clauses"] == ["7.5.3"] and item["share"] == 0.75 and item["title"].startswith("Is the help desk")
    [clause] = stats["recurring"]["by_clause"]
    assert clause["clause"] == "7.5.3" and clause["count"] == 3 and clause["items"] == ["WHD-02"]
    # MAL-02 fails at one station only: not recurring at the default 2, recurring at 1.
    assert {e["item"] for e in _stats(run_cli, hq_db, "--min-stations", "1")["recurring"]["by_item"]} == {
        "WHD-02",
        "MAL-02",
    }


def test_stats_per_station(run_cli: Cli, hq_db: DataDir, commissionerate: dict[str, str]) -> None:
    stations = {s["station"]: s for s in _stats(run_cli, hq_db)["stations"]}
    s01, s03, s04 = stations["GBN-S01"], stations["GBN-S03"], stations["GBN-S04"]
    assert s01["latest_audit"] == commissionerate["GBN-S01"] and s01["zone"] == "Noida"
    assert s01["open_nonconformities"] == 2 and s01["overdue_nonconformities"] == 2
    assert [(nc["item"], nc["grade"], nc["state"], nc["due"]) for nc in s01["nonconformities"]] == [
        ("MAL-02", "minor", "open", DUE),
        ("WHD-02", "minor", "open", DUE),
    ]
    assert all(nc["days_overdue"] == 15 and nc["days_open"] == 45 for nc in s01["nonconformities"])
    assert s03["open_nonconformities"] == 1 and s03["overdue_nonconformities"] == 0
    assert s01["na_share"] == 0.0 and s01["score"] is not None
    assert s04["certificate"] == commissionerate["cert"] and s04["certificate_status"] == "valid"
    assert s04["next_surveillance"] and s04["open_nonconformities"] == 0
    assert s01["certificate"] is None
    [due] = _stats(run_cli, hq_db)["surveillance_calendar"]
    assert due["station"] == "GBN-S04" and due["date"] == s04["next_surveillance"]
    central = _stats(run_cli, hq_db, "--zone", "Central")
    assert [s["station"] for s in central["stations"]] == ["GBN-S03", "GBN-S04"]
    assert central["recurring"]["by_item"] == []  # one station of the zone fails WHD-02


def test_stats_compare_auditors_on_the_same_items(
    run_cli: Cli, hq_db: DataDir, commissionerate: dict[str, str]
) -> None:
    consistency = _stats(run_cli, hq_db)["consistency"]
    assert consistency["auditors"] == {"AUD-017": 2, "AUD-042": 2}
    items = {entry["item"]: entry for entry in consistency["items"]}
    assert set(items) == {"WHD-02", "MAL-02"}
    whd = {a["auditor"]: a for a in items["WHD-02"]["auditors"]}
    assert whd["AUD-017"]["nonconformity_rate"] == 1.0 and whd["AUD-042"]["nonconformity_rate"] == 0.5
    assert whd["AUD-042"]["conform"] == 1 and items["WHD-02"]["spread"] == 0.5


def test_stats_csv(run_cli: Cli, hq_db: DataDir, commissionerate: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "stations.csv"
    _stats(run_cli, hq_db, "--csv", str(target))
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [row["station"] for row in rows] == ["GBN-S01", "GBN-S02", "GBN-S03", "GBN-S04"]
    assert rows[0]["open_nonconformities"] == "2" and rows[3]["certificate_status"] == "valid"
    code, _, err = run_cli("--data-dir", hq_db.root, "hq", "stats", "--csv", str(target))
    assert code == 2 and "already exists" in err and len(err.splitlines()) == 1
    assert run_cli("--data-dir", hq_db.root, "hq", "stats", "--csv", str(target), "--force")[0] == 0


def test_report_renders_html_and_pdf(
    run_cli: Cli, hq_db: DataDir, commissionerate: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "report"
    code, stdout, err = run_cli("--data-dir", hq_db.root, "hq", "report", "--out", str(out), "--json")
    assert code == 0, err
    assert sorted(Path(p).name for p in json.loads(stdout)["files"]) == ["hq-report.html", "hq-report.pdf"]
    page = (out / "hq-report.html").read_text(encoding="utf-8")
    assert "WHD-02" in page and "<svg" in page and "ISO 9001 7.5.3" in page and "Surveillance calendar" in page
    assert "मुख्यालय" in page and "GBN-S04" in page
    pdf = (out / "hq-report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"NotoSansDevanagari" in pdf.replace(b"-", b"")
    code, _, err = run_cli("--data-dir", hq_db.root, "hq", "report", "--out", str(out))
    assert code == 2 and "already exists" in err
