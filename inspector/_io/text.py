"""The one policy for text a person types: names, notes, reasons.

Text is NFC-normalised and trimmed, and refused when it holds what a reader cannot see or that
changes how the rest reads: control characters (newline and tab are allowed in free text only),
format characters such as the right-to-left override U+202E or the zero-width space U+200B
(the two joiners U+200C and U+200D stay: Devanagari needs them), line and paragraph separators,
lone surrogates, and a combining mark at the very start.

This is applied where text *enters* the product (the CLI, the TUI, HQ's commands). Records that
are already signed are checked by their own, older validators, so audits signed before this
policy existed keep verifying.
"""

from __future__ import annotations

import unicodedata

from inspector.errors import UserError

__all__ = ["JOINERS", "check_free_text", "check_line_text", "invisible_character"]

JOINERS = "\u200c\u200d"  # ZWNJ and ZWJ: shape Devanagari conjuncts, so they are allowed
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def invisible_character(value: str, *, allow: str = "") -> str | None:
    """The first character of ``value`` the policy refuses, described, or None."""
    for char in value:
        if char in allow or char in JOINERS:
            continue
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            name = unicodedata.name(char, "")
            return f"U+{ord(char):04X}" + (f" {name}" if name else "")
    return None


def _check(value: str, what: str, limit: int, field: str | None, allow: str) -> str:
    if not isinstance(value, str):
        raise UserError(f"{what}: must be text", field=field, code="bad-text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(f"{what}: is not valid UTF-8 text", field=field, code="bad-text") from None
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        raise UserError(f"{what}: must not be empty", field=field, code="bad-text")
    if len(value) > limit:
        raise UserError(f"{what}: longer than {limit} characters", field=field, code="bad-text")
    bad = invisible_character(value, allow=allow)
    if bad:
        raise UserError(f"{what}: contains an invisible or control character ({bad})", field=field, code="bad-text")
    if unicodedata.category(value[0]).startswith("M"):
        raise UserError(f"{what}: begins with a combining mark", field=field, code="bad-text")
    return value


def check_line_text(value: str, what: str, limit: int, *, field: str | None = None) -> str:
    """A one-line text (a name, a reason, an office): no newline or tab either."""
    return _check(value, what, limit, field, allow="")


def check_free_text(value: str, what: str, limit: int, *, field: str | None = None) -> str:
    """A note: may hold newlines and tabs, nothing else invisible."""
    return _check(value, what, limit, field, allow="\n\t")
