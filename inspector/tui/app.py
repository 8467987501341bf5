"""The auditor's terminal app: a thin shell over :class:`~inspector.tui.session.Session`.

Start-up: without a key on this device the first-run screen creates one; otherwise the home
screen opens with the unlock modal on top. The key locks again after the configured idle time
(``INSPECTOR_IDLE_LOCK_MINUTES`` in the environment, else ``idle_lock_minutes`` under ``[tui]``
in the data directory's ``config.toml``, else 15; 0 turns the idle lock off).

Settings (``inspector.tui.settings``): ``[tui]`` in ``config.toml`` gives the default theme and
language and rebinds keys by binding id (``[tui.keys]``, applied with ``App.set_keymap``); the
theme chosen with ctrl+t (dark, light, high contrast) and the language chosen with f2 are kept in
the data directory's state file for the next start. A setting that cannot be used is a warning
notification naming it, never a failed start. F1, and ``?`` outside text fields, open the help
screen of the screen on top, which the same key closes.

Screens see the app only as :class:`~inspector.tui.protocols.AppServices` and never import it.
Both start screens dismiss with the key; the app then announces the key's state on
``key_state_signal`` and asks every :class:`~inspector.tui.protocols.QuitGuard` screen before
exiting.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme

from inspector.paths import DataDir
from inspector.tui.protocols import QuitGuard
from inspector.tui.screens.unlock import UnlockScreen
from inspector.tui.settings import (
    DARK_THEME,
    HIGH_CONTRAST_THEME,
    load_settings,
    next_theme,
)

if TYPE_CHECKING:
    from inspector.crypto.signing import SigningKey
    from inspector.tui.session import Session

IDLE_CHECK_SECONDS = 15
HELP_KEYS = {"help": "f1", "help-question": "question_mark"}
"""The help screen's bindings and their default keys: the help screen closes on the key that opened it."""

HIGH_CONTRAST = Theme(
    # For sunlight on a laptop screen: glare washes out dark themes and pale tints, so black on
    # white, with the accents dark and saturated enough to read as themselves.
    name=HIGH_CONTRAST_THEME,
    primary="#0033cc",
    secondary="#5a007a",
    accent="#8a3b00",
    warning="#8a4b00",
    error="#b00000",
    success="#006400",
    foreground="#000000",
    background="#ffffff",
    surface="#ffffff",
    panel="#d8d8d8",
    boost="#e8e8e8",
    dark=False,
    luminosity_spread=0.25,
    text_alpha=1.0,
    variables={
        "footer-key-foreground": "#0033cc",
        "input-selection-background": "#0033cc 40%",
        "block-cursor-background": "#0033cc",
        "block-cursor-foreground": "#ffffff",
    },
)


class InspectorApp(App[None]):
    """Station Inspector's terminal app."""

    TITLE = "Station Inspector"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding(
            "ctrl+q", "quit", "Quit", id="quit", show=False, priority=True, tooltip="Save, close the audit and quit"
        ),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "Theme",
            id="theme",
            show=False,
            tooltip="Dark, light or high-contrast theme (kept for the next start)",
        ),
        Binding("ctrl+l", "lock", "Lock key", id="lock", show=False, tooltip="Lock the signing key now"),
        Binding(
            "f2",
            "toggle_language",
            "हिन्दी/English",
            id="app-language",
            show=False,
            priority=True,  # on modal screens too (the unlock modal, the help screen)
            tooltip="Hindi or English, every screen",
        ),
        # Priority: modal screens (unlock, new audit, help itself) hide the app's other bindings.
        # A text field still gets its "?": Textual drops a binding whose key the focused
        # Input consumes.
        Binding(
            "f1",
            "help('help')",
            "Help",
            id="help",
            show=False,
            priority=True,
            tooltip="What this screen is for, and its keys",
        ),
        Binding(
            "question_mark",
            "help('help-question')",
            "Help",
            id="help-question",
            show=False,
            priority=True,
            tooltip="What this screen is for, and its keys (not while typing)",
        ),
    ]

    def __init__(self, data: DataDir, demo_passphrase: str | None = None, *, data_label: str | None = None) -> None:
        """``data_label`` is what the home screen shows for the data directory (default: its path)."""
        super().__init__()
        self.data = data
        self.demo_passphrase = demo_passphrase
        self.data_label = str(data.root) if data_label is None else data_label
        settings = load_settings(data)
        self.idle_lock_minutes = settings.idle_lock_minutes
        self._settings_warnings = list(settings.warnings)
        self._keymap_source = settings.keymap_source
        self._start_language = settings.language or "en"
        self._session: Session | None = None
        self._session_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._unlock_waiters: list[asyncio.Future[SigningKey | None]] = []
        self.key_state_signal: Signal[bool] = Signal(self, "key-state")
        """Published with ``session.unlocked`` each time the key is unlocked or locked."""
        self.language_signal: Signal[str] = Signal(self, "language")
        """Published with the new language each time ``set_language`` changes it."""
        self.register_theme(HIGH_CONTRAST)
        self.theme = DARK_THEME
        if settings.theme and settings.theme != DARK_THEME:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            else:
                self._settings_warnings.append(
                    f"{data.config} [tui] theme = {settings.theme!r}: no such theme "
                    f"(dark, light, high-contrast or a Textual theme); using dark"
                )
        if settings.keymap:
            self.set_keymap(settings.keymap)

    @property
    def session(self) -> Session:
        """Data directory, services and the unlocked key, shared by every screen.

        Made on first use, usually by the home screen's loading worker: the core's imports
        (pydantic models, cryptography, storage) then happen off the UI thread, after the
        first screen is up."""
        with self._session_lock:
            if self._session is None:
                from inspector.tui.session import Session

                self._session = Session(
                    self.data,
                    demo_passphrase=self.demo_passphrase,
                    idle_lock_minutes=self.idle_lock_minutes,
                    lang=self._start_language,
                )
            return self._session

    @property
    def language(self) -> str:
        """The session's language, without making the session (the first screen comes before it)."""
        return self._session.lang if self._session is not None else self._start_language

    # -- start-up -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        for warning in self._settings_warnings:
            self.notify(warning, severity="warning", timeout=15)
        if self._keymap_source:
            self.run_worker(self._check_keymap, thread=True, group="keymap-check", exit_on_error=False)
        # After the start theme is set: only the auditor's own choices are kept.
        self.theme_changed_signal.subscribe(self, lambda _theme: self.keep_choices())
        if not self.data.auditor_key.is_file():
            # Imported here: only a laptop without a key needs the first-run screen (and the
            # key-making service it brings), so every other start skips it.
            from inspector.tui.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(lang=self.language), callback=self._started)
        else:
            # The unlock modal comes first, on its own: the home screen (table, footer) is
            # built once it is answered, which keeps the start-up short.
            self.push_screen(self._unlock_screen(), callback=self._started)
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock)

    def _started(self, key: SigningKey | None) -> None:
        """The first-run or the unlock screen closed (with the key, or None: not now)."""
        self.key_settled(key)
        from inspector.tui.screens.home import HomeScreen

        if not any(isinstance(screen, HomeScreen) for screen in self.screen_stack):
            self.push_screen(HomeScreen(data_label=self.data_label))

    # -- the key ----------------------------------------------------------------------------------
    def _unlock_screen(self) -> UnlockScreen:
        return UnlockScreen(self.data.auditor_key, demo_passphrase=self.demo_passphrase, lang=self.language)

    def push_unlock(self) -> None:
        """Show the unlock modal unless it is already showing."""
        if not any(isinstance(screen, UnlockScreen) for screen in self.screen_stack):
            self.push_screen(self._unlock_screen(), callback=self.key_settled)

    def key_settled(self, key: SigningKey | None) -> None:
        """The unlock modal closed, or the key was locked: wake the waiters, tell the screens."""
        waiters, self._unlock_waiters = self._unlock_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(key)
        self.key_state_signal.publish(self._session is not None and self._session.unlocked)

    async def ensure_unlocked(self) -> SigningKey | None:
        """The unlocked key, asking for the passphrase first when it is locked.

        Returns None when the auditor cancelled. Await it from a screen's message handler or
        from a worker, never from a key-binding action: binding actions run on the app's own
        message loop, which must stay free to deliver the keys typed into the modal.
        """
        if self.session.key is not None:
            self.session.touch()
            return self.session.key
        if asyncio.current_task() is getattr(self, "_task", None):
            raise RuntimeError("ensure_unlocked() awaited on the app's message loop; run it in a worker")
        waiter: asyncio.Future[SigningKey | None] = asyncio.get_running_loop().create_future()
        self._unlock_waiters.append(waiter)
        self.push_unlock()
        return await waiter

    def lock_key(self, why: str) -> None:
        if self._session is None or self._session.key is None:
            return
        self.session.lock()
        self.notify(why, title=_words(self.language, "key_locked"))
        self.key_settled(None)
        self.push_unlock()

    def check_idle_lock(self) -> None:
        """Lock the key after the idle time (run every few seconds by a timer)."""
        if self._session is not None and self._session.idle_expired():
            self.lock_key(_words(self.language, "locked_idle", minutes=self.session.idle_lock_minutes))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)) and self._session is not None:
            self._session.touch()
        await super().on_event(event)

    # -- actions ------------------------------------------------------------------------------------
    def action_lock(self) -> None:
        if self._session is None or self._session.key is None:
            self.push_unlock()
        else:
            self.lock_key(_words(self.language, "locked_now"))

    def set_language(self, lang: str) -> None:
        if lang not in ("en", "hi") or lang == self.language:
            return
        self._start_language = lang  # for screens made before the session, and the session itself
        if self._session is not None:
            self._session.lang = lang
        self.language_signal.publish(lang)
        self.keep_choices()

    def keep_choices(self) -> None:
        """Write the theme and the language to the state file, for the next start (on a worker:
        the write is fsynced)."""
        self.run_worker(self._write_state, thread=True, group="keep-choices", exit_on_error=False)

    def _write_state(self) -> None:
        from inspector.tui.settings import write_state

        # One write at a time, each of the values as they are now: after quick presses of
        # ctrl+t the last write to finish holds the last choice, whatever order workers ran in.
        with self._state_lock:
            language = self.language
            try:
                write_state(self.data, theme=self.theme, language=language)
            except Exception as exc:  # a read-only data directory must not take the app down
                self.call_from_thread(self.notify, _words(language, "cannot_keep", error=exc), severity="warning")

    def _check_keymap(self) -> None:
        """Warn about ``[tui.keys]`` ids that no binding has (a typo rebinds nothing)."""
        from inspector.tui.settings import known_binding_ids

        known = known_binding_ids(type(self))
        for binding_id, where in sorted(self._keymap_source.items()):
            if binding_id not in known:
                self.call_from_thread(
                    self.notify,
                    _words(self.language, "unknown_id", where=where),
                    severity="warning",
                    timeout=15,
                )

    def action_help(self, binding_id: str) -> None:
        """Show the help of the screen on top; the key that opened it closes it."""
        from inspector.tui.screens.help import HelpScreen

        under = self.screen
        keys = frozenset(k.strip() for k in self._keymap.get(binding_id, HELP_KEYS[binding_id]).split(","))
        if isinstance(under, HelpScreen):
            if keys & under.close_keys:
                under.dismiss()  # the key that opened it; any other help key does nothing
            return
        if binding_id == "help-question" and _typing(self):
            return
        self.push_screen(HelpScreen(under, close_keys=keys, lang=self.language))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help" and parameters == ("help-question",) and _typing(self):
            return False  # ? goes to the text being typed
        return True

    def action_toggle_language(self) -> None:
        from inspector.tui.words import other

        self.set_language(other(self.language))

    def action_toggle_theme(self) -> None:
        """dark -> light -> high contrast -> dark (the theme-changed signal keeps the choice)."""
        self.theme = next_theme(self.theme)

    async def action_quit(self) -> None:
        """Let the topmost screen with work to finish do it (and ask about unsaved input), then exit."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, QuitGuard):
                self.run_worker(self._quit_after(screen), group="quit", exclusive=True)
                return
        self.exit()

    async def _quit_after(self, guard: QuitGuard) -> None:
        if await guard.prepare_to_quit():
            self.exit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        lang = self.language
        yield SystemCommand(_words(lang, "cmd_theme"), _words(lang, "cmd_theme_help"), self.action_toggle_theme)
        yield SystemCommand(
            _words(lang, "cmd_language"), _words(lang, "cmd_language_help"), self.action_toggle_language
        )
        yield SystemCommand(_words(lang, "cmd_lock"), _words(lang, "cmd_lock_help"), self.action_lock)
        yield SystemCommand(_words(lang, "cmd_help"), _words(lang, "cmd_help_help"), partial(self.action_help, "help"))


def _typing(app: App[None]) -> bool:
    """True when the focus is in a text field (where ``?`` is a character, not a key): asked of
    the widget as Textual asks it (``check_consume_key``), so no widget class is imported for it."""
    focused = app.focused
    return focused is not None and focused.check_consume_key("question_mark", "?")


def _words(lang: str, key: str, /, **fields: object) -> str:
    """The app's own words (imported on first use: none is needed before the first screen)."""
    from inspector.tui.words.app import WORDS

    return WORDS(lang, key, **fields)
