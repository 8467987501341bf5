"""Cell widths that agree with the terminal for Indic scripts.

Rich (and through it Textual) counts Devanagari's spacing vowel signs (``ा``, ``ि``, ``ी``,
``ो``, the visarga ``ः``: Unicode category Mc) as zero cells. Terminals do not: glibc's
``wcwidth`` gives each one cell, and tmux, xterm, VTE (GNOME Terminal) and Windows Terminal draw
them so. With Rich's count every Hindi line is measured short: words overrun their box, table
columns after a Hindi cell shift right, and footer keys lose their ends (seen at 80x24 in tmux).

:func:`agree_with_terminal` makes Rich's width table count those marks as one cell, the way the
terminal will draw them; non-spacing marks (the virama ``्``, the anusvara ``ं``: category Mn)
stay zero, as ``wcwidth`` has them. It edits the table Rich loaded (Rich keeps it in a module
cache, and every caller, Textual's compositor and wrapper included, reads widths through it) and
clears Rich's width caches; no Rich function is replaced. Hand-written because neither Rich nor
Textual offers a setting for it (Rich's ``UNICODE_VERSION`` selects only among tables that all
count Mc as zero).
"""

from __future__ import annotations

import unicodedata

# The Indic blocks of the Basic Multilingual Plane, Devanagari to Sinhala: the scripts the
# app's words and a station's names are written in.
INDIC_FIRST, INDIC_LAST = 0x0900, 0x0DFF

_done = False


def spacing_marks() -> list[int]:
    """Code points of the Indic blocks that are spacing combining marks (category Mc)."""
    return [cp for cp in range(INDIC_FIRST, INDIC_LAST + 1) if unicodedata.category(chr(cp)) == "Mc"]


def _split(widths: list[tuple[int, int, int]], ones: set[int]) -> list[tuple[int, int, int]]:
    """``widths`` (sorted, non-overlapping (first, last, cells) ranges) with every code point of
    ``ones`` taken out of the zero-width ranges (Rich gives a code point no range covers 1 cell)."""
    result: list[tuple[int, int, int]] = []
    for first, last, cells in widths:
        if cells != 0 or not any(first <= cp <= last for cp in ones):
            result.append((first, last, cells))
            continue
        start = first
        for cp in range(first, last + 1):
            if cp in ones:
                if start < cp:
                    result.append((start, cp - 1, 0))
                start = cp + 1
        if start <= last:
            result.append((start, last, 0))
    return result


def agree_with_terminal() -> None:
    """Count the Indic spacing marks as one cell in Rich's width table (idempotent)."""
    global _done
    if _done:
        return
    from rich import cells
    from rich._unicode_data import load

    table = load("auto")
    ones = set(spacing_marks())
    widths = list(table.widths)
    changed = _split(widths, ones)
    if isinstance(table.widths, list):
        table.widths[:] = changed
    cells.get_character_cell_size.cache_clear()
    cells.cached_cell_len.cache_clear()
    _done = True
