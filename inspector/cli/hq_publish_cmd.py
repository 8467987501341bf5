"""``inspector hq publish-verifier``: the static phone verifier, with HQ's current lists inside.

The trust list, revocation list and certificate status list are HQ's latest, read as ``hq
trustlist``, ``hq crl`` and ``hq status`` read them (each re-signed only when it changed or is
going stale, so the passphrase is asked for only then). Registered into the ``hq`` group through
``inspector.cli.hq_cmd.HQ_EXTENSIONS``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inspector.cli.common import (
    Context,
    add_command,
    add_passphrase_option,
    read_passphrase,
)


def register_hq(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = add_command(
        group,
        "publish-verifier",
        cmd_publish,
        "write the static phone verification page, an offline web app (trust, revocation and "
        "certificate status lists inside); --base-url also makes new certificates' QR codes open it",
        json_flag=True,
    )
    cmd.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="directory for index.html, sw.js, manifest.json and icons"
    )
    cmd.add_argument(
        "--base-url", metavar="URL", help="https address the page will be served from (recorded as HQ's verify URL)"
    )
    add_passphrase_option(cmd)


def cmd_publish(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.decisions import export_status
    from inspector.hq.enrolment import HQ
    from inspector.hq.publish import check_base_url, publish_verifier, web_app_files
    from inspector.trust.documents import load_status

    hq = HQ(ctx.data.root)
    root = hq.root_public()  # a clear error when this is not an HQ data directory
    changed = False
    if args.base_url:
        changed = hq.set_verify_url(check_url_fits(check_base_url(args.base_url)))
    passphrase = _lazy_passphrase(args)
    trustlist = hq.export_trustlist(passphrase)
    crl = hq.export_crl(passphrase)
    status_bytes = export_status(ctx.data, passphrase)  # HQ's decisions: the page's VALID needs them
    status = load_status(status_bytes, [root], "certificate status list")
    url = hq.verify_url()
    from inspector.audit.stations import load_registry

    stations = load_registry(data_root=ctx.data.root)  # HQ's own registry, when it has one
    index = publish_verifier(
        Path(args.output), trustlist, crl, [root], url, stations=stations, status_bytes=status_bytes
    )
    if ctx.json:
        ctx.emit(
            {
                "index": str(index),
                "files": ["index.html", *web_app_files()],
                "verify_url": url,
                "trust_list_changed": changed,
                "status_list": {"seq": status.seq, "issued_at": status.issued_at, "next_update": status.next_update},
            }
        )
        return 0
    ctx.say(f"phone verifier written: {index} (with sw.js and manifest.json: it works offline once opened)")
    ctx.say(
        f"certificate status list #{status.seq} of {status.issued_at[:10]} inside; "
        f"publish again before {status.next_update[:10]}, or the page will warn that it is stale"
    )
    if url:
        ctx.say(f"serve {Path(args.output)} at {url}; new certificates' QR codes will open it")
    if changed:
        ctx.say("the verify URL is in a new trust list: 'inspector hq trustlist -o FILE' and install it on the laptops")
    return 0


def _lazy_passphrase(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Ask for the HQ passphrase only if a list must actually be signed anew."""
    cache: list[str] = []

    def get() -> str:
        if not cache:
            cache.append(read_passphrase(args, "HQ key passphrase: "))
        return cache[0]

    return get


# Required claims of a certificate with a 12-character auditor id and the shipped checklist id,
# in the compact form (PSC2: 13 bytes, 21 characters fewer than PSC1's 315), which ``cert issue``
# writes when the link leaves PSC1 no room within version 13.
BARE_PAYLOAD_CHARS = 294


def check_url_fits(url: str) -> str:
    """Refuse a verify URL that would push every certificate's QR past version 13."""
    from inspector.certificates import psc1, qr
    from inspector.certificates.links import link_text
    from inspector.errors import UserError

    sample = psc1.PREFIX_COMPACT + "A" * (BARE_PAYLOAD_CHARS - len(psc1.PREFIX_COMPACT))
    if qr.qr_version(link_text(url, sample)) > psc1.MAX_QR_VERSION:
        raise UserError(
            f"--base-url {url!r} is too long: with it a certificate's QR code would exceed version "
            f"{psc1.MAX_QR_VERSION}; use a short address such as https://verify.example.in/"
        )
    return url
