"""Verify a scanned certificate: a hand-held QR scanner types the text and presses Enter.

Each scan (Enter, or a paste) is checked on a worker with the core's
``inspector.services.scan.check_scan`` (as ``inspector verify`` does) against the installed
trust and revocation lists, read afresh for every scan so a newly installed list counts at once.
The verdict shows large (VALID / INVALID in words and colour) with the station, certificate id,
validity, auditor, the reasons when invalid and any warning; the input is then cleared for the
next scan. Wording follows ``inspector verify``; every word comes from
``inspector/tui/words/verify.py``, in the session's language (f5 clears: f2 switches language).
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

from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.screens.certificate import label_rows, result_text
from inspector.tui.session import Session
from inspector.tui.widgets.verdict import VerdictBanner
from inspector.tui.words.verify import WORDS

if TYPE_CHECKING:
    from inspector.services.scan import Scanned
    from inspector.tui.protocols import AppServices


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
        Binding("f5", "clear", "Clear", id="verify-clear"),
    ]

    app: AppServices  # type: ignore[assignment]

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
        self.failure: str | None = None

    @property
    def lang(self) -> str:
        return self.session.lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Header()
        yield Static(WORDS(lang, "intro"), id="verify-help")
        yield ScanInput(placeholder=WORDS(lang, "placeholder"), id="verify-scan")
        yield VerdictBanner(WORDS(lang, "waiting"), id="verify-verdict")
        with VerticalScroll(id="verify-result"):
            yield Static("", id="verify-station")
            yield Static("", id="verify-station-hi")
            yield Static("", id="verify-details")
            yield Static("", id="verify-reasons")
            yield Static("", id="verify-warnings")
        yield Footer()

    def on_mount(self) -> None:
        self.title = WORDS(self.lang, "title")
        self.app.language_signal.subscribe(self, self._on_language)
        translate_bindings(self, WORDS, self.lang)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        translate_bindings(self, WORDS, lang)
        self.title = WORDS(lang, "title")
        self.query_one("#verify-help", Static).update(WORDS(lang, "intro"))
        self.query_one("#verify-scan", ScanInput).placeholder = WORDS(lang, "placeholder")
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.waiting = WORDS(lang, "waiting")
        if self.last is not None:
            self._show(self.last)
        elif self.failure is not None:
            self._show_failure(self.failure)
        else:
            banner.refresh(layout=True)

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
            self.post_message(self.Failed(scan, Problem.of(exc, WORDS(self.lang, "unexpected"))))
        else:
            self.post_message(self.Done(scan, checked))

    def on_verify_screen_done(self, message: Done) -> None:
        if message.scan != self.scans:
            return  # a later scan is being checked; show only the newest
        self.last = message.checked
        self.failure = None
        self._show(message.checked)

    # -- display ------------------------------------------------------------------------------
    def _show(self, checked: Scanned) -> None:
        lang = self.lang
        verdict = checked.verdict
        claims = verdict.claims
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.remove_class("-problem")
        label = "" if lang == "en" else WORDS(lang, "valid_word" if verdict.valid else "invalid_word")
        if verdict.valid:
            banner.show(True, WORDS(lang, "genuine"), label)
        else:
            banner.show(False, WORDS(lang, "do_not_accept", reasons=", ".join(verdict.reasons)), label)
        station = self.query_one("#verify-station", Static)
        station_hi = self.query_one("#verify-station-hi", Static)
        if claims is not None:
            said = WORDS(lang, "station" if verdict.valid else "station_claimed")
            station.update(
                Text.assemble((f"{said}: ", "bold"), (checked.station_name, "bold"), f" ({claims.station_code})")
            )
            station_hi.update(Text(checked.station_hi or ""))
        else:
            station.update("")
            station_hi.update("")
        station.display = claims is not None
        station_hi.display = bool(claims is not None and checked.station_hi)
        self.query_one("#verify-details", Static).update(self._details(verdict, lang))
        reasons = self.query_one("#verify-reasons", Static)
        reasons.update(self._reasons(verdict, lang))
        reasons.display = not verdict.valid
        warnings = self.query_one("#verify-warnings", Static)
        warnings.update(Text("\n".join(WORDS(lang, "warning", warning=w) for w in verdict.warnings)))
        warnings.display = bool(verdict.warnings)
        self.query_one("#verify-result", VerticalScroll).scroll_home(animate=False)

    @staticmethod
    def _details(verdict: Any, lang: str = "en") -> Text:
        from inspector.certificates.psc1 import display_cert_id

        rows: list[tuple[str, str]] = []
        claims = verdict.claims
        if claims is not None:
            rows.append(
                (
                    WORDS(lang, "l_certificate"),
                    WORDS(
                        lang,
                        "v_certificate",
                        cert_id=display_cert_id(verdict.cert_id),
                        result=result_text(claims.result, lang),
                        score=claims.score,
                        majors=claims.majors,
                        minors=claims.minors,
                    ),
                )
            )
            issued = verdict.to_json()["certificate"]
            rows.append(
                (
                    WORDS(lang, "l_valid"),
                    WORDS(lang, "v_valid", start=issued["issued_at"][:10], end=issued["expires_at"][:10]),
                )
            )
        if verdict.entry is not None:
            entry = verdict.entry
            rows.append(
                (
                    WORDS(lang, "l_auditor"),
                    WORDS(lang, "v_auditor", name=entry.name, auditor_id=entry.auditor_id, kid=entry.kid),
                )
            )
        elif claims is not None:
            rows.append((WORDS(lang, "l_auditor"), claims.auditor_id))
        if claims is not None:
            rows.append((WORDS(lang, "l_checklist"), f"{claims.checklist_id} {claims.checklist_version}"))
        if verdict.lists_used():
            rows.append((WORDS(lang, "l_checked"), verdict.lists_used()))
        return label_rows(rows)

    @staticmethod
    def _reasons(verdict: Any, lang: str = "en") -> Text:
        text = Text(WORDS(lang, "why"), "bold")
        for code, message in zip(verdict.reasons, verdict.messages):
            key = f"reason:{code}"
            said = WORDS(lang, key) if lang != "en" and key in WORDS else message
            text.append(f"\n  - {said} ({code})")
        return text

    def action_clear(self) -> None:
        self.scans += 1  # results still on their way are dropped
        self.last = None
        self.failure = None
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
        self.failure = message.error
        self._show_failure(message.error)

    def _show_failure(self, error: str) -> None:
        banner = self.query_one("#verify-verdict", VerdictBanner)
        banner.add_class("-problem")
        banner.show(None, WORDS(self.lang, "cannot_verify", error=error))
        for name in ("station", "station-hi", "details", "reasons", "warnings"):
            self.query_one(f"#verify-{name}", Static).update("")
