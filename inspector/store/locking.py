"""The writer lock of a store: one ``flock`` on a sidecar file, held while the store is open."""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from inspector.store.errors import StoreLocked
from inspector.store.journal import _BINARY, _write_all

if sys.platform == "win32":  # pragma: no cover - Windows, untested here
    import msvcrt
else:
    import fcntl


# --------------------------------------------------------------------------- process lock


def lock_path_for(path: Path) -> Path:
    """The sidecar lock file of a store (never deleted: unlinking a flock file races)."""
    return path.with_name(path.name + ".lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows, untested here
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


def _lock_holder(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _acquire_lock(store_path: Path) -> int:
    """Take the writer lock of ``store_path`` or raise StoreLocked; returns the lock's fd.

    ``flock`` belongs to the open file description, so even a second open in this same process
    is refused: two RecordStores on one file would each diff against their own state.
    """
    fd = os.open(lock_path_for(store_path), os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
    try:
        if not _try_lock(fd):
            raise StoreLocked(store_path, _lock_holder(fd))
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        _write_all(fd, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        os.close(fd)
        raise
    return fd


@dataclass
class _Handles:
    """The OS handles of an open store, closed by ``close()`` or, failing that, by GC."""

    journal: int | None = None
    lock: int | None = None

    def close(self) -> None:
        for name in ("journal", "lock"):
            fd = getattr(self, name)
            setattr(self, name, None)
            if fd is not None:
                os.close(fd)  # closing the lock's fd releases the flock
