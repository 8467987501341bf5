"""One issued certificate: what it says, export to files, and its QR code full screen.

The record is read on a worker (``load_record_file``); exporting writes the record and its
renderings (JSON, PNG and SVG of the QR code, printable HTML and PDF) with ``write_outputs`` on
a worker and lists the files written, as ``inspector cert issue --out`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.session import Session

DEFAULT_EXPORT_DIR = "~/inspector-certificates"


def result_text(result: Any) -> str:
    """``CertResult.CERTIFIED`` -> ``certified`` (the CLI's wording)."""
    return str(result.name).lower().replace("_", " ")


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
        self.export_dir = export_dir or DEFAULT_EXPORT_DIR
        self.envelope: Any = None
        self.body: Any = None
        self.exported: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="cert-body"):
            yield Static("Reading the certificate…", id="cert-title")
            yield Static("", id="cert-station")
            yield Static("", id="cert-station-hi")
            yield Static("", id="cert-details")
            yield Static("", id="cert-scope-hi")
            yield Static("", id="cert-exported")
        with Horizontal(id="cert-export-row"):
            yield Label("Export to ", id="cert-export-label")
            yield Input(self.export_dir, id="cert-export-dir", compact=True)
            yield Button("Export (e)", id="cert-export", variant="primary", compact=True)
            yield Button("QR code (q)", id="cert-qr", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    # -- reading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="cert-load", exit_on_error=False)
    def _load(self) -> None:
        from inspector.certificates.model import load_record_file

        try:
            envelope, body = load_record_file(self.cert_path)
        except Exception as exc:
            self.post_message(self.Failed("load", Problem.of(exc, "cannot read the certificate")))
        else:
            self.post_message(self.Loaded(envelope, body))

    def on_certificate_screen_loaded(self, message: Loaded) -> None:
        self.envelope, self.body = message.envelope, message.body
        body = self.body
        self.sub_title = f"{body.display_id} · {body.station_code}"
        self.query_one("#cert-title", Static).update(
            Text.assemble(("Certificate ", "bold"), (body.display_id, "bold"), f" · {result_text(body.result)}")
        )
        self.query_one("#cert-station", Static).update(
            Text.assemble(
                (body.station_name_en, "bold"),
                f" ({body.station_code})" + (f", {body.district}" if body.district else ""),
            )
        )
        self.query_one("#cert-station-hi", Static).update(Text(body.station_name_hi))
        self.query_one("#cert-details", Static).update(self._details(body))
        self.query_one("#cert-scope-hi", Static).update(Text(body.scope_hi))
        self.refresh_bindings()

    @staticmethod
    def _details(body: Any) -> Text:
        surveillance = ", ".join(body.surveillance_due) or "-"
        rows = [
            ("Result", f"{result_text(body.result)}, score {body.score}% ({body.majors} major, {body.minors} minor)"),
            ("Valid", f"{body.issued_at[:10]} to {body.expires_at[:10]}"),
            ("Surveillance", f"due {surveillance}"),
            ("Auditor", f"{body.auditor_name} ({body.auditor_id}), key {body.kid}"),
            ("Issued under", body.issuer_name),
            ("Audit", f"{body.audit_id} ({body.audit_type.value})"),
            ("Checklist", f"{body.checklist_id} {body.checklist_version}"),
            ("Standard", f"{body.standard}; scope: {body.scope_en}"),
        ]
        text = Text()
        for index, (label, value) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(f"{label:<13}", "bold")
            text.append(value)
        return text

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

        self.app.push_screen(QRScreen(qr_text_of(self.body), f"{self.body.display_id} · {self.body.station_code}"))

    def action_focus_folder(self) -> None:
        self.query_one("#cert-export-dir", Input).focus()

    @on(Button.Pressed, "#cert-export")
    @on(Input.Submitted, "#cert-export-dir")
    def action_export(self) -> None:
        if self.body is None:
            return
        folder = self.query_one("#cert-export-dir", Input).value.strip()
        if not folder:
            self._say("give the folder to export to", error=True)
            return
        self._say(f"Writing the certificate files to {folder}…")
        self._export(Path(folder).expanduser())

    @work(thread=True, exclusive=True, group="cert-export", exit_on_error=False)
    def _export(self, folder: Path) -> None:
        from inspector.certificates.render import write_outputs

        try:
            paths = write_outputs(self.body, self.envelope, folder)
        except Exception as exc:
            self.post_message(self.Failed("export", Problem.of(exc, "cannot export the certificate")))
        else:
            self.post_message(self.Exported(paths))

    def on_certificate_screen_exported(self, message: Exported) -> None:
        self.exported = message.paths
        text = Text("Written:", "bold")
        for fmt, path in message.paths.items():
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
