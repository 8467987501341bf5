"""``inspector cert issue|list|show|qr|print``: certificates on the auditor's machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from inspector.cli.common import (
    Context,
    add_command,
    add_group,
    add_passphrase_option,
    read_passphrase,
)
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "cert", "issue, show, print and render certificates")
    issue = add_command(
        group,
        "issue",
        cmd_issue,
        "sign a certificate for a closed audit and write JSON, PNG, SVG, HTML and PDF",
        json_flag=True,
    )
    issue.add_argument("audit", metavar="AUDIT", help="audit id (or a unique prefix)")
    issue.add_argument("--out", required=True, metavar="DIR", help="directory for the record and its renderings")
    issue.add_argument(
        "--lifetime-days",
        type=int,
        default=None,
        metavar="N",
        help="validity (default 3 years; never past the key's verify-until)",
    )
    issue.add_argument(
        "--render-again",
        action="store_true",
        help="the audit's certificate is already issued: write its record and renderings into DIR again, "
        "signing nothing new",
    )
    add_passphrase_option(issue)
    listing = add_command(
        group, "list", cmd_list, "certificates issued on this machine, with HQ's decision on each", json_flag=True
    )
    listing.add_argument("--station", metavar="CODE", help="only this station's (any case: gbn-s39 is GBN-S39)")
    show = add_command(group, "show", cmd_show, "show a certificate record", json_flag=True)
    show.add_argument("cert", metavar="CERT", help="certificate id (or prefix) or record file")
    qr = add_command(group, "qr", cmd_qr, "render a certificate's QR code")
    qr.add_argument("cert", metavar="CERT")
    qr.add_argument("--terminal", action="store_true", help="draw it here with Unicode blocks")
    qr.add_argument("--invert", action="store_true", help="for light-on-dark terminals")
    qr.add_argument("-o", "--output", metavar="FILE", help="write a .png or .svg file")
    printing = add_command(group, "print", cmd_print, "write the printable certificate (HTML and PDF)", json_flag=True)
    printing.add_argument("cert", metavar="CERT")
    printing.add_argument("--out", required=True, metavar="DIR")


def cmd_issue(args: argparse.Namespace, ctx: Context) -> int:
    from inspector._io.outputs import check_output_dir
    from inspector.certificates.issue import issue_certificate, refuse_second_certificate
    from inspector.certificates.model import DEFAULT_LIFETIME_DAYS
    from inspector.certificates.render import write_outputs
    from inspector.crypto.keystore import unlock

    out = check_output_dir(args.out, "output directory")  # before anything is signed or stored
    if args.render_again:
        return _render_again(args, ctx, out)
    refuse_second_certificate(ctx.data, args.audit)  # before the passphrase is asked for nothing
    key = unlock(ctx.data.auditor_key, read_passphrase(args, "Auditor key passphrase: "))
    issued = issue_certificate(ctx.data, args.audit, key, lifetime_days=args.lifetime_days or DEFAULT_LIFETIME_DAYS)
    try:
        paths = write_outputs(issued.body, issued.envelope, out)
    except BaseException:
        # Not handed over: the record never existed (the bundle must not carry it to HQ).
        issued.record_path.unlink(missing_ok=True)
        raise
    body = issued.body
    if ctx.json:
        ctx.emit(
            {
                "id": body.cert_id,
                "station": body.station_code,
                "expires_at": body.expires_at,
                "payload": body.payload,
                "qr_text": issued.qr_text,
                "record": str(issued.record_path),
                "paths": paths,
            }
        )
        return 0
    ctx.say(
        f"certificate {body.display_id} issued for {body.station_name_en} ({body.station_code}), valid until {body.expires_at[:10]}"
    )
    for fmt, path in paths.items():
        ctx.say(f"  {fmt:<4} {path}")
    return 0


def _render_again(args: argparse.Namespace, ctx: Context, out: Path) -> int:
    """The audit's certificate written again (record, QR, HTML, PDF), printed as ``cert print``
    prints it (a draft until the installed status list shows HQ's grant); nothing is signed."""
    from inspector.certificates.issue import existing_certificate
    from inspector.certificates.render import print_context, write_outputs
    from inspector.trust.store import TrustStore

    if args.lifetime_days is not None:
        raise UserError("--lifetime-days applies to a new certificate; --render-again writes the issued one")
    issued = existing_certificate(ctx.data, args.audit)
    if issued is None:
        raise UserError(
            f"audit {args.audit} has no certificate yet: issue it without --render-again",
            code="not-issued",
            field="audit",
        )
    body = issued.body
    context = print_context(body, TrustStore(ctx.data.root).status(), _station_address(ctx, body.station_code))
    paths = write_outputs(body, issued.envelope, out, context=context)
    if ctx.json:
        ctx.emit({"id": body.cert_id, "record": str(issued.record_path), "paths": paths, "draft": context.is_draft})
        return 0
    ctx.say(f"certificate {body.display_id} of audit {body.audit_id[:12]} written again (nothing new signed)")
    for fmt, path in paths.items():
        ctx.say(f"  {fmt:<4} {path}")
    return 0


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.stations import normalise_code
    from inspector.certificates.local import issued_certificates
    from inspector.certificates.model import load_record_file
    from inspector.crypto.canonical import parse_time, utcnow
    from inspector.trust.status import cti_of
    from inspector.trust.store import TrustStore

    try:
        status = TrustStore(ctx.data.root).status()
    except UserError as exc:  # an unusable installed list: say so, list the records anyway
        ctx.warn(str(exc))
        status = None
    now = utcnow()
    station = normalise_code(args.station) if args.station else None
    rows = []
    for path in issued_certificates(ctx.data):
        _, body = load_record_file(path)
        if station is not None and body.station_code != station:
            continue
        found = status.lookup(cti_of(body.cert_id)) if status is not None else None
        decided = found[0].value if found else "not-decided"
        expired = now >= parse_time(body.expires_at)
        rows.append(
            {
                "id": body.cert_id,
                "station": body.station_code,
                "station_name": body.station_name_en,
                "issued_at": body.issued_at,
                "expires_at": body.expires_at,
                "audit": body.audit_id,
                "record": str(path),
                # HQ's decision as the installed status list says (None: no list installed)
                "status": None if status is None else ("expired" if expired and decided == "granted" else decided),
            }
        )
    if ctx.json:
        ctx.emit(rows)
    elif not rows:
        ctx.say(f"no certificates of station {station} issued here" if station else "no certificates issued here yet")
    for row in rows if not ctx.json else []:
        shown = row["status"] or "status unknown (no status list installed)"
        ctx.say(
            f"{row['id']}  {row['station']:<10} {row['station_name']}  {str(row['issued_at'])[:10]} to "
            f"{str(row['expires_at'])[:10]}  {shown}"
        )
    return 0


def _load(ctx: Context, text: str):  # type: ignore[no-untyped-def]
    from inspector.certificates.local import find_certificate
    from inspector.certificates.model import load_record_file

    return load_record_file(find_certificate(ctx.data, text))


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    _, body = _load(ctx, args.cert)
    if ctx.json:
        ctx.emit(body.model_dump(mode="json") | {"id": body.cert_id})
        return 0
    ctx.say(f"Certificate {body.display_id}")
    ctx.say(f"  Station:    {body.station_name_en} / {body.station_name_hi} ({body.station_code}), {body.district}")
    ctx.say(
        f"  Result:     {body.result.name.lower().replace('_', ' ')}, score {body.score}% ({body.majors} major, {body.minors} minor)"
    )
    ctx.say(f"  Standard:   {body.standard}; scope: {body.scope_en}")
    ctx.say(
        f"  Valid:      {body.issued_at[:10]} to {body.expires_at[:10]}; surveillance due {', '.join(body.surveillance_due) or '-'}"
    )
    ctx.say(
        f"  Audit:      {body.audit_id} ({body.audit_type.value}), checklist {body.checklist_id} {body.checklist_version}"
    )
    ctx.say(f"  Auditor:    {body.auditor_name} ({body.auditor_id}), key {body.kid}; issued under {body.issuer_name}")
    ctx.say(f"  QR payload: {body.payload}")
    return 0


def cmd_qr(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.certificates import qr
    from inspector.certificates.model import qr_text_of

    _, body = _load(ctx, args.cert)
    text = qr_text_of(body)
    if args.output:
        target = Path(args.output)
        try:
            if target.suffix.lower() == ".svg":
                qr.write_svg(text, target)
            elif target.suffix.lower() == ".png":
                qr.write_png(text, target, box_size=12)
            else:
                raise UserError(f"{target}: use a .png or .svg file name")
        except OSError as exc:
            raise UserError(f"{target}: cannot write ({exc.strerror})") from None
        ctx.say(f"wrote {target}")
    if args.terminal or not args.output:
        for line in qr.terminal_lines(text, invert=args.invert):
            ctx.say(line)
        ctx.say(f"{body.display_id} · {body.station_code}")
    return 0


def _station_address(ctx: Context, code: str) -> str | None:
    from inspector.audit.stations import load_registry

    try:
        station = load_registry(data_root=ctx.data.root).get(code)
    except UserError:
        return None
    address = getattr(station, "address", None)
    return address if isinstance(address, str) and address else None


def cmd_print(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.certificates.render import print_context, write_outputs
    from inspector.trust.store import TrustStore

    envelope, body = _load(ctx, args.cert)
    context = print_context(body, TrustStore(ctx.data.root).status(), _station_address(ctx, body.station_code))
    paths = write_outputs(body, envelope, Path(args.out), formats=("html", "pdf"), context=context)
    if ctx.json:
        ctx.emit({"id": body.cert_id, "paths": paths, "draft": context.is_draft})
    else:
        if context.is_draft:
            ctx.warn("printed as a DRAFT: the installed status list does not show HQ's grant of this certificate")
        for fmt, path in paths.items():
            ctx.say(f"  {fmt:<4} {path}")
    return 0
