"""Pilot tests of the follow-up screen: a corrective-action plan and a verification typed in the
app become signed records of the audit's chain with their evidence (read back through
``AuditService``), mistakes are one line before any passphrase, and the words follow the app's
language. Opened from the summary with ``p``."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, RadioButton, Static

from inspector.audit.followup import NCState, Nonconformity
from inspector.audit.service import AuditService
from inspector.audit.views import load_view
from inspector.crypto.signing import Envelope
from inspector.services.verify_audit import verify_audit
from inspector.tui.screens.followup import FollowUpScreen
from inspector.tui.screens.summary import SummaryScreen
from inspector.tui.widgets.file_picker import FilePicker
from inspector.tui.words.followup import WORDS
from tests.helpers import stored_records

from .harness import CORRECTIVE_ANSWERS, HarnessApp, World, build_world, settle, text_of

Scenario = Callable[[Any], Awaitable[None]]
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("followup-screen") / "d")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def hosted(world: World, audit_id: str, unlocked: bool = True, item: str | None = None) -> HarnessApp:
    session = world.session(unlocked=unlocked)
    return HarnessApp(session, lambda: FollowUpScreen(session, audit_id, item))


def fill(app: HarnessApp, **values: str) -> None:
    for name, value in values.items():
        app.screen.query_one(f"#followup-{name}", Input).value = value


def plan(**changes: str) -> dict[str, str]:
    fields = {
        "correction": "the two orders acted on",
        "root_cause": "no one tracked the disposal orders",
        "action": "a monthly review of disposal orders",
        "owner": "Ravi Kumar, SI",
        "due": SOON,
    }
    return fields | changes


def nc_of(world: World, audit_id: str, item: str) -> Nonconformity:
    with AuditService(world.data).open(audit_id, writable=False) as audit:
        return next(nc for nc in audit.nonconformities() if nc.item == item)


def evidence_file(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


async def wait_for(pilot: Any, kind: type[Any], rounds: int = 100) -> None:
    """Pump the app until the screen on top is a ``kind`` (the picker's tree loads on a worker
    that lives on: it never settles)."""
    for _ in range(rounds):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause()
    raise AssertionError(f"{kind.__name__} not shown; on top: {pilot.app.screen!r}")


async def attach(pilot: Any, path: Path) -> None:
    """ctrl+o, then the path typed into the file picker."""
    await pilot.press("ctrl+o")
    await wait_for(pilot, FilePicker)
    pilot.app.screen.query_one("#picker-path", Input).value = str(path)
    await pilot.click("#picker-ok")
    await wait_for(pilot, FollowUpScreen)
    await settle(pilot)


def test_a_plan_recorded_from_the_summary_is_a_signed_record_with_its_evidence(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))
    photo = evidence_file(tmp_path, "orders.jpg", b"\xff\xd8 two disposal orders, stamped")
    before = len(stored_records(world.data, audit_id))

    async def scenario(pilot: Any) -> None:
        next_steps = text_of(app, "#summary-next")
        assert "plans still to record: 2" in next_steps and "(p)" in next_steps
        assert "command line" not in next_steps
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowUpScreen) and screen.item == "MAL-03"
        assert screen.query_one("#followup-plan").display and not screen.query_one("#followup-verify").display
        assert "MAL-03" in text_of(app, "#followup-form-title")
        fill(app, **plan())
        await attach(pilot, photo)
        assert "orders.jpg" in text_of(app, "#followup-evidence")
        await pilot.press("ctrl+s")
        await settle(pilot)
        nc = nc_of(world, audit_id, "MAL-03")
        assert nc.plan is not None
        assert text_of(app, "#followup-message") == (
            f"MAL-03: corrective-action plan recorded (due {SOON}); now plan accepted · record {nc.plan.seq}"
        )
        # The same nonconformity now takes its verification; the plan form is not offered twice.
        assert screen.query_one("#followup-verify").display and not screen.query_one("#followup-plan").display
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        next_steps = text_of(app, "#summary-next")
        assert "plans still to record: 1" in next_steps and "still to verify: 1 (p)" in next_steps
        assert "plan accepted" in text_of(app, "#summary-ncs")

    run(app, scenario)
    nc = nc_of(world, audit_id, "MAL-03")
    assert nc.state is NCState.PLANNED and nc.plan is not None
    assert (nc.plan.correction, nc.plan.root_cause, nc.plan.action, nc.plan.owner, nc.plan.due) == tuple(
        plan().values()
    )
    [ref] = nc.plan.evidence
    assert ref.name == "orders.jpg" and ref.sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (world.data.audit_dir(audit_id) / "evidence" / ref.sha256).read_bytes() == photo.read_bytes()
    stored = stored_records(world.data, audit_id)
    assert len(stored) == before + 1
    assert Envelope.model_validate(stored[-1]).kid == world.key.public.kid_hex
    report = verify_audit(world.data, audit_id)  # every signature and evidence hash of the chain
    assert report.ok and report.records == before + 1, report.problems
    assert app.unlock_requests == 1


def test_a_verification_recorded_through_the_screen_closes_the_nonconformity(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True, planned=("MAL-03",))
    app = hosted(world, audit_id, item="MAL-03")
    scan = evidence_file(tmp_path, "register-scan.pdf", b"%PDF-1.4 the disposal register, countersigned")

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, FollowUpScreen) and screen.item == "MAL-03"
        assert screen.query_one("#followup-verify").display and not screen.query_one("#followup-plan").display
        assert "a monthly review of disposal orders" in text_of(app, "#followup-item")  # the plan verified
        await pilot.click("#followup-document")
        fill(app, note="both orders acted on; the register is countersigned")
        await attach(pilot, scan)
        await pilot.press("ctrl+s")
        await settle(pilot)
        nc = nc_of(world, audit_id, "MAL-03")
        assert nc.verification is not None
        assert text_of(app, "#followup-message") == (
            f"MAL-03: verified effective (document); now verified effective · record {nc.verification.seq}"
        )
        # Nothing more to record for it: no form, and ctrl+s says so without writing.
        assert not screen.query_one("#followup-verify").display and not screen.query_one("#followup-plan").display
        assert text_of(app, "#followup-form-title") == "MAL-03: verified effective; nothing more to record."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#followup-message") == "MAL-03: verified effective; there is nothing more to record"

    run(app, scenario)
    nc = nc_of(world, audit_id, "MAL-03")
    assert nc.state is NCState.CLOSED and nc.verification is not None and nc.plan is not None
    check = nc.verification
    assert (check.result, check.method, check.note) == (
        "effective",
        "document",
        "both orders acted on; the register is countersigned",
    )
    assert check.response == nc.plan.id
    assert [ref.name for ref in check.evidence] == ["register-scan.pdf"]
    assert verify_audit(world.data, audit_id).ok
    assert app.unlock_requests == 1


def test_a_plan_found_not_effective_asks_for_a_new_plan(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True, planned=("MAL-03",))
    app = hosted(world, audit_id, item="MAL-03")

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        await pilot.click("#followup-not-effective")
        fill(app, note="a third order of May not acted on")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "verified not effective (on-site); now not effective" in text_of(app, "#followup-message")
        assert screen.query_one("#followup-plan").display
        assert "last one was not effective" in text_of(app, "#followup-form-title")

    run(app, scenario)
    nc = nc_of(world, audit_id, "MAL-03")
    assert nc.state is NCState.NOT_EFFECTIVE and nc.verification is not None
    assert (nc.verification.result, nc.verification.method) == ("not-effective", "on-site")
    # The summary counts it among the plans to record, not among the actions to verify.
    steps = SummaryScreen(world.session(), audit_id).next_steps(load_view(AuditService(world.data), audit_id))
    assert any("plans still to record: 2" in step for step in steps)
    assert not any("to verify" in step for step in steps)


def test_an_evidence_file_gone_since_it_was_picked_is_one_line_before_any_passphrase(
    world: World, tmp_path: Path
) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)
    photo = evidence_file(tmp_path, "gone.jpg", b"\xff\xd8 soon deleted")
    before = stored_records(world.data, audit_id)

    async def scenario(pilot: Any) -> None:
        fill(app, **plan())
        await attach(pilot, photo)
        photo.unlink()
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = text_of(app, "#followup-message")
        assert "gone.jpg" in shown and "\n" not in shown

    run(app, scenario)
    assert app.unlock_requests == 0
    assert stored_records(world.data, audit_id) == before


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("31/03/2027", "due"),
        ("2099-01-01", "is later than"),
    ],
    ids=["not-a-date", "beyond-the-limit"],
)
def test_a_bad_due_date_is_one_line_and_asks_for_no_passphrase(world: World, due: str, expected: str) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)
    before = stored_records(world.data, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        fill(app, **plan(due=due))
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = screen.query_one("#followup-message", Static)
        shown = str(message.content)
        assert expected in shown and "\n" not in shown and message.has_class("-error")
        assert screen.focused is screen.query_one("#followup-due", Input)
        # What was typed stays, to be corrected.
        assert screen.query_one("#followup-correction", Input).value == plan()["correction"]

    run(app, scenario)
    assert app.unlock_requests == 0
    assert stored_records(world.data, audit_id) == before


def test_a_missing_field_names_it_and_focuses_it(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        fill(app, **plan(root_cause="   "))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#followup-message") == "root cause is required"
        assert app.screen.focused is app.screen.query_one("#followup-root_cause", Input)

    run(app, scenario)
    assert app.unlock_requests == 0 and nc_of(world, audit_id, "MAL-03").plan is None


def test_a_locked_key_records_nothing(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id, unlocked=False)

    async def scenario(pilot: Any) -> None:
        fill(app, **plan())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#followup-message") == "nothing recorded: the auditor's key was not unlocked"

    run(app, scenario)
    assert app.unlock_requests == 1 and nc_of(world, audit_id, "MAL-03").plan is None


def test_what_was_typed_is_kept_per_nonconformity(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)
    photo = evidence_file(tmp_path, "desk.jpg", b"\xff\xd8 the help desk register")

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, FollowUpScreen)
        fill(app, correction="typed for MAL-03")
        await attach(pilot, photo)
        screen.query_one("#followup-ncs").focus()
        await pilot.press("down")
        await settle(pilot)
        assert screen.item == "WHD-02" and "WHD-02" in text_of(app, "#followup-form-title")
        assert screen.query_one("#followup-correction", Input).value == ""
        assert "desk.jpg" not in text_of(app, "#followup-evidence")
        await pilot.press("up")
        await settle(pilot)
        assert screen.item == "MAL-03"
        assert screen.query_one("#followup-correction", Input).value == "typed for MAL-03"
        assert "desk.jpg" in text_of(app, "#followup-evidence")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "desk.jpg" not in text_of(app, "#followup-evidence")

    run(app, scenario)


def test_the_summary_offers_follow_up_only_with_nonconformities(world: World) -> None:
    audit_id = world.new_audit({item: ("conform", None, None, None) for item in CORRECTIVE_ANSWERS}, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        assert screen.check_action("followup", ()) is False
        await pilot.press("p")
        await settle(pilot)
        assert app.screen is screen

    run(app, scenario)


def test_the_screen_follows_the_language_and_has_help(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True, planned=("MAL-03",))
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, FollowUpScreen)
        assert screen.item == "MAL-03"  # the first with something to record: its verification
        assert str(screen.query_one("#followup-owner-label", Static).content) == "Owner"
        fill(app, note="typed before the switch")
        app.set_language("hi")
        await settle(pilot)
        assert screen.query_one("#followup-note", Input).value == "typed before the switch"  # kept
        assert str(screen.query_one("#followup-owner-label", Static).content) == WORDS("hi", "owner_label")
        assert text_of(app, "#followup-form-title") == "MAL-03 की सुधारात्मक कार्रवाई का सत्यापन"
        assert "ऑडिट" in text_of(app, "#followup-station")
        assert "योजना स्वीकृत" in str(screen.query_one("#followup-ncs", OptionList).get_option_at_index(0).prompt)
        [record_binding] = screen._bindings.key_to_bindings["ctrl+s"]
        assert record_binding.description == WORDS("hi", "foot_followup-record")
        assert screen.help_text("hi") == WORDS("hi", "help") != screen.help_text("en")
        screen.query_one("#followup-ncs").focus()
        await pilot.press("down")
        await settle(pilot)
        assert text_of(app, "#followup-form-title") == "WHD-02 के लिए थाने की सुधारात्मक-कार्रवाई योजना"
        await pilot.press("up")
        await settle(pilot)
        assert screen.item == "MAL-03"
        assert str(screen.query_one("#followup-not-effective", RadioButton).label) == "प्रभावी नहीं"
        await pilot.click("#followup-on-site")
        fill(app, note="मौके पर रजिस्टर देखा")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app, "#followup-message").startswith("MAL-03: सत्यापन प्रभावी (मौके पर); अब प्रभावी सत्यापित")

    run(app, scenario)
    nc = nc_of(world, audit_id, "MAL-03")
    assert nc.verification is not None and nc.verification.note == "मौके पर रजिस्टर देखा"
