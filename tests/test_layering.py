"""The core never imports Textual, and the CLI's non-TUI commands don't pay for it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import inspector

CORE = sorted(
    m.name
    for m in pkgutil.walk_packages(inspector.__path__, "inspector.")
    if not m.name.startswith(("inspector.tui", "inspector.cli.tui_cmd", "inspector.__main__"))
)


def _imports_textual(code: str) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('textual' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().endswith("True")


def test_core_modules_do_not_import_textual() -> None:
    assert CORE, "no core modules found"
    code = "\n".join(f"import {name}" for name in CORE)
    assert not _imports_textual(code), CORE


def test_cli_parser_does_not_import_textual() -> None:
    assert not _imports_textual("from inspector.cli.main import build_parser\nbuild_parser()")


def test_app_without_a_terminal_is_one_clear_line(tmp_path: object) -> None:
    for args in ([], ["tui"]):
        out = subprocess.run(
            [sys.executable, "-m", "inspector", "--data-dir", str(tmp_path), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert (
            out.returncode == 2
            and out.stderr.strip() == "inspector: error: the app needs a terminal; for scripts see 'inspector --help'"
        )


# --- start-up: what `inspector` defers until a command needs it (issue 16, goal 3) ----------------


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _run_main(*argv: str) -> str:
    """Code that runs ``inspector ARGV`` in-process (exit and output swallowed)."""
    return (
        "import contextlib, io\nfrom inspector.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    try:\n        main({list(argv)!r})\n    except SystemExit:\n        pass\n"
    )


def test_help_imports_no_command_module_and_no_heavy_library() -> None:
    from inspector.cli.main import GROUP_MODULES

    loaded = _modules_after(_run_main("--help"))
    assert not loaded & set(GROUP_MODULES)
    assert not loaded & {"pydantic", "cryptography", "cbor2", "textual", "tinydb", "qrcode", "PIL"}


def test_a_command_imports_only_its_own_command_module() -> None:
    from inspector.cli.main import GROUP_MODULES

    loaded = _modules_after(_run_main("verify", "--payload", "PSC1:AAAA", "--data-dir", "/nonexistent-inspector-dir"))
    assert loaded & set(GROUP_MODULES) == {"inspector.cli.verify_cmd"}


def test_verify_payload_defers_the_record_model_and_the_image_readers() -> None:
    loaded = _modules_after(_run_main("verify", "--payload", "PSC1:AAAA", "--data-dir", "/nonexistent-inspector-dir"))
    assert "inspector.certificates.verify" in loaded  # the command really ran its check
    deferred = {"inspector.certificates.model", "inspector.audit.records", "qrcode", "PIL", "zxingcpp", "textual"}
    assert not loaded & deferred


def test_the_command_table_says_what_each_module_registers() -> None:
    import argparse
    import importlib

    from inspector.cli.common import Parser
    from inspector.cli.main import COMMANDS, GROUP_MODULES, build_lazy_parser, build_parser

    def listed(sub: argparse._SubParsersAction) -> tuple[tuple[str, str], ...]:  # type: ignore[type-arg]
        return tuple((choice.dest, choice.help or "") for choice in sub._choices_actions)

    def commands_of(parser: argparse.ArgumentParser) -> tuple[tuple[str, str], ...]:
        [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return listed(sub)

    assert set(COMMANDS) <= set(GROUP_MODULES)
    for module, declared in COMMANDS.items():
        sub = Parser().add_subparsers(parser_class=Parser)
        importlib.import_module(module).register(sub)
        assert listed(sub) == declared, module
    assert commands_of(build_lazy_parser()) == commands_of(build_parser())


def test_lazy_and_whole_parsers_answer_alike(capsys: object) -> None:
    import pytest

    from inspector.cli.main import build_lazy_parser, build_parser

    def outcome(parser_of: object, argv: list[str]) -> tuple[object, str, str]:
        parser = parser_of()  # type: ignore[operator]
        try:
            args = parser.parse_args(argv)
            result: object = getattr(args, "func", None)
            result = getattr(result, "__qualname__", result)
        except SystemExit as exc:
            result = exc.code
        out, err = capsys.readouterr()  # type: ignore[attr-defined]
        return result, out, err

    for argv in (
        ["--help"],
        ["audit", "--help"],
        ["hq", "--help"],
        ["verify", "--payload", "PSC1:X", "--json"],
        ["cert", "issue", "AUDIT", "--out", "d"],
        ["frobnicate"],
        ["audit", "record"],
        ["--data-dir", "x", "demo", "--no-tui"],
        [],
    ):
        assert outcome(build_lazy_parser, argv) == outcome(build_parser, argv), argv
    with pytest.raises(SystemExit):
        build_lazy_parser().parse_args(["verify", "--no-such-flag"])


def test_the_app_defers_the_first_run_screen() -> None:
    """Only a laptop without a key needs the first-run screen and the key-making service."""
    loaded = _modules_after("import inspector.tui.app")
    assert "inspector.tui.app" in loaded
    assert not loaded & {"inspector.tui.screens.first_run", "inspector.services.auditor_key"}
