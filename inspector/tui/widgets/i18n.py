"""The status keys of the walk, and the status names in either language.

The words themselves live in the catalogue ``inspector/tui/words/item.py`` (both languages
checked by ``tests/tui/test_words.py``); this module keeps what is not a word: which key records
which status, in the order the buttons and the footer show them.
"""

from __future__ import annotations

from inspector.tui.words.item import WORDS

# key, status value
STATUS_KEYS: list[tuple[str, str]] = [
    ("1", "conform"),
    ("2", "minor"),
    ("3", "major"),
    ("4", "observation"),
    ("5", "na"),
]
KEY_OF_STATUS = {status: key for key, status in STATUS_KEYS}
STATUS_OF_KEY = dict(STATUS_KEYS)


def status_name(lang: str, status: str) -> str:
    """The full name: "Major nonconformity"."""
    return WORDS(lang, f"status_{status}")


def short_name(lang: str, status: str) -> str:
    """The short name: "Major"."""
    return WORDS(lang, f"short_{status}")


def button_label(lang: str, status: str) -> str:
    return WORDS(lang, f"button_{status}")
