"""The app's words in English and Hindi: one catalogue per screen or widget, in this package.

Each module here defines ``WORDS = Catalogue(en={...}, hi={...})`` for the words its screen shows
(titles, labels, buttons, placeholders, messages, the help text). A screen asks
``WORDS(lang, "key", field=value)``; the language is the session's (``Session.lang``), switched
for the whole app and announced on ``AppServices.language_signal``.

Why hand-written and not gettext: the app ships two languages, both maintained by the team that
writes the screens, and a catalogue beside its screen is checked at import (both languages have
the same keys, the same ``{fields}``), so a missing Hindi string fails the test suite rather than
showing an English word in a Hindi screen. ``tests/tui/test_words.py`` checks every catalogue.

Hindi width: Rich measures Devanagari combining marks as zero cells, as most terminals draw
them; bordered titles and table cells stay short so a terminal that disagrees only shifts a
line's end, never a frame.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Literal

Lang = Literal["en", "hi"]
LANGS: tuple[Lang, ...] = ("en", "hi")

__all__ = ["LANGS", "Catalogue", "Lang", "other"]


def other(lang: str) -> Lang:
    """The language a toggle switches to."""
    return "en" if lang == "hi" else "hi"


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


class Catalogue:
    """Both languages' words for one screen; keys and ``{fields}`` must match."""

    def __init__(self, *, en: Mapping[str, str], hi: Mapping[str, str], latin: frozenset[str] = frozenset()) -> None:
        """``latin``: keys whose Hindi text is deliberately in Latin letters (the word "English"
        on the language switch); every other Hindi text must contain Devanagari."""
        missing = sorted(set(en) ^ set(hi))
        if missing:
            raise ValueError(f"catalogue keys not in both languages: {', '.join(missing)}")
        for key, text in en.items():
            if _fields(text) != _fields(hi[key]):
                raise ValueError(f"catalogue key {key!r}: English and Hindi name different fields")
            if not text.strip() or not hi[key].strip():
                raise ValueError(f"catalogue key {key!r}: empty text")
        self.en = dict(en)
        self.hi = dict(hi)
        self.latin = latin

    def __call__(self, lang: str, key: str, /, **fields: object) -> str:
        text = (self.hi if lang == "hi" else self.en)[key]
        return text.format(**fields) if fields else text

    def keys(self) -> frozenset[str]:
        return frozenset(self.en)

    def __contains__(self, key: object) -> bool:
        return key in self.en
