"""The auditor's terminal app: a thin shell over :class:`~inspector.tui.session.Session`.

Start-up: without a key on this device the first-run screen creates one; otherwise the home
screen opens with the unlock modal on top. The key locks again after the configured idle time
(``INSPECTOR_IDLE_LOCK_MINUTES`` in the environment, else ``idle_lock_minutes`` under ``[tui]``
in the data directory's ``config.toml``, else 15; 0 turns the idle lock off).

Screens see the app only as :class:`~inspector.tui.protocols.AppServices` and never import it.
Both start screens dismiss with the key; the app then announces the key's state on
``key_state_signal`` and asks every :class:`~inspector.tui.protocols.QuitGuard` screen before
exiting.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal

from inspector.paths import DataDir
from inspector.tui.protocols import QuitGuard
from inspector.tui.screens.unlock import UnlockScreen

if TYPE_CHECKING:
    from inspector.crypto.signing import SigningKey
    from inspector.tui.session import Session

ENV_IDLE_LOCK = "INSPECTOR_IDLE_LOCK_MINUTES"
DEFAULT_IDLE_LOCK_MINUTES = 15  # the same default as Session's
IDLE_CHECK_SECONDS = 15
DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


def idle_lock_minutes(data: DataDir) -> tuple[int, str | None]:
    """The configured idle-lock minutes and, when a setting was unusable, a warning to show."""
    text = os.environ.get(ENV_IDLE_LOCK)
    where = f"${ENV_IDLE_LOCK}"
    if text is None and data.config.is_file():
        import tomllib  # here: most laptops have no config.toml, and every start-up counts

        where = f"{data.config} [tui] idle_lock_minutes"
        try:
            value = tomllib.loads(data.config.read_text(encoding="utf-8")).get("tui", {}).get("idle_lock_minutes")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError) as exc:
            return (
                DEFAULT_IDLE_LOCK_MINUTES,
                f"{data.config}: unreadable ({exc}); idle lock {DEFAULT_IDLE_LOCK_MINUTES} min",
            )
        text = None if value is None else str(value)
    if text is None:
        return DEFAULT_IDLE_LOCK_MINUTES, None
    try:
        minutes = int(text.strip())
        if minutes < 0:
            raise ValueError
    except ValueError:
        return (
            DEFAULT_IDLE_LOCK_MINUTES,
            f"{where}: {text!r} is not a number of minutes; using {DEFAULT_IDLE_LOCK_MINUTES}",
        )
    return minutes, None


class InspectorApp(App[None]):
    """Station Inspector's terminal app."""

    TITLE = "Station Inspector"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding(
            "ctrl+q", "quit", "Quit", id="quit", show=False, priority=True, tooltip="Save, close the audit and quit"
        ),
        Binding("ctrl+t", "toggle_theme", "Theme", id="theme", show=False, tooltip="Light or dark theme"),
        Binding("ctrl+l", "lock", "Lock key", id="lock", show=False, tooltip="Lock the signing key now"),
        Binding(
            "f2",
            "toggle_language",
            "हिन्दी/English",
            id="app-language",
            show=False,
            tooltip="Hindi or English, every screen",
        ),
        Binding("f1", "show_help_panel", "Keys", id="keys", show=False, tooltip="Show every key"),
    ]

    def __init__(self, data: DataDir, demo_passphrase: str | None = None, *, data_label: str | None = None) -> None:
        """``data_label`` is what the home screen shows for the data directory (default: its path)."""
        super().__init__()
        self.data = data
        self.demo_passphrase = demo_passphrase
        self.data_label = str(data.root) if data_label is None else data_label
        self.idle_lock_minutes, self._config_warning = idle_lock_minutes(data)
        self._session: Session | None = None
        self._session_lock = threading.Lock()
        self._unlock_waiters: list[asyncio.Future[SigningKey | None]] = []
        self.key_state_signal: Signal[bool] = Signal(self, "key-state")
        """Published with ``session.unlocked`` each time the key is unlocked or locked."""
        self.language_signal: Signal[str] = Signal(self, "language")
        """Published with the new language each time ``set_language`` changes it."""
        self.theme = DARK_THEME

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
                    self.data, demo_passphrase=self.demo_passphrase, idle_lock_minutes=self.idle_lock_minutes
                )
            return self._session

    # -- start-up -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self._config_warning:
            self.notify(self._config_warning, severity="warning")
        if not self.data.auditor_key.is_file():
            # Imported here: only a laptop without a key needs the first-run screen (and the
            # key-making service it brings), so every other start skips it.
            from inspector.tui.screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(), callback=self._started)
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
        return UnlockScreen(self.data.auditor_key, demo_passphrase=self.demo_passphrase)

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
        self.notify(why, title="Key locked")
        self.key_settled(None)
        self.push_unlock()

    def check_idle_lock(self) -> None:
        """Lock the key after the idle time (run every few seconds by a timer)."""
        if self._session is not None and self._session.idle_expired():
            self.lock_key(f"locked after {self.session.idle_lock_minutes} idle minutes; enter the passphrase to go on")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)) and self._session is not None:
            self._session.touch()
        await super().on_event(event)

    # -- actions ------------------------------------------------------------------------------------
    def action_lock(self) -> None:
        if self._session is None or self._session.key is None:
            self.push_unlock()
        else:
            self.lock_key("the key is locked; enter the passphrase to sign again")

    def set_language(self, lang: str) -> None:
        if lang not in ("en", "hi") or lang == self.session.lang:
            return
        self.session.lang = lang
        self.language_signal.publish(lang)

    def action_toggle_language(self) -> None:
        from inspector.tui.words import other

        self.set_language(other(self.session.lang))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

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
        yield SystemCommand(
            "Light / dark theme", "Switch between the light and the dark theme (ctrl+t)", self.action_toggle_theme
        )
        yield SystemCommand("Lock key", "Lock the signing key now (ctrl+l)", self.action_lock)
