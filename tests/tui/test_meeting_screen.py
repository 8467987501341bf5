"""Pilot tests of the meeting screen: a meeting typed in the app becomes a signed record of the
audit's chain (read back through ``AuditService``), mistakes are one line before any passphrase,
and the words follow the app's language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.widgets import Input, RadioButton, Static, TextArea

from inspector.audit.service import AuditService
from inspector.crypto.signing import Envelope
from inspector.services.verify_audit import verify_audit
from inspector.tui.screens.meeting import MeetingScreen
from inspector.tui.screens.summary import SummaryScreen
from inspector.tui.words.meeting import WORDS
from tests.helpers import stored_records

from .harness import CORRECTIVE_ANSWERS, HarnessApp, World, build_world, settle, text_of

Scenario = Callable[[Any], Awaitable[None]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("meeting-screen") / "d")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def hosted(world: World, audit_id: str, unlocked: bool = True) -> HarnessApp:
    session = world.session(unlocked=unlocked)
    return HarnessApp(session, lambda: MeetingScreen(session, audit_id))


def fill(app: HarnessApp, attendees: str, ack: str = "", note: str = "") -> None:
    screen = app.screen
    screen.query_one("#meeting-attendees", TextArea).text = attendees
    screen.query_one("#meeting-ack", Input).value = ack
    screen.query_one("#meeting-note", Input).value = note


def meetings(world: World, audit_id: str) -> list[Any]:
    with AuditService(world.data).open(audit_id, writable=False) as audit:
        return [meeting.payload for meeting in audit.meetings()]


def test_a_closing_meeting_is_a_signed_record_of_the_chain(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)
    before = len(stored_records(world.data, audit_id))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        # A closed audit: the closing meeting is offered, with the acknowledgment.
        assert screen.kind == "closing" and screen.query_one("#meeting-closing", RadioButton).value
        assert screen.query_one("#meeting-ack").display
        fill(
            app,
            "Sunita Devi, Lead Auditor\n\n  Ravi Kumar, Inspector  \n",
            ack="Ravi Kumar, Inspector",
            note="findings read out",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(app, "#meeting-message")
        records = meetings(world, audit_id)
        assert len(records) == 1
        record = records[0]
        assert record.kind == "closing"
        assert list(record.attendees) == ["Sunita Devi, Lead Auditor", "Ravi Kumar, Inspector"]
        assert record.acknowledged_by == "Ravi Kumar, Inspector" and record.note == "findings read out"
        assert record.cap_deadline
        assert message == (
            f"closing meeting recorded (2 attendees); corrective-action plans due by {record.cap_deadline} "
            f"· record {record.seq}"
        )
        assert "closing" in text_of(app, "#meeting-recorded")
        # The form is empty again: a second ctrl+s records nothing more.
        assert screen.query_one("#meeting-attendees", TextArea).text == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(meetings(world, audit_id)) == 1 and "attendee" in text_of(app, "#meeting-message")

    run(app, scenario)
    stored = stored_records(world.data, audit_id)
    assert len(stored) == before + 1
    envelope = Envelope.model_validate(stored[-1])
    assert envelope.kid == world.key.public.kid_hex  # signed by the auditor's key
    report = verify_audit(world.data, audit_id)  # every signature of the chain, the new record's too
    assert report.ok and report.records == before + 1, report.problems
    assert app.unlock_requests == 1


def test_an_opening_meeting_on_an_open_audit_shows_on_the_summary(world: World) -> None:
    audit_id = world.new_audit({"MAL-01": ("conform", None, None, None)})
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        assert "record the opening meeting (m)" in text_of(app, "#summary-next")
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen) and screen.kind == "opening"
        assert not screen.query_one("#meeting-ack").display  # only the closing meeting has one
        fill(app, "Sunita Devi, Lead Auditor\nRavi Kumar, Inspector", ack="typed but hidden")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#meeting-message").startswith("opening meeting recorded (2 attendees) · record ")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "opening" in text_of(app, "#summary-meetings")
        assert "Sunita Devi, Lead Auditor; Ravi Kumar, Inspector" in text_of(app, "#summary-meetings")
        assert "opening meeting" not in text_of(app, "#summary-next")

    run(app, scenario)
    [record] = meetings(world, audit_id)
    assert record.kind == "opening" and record.acknowledged_by is None and record.cap_deadline is None


def test_a_mistake_is_one_line_and_asks_for_no_passphrase(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)
    before = stored_records(world.data, audit_id)

    async def scenario(pilot: Any) -> None:
        fill(app, "   \n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = app.screen.query_one("#meeting-message", Static)
        assert str(message.content) == 'a meeting record needs at least one attendee ("NAME, RANK")'
        assert message.has_class("-error") and "\n" not in str(message.content)
        assert app.screen.focused is app.screen.query_one("#meeting-attendees")
        fill(app, "Sunita Devi, Lead Auditor\nSunita Devi, Lead Auditor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#meeting-message") == "an attendee is named twice"

    run(app, scenario)
    assert app.unlock_requests == 0
    assert stored_records(world.data, audit_id) == before


def test_a_locked_key_records_nothing(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id, unlocked=False)

    async def scenario(pilot: Any) -> None:
        fill(app, "Sunita Devi, Lead Auditor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#meeting-message") == "nothing recorded: the auditor's key was not unlocked"

    run(app, scenario)
    assert app.unlock_requests == 1 and meetings(world, audit_id) == []


def test_the_screen_follows_the_language_and_has_help(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        assert str(screen.query_one("#meeting-attendees-label", Static).content) == WORDS("en", "attendees_label")
        app.set_language("hi")
        await settle(pilot)
        assert str(screen.query_one("#meeting-attendees-label", Static).content) == WORDS("hi", "attendees_label")
        assert str(screen.query_one("#meeting-closing", RadioButton).label) == "समापन बैठक"
        assert "समापन" in text_of(app, "#meeting-hint") and "ऑडिट" in text_of(app, "#meeting-station")
        assert screen.help_text("hi") == WORDS("hi", "help") != screen.help_text("en")
        fill(app, "सुनीता देवी, लीड ऑडिटर")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#meeting-message").startswith("समापन बैठक दर्ज (1 उपस्थित)")

    run(app, scenario)
    [record] = meetings(world, audit_id)
    assert list(record.attendees) == ["सुनीता देवी, लीड ऑडिटर"]
