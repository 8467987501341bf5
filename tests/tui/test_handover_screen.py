"""Pilot tests of the hand-over screen and the summary's report and next steps: every action's
worker writes what it says (checked by the core's own readers), shows the file it wrote or the
one-line error, and writes or installs nothing on a mistake."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from inspector.errors import UserError
from inspector.services.demo import DEMO_PASSPHRASE
from inspector.services.verify_audit import verify_audit
from inspector.trust.store import TrustStore
from inspector.tui.screens.certificate import CertificateScreen
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.screens.handover import HandoverScreen, bundle_name, public_key_name
from inspector.tui.screens.summary import SummaryScreen, report_dir
from inspector.tui.widgets.file_picker import FilePicker
from inspector.tui.widgets.folder_picker import FolderPicker
from inspector.tui.words.handover import WORDS

from .harness import (
    CERTIFY_ANSWERS,
    CERTIFY_PLANNED,
    CORRECTIVE_ANSWERS,
    HarnessApp,
    World,
    build_world,
    settle,
    text_of,
)

Scenario = Callable[[Any], Awaitable[None]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("handover-screen") / "d")


def run(app: HarnessApp, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def hosted(world: World, audit_id: str) -> HarnessApp:
    session = world.session()
    return HarnessApp(session, lambda: HandoverScreen(session, audit_id))


async def wait_for(pilot: Any, kind: type[Any], rounds: int = 100) -> None:
    """Pump the app until the screen on top is a ``kind`` (a picker's tree loads on a worker that
    lives on, and a confirmation waits for the auditor: neither ever settles)."""
    for _ in range(rounds):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause()
    raise AssertionError(f"{kind.__name__} not shown; on top: {pilot.app.screen!r}")


def into(app: HarnessApp, folder: Path) -> None:
    app.screen.query_one("#handover-folder-path", Input).value = str(folder)


def test_the_export_worker_writes_a_bundle_that_verifies(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    world.issue(audit_id, grant=False)
    stick = tmp_path / "usb"
    stick.mkdir()
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, HandoverScreen) and screen.view is not None
        name = bundle_name(screen.view)
        assert name == f"GBN-S39-{screen.view.opened[:10]}-{audit_id[:12]}.zip"
        assert name in text_of(app, "#handover-bundle-name")
        into(app, stick)
        screen.query_one("#handover-export").focus()
        await pilot.press("e")
        await settle(pilot)
        bundle = stick / name
        assert bundle.is_file()
        line = text_of(app, "#handover-export-result")
        assert line.startswith(f"bundle written: {bundle} (") and "1 certificate(s), sealed)" in line
        report = verify_audit(world.data, bundle)
        assert report.ok and report.trusted and report.sealed and report.audit_id == audit_id, report.problems
        assert screen.exported is not None and screen.exported.path == bundle

        # Again: the existing bundle is replaced only when the auditor says so.
        before = bundle.stat().st_mtime_ns
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert bundle.stat().st_mtime_ns == before and text_of(app, "#handover-export-result") == "nothing done"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert text_of(app, "#handover-export-result").startswith("bundle written:")
        assert verify_audit(world.data, bundle).ok

    run(app, scenario)


def test_a_folder_that_does_not_exist_is_one_line_and_nothing_is_made(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    missing = tmp_path / "no-stick" / "here"
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        into(app, missing)
        await pilot.press("e")
        await settle(pilot)
        result = app.screen.query_one("#handover-export-result", Static)
        assert str(result.content) == f"{missing}: no such directory" and result.has_class("-error")

    run(app, scenario)
    assert not (tmp_path / "no-stick").exists()


def test_the_report_worker_writes_pdf_and_html_into_the_folder(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        into(app, tmp_path)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        pdf, html = Path(screen.reported["pdf"]), Path(screen.reported["html"])
        assert pdf.parent == tmp_path and pdf.read_bytes().startswith(b"%PDF-")
        assert b"MAL-03" in html.read_bytes()
        assert text_of(app, "#handover-report-result") == f"report written in {tmp_path}: {pdf.name}, {html.name}"

    run(app, scenario)


def test_the_summary_writes_the_report_into_the_data_directory(world: World) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        folder = report_dir(session, audit_id)
        assert folder == world.data.root / "reports" / audit_id[:12]
        assert set(screen.reported) == {"pdf", "html"}
        for path in screen.reported.values():
            assert Path(path).parent == folder and Path(path).stat().st_size > 1000
        assert Path(screen.reported["pdf"]).read_bytes().startswith(b"%PDF-")
        names = ", ".join(Path(path).name for path in screen.reported.values())
        assert text_of(app, "#summary-message") == f"report written in {folder}: {names}"
        assert names == f"audit-report-{audit_id[:12]}.pdf, audit-report-{audit_id[:12]}.html"

    run(app, scenario)


def test_installing_a_bad_file_is_one_line_and_installs_nothing(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    store = TrustStore(world.data.root)
    installed = store.trustlist_bytes()
    assert installed is not None
    document = json.loads(installed)
    payload = json.loads(document["envelope"]["payload"])
    payload["seq"] += 5  # a newer list, but not the one HQ signed
    document["envelope"]["payload"] = json.dumps(payload)
    forged = tmp_path / "trustlist.json"
    forged.write_text(json.dumps(document))
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00not json")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "inspector-something/v9", "envelope": {}}))
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        for path in (forged, garbage, other):
            screen.install_file(path)
            await settle(pilot)
            result = screen.query_one("#handover-install-result", Static)
            line = str(result.content)
            assert result.has_class("-error") and line and "\n" not in line, line
            assert str(path) in line
        assert screen.results["install"] == WORDS("en", "not_a_list", path=other, format=repr("inspector-something/v9"))

    run(app, scenario)
    assert store.trustlist_bytes() == installed


def test_installing_lists_from_hq_says_what_was_installed(world: World, tmp_path: Path) -> None:
    from inspector.hq.enrolment import HQ

    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    store = TrustStore(world.data.root)
    current = tmp_path / "current.json"
    current.write_bytes(store.trustlist_bytes() or b"")
    newer = tmp_path / "newer.json"
    newer.write_bytes(HQ(world.data.root).export_trustlist(DEMO_PASSPHRASE, refresh=True))
    seq = store.installed_seq()
    assert seq is not None
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        screen.install_file(current)
        await settle(pilot)
        assert screen.results["install"] == f"trust list seq {seq} is already installed"
        screen.install_file(newer)
        await settle(pilot)
        line = screen.results["install"]
        assert line.startswith(f"trust list seq {seq + 1} installed: 1 auditor keys, issued "), line

    run(app, scenario)
    assert store.installed_seq() == seq + 1 and store.trustlist_bytes() == newer.read_bytes()


def test_the_install_action_asks_for_the_file(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        into(app, tmp_path)
        await pilot.press("t")
        await wait_for(pilot, FilePicker)
        await pilot.press("escape")
        await wait_for(pilot, HandoverScreen)
        screen = app.screen
        assert isinstance(screen, HandoverScreen) and "install" not in screen.results
        await pilot.press("f")
        await wait_for(pilot, FolderPicker)
        typed = app.screen.query_one("#folder-path", Input)
        typed.value = str(tmp_path / "stick")
        typed.focus()
        await pilot.press("enter")
        await wait_for(pilot, HandoverScreen)
        assert app.screen.query_one("#handover-folder-path", Input).value == str(tmp_path / "stick")

    run(app, scenario)


def test_the_public_key_is_shown_and_written(world: World, tmp_path: Path) -> None:
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    app = hosted(world, audit_id)
    pem = world.key.public.to_pem().decode("ascii").strip()

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        area = screen.query_one("#handover-pem", TextArea)
        assert area.text == pem and area.read_only and area.display
        assert area.text.startswith("-----BEGIN PUBLIC KEY-----")
        assert world.key.public.kid_hex in text_of(app, "#handover-pem-label")
        into(app, tmp_path)
        await pilot.press("k")
        await settle(pilot)
        target = tmp_path / public_key_name(screen.session.auditor_id)
        assert target.read_text().strip() == pem
        assert screen.results["key"] == f"public key written: {target}"
        await pilot.press("k")  # the same key again: nothing to ask
        await settle(pilot)
        assert screen.results["key"] == f"public key already there: {target}"

    run(app, scenario)


def test_the_certificate_is_offered_once_issued(world: World) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    app = hosted(world, audit_id)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        assert not screen.query_one("#handover-certificate").display
        assert text_of(app, "#handover-no-certificate") == "No certificate issued from this audit yet."
        assert screen.check_action("certificate", ()) is False
        world.issue(audit_id, grant=False)
        screen.on_screen_resume()
        await settle(pilot)
        assert screen.query_one("#handover-certificate").display
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CertificateScreen)

    run(app, scenario)


def test_after_a_close_with_a_major_the_summary_says_what_is_next(world: World, tmp_path: Path) -> None:
    from inspector.audit.audit import FindingInput
    from inspector.audit.service import AuditService

    photo = tmp_path / "register.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the register")
    audit_id = world.new_audit(CORRECTIVE_ANSWERS)
    with AuditService(world.data).open(audit_id, writable=True, key=world.key) as audit:
        audit.record_many(
            [FindingInput("MAL-01", "major", "case property register not kept", (photo,), "2099-01-31", None)]
        )
        audit.close()
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        shown = text_of(app, "#summary-next")
        assert shown.startswith("Next")
        assert "record the closing meeting with the station in-charge's acknowledgment (m)" in shown
        assert "the station's corrective-action plans still to record: 3 (due by " in shown
        assert "still to verify" not in shown
        assert "hand over: the report, the bundle for HQ and the certificate (h)" in shown
        assert "issue the certificate" not in shown
        assert screen.check_action("meeting", ()) and screen.check_action("handover", ())
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        await pilot.press("escape")
        await settle(pilot)
        app.set_language("hi")
        await settle(pilot)
        hindi = text_of(app, "#summary-next")
        assert hindi.startswith("आगे") and "समापन बैठक" in hindi
        assert "निर्णय: " in text_of(app, "#summary-decision")

    run(app, scenario)


def test_a_planned_nonconformity_is_next_verified_and_the_certificate_issued(world: World) -> None:
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    async def scenario(pilot: Any) -> None:
        shown = text_of(app, "#summary-next")
        assert "corrective actions still to verify: 1" in shown and "still to record" not in shown
        assert "issue the certificate (i)" in shown

    run(app, scenario)


def test_a_second_certificate_is_refused_and_the_first_is_offered(world: World, monkeypatch: Any) -> None:
    """When the core refuses a second certificate (``already-issued``), the summary offers the one
    issued instead of only showing the error."""
    audit_id = world.new_audit(CERTIFY_ANSWERS, planned=CERTIFY_PLANNED, close=True)
    issued = world.issue(audit_id, grant=False)
    session = world.session()
    app = HarnessApp(session, lambda: SummaryScreen(session, audit_id))

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise UserError("a certificate was already issued from this audit", code="already-issued")

    monkeypatch.setattr("inspector.certificates.issue.issue_certificate", refuse)

    async def scenario(pilot: Any) -> None:
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        assert not screen.query_one("#summary-issue").display and screen.query_one("#summary-view").display
        screen._issue(world.key)  # the view was read before another window issued it
        await wait_for(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, CertificateScreen)
        await settle(pilot)
        assert isinstance(app.screen, CertificateScreen) and app.screen.cert_path == issued.record_path

    run(app, scenario)


def test_the_folder_picker_lists_folders_only_without_dot_folders(tmp_path: Path) -> None:
    from inspector.tui.widgets.folder_picker import FolderTree

    media = tmp_path / "media"
    (media / "stick").mkdir(parents=True)
    (media / ".cache").mkdir()
    (media / "photo.jpg").write_bytes(b"x")
    tree = FolderTree.__new__(FolderTree)  # the filter needs no mounted tree (nor its loader)
    assert list(tree.filter_paths(sorted(media.iterdir()))) == [media / "stick"]


def test_paths_under_the_home_folder_are_shown_with_a_tilde(monkeypatch: Any, tmp_path: Path) -> None:
    from inspector.tui.widgets.folder_picker import shown_path

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert shown_path(tmp_path / "home" / "data" / "a.pdf") == "~/data/a.pdf"
    assert shown_path(tmp_path / "home") == "~"
    assert shown_path(tmp_path / "homework" / "a.pdf") == str(tmp_path / "homework" / "a.pdf")
    assert Path(shown_path(tmp_path / "home" / "x")).expanduser() == tmp_path / "home" / "x"
