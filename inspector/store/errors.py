"""What can go wrong with a store, as errors that carry the file they concern."""

from __future__ import annotations

import sys
from pathlib import Path

from inspector.errors import UserError

if sys.platform == "win32":  # pragma: no cover - Windows, untested here
    pass
else:
    pass


# --------------------------------------------------------------------------- errors


class StorageError(UserError):
    """A store file cannot be used as it is; the message says which file and why."""


class StorageDamaged(StorageError):
    """The file is not a valid journal. It is left exactly as it was found."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(
            f"store file is damaged: {path} line {line}: {reason} "
            "(the file was left unchanged; restore it from a backup or an exported bundle)"
        )


class StoreLocked(StorageError):
    """Another process has the store open for writing."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        holder = f"locked by pid {pid}" if pid else "locked by another process"
        super().__init__(f"store is open elsewhere: {path} ({holder}); close it there first")


class StoreMissing(StorageError):
    """Opening read-only a store that does not exist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"no store file at {path}")


class StoreWriteFailed(StorageError):
    """The operating system refused a write (disk full, I/O error, ...)."""


class StoreUsageError(RuntimeError):
    """A programming error: writing a read-only store, using a closed one, mixing table kinds."""


class UnstorableValue(ValueError):
    """A document holds something the store does not keep (floats, tuples, bytes, ...)."""
