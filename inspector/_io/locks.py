"""The one advisory whole-file lock for state shared between processes (trust store, HQ register)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector._io.atomic import private_dir
from inspector.errors import UserError


@contextmanager
def file_lock(path: Path, what: str, timeout: float = 10.0) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (POSIX flock); one clear line if it stays busy."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: single-user tool, no lock
        yield
        return
    import time

    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UserError(f"{what} is in use by another inspector process (lock {path})") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
