"""Command palette (ctrl+p) entries of the checklist walk: jump to any item, and the walk's actions.

Item lines are "MAL-03 question…" in English: the palette draws them in a bordered list,
where Hindi's widths would break the frame. The help line under each follows the session's
language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from inspector.tui.protocols import AppServices, ItemPalette
from inspector.tui.words.app import WORDS

QUESTION_WIDTH = 60


class ItemJumpProvider(Provider):
    """Hits from the screen that opened the palette, when it is an :class:`ItemPalette` (the walk)."""

    def _entries(self) -> Iterator[tuple[str, Callable[[], Any], str]]:
        screen = self.screen
        if not isinstance(screen, ItemPalette):
            return
        app = self.app
        lang = app.session.lang if isinstance(app, AppServices) else "en"
        yield from screen.palette_actions()
        for item_id, question, section in screen.jump_targets():
            title = f"{item_id} {_clip(question)}"
            yield title, partial(screen.goto_item, item_id), WORDS(lang, "goto", item=item_id, section=section)

    async def discover(self) -> Hits:
        for title, callback, help_text in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        wanted = query.strip().upper()
        for title, callback, help_text in self._entries():
            score = matcher.match(title)
            if wanted and title.upper().startswith(wanted):
                score = max(score, 1.0)  # an exact item id goes to the top
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


def _clip(text: str) -> str:
    return text if len(text) <= QUESTION_WIDTH else text[: QUESTION_WIDTH - 1] + "…"
