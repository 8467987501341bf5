"""What screens need from the app they run in, as protocols: screens never import the app.

:class:`AppServices` is the whole contract. ``InspectorApp`` provides it, and so does the test
suite's ``HarnessApp`` (``tests/tui/harness.py``), which hosts a single screen over a prepared
session. A screen says ``app: AppServices`` and uses nothing else of the app.

The key's state reaches screens through ``key_state_signal`` (a Textual signal, as
``App.theme_changed_signal``): a screen that shows it subscribes in ``on_mount``. A screen that
must finish work before the app exits implements :class:`QuitGuard`; one whose items the command
palette lists implements :class:`ItemPalette`.

These protocols are ``runtime_checkable``: the app asks ``isinstance(screen, QuitGuard)``, the
palette ``isinstance(screen, ItemPalette)``, and the tests check that both apps are
``AppServices`` (on Python 3.11 that reads ``session``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.signal import Signal

    from inspector.crypto.signing import SigningKey
    from inspector.tui.session import Session

__all__ = ["AppServices", "HasHelp", "ItemPalette", "QuitGuard", "ScreenHost"]


class ScreenHost(Protocol):
    """The part of Textual's ``App`` that screens call (every ``App`` has it)."""

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any: ...

    async def push_screen_wait(self, screen: Screen[Any]) -> Any: ...

    def switch_screen(self, screen: Screen[Any]) -> Any: ...


@runtime_checkable
class AppServices(ScreenHost, Protocol):
    """The session, the key, and news of the key, on top of the screen stack."""

    @property
    def session(self) -> Session:
        """Data directory, services and the unlocked key (``inspector.tui.session``)."""
        ...

    @property
    def key_state_signal(self) -> Signal[bool]:
        """Published with ``session.unlocked`` whenever the key is unlocked or locked."""
        ...

    async def ensure_unlocked(self) -> SigningKey | None:
        """The unlocked key, asking for the passphrase first when locked; None if the auditor
        cancelled. Await it from a worker or a message handler, never from a binding action."""
        ...

    @property
    def language_signal(self) -> Signal[str]:
        """Published with the new language ("en" or "hi") whenever ``set_language`` changes it;
        a screen that shows words subscribes in ``on_mount`` and renders them again."""
        ...

    def set_language(self, lang: str) -> None:
        """Switch every screen to ``lang`` (stored in ``session.lang``, kept for the next start)."""
        ...


@runtime_checkable
class QuitGuard(Protocol):
    """A screen with work to finish (or unsaved input to ask about) before the app exits."""

    async def prepare_to_quit(self) -> bool:
        """Finish up; False when the auditor chose to stay."""
        ...


@runtime_checkable
class HasHelp(Protocol):
    """A screen with its own help text (F1 or ``?``); the help screen adds the screen's keys."""

    def help_text(self, lang: str) -> str:
        """What the screen is for and how to go on, in ``lang``, a few short paragraphs."""
        ...


@runtime_checkable
class ItemPalette(Protocol):
    """A screen whose items and actions the command palette (ctrl+p) offers."""

    def jump_targets(self) -> Iterable[tuple[str, str, str]]:
        """(item id, question, section title) of every item."""
        ...

    def palette_actions(self) -> Iterable[tuple[str, Callable[[], Any], str]]:
        """(title, callback, help text) of the screen's actions."""
        ...

    def goto_item(self, item_id: str) -> None: ...
