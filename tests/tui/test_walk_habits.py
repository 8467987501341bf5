"""The walk's habits (issue 14): a held key records once, a changed status asks first, the
evidence picker opens where the files are, the layout holds at 80 columns, and every word
follows the session's language."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Button, Input, Static

from inspector.audit.service import AuditService
from inspector.crypto.keystore import unlock
from inspector.tui.screens.confirm import ChangeStatusScreen
from inspector.tui.screens.walk import WalkScreen
from inspector.tui.screens.walk_keys import REPEAT_WINDOW, RepeatGuard
from inspector.tui.widgets.file_picker import FilePicker, FileTree, evidence_folder, human_size, remember_folder
from inspector.tui.widgets.item_view import bullet_list
from inspector.tui.widgets.save_state import SaveState

from .harness import CORRECTIVE_ANSWERS, STATION_HI, HarnessApp, World, screen_text

SIZE = (100, 34)


def text_of(widget: Static) -> str:
    return str(widget.content)


@pytest.fixture
def world(demo_world: Any) -> World:
    return World(demo_world.data, unlock(demo_world.data.auditor_key, demo_world.passphrase))


def clock(step: float) -> Callable[[Any], float]:
    """A key clock on which successive keys arrive ``step`` seconds apart."""
    ticks = itertools.count()
    return lambda _event: next(ticks) * step


async def open_walk(pilot: Any, settle: Any, step: float | None = None) -> WalkScreen:
    await settle(pilot)
    walk = pilot.app.screen
    assert isinstance(walk, WalkScreen) and walk.checklist is not None
    if step is not None:
        walk.key_clock = clock(step)
    return walk


def history(world: World, audit_id: str, item: str) -> list[Any]:
    """The item's findings as stored, oldest first."""
    with AuditService(world.data).open(audit_id, writable=False) as audit:
        return list(audit.history(item))


def hosted(world: World, audit_id: str, lang: str = "en") -> HarnessApp:
    session = world.session()
    session.lang = lang
    return HarnessApp(session, lambda: WalkScreen(audit_id))


# -- a held key ---------------------------------------------------------------------------------


def test_the_repeat_window_covers_the_delay_before_a_held_key_repeats() -> None:
    guard = RepeatGuard()
    assert not guard.is_repeat("1", 0.0, True)
    assert guard.is_repeat("1", 0.66, True)  # X11's default delay before the first repeat
    assert guard.is_repeat("1", 0.70, True)  # then every 40 ms: each restarts the window
    assert not guard.is_repeat("1", 0.70 + REPEAT_WINDOW, True)
    assert not guard.is_repeat("n", 0.71 + REPEAT_WINDOW, False)
    assert not guard.is_repeat("1", 0.72 + REPEAT_WINDOW, True)  # another key between: deliberate


async def test_a_held_status_key_records_one_finding(world: World, settle: Any) -> None:
    audit_id = world.new_audit()
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle, step=0.04)  # a key repeating at 25/s
        first = walk.current
        await pilot.press(*"1" * 8)
        await settle(pilot)
        assert list(walk.findings) == [first]
        assert "held key ignored" in text_of(walk.query_one(SaveState))
    assert len(history(world, audit_id, first)) == 1


async def test_status_keys_at_a_human_pace_record_each_item(world: World, settle: Any) -> None:
    audit_id = world.new_audit()
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle, step=1.5)  # reading each item before answering
        items = walk.order[:3]
        for _ in items:
            await pilot.press("1")
            await settle(pilot)
        assert sorted(walk.findings) == sorted(items)
        assert all(f.status.value == "conform" for f in walk.findings.values())


async def test_another_key_between_two_quick_presses_makes_both_deliberate(world: World, settle: Any) -> None:
    audit_id = world.new_audit()
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle, step=0.05)
        first, second = walk.order[:2]
        await pilot.press("1")  # first item, on to the second
        await settle(pilot)
        await pilot.press("p", "n", "1")  # back and forth between the presses: quick, but not held
        await settle(pilot)
        assert sorted(walk.findings) == sorted([first, second])


async def test_keys_pressed_in_a_modal_do_not_make_the_next_press_a_repeat(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle, step=0.05)
        walk.goto_item("MAL-03")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, ChangeStatusScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("1")  # asked again, not taken for a held key
        await settle(pilot)
        assert isinstance(app.screen, ChangeStatusScreen)


# -- a changed status asks first ----------------------------------------------------------------


async def test_a_status_change_asks_first_and_cancel_changes_nothing(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)  # MAL-03 is a minor nonconformity
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-03")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        assert text_of(modal.query_one("#change-line", Static)) == "Minor nonconformity  →  Not applicable"
        assert modal.query("#change-reason")  # N/A needs a written reason
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is walk and walk.current == "MAL-03"
        assert "not changed, still Minor" in text_of(walk.query_one(SaveState))
        assert walk.findings["MAL-03"].status.value == "minor"
    assert [f.status.value for f in history(world, audit_id, "MAL-03")] == ["minor"]


async def test_a_change_to_na_needs_its_reason_and_records_it(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-03")
        await settle(pilot)
        await pilot.click("#status-na")  # the mouse asks too
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        await pilot.press("enter")  # no reason yet: refused, still asking
        await settle(pilot)
        assert app.screen is modal
        assert "reason is required" in text_of(modal.query_one("#change-error", Static))
        await pilot.press(*"no case property is disposed of here", "enter")
        await settle(pilot)
        assert app.screen is walk
    records = history(world, audit_id, "MAL-03")
    assert [(f.status.value, f.reason, f.revision) for f in records] == [
        ("minor", None, 1),
        ("na", "no case property is disposed of here", 2),
    ]


async def test_a_change_without_required_input_is_confirmed_with_y(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)  # MAL-02: an observation with a note
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-02")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        assert not modal.query(Input)  # the note is there; a major needs no reason
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is walk
        assert walk.findings["MAL-02"].status.value == "major"


async def test_a_downgrade_asks_for_the_reason_and_the_note_the_rules_require(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)  # MAL-01: critical, conform, no note
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-01")
        await settle(pilot)
        await pilot.press("2")  # minor on a critical item: a reason; a nonconformity here: a note
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        assert modal.query("#change-reason") and modal.query("#change-note")
        await pilot.press(*"seals intact, labels faded", "enter")
        await settle(pilot)
        assert app.screen is modal and "note is required" in text_of(modal.query_one("#change-error", Static))
        modal.query_one("#change-note", Input).value = "two labels unreadable"
        await pilot.click("#change-ok")
        await settle(pilot)
        # confirmed; the rules still want a file for it, and the save says so, input kept
        assert app.screen is walk
        assert "needs an evidence file" in text_of(walk.query_one(SaveState))
        assert walk.findings["MAL-01"].status.value == "conform"
        assert (walk.drafts["MAL-01"].reason, walk.drafts["MAL-01"].note) == (
            "seals intact, labels faded",
            "two labels unreadable",
        )


# -- the evidence picker ------------------------------------------------------------------------


def test_the_evidence_picker_opens_in_the_inbox_then_in_the_last_folder(tmp_path: Path) -> None:
    data_root = tmp_path / "data"
    data_root.mkdir()
    assert evidence_folder(data_root) == data_root / "inbox" and (data_root / "inbox").is_dir()
    camera = tmp_path / "camera"
    camera.mkdir()
    remember_folder(data_root, camera / "photo.jpg")
    assert evidence_folder(data_root) == camera
    assert evidence_folder(tmp_path / "other") != camera  # remembered per data directory
    assert [human_size(n) for n in (812, 2048, 5 * 1024 * 1024)] == ["812 B", "2.0 KB", "5.0 MB"]


async def test_the_picker_hides_dot_files_and_shows_size_and_type(tmp_path: Path, settle: Any, world: World) -> None:
    folder = tmp_path / "evidence"
    (folder / ".cache").mkdir(parents=True)
    (folder / ".hidden.txt").write_text("x")
    (folder / "photo.jpg").write_bytes(b"\xff" * 2048)
    (folder / "scans").mkdir()
    app = HarnessApp(world.session(), lambda: FilePicker(folder))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.screen.query_one(FileTree)
        for _ in range(20):
            await settle(pilot)
            if tree.root.children:
                break
        names = [str(node.label) for node in tree.root.children]
        assert names == ["scans", "photo.jpg"]
        photo = tree.root.children[1]
        label = tree.render_label(photo, tree.rich_style, tree.rich_style).plain
        assert label.endswith("photo.jpg  2.0 KB · image/jpeg")


async def test_attach_opens_the_inbox_and_then_where_the_last_file_came_from(
    world: World, settle: Any, tmp_path: Path
) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    camera = tmp_path / "camera"
    camera.mkdir()
    photo = camera / "register.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-03")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, FilePicker) and picker.start == world.data.root / "inbox"
        picker.query_one("#picker-path", Input).value = str(photo)
        await pilot.click("#picker-ok")
        await settle(pilot)
        assert app.screen is walk
        assert "register.jpg" in text_of(walk.query_one("#evidence-line", Static))  # the stored file, by name
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, FilePicker) and app.screen.start == camera


# -- 80 columns -----------------------------------------------------------------------------------


async def test_the_walk_fits_80_columns(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    long_note = "the register shows " + "entries without the countersignature of the SHO, " * 3 + "END"
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-03")
        walk.draft("MAL-03").note = long_note
        walk.show_current()
        await settle(pilot)
        note = walk.query_one("#note", Input)
        assert note.cursor_position == 0 and note.scroll_offset.x == 0  # its beginning shows
        reason = walk.query_one("#reason", Input)
        assert reason.content_region.width >= len(reason.placeholder)  # the placeholder is whole
        lines = screen_text(app).splitlines()
        assert "Home" in lines[-1] and "palette" in lines[-1]  # the footer is whole
        assert all(w in lines[-1] for w in ("Next", "Prev", "Unanswered", "Summary"))


async def test_wrapped_evidence_entries_keep_their_indent(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await open_walk(pilot, settle)
        assert walk.checklist is not None
        item = walk.checklist.items[walk.current]
        long_entry = "the register of case property with every entry of the last three months " * 2
        console = Console(width=40, record=True, file=io.StringIO())
        console.print(bullet_list(Text("Evidence to look for:"), [*item.evidence, long_entry]))
        rows = console.export_text().splitlines()
        wrapped = rows[1 + len(item.evidence) :]
        assert len(wrapped) > 1 and all(row.startswith("   ") for row in wrapped[1:])


# -- Hindi ----------------------------------------------------------------------------------------


async def test_l_switches_every_word_of_the_walk_to_hindi_and_back(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        await pilot.press("l")
        await settle(pilot)
        assert app.session.lang == "hi"
        assert str(walk.query_one("#status-conform", Button).label) == "1 अनुरूप"
        assert walk.query_one("#reason", Input).placeholder == "लागू नहीं या ग्रेड घटाने पर"
        assert walk.active_bindings["n"].binding.description == "अगला"
        assert walk.active_bindings["l"].binding.description == "English"
        assert "उत्तरित" in walk.position_text
        assert walk.sub_title == f"GBN-S39 {STATION_HI} · प्रमाणन · {walk.current}"
        assert text_of(walk.query_one("#item-guidance", Static)).startswith("मार्गदर्शन\n")
        assert "हर मद" not in walk.help_text("en") and "कुंजियाँ" in walk.help_text("hi")
        app.set_language("en")  # from elsewhere (another screen, f2): the walk follows
        await settle(pilot)
        assert str(walk.query_one("#status-conform", Button).label) == "1 Conform"
        assert walk.active_bindings["n"].binding.description == "Next"
        assert "answered" in walk.position_text


async def test_the_change_question_and_refusals_are_in_hindi(world: World, settle: Any) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id, lang="hi")
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_walk(pilot, settle)
        walk.goto_item("MAL-03")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        assert text_of(modal.query_one("#change-line", Static)) == "लघु गैर-अनुरूपता  →  लागू नहीं"
        await pilot.press("escape")
        await settle(pilot)
        assert "नहीं बदला" in text_of(walk.query_one(SaveState))
        walk.goto_item("MAL-01")  # a minor here needs a file too: the refusal is in Hindi
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ChangeStatusScreen)
        modal.query_one("#change-reason", Input).value = "मुहरें सही, लेबल फीके"
        modal.query_one("#change-note", Input).value = "दो लेबल पढ़ने योग्य नहीं"
        await pilot.click("#change-ok")
        await settle(pilot)
        assert app.screen is walk
        saved = text_of(walk.query_one(SaveState))
        assert "सहेजा नहीं गया" in saved and "साक्ष्य फ़ाइल आवश्यक" in saved
