"""Pilot tests of the verify screen: scan, verdict at once, ready for the next scan."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Static

from inspector.paths import DataDir
from inspector.services.demo import DEMO_PASSPHRASE
from inspector.tui.screens.verify import ScanInput, VerifyScreen
from inspector.tui.widgets.verdict import VerdictBanner, block_letters

from .harness import (
    CERTIFY_ANSWERS,
    CERTIFY_PLANNED,
    STATION_EN,
    STATION_HI,
    HarnessApp,
    World,
    build_world,
    screen_text,
    settle,
)

Scenario = Callable[[Any], Awaitable[None]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("verify") / "d")


@pytest.fixture(scope="module")
def payload(world: World) -> str:
    return str(world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)).qr_text)


def run(world: World, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    session = world.session()
    app = HarnessApp(session, lambda: VerifyScreen(session))

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


async def scan(pilot: Any, text: str, *, type_it: bool = False) -> VerifyScreen:
    """Enter ``text`` as a scanner would (one key per character, then Enter) or set it and press Enter.

    Typed keys go straight to the field's queue (``pilot.press`` per character takes seconds).
    """
    screen = pilot.app.screen
    assert isinstance(screen, VerifyScreen)
    field = screen.query_one("#verify-scan", ScanInput)
    assert field.has_focus
    if type_it:
        for character in text:
            field.post_message(events.Key(character, character))
    else:
        field.value = text
    await pilot.press("enter")
    await settle(pilot)
    return screen


def text_of(screen: VerifyScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def one_character_changed(text: str) -> str:
    middle = len(text) // 2
    return text[:middle] + ("B" if text[middle] == "A" else "A") + text[middle + 1 :]


def test_waits_for_a_scan_with_the_field_focused(world: World) -> None:
    async def scenario(pilot: Any) -> None:
        screen = pilot.app.screen
        banner = screen.query_one(VerdictBanner)
        assert banner.word is None and "Waiting for a scan" in screen_text(pilot.app)
        assert screen.query_one(ScanInput).has_focus

    run(world, scenario)


def test_a_valid_scan_shows_valid_with_the_station(world: World, payload: str) -> None:
    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, payload, type_it=True)  # a hand-held scanner types, then Enter
        banner = screen.query_one(VerdictBanner)
        assert banner.word == "VALID" and banner.has_class("-valid")
        assert screen.last is not None and screen.last.verdict.valid
        station = text_of(screen, "#verify-station")
        assert station == f"Station: {STATION_EN} (GBN-S39)"
        assert text_of(screen, "#verify-station-hi") == STATION_HI
        details = text_of(screen, "#verify-details")
        cert_id = screen.last.verdict.cert_id
        assert f"{cert_id[:4]}-{cert_id[4:8]}" in details
        assert "certified, score 85% (0 major, 1 minor)" in details
        assert "Sunita Devi (AUD-GBN-017)" in details
        assert not screen.query_one("#verify-reasons").display
        shown = screen_text(pilot.app)
        assert block_letters("VALID")[0] in shown and "✓ VALID" in shown
        # ready for the next scan
        field = screen.query_one(ScanInput)
        assert field.value == "" and field.has_focus

    run(world, scenario)


def test_one_changed_character_is_invalid_with_a_reason(world: World, payload: str) -> None:
    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, payload)
        assert screen.query_one(VerdictBanner).word == "VALID"
        screen = await scan(pilot, one_character_changed(payload))
        banner = screen.query_one(VerdictBanner)
        assert banner.word == "INVALID" and banner.has_class("-invalid") and not banner.has_class("-valid")
        verdict = screen.last.verdict
        assert not verdict.valid and verdict.reasons
        reasons = text_of(screen, "#verify-reasons")
        assert screen.query_one("#verify-reasons").display
        assert verdict.messages[0] in reasons and f"({verdict.reasons[0]})" in reasons
        assert "✗ INVALID" in screen_text(pilot.app)
        assert not screen.query_one("#verify-station-hi").display  # nothing believed before the signature
        assert screen.query_one(ScanInput).value == ""

    run(world, scenario)


def test_garbage_is_invalid_bad_prefix(world: World) -> None:
    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, "HELLO-WORLD")
        assert screen.query_one(VerdictBanner).word == "INVALID"
        assert screen.last.verdict.reasons == ["bad-prefix"]
        assert "(bad-prefix)" in text_of(screen, "#verify-reasons")
        assert "do not accept: bad-prefix" in screen_text(pilot.app)

    run(world, scenario)


def test_paste_verifies_at_once_and_links_are_accepted(world: World, payload: str) -> None:
    async def scenario(pilot: Any) -> None:
        screen = pilot.app.screen
        field = screen.query_one(ScanInput)
        field.post_message(events.Paste(f"https://verify.example.in/v#{payload}\n"))
        await settle(pilot)
        assert screen.query_one(VerdictBanner).word == "VALID"
        assert field.value == ""
        await pilot.press("f5")  # clear
        await pilot.pause()
        assert screen.query_one(VerdictBanner).word is None and screen.last is None

    run(world, scenario)


def test_a_newly_installed_revocation_counts_at_once(world: World) -> None:
    from inspector.hq.enrolment import HQ
    from inspector.trust.store import TrustStore

    issued = world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True))

    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, issued.qr_text)
        assert screen.query_one(VerdictBanner).word == "VALID"
        hq = HQ(world.data.root)
        hq.revoke_cert(issued.body.cert_id, "issued in error")
        TrustStore(world.data.root).install_crl(hq.export_crl(DEMO_PASSPHRASE))
        screen = await scan(pilot, issued.qr_text)
        assert screen.query_one(VerdictBanner).word == "INVALID"
        assert screen.last.verdict.reasons == ["revoked"]
        assert text_of(screen, "#verify-station").startswith(f"Station (as claimed): {STATION_EN}")
        assert "issued in error" in text_of(screen, "#verify-reasons")

    run(world, scenario)


def copied(world: World, target: Path) -> World:
    """A copy of ``world``'s data directory, to damage without touching the module's world."""
    shutil.copytree(world.data.root, target)
    return World(DataDir(target), world.key)


def test_a_missing_revocation_list_is_a_warning(world: World, payload: str, tmp_path: Path) -> None:
    without_crl = copied(world, tmp_path / "copy")
    without_crl.data.installed_crl.unlink()

    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, payload)
        assert screen.query_one(VerdictBanner).word == "VALID"
        assert screen.query_one("#verify-warnings").display
        assert "warning: no revocation list is installed" in text_of(screen, "#verify-warnings")

    run(without_crl, scenario)


def test_an_unreadable_trust_list_is_not_a_verdict(world: World, payload: str, tmp_path: Path) -> None:
    broken = copied(world, tmp_path / "copy")
    broken.data.installed_trustlist.write_text("{ not json", encoding="utf-8")

    async def scenario(pilot: Any) -> None:
        screen = await scan(pilot, payload)
        banner = screen.query_one(VerdictBanner)
        assert banner.word is None and banner.has_class("-problem")
        assert "Cannot verify: installed trust list" in screen_text(pilot.app)

    run(broken, scenario, size=(120, 24))
