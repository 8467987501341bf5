"""First run: no key on this device yet. Create one, export its public half for HQ.

The key is generated and encrypted on a worker (scrypt); the public key is written as PEM to
``DATA/keys/auditor-public.pem`` and the auditor is told to send that file to HQ for enrolment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
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
from inspector.tui.messages import KeyCreated, KeyCreateFailed

if TYPE_CHECKING:
    from inspector.tui.app import InspectorApp

PUBLIC_PEM_NAME = "auditor-public.pem"
MIN_PASSPHRASE = 8


def public_pem_path(key_path: Path) -> Path:
    return key_path.parent / PUBLIC_PEM_NAME


class FirstRunScreen(Screen[None]):
    CSS_PATH = "first_run.tcss"
    BINDINGS = [("ctrl+s", "create", "Create key")]

    app: InspectorApp  # type: ignore[assignment]

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
        name = self.query_one("#name", Input).value.strip()
        auditor_id = self.query_one("#auditor-id", Input).value.strip()
        pass1 = self.query_one("#pass1", Input).value
        pass2 = self.query_one("#pass2", Input).value
        problem = None
        if not name:
            problem, field = "type your name", "#name"
        elif not auditor_id:
            problem, field = "type your auditor id", "#auditor-id"
        elif len(pass1) < MIN_PASSPHRASE:
            problem, field = f"the passphrase needs at least {MIN_PASSPHRASE} characters", "#pass1"
        elif pass1 != pass2:
            problem, field = "the two passphrases differ: type them again", "#pass1"
        if problem:
            self.show_error(problem)
            if field == "#pass1":
                self.query_one("#pass1", Input).value = ""
                self.query_one("#pass2", Input).value = ""
            self.query_one(field, Input).focus()
            return
        self.set_busy(True)
        self.create(name, auditor_id, pass1)

    @work(thread=True, exclusive=True, exit_on_error=False, group="create-key")
    def create(self, name: str, auditor_id: str, passphrase: str) -> None:
        from inspector._io.atomic import private_dir, write_private
        from inspector.crypto.keystore import create_key

        data = self.app.session.data
        try:
            private_dir(data.auditor_key.parent)
            info = create_key(data.auditor_key, "auditor", name, passphrase, auditor_id)
            pem = public_pem_path(data.auditor_key)
            write_private(pem, info.public.to_pem(), mode=0o644)
            key = self.app.session.unlock(passphrase)
        except UserError as exc:
            self.post_message(KeyCreateFailed(str(exc)))
        except Exception as exc:  # disk full, permissions: say so, keep the form
            self.post_message(KeyCreateFailed(f"cannot create the key: {exc}"))
        else:
            self.post_message(KeyCreated(info, key, pem))

    def on_key_create_failed(self, message: KeyCreateFailed) -> None:
        self.set_busy(False)
        self.show_error(message.error)

    def on_key_created(self, message: KeyCreated) -> None:
        self.set_busy(False)
        self.app.key_settled(message.key)
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
        from inspector.tui.screens.home import HomeScreen

        self.app.switch_screen(HomeScreen())

    def set_busy(self, busy: bool) -> None:
        self.query_one("#first-run-busy").display = busy
        self.query_one("#create", Button).disabled = busy
        if busy:
            self.show_error("creating the key (this takes a moment)…")

    def show_error(self, text: str) -> None:
        self.query_one("#first-run-error", Static).update(escape(text))
