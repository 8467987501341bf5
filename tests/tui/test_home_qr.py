"""The home screen tells audits apart in words (no internal codes), the QR screen's PNG way out
when the terminal is too small, and the certificate screen's files kept in the data directory."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from inspector.certificates import qr
from inspector.tui.screens.certificate import CertificateScreen
from inspector.tui.screens.home import HomeScreen
from inspector.tui.screens.qr import QRScreen
from inspector.tui.widgets.audit_table import AuditTable, long_decision, short_decision
from inspector.tui.words.home import WORDS as HOME_WORDS

from .harness import (
    CERTIFY_ANSWERS,
    CERTIFY_PLANNED,
    CORRECTIVE_ANSWERS,
    HarnessApp,
    World,
    build_world,
    screen_text,
    settle,
)

Scenario = Callable[[Any], Awaitable[None]]
# The decision codes of inspector.audit.decision and the first release: none may reach the screen.
CODES = re.compile(
    r"recommend-|corrective-action-pending|new-stage2|ready-for-stage2|stage1-concerns|nothing-applicable|no due date"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("home-qr") / "d")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (100, 30)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def row_cells(table: AuditTable, audit_id: str) -> list[str]:
    return [str(cell) for cell in table.get_row(audit_id)]


# -- home -------------------------------------------------------------------------------------------
def test_home_tells_audits_of_one_station_apart_and_an_incomplete_one_is_not_certify(world: World) -> None:
    partial = world.new_audit({"MAL-01": ("conform", None, None, None)})
    pending = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    certifiable = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    app = HarnessApp(world.session(), lambda: HomeScreen(data_label="DATA"))

    async def scenario(pilot: Any) -> None:
        table = app.screen.query_one(AuditTable)
        rows = {audit: row_cells(table, audit) for audit in (partial, pending, certifiable)}
        assert rows[partial][2] == "stage 2" and rows[partial][4] == "1/5"
        assert rows[partial][6] == "in progress"  # not "certify": it has no decision yet
        assert rows[pending][6] == "CA pending" and rows[certifiable][6] == "certify"
        assert len({tuple(cells) for cells in rows.values()}) == 3  # each row reads differently
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", rows[partial][3])  # the day it was opened

        table.move_cursor(row=table.get_row_index(partial))
        await settle(pilot)
        detail = str(app.screen.query_one("#home-detail", Static).content)
        assert "in progress: 4 items still to answer" in detail and "certif" not in detail.split("Decision")[1]

        table.move_cursor(row=table.get_row_index(pending))
        await settle(pilot)
        detail = str(app.screen.query_one("#home-detail", Static).content)
        assert "Decision: [b]corrective action pending[/b]" in detail
        assert "Follow-up: 2 without a plan, 0 planned, 0 verified effective" in detail

        table.move_cursor(row=table.get_row_index(certifiable))
        await settle(pilot)
        detail = str(app.screen.query_one("#home-detail", Static).content)
        assert "Follow-up: 0 without a plan, 1 planned, 0 verified effective" in detail
        assert not CODES.search(screen_text(app))

    run(app, scenario)


def test_home_in_hindi_has_hindi_headers_cells_and_details(world: World) -> None:
    world.new_audit({"MAL-01": ("conform", None, None, None)})
    session = world.session()
    app = HarnessApp(session, lambda: HomeScreen(data_label="DATA"))

    async def scenario(pilot: Any) -> None:
        app.set_language("hi")
        await settle(pilot)
        table = app.screen.query_one(AuditTable)
        headers = [str(column.label) for column in table.columns.values()]
        assert headers == [
            HOME_WORDS("hi", f"col_{key}") for key in ("station", "name", "type", "opened", "done", "score", "state")
        ]
        cells = [row_cells(table, str(key.value)) for key in table.rows]
        assert any(c[2] == "चरण 2" and c[6] == "जारी" for c in cells)
        detail = str(app.screen.query_one("#home-detail", Static).content)
        assert "निर्णय:" in detail
        key_line = str(app.screen.query_one("#home-key", Static).content)
        assert "ऑडिटर" in key_line and "अनलॉक" in key_line
        assert not CODES.search(screen_text(app))

    run(app, scenario)


def test_decision_codes_become_words_and_an_unknown_code_never_shows() -> None:
    assert short_decision("recommend-after-corrective-action") == "after CA"  # audits of the first release
    assert long_decision("recommend-after-corrective-action") == "certify after corrective action"
    assert short_decision("some-future-code") == "see summary"
    assert "some-future-code" not in long_decision("some-future-code", "hi")
    for code in ("incomplete", "corrective-action-pending", "recommend-certification", "stage1-concerns"):
        assert not CODES.search(short_decision(code)) and not CODES.search(long_decision(code, "hi"))


# -- QR ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def issued(world: World) -> Any:
    return world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True))


def test_a_small_terminal_is_told_the_size_needed_and_p_writes_the_png_into_the_data_dir(
    world: World, issued: Any
) -> None:
    app = HarnessApp(world.session(), lambda: QRScreen(issued.qr_text, "ABCD · GBN-S39"))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, QRScreen) and not screen.fits
        said = str(screen.query_one("#qr-too-small", Static).content)
        assert "This terminal is 80x24; the code with its caption needs 80x41 (columns x rows)" in said
        assert "press p to save the code as a PNG" in said
        await pilot.press("p")
        await settle(pilot)
        png = world.data.root / "certificates" / "qr-code.png"
        assert screen.saved == png
        assert qr.decode_image(png) == [issued.qr_text]
        assert str(png) in str(screen.query_one("#qr-saved", Static).content)

    run(app, scenario, size=(80, 24))


def test_the_qr_screen_in_hindi_says_the_size_in_hindi(world: World, issued: Any) -> None:
    session = world.session()
    session.lang = "hi"
    app = HarnessApp(session, lambda: QRScreen(issued.qr_text, "ABCD · GBN-S39"))

    async def scenario(pilot: Any) -> None:
        said = str(app.screen.query_one("#qr-too-small", Static).content)
        assert "यह टर्मिनल 80x24 है" in said and "80x41" in said
        app.set_language("en")
        await settle(pilot)
        assert "This terminal is 80x24" in str(app.screen.query_one("#qr-too-small", Static).content)

    run(app, scenario, size=(80, 24))


def test_a_png_that_cannot_be_written_says_why_and_the_screen_stays(world: World, issued: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = HarnessApp(world.session(), lambda: QRScreen(issued.qr_text, "ABCD · GBN-S39", png_dir=blocker / "sub"))

    async def scenario(pilot: Any) -> None:
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QRScreen) and screen.saved is None
        assert "cannot write the PNG" in str(screen.query_one("#qr-saved", Static).content)

    run(app, scenario, size=(80, 24))


# -- certificate ------------------------------------------------------------------------------------
def test_the_certificate_screen_exports_into_the_data_dir_by_default(world: World, issued: Any) -> None:
    session = world.session()
    app = HarnessApp(session, lambda: CertificateScreen(session, issued.record_path))
    folder = world.data.root / "certificates"

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, CertificateScreen)
        assert screen.query_one("#cert-export-dir", Input).value == str(folder)
        await pilot.press("e")
        await settle(pilot)
        assert screen.exported and all(Path(path).parent == folder for path in screen.exported.values())
        assert (folder / f"certificate-{issued.body.cert_id}.pdf").read_bytes().startswith(b"%PDF")
        await pilot.press("q")
        await settle(pilot)
        qr_screen = app.screen
        assert isinstance(qr_screen, QRScreen) and qr_screen.png_dir == folder
        assert qr_screen.png_name == f"certificate-{issued.body.cert_id}-qr.png"

    run(app, scenario, size=(160, 30))


def test_the_certificate_screen_in_hindi(world: World, issued: Any) -> None:
    session = world.session()
    app = HarnessApp(session, lambda: CertificateScreen(session, issued.record_path))

    async def scenario(pilot: Any) -> None:
        app.set_language("hi")
        await settle(pilot)
        details = str(app.screen.query_one("#cert-details", Static).content)
        assert "परिणाम" in details and "प्रमाणित" in details and "वैध" in details
        assert "प्रमाणपत्र" in str(app.screen.query_one("#cert-title", Static).content)

    run(app, scenario, size=(120, 30))


# -- the other shell screens in Hindi ---------------------------------------------------------------
def test_verify_in_hindi_says_the_verdict_in_hindi_and_f5_clears(world: World, issued: Any) -> None:
    from inspector.tui.screens.verify import ScanInput, VerifyScreen
    from inspector.tui.widgets.verdict import VerdictBanner

    session = world.session()
    session.lang = "hi"
    app = HarnessApp(session, lambda: VerifyScreen(session))

    async def scenario(pilot: Any) -> None:
        assert "स्कैन" in str(app.screen.query_one("#verify-help", Static).content)
        forged = issued.qr_text[:-3] + ("AAA" if not issued.qr_text.endswith("AAA") else "BBB")
        app.screen.query_one(ScanInput).value = forged
        await pilot.press("enter")
        await settle(pilot)
        banner = app.screen.query_one(VerdictBanner)
        assert banner.word == "INVALID" and banner.label == "अमान्य" and "स्वीकार न करें" in banner.caption
        assert "अमान्य क्यों है" in str(app.screen.query_one("#verify-reasons", Static).content)
        app.set_language("en")
        await settle(pilot)
        assert banner.label == "" and banner.caption.startswith("do not accept")
        await pilot.press("f5")
        await settle(pilot)
        assert banner.word is None

    run(app, scenario)


def test_new_audit_in_hindi_and_back(world: World) -> None:
    from textual.widgets import Button, Select

    from inspector.tui.screens.new_audit import NewAuditScreen

    session = world.session()
    session.lang = "hi"
    app = HarnessApp(session, lambda: NewAuditScreen())

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert str(screen.query_one("#new-title", Static).content) == "नया ऑडिट"
        assert str(screen.query_one("#start", Button).label) == "ऑडिट शुरू करें"
        kinds = screen.query_one("#audit-type", Select)
        kinds.value = "surveillance"
        app.set_language("en")
        await settle(pilot)
        assert str(screen.query_one("#start", Button).label) == "Start audit"
        assert kinds.value == "surveillance"  # the choice survives the switch
        assert "Surveillance" in [str(label) for label, _ in kinds._options]

    run(app, scenario)


async def test_first_run_in_hindi_says_form_errors_in_hindi(tmp_path: Path) -> None:
    from inspector.paths import DataDir
    from inspector.tui.app import InspectorApp
    from inspector.tui.screens.first_run import FirstRunScreen

    data = DataDir(tmp_path / "fresh")
    data.root.mkdir()
    data.config.write_text('[tui]\nlanguage = "hi"\n', encoding="utf-8")
    app = InspectorApp(data)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstRunScreen)
        assert "स्वागत" in str(screen.query_one("#first-run-intro", Static).content)
        for field, value in (("#name", "Asha"), ("#auditor-id", "AUD-042"), ("#pass1", "short"), ("#pass2", "short")):
            screen.query_one(field, Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "कम से कम 8 अक्षर" in str(screen.query_one("#first-run-error", Static).content)
        await pilot.press("f2")
        await settle(pilot)
        assert "at least 8 characters" in str(screen.query_one("#first-run-error", Static).content)
