"""``inspector trust pin|unpin|install|install-crl|install-status|show``: the trust installed on this machine."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from inspector.cli.common import Context, add_command, add_group, read_bytes
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "trust", "HQ root keys pinned here, and the installed trust and revocation lists")
    pin = add_command(group, "pin", cmd_pin, "pin an HQ root public key (at most two, for rotation)", json_flag=True)
    pin.add_argument("pem", metavar="HQ_PUBLIC_KEY_PEM", help="the HQ root public key file (see keys/README.md)")
    unpin = add_command(group, "unpin", cmd_unpin, "remove a pinned HQ root key")
    unpin.add_argument("kid", metavar="KID")
    install = add_command(
        group,
        "install",
        cmd_install,
        "install a trust list signed by a pinned root and newer than the installed one",
        json_flag=True,
    )
    install.add_argument("file", metavar="FILE")
    install_crl = add_command(
        group,
        "install-crl",
        cmd_install_crl,
        "install a revocation list signed by a pinned root and newer than the installed one",
        json_flag=True,
    )
    install_crl.add_argument("file", metavar="FILE")
    install_status = add_command(
        group,
        "install-status",
        cmd_install_status,
        "install HQ's certificate status list (its decisions) signed by a pinned root and newer than the installed one",
        json_flag=True,
    )
    install_status.add_argument("file", metavar="FILE")
    add_command(group, "show", cmd_show, "pinned roots and the auditors of the installed trust list", json_flag=True)


def _store(ctx: Context):  # type: ignore[no-untyped-def]
    from inspector.trust.store import TrustStore

    return TrustStore(ctx.data.root)


def cmd_pin(args: argparse.Namespace, ctx: Context) -> int:
    store = _store(ctx)
    data = read_bytes(args.pem, "HQ public key file", limit=64 * 1024)
    before = store.pinned()
    key = store.pin(data, f"HQ public key file {args.pem}")
    new = key not in before
    if ctx.json:
        ctx.emit(
            {"kid": key.kid_hex, "public_key": key.b64, "pinned": [k.kid_hex for k in store.pinned()], "changed": new}
        )
        return 0
    ctx.say(f"HQ root {key.kid_hex} {'pinned' if new else 'was already pinned'}")
    return 0


def cmd_unpin(args: argparse.Namespace, ctx: Context) -> int:
    key = _store(ctx).unpin(args.kid)
    ctx.say(f"HQ root {key.kid_hex} unpinned")
    return 0


def _seq_before(read_seq: Callable[[], int | None]) -> int | None:
    try:
        return read_seq()
    except UserError:  # damaged: installing names the file and says what to do
        return None


def _report_install(ctx: Context, document: Any, before: int | None, kind: str, contents: str, stale_name: str) -> int:
    """What every ``trust install*`` command says about the list it installed."""
    changed = before != document.seq
    if ctx.json:
        ctx.emit(dict(document.summary(), changed=changed))
        return 0
    if changed:
        ctx.say(f"{kind} seq {document.seq} installed: {contents}, next update {document.next_update}")
    else:
        ctx.say(f"{kind} seq {document.seq} is already installed")
    if document.is_stale():
        ctx.warn(f"this {stale_name} is past its next_update ({document.next_update}); ask HQ for a newer one")
    return 0


def cmd_install(args: argparse.Namespace, ctx: Context) -> int:
    store = _store(ctx)
    data = read_bytes(args.file, "trust list file")
    before = _seq_before(store.installed_seq)
    trustlist = store.install(data, f"trust list {args.file}")
    contents = f"{len(trustlist.auditors)} auditor keys, issued {trustlist.issued_at} by {trustlist.issuer_name}"
    return _report_install(ctx, trustlist, before, "trust list", contents, "trust list")


def cmd_install_crl(args: argparse.Namespace, ctx: Context) -> int:
    store = _store(ctx)
    data = read_bytes(args.file, "revocation list file")
    before = _seq_before(store.installed_crl_seq)
    crl = store.install_crl(data, f"revocation list {args.file}")
    contents = f"{len(crl.entries)} revoked certificates, issued {crl.issued_at}"
    return _report_install(ctx, crl, before, "revocation list", contents, "revocation list")


def cmd_install_status(args: argparse.Namespace, ctx: Context) -> int:
    store = _store(ctx)
    data = read_bytes(args.file, "status list file")
    before = _seq_before(store.installed_status_seq)
    status = store.install_status(data, f"certificate status list {args.file}")
    contents = f"{status.count} decided certificates, issued {status.issued_at}"
    return _report_install(ctx, status, before, "certificate status list", contents, "status list")


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    store = _store(ctx)
    pinned = store.pinned()
    trustlist = store.trustlist()
    crl = store.crl()
    if trustlist is None:
        pins = ", ".join(k.kid_hex for k in pinned) or "none"
        raise UserError(
            f"no trust list installed in {ctx.data.root} (pinned roots: {pins}); "
            "install one with 'inspector trust install FILE'"
        )
    if ctx.json:
        data = trustlist.summary()
        data["stale"] = trustlist.is_stale()
        data["pinned"] = [{"kid": k.kid_hex, "public_key": k.b64} for k in pinned]
        data["crl"] = (
            None
            if crl is None
            else {
                "seq": crl.seq,
                "issued_at": crl.issued_at,
                "next_update": crl.next_update,
                "stale": crl.is_stale(),
                "revoked": len(crl.entries),
            }
        )
        ctx.emit(data)
        return 0
    ctx.say(f"pinned HQ roots: {', '.join(k.kid_hex for k in pinned)}")
    ctx.say(
        f"trust list seq {trustlist.seq} from {trustlist.issuer_name} ({trustlist.issuer.kid_hex}), "
        f"issued {trustlist.issued_at}, next update {trustlist.next_update}"
        + ("  [STALE]" if trustlist.is_stale() else "")
    )
    if not trustlist.auditors:
        ctx.say("  no auditors enrolled")
    for e in trustlist.auditors:
        ctx.say(
            f"  {e.kid}  {e.auditor_id:<12} {e.status.value:<8} {','.join(e.purposes):<13} "
            f"{e.use_from} .. {e.use_until}  {e.name}"
        )
    if crl is None:
        ctx.say("revocation list: none installed")
    else:
        ctx.say(
            f"revocation list seq {crl.seq}: {len(crl.entries)} revoked, issued {crl.issued_at}, "
            f"next update {crl.next_update}" + ("  [STALE]" if crl.is_stale() else "")
        )
    return 0
