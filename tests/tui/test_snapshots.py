"""SVG snapshots of the screens at 80x24 (the smallest supported terminal) and 120x40.

The world is built with fixed times, keys and random bytes (``harness.deterministic``) and the
verify screen checks at a fixed moment, so ids, keys and dates are the same on every run. The
world lives in pytest's temporary directory (safe under ``pytest -n`` and concurrent runs); the
home screen, which shows the data directory, is given the fixed label ``DATA_LABEL`` for it.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Input

from inspector.tui.screens.certificate import CertificateScreen
from inspector.tui.screens.qr import QRScreen
from inspector.tui.screens.summary import SummaryScreen
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

# What the home screen shows for the data directory, in place of its temporary path.
DATA_LABEL = "~/station-inspector-demo"
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@dataclass(frozen=True)
class SnapWorld:
    world: World
    corrective: str  # open, complete: recommend after corrective action
    certified: str  # closed, with one certificate issued
    issued: Any  # IssuedCertificate


@contextlib.contextmanager
def _clock(now: datetime) -> Iterator[None]:
    """Inside ``deterministic``: every core clock moved on to ``now`` (keys and bytes untouched)."""
    import sys

    clocked = [m for name, m in sorted(sys.modules.items()) if name.startswith("inspector.") and hasattr(m, "utcnow")]
    with pytest.MonkeyPatch.context() as patch:
        for module in clocked:
            patch.setattr(module, "utcnow", lambda: now)
        yield


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> SnapWorld:
    with deterministic():
        world = build_world(tmp_path_factory.mktemp("snapshots") / "data")
        corrective = world.new_audit(CORRECTIVE_ANSWERS)
        certified = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
        with _clock(FIXED_NOW + timedelta(hours=2)):  # issued, imported and granted after the close
            issued = world.issue(certified, now=FIXED_NOW + timedelta(hours=2))
    return SnapWorld(world, corrective, certified, issued)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cursor blink; local times in UTC (screens that show the local clock)."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def hosted(snap: SnapWorld, make: Any, theme: str | None = None) -> HarnessApp:
    session = snap.world.session()
    return HarnessApp(session, lambda: make(session), theme=theme)


def scanning(text: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.screen.query_one(ScanInput).value = text
        await pilot.press("enter")
        await settle(pilot)

    return run_before


# -- summary --------------------------------------------------------------------------------------


@SIZES
def test_summary_open_audit_with_nonconformities(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = hosted(snap, lambda session: SummaryScreen(session, snap.corrective))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_summary_closed_audit_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    app = hosted(snap, lambda session: SummaryScreen(session, snap.certified))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_summary_close_confirmation_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()

    app = hosted(snap, lambda session: SummaryScreen(session, snap.corrective))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# -- certificate and QR -------------------------------------------------------------------------


@SIZES
def test_certificate(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    # A fixed folder: the default, inside the data directory, is a new temporary path each run.
    app = hosted(snap, lambda session: CertificateScreen(session, snap.issued.record_path, export_dir="~/out"))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_qr_too_small_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    caption = f"{snap.issued.body.display_id} · {snap.issued.body.station_code}"
    app = hosted(snap, lambda session: QRScreen(snap.issued.qr_text, caption))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_qr_drawn_100x45(snap_compare: Any, snap: SnapWorld) -> None:
    caption = f"{snap.issued.body.display_id} · {snap.issued.body.station_code}"
    app = hosted(snap, lambda session: QRScreen(snap.issued.qr_text, caption))
    assert snap_compare(app, terminal_size=(100, 45), run_before=settle)


# -- verify ---------------------------------------------------------------------------------------


def verify_screen(session: Any) -> VerifyScreen:
    return VerifyScreen(session, clock=lambda: VERIFY_AT)


@SIZES
def test_verify_valid_with_hindi_station_name(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = hosted(snap, verify_screen)
    assert snap_compare(app, terminal_size=size, run_before=scanning(snap.issued.qr_text))


@SIZES
def test_verify_invalid_one_character_changed(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    text = snap.issued.qr_text
    middle = len(text) // 2
    forged = text[:middle] + ("B" if text[middle] == "A" else "A") + text[middle + 1 :]
    app = hosted(snap, verify_screen)
    assert snap_compare(app, terminal_size=size, run_before=scanning(forged))


def test_verify_invalid_garbage_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    app = hosted(snap, verify_screen)
    assert snap_compare(app, terminal_size=(80, 24), run_before=scanning("HELLO-WORLD"))


def test_verify_valid_light_theme_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    app = hosted(snap, verify_screen, theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=scanning(snap.issued.qr_text))


# -- the other screens of the app (home, walk), when they are part of this build -----------------


def inspector_app(snap: SnapWorld) -> Any:
    try:
        from inspector.tui.app import InspectorApp
        from inspector.tui.screens.home import HomeScreen  # noqa: F401
        from inspector.tui.screens.walk import WalkScreen  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the home and walk screens are not in this build ({exc}); the lead adds their snapshots")
    from inspector.services.demo import DEMO_PASSPHRASE

    return InspectorApp(snap.world.data, demo_passphrase=DEMO_PASSPHRASE, data_label=DATA_LABEL)


async def unlock(pilot: Any) -> None:
    from inspector.services.demo import DEMO_PASSPHRASE

    await settle(pilot)
    pilot.app.screen.query_one("#passphrase", Input).value = DEMO_PASSPHRASE
    await pilot.press("enter")
    await settle(pilot)
    pilot.app.clear_notifications()  # toasts time out: keep them out of the pictures
    await pilot.pause()


@SIZES
def test_home(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = inspector_app(snap)
    assert snap_compare(app, terminal_size=size, run_before=unlock)


@SIZES
def test_walk(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = inspector_app(snap)

    async def run_before(pilot: Any) -> None:
        from inspector.tui.screens.walk import WalkScreen

        await unlock(pilot)
        await pilot.app.push_screen(WalkScreen(snap.corrective))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
