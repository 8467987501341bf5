"""``inspector audit report AUDIT --out DIR [--lang en|hi|both] [--json]``: the audit report.

Writes ``audit-report-<id>.pdf`` and ``.html`` (A4, the Devanagari font embedded) into DIR,
created if missing. Reading needs no key: the report is made from the signed records as they are
(an open audit gives a report marked DRAFT). A bad DIR is one line, exit 2, nothing written.
"""

from __future__ import annotations

import argparse

from inspector.cli.common import Context, add_command


def register(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = add_command(
        group,
        "report",
        cmd_report,
        "write the audit report (PDF and HTML: findings, evidence, follow-up, meetings, signatures)",
        json_flag=True,
    )
    report.add_argument("audit", metavar="AUDIT", help="audit id (or a unique prefix of it)")
    report.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    report.add_argument(
        "--lang",
        choices=("en", "hi", "both"),
        default="both",
        help="language of the report's labels and questions (default: both)",
    )


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from inspector.audit.service import AuditService
    from inspector.reports import write_report

    service = AuditService(ctx.data)
    audit_id = service.resolve(args.audit)
    paths = write_report(service, audit_id, Path(args.out), lang=args.lang)
    if ctx.json:
        ctx.emit({"audit": audit_id, "lang": args.lang, "paths": paths})
        return 0
    for fmt, path in paths.items():
        ctx.say(f"{fmt}: {path}")
    return 0
