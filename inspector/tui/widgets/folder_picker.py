"""A modal to choose a folder (a USB stick is a folder): a tree of folders, or a path typed in.

Dismisses with the chosen folder, or None. Only folders are listed, without dot-folders; the
folder need not exist yet when typed (the writer creates it or says why it cannot). Its words
are the hand-over screen's (``inspector.tui.words.handover``), in the language it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static

from inspector.tui.words.handover import WORDS


def shown_path(path: str | Path) -> str:
    """``path`` as the screens show it: under the home folder as ``~/...`` (shorter lines at 80
    columns; the shell and the path fields read ``~`` back)."""
    text = str(path)
    try:
        home = str(Path.home())
    except RuntimeError:  # no home folder known: the path as it is
        return text
    if home not in ("", "/") and (text == home or text.startswith(home.rstrip("/") + "/")):
        return "~" + text[len(home.rstrip("/")) :]
    return text


class FolderTree(DirectoryTree):
    """A directory tree of folders only, dot-folders hidden (a folder is what is being chosen)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".") and _is_dir(path)]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # an unreadable entry is no folder to write into
        return False


class FolderPicker(ModalScreen["Path | None"]):
    DEFAULT_CSS = """
    FolderPicker { align: center middle; }
    FolderPicker #folder-box { width: 90%; max-width: 100; height: 90%; border-top: thick $primary; border-bottom: thick $primary; background: $surface; padding: 0 1; }
    FolderPicker #folder-title { text-style: bold; }
    FolderPicker FolderTree { height: 1fr; }
    FolderPicker #folder-path { margin-top: 1; }
    FolderPicker #folder-buttons { height: auto; align-horizontal: right; }
    FolderPicker #folder-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="folder-cancel"),
        Binding("backspace", "up", "Up a folder", id="folder-up", show=False),
    ]

    def __init__(self, start: Path, title: str, lang: str = "en") -> None:
        super().__init__()
        self.start = _existing(start)
        self.title_text = title
        self.lang = lang

    def compose(self) -> ComposeResult:
        words = WORDS
        with Vertical(id="folder-box"):
            yield Static(self.title_text, id="folder-title", markup=False)
            yield FolderTree(self.start, id="folder-tree")
            yield Input(
                value=shown_path(self.start), placeholder=words(self.lang, "picker_placeholder"), id="folder-path"
            )
            with Horizontal(id="folder-buttons"):
                yield Button(words(self.lang, "picker_up"), id="folder-up")
                yield Button(words(self.lang, "picker_ok"), variant="primary", id="folder-ok")
                yield Button(words(self.lang, "cancel"), id="folder-cancel")

    def on_mount(self) -> None:
        self.query_one(FolderTree).focus()

    @on(DirectoryTree.DirectorySelected)
    def directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#folder-path", Input).value = str(event.path)

    @on(Input.Submitted, "#folder-path")
    @on(Button.Pressed, "#folder-ok")
    def chosen(self) -> None:
        text = self.query_one("#folder-path", Input).value.strip()
        if text:
            self.dismiss(Path(text).expanduser())

    @on(Button.Pressed, "#folder-up")
    def action_up(self) -> None:
        tree = self.query_one(FolderTree)
        parent = Path(tree.path).parent
        tree.path = parent
        self.query_one("#folder-path", Input).value = str(parent)

    @on(Button.Pressed, "#folder-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent folder (a stick's folder may not exist yet)."""
    probe = path
    while not _is_dir(probe) and probe != probe.parent:
        probe = probe.parent
    return probe
