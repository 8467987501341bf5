"""``inspector audit new|record|list|show|history|close|verify|export`` (and, from
:mod:`inspector.cli.audit_followup_cmd`, ``respond|follow-up|meeting``).

Thin shell over ``inspector.audit``: parse, call the service, print. Anything the user got
wrong is a ``UserError`` (one line, exit 2) raised before anything is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspector.cli.common import (
    Context,
    add_command,
    add_group,
    add_passphrase_option,
    read_passphrase,
)

AUDIT_TYPES = ("stage1", "certification", "surveillance", "recertification")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "audit", "audits: record findings, score, close, verify and export")

    new = add_command(group, "new", cmd_new, "open a new audit of a station; prints its id", json_flag=True)
    new.add_argument(
        "--station", required=True, metavar="CODE", help="station code, e.g. GBN-S39 (see 'inspector stations list')"
    )
    new.add_argument(
        "--checklist", metavar="FILE", help="checklist file (default: the shipped police-station checklist)"
    )
    new.add_argument(
        "--type",
        default="certification",
        metavar="TYPE",
        dest="audit_type",
        help=f"audit type: {', '.join(AUDIT_TYPES)} (default certification, i.e. stage 2)",
    )
    new.add_argument(
        "--waive-stage1",
        metavar="REASON",
        help="certification only: proceed without a closed stage 1 of the station on this laptop, "
        "for the reason given (recorded in the signed opening record)",
    )
    new.add_argument(
        "--no-lockup",
        action="store_true",
        help="the station has no lock-up (recorded): custody items may then be marked not applicable",
    )
    add_passphrase_option(new)

    record = add_command(
        group, "record", cmd_record, "record or revise findings (one, or many from a CSV file)", json_flag=True
    )
    record.add_argument("audit", metavar="AUDIT", help="audit id (or a unique prefix of it)")
    record.add_argument("item", nargs="?", metavar="ITEM", help="checklist item id, e.g. MAL-01")
    record.add_argument("status", nargs="?", metavar="STATUS", help="conform, minor, major, observation or na")
    record.add_argument("--note", help="objective evidence seen (required for nonconformities of most items)")
    record.add_argument("--evidence", action="append", default=[], metavar="FILE", help="attach a file (repeatable)")
    record.add_argument("--due", metavar="YYYY-MM-DD", help="due date of the corrective action (nonconformities)")
    record.add_argument(
        "--reason", help="written reason: required for na, and for grading a failed critical item as minor"
    )
    record.add_argument(
        "--from",
        dest="from_csv",
        metavar="FILE.csv",
        help="record every row of a CSV file (header item,status,note[,evidence,due,reason])",
    )
    add_passphrase_option(record)

    add_command(group, "list", cmd_list, "the audits on this machine", json_flag=True)

    show = add_command(
        group, "show", cmd_show, "progress, scores, nonconformities and decision of an audit", json_flag=True
    )
    show.add_argument("audit", metavar="AUDIT")

    history = add_command(
        group, "history", cmd_history, "every recorded revision of one item's finding", json_flag=True
    )
    history.add_argument("audit", metavar="AUDIT")
    history.add_argument("item", metavar="ITEM")

    close = add_command(
        group, "close", cmd_close, "close and seal an audit (every item must be answered)", json_flag=True
    )
    close.add_argument("audit", metavar="AUDIT")
    add_passphrase_option(close)

    verify = add_command(
        group,
        "verify",
        cmd_verify,
        "check an audit or bundle: signatures, chain, seal, evidence; exit 0 intact, 1 not",
        json_flag=True,
    )
    verify.add_argument("target", metavar="AUDIT_OR_BUNDLE", help="an audit id, or a bundle .zip file")

    export = add_command(group, "export", cmd_export, "write an audit bundle (zip) for HQ", json_flag=True)
    export.add_argument("audit", metavar="AUDIT")
    export.add_argument("-o", "--output", required=True, metavar="FILE.zip")
    export.add_argument("--force", action="store_true", help="replace FILE.zip if it exists")

    from inspector.cli import audit_followup_cmd, audit_report_cmd

    audit_followup_cmd.register(group)
    audit_report_cmd.register(group)


# ---------------------------------------------------------------------------------------------
# helpers


def _service(ctx: Context):  # type: ignore[no-untyped-def]
    from inspector.audit.service import AuditService

    return AuditService(ctx.data)


def _unlock(args: argparse.Namespace, ctx: Context):  # type: ignore[no-untyped-def]
    """The auditor's key info and unlocked key (asks for the passphrase)."""
    from inspector.cli.keys_cmd import load_auditor_info
    from inspector.crypto.keystore import unlock

    info = load_auditor_info(ctx)
    passphrase = read_passphrase(args, f"Passphrase for auditor key {info.kid}: ")
    return info, unlock(ctx.data.auditor_key, passphrase)


def _warn_about_trust(ctx: Context, kid: str) -> None:
    """Say so now if HQ will not accept what this key signs, rather than at import."""
    from inspector.crypto.canonical import utcnow
    from inspector.errors import Invalid, UserError
    from inspector.trust.lists import Purpose
    from inspector.trust.store import TrustStore

    try:
        trustlist = TrustStore(ctx.data.root).trustlist()
    except UserError as exc:
        ctx.warn(f"the installed trust list cannot be used ({exc})")
        return
    if trustlist is None:
        ctx.warn("no trust list is installed here: HQ will check this audit against its own")
        return
    try:
        trustlist.authorize(kid, Purpose.FINDING, utcnow())
    except Invalid as exc:
        ctx.warn(f"HQ's trust list does not let this key sign findings now: {exc}")


def _finding_json(finding: Any) -> dict[str, Any]:
    return {
        "item": finding.item,
        "status": finding.status.value,
        "note": finding.note,
        "evidence": [ref.model_dump() for ref in finding.evidence],
        "due": finding.due,
        "reason": finding.reason,
        "record": finding.record_id,
        "seq": finding.seq,
        "time": finding.time,
        "revision": finding.revision,
    }


# ---------------------------------------------------------------------------------------------
# commands


def cmd_new(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.checklist import default_checklist_path, load_checklist
    from inspector.audit.rules import parse_audit_type
    from inspector.audit.stations import load_registry

    # Every input is checked before the passphrase is asked for.
    station = load_registry(data_root=ctx.data.root).get(args.station)
    kind = parse_audit_type(args.audit_type)
    checklist_path = Path(args.checklist) if args.checklist else default_checklist_path()
    checklist = load_checklist(checklist_path)
    service = _service(ctx)
    service.plan_audit(station.code, checklist, kind, waive_stage1=args.waive_stage1, require_stage1=True)
    info, key = _unlock(args, ctx)
    summary = service.new_audit(
        station.code,
        checklist_path,
        kind,
        key,
        info.auditor_id,
        info.name,
        no_lockup=args.no_lockup,
        waive_stage1=args.waive_stage1,
        require_stage1=True,
    )
    _warn_about_trust(ctx, key.public.kid_hex)
    if ctx.json:
        ctx.emit(summary.model_dump())
    else:
        ctx.say(summary.id)
    return 0


def cmd_record(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.audit import FindingInput
    from inspector.audit.csv_import import load_findings_csv
    from inspector.errors import UserError

    if args.from_csv:
        if args.item or args.status or args.note or args.evidence or args.due or args.reason:
            raise UserError("--from FILE.csv records the file's rows; give no ITEM, STATUS or finding options with it")
        rows = load_findings_csv(args.from_csv)
    else:
        if not args.item or not args.status:
            raise UserError(
                "give ITEM and STATUS (e.g. 'inspector audit record AUDIT MAL-01 conform'), or --from FILE.csv"
            )
        # Item ids are upper case in every checklist; 'mal-01' typed by hand means MAL-01 (as in history).
        item = args.item.strip().upper()
        rows = [FindingInput(item, args.status, args.note, tuple(args.evidence), args.due, args.reason)]
    service = _service(ctx)
    with service.open(args.audit, writable=True) as audit:
        audit.validate(rows)
        _info, key = _unlock(args, ctx)
        audit.use_key(key)
        findings = audit.record_many(rows)
        progress = audit.score()
    if ctx.json:
        ctx.emit(
            {
                "audit": audit.id,
                "recorded": [_finding_json(f) for f in findings],
                "progress": {"answered": progress.answered, "total": progress.total},
            }
        )
        return 0
    for finding in findings:
        revised = f" (revision {finding.revision})" if finding.revision > 1 else ""
        ctx.say(f"{finding.item}: {finding.status.value}{revised}  record {finding.seq}")
    ctx.say(f"{progress.answered}/{progress.total} items answered")
    return 0


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    rows = _service(ctx).list_audits(check=True)
    if ctx.json:
        ctx.emit([row.model_dump() for row in rows])
        return 0
    if not rows:
        ctx.say("no audits yet: start one with 'inspector audit new --station CODE'")
        return 0
    for row in rows:
        score = "-" if row.score is None else f"{row.score}%"
        ctx.say(
            f"{row.id[:12]}  {row.station:<9} {row.type:<15} {row.status:<6} "
            f"{row.progress['answered']:>3}/{row.progress['total']:<3} {score:>4}  {row.decision}  {row.opened}"
            + (f"  DAMAGED: {row.damaged}" if row.damaged else "")
        )
    return 0


def show_json(audit: Any) -> dict[str, Any]:
    """The ``audit show --json`` document (the same read model the TUI's summary renders)."""
    from inspector.cli.audit_view_json import view_json

    return view_json(audit)


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.cli.audit_view_json import print_show

    with _service(ctx).open(args.audit, writable=False) as audit:
        doc = show_json(audit)
    if ctx.json:
        ctx.emit(doc)
        return 0
    print_show(doc, ctx)
    return 0


def cmd_history(args: argparse.Namespace, ctx: Context) -> int:
    with _service(ctx).open(args.audit, writable=False) as audit:
        item = args.item.strip().upper()
        history = audit.history(item)
    if ctx.json:
        ctx.emit({"audit": audit.id, "item": item, "revisions": [_finding_json(f) for f in history]})
        return 0
    if not history:
        ctx.say(f"{item}: no finding recorded yet")
        return 0
    for finding in history:
        ctx.say(f"revision {finding.revision}  record {finding.seq}  {finding.time}  {finding.status.value}")
        if finding.note:
            ctx.say(f"    note: {finding.note}")
        for ref in finding.evidence:
            ctx.say(f"    evidence: {ref.name} ({ref.media_type}, {ref.size} bytes, sha256 {ref.sha256[:16]}…)")
        if finding.due:
            ctx.say(f"    due: {finding.due}")
        if finding.reason:
            ctx.say(f"    reason: {finding.reason}")
    return 0


def cmd_close(args: argparse.Namespace, ctx: Context) -> int:
    with _service(ctx).open(args.audit, writable=True) as audit:
        if not (audit.is_closed and audit.seal() is None):  # else: finish an interrupted close
            audit.check_closable()
        _info, key = _unlock(args, ctx)
        audit.use_key(key)
        seal = audit.close()
    payload = seal.payload
    if ctx.json:
        ctx.emit(
            {
                "id": payload.audit,
                "closed": payload.closed,
                "score": payload.percent,
                "decision": payload.decision,
                "majors": payload.majors,
                "minors": payload.minors,
                "findings_root": payload.findings_root,
                "head": payload.head,
                "records": payload.seq,
            }
        )
        return 0
    score = "-" if payload.percent is None else f"{payload.percent}%"
    ctx.say(f"audit {payload.audit} closed and sealed: score {score}, decision {payload.decision}")
    ctx.say(f"findings root {payload.findings_root}")
    if payload.decision == "corrective-action-pending":
        ctx.say(
            "next: the station's plans ('inspector audit respond') and their verification "
            "('inspector audit follow-up'); 'inspector audit show' lists what is pending"
        )
    return 0


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.services.verify_audit import verify_audit

    report = verify_audit(ctx.data, args.target)
    # Exit 0 only when the signers were checked against a trust list: without one, a chain
    # re-signed by a forger with a key of their own is intact too.
    if ctx.json:
        ctx.emit(report.to_json())
        return 0 if report.ok and report.trusted else 1
    for warning in report.warnings:
        ctx.warn(warning)
    if report.ok and not report.trusted:
        ctx.say(
            f"INTACT BUT NOT VERIFIED: audit {report.audit_id}, {report.records} records: no trust list here, so who "
            "signed it is unknown; install HQ's trust list ('inspector trust install FILE') and verify again"
        )
        return 1
    if report.ok:
        sealed = f"sealed, findings root {report.findings_root}" if report.sealed else "open (not sealed)"
        ctx.say(
            f"intact: audit {report.audit_id}, {report.records} records, {sealed}; signers checked against {report.trust}"
        )
        return 0
    ctx.say(f"NOT INTACT: {args.target}: {len(report.problems)} problem(s)")
    for problem in report.problems:
        ctx.say(f"  {problem}")
    return 1


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.bundle.export import export_audit
    from inspector.trust.store import TrustStore

    result = export_audit(
        _service(ctx), args.audit, Path(args.output), TrustStore(ctx.data.root).trustlist_bytes(), overwrite=args.force
    )
    if ctx.json:
        ctx.emit(result.to_json())
        return 0
    state = "sealed" if result.sealed else "NOT sealed (HQ imports only closed audits)"
    ctx.say(
        f"{result.path}: audit {result.audit_id}, {result.records} records, {result.evidence} evidence files, "
        f"{result.certificates} certificates, {state}"
    )
    return 0
