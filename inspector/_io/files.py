"""Reading files the user names: every OS failure becomes one clear line naming the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from inspector.errors import UserError

DEFAULT_LIMIT = 50 * 1024 * 1024


def unreadable(exc: OSError, what: str, path: Path) -> UserError:
    """The one-line error for an ``OSError`` met while reading ``what`` at ``path``."""
    if isinstance(exc, FileNotFoundError):
        return UserError(f"{what} {path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return UserError(f"{what} {path}: is a directory")
    if isinstance(exc, PermissionError):
        return UserError(f"{what} {path}: permission denied")
    return UserError(f"{what} {path}: cannot read ({exc.strerror})")


def open_user_file(path: str | os.PathLike[str], what: str) -> tuple[BinaryIO, int]:
    """Open a regular file for reading; returns the handle and its size.

    A FIFO, socket or device is refused *before* it is opened (opening a FIFO blocks until a
    writer appears; a device may never end), and the opened file is checked to be the same
    regular file (nothing swapped in between).
    """
    p = Path(path)
    try:
        before = os.stat(p)
    except OSError as exc:
        raise unreadable(exc, what, p) from None
    if stat.S_ISDIR(before.st_mode):
        raise UserError(f"{what} {p}: is a directory")
    if not stat.S_ISREG(before.st_mode):
        raise UserError(f"{what} {p}: not a regular file (a pipe, socket or device is refused)")
    try:
        handle = open(p, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise unreadable(exc, what, p) from None
    opened = os.fstat(handle.fileno())
    if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
        handle.close()
        raise UserError(f"{what} {p}: changed while being opened")
    return handle, opened.st_size


def read_user_file(path: str | os.PathLike[str], what: str, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of a user-named file of at most ``limit`` bytes."""
    handle, size = open_user_file(path, what)
    with handle:
        if size > limit:
            raise UserError(f"{what} {Path(path)}: too large ({size} bytes; at most {limit})")
        try:
            return handle.read()
        except OSError as exc:
            raise unreadable(exc, what, Path(path)) from None
