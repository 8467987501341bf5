"""``inspector hq import BUNDLE.zip`` and ``inspector hq audits``: the HQ register of audits.

Registered into the ``hq`` group through ``inspector.cli.hq_cmd.HQ_EXTENSIONS``.
"""

from __future__ import annotations

import argparse

from inspector.cli.common import Context, add_command


def register_hq(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = add_command(
        group,
        "import",
        cmd_import,
        "verify an audit bundle against HQ's trust list and register the audit; exit 1 if not genuine",
        json_flag=True,
    )
    imp.add_argument("bundle", metavar="BUNDLE.zip")
    add_command(group, "audits", cmd_audits, "the audits imported at HQ", json_flag=True)
    add_command(
        group,
        "certificates",
        cmd_certificates,
        "the certificate register: valid, expiring (90 days), expired or revoked; surveillance due",
        json_flag=True,
    )


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.intake import ImportRefused, import_bundle

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
    for warning in result.warnings:
        ctx.warn(warning)
    row = result.audit
    score = "-" if row.score is None else f"{row.score}%"
    if result.new:
        ctx.say(
            f"imported audit {row.id}: {row.station_name} ({row.station}), {row.type}, closed {row.closed}, "
            f"score {score}, {row.decision}"
        )
    else:
        ctx.say(f"audit {row.id} was already imported (same seal); nothing changed")
    return 0


def cmd_audits(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.intake import registered

    rows = registered(ctx.data)
    if ctx.json:
        ctx.emit([row.model_dump() for row in rows])
        return 0
    if not rows:
        ctx.say("no audits imported yet: 'inspector hq import BUNDLE.zip'")
        return 0
    for row in rows:
        score = "-" if row.score is None else f"{row.score}%"
        ctx.say(
            f"{row.id[:12]}  {row.station:<9} {row.type:<15} closed {row.closed}  {score:>4}  {row.decision}  "
            f"auditor {row.auditor}"
        )
    return 0


def cmd_certificates(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.crypto.canonical import utcnow
    from inspector.hq.intake import registered_certificates

    now = utcnow()
    revoked = _revoked_ids(ctx)
    rows = [(row, row.status(revoked, now), row.next_surveillance(now)) for row in registered_certificates(ctx.data)]
    if ctx.json:
        ctx.emit([row.model_dump() | {"status": status, "next_surveillance": due} for row, status, due in rows])
        return 0
    if not rows:
        ctx.say("no certificates registered yet: they arrive with imported audit bundles")
        return 0
    for row, status, due in rows:
        ctx.say(
            f"{row.id}  {status:<8}  {row.station:<9} {row.station_name:<20} {row.issued_at[:10]} to "
            f"{row.expires_at[:10]}  surveillance {due or '-'}  audit {row.audit[:12]}"
        )
    return 0


def _revoked_ids(ctx: Context) -> set[str]:
    """Certificates HQ revoked: its own register where the HQ key lives, else the installed CRL."""
    if ctx.data.hq_key.exists():
        from inspector.hq.enrolment import HQ

        return {entry.cert_id for entry in HQ(ctx.data.root).revocations()}
    from inspector.trust.store import TrustStore

    crl = TrustStore(ctx.data.root).crl()
    return {entry.cert_id for entry in crl.entries} if crl else set()
