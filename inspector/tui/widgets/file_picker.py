"""A modal to choose a file: a directory tree (dot-files hidden, each file with its size and
type), or a path typed in. Dismisses with the chosen file's path, or None.

Evidence files: :func:`evidence_folder` is where the picker opens, the folder a file was last
picked from in this data directory (remembered for the app's run), else the data directory's
``inbox/`` (made when missing), a place to copy the camera's photos to. Never the home folder,
where the first screen of a tree is a wall of hidden folders.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

from inspector.paths import DataDir
from inspector.tui.words.picker import WORDS

# data directory -> the folder an evidence file was last picked from (for this run of the app)
_last_folders: dict[Path, Path] = {}


def evidence_folder(data_root: Path) -> Path:
    """Where the evidence picker opens for ``data_root`` (see the module's note)."""
    last = _last_folders.get(data_root)
    if last is not None and last.is_dir():
        return last
    inbox = DataDir(data_root).inbox
    try:
        inbox.mkdir(exist_ok=True)
    except OSError:
        return data_root  # a read-only data directory: its own folder, still not the home folder
    return inbox


def remember_folder(data_root: Path, chosen: Path) -> None:
    """The next evidence picker of ``data_root`` opens in the folder of ``chosen``."""
    _last_folders[data_root] = chosen.parent


def human_size(size: int) -> str:
    """812 B, 2.3 KB, 4.1 MB: units read the same in Hindi."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class FileTree(DirectoryTree):
    """A directory tree without dot-files, each file labelled with its size and type."""

    def __init__(self, path: Path, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.sizes: dict[Path, int] = {}  # filled by the loading thread (filter_paths), read when drawn

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        shown = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_file():
                    self.sizes[path] = path.stat().st_size
            except OSError:
                pass
            shown.append(path)
        return shown

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        if node.data is not None and not node.allow_expand:
            path = node.data.path
            size = self.sizes.get(path)
            kind = mimetypes.guess_type(path.name)[0] or "?"
            label.append(f"  {human_size(size) if size is not None else ''} · {kind}", style="dim")
        return label


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

    def __init__(self, start: Path, title: str | None = None, *, lang: str = "en") -> None:
        """``start``: the folder to open (its nearest existing parent when it is gone)."""
        super().__init__()
        self.lang = lang
        folder = start
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        self.start = folder if folder.is_dir() else Path.cwd()
        self.title_text = title if title is not None else WORDS(lang, "title")

    def compose(self) -> ComposeResult:
        w = self.lang
        with Vertical(id="picker-box"):
            yield Static(self.title_text, id="picker-title", markup=False)
            yield FileTree(self.start, id="picker-tree")
            yield Input(value=str(self.start) + "/", placeholder=WORDS(w, "path_placeholder"), id="picker-path")
            yield Static("", id="picker-error", markup=False)
            with Horizontal(id="picker-buttons"):
                yield Button(WORDS(w, "up"), id="picker-up")
                yield Button(WORDS(w, "choose"), variant="primary", id="picker-ok")
                yield Button(WORDS(w, "cancel"), id="picker-cancel")

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
            self.query_one("#picker-error", Static).update(WORDS(self.lang, "not_a_file", path=path))
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
