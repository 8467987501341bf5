"""The hand-over: everything that leaves the laptop after a visit, from the app.

Thin shells over the core, each a worker with its result on a line under its button:

- the bundle for HQ: ``inspector.bundle.export.export_audit`` with the installed trust list (as
  ``inspector audit export``), written into the chosen folder as ``<station>-<date>-<audit12>.zip``;
  an existing file is replaced only when the auditor confirms;
- the audit report: ``inspector.reports.write_report`` into the same folder (PDF and HTML);
- the auditor's public key for HQ's enrolment (as ``inspector keys export-public``): shown in a
  read-only text area the auditor can select, and written into the folder;
- a trust list, certificate status list or revocation list from a file: ``TrustStore.install``,
  ``install_status`` or ``install_crl``, chosen by the document's own ``format`` (each checks the
  signature by a pinned root and refuses an older list: a bad file installs nothing);
- the certificate, if one was issued: its own screen prints and exports it.

A USB stick is a folder: the auditor chooses one (``FolderPicker``) or types it; the app
remembers the last folder for the rest of the session. The default is ``<data dir>/exports/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static, TextArea

from inspector.audit.views import AuditView, load_view
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.screens.confirm import ConfirmScreen
from inspector.tui.session import Session
from inspector.tui.widgets.folder_picker import shown_path
from inspector.tui.words.handover import WORDS

if TYPE_CHECKING:
    from inspector.bundle.export import ExportResult
    from inspector.tui.protocols import AppServices

EXPORTS_DIR = "exports"  # <data dir>/exports/: the folder offered until the auditor chooses one
LIST_LIMIT = 50 * 1024 * 1024  # the largest list file read (the CLI's limit for user files)
# The last folder chosen, per data directory, for the rest of the app's run.
_last_folder: dict[Path, Path] = {}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# The result lines, one per action, each under its button.
ACTIONS = ("export", "report", "key", "install")


def bundle_name(view: AuditView) -> str:
    """``<station>-<date>-<audit12>.zip``: the station code, the audit's first day, the id's start."""
    station = _UNSAFE.sub("-", view.station_code).strip("-") or "audit"
    return f"{station}-{view.opened[:10]}-{view.audit_id[:12]}.zip"


def report_line(words: Any, paths: dict[str, str]) -> str:
    """``report written in <folder>: <pdf name>, <html name>`` (one folder: named once, so the
    line fits 80 columns)."""
    written = [Path(path) for path in paths.values()]
    folders = {path.parent for path in written}
    if len(folders) == 1:
        return str(words("reported_in", folder=shown_path(folders.pop()), files=", ".join(p.name for p in written)))
    return str(words("reported", paths="  ".join(shown_path(path) for path in written)))


def public_key_name(auditor_id: str | None) -> str:
    """``auditor-public-<id>.pem`` (ids may hold '/', which no file name may)."""
    safe = _UNSAFE.sub("-", auditor_id or "").strip("-")
    return f"auditor-public-{safe}.pem" if safe else "auditor-public.pem"


@dataclass(frozen=True)
class Installed:
    """A list installed from a file: which kind, the document, and whether it changed anything."""

    kind: str  # "trust" | "status" | "crl"
    document: Any
    changed: bool


class HandoverScreen(Screen[None]):
    """Bundle for HQ, report, public key and trust lists, to and from a folder."""

    CSS_PATH = "handover.tcss"
    TITLE = "Hand-over"
    AUTO_FOCUS = "#handover-export"
    BINDINGS = [
        Binding("escape", "back", "Back", id="handover-back"),
        # The folder has its button beside the path; the footer keeps 80 columns for the actions.
        Binding("f", "choose_folder", "Folder", id="handover-folder", show=False),
        Binding("e", "export", "Bundle", id="handover-export"),
        Binding("r", "report", "Report", id="handover-report"),
        Binding("k", "write_key", "Key", id="handover-key"),
        Binding("t", "install", "Install", id="handover-install"),
        Binding("c", "certificate", "Certificate", id="handover-certificate"),
    ]

    app: AppServices  # type: ignore[assignment]

    class Loaded(Message):
        def __init__(self, view: AuditView, pem: str | None, kid: str | None) -> None:
            super().__init__()
            self.view = view
            self.pem = pem
            self.kid = kid

    class Exported(Message):
        def __init__(self, result: ExportResult) -> None:
            super().__init__()
            self.result = result

    class Reported(Message):
        def __init__(self, paths: dict[str, str]) -> None:
            super().__init__()
            self.paths = paths

    class KeyWritten(Message):
        def __init__(self, path: Path, same: bool) -> None:
            super().__init__()
            self.path = path
            self.same = same

    class ListInstalled(Message):
        def __init__(self, installed: Installed) -> None:
            super().__init__()
            self.installed = installed

    class Failed(WorkerFailed):
        """An action failed; ``action`` is the result line it belongs to (None: reading the audit)."""

        def __init__(self, problem: Problem, action: str | None = None) -> None:
            super().__init__(problem)
            self.action = action

    def __init__(self, session: Session, audit_id: str) -> None:
        super().__init__()
        self.session = session
        self.audit_id = audit_id
        self.view: AuditView | None = None
        self.pem: str | None = None
        self.kid: str | None = None
        self.busy = False
        self.results: dict[str, str] = {}  # action -> the last line shown for it (tests read it)
        self.exported: ExportResult | None = None
        self.reported: dict[str, str] = {}

    @property
    def lang(self) -> str:
        return self.session.lang

    def words(self, key: str, /, **fields: object) -> str:
        return WORDS(self.lang, key, **fields)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    @property
    def default_folder(self) -> Path:
        return self.session.data.root / EXPORTS_DIR

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        start = _last_folder.get(self.session.data.root, self.default_folder)
        yield Header()
        with VerticalScroll(id="handover-body"):
            yield Static(self.words("reading"), id="handover-station")
            yield Static("", id="handover-open")
            yield Static("", id="handover-folder-label", classes="label")
            with Horizontal(id="handover-folder-row"):
                yield Input(shown_path(start), id="handover-folder-path", compact=True)
                yield Button("", id="handover-folder", compact=True)
            yield Static("", id="handover-bundle-name")
            for action in ACTIONS:
                yield Button("", id=f"handover-{action}", compact=True, classes="action")
                yield Static("", id=f"handover-{action}-result", classes="result")
            yield Button("", id="handover-certificate", compact=True, classes="action")
            yield Static("", id="handover-no-certificate", classes="result")
            yield Static("", id="handover-pem-label", classes="label")
            yield TextArea("", id="handover-pem", read_only=True, compact=True, show_cursor=False)
        with Horizontal(id="handover-actions"):
            yield Button("", id="handover-back", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.audit_id[:12]
        self._apply_words()
        self._show()
        self.app.language_signal.subscribe(self, self._on_language)

    def on_screen_resume(self) -> None:
        self._load()

    def _on_language(self, _lang: str) -> None:
        # Result lines already shown stay in the words they were said in.
        self._apply_words()
        if self.view is not None:
            self._render_view(self.view)

    def _apply_words(self) -> None:
        w = self.words
        translate_bindings(self, WORDS, self.app.session.lang)
        self.title = w("title")
        self.query_one("#handover-folder-label", Static).update(w("folder_label"))
        self.query_one("#handover-folder-path", Input).placeholder = w("folder_placeholder")
        self.query_one("#handover-folder", Button).label = w("btn_folder")
        for action in ACTIONS:
            self.query_one(f"#handover-{action}", Button).label = w(f"btn_{action}")
        self.query_one("#handover-certificate", Button).label = w("btn_certificate")
        self.query_one("#handover-no-certificate", Static).update(w("no_certificate"))
        self.query_one("#handover-back", Button).label = w("btn_back")

    # -- reading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="handover-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            view = load_view(self.session.audits, self.audit_id)
            info = self.session.key_info()
            pem = info.public.to_pem().decode("ascii") if info else None
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot read the audit")))
        else:
            self.post_message(self.Loaded(view, pem, info.kid if info else None))

    def on_handover_screen_loaded(self, message: Loaded) -> None:
        self.pem = message.pem
        pem = self.query_one("#handover-pem", TextArea)
        pem.text = (message.pem or "").strip()
        pem.display = message.pem is not None
        self.kid = message.kid
        first = self.view is None
        self._render_view(message.view)
        if first:  # the buttons were disabled until now, so AUTO_FOCUS could not land on one
            self.query_one("#handover-export", Button).focus()

    def _render_view(self, view: AuditView) -> None:
        w = self.words
        self.view = view
        self.sub_title = f"{view.station_code} · {view.audit_id[:12]}"
        state = w("state_closed") if view.closed else w("state_open")
        self.query_one("#handover-station", Static).update(
            Text(w("station", station=view.station_en, code=view.station_code, audit=view.audit_id[:12], state=state))
        )
        warning = self.query_one("#handover-open", Static)
        warning.update(Text(w("open_warning")))
        warning.display = not view.closed
        self.query_one("#handover-bundle-name", Static).update(Text(w("bundle_name", name=bundle_name(view))))
        self.query_one("#handover-pem-label", Static).update(
            Text(w("pem_label", kid=self.kid) if self.pem is not None else w("no_key"))
        )
        self._show()

    def _show(self) -> None:
        view = self.view
        issued = bool(view and view.certificates)
        self.query_one("#handover-certificate", Button).display = issued
        self.query_one("#handover-no-certificate", Static).display = view is not None and not issued
        self.query_one("#handover-key", Button).display = self.pem is not None
        for action in ACTIONS:
            self.query_one(f"#handover-{action}-result", Static).display = action in self.results
        for button in self.query(Button):
            button.disabled = (self.busy or view is None) and button.id != "handover-back"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "report", "write_key", "install", "choose_folder", "certificate") and self.view is None:
            return False
        if action == "certificate":
            return bool(self.view and self.view.certificates)
        if action == "write_key":
            return self.pem is not None
        return True

    # -- results ------------------------------------------------------------------------------
    def _result(self, action: str, line: str, error: bool = False) -> None:
        self.results[action] = line
        widget = self.query_one(f"#handover-{action}-result", Static)
        widget.update(Text(line))
        widget.set_class(error, "-error")
        widget.display = True

    def _start(self, action: str, line: str) -> None:
        self.busy = True
        self._result(action, line)
        self._show()

    def _done(self, action: str, line: str, error: bool = False) -> None:
        self.busy = False
        self._result(action, line, error)
        self._show()

    def folder(self) -> Path:
        """The folder typed or chosen (``~`` expanded), remembered for the next hand-over."""
        text = self.query_one("#handover-folder-path", Input).value.strip()
        folder = Path(text).expanduser() if text else self.default_folder
        _last_folder[self.session.data.root] = folder
        return folder

    def _prepare(self, folder: Path) -> None:
        """The default folder is made on first use; a folder the auditor names must exist (a
        mistyped stick's path must not become a new folder on the laptop)."""
        if folder == self.default_folder:
            folder.mkdir(parents=True, exist_ok=True)

    async def _may_replace(self, paths: list[Path]) -> bool:
        existing = [path for path in paths if path.exists()]
        if not existing:
            return True
        answer: bool = await self.app.push_screen_wait(
            ConfirmScreen(
                self.words("replace", path=", ".join(str(p) for p in existing)),
                yes=self.words("replace_yes"),
                no=self.words("cancel"),
            )
        )
        return answer

    # -- the folder ---------------------------------------------------------------------------
    @on(Button.Pressed, "#handover-folder")
    def action_choose_folder(self) -> None:
        if not self.busy:
            self._choose_folder()

    @work(exclusive=True, group="handover-action", exit_on_error=False)
    async def _choose_folder(self) -> None:
        from inspector.tui.widgets.folder_picker import FolderPicker

        chosen = await self.app.push_screen_wait(FolderPicker(self.folder(), self.words("choose_folder"), self.lang))
        if chosen is not None:
            self.query_one("#handover-folder-path", Input).value = shown_path(chosen)
            _last_folder[self.session.data.root] = chosen

    # -- the bundle ---------------------------------------------------------------------------
    @on(Button.Pressed, "#handover-export")
    def action_export(self) -> None:
        if self.view is not None and not self.busy:
            self._export_flow(self.view)

    @work(exclusive=True, group="handover-action", exit_on_error=False)
    async def _export_flow(self, view: AuditView) -> None:
        target = self.folder() / bundle_name(view)
        if not await self._may_replace([target]):
            self._result("export", self.words("nothing"))
            return
        self._start("export", self.words("exporting"))
        self._export(target)

    @work(thread=True, exclusive=True, group="handover-write", exit_on_error=False)
    def _export(self, target: Path) -> None:
        from inspector.bundle.export import export_audit
        from inspector.trust.store import TrustStore

        try:
            self._prepare(target.parent)
            trustlist = TrustStore(self.session.data.root).trustlist_bytes()
            result = export_audit(self.session.audits, self.audit_id, target, trustlist, overwrite=True)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot export the bundle"), "export"))
        else:
            self.post_message(self.Exported(result))

    def on_handover_screen_exported(self, message: Exported) -> None:
        result = message.result
        self.exported = result
        sealed = self.words("sealed") if result.sealed else self.words("not_sealed")
        self._done(
            "export",
            self.words(
                "exported",
                path=shown_path(result.path),
                records=result.records,
                evidence=result.evidence,
                certificates=result.certificates,
                sealed=sealed,
            ),
        )

    # -- the report ---------------------------------------------------------------------------
    @on(Button.Pressed, "#handover-report")
    def action_report(self) -> None:
        if self.view is not None and not self.busy:
            self._report_flow(self.view)

    @work(exclusive=True, group="handover-action", exit_on_error=False)
    async def _report_flow(self, view: AuditView) -> None:
        from inspector.reports.write import report_stem

        folder = self.folder()
        stem = folder / report_stem(view.audit_id, "both")
        if not await self._may_replace([stem.with_suffix(".pdf"), stem.with_suffix(".html")]):
            self._result("report", self.words("nothing"))
            return
        self._start("report", self.words("reporting"))
        self._report(folder)

    @work(thread=True, exclusive=True, group="handover-write", exit_on_error=False)
    def _report(self, folder: Path) -> None:
        from inspector.reports import write_report

        try:
            self._prepare(folder)
            paths = write_report(self.session.audits, self.audit_id, folder)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot write the report"), "report"))
        else:
            self.post_message(self.Reported(paths))

    def on_handover_screen_reported(self, message: Reported) -> None:
        self.reported = message.paths
        self._done("report", report_line(self.words, message.paths))

    # -- the public key -----------------------------------------------------------------------
    @on(Button.Pressed, "#handover-key")
    def action_write_key(self) -> None:
        if self.pem is not None and not self.busy:
            self._key_flow(self.pem)

    @work(exclusive=True, group="handover-action", exit_on_error=False)
    async def _key_flow(self, pem: str) -> None:
        target = self.folder() / public_key_name(self.session.auditor_id)
        same = target.is_file() and target.read_bytes() == pem.encode("ascii")
        if not same and not await self._may_replace([target]):
            self._result("key", self.words("nothing"))
            return
        self._start("key", "…")
        self._write_key(target, pem, same)

    @work(thread=True, exclusive=True, group="handover-write", exit_on_error=False)
    def _write_key(self, target: Path, pem: str, same: bool) -> None:
        from inspector._io.atomic import atomic_write
        from inspector._io.outputs import check_output_file

        try:
            if not same:
                self._prepare(target.parent)
                check_output_file(target, "public key file", force=True, field="folder")
                atomic_write(target, pem.encode("ascii"), mode=0o644)  # the public half is meant to be sent
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot write the public key"), "key"))
        else:
            self.post_message(self.KeyWritten(target, same))

    def on_handover_screen_key_written(self, message: KeyWritten) -> None:
        self._done("key", self.words("key_same" if message.same else "key_written", path=shown_path(message.path)))

    # -- trust lists --------------------------------------------------------------------------
    @on(Button.Pressed, "#handover-install")
    def action_install(self) -> None:
        if self.view is not None and not self.busy:
            self._install_flow()

    @work(exclusive=True, group="handover-action", exit_on_error=False)
    async def _install_flow(self) -> None:
        from inspector.tui.widgets.file_picker import FilePicker

        folder = self.folder()
        start = folder if folder.is_dir() else self.session.data.root
        chosen = await self.app.push_screen_wait(FilePicker(start, self.words("choose_list"), lang=self.lang))
        if chosen is None:
            return
        self.install_file(Path(chosen))

    def install_file(self, path: Path) -> None:
        """Install the list in ``path`` on a worker (the picker's answer; tests call it directly)."""
        self._start("install", self.words("installing", path=shown_path(path)))
        self._install(path)

    @work(thread=True, exclusive=True, group="handover-write", exit_on_error=False)
    def _install(self, path: Path) -> None:
        try:
            installed = self._install_now(path)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, "cannot install the list"), "install"))
        else:
            if isinstance(installed, Problem):
                self.post_message(self.Failed(installed, "install"))
            else:
                self.post_message(self.ListInstalled(installed))

    def _install_now(self, path: Path) -> Installed | Problem:
        from inspector._io.files import read_user_file
        from inspector.crypto.canonical import loads_strict
        from inspector.errors import UserError
        from inspector.trust.lists import CRL_FORMAT, TRUSTLIST_FORMAT
        from inspector.trust.status import STATUS_FORMAT
        from inspector.trust.store import TrustStore

        data = read_user_file(path, "list file", LIST_LIMIT)
        document = loads_strict(data, f"list file {path}")
        fmt = document.get("format") if isinstance(document, dict) else None
        store = TrustStore(self.session.data.root)

        def seq_before(read: Any) -> int | None:
            try:
                seq: int | None = read()
            except UserError:  # damaged: installing names the file and says what to do
                return None
            return seq

        if fmt == TRUSTLIST_FORMAT:
            before = seq_before(store.installed_seq)
            done: Any = store.install(data, f"trust list {path}")
            kind = "trust"
        elif fmt == STATUS_FORMAT:
            before = seq_before(store.installed_status_seq)
            done = store.install_status(data, f"certificate status list {path}")
            kind = "status"
        elif fmt == CRL_FORMAT:
            before = seq_before(store.installed_crl_seq)
            done = store.install_crl(data, f"revocation list {path}")
            kind = "crl"
        else:
            return Problem(self.words("not_a_list", path=path, format=repr(fmt)), "not-a-list", "file")
        return Installed(kind, done, before != done.seq)

    def on_handover_screen_list_installed(self, message: ListInstalled) -> None:
        w = self.words
        kind, document = message.installed.kind, message.installed.document
        kind_word = w(f"kind_{kind}")
        if not message.installed.changed:
            line = w("already_installed", kind=kind_word, seq=document.seq)
        else:
            if kind == "trust":
                contents = w(
                    "trust_contents",
                    count=len(document.auditors),
                    issued=document.issued_at,
                    issuer=document.issuer_name,
                )
            elif kind == "status":
                contents = w("status_contents", count=document.count, issued=document.issued_at)
            else:
                contents = w("crl_contents", count=len(document.entries), issued=document.issued_at)
            line = w("installed", kind=kind_word, seq=document.seq, contents=contents, next=document.next_update)
        if document.is_stale():
            line += w("stale", next=document.next_update)
        self._done("install", line)

    # -- the certificate ----------------------------------------------------------------------
    @on(Button.Pressed, "#handover-certificate")
    def action_certificate(self) -> None:
        if self.view is not None and self.view.certificates and not self.busy:
            from inspector.tui.screens.certificate import CertificateScreen

            self.app.push_screen(CertificateScreen(self.session, self.view.certificates[0]))

    # -- the rest -----------------------------------------------------------------------------
    @on(Button.Pressed, "#handover-back")
    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()

    def on_handover_screen_failed(self, message: Failed) -> None:
        if message.action is None:
            self.query_one("#handover-station", Static).update(Text(message.error))
            self.busy = False
            self._show()
            return
        self._done(message.action, message.error, error=True)
