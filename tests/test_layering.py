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
