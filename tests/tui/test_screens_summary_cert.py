"""Pilot tests of the summary, certificate and QR screens, asserting on what is stored too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from inspector.certificates import qr
from inspector.certificates.model import load_record_file, qr_text_of
from inspector.certificates.verify import verify_payload
from inspector.tui.screens.certificate import CertificateScreen
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.screens.qr import QRScreen
from inspector.tui.screens.summary import SummaryScreen

from .harness import (
    CERTIFY_ANSWERS,
    CERTIFY_PLANNED,
    CORRECTIVE_ANSWERS,
    STATION_HI,
    HarnessApp,
    World,
    build_world,
    screen_text,
    settle,
    text_of,
)

Scenario = Callable[[Any], Awaitable[None]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("summary-cert") / "d")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def stored(world: World, audit_id: str) -> tuple[bool, Any]:
    with world.session().audits.open(audit_id, writable=False) as audit:
        return audit.is_closed, audit.seal()


# -- summary ------------------------------------------------------------------------------------


def test_summary_shows_scores_nonconformities_and_decision(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = HarnessApp(world.session(), lambda: SummaryScreen(world.session(), audit_id))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        assert screen.view is not None and screen.view.score.percent == 78
        decision = text_of(app, "#summary-decision")
        assert "corrective action pending" in decision and "(provisional: open)" in decision
        assert "minor nonconformity MAL-03 has no accepted corrective-action plan" in decision
        assert "minor nonconformity WHD-02 has no accepted corrective-action plan" in decision
        assert "below" not in decision  # the score is a measure: no threshold decides
        ncs = text_of(app, "#summary-ncs")
        assert "Nonconformities (2)" in ncs
        assert "MAL-03  minor no plan yet" in ncs and "clause 8.5.4" in ncs and "due 2099-03-31" in ncs
        assert "WHD-02" in ncs and "clause 7.5.3" in ncs and "due 2099-04-30" in ncs
        assert "5 of 5 items answered · not applicable 0 (0%)" in text_of(app, "#summary-status")
        assert text_of(app, "#summary-station-hi") == STATION_HI
        shown = screen_text(app)
        assert "Score 78% (a measure)" in shown
        assert "MAL        80%" in shown and "WHD        75%" in shown and "Overall    78%" in shown
        # open and complete: it may be closed; no certificate from an open audit
        assert screen.check_action("close_audit", ()) is True
        assert screen.check_action("issue_certificate", ()) is False

    run(app, scenario, size=(100, 40))


def test_close_asks_first_then_seals_the_audit(world: World) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED)
    app = HarnessApp(world.session(), lambda: SummaryScreen(world.session(), audit_id))

    async def scenario(pilot: Any) -> None:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # cancelled: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert stored(world, audit_id) == (False, None)
        assert app.unlock_requests == 0

        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        closed, seal = stored(world, audit_id)
        assert closed and seal is not None
        assert seal.payload.decision == "recommend-certification" and seal.payload.percent == 85
        assert app.unlock_requests == 1
        assert "closed and sealed" in text_of(app, "#summary-status")
        assert seal.payload.findings_root[:32] in text_of(app, "#summary-sealed")
        assert "audit closed and sealed: decision recommend certification" in text_of(app, "#summary-message")
        assert "MAL-03  minor plan accepted" in text_of(app, "#summary-ncs")
        assert "plan: a monthly review of disposal orders (owner Ravi Kumar, SI" in text_of(app, "#summary-ncs")
        # read-only now: closing is gone, issuing is offered
        assert screen.check_action("close_audit", ()) is False
        assert screen.check_action("issue_certificate", ()) is True

    run(app, scenario)


def test_close_refused_while_items_are_unanswered(world: World) -> None:
    answers = {item: CERTIFY_ANSWERS[item] for item in ("MAL-01", "MAL-02", "WHD-01")}
    audit_id = world.new_audit(answers)
    app = HarnessApp(world.session(), lambda: SummaryScreen(world.session(), audit_id))

    async def scenario(pilot: Any) -> None:
        assert "incomplete: not every item is answered" in text_of(app, "#summary-decision")
        assert "2 of 5 items not yet answered" in text_of(app, "#summary-decision")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)  # no confirmation for what cannot happen
        assert "cannot close the audit: 2 of 5 items unanswered (MAL-03, WHD-02)" in text_of(app, "#summary-message")
        assert stored(world, audit_id) == (False, None)

    run(app, scenario)


def test_close_without_the_key_leaves_the_audit_open(world: World) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED)
    session = world.session(unlocked=False)
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.unlock_requests == 1
        assert "the audit stays open" in text_of(app, "#summary-message")
        assert stored(world, audit_id) == (False, None)

    run(app, scenario)


def test_close_failing_in_the_core_says_why_and_stays_usable(world: World) -> None:
    """A worker's failure comes back as the screen's ``Failed`` message with the core's words."""
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        with world.session().audits.open(audit_id, writable=True):  # another writer holds the lock
            await pilot.press("c")
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen) and not screen.busy
        message = screen.query_one("#summary-message", Static)
        assert "open elsewhere" in str(message.content) and message.has_class("-error")
        assert stored(world, audit_id) == (False, None)
        assert screen.check_action("close_audit", ()) is True  # try again once the other writer is done

    run(app, scenario)


def test_issue_certificate_writes_the_record_and_shows_it(world: World) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        assert app.screen.check_action("issue_certificate", ()) is True
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CertificateScreen)
        records = list((world.data.audit_dir(audit_id) / "certificates").glob("*.json"))
        assert len(records) == 1 and screen.cert_path == records[0]
        _, body = load_record_file(records[0])
        assert screen.body == body and body.audit_id == audit_id and body.score == 85
        trust, crl = session.trust_lists()
        assert verify_payload(qr_text_of(body), trust, crl).valid
        shown = screen_text(app)
        assert body.display_id in shown and "certified, score 85% (0 major, 1 minor)" in shown
        assert text_of(app, "#cert-station-hi") == STATION_HI

        await pilot.press("escape")  # back on the summary, which now lists the certificate
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert body.display_id in text_of(app, "#summary-sealed")
        assert app.screen.check_action("view_certificate", ()) is True
        # One certificate per audit: once issued, ``i`` is no longer offered and ``v`` shows it.
        assert app.screen.check_action("issue_certificate", ()) is False
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert len(list((world.data.audit_dir(audit_id) / "certificates").glob("*.json"))) == 1
        await pilot.press("v")  # the issued one, again
        await settle(pilot)
        assert isinstance(app.screen, CertificateScreen) and app.screen.cert_path == records[0]

    run(app, scenario)


def test_issue_refused_when_the_decision_does_not_allow_it(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = HarnessApp(world.session(), lambda: SummaryScreen(world.session(), audit_id))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        assert screen.check_action("issue_certificate", ()) is False
        assert not screen.query_one("#summary-issue").display
        screen.action_issue_certificate()
        await settle(pilot)
        message = text_of(app, "#summary-message")
        assert message.startswith("no certificate can be issued: decision is corrective-action-pending")
        assert not (world.data.audit_dir(audit_id) / "certificates").exists()

    run(app, scenario)


# -- certificate --------------------------------------------------------------------------------


def test_export_writes_the_files(world: World, tmp_path: Path) -> None:
    issued = world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True))
    out = tmp_path / "printouts"
    session = world.session()
    app = HarnessApp(session, lambda: CertificateScreen(session, issued.record_path, export_dir=str(out)))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, CertificateScreen)
        assert screen.query_one("#cert-export-dir", Input).value == str(out)
        await pilot.press("e")
        await settle(pilot)
        stem = f"certificate-{issued.body.cert_id}"
        expected = {
            "json": out / f"{stem}.json",
            "png": out / f"{stem}-qr.png",
            "svg": out / f"{stem}-qr.svg",
            "html": out / f"{stem}.html",
            "pdf": out / f"{stem}.pdf",
        }
        assert screen.exported == {fmt: str(path) for fmt, path in expected.items()}
        for path in expected.values():
            assert path.stat().st_size > 0
        assert expected["pdf"].read_bytes().startswith(b"%PDF")
        assert expected["png"].read_bytes().startswith(b"\x89PNG")
        assert qr.decode_image(expected["png"]) == [issued.qr_text]
        assert f"pdf  {expected['pdf']}" in text_of(app, "#cert-exported")

    run(app, scenario, size=(160, 30))


def test_export_to_an_unusable_folder_says_why(world: World, tmp_path: Path) -> None:
    issued = world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    session = world.session()
    app = HarnessApp(session, lambda: CertificateScreen(session, issued.record_path))

    async def scenario(pilot: Any) -> None:
        folder = app.screen.query_one("#cert-export-dir", Input)
        assert folder.value == str(world.data.root / "certificates")
        await pilot.press("d")
        assert folder.has_focus
        folder.value = str(blocker / "sub")
        await pilot.press("enter")  # Enter in the folder field exports too
        await settle(pilot)
        assert isinstance(app.screen, CertificateScreen)
        said = text_of(app, "#cert-exported")
        assert said.startswith("output directory") and str(blocker) in said  # the core's words
        assert app.screen.query_one("#cert-exported").has_class("-error")
        await pilot.click("#cert-export")  # again, with the mouse: the error's field is the folder
        await settle(pilot)
        assert folder.has_focus

    run(app, scenario)


def test_certificate_opens_its_qr_code(world: World) -> None:
    issued = world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True))
    session = world.session()
    app = HarnessApp(session, lambda: CertificateScreen(session, issued.record_path))

    async def scenario(pilot: Any) -> None:
        await pilot.press("q")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QRScreen)
        assert screen.text == issued.qr_text
        assert screen.caption == f"{issued.body.display_id} · GBN-S39"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CertificateScreen)

    run(app, scenario, size=(100, 45))


# -- QR -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def qr_text(world: World) -> str:
    return str(world.issue(world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)).qr_text)


def qr_app(world: World, text: str, invert: bool | None = None) -> HarnessApp:
    return HarnessApp(world.session(), lambda: QRScreen(text, "ABCD-EFGH-IJKL-MNOP · GBN-S39", invert=invert))


def test_qr_says_the_terminal_is_too_small_at_80x24(world: World, qr_text: str) -> None:
    app = qr_app(world, qr_text)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, QRScreen)
        assert len(qr.terminal_lines(qr_text)) == 39  # a version 13 code: 77x39
        assert not screen.fits
        assert not screen.query_one("#qr-code").display
        message = text_of(app, "#qr-too-small")
        assert "too small" in message
        assert "This terminal is 80x24" in message
        assert "Enlarge the terminal to at least 80x41" in message and "PNG/PDF" in message
        assert "█" not in screen_text(app)  # no partial code drawn

    run(app, scenario, size=(80, 24))


def test_qr_draws_the_code_when_it_fits(world: World, qr_text: str) -> None:
    app = qr_app(world, qr_text, invert=False)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, QRScreen)
        assert screen.fits
        code = screen.query_one("#qr-code", Static)
        expected = qr.terminal_lines(qr_text, invert=False)
        assert str(code.content).split("\n") == expected
        assert (code.size.width, code.size.height) == (77, 39)  # all of it, nothing clipped
        shown = screen_text(app).split("\n")
        assert any(line.strip() == expected[10].strip() for line in shown)
        assert "ABCD-EFGH-IJKL-MNOP · GBN-S39" in text_of(app, "#qr-caption")

        await pilot.press("i")  # for light-on-dark terminals
        await pilot.pause()
        assert screen.invert
        assert str(code.content).split("\n") == qr.terminal_lines(qr_text, invert=True)

    run(app, scenario, size=(100, 45))


def test_qr_follows_the_theme_and_rechecks_on_resize(world: World, qr_text: str) -> None:
    app = qr_app(world, qr_text)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, QRScreen)
        assert screen.invert is app.current_theme.dark  # dark theme: glyphs paint the light modules
        assert not screen.fits
        await pilot.resize_terminal(100, 45)
        await pilot.pause()
        assert screen.fits
        assert str(screen.query_one("#qr-code", Static).content).split("\n") == qr.terminal_lines(
            qr_text, invert=screen.invert
        )
        await pilot.resize_terminal(80, 40)  # one row short
        await pilot.pause()
        assert not screen.fits
        assert "80x41" in text_of(app, "#qr-too-small")
        await pilot.press("escape")  # the only screen above the default one: back to it
        await pilot.pause()
        assert not isinstance(app.screen, QRScreen)

    run(app, scenario, size=(80, 24))


def test_wrapped_nonconformities_and_next_steps_keep_their_indent(world: World) -> None:
    """At 80 columns a long note wraps: its lines stay under the nonconformity, never at column 0."""
    from .harness import plain

    answers = dict(CORRECTIVE_ANSWERS)
    answers["MAL-03"] = ("minor", "two disposal orders of March not acted on; " * 4, "2099-03-31", None)
    audit_id = world.new_audit(answers, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen) and screen.view is not None
        lines = plain(screen._nonconformities_text(screen.view), width=76).splitlines()
        block = lines[lines.index(next(line for line in lines if line.startswith("MAL-03"))) + 1 :]
        block = block[: next(i for i, line in enumerate(block) if line.startswith("WHD-02"))]
        assert len(block) >= 4  # the question and the note, wrapped
        assert all(line.startswith(" " * 8) for line in block if line.strip())
        steps = plain(screen._next_text(screen.view), width=40).splitlines()
        assert len(steps) >= 3 and all(line.startswith("  ") for line in steps[1:])

    run(app, scenario)
