"""SVG snapshots of the follow-up screen: the plan form and the verification form, at 80x24 and
120x40, one in Hindi.

The world is built with fixed times, keys and random bytes (``harness.deterministic``), as in
``test_snapshots.py``, so ids and the plans' deadline read the same on every run.

Update with ``pytest tests/tui/test_snapshots_followup.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from inspector.tui.screens.followup import FollowUpScreen

from .harness import CORRECTIVE_ANSWERS, HarnessApp, World, build_world, deterministic, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@dataclass(frozen=True)
class SnapWorld:
    world: World
    closed: str  # closed, two minors without plans
    planned: str  # closed, MAL-03's plan recorded: its verification is next


@pytest.fixture(scope="module")
def snap(tmp_path_factory: pytest.TempPathFactory) -> SnapWorld:
    with deterministic():
        world = build_world(tmp_path_factory.mktemp("followup-snapshots") / "data")
        closed = world.new_audit(CORRECTIVE_ANSWERS, close=True)
        planned = world.new_audit(CORRECTIVE_ANSWERS, close=True, planned=("MAL-03",))
    return SnapWorld(world, closed, planned)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cursor blink; UTC."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def hosted(snap: SnapWorld, audit_id: str, lang: str = "en") -> HarnessApp:
    session = snap.world.session()
    session.lang = lang
    return HarnessApp(session, lambda: FollowUpScreen(session, audit_id))


@SIZES
def test_followup_plan(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, FollowUpScreen)
        screen.query_one("#followup-correction", Input).value = "the two orders acted on"
        screen.query_one("#followup-owner", Input).value = "Ravi Kumar, SI"
        # The picker's result, without the picker (its tree shows the machine's folders).
        screen._attached("MAL-03", Path("orders.jpg"))
        await settle(pilot)

    app = hosted(snap, snap.closed)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@SIZES
def test_followup_verification_hindi(snap_compare: Any, snap: SnapWorld, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#followup-note", Input).value = "रजिस्टर मौके पर देखा"
        await settle(pilot)

    app = hosted(snap, snap.planned, lang="hi")
    assert snap_compare(app, terminal_size=size, run_before=run_before)
