"""HQ's view across stations (``inspector hq stats``, and the ``hq report`` built on it).

* **Per station**, its latest closed audit: score, N/A share, the nonconformities with their
  state and age against their due dates, the station's newest certificate with its status and
  next surveillance.
* **Recurring nonconformities**: an item (and an ISO 9001 clause) failing in the latest audits of
  several stations points at a cause above any one station (a commissionerate's order, a form, a
  missing resource), not at a station.
* **Grading consistency**: for each item, how often each auditor found it nonconforming where
  it applied; a wide spread between auditors on the same item asks for calibration.

Everything is computed from streams of the register (the latest audit per station, its
findings, every audit's auditor): memory grows with the number of stations and auditors, not
with the number of audits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from inspector.crypto.canonical import format_time
from inspector.hq.register.base import Register
from inspector.hq.register.models import AuditFilter, CertificateFilter, ChecklistInfo, FindingRow, StationRow

NONCONFORMITY = ("minor", "major")
CLOSED_STATES = ("closed",)
STATUSES = ("minor", "major", "observation", "na")


@dataclass(frozen=True)
class StatsOptions:
    now: datetime
    revoked: frozenset[str] = frozenset()
    stations: frozenset[str] | None = None  # only these stations (a zone, a --station)
    min_stations: int = 2  # an item is "recurring" when it fails at this many stations
    min_assessed: int = 1  # an auditor counts for consistency after this many assessments


def compute(register: Register, registry: dict[str, StationRow], options: StatsOptions) -> dict[str, Any]:
    today = options.now.date()
    checklists = register.checklists()
    latest = [
        row for row in register.latest_by_station() if options.stations is None or row.station in options.stations
    ]
    by_audit: dict[str, list[FindingRow]] = defaultdict(list)
    if latest:
        for audit_id, finding in register.findings([row.id for row in latest]):
            by_audit[audit_id].append(finding)
    certificates = _latest_certificates(register, options)
    stations = []
    recurring_items: dict[str, set[str]] = defaultdict(set)
    recurring_clauses: dict[str, set[str]] = defaultdict(set)
    clause_items: dict[str, set[str]] = defaultdict(set)
    item_info: dict[str, dict[str, Any]] = {}
    for row in latest:
        checklist = checklists.get(row.checklist_hash)
        ncs = []
        for finding in sorted(by_audit.get(row.id, []), key=lambda f: f.item):
            if finding.status not in NONCONFORMITY:
                continue
            ncs.append(_nonconformity(finding, row.closed, today))
            recurring_items[finding.item].add(row.station)
            info = _item(checklist, finding.item)
            item_info.setdefault(finding.item, info)
            for clause in info["clauses"]:
                recurring_clauses[clause].add(row.station)
                clause_items[clause].add(finding.item)
        open_ncs = [nc for nc in ncs if nc["state"] not in CLOSED_STATES]
        place = registry.get(row.station)
        cert = certificates.get(row.station)
        share = row.na_share()
        stations.append(
            {
                "station": row.station,
                "name": place.name_en if place else row.station_name,
                "zone": place.zone if place else None,
                "district": place.district if place else None,
                "latest_audit": row.id,
                "type": row.type,
                "closed": row.closed,
                "auditor": row.auditor,
                "score": row.score,
                "decision": row.decision,
                "na_share": None if share is None else round(share, 3),
                "open_nonconformities": len(open_ncs),
                "overdue_nonconformities": sum(1 for nc in open_ncs if (nc["days_overdue"] or 0) > 0),
                "oldest_open_days": max((nc["days_open"] for nc in open_ncs), default=None),
                "nonconformities": ncs,
                "certificate": cert["id"] if cert else None,
                "certificate_status": cert["status"] if cert else None,
                "expires_at": cert["expires_at"] if cert else None,
                "next_surveillance": cert["next_surveillance"] if cert else None,
            }
        )
    counted = len(latest)
    return {
        "generated": format_time(options.now),
        "stations_audited": counted,
        "stations_in_registry": len(registry) if options.stations is None else len(options.stations),
        "stations": stations,
        "recurring": {
            "min_stations": options.min_stations,
            "by_item": _recurring(recurring_items, counted, options.min_stations, item_info),
            "by_clause": [
                {
                    "clause": clause,
                    "stations": sorted(codes),
                    "count": len(codes),
                    "share": round(len(codes) / counted, 3) if counted else None,
                    "items": sorted(clause_items[clause]),
                }
                for clause, codes in sorted(recurring_clauses.items(), key=lambda kv: (-len(kv[1]), kv[0]))
                if len(codes) >= options.min_stations
            ],
        },
        "consistency": _consistency(register, checklists, options),
        "surveillance_calendar": _calendar(certificates),
    }


def _item(checklist: ChecklistInfo | None, item: str) -> dict[str, Any]:
    info = checklist.items.get(item) if checklist else None
    if info is None:
        return {"section": item.split("-")[0], "title": "", "clauses": [], "criticality": None}
    return {"section": info.section, "title": info.title, "clauses": info.clauses, "criticality": info.criticality}


def _days(start: str, end: date) -> int:
    return (end - date.fromisoformat(start[:10])).days


def _nonconformity(finding: FindingRow, closed: str, today: date) -> dict[str, Any]:
    state = finding.state or "open"
    overdue = None
    if finding.due and state not in CLOSED_STATES:
        overdue = max(0, _days(finding.due, today))
    return {
        "item": finding.item,
        "grade": finding.status,
        "state": state,
        "due": finding.due,
        "days_open": _days(closed, today),
        "days_overdue": overdue,
    }


def _latest_certificates(register: Register, options: StatsOptions) -> dict[str, dict[str, Any]]:
    """Each station's newest certificate (the stream is newest first), with its status."""
    found: dict[str, dict[str, Any]] = {}
    for cert in register.certificates(CertificateFilter(stations=options.stations)):
        if cert.station in found:
            continue
        found[cert.station] = {
            "id": cert.id,
            "station": cert.station,
            "name": cert.station_name,
            "status": cert.status(options.revoked, options.now),
            "expires_at": cert.expires_at,
            "next_surveillance": cert.next_surveillance(options.now),
        }
    return found


def _recurring(
    items: dict[str, set[str]], counted: int, minimum: int, info: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    out = []
    for item, codes in sorted(items.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(codes) < minimum:
            continue
        out.append(
            {
                "item": item,
                **info.get(item, {}),
                "stations": sorted(codes),
                "count": len(codes),
                "share": round(len(codes) / counted, 3) if counted else None,
            }
        )
    return out


def _consistency(register: Register, checklists: dict[str, ChecklistInfo], options: StatsOptions) -> dict[str, Any]:
    """Per item, each auditor's nonconformity rate where the item applied (every audit)."""
    audits_of: Counter[tuple[str, str]] = Counter()  # (auditor, checklist hash) -> audits
    auditor_of: dict[str, str] = {}
    for row in register.audits(AuditFilter(stations=options.stations)):
        audits_of[(row.auditor, row.checklist_hash)] += 1
        auditor_of[row.id] = row.auditor
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)  # (item, auditor) -> status counts
    for audit_id, finding in register.findings(None):
        auditor = auditor_of.get(audit_id)
        if auditor is not None:
            counts[(finding.item, auditor)][finding.status] += 1
    assessed: Counter[tuple[str, str]] = Counter()  # (item, auditor) -> audits whose checklist has it
    for (auditor, checklist_hash), n in audits_of.items():
        checklist = checklists.get(checklist_hash)
        for item in checklist.items if checklist else ():
            assessed[(item, auditor)] += n
    per_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (item, auditor), n in sorted(assessed.items()):
        status = counts.get((item, auditor), Counter())
        applicable = n - status["na"]
        if applicable < options.min_assessed:
            continue
        nc = status["minor"] + status["major"]
        per_item[item].append(
            {
                "auditor": auditor,
                "assessed": n,
                "applicable": applicable,
                **{name: status[name] for name in STATUSES},
                "conform": applicable - nc - status["observation"],
                "nonconformity_rate": round(nc / applicable, 3),
                "major_share": round(status["major"] / nc, 3) if nc else None,
            }
        )
    items = []
    for item, auditors in per_item.items():
        if len(auditors) < 2:
            continue
        rates = [entry["nonconformity_rate"] for entry in auditors]
        spread = round(max(rates) - min(rates), 3)
        if spread > 0:
            items.append({"item": item, "spread": spread, "auditors": auditors})
    items.sort(key=lambda entry: (-entry["spread"], entry["item"]))
    auditors_total = Counter(auditor for auditor, _ in audits_of.elements())
    return {"auditors": dict(sorted(auditors_total.items())), "items": items}


def _calendar(certificates: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The next surveillance due of each station's certificate in force, by date."""
    due = [
        {"date": cert["next_surveillance"], "station": station, "certificate": cert["id"], "status": cert["status"]}
        for station, cert in certificates.items()
        if cert["next_surveillance"] and cert["status"] in ("valid", "expiring")
    ]
    return sorted(due, key=lambda entry: (entry["date"], entry["station"]))


CSV_COLUMNS = (
    "station",
    "name",
    "zone",
    "district",
    "latest_audit",
    "type",
    "closed",
    "auditor",
    "score",
    "decision",
    "na_share",
    "open_nonconformities",
    "overdue_nonconformities",
    "oldest_open_days",
    "certificate",
    "certificate_status",
    "expires_at",
    "next_surveillance",
)


def to_csv(stats: dict[str, Any]) -> bytes:
    """The per-station table as CSV (UTF-8 with BOM, so spreadsheet programs show Hindi)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for station in stats["stations"]:
        writer.writerow([_cell(station[name]) for name in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
