"""Words of the app itself: its bindings, notices shown on every screen."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "language": "हिन्दी",
        "language_now": "Labels in English",
    },
    hi={
        "language": "English",
        "language_now": "लेबल हिन्दी में",
    },
    latin=frozenset({"language"}),
)
