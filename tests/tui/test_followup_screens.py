"""Pilot tests of issue 12 in the app: the N/A reason prompt and the audit's scope on the walk,
the stage 1 waiver and "no lock-up" on the new-audit screen, and the nonconformities' follow-up
state and the meetings on the summary, each checked against the stored records."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Select, Static

from inspector.audit.service import AuditService
from inspector.crypto.signing import Envelope
from inspector.tui.screens.new_audit import NewAuditScreen
from inspector.tui.screens.summary import SummaryScreen
from inspector.tui.screens.walk import WalkScreen
from inspector.tui.widgets.reason_prompt import ReasonPrompt
from inspector.tui.widgets.save_state import SaveState
from tests.helpers import stored_records, write_cycle_checklist

from .harness import CORRECTIVE_ANSWERS, DEMO_AUDITOR_ID, STATION, HarnessApp, World, build_world, settle, text_of

Scenario = Callable[[Any], Awaitable[None]]
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("follow-up-screens") / "d")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cycle_checklist(tmp_path_factory.mktemp("cycle") / "cycle.toml")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def new(world: World, checklist: Path, kind: str = "certification", **options: Any) -> str:
    service = AuditService(world.data)
    return str(service.new_audit(STATION, checklist, kind, world.key, DEMO_AUDITOR_ID, **options).id)


def test_na_asks_for_the_reason_and_records_it(world: World, cycle: Path) -> None:
    audit_id = new(world, cycle, waive_stage1="held on paper")
    session = world.session()
    app = HarnessApp(session, lambda: WalkScreen(audit_id))

    async def scenario(pilot: Any) -> None:
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.current == "MAL-01"
        assert "RDY-01" not in walk.order and walk.order[-1] == "CYB-01"  # stage 1 is not walked
        await pilot.press("5")  # MAL-01 may never be N/A: refused at once, nothing asked
        await settle(pilot)
        assert app.screen is walk and "cannot be marked not applicable" in str(walk.query_one(SaveState).content)
        await pilot.press("n", "n")  # MAL-03
        await settle(pilot)
        assert walk.current == "MAL-03"
        await pilot.press("5")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, ReasonPrompt) and "Why is MAL-03 not applicable" in prompt.question
        await pilot.press("enter")  # empty: the prompt stays and says why
        await settle(pilot)
        assert app.screen is prompt and "a reason is required" in str(prompt.query_one("#reason-error", Static).content)
        await pilot.press("escape")  # cancelled: nothing recorded
        await settle(pilot)
        assert app.screen is walk and "MAL-03" not in walk.findings
        await pilot.press("5")
        await settle(pilot)
        await pilot.press(*"no case property disposed of yet", "enter")
        await settle(pilot)
        assert app.screen is walk and walk.findings["MAL-03"].status.value == "na"

    run(app, scenario)
    with AuditService(world.data).open(audit_id, writable=False) as audit:
        finding = audit.latest()["MAL-03"]
        assert (finding.status.value, finding.reason) == ("na", "no case property disposed of yet")
        assert "MAL-01" not in audit.latest()


def test_a_stage1_audit_walks_only_its_section(world: World, cycle: Path) -> None:
    audit_id = new(world, cycle, "stage1")
    app = HarnessApp(world.session(), lambda: WalkScreen(audit_id))

    async def scenario(pilot: Any) -> None:
        walk = app.screen
        assert isinstance(walk, WalkScreen) and walk.order == ["RDY-01", "RDY-02"]
        assert [s.id for s in walk.sections] == ["RDY"]

    run(app, scenario)


def _opening(world: World, audit_id: str) -> dict[str, Any]:
    return json.loads(Envelope.model_validate(stored_records(world.data, audit_id)[0]).payload)


def test_new_audit_asks_for_the_stage1_waiver_and_records_no_lockup(world: World, tmp_path: Path) -> None:
    before = {row.id for row in AuditService(world.data).list_audits()}
    app = HarnessApp(world.session(), NewAuditScreen)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, NewAuditScreen)
        assert screen.query_one("#waive-stage1", Input).display  # certification: the waiver field shows
        screen.query_one("#audit-type", Select).value = "surveillance"
        await settle(pilot)
        assert not screen.query_one("#waive-stage1", Input).display  # only a certification audit takes one
        screen.query_one("#audit-type", Select).value = "certification"
        await settle(pilot)
        await pilot.click("#start")
        await settle(pilot)
        assert app.screen is screen  # refused: no stage 1 of the station here, no reason given
        error = str(screen.query_one("#new-error", Static).content)
        assert "needs a closed stage 1 audit" in error
        assert app.focused is screen.query_one("#waive-stage1", Input)
        screen.query_one("#waive-stage1", Input).value = "stage 1 held on paper on 2 Nov"
        screen.query_one("#no-lockup", Checkbox).value = True
        await pilot.click("#start")
        await settle(pilot)
        assert app.screen is not screen  # dismissed with the new audit

    run(app, scenario, size=(80, 24))
    [audit_id] = {row.id for row in AuditService(world.data).list_audits()} - before
    opened = _opening(world, audit_id)
    assert opened["waive_stage1"] == "stage 1 held on paper on 2 Nov" and opened["no_lockup"] is True


def test_summary_shows_follow_up_states_and_meetings(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    with AuditService(world.data).open(audit_id, key=world.key) as audit:
        audit.respond("MAL-03", correction="orders acted on", root_cause="no tracking", action="a monthly review",
                      owner="Ravi Kumar, SI", due=SOON)  # fmt: skip
        audit.follow_up("MAL-03", effective=True, note="all orders acted on", method="document")
        audit.meeting(
            "closing", ["Sunita Devi, Lead Auditor", "Ravi Kumar, Inspector"], acknowledged_by="Ravi Kumar, Inspector"
        )
    app = HarnessApp(world.session(), lambda: SummaryScreen(world.session(), audit_id))

    async def scenario(pilot: Any) -> None:
        ncs = text_of(app, "#summary-ncs")
        assert "MAL-03  minor verified effective · clause 8.5.4 · closed" in ncs
        assert "verified effective (document" in ncs and "all orders acted on" in ncs
        assert "WHD-02  minor no plan yet" in ncs and "due 2099-04-30" in ncs
        meetings = text_of(app, "#summary-meetings")
        assert "closing" in meetings and "Sunita Devi, Lead Auditor; Ravi Kumar, Inspector" in meetings
        assert "findings acknowledged by Ravi Kumar, Inspector" in meetings and "plans due by" in meetings
        decision = text_of(app, "#summary-decision")
        assert "corrective action pending" in decision and "WHD-02 has no accepted corrective-action plan" in decision
        assert "MAL-03" not in decision

    run(app, scenario, size=(100, 50))
