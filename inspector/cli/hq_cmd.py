"""``inspector hq ...``: the HQ root key, enrolment, the trust list and the revocation list.

Other modules add commands to the ``hq`` group (import, audits, certificates, publish-verifier):
append the module's name to ``HQ_EXTENSIONS`` below; the module must define
``register_hq(group)``, where ``group`` is the group's subparsers action (use
``inspector.cli.common.add_command(group, ...)`` as in this file). They are registered after the
commands of this file, in the order listed.
"""

from __future__ import annotations

import argparse
import importlib

from inspector.cli.common import (
    Context,
    add_command,
    add_group,
    add_passphrase_option,
    read_passphrase,
)
from inspector.cli.keys_cmd import add_output_option, check_output, key_summary, write_output
from inspector.errors import UserError

HQ_EXTENSIONS: tuple[str, ...] = (
    "inspector.cli.hq_audit_cmd",
    "inspector.cli.hq_publish_cmd",
    "inspector.cli.hq_decide_cmd",
    "inspector.cli.hq_register_cmd",  # last: it also gives --database to the register's other readers
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "hq", "headquarters: root key, auditor enrolment, trust and revocation lists")

    init = add_command(
        group, "init", cmd_init, "create the HQ root key here (encrypted with a passphrase)", json_flag=True
    )
    init.add_argument("--name", required=True, help="the issuing office, e.g. 'Police Commissionerate GB Nagar'")
    init.add_argument("--address", help="the certifying organisation's address, printed on certificates")
    init.add_argument(
        "--accreditation",
        help="an accredited certification body's accreditation (e.g. 'NABCB MSCB-123'); without it certificates "
        "read as the commissionerate's own first-party statement",
    )
    add_passphrase_option(init)

    add_command(group, "show", cmd_show, "kid, name and public key of the HQ root key", json_flag=True)

    export = add_command(
        group,
        "export-public",
        cmd_export_public,
        "write the HQ root public key (PEM) for auditors and verifiers to pin",
    )
    add_output_option(export)

    enroll = add_command(
        group, "enroll", cmd_enroll, "enrol an auditor's public key (signed by the HQ root)", json_flag=True
    )
    enroll.add_argument("public_key", metavar="PUBLIC_KEY_PEM", help="the auditor's public key file (PEM)")
    enroll.add_argument("--name", required=True, help="the auditor's name")
    enroll.add_argument("--id", required=True, dest="auditor_id", metavar="AUDITOR_ID", help="the auditor's id")
    enroll.add_argument(
        "--valid-days",
        type=int,
        default=365,
        metavar="N",
        help="days the key may sign from now (default 365, at most 425)",
    )
    enroll.add_argument(
        "--purpose",
        default="cert,finding",
        metavar="LIST",
        help="what the key may sign: cert, finding or both (default cert,finding)",
    )
    enroll.add_argument(
        "--renew",
        action="store_true",
        help="the key is already enrolled: give it a new window (and reactivate it if retired)",
    )
    add_passphrase_option(enroll)

    add_command(group, "auditors", cmd_auditors, "the enrolled auditor keys and their status", json_flag=True)

    retire = add_command(
        group,
        "retire",
        cmd_retire,
        "stop a key from signing (what it signed stays valid); bumps the trust list seq",
        json_flag=True,
    )
    retire.add_argument("kid", metavar="KID")
    retire.add_argument("--reason", help="why (optional)")

    revoke_key = add_command(
        group,
        "revoke-key",
        cmd_revoke_key,
        "revoke a key: nothing it ever signed is accepted; bumps the trust list seq",
        json_flag=True,
    )
    revoke_key.add_argument("kid", metavar="KID")
    revoke_key.add_argument("--reason", required=True, help="why (e.g. 'laptop stolen')")

    trustlist = add_command(group, "trustlist", cmd_trustlist, "write the signed trust list for auditors and verifiers")
    add_output_option(trustlist)
    _add_export_options(trustlist)

    revoke = add_command(
        group, "revoke", cmd_revoke, "revoke a certificate; bumps the revocation list seq", json_flag=True
    )
    revoke.add_argument("cert_id", metavar="CERT_ID")
    revoke.add_argument("--reason", required=True, help="why the certificate is revoked")

    crl = add_command(group, "crl", cmd_crl, "write the signed revocation list")
    add_output_option(crl)
    _add_export_options(crl)

    for name in HQ_EXTENSIONS:
        importlib.import_module(name).register_hq(group)


def _add_export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--refresh", action="store_true", help="sign anew under a new seq even if nothing changed (renews next_update)"
    )
    parser.add_argument(
        "--next-update-days",
        type=int,
        default=30,
        metavar="N",
        help="days until verifiers should expect a newer list (default 30)",
    )
    add_passphrase_option(parser)


def _hq(ctx: Context):  # type: ignore[no-untyped-def]
    from inspector.hq.enrolment import HQ

    return HQ(ctx.data.root)


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.crypto.keystore import check_name

    hq = _hq(ctx)
    if hq.hq_key.exists():
        raise UserError(f"{hq.hq_key}: an HQ root key already exists here; refusing to overwrite it")
    from inspector.hq.decisions import check_organisation, save_organisation

    name = check_name(args.name, "--name")
    organisation = check_organisation(name, getattr(args, "address", None), getattr(args, "accreditation", None))
    passphrase = read_passphrase(args, "Passphrase for the new HQ root key: ", confirm=True)
    info = hq.init(name, passphrase)
    save_organisation(ctx.data, organisation)
    if ctx.json:
        ctx.emit(key_summary(info, hq.hq_key))
        return 0
    ctx.say(f"HQ root key created: kid {info.kid}, {info.name}")
    ctx.say(f"key file: {hq.hq_key} (encrypted; keep it offline and the passphrase safe)")
    ctx.say("next: 'inspector hq export-public -o hq-root.pem' and pin it on every laptop and verifier")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    hq = _hq(ctx)
    info = hq.key_info()
    if ctx.json:
        data = key_summary(info, hq.hq_key)
        data["trustlist_seq"] = hq.trustlist_seq()
        data["crl_seq"] = hq.crl_seq()
        ctx.emit(data)
        return 0
    ctx.say(f"kid:        {info.kid}")
    ctx.say(f"name:       {info.name}")
    ctx.say(f"public key: {info.public_key}")
    ctx.say(f"created:    {info.created_at}")
    ctx.say(f"file:       {hq.hq_key}")
    ctx.say(f"trust list seq {hq.trustlist_seq()}, revocation list seq {hq.crl_seq()}")
    return 0


def cmd_export_public(args: argparse.Namespace, ctx: Context) -> int:
    check_output(args, "HQ public key file")
    info = _hq(ctx).key_info()
    write_output(args.output, info.public.to_pem(), f"HQ root public key {info.kid}", ctx, force=args.force)
    return 0


def cmd_enroll(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.cli.common import read_bytes
    from inspector.crypto.keystore import check_auditor_id, check_name
    from inspector.crypto.signing import read_public_pem
    from inspector.trust.lists import parse_purposes

    hq = _hq(ctx)
    hq.key_info()  # a clear error before anything else when this is not an HQ directory
    name = check_name(args.name, "--name")
    auditor_id = check_auditor_id(args.auditor_id, "--id")
    purposes = parse_purposes(args.purpose)
    public = read_public_pem(
        read_bytes(args.public_key, "public key file", limit=64 * 1024), f"public key file {args.public_key}"
    )
    entry = hq.enroll(
        public,
        name,
        auditor_id,
        lambda: read_passphrase(args, "HQ root key passphrase: "),
        purposes=purposes,
        valid_days=args.valid_days,
        renew=args.renew,
    )
    seq = hq.trustlist_seq()
    if ctx.json:
        ctx.emit(dict(entry.summary(), trustlist_seq=seq))
        return 0
    ctx.say(f"enrolled {entry.name} ({entry.auditor_id}) key {entry.kid} for {', '.join(entry.purposes)}")
    ctx.say(f"may sign {entry.use_from} .. {entry.use_until}; signatures verifiable until {entry.verify_until}")
    ctx.say(f"trust list is now seq {seq}: publish it with 'inspector hq trustlist -o FILE'")
    return 0


def cmd_auditors(args: argparse.Namespace, ctx: Context) -> int:
    hq = _hq(ctx)
    entries = hq.entries()
    if ctx.json:
        ctx.emit({"trustlist_seq": hq.trustlist_seq(), "auditors": [e.summary() for e in entries]})
        return 0
    if not entries:
        ctx.say("no auditor keys enrolled yet ('inspector hq enroll PUBLIC_KEY_PEM --name NAME --id ID')")
        return 0
    for e in entries:
        ctx.say(
            f"{e.kid}  {e.auditor_id:<12} {e.status.value:<8} {','.join(e.purposes):<13} until {e.use_until}  {e.name}"
        )
    return 0


def _status_change(ctx: Context, entry, verb: str, hq) -> int:  # type: ignore[no-untyped-def]
    seq = hq.trustlist_seq()
    if ctx.json:
        ctx.emit(dict(entry.summary(), trustlist_seq=seq))
        return 0
    ctx.say(f"key {entry.kid} of {entry.auditor_id} {verb}")
    ctx.say(f"trust list is now seq {seq}: publish it with 'inspector hq trustlist -o FILE'")
    return 0


def cmd_retire(args: argparse.Namespace, ctx: Context) -> int:
    hq = _hq(ctx)
    entry = hq.retire(args.kid, reason=args.reason)
    return _status_change(ctx, entry, f"retired (may sign nothing after {entry.use_until})", hq)


def cmd_revoke_key(args: argparse.Namespace, ctx: Context) -> int:
    hq = _hq(ctx)
    entry = hq.revoke_key(args.kid, args.reason)
    return _status_change(ctx, entry, f"revoked at {entry.revoked_at}", hq)


def cmd_revoke(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.hq.intake import find_registered_certificate

    hq = _hq(ctx)
    registered = find_registered_certificate(ctx.data, args.cert_id)
    if registered is None:
        raise UserError(
            f"certificate {args.cert_id!r} is not in HQ's register (see 'inspector hq certificates'); nothing was revoked",
            code="unknown-certificate",
        )
    entry = hq.revoke_cert(registered.id, args.reason)
    seq = hq.crl_seq()
    if ctx.json:
        ctx.emit(dict(entry.model_dump(mode="json"), crl_seq=seq))
        return 0
    ctx.say(f"certificate {entry.cert_id} revoked at {entry.revoked_at}")
    ctx.say(f"revocation list is now seq {seq}: publish it with 'inspector hq crl -o FILE'")
    return 0


def _export(args: argparse.Namespace, ctx: Context, kind: str) -> int:
    check_output(args, "trust list file" if kind == "trustlist" else "revocation list file")  # before signing
    hq = _hq(ctx)
    hq.key_info()
    ask = lambda: read_passphrase(args, "HQ root key passphrase: ")  # noqa: E731 - asked only if signing
    from inspector.trust.documents import peek_seq
    from inspector.trust.lists import CRL_FORMAT, TRUSTLIST_FORMAT

    if kind == "trustlist":
        data = hq.export_trustlist(ask, refresh=args.refresh, next_update_days=args.next_update_days)
        what = f"trust list seq {peek_seq(data, TRUSTLIST_FORMAT, 'trust list')}"
    else:
        data = hq.export_crl(ask, refresh=args.refresh, next_update_days=args.next_update_days)
        what = f"revocation list seq {peek_seq(data, CRL_FORMAT, 'revocation list')}"
    write_output(args.output, data, what, ctx, force=args.force)
    return 0


def cmd_trustlist(args: argparse.Namespace, ctx: Context) -> int:
    return _export(args, ctx, "trustlist")


def cmd_crl(args: argparse.Namespace, ctx: Context) -> int:
    return _export(args, ctx, "crl")
