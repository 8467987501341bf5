"""Crash-safe file writes: a crash leaves the old file or the new one, never a mix.

Temp file in the target's directory, data fsynced, renamed over the target, directory fsynced
so the rename itself survives power loss. Every module that writes a whole file goes through
here; the journal in ``storage.py`` appends instead, with the same fsync helpers.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from inspector.errors import UserError

if sys.platform != "win32":
    import fcntl


class TargetExists(UserError):
    """``overwrite=False`` and the target already exists."""


def fsync_file(fd: int) -> None:
    """Make the file's data durable. On macOS plain fsync leaves it in the drive's cache."""
    if sys.platform == "darwin":  # pragma: no cover - macOS
        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass  # not supported by this filesystem: plain fsync is the best there is
    os.fsync(fd)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX only; Windows cannot open directories)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems do not support syncing directories
        if exc.errno != errno.EINVAL:
            raise
    finally:
        os.close(fd)


def replace(src: Path, dst: Path) -> None:
    """``os.replace``; on Windows, retried while scanners briefly hold the target open."""
    deadline = time.monotonic() + 2.0
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if sys.platform != "win32" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # type: ignore[unreachable]  # Windows only


@contextmanager
def atomic_output(path: Path, *, mode: int = 0o600, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Yield a handle whose bytes become ``path`` only if the block finishes without error.

    With ``overwrite=False`` an existing file is never replaced (the new file is hard-linked into
    place, which fails if the name exists) and ``TargetExists`` is raised. The directory must
    exist. OS failures become one-line ``UserError``s naming ``path``.
    """
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # POSIX; elsewhere the user's profile directory protects it
                os.fchmod(handle.fileno(), mode)
            yield handle
            handle.flush()
            fsync_file(handle.fileno())
        _put_in_place(tmp, path, overwrite)
        fsync_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)


def _put_in_place(tmp: Path, path: Path, overwrite: bool) -> None:
    if overwrite:
        replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise TargetExists(f"{path}: already exists; refusing to overwrite it") from None
    except OSError:  # filesystems without hard links: check, then rename
        if path.exists():
            raise TargetExists(f"{path}: already exists; refusing to overwrite it") from None
        replace(tmp, path)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path, mode=mode, overwrite=overwrite) as handle:
        handle.write(data)


def private_dir(directory: Path) -> Path:
    """Create ``directory`` (and parents) for private files; a directory we create is 0700."""
    missing = []
    probe = directory
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for made in missing:
            os.chmod(made, 0o700)
    except OSError as exc:
        raise UserError(f"cannot create directory {directory} ({exc.strerror})") from None
    if not directory.is_dir():
        raise UserError(f"{directory}: is not a directory")
    return directory


def write_private(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """``atomic_write`` into a directory created private (0700) if it is missing.

    For keys, trust lists and HQ's documents: state only this user should read.
    """
    path = Path(path)
    private_dir(path.parent)
    atomic_write(path, data, mode=mode, overwrite=overwrite)
