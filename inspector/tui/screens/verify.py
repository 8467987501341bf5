"""Verify a scanned certificate: a hand-held QR scanner types the text and presses Enter.

Each scan (Enter, or a paste) is checked on a worker with the core's
``inspector.services.scan.check_scan`` (as ``inspector verify`` does) against the installed
trust and revocation lists, read afresh for every scan so a newly installed list counts at once.
The verdict shows large (VALID / INVALID in words and colour) with the station, certificate id,
validity, auditor, the reasons when invalid and any warning; the input is then cleared for the
next scan. Wording follows ``inspector verify``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.session import Session
from inspector.tui.widgets.verdict import VerdictBanner

if TYPE_CHECKING:
    from inspector.services.scan import Scanned


class ScanInput(Input):
    """An Input that submits on paste too (some scanners and users paste the whole text)."""

    def _on_paste(self, event: events.Paste) -> None:
        super()._on_paste(event)
        if event.text.strip():
            self.post_message(self.Submitted(self, self.value))


class VerifyScreen(Screen[None]):
    """Scan, see VALID or INVALID at once, scan the next one."""

    CSS_PATH = "verify.tcss"
    TITLE = "Verify a certificate"
    AUTO_FOCUS = "#verify-scan"
    BINDINGS = [
        Binding("escape", "back", "Back", id="verify-back"),
        Binding("f2", "clear", "Clear", id="verify-clear"),
    ]

    class Done(Message):
        def __init__(self, scan: int, checked: Scanned) -> None:
            super().__init__()
            self.scan = scan
            self.checked = checked

    class Failed(WorkerFailed):
        """Scan ``scan`` could not be checked at all (no verdict: e.g. an unreadable trust list)."""

        def __init__(self, scan: int, problem: Problem) -> None:
            super().__init__(problem)
            self.scan = scan

    def __init__(self, session: Session, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.session = session
        self.clock = clock
        self.scans = 0
        self.last: Scanned | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Scan the certificate's QR code, or type or paste its text and press Enter.", id="verify-help")
        yield ScanInput(placeholder="PSC1:… or https://…#PSC1:…", id="verify-scan")
        yield VerdictBanner("Waiting for a scan", id="verify-verdict")
        with VerticalScroll(id="verify-result"):
            yield Static("", id="verify-station")
            yield Static("", id="verify-station-hi")
            yield Static("", id="verify-details")
            yield Static("", id="verify-reasons")
            yield Static("", id="verify-warnings")
        yield Footer()

    @on(Input.Submitted, "#verify-scan")
    def _scanned(self, event: Input.Submitted) -> None:
        text = event.value
        event.input.clear()
        if not text.strip():
            return
        self.scans += 1
        self._verify(self.scans, text)

    @work(thread=True, group="verify", exit_on_error=False)
    def _verify(self, scan: int, text: str) -> None:
        from inspector.services.scan import check_scan

        now = self.clock() if self.clock is not None else None
        try:
            checked = check_scan(self.session.data, text, now)
        except Exception as exc:
            self.post_message(self.Failed(scan, Problem.of(exc, "unexpected error")))
        else:
            self.post_message(self.Done(scan, checked))

    def on_verify_screen_done(self, message: Done) -> None:
        if message.scan != self.scans:
            return  # a later scan is being checked; show only the newest
        self.last = message.checked
        self._show(message.checked)

    # -- display ------------------------------------------------------------------------------
    def _show(self, checked: Scanned) -> None:
        verdict = checked.verdict
        claims = verdict.claims
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.remove_class("-problem")
        if verdict.valid:
            banner.show(True, "genuine and in force")
        else:
            banner.show(False, f"do not accept: {', '.join(verdict.reasons)}")
        station = self.query_one("#verify-station", Static)
        station_hi = self.query_one("#verify-station-hi", Static)
        if claims is not None:
            station.update(
                Text.assemble(
                    (f"{checked.station_label}: ", "bold"), (checked.station_name, "bold"), f" ({claims.station_code})"
                )
            )
            station_hi.update(Text(checked.station_hi or ""))
        else:
            station.update("")
            station_hi.update("")
        station.display = claims is not None
        station_hi.display = bool(claims is not None and checked.station_hi)
        self.query_one("#verify-details", Static).update(self._details(verdict))
        reasons = self.query_one("#verify-reasons", Static)
        reasons.update(self._reasons(verdict))
        reasons.display = not verdict.valid
        warnings = self.query_one("#verify-warnings", Static)
        warnings.update(Text("\n".join(f"warning: {w}" for w in verdict.warnings)))
        warnings.display = bool(verdict.warnings)
        self.query_one("#verify-result", VerticalScroll).scroll_home(animate=False)

    @staticmethod
    def _details(verdict: Any) -> Text:
        from inspector.certificates.psc1 import display_cert_id

        rows: list[tuple[str, str]] = []
        claims = verdict.claims
        if claims is not None:
            result = claims.result.name.lower().replace("_", " ")
            rows.append(
                (
                    "Certificate",
                    f"{display_cert_id(verdict.cert_id)}  {result}, score {claims.score}% "
                    f"({claims.majors} major, {claims.minors} minor)",
                )
            )
            issued = verdict.to_json()["certificate"]
            rows.append(("Valid", f"{issued['issued_at'][:10]} to {issued['expires_at'][:10]}"))
        if verdict.entry is not None:
            rows.append(("Auditor", f"{verdict.entry.name} ({verdict.entry.auditor_id}), key {verdict.entry.kid}"))
        elif claims is not None:
            rows.append(("Auditor", claims.auditor_id))
        if claims is not None:
            rows.append(("Checklist", f"{claims.checklist_id} {claims.checklist_version}"))
        if verdict.lists_used():
            rows.append(("Checked with", verdict.lists_used()))
        text = Text()
        for index, (label, value) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(f"{label:<13}", "bold")
            text.append(value)
        return text

    @staticmethod
    def _reasons(verdict: Any) -> Text:
        text = Text("Why it is invalid:", "bold")
        for code, message in zip(verdict.reasons, verdict.messages):
            text.append(f"\n  - {message} ({code})")
        return text

    def action_clear(self) -> None:
        self.scans += 1  # results still on their way are dropped
        self.last = None
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.remove_class("-problem")
        banner.show(None)
        for name in ("station", "station-hi", "details", "reasons", "warnings"):
            self.query_one(f"#verify-{name}", Static).update("")
        scan = self.query_one("#verify-scan", ScanInput)
        scan.clear()
        scan.focus()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()

    def on_verify_screen_failed(self, message: Failed) -> None:
        if message.scan != self.scans:
            return  # a later scan is being checked, or the screen was cleared
        self.last = None
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.add_class("-problem")
        banner.show(None, f"Cannot verify: {message.error}")
        for name in ("station", "station-hi", "details", "reasons", "warnings"):
            self.query_one(f"#verify-{name}", Static).update("")
