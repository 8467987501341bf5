"""Shared plumbing for command handlers: context, output, passphrases."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.errors import InspectorError, UserError
from inspector.paths import DataDir

ENV_PASSPHRASE = "INSPECTOR_PASSPHRASE"
Handler = Callable[[argparse.Namespace, "Context"], int]


@dataclass
class Context:
    """What every handler gets besides its arguments."""

    data: DataDir
    json: bool = False

    def emit(self, value: Any) -> None:
        """Print ``value`` as JSON (UTF-8, Hindi unescaped): the stable interface for scripts."""
        import json  # here, not at the top: start-up cost of every command (see cli.main)

        sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False) + "\n")

    def say(self, text: str = "") -> None:
        sys.stdout.write(text + "\n")

    def warn(self, text: str) -> None:
        sys.stderr.write(f"warning: {text}\n")


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake on one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        one_line = " ".join(message.splitlines())  # an argument holding a newline stays on one line
        self.exit(2, f"inspector: error: {one_line} (see '{self.prog} --help')\n")


def common_options() -> Parser:
    """Options every command accepts, before or after the command name."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="data directory (default: $INSPECTOR_HOME, else the platform's user data dir)",
    )
    return parent


def add_command(
    sub: argparse._SubParsersAction[Parser],
    name: str,
    handler: Handler | None,
    help_text: str,
    *,
    json_flag: bool = False,
) -> Parser:
    parser: Parser = sub.add_parser(name, help=help_text, description=help_text, parents=[common_options()])
    if handler is not None:
        parser.set_defaults(func=handler)
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def add_group(sub: argparse._SubParsersAction[Parser], name: str, help_text: str) -> argparse._SubParsersAction[Parser]:
    """A command group such as ``keys`` whose subcommands are added by the caller."""
    parser: Parser = sub.add_parser(name, help=help_text, description=help_text, parents=[common_options()])
    parser.set_defaults(func=lambda args, ctx: _group_usage(parser))
    return parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)


def _group_usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def add_passphrase_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=f"read the key passphrase from FILE (first line); else ${ENV_PASSPHRASE}; else prompt",
    )


PASSPHRASE_FILE_LIMIT = 64 * 1024  # a passphrase is one line; this is a runaway file


def read_passphrase(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    """The passphrase from --passphrase-file, $INSPECTOR_PASSPHRASE, or an interactive prompt."""
    path = getattr(args, "passphrase_file", None)
    if path:
        from inspector._io.files import read_user_file

        raw = read_user_file(path, "passphrase file", PASSPHRASE_FILE_LIMIT)
        try:
            text = raw.decode("utf-8-sig")  # a BOM (Windows Notepad) is not part of the passphrase
        except UnicodeDecodeError:
            raise UserError(f"passphrase file {path}: not UTF-8 text", field="passphrase") from None
        lines = text.splitlines()
        passphrase = lines[0] if lines else ""
        if not passphrase:
            raise UserError(f"passphrase file {path}: is empty")
        return passphrase
    env = os.environ.get(ENV_PASSPHRASE)
    if env:
        return env
    if not sys.stdin.isatty():
        raise UserError(f"no passphrase: use --passphrase-file FILE or set {ENV_PASSPHRASE}")
    import getpass

    passphrase = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat passphrase: ") != passphrase:
        raise UserError("the two passphrases differ")
    if not passphrase:
        raise UserError("empty passphrase")
    return passphrase


def read_bytes(path: str | Path, what: str, limit: int = 50 * 1024 * 1024) -> bytes:
    """Read a user-named file, turning every OS failure into one clear line."""
    from inspector._io.files import read_user_file

    return read_user_file(path, what, limit)


# The command-line flag that sets each field a core error can name (``InspectorError.field``).
FIELD_FLAGS: dict[str, str] = {
    "note": "--note",
    "reason": "--reason",
    "evidence": "--evidence",
    "due": "--due",
    "name": "--name",
    "auditor_id": "--id",
    "passphrase": "--passphrase-file",
    "output": "--output",
    "station": "--station",
    "csv": "--csv",
    "database": "--database",
    "out": "--out",
    # audit follow-up and meetings (inspector.cli.audit_followup_cmd), audit new
    "correction": "--correction",
    "root_cause": "--root-cause",
    "action": "--action",
    "owner": "--owner",
    "method": "--method",
    "kind": "--kind",
    "attendee": "--attendee",
    "acknowledged_by": "--acknowledged-by",
    "waive_stage1": "--waive-stage1",
}


def error_line(exc: InspectorError) -> str:
    """The one line the CLI prints for ``exc``: its message, plus the flag of its field."""
    message = str(exc).replace("\n", " ").replace("\r", " ")
    flag = FIELD_FLAGS.get(exc.field or "")
    if flag and flag not in message:
        message = f"{message} ({flag})"
    return message
