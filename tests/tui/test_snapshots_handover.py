"""SVG snapshots of the meeting screen, the hand-over screen and the summary's report result, at
80x24 and 120x40, one of each in Hindi.

The world is built with fixed times, keys and random bytes (``harness.deterministic``), as in
``test_snapshots.py``. The screens show paths under the home folder as ``~/...``: the home folder
is set to the world's parent folder, so the paths read ``~/data/...`` on every run.

Update with ``pytest tests/tui/test_snapshots_handover.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from inspector.tui.screens.handover import HandoverScreen
from inspector.tui.screens.meeting import MeetingScreen
from inspector.tui.screens.summary import SummaryScreen

from .harness import CORRECTIVE_ANSWERS, HarnessApp, World, build_world, deterministic, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@dataclass(frozen=True)
class SnapWorld:
    world: World
    home: Path
    closed: str  # closed, two minors without plans: corrective action pending


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> SnapWorld:
    home = tmp_path_factory.mktemp("handover-snapshots")
    with deterministic():
        world = build_world(home / "data")
        closed = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    return SnapWorld(world, home, closed)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch, snap: SnapWorld) -> Iterator[None]:
    """No cursor blink; UTC; the home folder above the world, so its paths read ``~/data/...``."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("HOME", str(snap.home))
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def hosted(snap: SnapWorld, make: Any, lang: str = "en") -> HarnessApp:
    session = snap.world.session()
    session.lang = lang
    return HarnessApp(session, lambda: make(session))


# -- the meeting screen ---------------------------------------------------------------------------


@SIZES
def test_meeting_closing(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#meeting-attendees", TextArea).text = "Sunita Devi, Lead Auditor\nRavi Kumar, Inspector"
        screen.query_one("#meeting-ack", Input).value = "Ravi Kumar, Inspector"
        await settle(pilot)

    app = hosted(snap, lambda session: MeetingScreen(session, snap.closed))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_meeting_hindi_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    app = hosted(snap, lambda session: MeetingScreen(session, snap.closed), lang="hi")
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


# -- the hand-over screen -------------------------------------------------------------------------


@SIZES
def test_handover(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = hosted(snap, lambda session: HandoverScreen(session, snap.closed))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_handover_hindi_120x40(snap_compare: Any, snap: SnapWorld) -> None:
    app = hosted(snap, lambda session: HandoverScreen(session, snap.closed), lang="hi")
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


# -- the summary's report -------------------------------------------------------------------------


async def _report(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)


@SIZES
def test_summary_report_written(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    app = hosted(snap, lambda session: SummaryScreen(session, snap.closed))
    assert snap_compare(app, terminal_size=size, run_before=_report)


def test_summary_report_written_hindi_80x24(snap_compare: Any, snap: SnapWorld) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.set_language("hi")
        await _report(pilot)

    app = hosted(snap, lambda session: SummaryScreen(session, snap.closed))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
