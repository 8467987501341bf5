"""Entry point: ``inspector [COMMAND] ...``. Bare ``inspector`` opens the terminal app."""

from __future__ import annotations

import argparse
import importlib
import sys

from inspector import __version__
from inspector.cli.common import Context, Parser, common_options, error_line
from inspector.errors import InspectorError, Invalid
from inspector.paths import DataDir

# Command-group modules, in the order --help lists them. Each has register(subparsers).
GROUP_MODULES = (
    "inspector.cli.checklist_cmd",
    "inspector.cli.stations_cmd",
    "inspector.cli.keys_cmd",
    "inspector.cli.hq_cmd",
    "inspector.cli.trust_cmd",
    "inspector.cli.audit_cmd",
    "inspector.cli.cert_cmd",
    "inspector.cli.verify_cmd",
    "inspector.cli.tui_cmd",
)


def build_parser() -> Parser:
    parser = Parser(
        prog="inspector",
        description="Station Inspector: offline ISO 9001:2015 audits of police stations.",
        parents=[common_options()],
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for name in GROUP_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _not_utf8(argv: list[str]) -> str | None:
    """The error line for the first argument that is not valid UTF-8 (Python hands such bytes
    over as lone surrogates, which would fail later, mid-command, with a traceback)."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return f"inspector: error: argument {position} ({shown[:60]!r}) is not valid UTF-8 text; nothing was done\n"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    bad = _not_utf8(argv)
    if bad:
        sys.stderr.write(bad)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        func = _default_command(parser)
        if func is None:
            parser.print_help(sys.stderr)
            return 2
    try:
        ctx = Context(data=DataDir.resolve(getattr(args, "data_dir", None)), json=getattr(args, "json", False))
        return int(func(args, ctx) or 0)
    except Invalid as exc:
        sys.stderr.write(f"inspector: invalid: {error_line(exc)}\n")
        return exc.exit_status
    except InspectorError as exc:
        sys.stderr.write(f"inspector: error: {error_line(exc)}\n")
        return exc.exit_status
    except KeyboardInterrupt:
        sys.stderr.write("inspector: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


def _default_command(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    """The handler of ``inspector`` with no command: the TUI when it is installed."""
    try:
        from inspector.cli import tui_cmd
    except ImportError:
        return None
    return tui_cmd.run_tui


if __name__ == "__main__":
    raise SystemExit(main())
