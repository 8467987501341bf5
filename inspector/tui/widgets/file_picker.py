"""A modal to choose an evidence file: a directory tree, or a path typed in.

Dismisses with the chosen file's path, or None.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static


class FilePicker(ModalScreen["Path | None"]):
    DEFAULT_CSS = """
    FilePicker { align: center middle; }
    FilePicker #picker-box { width: 90%; max-width: 100; height: 90%; border-top: thick $primary; border-bottom: thick $primary; background: $surface; padding: 0 1; }
    FilePicker #picker-title { text-style: bold; }
    FilePicker DirectoryTree { height: 1fr; }
    FilePicker #picker-path { margin-top: 1; }
    FilePicker #picker-error { color: $error; height: 1; }
    FilePicker #picker-buttons { height: auto; align-horizontal: right; }
    FilePicker #picker-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel"),
        Binding("backspace", "up", "Up a folder", id="picker-up", show=False),
    ]

    def __init__(self, start: Path, title: str = "Attach an evidence file") -> None:
        super().__init__()
        self.start = start if start.is_dir() else Path.home()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title", markup=False)
            yield DirectoryTree(self.start, id="picker-tree")
            yield Input(
                value=str(self.start) + "/", placeholder="or type a file path and press enter", id="picker-path"
            )
            yield Static("", id="picker-error")
            with Horizontal(id="picker-buttons"):
                yield Button("Up a folder", id="picker-up")
                yield Button("Attach", variant="primary", id="picker-ok")
                yield Button("Cancel", id="picker-cancel")

    def on_mount(self) -> None:
        self.query_one(DirectoryTree).focus()

    @on(DirectoryTree.FileSelected)
    def file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(Path(event.path))

    @on(DirectoryTree.DirectorySelected)
    def directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#picker-path", Input).value = str(event.path) + "/"

    @on(Input.Submitted, "#picker-path")
    @on(Button.Pressed, "#picker-ok")
    def typed(self) -> None:
        text = self.query_one("#picker-path", Input).value.strip()
        if not text:
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self.query_one(DirectoryTree).path = path
            self.query_one("#picker-error", Static).update("")
            return
        self.choose(path)

    def choose(self, path: Path) -> None:
        if not path.is_file():
            self.query_one("#picker-error", Static).update(f"not a file: {path}")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#picker-up")
    def action_up(self) -> None:
        tree = self.query_one(DirectoryTree)
        current = Path(tree.path)
        tree.path = current.parent
        self.query_one("#picker-path", Input).value = str(current.parent) + "/"

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
