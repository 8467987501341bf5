"""One issued certificate: what it says, export to files, and its QR code full screen.

The record is read on a worker (``load_record_file``); exporting writes the record and its
renderings (JSON, PNG and SVG of the QR code, printable HTML and PDF) with ``write_outputs`` on
a worker and lists the files written, as ``inspector cert issue --out`` does. The export folder
defaults to ``<data>/certificates``: nothing of the app (the demo's included) lands outside its
data directory unless the auditor types another folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.screens.qr import CERTIFICATES_FOLDER
from inspector.tui.session import Session
from inspector.tui.words.certificate import WORDS

if TYPE_CHECKING:
    from inspector.tui.protocols import AppServices

LABEL_CELLS = 14


def result_text(result: Any, lang: str = "en") -> str:
    """``CertResult.CERTIFIED`` -> ``certified`` (the CLI's wording), or its Hindi."""
    key = f"result:{str(result.name).lower()}"
    return WORDS(lang, key) if key in WORDS else str(result.name).lower().replace("_", " ")


def label_rows(rows: list[tuple[str, str]]) -> Text:
    """``label  value`` lines, the values aligned by terminal cells (Hindi labels included)."""
    text = Text()
    for index, (label, value) in enumerate(rows):
        if index:
            text.append("\n")
        text.append(label + " " * max(1, LABEL_CELLS - cell_len(label)), "bold")
        text.append(value)
    return text


class CertificateScreen(Screen[None]):
    """A certificate record: station (English and Hindi), result, dates, auditor, id."""

    CSS_PATH = "certificate.tcss"
    TITLE = "Certificate"
    AUTO_FOCUS = "#cert-body"
    BINDINGS = [
        Binding("escape", "back", "Back", id="cert-back"),
        Binding("q", "show_qr", "QR code", id="cert-qr"),
        Binding("e", "export", "Export", id="cert-export"),
        Binding("d", "focus_folder", "Export folder", id="cert-folder"),
    ]

    app: AppServices  # type: ignore[assignment]

    class Loaded(Message):
        def __init__(self, envelope: Any, body: Any) -> None:
            super().__init__()
            self.envelope = envelope
            self.body = body

    class Exported(Message):
        def __init__(self, paths: dict[str, str]) -> None:
            super().__init__()
            self.paths = paths

    class Failed(WorkerFailed):
        """Reading (``what`` "load") or exporting (``what`` "export") the certificate failed."""

        def __init__(self, what: str, problem: Problem) -> None:
            super().__init__(problem)
            self.what = what

    def __init__(self, session: Session, cert_path: Path, *, export_dir: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.cert_path = Path(cert_path)
        self.export_dir = export_dir or str(session.data.root / CERTIFICATES_FOLDER)
        self.envelope: Any = None
        self.body: Any = None
        self.exported: dict[str, str] = {}

    @property
    def lang(self) -> str:
        return self.session.lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Header()
        with VerticalScroll(id="cert-body"):
            yield Static(WORDS(lang, "reading"), id="cert-title")
            yield Static("", id="cert-station")
            yield Static("", id="cert-station-hi")
            yield Static("", id="cert-details")
            yield Static("", id="cert-scope-hi")
            yield Static("", id="cert-exported")
        with Horizontal(id="cert-export-row"):
            yield Label(WORDS(lang, "export_to"), id="cert-export-label")
            yield Input(self.export_dir, id="cert-export-dir", compact=True)
            yield Button(WORDS(lang, "export"), id="cert-export", variant="primary", compact=True)
            yield Button(WORDS(lang, "qr"), id="cert-qr", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = WORDS(self.lang, "title")
        self.app.language_signal.subscribe(self, self._on_language)
        translate_bindings(self, WORDS, self.lang)
        self._load()

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        translate_bindings(self, WORDS, lang)
        self.title = WORDS(lang, "title")
        self.query_one("#cert-export-label", Label).update(WORDS(lang, "export_to"))
        self.query_one("#cert-export", Button).label = WORDS(lang, "export")
        self.query_one("#cert-qr", Button).label = WORDS(lang, "qr")
        if self.body is not None:
            self._show_body()
        if self.exported:
            self._show_exported()

    # -- reading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="cert-load", exit_on_error=False)
    def _load(self) -> None:
        from inspector.certificates.model import load_record_file

        try:
            envelope, body = load_record_file(self.cert_path)
        except Exception as exc:
            self.post_message(self.Failed("load", Problem.of(exc, WORDS(self.lang, "cannot_read"))))
        else:
            self.post_message(self.Loaded(envelope, body))

    def on_certificate_screen_loaded(self, message: Loaded) -> None:
        self.envelope, self.body = message.envelope, message.body
        self._show_body()
        self.refresh_bindings()

    def _show_body(self) -> None:
        body, lang = self.body, self.lang
        self.sub_title = f"{body.display_id} · {body.station_code}"
        self.query_one("#cert-title", Static).update(
            Text.assemble(
                (WORDS(lang, "certificate"), "bold"), (body.display_id, "bold"), f" · {result_text(body.result, lang)}"
            )
        )
        self.query_one("#cert-station", Static).update(
            Text.assemble(
                (body.station_name_en, "bold"),
                f" ({body.station_code})" + (f", {body.district}" if body.district else ""),
            )
        )
        self.query_one("#cert-station-hi", Static).update(Text(body.station_name_hi))
        self.query_one("#cert-details", Static).update(self._details(body, lang))
        self.query_one("#cert-scope-hi", Static).update(Text(body.scope_hi))

    @staticmethod
    def _details(body: Any, lang: str = "en") -> Text:
        surveillance = ", ".join(body.surveillance_due) or "-"
        result = result_text(body.result, lang)
        rows = [
            (
                WORDS(lang, "l_result"),
                WORDS(lang, "v_result", result=result, score=body.score, majors=body.majors, minors=body.minors),
            ),
            (WORDS(lang, "l_valid"), WORDS(lang, "v_valid", start=body.issued_at[:10], end=body.expires_at[:10])),
            (WORDS(lang, "l_surveillance"), WORDS(lang, "v_surveillance", dates=surveillance)),
            (
                WORDS(lang, "l_auditor"),
                WORDS(lang, "v_auditor", name=body.auditor_name, auditor_id=body.auditor_id, kid=body.kid),
            ),
            (WORDS(lang, "l_issuer"), body.issuer_name),
            (WORDS(lang, "l_audit"), f"{body.audit_id} ({body.audit_type.value})"),
            (WORDS(lang, "l_checklist"), f"{body.checklist_id} {body.checklist_version}"),
            (
                WORDS(lang, "l_standard"),
                WORDS(
                    lang, "v_standard", standard=body.standard, scope=body.scope_hi if lang == "hi" else body.scope_en
                ),
            ),
        ]
        return label_rows(rows)

    # -- actions ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("show_qr", "export"):
            return self.body is not None
        return True

    @on(Button.Pressed, "#cert-qr")
    def action_show_qr(self) -> None:
        if self.body is None:
            return
        from inspector.certificates.model import qr_text_of
        from inspector.tui.screens.qr import QRScreen

        self.app.push_screen(
            QRScreen(
                qr_text_of(self.body),
                f"{self.body.display_id} · {self.body.station_code}",
                png_dir=self.session.data.root / CERTIFICATES_FOLDER,
                png_name=f"certificate-{self.body.cert_id}-qr.png",
            )
        )

    def action_focus_folder(self) -> None:
        self.query_one("#cert-export-dir", Input).focus()

    @on(Button.Pressed, "#cert-export")
    @on(Input.Submitted, "#cert-export-dir")
    def action_export(self) -> None:
        if self.body is None:
            return
        folder = self.query_one("#cert-export-dir", Input).value.strip()
        if not folder:
            self._say(WORDS(self.lang, "give_folder"), error=True)
            return
        self._say(WORDS(self.lang, "writing", folder=folder))
        self._export(Path(folder).expanduser())

    @work(thread=True, exclusive=True, group="cert-export", exit_on_error=False)
    def _export(self, folder: Path) -> None:
        from inspector.certificates.render import write_outputs

        try:
            paths = write_outputs(self.body, self.envelope, folder)
        except Exception as exc:
            self.post_message(self.Failed("export", Problem.of(exc, WORDS(self.lang, "cannot_export"))))
        else:
            self.post_message(self.Exported(paths))

    def on_certificate_screen_exported(self, message: Exported) -> None:
        self.exported = message.paths
        self._show_exported()

    def _show_exported(self) -> None:
        text = Text(WORDS(self.lang, "written"), "bold")
        for fmt, path in self.exported.items():
            text.append(f"\n  {fmt:<4} {path}")
        self._say(text)

    def _say(self, message: str | Text, error: bool = False) -> None:
        widget = self.query_one("#cert-exported", Static)
        widget.update(message if isinstance(message, Text) else Text(message))
        widget.set_class(error, "-error")
        self.query_one("#cert-body", VerticalScroll).scroll_end(animate=False)

    @on(Button.Pressed, "#cert-back")
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()

    def on_certificate_screen_failed(self, message: Failed) -> None:
        if message.what == "load":
            self.query_one("#cert-title", Static).update(Text(message.error))
        self._say(message.error, error=True)
        if message.field == "out":  # the folder is at fault: back to it
            self.query_one("#cert-export-dir", Input).focus()
