"""``inspector hq db upgrade|status``, ``hq stations [import]``, ``hq stats``, ``hq report`` and
``hq fsck``: the register at scale and HQ's view across stations.

Registered into the ``hq`` group through ``inspector.cli.hq_cmd.HQ_EXTENSIONS``; it comes last,
so it also gives ``--database`` to the other ``hq`` commands that read the register.
"""

from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.common import Context, add_command, add_group
from inspector.cli.hq_options import (
    add_database_option,
    add_filters,
    apply_database_option,
    check_limit,
    emit_stream,
    since_text,
    station_set,
)


def register_hq(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = add_group(group, "db", "the register's database: schema upgrades and status")
    upgrade = add_command(
        db,
        "upgrade",
        cmd_db_upgrade,
        "bring the register to this inspector's schema (PostgreSQL migrations; a first-release data "
        "directory's flat folders into the file store)",
        json_flag=True,
    )
    add_database_option(upgrade)
    status = add_command(db, "status", cmd_db_status, "the register's backend, schema version and size", json_flag=True)
    add_database_option(status)

    stations = add_command(
        group,
        "stations",
        cmd_stations,
        "HQ's station registry with each station's latest audit and certificate",
        json_flag=True,
    )
    add_filters(stations, "only stations whose newest certificate is in this status ('none': no certificate)")
    add_database_option(stations)
    stations_sub = stations.add_subparsers(title="commands", metavar="COMMAND", required=False)
    imp = add_command(
        stations_sub,
        "import",
        cmd_stations_import,
        "replace HQ's station registry from a CSV (code, name_en, name_hi, district, zone, circle, address, "
        "cctns_code); every row is checked before any is written",
        json_flag=True,
    )
    imp.add_argument("csv_file", metavar="FILE.csv")
    add_database_option(imp)

    stats = add_command(
        group,
        "stats",
        cmd_stats,
        "HQ's view across stations: latest audits, open nonconformities, recurring items, auditor consistency",
        json_flag=True,
    )
    _add_view_options(stats)
    stats.add_argument("--csv", metavar="FILE", help="also write the per-station table as CSV")
    stats.add_argument("--force", action="store_true", help="replace the CSV file if it exists")
    add_database_option(stats)

    report = add_command(
        group, "report", cmd_report, "write the stats as an HTML page and a PDF with charts into DIR", json_flag=True
    )
    report.add_argument("--out", required=True, metavar="DIR", help="directory for hq-report.html and hq-report.pdf")
    report.add_argument("--force", action="store_true", help="replace the report files if they exist")
    _add_view_options(report)
    add_database_option(report)

    fsck = add_command(
        group,
        "fsck",
        cmd_fsck,
        "check the register against HQ's files: each referenced file present with its hash, none orphaned; "
        "exit 1 naming the problems",
        json_flag=True,
    )
    fsck.add_argument("--quick", action="store_true", help="check that the files are there, without hashing them")
    add_database_option(fsck)

    apply_database_option(group)


def _add_view_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--station", metavar="CODE", help="only this station")
    parser.add_argument("--zone", metavar="ZONE", help="only the stations of this zone")
    parser.add_argument(
        "--min-stations",
        type=int,
        default=2,
        metavar="N",
        help="an item recurs when it is nonconforming at N stations or more (default 2)",
    )
    parser.add_argument(
        "--at", metavar="DATE", help="as of this date (YYYY-MM-DD; default now): ages, due dates, status"
    )


# ---------------------------------------------------------------------------------------------
# db


def cmd_db_upgrade(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.register import open_register

    with open_register(ctx.data, check_schema=False) as register:
        before = register.schema()
        done = register.upgrade()
        after = register.schema()
    if ctx.json:
        ctx.emit(
            {
                "backend": after.backend,
                "where": after.where,
                "from_version": before.current,
                "version": after.current,
                "applied": done,
            }
        )
        return 0
    if not done:
        ctx.say(f"{after.backend} register {after.where} is up to date (schema version {after.current})")
    for step in done:
        ctx.say(step)
    if done:
        ctx.say(f"{after.backend} register {after.where}: schema version {before.current} -> {after.current}")
    return 0


def cmd_db_status(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.register import open_register

    with open_register(ctx.data, check_schema=False) as register:
        status = register.schema()
        counts = register.counts() if status.up_to_date else {}
    out: dict[str, Any] = {
        "backend": status.backend,
        "where": status.where,
        "version": status.current,
        "latest": status.latest,
        "pending": status.pending,
        **counts,
    }
    if ctx.json:
        ctx.emit(out)
        return 0
    ctx.say(f"{status.backend} register {status.where}: schema version {status.current} of {status.latest}")
    for step in status.pending:
        ctx.say(f"  pending: {step} ('inspector hq db upgrade')")
    if counts:
        ctx.say(f"  {counts['audits']} audits, {counts['certificates']} certificates, {counts['stations']} stations")
    return 0


# ---------------------------------------------------------------------------------------------
# stations


def cmd_stations(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.crypto.canonical import utcnow
    from inspector.hq.register import open_register
    from inspector.hq.register.models import CertificateFilter
    from inspector.hq.register.registry import station_rows

    now = utcnow()
    since = since_text(args.since)
    limit = check_limit(args.limit)
    revoked = _revoked(ctx)
    with open_register(ctx.data) as register:
        chosen = station_set(args, ctx, register)
        registry = station_rows(register, ctx.data)
        latest = {row.station: row for row in register.latest_by_station()}
        certs: dict[str, Any] = {}
        for cert in register.certificates(CertificateFilter(stations=chosen)):
            certs.setdefault(cert.station, cert)
    codes = sorted(set(registry) | set(latest))

    def rows() -> Any:
        count = 0
        for code in codes:
            if chosen is not None and code not in chosen:
                continue
            audit, cert = latest.get(code), certs.get(code)
            status = cert.status(revoked, now) if cert else "none"
            if args.status is not None and status != args.status:
                continue
            if since is not None and (audit is None or audit.closed < since):
                continue
            if limit is not None and count >= limit:
                return
            count += 1
            place = registry.get(code)
            yield {
                **(place.model_dump() if place else {"code": code, "name_en": audit.station_name if audit else ""}),
                "latest_audit": audit.id if audit else None,
                "latest_type": audit.type if audit else None,
                "latest_closed": audit.closed if audit else None,
                "score": audit.score if audit else None,
                "decision": audit.decision if audit else None,
                "certificate": cert.id if cert else None,
                "certificate_status": status,
                "expires_at": cert.expires_at if cert else None,
                "next_surveillance": cert.next_surveillance(now) if cert else None,
            }

    if ctx.json:
        emit_stream(rows())
        return 0
    shown = 0
    for row in rows():
        shown += 1
        closed = (row["latest_closed"] or "-")[:10]
        ctx.say(
            f"{row['code']:<10} {row.get('name_en', ''):<28} {row.get('zone') or '-':<12} last audit {closed:<10}  "
            f"certificate {row['certificate_status']}"
        )
    if not shown:
        ctx.say("no stations match")
    return 0


def cmd_stations_import(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.register import open_register
    from inspector.hq.register.registry import import_csv

    with open_register(ctx.data) as register:
        count = import_csv(register, ctx.data, args.csv_file)
    if ctx.json:
        ctx.emit({"imported": count, "file": str(args.csv_file)})
        return 0
    ctx.say(f"HQ's station registry is now {count} station(s) from {args.csv_file}")
    return 0


# ---------------------------------------------------------------------------------------------
# stats, report, fsck


def _compute(args: argparse.Namespace, ctx: Context) -> dict[str, Any]:
    from inspector.crypto.canonical import parse_time, utcnow
    from inspector.errors import UserError
    from inspector.hq.register import open_register
    from inspector.hq.register.registry import station_rows
    from inspector.hq.register.stats import StatsOptions, compute

    if args.min_stations < 1:
        raise UserError(f"--min-stations {args.min_stations} must be 1 or more")
    with open_register(ctx.data) as register:
        chosen = station_set(args, ctx, register)
        registry = station_rows(register, ctx.data)
        at = since_text(args.at, "--at")
        options = StatsOptions(
            now=parse_time(at) if at else utcnow(),
            revoked=frozenset(_revoked(ctx)),
            stations=chosen,
            min_stations=args.min_stations,
        )
        return compute(register, registry, options)


def cmd_stats(args: argparse.Namespace, ctx: Context) -> int:
    from inspector._io.atomic import write_private
    from inspector._io.outputs import check_output_file
    from inspector.hq.register.stats import to_csv

    csv_path = check_output_file(args.csv, "CSV file", force=args.force, field="csv") if args.csv else None
    stats = _compute(args, ctx)
    if csv_path is not None:
        write_private(csv_path, to_csv(stats), mode=0o644)
    if ctx.json:
        ctx.emit(stats)
        return 0
    ctx.say(f"{stats['stations_audited']} station(s) audited of {stats['stations_in_registry']} in the registry")
    for station in stats["stations"]:
        score = "-" if station["score"] is None else f"{station['score']}%"
        ctx.say(
            f"  {station['station']:<10} closed {station['closed'][:10]}  score {score:>4}  "
            f"open NCs {station['open_nonconformities']} (overdue {station['overdue_nonconformities']})  "
            f"certificate {station['certificate_status'] or '-'}"
        )
    recurring = stats["recurring"]["by_item"]
    ctx.say(f"recurring nonconformities (at {stats['recurring']['min_stations']}+ stations): {len(recurring)}")
    for entry in recurring:
        ctx.say(f"  {entry['item']} at {entry['count']} stations: {', '.join(entry['stations'])}")
    for entry in stats["recurring"]["by_clause"]:
        ctx.say(f"  ISO 9001 {entry['clause']} at {entry['count']} stations ({', '.join(entry['items'])})")
    items = stats["consistency"]["items"]
    if items:
        ctx.say("grading differs most between auditors on:")
        for entry in items[:10]:
            rates = ", ".join(f"{a['auditor']} {a['nonconformity_rate']:.0%}" for a in entry["auditors"])
            ctx.say(f"  {entry['item']}: {rates}")
    if csv_path is not None:
        ctx.say(f"wrote {csv_path}")
    return 0


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    from inspector._io.outputs import check_output_dir
    from inspector.hq.register.report import write_report

    check_output_dir(args.out, "report directory")  # before any work
    stats = _compute(args, ctx)
    written = write_report(stats, args.out, force=args.force)
    if ctx.json:
        ctx.emit({"files": [str(path) for path in written], "stations": stats["stations_audited"]})
        return 0
    for path in written:
        ctx.say(f"wrote {path}")
    return 0


def cmd_fsck(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.register import open_register
    from inspector.hq.register.fsck import fsck

    with open_register(ctx.data) as register:
        report = fsck(register, ctx.data, check_hashes=not args.quick)
    if ctx.json:
        ctx.emit(report.to_json())
        return 0 if report.ok else 1
    for warning in report.warnings:
        ctx.warn(warning)
    if report.ok:
        ctx.say(f"register and files agree: {report.files} file(s), {report.bytes_checked} bytes hashed")
        return 0
    ctx.say(f"PROBLEMS: {len(report.problems)}")
    for problem in report.problems:
        ctx.say(f"  {problem}")
    return 1


def _revoked(ctx: Context) -> set[str]:
    from inspector.cli.hq_audit_cmd import _revoked_ids

    return _revoked_ids(ctx)
