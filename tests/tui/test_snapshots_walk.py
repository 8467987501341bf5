"""SVG snapshots of the checklist walk at 80x24 (the smallest supported terminal) and 120x40,
in English and in Hindi, and of the confirmation of a changed status.

The world is built as in ``test_snapshots.py`` (fixed times, keys and random bytes); one
finding carries a stored evidence file, so its name shows. The resume cursor is never written
while a snapshot is taken (it would change what the next one says on opening).

Update with ``pytest tests/tui/test_snapshots_walk.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.widgets import Input

from inspector.tui.screens.walk import WalkScreen

from .harness import CORRECTIVE_ANSWERS, HarnessApp, World, build_world, deterministic, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@dataclass(frozen=True)
class WalkWorld:
    world: World
    audit: str  # open: two minors (one with a stored photo), an observation, two conforms


@pytest.fixture(scope="module")
def walk_world(tmp_path_factory: pytest.TempPathFactory) -> WalkWorld:
    from inspector.audit.service import AuditService

    folder = tmp_path_factory.mktemp("walk-snapshots")
    photo = folder / "disposal-orders-march.jpg"
    photo.write_bytes(b"\xff\xd8 the disposal order file, March")
    with deterministic():
        world = build_world(folder / "data")
        audit_id = world.new_audit(CORRECTIVE_ANSWERS)
        with AuditService(world.data).open(audit_id, writable=True, key=world.key) as audit:
            audit.attach("MAL-03", [photo])
    return WalkWorld(world, audit_id)


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cursor blink, no cursor writes; local times in UTC (the walk shows the local clock)."""
    import inspector.tui.screens.walk as walk_module

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(walk_module, "CURSOR_DELAY", 3600.0)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def walk_app(walk_world: WalkWorld, lang: str = "en") -> HarnessApp:
    session = walk_world.world.session()
    session.lang = lang
    return HarnessApp(session, lambda: WalkScreen(walk_world.audit))


def at_item(item: str, *keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.screen.goto_item(item)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@SIZES
def test_walk_minor_with_its_evidence_file(snap_compare: Any, walk_world: WalkWorld, size: tuple[int, int]) -> None:
    assert snap_compare(walk_app(walk_world), terminal_size=size, run_before=at_item("MAL-03"))


@SIZES
def test_walk_in_hindi(snap_compare: Any, walk_world: WalkWorld, size: tuple[int, int]) -> None:
    assert snap_compare(walk_app(walk_world, "hi"), terminal_size=size, run_before=at_item("WHD-02"))


def test_walk_change_of_a_recorded_status_80x24(snap_compare: Any, walk_world: WalkWorld) -> None:
    assert snap_compare(walk_app(walk_world), terminal_size=(80, 24), run_before=at_item("MAL-03", "5"))


def test_walk_change_of_a_recorded_status_in_hindi_80x24(snap_compare: Any, walk_world: WalkWorld) -> None:
    assert snap_compare(walk_app(walk_world, "hi"), terminal_size=(80, 24), run_before=at_item("MAL-01", "2"))
