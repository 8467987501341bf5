"""A certificate's QR code full screen, drawn with Unicode half blocks (``qr.terminal_lines``).

A version 13 code with its quiet zone is 77 columns by 39 rows; with the caption and the footer
the screen needs 80x41. When the terminal is smaller the code is not drawn (a clipped QR code
scans as nothing, or worse, invites retries): the screen says so and how to fix it, and checks
again on every resize. ``i`` swaps which modules the glyphs paint, for light-on-dark terminals;
the first drawing follows the theme (inverted on a dark theme).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer, Static

MIN_WIDTH = 80  # the smallest terminal the app supports


class QRScreen(Screen[None]):
    """The QR code of ``text`` with ``caption`` (certificate id · station code) beneath."""

    CSS_PATH = "qr.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="qr-back"),
        Binding("i", "invert", "Invert colours", id="qr-invert"),
    ]

    def __init__(self, text: str, caption: str, *, invert: bool | None = None) -> None:
        super().__init__()
        self.text = text
        self.caption = caption
        self._invert = invert
        self._lines: dict[bool, list[str]] = {}

    @property
    def invert(self) -> bool:
        """Whether glyphs paint the light modules (for light-on-dark terminals)."""
        if self._invert is None:
            self._invert = bool(self.app.current_theme.dark)
        return self._invert

    def lines(self, invert: bool | None = None) -> list[str]:
        """The QR as text rows, as drawn (``qr.terminal_lines``)."""
        from inspector.certificates import qr

        wanted = self.invert if invert is None else invert
        if wanted not in self._lines:
            self._lines[wanted] = qr.terminal_lines(self.text, invert=wanted)
        return self._lines[wanted]

    @property
    def needed(self) -> Size:
        """The terminal size the code needs: the code, the caption line and the footer."""
        lines = self.lines()
        width = max(MIN_WIDTH, len(lines[0]), len(self.caption))
        return Size(width, len(lines) + 2)

    def compose(self) -> ComposeResult:
        with Middle(id="qr-frame"):
            with Center():
                yield Static(id="qr-code")
            with Center():
                yield Static(Text(self.caption), id="qr-caption")
            with Center():
                yield Static(id="qr-too-small")
        yield Footer()

    def on_mount(self) -> None:
        self._draw(self.app.size)

    def on_resize(self, event: events.Resize) -> None:
        self._draw(event.size)

    @property
    def fits(self) -> bool:
        """True when the code is drawn (the terminal is large enough)."""
        return bool(self.query_one("#qr-code", Static).display)

    def _draw(self, size: Size) -> None:
        needed = self.needed
        fits = size.width >= needed.width and size.height >= needed.height
        code = self.query_one("#qr-code", Static)
        warning = self.query_one("#qr-too-small", Static)
        code.display = fits
        self.query_one("#qr-caption", Static).display = fits
        warning.display = not fits
        if fits:
            code.update(Text("\n".join(self.lines()), no_wrap=True, overflow="crop"))
        else:
            warning.update(
                Text.assemble(
                    ("The terminal is too small to draw this QR code.", "bold"),
                    f"\n\nThis terminal is {size.width}x{size.height}; the code with its caption needs "
                    f"{needed.width}x{needed.height}.\n"
                    f"Enlarge the terminal to at least {needed.width}x{needed.height} (or use a smaller font), "
                    "or use the PNG/PDF export from the certificate screen.\n\n"
                    f"{self.caption}",
                )
            )

    def action_invert(self) -> None:
        self._invert = not self.invert
        self._draw(self.size)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()
