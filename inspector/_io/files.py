"""Reading files the user names: every OS failure becomes one clear line naming the file."""

from __future__ import annotations

import os
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
    """Open a regular file for reading; returns the handle and its size."""
    p = Path(path)
    try:
        handle = open(p, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise unreadable(exc, what, p) from None
    if not os.path.isfile(p):
        handle.close()
        raise UserError(f"{what} {p}: not a regular file")
    return handle, os.fstat(handle.fileno()).st_size


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
