"""Pilot tests of the auditor's whole flow through the app, checked against the stored records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, Static

from inspector.audit.verify import verify_local
from inspector.tui.app import InspectorApp
from inspector.tui.screens.first_run import FirstRunScreen
from inspector.tui.screens.home import HomeScreen
from inspector.tui.screens.new_audit import NewAuditScreen
from inspector.tui.screens.unlock import UnlockScreen
from inspector.tui.screens.walk import WalkScreen
from inspector.tui.widgets.save_state import SaveState

SIZE = (100, 34)


def text_of(widget: Static) -> str:
    return str(widget.content)


async def unlock(pilot: Any, settle: Any, passphrase: str) -> None:
    """Unlock through the modal (the passphrase is pasted: key-by-key typing is tested above)."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, UnlockScreen)
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)


WAIVER = "stage 1 held on paper on 2026-11-02"


async def start_audit(pilot: Any, settle: Any, wait_until: Any, waiver: str = WAIVER) -> WalkScreen:
    """A certification audit from the new-audit screen (its stage 1 waived: none on this laptop)."""
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, NewAuditScreen)
    pilot.app.screen.query_one("#waive-stage1", Input).value = waiver
    await pilot.click("#start")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, WalkScreen) and pilot.app.screen.checklist is not None)
    return pilot.app.screen


def stored(app: Any, audit_id: str) -> Any:
    """The audit as stored on disk, read-only (the walk may hold the writer's lock)."""
    return app.session.audits.open(audit_id, writable=False)


async def test_unlock_wrong_then_right(demo_world: Any, settle: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UnlockScreen)
        assert demo_world.passphrase in text_of(screen.query_one("#unlock-hint", Static))
        await pilot.press(*"not the passphrase", "enter")
        await settle(pilot)
        assert app.screen is screen and not app.session.unlocked
        assert "Wrong passphrase" in text_of(screen.query_one("#unlock-error", Static))
        assert screen.query_one("#passphrase", Input).value == ""
        await pilot.press(*demo_world.passphrase, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session.unlocked
        assert "unlocked" in text_of(app.screen.query_one("#home-key", Static))


async def test_walk_records_signed_findings_and_resumes(demo_world: Any, settle: Any, wait_until: Any) -> None:
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        audit_id = walk.audit_id
        first, second, third, fourth = walk.order[:4]
        assert walk.current == first

        await pilot.press("1")  # conform: saved, signed, and on to the next item
        await settle(pilot)
        assert walk.current == second
        assert "signed & saved" in text_of(walk.query_one(SaveState))
        await pilot.press("4")  # observation
        await settle(pilot)
        assert walk.current == third

        # A nonconformity of an item that needs a note and a file, without them: refused, input kept.
        assert walk.checklist is not None
        assert walk.checklist.items[third].require_note and walk.checklist.items[third].require_evidence
        await pilot.press("2")
        await settle(pilot)
        assert walk.current == third
        assert "needs a note" in text_of(walk.query_one(SaveState))
        assert walk.drafts[third].status == "minor"
        assert isinstance(app.focused, Input) and app.focused.id == "note"
        # Typing the note: digits go into the note, they do not record statuses.
        note = "3 of 5 minutes lost"
        await pilot.press(*note)
        await settle(pilot)
        with stored(app, audit_id) as audit:
            assert audit.history(third) == []
        await pilot.press("enter")  # tries the pending status again, now with the note
        await settle(pilot)
        assert "needs an evidence file" in text_of(walk.query_one(SaveState))
        assert "a: attach a file" in text_of(walk.query_one(SaveState))
        assert walk.query_one("#note", Input).value == note  # kept on screen
        # Attach a photo through the file picker: the pending finding is saved with it.
        photo = demo_world.data.root.parent / "policy-board.jpg"
        photo.write_bytes(b"\xff\xd8 a photo of the displayed quality policy")
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        picker.query_one("#picker-path", Input).value = str(photo)
        await pilot.click("#picker-ok")
        await settle(pilot)
        assert app.screen is walk and walk.current == third  # nonconformities stay for the due date
        assert "signed & saved" in text_of(walk.query_one(SaveState))
        await pilot.press("d", *"2031-01-31", "enter")
        await settle(pilot)

        with stored(app, audit_id) as audit:
            latest = audit.latest()
            assert [latest[first].status.value, latest[second].status.value] == ["conform", "observation"]
            history = audit.history(third)
            assert [(f.status.value, f.note, f.due, len(f.evidence)) for f in history] == [
                ("minor", note, None, 1),
                ("minor", note, "2031-01-31", 1),
            ]
            assert fourth not in latest
            report = verify_local(app.session.audits, audit_id, app.session.trust_lists()[0])
            assert report.ok, report
        await pilot.press("n")
        await settle(pilot)
        assert walk.current == fourth
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.session.audits.cursor(audit_id) == fourth

    # Reopen: the key must be unlocked again, and the walk resumes at the same item.
    again = InspectorApp(demo_world.data)
    async with again.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(again.screen, WalkScreen) and again.screen.checklist is not None)
        assert again.screen.current == fourth
        assert len(again.screen.findings) == 3


async def test_first_run_creates_and_exports_the_key(tmp_path: Path, settle: Any) -> None:
    from inspector.crypto.keystore import read_key_info
    from inspector.crypto.signing import PublicKey
    from inspector.paths import DataDir

    data = DataDir(tmp_path / "fresh")
    app = InspectorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.press(*"Asha Verma", "enter")
        screen = app.screen
        for field, value in (
            ("#auditor-id", "AUD-GBN-042"),
            ("#pass1", "long passphrase"),
            ("#pass2", "long passphrasE"),
        ):
            screen.query_one(field, Input).value = value
        await pilot.click("#create")
        await settle(pilot)
        assert "differ" in text_of(app.screen.query_one("#first-run-error", Static))
        assert not data.auditor_key.exists()
        assert app.focused is screen.query_one("#pass1", Input)  # both cleared, typed again
        screen.query_one("#pass1", Input).value = "long passphrase"
        await pilot.press("enter")
        await pilot.press(*"long passphrase", "enter")
        await settle(pilot)
        pem = data.auditor_key.parent / "auditor-public.pem"
        info = read_key_info(data.auditor_key)
        assert (info.name, info.auditor_id) == ("Asha Verma", "AUD-GBN-042")
        assert PublicKey.from_pem(pem.read_bytes()).kid_hex == info.kid
        assert str(pem) in text_of(app.screen.query_one("#first-run-result", Static))
        assert app.session.unlocked
        await pilot.click("#continue")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_idle_lock_then_a_status_key_asks_for_the_passphrase(
    demo_world: Any, settle: Any, wait_until: Any
) -> None:
    app = InspectorApp(demo_world.data)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        first = walk.current
        app.session.last_activity -= (app.session.idle_lock_minutes + 1) * 60
        app.check_idle_lock()
        await settle(pilot)
        assert not app.session.unlocked and isinstance(app.screen, UnlockScreen)
        await pilot.press("escape")  # not now
        await settle(pilot)
        assert app.screen is walk
        await pilot.press("1")  # needs the key: the modal comes back, and the answer waits for it
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        app.screen.query_one("#passphrase", Input).value = demo_world.passphrase
        await pilot.press("enter")
        await wait_until(pilot, lambda: first in walk.findings)
        with stored(app, walk.audit_id) as audit:
            assert audit.latest()[first].status.value == "conform"


async def test_palette_jump_filter_and_hindi(demo_world: Any, settle: Any, wait_until: Any) -> None:
    app = InspectorApp(demo_world.data)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        await pilot.press("f")  # nothing to filter yet
        assert not walk.nc_only and "no nonconformities" in text_of(walk.query_one(SaveState))
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"MAL-04")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is walk and walk.current == "MAL-04"
        await pilot.press("e", *"seal torn", "escape", "3")  # a major nonconformity
        await settle(pilot)
        with stored(app, walk.audit_id) as audit:
            assert (audit.latest()["MAL-04"].status.value, audit.latest()["MAL-04"].note) == ("major", "seal torn")
        await pilot.press("n", "n", "f")
        await settle(pilot)
        assert walk.nc_only and walk.current == "MAL-04"
        await pilot.press("l")
        await settle(pilot)
        guidance = text_of(walk.query_one("#item-guidance", Static))
        assert guidance.startswith("मार्गदर्शन\n")
        assert text_of(walk.query_one("#item-hi", Static)) == walk.checklist.items["MAL-04"].title_hi


async def test_usable_at_80x24(demo_world: Any, settle: Any, wait_until: Any) -> None:
    app = InspectorApp(demo_world.data)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        screen_region = walk.region
        for selector in ("#status-conform", "#status-na", "#note", "#due", "#attach", "#save-state", "#item-question"):
            widget = walk.query_one(selector)
            assert screen_region.contains_region(widget.region), selector
            assert widget.region.width > 0 and widget.region.height > 0, selector
        await pilot.click("#status-conform")  # the mouse records too
        await settle(pilot)
        assert len(walk.findings) == 1 and walk.index == 1


async def test_audit_open_elsewhere_is_refused_with_its_reason(demo_world: Any, settle: Any, wait_until: Any) -> None:
    app = InspectorApp(demo_world.data)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        audit_id = walk.audit_id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        with app.session.audits.open(audit_id, writable=True):  # another writer holds the lock
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            assert any("open elsewhere" in n.message for n in app._notifications)


async def test_quit_with_unsaved_input_asks_first(demo_world: Any, settle: Any, wait_until: Any) -> None:
    from inspector.tui.screens.confirm import ConfirmScreen

    app = InspectorApp(demo_world.data)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        first = walk.current
        await pilot.press("e", *"draft", "escape", "n")  # a note without a status, then away
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # stay: back on the item with the note still there
        await wait_until(pilot, lambda: app.screen is walk)
        assert walk.current == first and walk.query_one("#note", Input).value == "draft"
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.session.audits.cursor(walk.audit_id) == first


def test_idle_lock_minutes_from_environment_and_config(tmp_path: Path, monkeypatch: Any) -> None:
    from inspector.paths import DataDir
    from inspector.tui.settings import load_settings

    def minutes_and_warnings(data: DataDir) -> tuple[int, list[str]]:
        settings = load_settings(data)
        return settings.idle_lock_minutes, settings.warnings

    data = DataDir(tmp_path)
    assert minutes_and_warnings(data) == (15, [])
    data.config.write_text("[tui]\nidle_lock_minutes = 5\n", encoding="utf-8")
    assert minutes_and_warnings(data) == (5, [])
    monkeypatch.setenv("INSPECTOR_IDLE_LOCK_MINUTES", "0")
    assert minutes_and_warnings(data) == (0, [])
    monkeypatch.setenv("INSPECTOR_IDLE_LOCK_MINUTES", "soon")
    minutes, warnings = minutes_and_warnings(data)
    assert minutes == 15 and len(warnings) == 1 and "INSPECTOR_IDLE_LOCK_MINUTES" in warnings[0]


async def test_answering_the_last_item_shows_it_saved(demo_world: Any, settle: Any, wait_until: Any) -> None:
    """On the last item there is no next one to move to: the screen must still show the save."""
    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        walk.go(len(walk.order) - 1)
        await settle(pilot)
        last = walk.current
        await pilot.press("1")
        await wait_until(pilot, lambda: last in walk.findings and walk.in_flight == 0)
        assert walk.current == last
        assert "signed & saved" in text_of(walk.query_one(SaveState))
        assert f"1/{len(walk.order)} answered" in walk.position_text


async def test_saving_notice_only_for_a_slow_save(demo_world: Any, settle: Any, wait_until: Any) -> None:
    """'saving…' is painted only when the save outlives the delay (a normal save skips that frame)."""
    from inspector.tui.messages import SaveJob

    app = InspectorApp(demo_world.data, demo_passphrase=demo_world.passphrase)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        walk = await start_audit(pilot, settle, wait_until)
        job = SaveJob(item=walk.current, status="conform", note=None, due=None, reason=None, evidence=[], advance=True)
        walk.saving_job = None
        walk._still_saving(job)  # the save already came back: nothing to say
        assert "signing and saving" not in text_of(walk.query_one(SaveState))
        walk.saving_job = job
        walk._still_saving(job)  # still running after the delay: say so
        assert f"signing and saving {job.item}" in text_of(walk.query_one(SaveState))


# -- the app's contract with its screens ------------------------------------------------------------


def test_no_screen_or_widget_imports_the_app() -> None:
    """Screens see the app as ``AppServices`` only (not even under TYPE_CHECKING): no cycle."""
    import ast

    import inspector.tui

    root = Path(inspector.tui.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "app.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "inspector.tui.app" or name.startswith("inspector.tui.app.") for name in names):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


def test_both_apps_provide_the_services_screens_use(demo_world: Any) -> None:
    from inspector.tui.protocols import AppServices, ItemPalette, QuitGuard

    from .harness import HarnessApp

    real = InspectorApp(demo_world.data)
    harness = HarnessApp(real.session, lambda: HomeScreen())
    assert isinstance(real, AppServices) and isinstance(harness, AppServices)
    walk, home = WalkScreen("some-audit"), HomeScreen()
    assert isinstance(walk, QuitGuard) and isinstance(walk, ItemPalette)
    assert not isinstance(home, QuitGuard) and not isinstance(home, ItemPalette)


async def test_home_follows_the_key_locking_and_unlocking(demo_world: Any, settle: Any) -> None:
    """The app announces the key's state on ``key_state_signal``; the home screen shows it."""
    app = InspectorApp(demo_world.data)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot, settle, demo_world.passphrase)
        home = app.screen
        key_line = home.query_one("#home-key", Static)
        assert "unlocked" in text_of(key_line)
        await pilot.press("ctrl+l")  # lock now: the modal asks again at once
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen) and not app.session.unlocked
        assert "locked" in text_of(key_line) and "unlocked" not in text_of(key_line)
        await pilot.press("escape")  # not now
        await settle(pilot)
        assert app.screen is home and "unlocked" not in text_of(key_line)
        await pilot.press("ctrl+l")  # locked: ctrl+l asks for the passphrase
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        app.screen.query_one("#passphrase", Input).value = demo_world.passphrase
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is home and app.session.unlocked
        assert "unlocked" in text_of(key_line)


async def test_first_run_focuses_the_input_at_fault(tmp_path: Path, settle: Any) -> None:
    from inspector.paths import DataDir

    data = DataDir(tmp_path / "fresh")
    app = InspectorApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen)
        for field, value in (("#name", "Asha Verma"), ("#auditor-id", "AUD 042"), ("#pass1", "x"), ("#pass2", "x")):
            screen.query_one(field, Input).value = value
        await pilot.click("#create")
        await settle(pilot)
        assert "is not a valid id" in text_of(screen.query_one("#first-run-error", Static))
        assert app.focused is screen.query_one("#auditor-id", Input)
        screen.query_one("#auditor-id", Input).value = "AUD-042"
        await pilot.click("#create")
        await settle(pilot)
        assert "at least 8 characters" in text_of(screen.query_one("#first-run-error", Static))
        assert app.focused is screen.query_one("#pass1", Input)
        assert screen.query_one("#pass2", Input).value == ""
        assert not data.auditor_key.exists()
