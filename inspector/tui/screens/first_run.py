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
from inspector.tui.messages import Problem, WorkerFailed

if TYPE_CHECKING:
    from pathlib import Path

    from inspector.crypto.keystore import KeyInfo
    from inspector.crypto.signing import SigningKey
    from inspector.tui.protocols import AppServices

# The input that fixes an error about each field (``InspectorError.field``).
FOCUS_FOR_FIELD = {"name": "#name", "auditor_id": "#auditor-id", "passphrase": "#pass1"}


class FirstRunScreen(Screen["SigningKey | None"]):
    CSS_PATH = "first_run.tcss"
    BINDINGS = [("ctrl+s", "create", "Create key")]

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

    def __init__(self) -> None:
        super().__init__()
        self.key: SigningKey | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="first-run"):
            yield Static(
                "Welcome. This device has no auditor key yet. Create one: it signs every finding and "
                "certificate you record. It never leaves this laptop; HQ enrols its public half.",
                id="first-run-intro",
            )
            with Vertical(id="first-run-form"):
                for label, field in (
                    ("Your name", Input(placeholder="as HQ knows you, e.g. Sunita Devi", id="name")),
                    ("Auditor id", Input(placeholder="e.g. AUD-GBN-017", id="auditor-id")),
                    (
                        "Passphrase",
                        Input(password=True, placeholder=f"at least {MIN_PASSPHRASE} characters", id="pass1"),
                    ),
                    ("Passphrase again", Input(password=True, id="pass2")),
                ):
                    with Horizontal(classes="first-run-row"):
                        yield Label(label)
                        yield field
                yield Static("", id="first-run-error")
                yield LoadingIndicator(id="first-run-busy")
                with Horizontal(id="first-run-buttons"):
                    yield Button("Create key", variant="primary", id="create")
            with Vertical(id="first-run-done"):
                yield Static("", id="first-run-result")
                yield Button("Continue", variant="primary", id="continue")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "create" and self.is_mounted and self.query_one("#first-run-done").display:
            return False  # the key exists: the binding leaves the footer
        return True

    def on_mount(self) -> None:
        self.sub_title = "first run: create your signing key"
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
            self.show_problem(Problem.of(exc, "cannot create the key"))
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
            self.post_message(self.Failed(Problem.of(exc, "cannot create the key")))
        else:
            self.post_message(self.Created(created.info, key, created.pem_path))

    def on_first_run_screen_failed(self, message: Failed) -> None:
        self.set_busy(False)
        self.show_problem(message.problem)

    def show_problem(self, problem: Problem) -> None:
        self.show_error(problem.error)
        selector = FOCUS_FOR_FIELD.get(problem.field or "")
        if selector == "#pass1":  # both cleared, typed again
            self.query_one("#pass1", Input).value = ""
            self.query_one("#pass2", Input).value = ""
        if selector is not None:
            self.query_one(selector, Input).focus()

    def on_first_run_screen_created(self, message: Created) -> None:
        self.set_busy(False)
        self.key = message.key
        info = message.info
        self.query_one("#first-run-form").display = False
        self.query_one("#first-run-intro").display = False
        self.query_one("#first-run-result", Static).update(
            f"[b]Key created[/b] for {escape(info.name)} ({escape(info.auditor_id or '')}), key id {info.kid}.\n\n"
            f"Your public key is in\n  [b]{escape(str(message.pem_path))}[/b]\n\n"
            "Send this file to HQ for enrolment. Until HQ enrols it and you install the new trust "
            "list, certificates you sign will not verify. The key is unlocked for this session."
        )
        self.query_one("#first-run-done").display = True
        self.query_one("#continue", Button).focus()
        self.refresh_bindings()

    @on(Button.Pressed, "#continue")
    def go_home(self) -> None:
        """Done: the app takes the key and opens the home screen."""
        self.dismiss(self.key)

    def set_busy(self, busy: bool) -> None:
        self.query_one("#first-run-busy").display = busy
        self.query_one("#create", Button).disabled = busy
        if busy:
            self.show_error("creating the key (this takes a moment)…")

    def show_error(self, text: str) -> None:
        self.query_one("#first-run-error", Static).update(escape(text))
