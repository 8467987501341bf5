"""The walk's "Evidence to look for" follows the session's language (issue 14): in Hindi the
checklist's evidence_hi entries, in English the English ones."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from inspector.crypto.keystore import unlock
from inspector.tui.screens.walk import WalkScreen
from tests.helpers import REPO

from .harness import HarnessApp, World, plain

SHIPPED = REPO / "checklists" / "police-station-iso9001.toml"

SIZE = (100, 34)


@pytest.fixture
def world(demo_world: Any) -> World:
    return World(demo_world.data, unlock(demo_world.data.auditor_key, demo_world.passphrase))


def look_for(walk: WalkScreen) -> str:
    return plain(walk.query_one("#item-look-for", Static).content)


def hosted(world: World, audit_id: str, lang: str = "en") -> HarnessApp:
    session = world.session()
    session.lang = lang
    return HarnessApp(session, lambda: WalkScreen(audit_id))


async def test_the_hindi_walk_shows_the_evidence_to_look_for_in_hindi(world: World, settle: Any) -> None:
    app = hosted(world, world.new_audit(checklist=SHIPPED))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.goto_item("MAL-01")
        await settle(pilot)
        text = look_for(walk)
        assert "Ten seizure memos" in text and "फर्द जब्ती" not in text
        await pilot.press("l")
        await settle(pilot)
        assert app.session.lang == "hi"
        text = look_for(walk)
        assert "दस फर्द जब्ती" in text and "मालखाना रजिस्टर या ई-मालखाना" in text
        assert "Ten seizure memos" not in text
        await pilot.press("l")
        await settle(pilot)
        assert "Ten seizure memos" in look_for(walk)


async def test_a_checklist_without_evidence_hi_shows_the_english_in_the_hindi_walk(world: World, settle: Any) -> None:
    app = hosted(world, world.new_audit(), lang="hi")  # the mini checklist has no evidence_hi
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        walk.goto_item("MAL-01")
        await settle(pilot)
        text = look_for(walk)
        assert "Malkhana register" in text and "Sealed parcels" in text
