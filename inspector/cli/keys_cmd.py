"""``inspector keys init|show|export-public``: the auditor's own signing key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from inspector.cli.common import (
    Context,
    add_command,
    add_group,
    add_passphrase_option,
    read_passphrase,
)
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "keys", "the auditor's signing key (generated and kept on this device)")
    init = add_command(
        group, "init", cmd_init, "generate this device's auditor key (encrypted with a passphrase)", json_flag=True
    )
    init.add_argument("--name", required=True, help="the auditor's name as HQ enrols it")
    init.add_argument(
        "--id", required=True, dest="auditor_id", metavar="AUDITOR_ID", help="the auditor's id, e.g. AUD-017"
    )
    add_passphrase_option(init)
    add_command(group, "show", cmd_show, "kid, name, id and public key of this device's auditor key", json_flag=True)
    export = add_command(
        group, "export-public", cmd_export_public, "write the auditor's public key (PEM) for HQ to enrol"
    )
    add_output_option(export)


def add_output_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write ('-' for standard output)")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")


def check_output(args: argparse.Namespace, what: str) -> None:
    """Refuse a bad ``--output`` before any work (signing, unlocking) is done."""
    from inspector._io.outputs import check_output_file

    if args.output != "-":
        check_output_file(args.output, what, force=getattr(args, "force", False))


def write_output(target: str, data: bytes, what: str, ctx: Context, *, force: bool = True) -> None:
    """Write a public artefact to FILE (atomically) or to standard output for '-'."""
    if target == "-":
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:  # exact bytes, whatever the terminal's encoding
            buffer.write(data)
            buffer.flush()
        else:  # a text-only stream (tests, embedding)
            sys.stdout.write(data.decode("utf-8"))
        return
    from inspector._io.atomic import write_private
    from inspector._io.outputs import check_output_file

    path = check_output_file(target, what, force=force)
    write_private(path, data, mode=0o644)
    sys.stderr.write(f"{what} written to {path}\n")


def key_summary(info: Any, path: Path) -> dict[str, Any]:
    data = {"kid": info.kid, "name": info.name}
    if info.role == "auditor":
        data["id"] = info.auditor_id
    data.update({"public_key": info.public_key, "role": info.role, "created_at": info.created_at, "file": str(path)})
    return data


def _missing(path: Path) -> UserError:
    return UserError(
        f"no auditor key in {path.parent}; create one with 'inspector keys init --name NAME --id AUDITOR_ID'"
    )


def load_auditor_info(ctx: Context):  # type: ignore[no-untyped-def]
    from inspector.crypto.keystore import KeyFileMissing, read_key_info

    path = ctx.data.auditor_key
    try:
        info = read_key_info(path)
    except KeyFileMissing:
        raise _missing(path) from None
    if info.role != "auditor":
        raise UserError(f"key file {path}: not an auditor key (role {info.role})")
    return info


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.crypto.keystore import check_auditor_id, check_name, create_key

    path = ctx.data.auditor_key
    if path.exists():
        raise UserError(f"{path}: an auditor key already exists on this device; refusing to overwrite it")
    name = check_name(args.name, "--name")
    auditor_id = check_auditor_id(args.auditor_id, "--id")
    passphrase = read_passphrase(args, "Passphrase for the new auditor key: ", confirm=True)
    info = create_key(path, "auditor", name, passphrase, auditor_id)
    if ctx.json:
        ctx.emit(key_summary(info, path))
        return 0
    ctx.say(f"auditor key created: kid {info.kid}, {info.name} ({info.auditor_id})")
    ctx.say(f"key file: {path} (encrypted; keep the passphrase safe, it cannot be recovered)")
    ctx.say("next: 'inspector keys export-public -o FILE' and give FILE to HQ for enrolment")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    info = load_auditor_info(ctx)
    if ctx.json:
        ctx.emit(key_summary(info, ctx.data.auditor_key))
        return 0
    ctx.say(f"kid:        {info.kid}")
    ctx.say(f"name:       {info.name}")
    ctx.say(f"id:         {info.auditor_id}")
    ctx.say(f"public key: {info.public_key}")
    ctx.say(f"created:    {info.created_at}")
    ctx.say(f"file:       {ctx.data.auditor_key}")
    return 0


def cmd_export_public(args: argparse.Namespace, ctx: Context) -> int:
    check_output(args, "public key file")
    info = load_auditor_info(ctx)
    write_output(args.output, info.public.to_pem(), f"public key {info.kid}", ctx, force=args.force)
    return 0
