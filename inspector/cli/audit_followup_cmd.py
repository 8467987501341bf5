"""``inspector audit respond|follow-up|meeting``: the signed follow-up of an audit, open or closed.

* ``respond AUDIT ITEM --correction T --root-cause T --action T --owner NAME --due DATE [--evidence F]...``
  records the station's corrective-action plan for a nonconformity;
* ``follow-up AUDIT ITEM (--effective | --not-effective) --note T [--method on-site|document] [--evidence F]...``
  records the auditor's verification of that plan;
* ``meeting AUDIT --kind opening|closing --attendee "NAME, RANK"... [--acknowledged-by "NAME, RANK"] [--note T]``
  records a meeting; a closing meeting states the deadline for corrective-action plans.

Each is one signed record appended to the audit's chain (after its seal, once it is closed).
Every input is checked before the passphrase is asked for; a mistake is one line, exit 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from inspector.cli.common import Context, add_command, add_passphrase_option


def register(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    respond = add_command(
        group,
        "respond",
        cmd_respond,
        "record the station's corrective-action plan for a nonconformity (open or closed audit)",
        json_flag=True,
    )
    respond.add_argument("audit", metavar="AUDIT", help="audit id (or a unique prefix of it)")
    respond.add_argument("item", metavar="ITEM", help="the item whose nonconformity is answered, e.g. MAL-01")
    respond.add_argument("--correction", required=True, metavar="TEXT", help="what was put right at once")
    respond.add_argument("--root-cause", required=True, metavar="TEXT", help="why it happened")
    respond.add_argument("--action", required=True, metavar="TEXT", help="the corrective action that removes the cause")
    respond.add_argument("--owner", required=True, metavar="NAME", help="who carries it out, e.g. 'Ravi Kumar, SI'")
    respond.add_argument(
        "--due",
        required=True,
        metavar="YYYY-MM-DD",
        help="when it is done (a minor: within the checklist's limit, 90 days after the audit's last day by default)",
    )
    respond.add_argument("--evidence", action="append", default=[], metavar="FILE", help="attach a file (repeatable)")
    add_passphrase_option(respond)

    follow = add_command(
        group,
        "follow-up",
        cmd_follow_up,
        "record the auditor's verification of a corrective action: effective or not",
        json_flag=True,
    )
    follow.add_argument("audit", metavar="AUDIT")
    follow.add_argument("item", metavar="ITEM")
    result = follow.add_mutually_exclusive_group(required=True)
    result.add_argument("--effective", dest="effective", action="store_true", help="the action removed the cause")
    result.add_argument("--not-effective", dest="not_effective", action="store_true", help="it did not")
    follow.add_argument("--note", required=True, metavar="TEXT", help="what was seen or read")
    follow.add_argument(
        "--method",
        choices=("on-site", "document"),
        default="on-site",
        help="verified on site (default) or from documents",
    )
    follow.add_argument("--evidence", action="append", default=[], metavar="FILE", help="attach a file (repeatable)")
    add_passphrase_option(follow)

    meeting = add_command(
        group,
        "meeting",
        cmd_meeting,
        "record the opening or closing meeting (signed; before or after closing)",
        json_flag=True,
    )
    meeting.add_argument("audit", metavar="AUDIT")
    meeting.add_argument("--kind", required=True, choices=("opening", "closing"))
    meeting.add_argument(
        "--attendee",
        action="append",
        default=[],
        required=True,
        metavar="NAME, RANK",
        help="one attendee (repeatable)",
    )
    meeting.add_argument(
        "--acknowledged-by",
        metavar="NAME, RANK",
        help="the station in-charge who received the findings",
    )
    meeting.add_argument("--note", metavar="TEXT")
    add_passphrase_option(meeting)


def _write(args: argparse.Namespace, ctx: Context, write: Any) -> Any:
    """Open the audit, check ``write`` without the key, unlock, write; the signed record."""
    from inspector.audit.service import AuditService
    from inspector.cli.common import read_passphrase
    from inspector.cli.keys_cmd import load_auditor_info
    from inspector.crypto.keystore import unlock

    with AuditService(ctx.data).open(args.audit, writable=True) as audit:
        audit.check_follow_up_writable()
        write(audit, dry_run=True)
        info = load_auditor_info(ctx)
        key = unlock(ctx.data.auditor_key, read_passphrase(args, f"Passphrase for auditor key {info.kid}: "))
        audit.use_key(key)
        record = write(audit, dry_run=False)
        state = _state_of(audit, getattr(record, "item", None))
    return audit.id, record, state


def _state_of(audit: Any, item: str | None) -> str | None:
    if item is None:
        return None
    return next((nc.state.value for nc in audit.nonconformities() if nc.item == item), None)


def cmd_respond(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.followup import response_fields
    from inspector.crypto.canonical import utcnow

    fields = {
        "correction": args.correction,
        "root_cause": args.root_cause,
        "action": args.action,
        "owner": args.owner,
        "due": args.due,
        "evidence": tuple(args.evidence),
    }

    def write(audit: Any, dry_run: bool) -> Any:
        if dry_run:
            response_fields(audit.checklist, audit.state, args.item, today=utcnow().date(), **fields)
            return None
        return audit.respond(args.item, **fields)

    audit_id, record, state = _write(args, ctx, write)
    return _report(ctx, audit_id, record, state, f"{record.item}: plan recorded (due {record.due})")


def cmd_follow_up(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.followup import verification_fields

    fields = {"effective": args.effective, "method": args.method, "note": args.note, "evidence": tuple(args.evidence)}

    def write(audit: Any, dry_run: bool) -> Any:
        if dry_run:
            verification_fields(audit.checklist, audit.state, args.item, **fields)
            return None
        return audit.follow_up(args.item, **fields)

    audit_id, record, state = _write(args, ctx, write)
    return _report(ctx, audit_id, record, state, f"{record.item}: verified {record.result} ({record.method})")


def cmd_meeting(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.followup import meeting_fields
    from inspector.crypto.canonical import utcnow

    def write(audit: Any, dry_run: bool) -> Any:
        if dry_run:
            meeting_fields(
                audit.checklist,
                audit.state,
                kind=args.kind,
                attendees=args.attendee,
                acknowledged_by=args.acknowledged_by,
                note=args.note,
                today=utcnow().date(),
            )
            return None
        return audit.meeting(args.kind, args.attendee, acknowledged_by=args.acknowledged_by, note=args.note)

    audit_id, record, _state = _write(args, ctx, write)
    deadline = f"; corrective-action plans due by {record.cap_deadline}" if record.cap_deadline else ""
    return _report(
        ctx, audit_id, record, None, f"{record.kind} meeting recorded ({len(record.attendees)} attendees){deadline}"
    )


def _report(ctx: Context, audit_id: str, record: Any, state: str | None, line: str) -> int:
    if ctx.json:
        doc = {"audit": audit_id, "record": record.model_dump(mode="json"), "seq": record.seq}
        if state is not None:
            doc["state"] = state
        ctx.emit(doc)
        return 0
    suffix = f"; the nonconformity is now {state}" if state else ""
    ctx.say(f"{line}{suffix}  record {record.seq}")
    return 0
