"""Checking where a command will write, before it does any work.

A command that fails must have written nothing (no key signed, no certificate stored, no list
re-signed). So every output the user names is checked first: an empty or over-long path, a
directory where a file is meant, a missing or unwritable parent, an existing file without
``--force``. Each failure is one ``UserError`` line naming the path, with ``field`` set to the
option it came from so the CLI can name its flag.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from inspector._io.atomic import write_private
from inspector.errors import UserError

__all__ = ["check_output_dir", "check_output_file", "write_all_or_nothing"]


def _limits(directory: Path) -> tuple[int, int]:
    """(longest file name, longest path) on the file system holding ``directory``."""
    try:
        return os.pathconf(directory, "PC_NAME_MAX"), os.pathconf(directory, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - non-POSIX
        return 255, 4096


def _base(text: str | os.PathLike[str], what: str, field: str | None) -> Path:
    raw = os.fspath(text)
    if not raw.strip():
        raise UserError(f"{what}: the path is empty", field=field, code="bad-output")
    if "\x00" in raw:
        raise UserError(f"{what}: the path contains a NUL character", field=field, code="bad-output")
    path = Path(raw)
    probe = path.parent if str(path.parent) else Path(".")
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    name_max, path_max = _limits(probe)
    if any(len(os.fsencode(part)) > name_max for part in path.parts):
        raise UserError(
            f"{what} {raw[:60]}…: a name in the path is longer than {name_max} bytes", field=field, code="bad-output"
        )
    if len(os.fsencode(os.path.abspath(raw))) >= path_max:
        raise UserError(f"{what} {raw[:60]}…: the path is longer than {path_max} bytes", field=field, code="bad-output")
    return path


def _writable_dir(directory: Path, what: str, field: str | None) -> None:
    if not directory.exists():
        raise UserError(f"{what}: {directory}: no such directory", field=field, code="bad-output")
    if not directory.is_dir():
        raise UserError(f"{what}: {directory}: is not a directory", field=field, code="bad-output")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UserError(f"{what}: {directory}: not writable", field=field, code="bad-output")


def check_output_file(
    target: str | os.PathLike[str], what: str, *, force: bool = False, field: str | None = "output"
) -> Path:
    """The path of a file about to be written, checked; nothing is created."""
    path = _base(target, what, field)
    if path.is_dir():
        raise UserError(f"{what}: {path}: is a directory", field=field, code="bad-output")
    if path.exists() and not force:
        raise UserError(f"{what}: {path}: already exists (use --force to replace it)", field=field, code="exists")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{what}: {path}: not writable", field=field, code="bad-output")
    _writable_dir(path.parent if str(path.parent) else Path("."), what, field)
    return path


def check_output_dir(target: str | os.PathLike[str], what: str, *, field: str | None = "out") -> Path:
    """The path of a directory about to be written into (created if missing), checked."""
    path = _base(target, what, field)
    if path.exists():
        _writable_dir(path, what, field)
        return path
    parent = path.parent if str(path.parent) else Path(".")
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    _writable_dir(parent, what, field)
    return path


def write_all_or_nothing(
    out_dir: Path, files: Sequence[tuple[str, Path, bytes]], *, mode: int = 0o644
) -> dict[str, str]:
    """Write already-rendered ``files`` (name, path inside ``out_dir``, bytes); returns name -> path.

    All or nothing: a failed write removes the files this call wrote, and ``out_dir`` if this
    call made it. Render everything in memory first, so only the disk can fail here.
    """
    made_dir = not out_dir.exists()
    written: dict[str, str] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, path, data in files:
            write_private(path, data, mode=mode)
            written[name] = str(path)
    except (OSError, UserError) as exc:
        for done in written.values():
            Path(done).unlink(missing_ok=True)
        if made_dir:
            try:
                out_dir.rmdir()
            except OSError:
                pass
        if isinstance(exc, UserError):
            raise
        raise UserError(f"output directory {out_dir}: cannot write ({exc.strerror})", field="out") from None
    return written
