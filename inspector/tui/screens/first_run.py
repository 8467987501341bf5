"""First run: no key on this device yet. Create one, export its public half for HQ.

The rules (passphrase policy, where the public PEM goes) and the use case itself are the core's
``inspector.services.auditor_key``; this screen is its form. The key is generated and encrypted
on a worker (scrypt) and the auditor is told to send the PEM file to HQ for enrolment. The
screen dismisses with the unlocked key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    Static,
)

from inspector.errors import UserError
from inspector.services.auditor_key import MIN_PASSPHRASE, check_new_key, create_auditor_key
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.words.first_run import WORDS

if TYPE_CHECKING:
    from pathlib import Path

    from inspector.crypto.keystore import KeyInfo
    from inspector.crypto.signing import SigningKey
    from inspector.tui.protocols import AppServices

# The input that fixes an error about each field (``InspectorError.field``).
FOCUS_FOR_FIELD = {"name": "#name", "auditor_id": "#auditor-id", "passphrase": "#pass1"}


class FirstRunScreen(Screen["SigningKey | None"]):
    CSS_PATH = "first_run.tcss"
    BINDINGS = [Binding("ctrl+s", "create", "Create key", id="first-run-create")]

    app: AppServices  # type: ignore[assignment]

    class Created(Message):
        """The key exists, is unlocked, and its public half is exported to ``pem_path``."""

        def __init__(self, info: KeyInfo, key: SigningKey, pem_path: Path) -> None:
            super().__init__()
            self.info = info
            self.key = key
            self.pem_path = pem_path

    class Failed(WorkerFailed):
        """No key was created (the form stays); ``field`` is the input at fault, if any."""

    def __init__(self, *, lang: str | None = None) -> None:
        """``lang``: the language to start in (default: the session's; the app passes its own,
        as this screen comes before the session is made)."""
        super().__init__()
        self.key: SigningKey | None = None
        self._lang = lang
        self._said: tuple[str, str] | None = None  # (catalogue key, or "" and a message)
        self._created: FirstRunScreen.Created | None = None

    @property
    def lang(self) -> str:
        return self._lang if self._lang is not None else self.app.session.lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Header()
        with VerticalScroll(id="first-run"):
            yield Static(WORDS(lang, "intro"), id="first-run-intro")
            with Vertical(id="first-run-form"):
                for key, field in (
                    ("name", Input(placeholder=WORDS(lang, "name_hint"), id="name")),
                    ("auditor_id", Input(placeholder=WORDS(lang, "auditor_id_hint"), id="auditor-id")),
                    (
                        "pass1",
                        Input(password=True, placeholder=WORDS(lang, "pass1_hint", count=MIN_PASSPHRASE), id="pass1"),
                    ),
                    ("pass2", Input(password=True, id="pass2")),
                ):
                    with Horizontal(classes="first-run-row"):
                        yield Label(WORDS(lang, key), id=f"label-{key}")
                        yield field
                yield Static("", id="first-run-error")
                yield LoadingIndicator(id="first-run-busy")
                with Horizontal(id="first-run-buttons"):
                    yield Button(WORDS(lang, "create"), variant="primary", id="create")
            with Vertical(id="first-run-done"):
                yield Static("", id="first-run-result")
                yield Button(WORDS(lang, "continue"), variant="primary", id="continue")
        yield Footer()

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help", count=MIN_PASSPHRASE)

    def _on_language(self, lang: str) -> None:
        translate_bindings(self, WORDS, lang)
        self._lang = lang
        self.set_class(lang == "hi", "-hi")
        self.sub_title = WORDS(lang, "sub_title")
        self.query_one("#first-run-intro", Static).update(WORDS(lang, "intro"))
        for key in ("name", "auditor_id", "pass1", "pass2"):
            self.query_one(f"#label-{key}", Label).update(WORDS(lang, key))
        self.query_one("#name", Input).placeholder = WORDS(lang, "name_hint")
        self.query_one("#auditor-id", Input).placeholder = WORDS(lang, "auditor_id_hint")
        self.query_one("#pass1", Input).placeholder = WORDS(lang, "pass1_hint", count=MIN_PASSPHRASE)
        self.query_one("#create", Button).label = WORDS(lang, "create")
        self.query_one("#continue", Button).label = WORDS(lang, "continue")
        if self._said is not None:
            self.show_error(*self._said)
        if self._created is not None:
            self._show_created(self._created)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "create" and self.is_mounted and self.query_one("#first-run-done").display:
            return False  # the key exists: the binding leaves the footer
        return True

    def on_mount(self) -> None:
        self.app.language_signal.subscribe(self, self._on_language)
        self.set_class(self.lang == "hi", "-hi")
        translate_bindings(self, WORDS, self.lang)
        self.sub_title = WORDS(self.lang, "sub_title")
        self.query_one("#first-run-busy").display = False
        self.query_one("#first-run-done").display = False
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        order = ["name", "auditor-id", "pass1", "pass2"]
        current = event.input.id or ""
        if current in order[:-1]:
            self.query_one(f"#{order[order.index(current) + 1]}", Input).focus()
        else:
            self.action_create()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        if self.query_one("#first-run-done").display:
            return
        name = self.query_one("#name", Input).value
        auditor_id = self.query_one("#auditor-id", Input).value
        pass1 = self.query_one("#pass1", Input).value
        pass2 = self.query_one("#pass2", Input).value
        try:
            check_new_key(name, auditor_id, pass1, pass2)
        except UserError as exc:
            self.show_problem(Problem.of(exc, WORDS(self.lang, "cannot_create")))
            return
        self.set_busy(True)
        self.create(name, auditor_id, pass1)

    @work(thread=True, exclusive=True, exit_on_error=False, group="create-key")
    def create(self, name: str, auditor_id: str, passphrase: str) -> None:
        session = self.app.session
        try:
            created = create_auditor_key(session.data, name, auditor_id, passphrase)
            key = session.unlock(passphrase)
        except Exception as exc:  # disk full, permissions: say so, keep the form
            self.post_message(self.Failed(Problem.of(exc, WORDS(self.lang, "cannot_create"))))
        else:
            self.post_message(self.Created(created.info, key, created.pem_path))

    def on_first_run_screen_failed(self, message: Failed) -> None:
        self.set_busy(False)
        self.show_problem(message.problem)

    def show_problem(self, problem: Problem) -> None:
        key = f"err:{problem.code}"
        if key in WORDS and self.lang != "en":  # English: the core's own sentence
            self.show_error(key)
        else:
            self.show_error("", problem.error)
        selector = FOCUS_FOR_FIELD.get(problem.field or "")
        if selector == "#pass1":  # both cleared, typed again
            self.query_one("#pass1", Input).value = ""
            self.query_one("#pass2", Input).value = ""
        if selector is not None:
            self.query_one(selector, Input).focus()

    def on_first_run_screen_created(self, message: Created) -> None:
        self.set_busy(False)
        self.key = message.key
        self._created = message
        self._said = None
        self.query_one("#first-run-form").display = False
        self.query_one("#first-run-intro").display = False
        self._show_created(message)
        self.query_one("#first-run-done").display = True
        self.query_one("#continue", Button).focus()
        self.refresh_bindings()

    def _show_created(self, message: Created) -> None:
        info = message.info
        self.query_one("#first-run-result", Static).update(
            WORDS(
                self.lang,
                "created",
                name=escape(info.name),
                auditor_id=escape(info.auditor_id or ""),
                kid=info.kid,
                pem=escape(str(message.pem_path)),
            )
        )

    @on(Button.Pressed, "#continue")
    def go_home(self) -> None:
        """Done: the app takes the key and opens the home screen."""
        self.dismiss(self.key)

    def set_busy(self, busy: bool) -> None:
        self.query_one("#first-run-busy").display = busy
        self.query_one("#create", Button).disabled = busy
        if busy:
            self.show_error("creating")

    def show_error(self, key: str, text: str = "") -> None:
        """The catalogue's ``key`` (said again on a language switch), or ``text`` when ``key`` is ''."""
        self._said = (key, text)
        said = WORDS(self.lang, key, count=MIN_PASSPHRASE) if key else text
        self.query_one("#first-run-error", Static).update(escape(said))
