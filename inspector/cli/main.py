"""Entry point: ``inspector [COMMAND] ...``. Bare ``inspector`` opens the terminal app.

Start-up is part of the product: an officer's ``inspector verify --payload`` and every
``--help`` should cost little more than starting Python. So ``main`` parses with a lazy
parser: the top-level commands are known from ``COMMANDS`` without importing their modules,
and only the module of the command given is imported and registered, just before argparse
hands it the rest of the line. ``build_parser`` still builds the whole parser at once (for
tests and documentation, which walk every command).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, cast

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

# The top-level commands each module above registers, with the help line it gives them: what
# the lazy parser shows and dispatches on without importing the module. A module missing here
# is simply imported and registered up front (correct, only slower to start);
# tests/test_layering.py checks that this table says what the modules really register.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "inspector.cli.checklist_cmd": (("checklist", "validate and read audit checklists"),),
    "inspector.cli.stations_cmd": (("stations", "the police stations that can be audited"),),
    "inspector.cli.keys_cmd": (("keys", "the auditor's signing key (generated and kept on this device)"),),
    "inspector.cli.hq_cmd": (("hq", "headquarters: root key, auditor enrolment, trust and revocation lists"),),
    "inspector.cli.trust_cmd": (("trust", "HQ root keys pinned here, and the installed trust and revocation lists"),),
    "inspector.cli.audit_cmd": (("audit", "audits: record findings, score, close, verify and export"),),
    "inspector.cli.cert_cmd": (("cert", "issue, show, print and render certificates"),),
    "inspector.cli.verify_cmd": (
        (
            "verify",
            "verify a certificate: record file, scanned payload, or photo of its QR code "
            "(exit 0 valid, 1 invalid, 2 unusable input)",
        ),
    ),
    "inspector.cli.tui_cmd": (
        ("tui", "open the terminal app (the same as plain 'inspector')"),
        ("demo", "set up a demo HQ, auditor and stations in a throwaway directory, then open the app"),
    ),
}


def _top_parser(parser_class: type[Parser] = Parser) -> Parser:
    parser = parser_class(
        prog="inspector",
        description="Station Inspector: offline ISO 9001:2015 audits of police stations.",
        parents=[common_options()],
    )
    parser.add_argument("--version", action="version", version=f"inspector {__version__}")
    return parser


def build_parser() -> Parser:
    """The whole parser, every command module imported and registered."""
    parser = _top_parser()
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    for name in GROUP_MODULES:
        importlib.import_module(name).register(sub)
    return parser


class _LazyCommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Top-level commands registered as stand-ins until argparse reaches one of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stand_ins: dict[str, str] = {}  # command name -> module that registers it

    def add_module(self, module: str) -> None:
        known = COMMANDS.get(module)
        if known is None:
            importlib.import_module(module).register(self)
            return
        for name, help_text in known:
            self.add_parser(name, help=help_text, add_help=False)
            self._stand_ins[name] = module

    def load(self, module: str) -> None:
        """Replace ``module``'s stand-ins by the parsers it really registers."""
        names = {name for name, owner in self._stand_ins.items() if owner == module}
        for name in names:
            del self._stand_ins[name]
            del self._name_parser_map[name]
        self._choices_actions = [action for action in self._choices_actions if action.dest not in names]
        importlib.import_module(module).register(self)

    def load_all(self) -> None:
        """Register every module, in ``GROUP_MODULES`` order (as ``build_parser`` would)."""
        if not self._stand_ins:
            return
        self._stand_ins.clear()
        self._name_parser_map.clear()
        self._choices_actions.clear()
        for module in GROUP_MODULES:
            importlib.import_module(module).register(self)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        module = self._stand_ins.get(values[0])
        if module is not None:
            self.load(module)
        super().__call__(parser, namespace, values, option_string)


class _LazyParser(Parser):
    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # A command the table does not know may still be registered by a module (one added to a
        # module after the table was written): load them all before calling it unknown, so the
        # answer and the error's list of choices are exactly the whole parser's.
        if isinstance(action, _LazyCommands) and value not in action.choices:
            action.load_all()
        super()._check_value(action, value)


def build_lazy_parser() -> Parser:
    """The parser ``main`` uses: command modules are imported only when their command is given."""
    parser = _top_parser(_LazyParser)
    sub = cast(
        _LazyCommands,
        parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser, action=_LazyCommands),
    )
    for module in GROUP_MODULES:
        sub.add_module(module)
    return parser


def _not_utf8(argv: Sequence[str]) -> str | None:
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
    parser = build_lazy_parser()
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
