"""The unlock modal: the passphrase opens the auditor's key once per session.

Key derivation (scrypt) runs on a worker; a wrong passphrase is said so and the field is
cleared for another try. The demo shows its public passphrase as a hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, LoadingIndicator, Static

from inspector.crypto.keystore import WrongPassphrase
from inspector.tui.messages import Problem, WorkerFailed

if TYPE_CHECKING:
    from inspector.crypto.signing import SigningKey
    from inspector.tui.protocols import AppServices


class UnlockScreen(ModalScreen["SigningKey | None"]):
    """Dismisses with the unlocked key, or None when the auditor chose "Not now"."""

    CSS_PATH = "unlock.tcss"
    BINDINGS = [Binding("escape", "cancel", "Not now", id="unlock-cancel")]

    app: AppServices  # type: ignore[assignment]

    class Unlocked(Message):
        """The passphrase opened the key."""

        def __init__(self, key: SigningKey) -> None:
            super().__init__()
            self.key = key

    class Failed(WorkerFailed):
        """The key did not open; ``code`` is ``"wrong-passphrase"`` when the passphrase was wrong."""

    class KeyRead(Message):
        """Whose key this is, as one line (or why the key file could not be read)."""

        def __init__(self, who: str) -> None:
            super().__init__()
            self.who = who

    def __init__(self, key_path: Path, *, demo_passphrase: str | None = None) -> None:
        super().__init__()
        self.key_path = key_path
        self.demo_passphrase = demo_passphrase

    def compose(self) -> ComposeResult:
        demo = self.demo_passphrase
        with Vertical(id="unlock-box"):
            yield Static("Unlock your signing key", id="unlock-title")
            yield Static(str(self.key_path), id="unlock-who", markup=False)
            if demo:
                yield Static(f"Demo: the passphrase is [b]{escape(demo)}[/b]", id="unlock-hint")
            yield Input(placeholder="passphrase", password=True, id="passphrase")
            yield Static("", id="unlock-error")
            yield LoadingIndicator(id="unlock-busy")
            with Horizontal(id="unlock-buttons"):
                yield Button("Unlock", variant="primary", id="unlock")
                yield Button("Not now", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#unlock-busy").display = False
        self.query_one("#passphrase", Input).focus()
        self.read_key_info()

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock-info")
    def read_key_info(self) -> None:
        """Whose key this is (reading the key file needs the core: kept off the UI thread)."""
        try:
            info = self.app.session.key_info()
        except Exception as exc:
            self.post_message(self.KeyRead(Problem.of(exc, "cannot read the key file").error))
        else:
            self.post_message(
                self.KeyRead(f"{info.name} · {info.auditor_id} · key {info.kid}" if info else "no key on this device")
            )

    def on_unlock_screen_key_read(self, message: KeyRead) -> None:
        self.query_one("#unlock-who", Static).update(message.who)

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def submit(self) -> None:
        field = self.query_one("#passphrase", Input)
        if not field.value:
            self.show_error("type the passphrase first")
            return
        self.set_busy(True)
        self.derive(field.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def derive(self, passphrase: str) -> None:
        try:
            key = self.app.session.unlock(passphrase)
        except Exception as exc:  # a damaged file must not take the app down
            self.post_message(self.Failed(Problem.of(exc, "cannot unlock")))
        else:
            self.post_message(self.Unlocked(key))

    def on_unlock_screen_unlocked(self, message: Unlocked) -> None:
        self.dismiss(message.key)

    def on_unlock_screen_failed(self, message: Failed) -> None:
        self.set_busy(False)
        wrong = message.code == WrongPassphrase.default_code
        self.show_error("Wrong passphrase: try again." if wrong else message.error)
        field = self.query_one("#passphrase", Input)
        field.value = ""
        field.focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def set_busy(self, busy: bool) -> None:
        self.query_one("#unlock-busy").display = busy
        self.query_one("#unlock", Button).disabled = busy
        self.query_one("#passphrase", Input).disabled = busy
        if busy:
            self.show_error("deriving the key…")

    def show_error(self, text: str) -> None:
        self.query_one("#unlock-error", Static).update(text)
