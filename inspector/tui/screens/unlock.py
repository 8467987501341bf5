"""The unlock modal: the passphrase opens the auditor's key once per session.

Key derivation (scrypt) runs on a worker; a wrong passphrase is said so and the field is
cleared for another try. The demo shows its public passphrase as a hint.

The modal is the first screen of a start-up, before the session exists (making it imports the
core): the app hands it the start language, and it follows ``language_signal`` from there.
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

from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.words.unlock import WORDS

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
        """Whose key this is (a catalogue key and its fields), or why the key file could not
        be read (a line)."""

        def __init__(self, who: tuple[str, dict[str, str]] | str) -> None:
            super().__init__()
            self.who = who

    def __init__(self, key_path: Path, *, demo_passphrase: str | None = None, lang: str | None = None) -> None:
        """``lang``: the language to start in (default: the session's)."""
        super().__init__()
        self.key_path = key_path
        self.demo_passphrase = demo_passphrase
        self._lang = lang
        self._who: tuple[str, dict[str, str]] | str = str(key_path)
        self._error: tuple[str, str] | None = None  # (catalogue key, or "" and a message)

    @property
    def lang(self) -> str:
        return self._lang if self._lang is not None else self.app.session.lang

    def compose(self) -> ComposeResult:
        demo = self.demo_passphrase
        lang = self.lang
        with Vertical(id="unlock-box"):
            yield Static(WORDS(lang, "title"), id="unlock-title")
            yield Static(str(self.key_path), id="unlock-who", markup=False)
            if demo:
                yield Static("", id="unlock-hint")
            yield Input(placeholder=WORDS(lang, "placeholder"), password=True, id="passphrase")
            yield Static("", id="unlock-error")
            yield LoadingIndicator(id="unlock-busy")
            with Horizontal(id="unlock-buttons"):
                yield Button(WORDS(lang, "unlock"), variant="primary", id="unlock")
                yield Button(WORDS(lang, "not_now"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#unlock-busy").display = False
        self.query_one("#passphrase", Input).focus()
        self.app.language_signal.subscribe(self, self._on_language)
        self.render_words()
        # After the first frame: the worker imports the keystore (pydantic, cryptography), which
        # would hold the interpreter while the prompt is drawn; the key's owner line can wait.
        self.call_after_refresh(self.read_key_info)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        self._lang = lang
        self.render_words()

    def render_words(self) -> None:
        lang = self.lang
        self.set_class(lang == "hi", "-hi")
        self.query_one("#unlock-title", Static).update(WORDS(lang, "title"))
        if self.demo_passphrase:
            self.query_one("#unlock-hint", Static).update(
                WORDS(lang, "demo", passphrase=f"[b]{escape(self.demo_passphrase)}[/b]")
            )
        self.query_one("#passphrase", Input).placeholder = WORDS(lang, "placeholder")
        self.query_one("#unlock", Button).label = WORDS(lang, "unlock")
        self.query_one("#cancel", Button).label = WORDS(lang, "not_now")
        who = self._who
        self.query_one("#unlock-who", Static).update(who if isinstance(who, str) else WORDS(lang, who[0], **who[1]))
        if self._error is not None:
            key, text = self._error
            self.query_one("#unlock-error", Static).update(WORDS(lang, key) if key else text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock-info")
    def read_key_info(self) -> None:
        """Whose key this is (reading the key file needs the core: kept off the UI thread)."""
        try:
            info = self.app.session.key_info()
        except Exception as exc:
            self.post_message(self.KeyRead(Problem.of(exc, WORDS(self.lang, "cannot_read")).error))
        else:
            if info is None:
                self.post_message(self.KeyRead(("no_key", {})))
            else:
                facts = {"name": info.name, "auditor_id": info.auditor_id or "", "kid": info.kid}
                self.post_message(self.KeyRead(("who", facts)))

    def on_unlock_screen_key_read(self, message: KeyRead) -> None:
        self._who = message.who
        self.render_words()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def submit(self) -> None:
        field = self.query_one("#passphrase", Input)
        if not field.value:
            self.show_error("type_first")
            return
        self.set_busy(True)
        self.derive(field.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def derive(self, passphrase: str) -> None:
        try:
            key = self.app.session.unlock(passphrase)
        except Exception as exc:  # a damaged file must not take the app down
            self.post_message(self.Failed(Problem.of(exc, WORDS(self.lang, "cannot_unlock"))))
        else:
            self.post_message(self.Unlocked(key))

    def on_unlock_screen_unlocked(self, message: Unlocked) -> None:
        self.dismiss(message.key)

    def on_unlock_screen_failed(self, message: Failed) -> None:
        # Imported here, not at the top: this screen is on the app's start-up path, and the
        # keystore (pydantic, cryptography) would double the cold start; by now the worker has
        # loaded it anyway.
        from inspector.crypto.keystore import WrongPassphrase

        self.set_busy(False)
        wrong = message.code == WrongPassphrase.default_code
        if wrong:
            self.show_error("wrong")
        else:
            self.show_error("", message.error)
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
            self.show_error("deriving")

    def show_error(self, key: str, text: str = "") -> None:
        """The catalogue's ``key`` (re-rendered on a language switch), or ``text`` when ``key`` is ''."""
        self._error = (key, text)
        self.query_one("#unlock-error", Static).update(WORDS(self.lang, key) if key else text)
