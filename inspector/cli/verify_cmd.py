"""``inspector verify``: is this certificate genuine, for which station, valid until when.

Exit 0 valid, 1 invalid (reason codes printed), 2 unusable input. Never imports Textual.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from inspector.cli.common import Context, add_command
from inspector.errors import UserError

if TYPE_CHECKING:
    from inspector.services.scan import Scanned

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = add_command(
        sub,
        "verify",
        cmd_verify,
        "verify a certificate: record file, scanned payload, or photo of its QR code "
        "(exit 0 valid, 1 invalid, 2 unusable input)",
        json_flag=True,
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="certificate record (.json), QR image, or text file with the payload"
    )
    parser.add_argument("--payload", metavar="TEXT", help="the scanned QR text (PSC1:... or a verify link)")
    parser.add_argument("--image", metavar="PHOTO", help="a photo or image of the QR code")
    parser.add_argument("--trust", metavar="F", help="trust list file to use instead of the installed one")
    parser.add_argument("--revocations", metavar="F", help="revocation list file to use instead of the installed one")
    parser.add_argument(
        "--status", metavar="F", help="certificate status list (HQ's decisions) to use instead of the installed one"
    )
    parser.add_argument("--at", metavar="DATE", help="check as of DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")


def parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise UserError(f"--at {text!r}: expected a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ")


def load_lists(
    ctx: Context, trust_file: str | None, crl_file: str | None, status_file: str | None = None
) -> tuple[Any, Any, Any]:
    """The trust list, CRL and status list to decide with: given files (checked against the pins,
    never older than the installed ones) or the installed ones."""
    from inspector.cli.common import read_bytes
    from inspector.trust.readers import RevocationView, StatusView, TrustListView
    from inspector.trust.verifier import VerifierLists

    # The lean readers (no pydantic: issue 16 goal 3), with TrustStore's pinning and no-rollback rules.
    store = VerifierLists(ctx.data)
    trust: TrustListView | None
    crl: RevocationView | None
    if trust_file:
        trust = store.given_trustlist(read_bytes(trust_file, "trust list"), f"trust list {trust_file}")
    else:
        trust = store.trustlist()
    if crl_file:
        crl = store.given_crl(read_bytes(crl_file, "revocation list"), f"revocation list {crl_file}")
    else:
        crl = store.crl()
    status: StatusView | None
    if status_file:
        status = store.given_status(read_bytes(status_file, "status list"), f"certificate status list {status_file}")
    else:
        status = store.status()
    if trust is None:
        raise UserError("no trust list: install HQ's with 'inspector trust install FILE' or pass --trust FILE")
    return trust, crl, status


def _scan_image(path: str) -> str:
    from inspector.certificates.qr import decode_image

    texts = decode_image(path)
    if not texts:
        raise UserError(f"image {path}: no QR code found (hold the camera square to the code, in good light)")
    for text in texts:
        if "PSC1:" in text or "PSC2:" in text:
            return text
    return texts[0]


def _input(args: argparse.Namespace) -> tuple[str, str, bytes | None]:
    """(kind, what, data): kind is 'payload' or 'record'; data is the record bytes."""
    from inspector.cli.common import read_bytes

    given = [x for x in (args.file, args.payload, args.image) if x is not None]
    if len(given) != 1:
        raise UserError("give exactly one of FILE, --payload TEXT or --image PHOTO")
    if args.payload is not None:
        return "payload", args.payload, None
    if args.image is not None:
        return "payload", _scan_image(args.image), None
    data = read_bytes(args.file, "certificate file", limit=20 * 1024 * 1024)
    if data.startswith(IMAGE_MAGIC):
        return "payload", _scan_image(args.file), None
    if data.lstrip().startswith(b"{"):
        return "record", f"certificate record {args.file}", data
    try:
        return "payload", data.decode("utf-8"), None
    except UnicodeDecodeError:
        raise UserError(
            f"certificate file {args.file}: neither a certificate record, an image, nor payload text"
        ) from None


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.certificates.verify import apply_status, verify_record
    from inspector.services.scan import check_scan, with_station_names

    now = parse_at(args.at)
    kind, text, data = _input(args)
    trust, crl, status = load_lists(ctx, args.trust, args.revocations, getattr(args, "status", None))
    if kind == "record":
        assert data is not None
        verdict = apply_status(verify_record(data, text, trust, crl, now), status, now)
        scanned = with_station_names(ctx.data, verdict)
    else:
        scanned = check_scan(ctx.data, text, now, lists=(trust, crl, status))
    verdict = scanned.verdict
    if ctx.json:
        out = verdict.to_json()
        out["station_name_hi"] = scanned.station_hi
        ctx.emit(out)
    else:
        print_verdict(ctx, scanned)
    return 0 if verdict.valid else 1


def print_verdict(ctx: Context, scanned: Scanned) -> None:
    """The verdict and the station's registry names, for a person."""
    from inspector.certificates.psc1 import display_cert_id

    verdict: Any = scanned.verdict  # its optional parts are read inside their guards
    claims = verdict.claims
    if verdict.valid:
        ctx.say("VALID")
    else:
        ctx.say(f"INVALID: {', '.join(verdict.reasons)}")
        for message in verdict.messages:
            ctx.say(f"  - {message}")
    if claims is not None:
        hindi = scanned.station_hi
        ctx.say(
            f"  {scanned.station_label}:  {scanned.station_name} ({claims.station_code}){'  ' + hindi if hindi else ''}"
        )
        result = claims.result.name.lower().replace("_", " ")
        ctx.say(
            f"  Certificate:  {display_cert_id(verdict.cert_id)}  {result}, score {claims.score}% "
            f"({claims.majors} major, {claims.minors} minor)"
        )
        issued = verdict.to_json()["certificate"]
        ctx.say(f"  Valid:  {issued['issued_at'][:10]} to {issued['expires_at'][:10]}")
        ctx.say(f"  Checklist:  {claims.checklist_id} {claims.checklist_version}")
    if verdict.entry is not None:
        ctx.say(f"  Auditor:  {verdict.entry.auditor_id} {verdict.entry.name} (key {verdict.entry.kid})")
    if verdict.lists_used():
        ctx.say(f"  Checked with:  {verdict.lists_used()}")
    for warning in verdict.warnings:
        ctx.warn(warning)
