"""``inspector hq import BUNDLE.zip``, ``hq audits`` and ``hq certificates``: the HQ register.

Registered into the ``hq`` group through ``inspector.cli.hq_cmd.HQ_EXTENSIONS``. Listings stream
(rows are printed as the register yields them) and take the filters ``--station``, ``--zone``,
``--status``, ``--since`` and ``--limit``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.common import Context, add_command
from inspector.cli.hq_options import add_database_option, add_filters, check_limit, emit_stream, since_text, station_set
from inspector.errors import UserError


def register_hq(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = add_command(
        group,
        "import",
        cmd_import,
        "verify an audit bundle against HQ's trust list and register the audit; exit 1 if not genuine",
        json_flag=True,
    )
    imp.add_argument("bundle", metavar="BUNDLE.zip", nargs="+")
    imp.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="with several bundles: how many are verified at a time, in worker processes (default: one per core)",
    )
    add_database_option(imp)
    audits = add_command(group, "audits", cmd_audits, "the audits imported at HQ", json_flag=True)
    add_filters(audits, "only audits with this decision (e.g. not-ready)")
    add_database_option(audits)
    from inspector.hq.register.models import CERT_STATUSES

    certificates = add_command(
        group,
        "certificates",
        cmd_certificates,
        "the certificate register: valid, expiring (90 days), expired or revoked; surveillance due",
        json_flag=True,
    )
    add_filters(certificates, "only certificates in this status", CERT_STATUSES)
    add_database_option(certificates)


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.intake import ImportRefused, import_bundle

    if args.jobs is not None and args.jobs < 1:
        raise UserError(f"--jobs {args.jobs}: must be at least 1", field="jobs")
    if len(args.bundle) > 1:
        return _import_many(args, ctx)
    args.bundle = args.bundle[0]
    try:
        result = import_bundle(ctx.data, args.bundle)
    except ImportRefused as exc:
        if ctx.json:
            ctx.emit({"status": "refused", "bundle": args.bundle, "problems": exc.reasons})
        else:
            ctx.say(f"REFUSED: {args.bundle}: {len(exc.reasons)} problem(s)")
            for reason in exc.reasons:
                ctx.say(f"  {reason}")
        return 1
    if ctx.json:
        ctx.emit(result.to_json())
        return 0
    _say_imported(ctx, result)
    return 0


def _import_many(args: argparse.Namespace, ctx: Context) -> int:
    """Several bundles: verified in parallel, registered in the order given (``inspector.hq.batch``);
    a refused bundle does not stop the others. Exit status: the worst of the bundles'."""
    from inspector.hq.batch import import_bundles

    # A path that is no file is a typing mistake: refuse the whole batch before anything is
    # registered (a refused bundle, by contrast, is news about that bundle and the rest go on).
    for path in args.bundle:
        if not Path(path).is_file():
            raise UserError(f"{path}: no such file" + (" (a directory)" if Path(path).is_dir() else ""), field="bundle")
    seen: dict[str, str] = {}
    for path in args.bundle:
        key = str(Path(path).resolve())
        if key in seen:
            raise UserError(f"{path}: given twice (also as {seen[key]})", field="bundle")
        seen[key] = path
    items = import_bundles(ctx.data, args.bundle, jobs=args.jobs)
    worst = max(item.exit_status for item in items)
    if ctx.json:
        ctx.emit({"bundles": [item.to_json() for item in items]})
        return worst
    for item in items:
        if item.result is not None:
            _say_imported(ctx, item.result, f"{item.bundle}: ")
        elif item.refused:
            ctx.say(f"REFUSED: {item.bundle}: {len(item.refused)} problem(s)")
            for reason in item.refused:
                ctx.say(f"  {reason}")
        else:
            ctx.say(f"ERROR: {item.bundle}: {item.error}")
    return worst


def _say_imported(ctx: Context, result: Any, prefix: str = "") -> None:
    for warning in result.warnings:
        ctx.warn(warning)
    row = result.audit
    score = "-" if row.score is None else f"{row.score}%"
    if result.status == "imported":
        ctx.say(
            f"{prefix}imported audit {row.id}: {row.station_name} ({row.station}), {row.type}, closed {row.closed}, "
            f"score {score}, {row.decision}"
        )
    elif result.status == "updated":
        ctx.say(
            f"{prefix}updated audit {row.id}: {result.added_records} record(s) after the {row.records - result.added_records} "
            f"registered; {row.records} records now"
        )
    else:
        ctx.say(f"{prefix}audit {row.id} was already imported (same seal, same records); nothing changed")


def cmd_audits(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.register import open_register
    from inspector.hq.register.models import AuditFilter

    with open_register(ctx.data) as register:
        where = AuditFilter(
            stations=station_set(args, ctx, register),
            status=args.status,
            since=since_text(args.since),
            limit=check_limit(args.limit),
        )
        rows = register.audits(where)
        if ctx.json:
            emit_stream(row.model_dump() for row in rows)
            return 0
        shown = 0
        for row in rows:
            shown += 1
            score = "-" if row.score is None else f"{row.score}%"
            ctx.say(
                f"{row.id[:12]}  {row.station:<9} {row.type:<15} closed {row.closed}  {score:>4}  {row.decision}  "
                f"auditor {row.auditor}"
            )
        if not shown:
            ctx.say(
                "no audits imported yet: 'inspector hq import BUNDLE.zip'" if _unfiltered(args) else "no audits match"
            )
    return 0


def cmd_certificates(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.crypto.canonical import utcnow
    from inspector.hq.register import open_register
    from inspector.hq.register.models import CertificateFilter

    now = utcnow()
    revoked = _revoked_ids(ctx)
    limit = check_limit(args.limit)
    with open_register(ctx.data) as register:
        where = CertificateFilter(stations=station_set(args, ctx, register), since=since_text(args.since))
        rows = _with_status(register.certificates(where), revoked, now, args.status, limit)
        if ctx.json:
            emit_stream(row.model_dump() | {"status": status, "next_surveillance": due} for row, status, due in rows)
            return 0
        shown = 0
        for row, status, due in rows:
            shown += 1
            ctx.say(
                f"{row.id}  {status:<8}  {row.station:<9} {row.station_name:<20} {row.issued_at[:10]} to "
                f"{row.expires_at[:10]}  surveillance {due or '-'}  audit {row.audit[:12]}"
            )
        if not shown:
            ctx.say(
                "no certificates registered yet: they arrive with imported audit bundles"
                if _unfiltered(args)
                else "no certificates match"
            )
    return 0


def _with_status(rows: Any, revoked: set[str], now: Any, wanted: str | None, limit: int | None) -> Any:
    """(row, status, next surveillance) of each row, filtered by status (computed, not stored)."""
    count = 0
    for row in rows:
        if limit is not None and count >= limit:
            return
        status = row.status(revoked, now)
        if wanted is None or status == wanted:
            count += 1
            yield row, status, row.next_surveillance(now)


def _unfiltered(args: argparse.Namespace) -> bool:
    return not any(getattr(args, name, None) for name in ("station", "zone", "status", "since")) and args.limit is None


def _revoked_ids(ctx: Context) -> set[str]:
    """Certificates HQ revoked: its own register where the HQ key lives, else the installed CRL."""
    if ctx.data.hq_key.exists():
        from inspector.hq.enrolment import HQ

        return {entry.cert_id for entry in HQ(ctx.data.root).revocations()}
    from inspector.trust.store import TrustStore

    crl = TrustStore(ctx.data.root).crl()
    return {entry.cert_id for entry in crl.entries} if crl else set()
