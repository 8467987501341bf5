"""SVG snapshots of the app's shell at 80x24 and 120x40, in Hindi: home, the help screen, the
high-contrast theme, the unlock and new-audit modals, the QR screen too small, verify and the
certificate.

The same fixed world as ``test_snapshots.py`` (``harness.deterministic``); the home screen gets
the fixed label ``DATA_LABEL`` for its temporary data directory. Update with
``pytest tests/tui/test_snapshots_shell.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from textual.widgets import Input

from inspector.tui.app import HIGH_CONTRAST
from inspector.tui.screens.certificate import CertificateScreen
from inspector.tui.screens.help import HelpScreen
from inspector.tui.screens.home import HomeScreen
from inspector.tui.screens.new_audit import NewAuditScreen
from inspector.tui.screens.qr import QRScreen
from inspector.tui.screens.unlock import UnlockScreen
from inspector.tui.screens.verify import ScanInput, VerifyScreen

from .harness import (
    CERTIFY_ANSWERS,
    CERTIFY_PLANNED,
    CORRECTIVE_ANSWERS,
    FIXED_NOW,
    VERIFY_AT,
    HarnessApp,
    World,
    build_world,
    deterministic,
    settle,
)

DATA_LABEL = "~/station-inspector-demo"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@dataclass(frozen=True)
class Shell:
    world: World
    partial: str  # open, one item answered
    corrective: str  # closed: corrective action pending
    certified: str  # closed, certificate issued
    issued: Any


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    import sys

    with deterministic():
        world = build_world(tmp_path_factory.mktemp("snapshots-shell") / "data")
        partial = world.new_audit({"MAL-01": ("conform", None, None, None)})
        corrective = world.new_audit(CORRECTIVE_ANSWERS, close=True)
        certified = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
        later = FIXED_NOW + timedelta(hours=2)
        clocked = [
            m for name, m in sorted(sys.modules.items()) if name.startswith("inspector.") and hasattr(m, "utcnow")
        ]
        with pytest.MonkeyPatch.context() as patch:
            for module in clocked:
                patch.setattr(module, "utcnow", lambda: later)
            issued = world.issue(certified, now=later)
    return Shell(world, partial, corrective, certified, issued)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cursor blink; local times in UTC."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class ShellApp(HarnessApp):
    """The harness with the app's high-contrast theme registered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        theme = kwargs.pop("theme", None)
        super().__init__(*args, **kwargs)
        self.register_theme(HIGH_CONTRAST)
        if theme is not None:
            self.theme = theme


def hosted(shell: Shell, make: Any, *, lang: str = "hi", theme: str | None = None) -> HarnessApp:
    session = shell.world.session()
    session.lang = lang
    return ShellApp(session, lambda: make(session), theme=theme)


def home(_session: Any) -> HomeScreen:
    return HomeScreen(data_label=DATA_LABEL)


async def with_help(pilot: Any) -> None:
    await settle(pilot)
    pilot.app.push_screen(HelpScreen(pilot.app.screen))
    await settle(pilot)


@SIZES
def test_home_in_hindi(snap_compare: Any, shell: Shell, size: tuple[int, int]) -> None:
    assert snap_compare(hosted(shell, home), terminal_size=size, run_before=settle)


def test_home_high_contrast_80x24(snap_compare: Any, shell: Shell) -> None:
    app = hosted(shell, home, lang="en", theme=HIGH_CONTRAST.name)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@SIZES
def test_help_over_home_in_hindi(snap_compare: Any, shell: Shell, size: tuple[int, int]) -> None:
    assert snap_compare(hosted(shell, home), terminal_size=size, run_before=with_help)


def test_help_over_home_80x24(snap_compare: Any, shell: Shell) -> None:
    assert snap_compare(hosted(shell, home, lang="en"), terminal_size=(80, 24), run_before=with_help)


def test_unlock_in_hindi_80x24(snap_compare: Any, shell: Shell) -> None:
    app = hosted(shell, lambda session: UnlockScreen(session.data.auditor_key, demo_passphrase="demo-passphrase"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_new_audit_in_hindi_80x24(snap_compare: Any, shell: Shell) -> None:
    app = hosted(shell, lambda _session: NewAuditScreen())
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_qr_too_small_in_hindi_80x24(snap_compare: Any, shell: Shell) -> None:
    caption = f"{shell.issued.body.display_id} · {shell.issued.body.station_code}"
    app = hosted(shell, lambda _session: QRScreen(shell.issued.qr_text, caption))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


@SIZES
def test_verify_valid_in_hindi(snap_compare: Any, shell: Shell, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ScanInput).value = shell.issued.qr_text
        await pilot.press("enter")
        await settle(pilot)

    app = hosted(shell, lambda session: VerifyScreen(session, clock=lambda: VERIFY_AT))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_certificate_in_hindi(snap_compare: Any, shell: Shell, size: tuple[int, int]) -> None:
    app = hosted(shell, lambda session: CertificateScreen(session, shell.issued.record_path, export_dir="~/out"))
    assert snap_compare(app, terminal_size=size, run_before=settle)
