"""The verdict banner: VALID or INVALID in large block letters, never in colour alone.

The word is drawn three rows high with half blocks, followed by a plain-text line (symbol, the
word again, a short explanation), so the verdict reads without colour, on a monochrome
terminal and to a screen reader. Colours come from the theme: ``$success`` for valid,
``$error`` for invalid, ``$panel`` while waiting for a scan.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# 5x5 pixel glyphs for the letters of VALID and INVALID ('#' = ink).
_GLYPHS: dict[str, tuple[str, ...]] = {
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "A": (".###.", "#...#", "#####", "#...#", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#####"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "D": ("####.", "#...#", "#...#", "#...#", "####."),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    " ": ("..", "..", "..", "..", ".."),
}
_HALF = {(False, False): " ", (True, False): "\u2580", (False, True): "\u2584", (True, True): "\u2588"}

VALID_WORD = "VALID"
INVALID_WORD = "INVALID"


def block_letters(word: str) -> list[str]:
    """``word`` (letters of VALID/INVALID only) as three rows of half-block characters."""
    glyphs = [_GLYPHS[char] for char in word.upper()]
    height = len(_GLYPHS["V"])
    rows = ["..".join(glyph[row] for glyph in glyphs) for row in range(height)]
    rows.append("." * len(rows[0]))  # pad to an even number of pixel rows
    return [
        "".join(_HALF[(top == "#", bottom == "#")] for top, bottom in zip(upper, lower))
        for upper, lower in zip(rows[0::2], rows[1::2])
    ]


class VerdictBanner(Widget):
    """Shows the last verdict: ``None`` (waiting), ``True`` (valid) or ``False`` (invalid)."""

    DEFAULT_CSS = """
    VerdictBanner {
        height: auto;
        width: 1fr;
        padding: 1 2;
        text-align: center;
        background: $panel;
        color: $text-muted;
    }
    VerdictBanner.-valid {
        background: $success;
        color: $text;
        text-style: bold;
    }
    VerdictBanner.-invalid {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    valid: reactive[bool | None] = reactive(None, layout=True)
    caption: reactive[str] = reactive("", layout=True)
    label: reactive[str] = reactive("", layout=True)
    """The verdict word in the screen's language ("मान्य"), shown beside the block letters' word."""

    def __init__(
        self, waiting: str = "Waiting for a scan", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.waiting = waiting

    def show(self, valid: bool | None, caption: str = "", label: str = "") -> None:
        """Display a verdict (``None`` returns to the waiting state); ``label``: the verdict's
        word in the screen's language, when not English."""
        self.valid = valid
        self.caption = caption
        self.label = label

    @property
    def word(self) -> str | None:
        """The verdict word shown, or None while waiting."""
        if self.valid is None:
            return None
        return VALID_WORD if self.valid else INVALID_WORD

    def watch_valid(self, valid: bool | None) -> None:
        self.set_class(valid is True, "-valid")
        self.set_class(valid is False, "-invalid")

    def render(self) -> Text:
        word = self.word
        if word is None:
            return Text(self.caption or self.waiting)
        symbol = "\u2713" if self.valid else "\u2717"
        said = f"{symbol} {word}" + (f" ({self.label})" if self.label and self.label != word else "")
        lines = [*block_letters(word), "", said + (f" \u00b7 {self.caption}" if self.caption else "")]
        return Text("\n".join(lines))
