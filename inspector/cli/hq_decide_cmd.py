"""``inspector hq decide|status|suspend|restore|withdraw``: HQ's certification decisions."""

from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.common import Context, add_command, read_passphrase


def register_hq(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from inspector.cli.keys_cmd import add_output_option

    decide = add_command(
        group,
        "decide",
        cmd_decide,
        "record HQ's decision on an imported audit (by a reviewer who did not audit it)",
        json_flag=True,
    )
    decide.add_argument("audit", metavar="AUDIT", help="the imported audit's id (or a unique prefix)")
    action = decide.add_mutually_exclusive_group(required=True)
    action.add_argument("--grant", dest="action", action="store_const", const="grant", help="grant its certificate")
    action.add_argument("--refuse", dest="action", action="store_const", const="refuse", help="refuse certification")
    action.add_argument(
        "--maintain", dest="action", action="store_const", const="maintain", help="surveillance: keep the certificate"
    )
    action.add_argument(
        "--suspend", dest="action", action="store_const", const="suspend", help="surveillance: suspend the certificate"
    )
    decide.add_argument("--reviewer-id", required=True, metavar="ID", help="the reviewer's id (not the auditor's)")
    decide.add_argument("--reviewer-name", required=True, metavar="NAME")
    decide.add_argument("--note", required=True, metavar="TEXT", help="the reasons for the decision")

    status = add_command(group, "status", cmd_status, "write the signed certificate status list verifiers install")
    add_output_option(status)
    status.add_argument("--next-update-days", type=int, default=7, metavar="N", help="days until it is stale (1-90)")

    for name, help_text, flag in (
        ("suspend", "suspend a granted certificate", "--reason"),
        ("restore", "restore a suspended certificate", "--note"),
        ("withdraw", "withdraw a certificate", "--reason"),
    ):
        cmd = add_command(group, name, cmd_status_change, help_text, json_flag=True)
        cmd.add_argument("cert_id", metavar="CERT", help="the certificate id (as printed, dashes allowed)")
        cmd.add_argument(flag, dest="reason", required=True, metavar="TEXT")
        cmd.set_defaults(change=name)


def _emit_state(ctx: Context, state: Any, what: str) -> None:
    if ctx.json:
        ctx.emit(state.model_dump(mode="json"))
        return
    ctx.say(f"certificate {state.cert_id} of {state.station}: {state.status.value} ({what})")
    ctx.say("publish the change: 'inspector hq status -o FILE', then install it where certificates are verified")


def cmd_decide(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.clearance import clearance_problems
    from inspector.hq.decisions import decide

    state = decide(
        ctx.data,
        args.audit,
        args.action,
        reviewer_id=args.reviewer_id,
        reviewer_name=args.reviewer_name,
        note=args.note,
        passphrase=lambda: read_passphrase(args, "HQ root key passphrase: "),
        clearance=lambda audit: clearance_problems(ctx.data, audit),
    )
    _emit_state(ctx, state, f"decided by {args.reviewer_name} ({args.reviewer_id})")
    return 0


def cmd_status_change(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.decisions import set_status
    from inspector.trust.status import CertStatus

    target = {"suspend": CertStatus.SUSPENDED, "restore": CertStatus.GRANTED, "withdraw": CertStatus.WITHDRAWN}
    state = set_status(
        ctx.data,
        args.cert_id,
        target[args.change],
        reason=args.reason,
        passphrase=lambda: read_passphrase(args, "HQ root key passphrase: "),
    )
    _emit_state(ctx, state, args.change)
    return 0


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.cli.keys_cmd import check_output, write_output
    from inspector.errors import UserError
    from inspector.hq.decisions import export_status
    from inspector.trust.documents import peek_seq
    from inspector.trust.status import STATUS_FORMAT

    if not 1 <= args.next_update_days <= 90:
        raise UserError(f"--next-update-days must be between 1 and 90, not {args.next_update_days}")
    check_output(args, "status list file")  # before anything is signed
    data = export_status(
        ctx.data,
        lambda: read_passphrase(args, "HQ root key passphrase: "),
        next_update_days=args.next_update_days,
    )
    seq = peek_seq(data, STATUS_FORMAT, "status list")
    write_output(args.output, data, f"certificate status list seq {seq}", ctx, force=args.force)
    return 0
