"""The writer lock of a store, and the acknowledged-write mark kept in the same sidecar file.

The lock is one ``flock`` on ``<store>.lock``, held while the store is open for writing. The
file's content is one fixed-width line: ``<pid> <ack seq> <ack end> <journal inode>``. The
writer rewrites it (``pwrite``, no ``fsync``) after every append whose ``fsync`` returned: it is
the count of *acknowledged* writes. Opening compares the journal with it, so a journal that lost
acknowledged lines (cut at any offset, restored from an older copy, a bad last line that had
been acknowledged) is damage, while a torn line beyond the mark is the unacknowledged write in
flight and may be dropped.

Why this is safe without an ``fsync``: the mark is written only after the journal's own ``fsync``
returned, so the mark never runs ahead of durable data. A ``kill -9`` keeps it (the page cache
survives the process); a power cut may lose its last update, which can only make it lower, i.e.
the check weaker, never a false alarm. After compaction the journal is a new file (a new inode),
and a mark naming another inode is ignored, so a crash between the rename and the mark's update
cannot raise a false alarm either.
"""

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


_MARK_SIZE = 128  # more than one mark line ever needs; read at most this much


@dataclass(frozen=True)
class AckMark:
    """How many writes of a journal were acknowledged, and which journal file (inode) it was."""

    seq: int
    end: int
    inode: int


def _parse_mark(raw: bytes) -> tuple[int | None, AckMark | None]:
    """(pid, mark) from a lock file's bytes; the first release wrote only ``<pid>\n``."""
    parts = raw.decode("ascii", "replace").split()
    if not parts or not all(p.isdigit() for p in parts):
        return None, None
    pid = int(parts[0])
    if len(parts) != 4:
        return pid, None
    return pid, AckMark(int(parts[1]), int(parts[2]), int(parts[3]))


def _read_fd(fd: int) -> bytes:
    try:
        return os.pread(fd, _MARK_SIZE, 0)
    except OSError:
        return b""


def _lock_holder(fd: int) -> int | None:
    return _parse_mark(_read_fd(fd))[0]


def read_mark(store_path: Path) -> AckMark | None:
    """The acknowledged-write mark of ``store_path``, or None (no lock file, or an old one)."""
    try:
        raw = lock_path_for(store_path).read_bytes()[:_MARK_SIZE]
    except OSError:
        return None
    return _parse_mark(raw)[1]


def write_mark(fd: int, mark: AckMark) -> None:
    """Record ``mark`` in the held lock file (fixed width: the line is overwritten in place)."""
    line = f"{os.getpid():>10} {mark.seq:>20} {mark.end:>20} {mark.inode:>20}\n".encode("ascii")
    os.pwrite(fd, line, 0)


def _acquire_lock(store_path: Path) -> tuple[int, AckMark | None]:
    """Take the writer lock of ``store_path`` or raise StoreLocked: the lock's fd and the mark
    the previous writer left (kept: taking the lock must not forget what was acknowledged).

    ``flock`` belongs to the open file description, so even a second open in this same process
    is refused: two RecordStores on one file would each diff against their own state.
    """
    fd = os.open(lock_path_for(store_path), os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
    try:
        if not _try_lock(fd):
            raise StoreLocked(store_path, _lock_holder(fd))
        mark = _parse_mark(_read_fd(fd))[1]
        if mark is not None:
            write_mark(fd, mark)  # our pid, the same mark
        else:
            os.ftruncate(fd, 0)
            _write_all(fd, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        os.close(fd)
        raise
    return fd, mark


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
