"""A certificate's QR code full screen, drawn with Unicode half blocks (``qr.terminal_lines``).

A version 13 code with its quiet zone is 77 columns by 39 rows; with the caption and the footer
the screen needs 80x41. When the terminal is smaller the code is not drawn (a clipped QR code
scans as nothing, or worse, invites retries): the screen says so and how to fix it, and checks
again on every resize, and ``p`` writes the code as a PNG file into the data directory
(``<data>/certificates/``, or the folder the caller gives) and shows its path: the PNG can be
shown full screen by an image viewer or printed. ``i`` swaps which modules the glyphs paint, for
light-on-dark terminals; the first drawing follows the theme (inverted on a dark theme).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import Problem, WorkerFailed
from inspector.tui.words.qr import WORDS

if TYPE_CHECKING:
    from inspector.tui.protocols import AppServices
    from inspector.tui.session import Session

MIN_WIDTH = 80  # the smallest terminal the app supports
PNG_BOX = 12  # pixels per module, as the certificate's exported PNG
CERTIFICATES_FOLDER = "certificates"  # inside the data directory: the demo keeps everything there


class QRScreen(Screen[None]):
    """The QR code of ``text`` with ``caption`` (certificate id · station code) beneath."""

    CSS_PATH = "qr.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="qr-back"),
        Binding("i", "invert", "Invert colours", id="qr-invert"),
        Binding("p", "save_png", "Save PNG", id="qr-png"),
    ]

    class Saved(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class Failed(WorkerFailed):
        """The PNG was not written."""

    def __init__(
        self,
        text: str,
        caption: str,
        *,
        invert: bool | None = None,
        png_dir: Path | None = None,
        png_name: str = "qr-code.png",
    ) -> None:
        """``png_dir``: where ``p`` writes ``png_name`` (default: ``<data>/certificates``)."""
        super().__init__()
        self.text = text
        self.caption = caption
        self._invert = invert
        self._lines: dict[bool, list[str]] = {}
        self.png_dir = png_dir
        self.png_name = png_name
        self.saved: Path | None = None
        self._said: tuple[str, str] | None = None  # (catalogue key, path or error)

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
            with Center():
                yield Static(id="qr-saved")
        yield Footer()

    @property
    def services(self) -> AppServices:
        """The app as screens see it (this screen also uses the App's theme and size)."""
        return cast("AppServices", self.app)

    @property
    def session(self) -> Session:
        return self.services.session

    def on_mount(self) -> None:
        self.services.language_signal.subscribe(self, self._on_language)
        translate_bindings(self, WORDS, self.session.lang)
        self._draw(self.app.size)

    def help_text(self, lang: str) -> str:
        return WORDS(lang, "help")

    def _on_language(self, lang: str) -> None:
        translate_bindings(self, WORDS, lang)
        self._draw(self.size)

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
        lang = self.session.lang
        self.set_class(lang == "hi", "-hi")
        if fits:
            code.update(Text("\n".join(self.lines()), no_wrap=True, overflow="crop"))
        else:
            sizes = {"need_w": needed.width, "need_h": needed.height}
            warning.update(
                Text.assemble(
                    (WORDS(lang, "too_small"), "bold"),
                    "\n\n" + WORDS(lang, "sizes", width=size.width, height=size.height, **sizes),
                    "\n" + WORDS(lang, "fix", **sizes),
                    f"\n\n{self.caption}",
                )
            )
        saved = self.query_one("#qr-saved", Static)
        # Drawn beside the code only when there is room: the code itself must never be cut.
        saved.display = self._said is not None and not fits
        if self._said is not None:
            key, value = self._said
            saved.update(Text(WORDS(lang, key, path=value) if key != "cannot_save" else value))

    def action_save_png(self) -> None:
        folder = self.png_dir if self.png_dir is not None else self.session.data.root / CERTIFICATES_FOLDER
        self._say("saving", "")
        self._write_png(folder / self.png_name)

    @work(thread=True, exclusive=True, group="qr-png", exit_on_error=False)
    def _write_png(self, path: Path) -> None:
        from inspector._io.atomic import atomic_write
        from inspector.certificates import qr

        try:
            data = qr.png_bytes(self.text, box_size=PNG_BOX)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data, mode=0o644)
        except Exception as exc:
            self.post_message(self.Failed(Problem.of(exc, WORDS(self.session.lang, "cannot_save"))))
        else:
            self.post_message(self.Saved(path))

    def on_qrscreen_saved(self, message: Saved) -> None:
        self.saved = message.path
        self._say("saved", str(message.path))
        self.notify(WORDS(self.session.lang, "saved", path=str(message.path)))

    def on_qrscreen_failed(self, message: Failed) -> None:
        self._say("cannot_save", message.error)
        self.notify(message.error, severity="error")

    def _say(self, key: str, value: str) -> None:
        self._said = (key, value)
        self._draw(self.size)

    def action_invert(self) -> None:
        self._invert = not self.invert
        self._draw(self.size)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()
