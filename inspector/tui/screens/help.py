"""The help screen: what the screen underneath is for, and the keys that work on it.

Opened by F1 or ``?`` on any screen (the app's ``help`` and ``help-question`` bindings) and
closed by the key that opened it, or escape. The text is the screen's own
(:class:`~inspector.tui.protocols.HasHelp`), a generic line for a screen without one; the keys
are the screen's active bindings as they are now (rebinding in ``config.toml`` shows here), each
with its binding id, the name ``[tui.keys]`` rebinds it by.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from inspector.tui.protocols import HasHelp
from inspector.tui.words import Catalogue
from inspector.tui.words.help import WORDS

if TYPE_CHECKING:
    from inspector.tui.protocols import AppServices


@dataclass(frozen=True)
class KeyLine:
    """One key the screen underneath answers to."""

    key: str
    """As the footer shows it ("f1", "?", "ctrl+t")."""
    binding_id: str | None
    description: str
    """The binding's own (English) description."""
    enabled: bool


class HelpScreen(ModalScreen[None]):
    """Help for ``under``; ``close_keys`` are the keys that opened it (Textual key names)."""

    CSS_PATH = "help.tcss"

    app: AppServices  # type: ignore[assignment]

    def __init__(
        self, under: Screen[Any], *, close_keys: frozenset[str] = frozenset({"f1"}), lang: str | None = None
    ) -> None:
        """``lang``: the language to start in (default: the session's). The app passes its own:
        help on the unlock modal comes before the session exists, and making it is slow."""
        super().__init__()
        self.under = under
        self._lang = lang
        self.close_keys = close_keys | {"escape"}
        self.keys = self._keys_of(under)

    def _keys_of(self, under: Screen[Any]) -> list[KeyLine]:
        app = under.app
        active = list(under.active_bindings.values())
        if under.is_modal:
            # A modal screen's chain stops at the screen, but the app's priority bindings (help,
            # language, quit) still work there: list them too.
            bound = {item.binding.key for item in active}
            for namespace, bindings in under._binding_chain:
                if namespace is app:
                    for key, binding in bindings:
                        if binding.priority and key not in bound:
                            active.append(ActiveBinding(app, binding, True, binding.tooltip))
        lines: list[KeyLine] = []
        seen: set[tuple[str | None, str]] = set()
        for item in active:
            binding = item.binding
            description = binding.description or binding.tooltip or ""
            # Bindings without an id are the widgets' own (a table's cursor keys): they cannot
            # be rebound and every user knows them; listing them would bury the screen's keys.
            if not description or binding.system or not binding.id:
                continue
            key = app.get_key_display(binding)
            if (binding.id, key) in seen:
                continue
            seen.add((binding.id, key))
            lines.append(KeyLine(key, binding.id, description, item.enabled))
        return lines

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static("", id="help-text")
                yield Static("", id="help-keys")
            yield Static("", id="help-closes")

    def on_mount(self) -> None:
        self.app.language_signal.subscribe(self, self._on_language)
        self.render_words()

    @property
    def lang(self) -> str:
        return self._lang if self._lang is not None else self.app.session.lang

    def _on_language(self, lang: str) -> None:
        self._lang = lang
        self.render_words()

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def screen_name(self, lang: str) -> str:
        """The screen underneath's title, or its catalogue's "title" (modals have none of their
        own), or the app's."""
        app_title = self.under.app.title
        if self.under.title and self.under.title != app_title:
            return self.under.title
        own = getattr(sys.modules.get(type(self.under).__module__), "WORDS", None)
        if isinstance(own, Catalogue) and "title" in own:
            return own(lang, "title")
        return app_title

    def text_for(self, lang: str) -> str:
        """The screen underneath's help in ``lang`` (or the generic line)."""
        if isinstance(self.under, HasHelp):
            return self.under.help_text(lang)
        return WORDS(lang, "generic")

    def description(self, line: KeyLine, lang: str) -> str:
        """The binding's description in ``lang``: from this catalogue (``key:<id>``), else from
        the screen's own catalogue (``key_<id>``, the walk's convention), else its own words."""
        if not line.binding_id:
            return line.description
        key = f"key:{line.binding_id}"
        if key in WORDS:
            return WORDS(lang, key)
        own = getattr(sys.modules.get(type(self.under).__module__), "WORDS", None)
        if isinstance(own, Catalogue) and f"key_{line.binding_id}" in own:
            return own(lang, f"key_{line.binding_id}")
        return line.description

    def render_words(self) -> None:
        lang = self.lang
        self.set_class(lang == "hi", "-hi")
        name = self.screen_name(lang)
        self.query_one("#help-title", Static).update(Text(f"{WORDS(lang, 'title')} · {name}", "bold"))
        self.query_one("#help-text", Static).update(Text(self.text_for(lang)))
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("what", ratio=1)
        table.add_column("id", no_wrap=True, style="dim")
        for line in self.keys:
            what = self.description(line, lang)
            if not line.enabled:
                what = f"{what} {WORDS(lang, 'not_now')}"
            table.add_row(line.key, what, line.binding_id or "")
        keys = Text.assemble((WORDS(lang, "keys"), "bold underline"), "\n")
        self.query_one("#help-keys", Static).update(Group(keys, table, Text("\n" + WORDS(lang, "rebind"))))
        opener = sorted(k for k in self.close_keys if k != "escape")
        shown = "/".join(self.app_key_display(key) for key in opener) or "F1"
        self.query_one("#help-closes", Static).update(Text(WORDS(lang, "closes", key=shown)))

    def app_key_display(self, key: str) -> str:
        from textual.binding import Binding

        return self.under.app.get_key_display(Binding(key, ""))

    async def on_key(self, event: events.Key) -> None:
        if event.key in self.close_keys:
            event.stop()
            event.prevent_default()
            self.dismiss()
