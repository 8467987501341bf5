"""Crash-safe TinyDB storage and the small repository API over it.

This is the only module of the product that imports TinyDB or sees its documents. Everything
else uses :class:`RecordStore` and gets plain ``dict`` copies back.

Why a journal
-------------
TinyDB hands its storage the *whole* database on every insert, and the stock ``JSONStorage``
rewrites the whole file in place: not atomic (a kill mid-write leaves an unparsable file), and
linear in the database size per write. :class:`JournalStorage` instead appends one line per
committed write, holding only what changed, then ``fsync``\\ s. A write is acknowledged only when
its line, newline included, is durable; a line cut short by a crash is an unacknowledged write
and is dropped on the next open. :class:`JournalTable` additionally keeps TinyDB from copying
the whole table on every insert, so the cost of one append does not grow with the store.

On-disk format (UTF-8, one frame per line)::

    <16 hex digits: first 8 bytes of SHA-256 of JSON> <space> <JSON> <newline>

Line 1 is the header ``{"format":"inspector-journal","version":1}``, written once, atomically
(temp file, fsync, rename, directory fsync). Every later line is ``{"seq":N,"ops":[...]}``
with N = 1, 2, 3, ... and each op one of::

    {"t":T}                      table T exists (it may be empty)
    {"t":T,"drop":true}          table T is dropped
    {"t":T,"id":"7","d":{...}}   document 7 of table T is now {...}
    {"t":T,"id":"7","del":true}  document 7 of table T is removed

One line per write makes ``append_many`` all-or-nothing across a crash. ``put`` rewrites a
whole entry, so a keyed table leaves history behind; ``compact()`` (automatic when a writer
that wrote closes a file that is mostly history) rewrites the file as one snapshot line,
atomically. Files are created mode 0600.

What counts as damage
---------------------
Only the *last* line may be bad (cut short, or failing its checksum): that is the write that was
in flight when the process or the power died, and opening the store ignores it. The writer cuts
it off before its next append (restoring the previous state, not repairing anything). Anything
else -- an empty file, a bad header, a bad line followed by more lines, a line with a good
checksum whose content is not a valid record -- raises :class:`StorageDamaged` naming the file
and line, and the file is never modified.

Locking
-------
A writer holds ``fcntl.flock(LOCK_EX | LOCK_NB)`` on ``<file>.lock`` for as long as the store is
open (the lock file holds its pid, for the message). Readers (``writable=False``) take no lock:
they read the file once into memory and ignore a line that a writer is still appending.
Closing the lock's descriptor releases it, so a killed writer never leaves a stale lock.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, Self

from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Table

from inspector._io.atomic import fsync_dir as _fsync_dir
from inspector._io.atomic import fsync_file as _fsync_file
from inspector._io.atomic import replace as _replace
from inspector.errors import UserError

if sys.platform == "win32":  # pragma: no cover - Windows, untested here
    import msvcrt
else:
    import fcntl

__all__ = [
    "JournalStorage",
    "JournalTable",
    "JournalTinyDB",
    "RecordStore",
    "StorageDamaged",
    "StorageError",
    "StoreLocked",
    "StoreMissing",
    "StoreUsageError",
    "StoreWriteFailed",
    "UnstorableValue",
]

FORMAT_NAME = "inspector-journal"
FORMAT_VERSION = 1
_HEADER: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
COMPACT_MIN_GARBAGE = 1000  # see JournalStorage.compact_if_wasteful
_DIGEST_HEX = 16  # 8 bytes of SHA-256: catches torn and flipped bytes, not an adversary
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on raw fds


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


# --------------------------------------------------------------------------- frozen documents


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise TypeError("stored documents are read-only; write a new version through the store instead")


class _FrozenDict(dict):  # type: ignore[type-arg]
    """A stored document (or a mapping inside one).

    The storage keeps its last written state to compute what changed; if anything could
    mutate those objects in place, a change would be invisible to the diff and silently lost.
    So they refuse mutation outright.
    """

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenDict, (dict(self),))

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, _memo: object) -> Any:
        return _thaw(self)


class _FrozenList(list):  # type: ignore[type-arg]
    """A list inside a stored document; see :class:`_FrozenDict`."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenList, (list(self),))

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, _memo: object) -> Any:
        return _thaw(self)


def _freeze(value: Any) -> Any:
    """Read-only deep copy of a value freshly parsed from JSON."""
    if isinstance(value, dict):
        return _FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return _FrozenList(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    """Plain, mutable deep copy: what callers get, so they never alias stored state."""
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    return value


def _check_storable(value: Any, where_: str) -> None:
    """Refuse anything that would not come back from JSON exactly as it went in.

    Floats are refused outright: signed records carry none, and a float's text form is not
    canonical. Tuples would come back as lists, non-string keys as strings.
    """
    if value is None or isinstance(value, str):
        return
    if isinstance(value, float):
        raise UnstorableValue(
            f"{where_}: floats cannot be stored ({value!r}); use an integer or a string"
        )
    if isinstance(value, int):  # bool included
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnstorableValue(f"{where_}: keys must be strings, not {key!r}")
            _check_storable(item, f"{where_}.{key}")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_storable(item, f"{where_}[{index}]")
        return
    raise UnstorableValue(
        f"{where_}: a {type(value).__name__} cannot be stored; "
        "use str, int, bool, None, list or dict"
    )


# --------------------------------------------------------------------------- framing


def _dumps(obj: Any) -> bytes:
    """The one JSON encoding of the journal: UTF-8 (Hindi stays readable), no NaN."""
    try:
        text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnstorableValue(f"text is not valid Unicode (lone surrogate?): {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise UnstorableValue(f"value cannot be stored as JSON: {exc}") from exc


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest()[:_DIGEST_HEX].encode("ascii")


def _frame(payload: bytes) -> bytes:
    return _digest(payload) + b" " + payload + b"\n"


class _BadFrame(Exception):
    """The line is cut short or its bytes changed: torn if it is the last line."""


class _BadContent(Exception):
    """The bytes are what was written (checksum holds) yet not a valid record: damage."""


def _unframe(raw: bytes) -> dict[str, Any]:
    """Check one line's checksum and parse its JSON object."""
    if len(raw) <= _DIGEST_HEX + 1 or raw[_DIGEST_HEX : _DIGEST_HEX + 1] != b" ":
        raise _BadFrame("not a journal line")
    payload = raw[_DIGEST_HEX + 1 :]
    if _digest(payload) != raw[:_DIGEST_HEX]:
        raise _BadFrame("checksum mismatch")
    try:
        obj = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadContent(f"not valid JSON ({exc})") from exc
    if not isinstance(obj, dict):
        raise _BadContent("not a JSON object")
    return obj


# --------------------------------------------------------------------------- state and ops


@dataclass
class _Tables:
    """The database as of the last durable line: what ``read()`` serves and diffs start from."""

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, MappingProxyType[str, Any]] = field(default_factory=dict)
    garbage: int = 0  # document versions in the file that are no longer live

    def apply(self, op: Any) -> None:
        """Apply one op; raise _BadContent if it is malformed or does not fit the state.

        The writer applies its own ops through this same function after they are durable,
        so the state in memory is by construction what a replay of the file produces.
        """
        if not isinstance(op, dict) or not isinstance(op.get("t"), str) or not op["t"]:
            raise _BadContent("op without a table name")
        name: str = op["t"]
        shape = op.keys() - {"t"}
        if not shape:
            self._create(name)
        elif shape == {"drop"} and op["drop"] is True:
            self._drop(name)
        elif shape == {"id", "d"} and isinstance(op["d"], dict):
            table, key = self._table(name), _doc_key(op["id"])
            self.garbage += key in table
            table[key] = _freeze(op["d"])
        elif shape == {"id", "del"} and op["del"] is True:
            table, key = self._table(name), _doc_key(op["id"])
            if key not in table:
                raise _BadContent(f"removes document {key} of {name!r}, which does not exist")
            del table[key]
            self.garbage += 1
        else:
            raise _BadContent(f"unknown op on table {name!r}")

    def _create(self, name: str) -> None:
        if name in self.docs:
            raise _BadContent(f"creates table {name!r}, which already exists")
        self.docs[name] = {}
        self.views[name] = MappingProxyType(self.docs[name])

    def _drop(self, name: str) -> None:
        if name not in self.docs:
            raise _BadContent(f"drops table {name!r}, which does not exist")
        self.garbage += len(self.docs[name])
        del self.docs[name]
        del self.views[name]

    def _table(self, name: str) -> dict[str, Any]:
        try:
            return self.docs[name]
        except KeyError:
            raise _BadContent(f"writes to table {name!r}, which does not exist") from None


def _doc_key(value: Any) -> str:
    if not isinstance(value, str) or not value.isdigit():
        raise _BadContent(f"bad document id {value!r}")
    return value


_MISSING = object()
_DELETED = object()


def _diff_table(name: str, old: Mapping[str, Any] | None, new: Mapping[Any, Any]) -> list[Any]:
    """Ops turning table ``old`` (None: absent) into ``new``; unchanged docs cost a lookup."""
    ops: list[Any] = []
    if old is None:
        ops.append({"t": name})
        old = {}
    added = 0
    for doc_id, doc in new.items():
        key = str(doc_id)
        prev = old.get(key, _MISSING)
        if prev is doc:  # stored docs are frozen, so the same object means unchanged
            continue
        if prev is _MISSING:
            added += 1
        elif prev == doc:
            continue
        ops.append({"t": name, "id": key, "d": doc})
    if len(old) + added != len(new):  # only then can something have been removed
        present = {str(doc_id) for doc_id in new}
        ops.extend({"t": name, "id": key, "del": True} for key in old if key not in present)
    return ops


# --------------------------------------------------------------------------- replay


@dataclass
class _Replayed:
    tables: _Tables
    seq: int  # seq of the last good line (0: header only)
    end: int  # byte offset just after the last good line
    torn: int  # bytes after ``end`` belonging to an unacknowledged write


def _replay(data: bytes, path: Path) -> _Replayed:
    """Rebuild the database from the journal bytes, or raise StorageDamaged."""
    if not data:
        raise StorageDamaged(path, 1, "the file is empty, so it is not an inspector store")
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: empty unless the last write was torn
    if not lines:
        raise StorageDamaged(path, 1, _not_a_journal(data))
    _check_header(lines[0], path)
    tables, seq, end = _Tables(), 0, len(lines[0]) + 1
    for number, raw in enumerate(lines[1:], start=2):
        try:
            record = _unframe(raw)
            for op in _record_ops(record, seq + 1):
                tables.apply(op)
        except _BadFrame as exc:
            if number == len(lines) and not tail:  # the last line: a torn, unacknowledged write
                return _Replayed(tables, seq, end, len(data) - end)
            raise StorageDamaged(path, number, f"{exc}, and more lines follow it") from None
        except _BadContent as exc:
            raise StorageDamaged(path, number, str(exc)) from None
        seq += 1
        end += len(raw) + 1
    return _Replayed(tables, seq, end, len(tail))


def _check_header(raw: bytes, path: Path) -> None:
    try:
        header = _unframe(raw)
    except (_BadFrame, _BadContent):
        raise StorageDamaged(path, 1, _not_a_journal(raw)) from None
    if header == _HEADER:
        return
    version = header.get("version")
    if header.get("format") == FORMAT_NAME and type(version) is int and version > FORMAT_VERSION:
        raise StorageError(
            f"{path} was written by a newer inspector (store format {version}); "
            "upgrade inspector to open it"
        )
    raise StorageDamaged(path, 1, "not an inspector store (unknown header)")


def _not_a_journal(head: bytes) -> str:
    if head.lstrip()[:1] == b"{":
        return "this is a plain JSON file (stock TinyDB?), not an inspector store journal"
    return "bad header, not an inspector store"


def _record_ops(record: dict[str, Any], expected_seq: int) -> list[Any]:
    if record.keys() != {"seq", "ops"}:
        raise _BadContent("not a journal record")
    if record["seq"] != expected_seq or isinstance(record["seq"], bool):
        raise _BadContent(f"record number {record['seq']!r} where {expected_seq} was expected")
    ops = record["ops"]
    if not isinstance(ops, list) or not ops:
        raise _BadContent("record without ops")
    return ops


# --------------------------------------------------------------------------- file helpers


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _create_atomically(path: Path, content: bytes) -> None:
    """Write a whole file so that ``path`` holds either nothing (or its old bytes) or all of it."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        try:
            _write_all(fd, content)
            _fsync_file(fd)  # data durable before the name points at it
        finally:
            os.close(fd)
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)  # the rename itself durable


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files a crash left behind while creating or compacting ``path``.

    Only called with the lock held, so no temp file of this store can be in use. The pattern
    is exact (mkstemp's 8 random characters), so another store's temp files never match.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp\Z")
    for entry in path.parent.iterdir():
        if pattern.match(entry.name):
            entry.unlink(missing_ok=True)


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


# --------------------------------------------------------------------------- the TinyDB storage


class JournalStorage(Storage):
    """TinyDB storage on an append-only, checksummed journal (see the module docstring).

    Use it through :class:`JournalTinyDB` (O(1) appends, updates work); see there for stock TinyDB.

    Thread safety: none of its own, like every TinyDB storage; :class:`RecordStore` serialises
    access. ``writable=False`` opens a snapshot without taking the lock and never touches disk.
    """

    def __init__(self, path: str | os.PathLike[str], *, writable: bool = True) -> None:
        self.path = Path(path)
        self.writable = writable
        self._handles = _Handles()
        self._finalizer = weakref.finalize(self, self._handles.close)
        self._broken: str | None = None
        self._closed = False
        self.wrote = False  # whether this instance appended anything (see compact_if_wasteful)
        try:
            replayed = self._open_for_writing() if writable else _read_snapshot(self.path)
        except OSError as exc:  # permissions, a directory in the way, a read-only disk, ...
            reason = exc.strerror or str(exc)
            raise StorageError(f"cannot open store {self.path}: {reason}") from exc
        self._tables = replayed.tables
        self._seq = replayed.seq
        self._end = replayed.end
        # A torn tail is cut off before the next append, not now: opening changes nothing.
        self._cut_to: int | None = replayed.end if replayed.torn else None

    def _open_for_writing(self) -> _Replayed:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handles.lock = _acquire_lock(self.path)
        try:
            _remove_stale_temps(self.path)
            flags = os.O_RDWR | os.O_APPEND | _BINARY
            try:
                self._handles.journal = os.open(self.path, flags)
            except FileNotFoundError:  # a new store: appears complete or not at all
                _create_atomically(self.path, _frame(_dumps(_HEADER)))
                self._handles.journal = os.open(self.path, flags)
            return _replay(_read_all(self._handles.journal), self.path)
        except BaseException:
            self._handles.close()
            raise

    # -- the TinyDB Storage interface

    def read(self) -> dict[str, Mapping[str, Any]]:  # type: ignore[override]  # read-only views
        """The whole database, as read-only views: O(number of tables), no copying.

        TinyDB builds new dicts from these before changing anything, and the documents inside
        are frozen, so nothing TinyDB does to the result can alter the stored state.
        """
        self._require_open()
        return dict(self._tables.views)

    def write(self, data: dict[str, Mapping[Any, Any]]) -> None:  # type: ignore[override]
        """Append what differs between ``data`` and the stored state, durably; O(changed tables).

        Stock TinyDB tables call this with the whole database; :class:`JournalTable` (used by
        RecordStore) goes through :meth:`commit_edit` instead and never copies the table.
        """
        ops: list[Any] = []
        for name, docs in data.items():
            if docs is not self._tables.views.get(name):  # untouched tables are our own views
                ops.extend(_diff_table(name, self._tables.docs.get(name), docs))
        ops.extend({"t": name, "drop": True} for name in self._tables.docs if name not in data)
        self._commit(ops)

    def close(self) -> None:
        self._closed = True
        self._handles.close()

    # -- the fast path used by JournalTable

    def edit_table(self, name: str) -> _TableEdit:
        """A change recorder over one table, for a TinyDB updater to work on."""
        self._require_open()
        return _TableEdit(self._tables.docs.get(name, {}))

    def commit_edit(self, name: str, edit: _TableEdit) -> None:
        """Durably append the changes recorded in ``edit``; O(changes)."""
        old = self._tables.docs.get(name)
        ops: list[Any] = [] if old is not None else [{"t": name}]
        for key, doc in edit.changes.items():
            prev = old.get(key, _MISSING) if old is not None else _MISSING
            if doc is _DELETED:
                if prev is not _MISSING:
                    ops.append({"t": name, "id": key, "del": True})
            elif prev is _MISSING or prev != doc:
                ops.append({"t": name, "id": key, "d": doc})
        self._commit(ops)

    # -- maintenance and introspection

    def has_table(self, name: str) -> bool:
        self._require_open()
        return name in self._tables.docs

    def compact(self) -> None:
        """Rewrite the journal as one snapshot line, atomically (temp, fsync, rename, dir fsync).

        Worth it after many updates or deletes; appends alone leave nothing to reclaim.
        """
        self._require_writable()
        ops: list[Any] = []
        for name, docs in self._tables.docs.items():
            ops.append({"t": name})
            ops.extend({"t": name, "id": key, "d": doc} for key, doc in docs.items())
        content = _frame(_dumps(_HEADER))
        seq = 0
        if ops:
            seq = 1
            content += _frame(_dumps({"seq": seq, "ops": ops}))
        # Close first (Windows cannot replace an open file); the lock keeps writers out meanwhile.
        journal, self._handles.journal = self._handles.journal, None
        assert journal is not None
        os.close(journal)
        try:
            _create_atomically(self.path, content)
        except OSError as exc:
            raise StoreWriteFailed(f"could not compact {self.path}: {exc}") from exc
        finally:
            self._handles.journal = os.open(self.path, os.O_RDWR | os.O_APPEND | _BINARY)
        self._seq, self._end, self._cut_to = seq, len(content), None
        self._tables.garbage = 0

    def compact_if_wasteful(self) -> bool:
        """Compact when superseded versions outnumber live documents (and 1,000).

        Keyed tables rewrite a whole entry on every ``put``; a store opened per operation (an
        index) would otherwise replay an ever longer history on every open.
        """
        live = sum(len(docs) for docs in self._tables.docs.values())
        if self._tables.garbage <= max(COMPACT_MIN_GARBAGE, live):
            return False
        self.compact()
        return True

    # -- internals

    def _commit(self, ops: list[Any]) -> None:
        """Append one line holding ``ops``, fsync, then apply them to the state."""
        if not ops:
            return  # nothing changed: no line, no fsync
        self._require_writable()
        payload = _dumps({"seq": self._seq + 1, "ops": ops})  # serialise before touching disk
        self._append(_frame(payload))
        self.wrote = True
        try:
            # Applying the parsed copy keeps a private deep copy, exactly as a replay sees it.
            for op in json.loads(payload)["ops"]:
                self._tables.apply(op)
        except BaseException:
            self._broken = f"{self.path}: internal error after a write; reopen the store"
            raise

    def _append(self, line: bytes) -> None:
        fd = self._handles.journal
        assert fd is not None
        # Until this returns, whether the line is on disk is unknown: refuse further writes.
        self._broken = f"{self.path}: an earlier write was interrupted; reopen the store"
        try:
            self._cut_torn_tail(fd)
            _write_all(fd, line)
        except OSError as exc:
            self._cut_to = self._end  # a partial line may be there: cut it before the next one
            try:
                self._cut_torn_tail(fd)
                self._broken = None
            except OSError:
                pass
            raise StoreWriteFailed(f"could not write {self.path}: {exc}") from exc
        try:
            _fsync_file(fd)
        except OSError as exc:  # after a failed fsync the kernel may have dropped the data
            raise StoreWriteFailed(f"could not write {self.path}: {exc}") from exc
        self._seq += 1
        self._end += len(line)
        self._broken = None

    def _cut_torn_tail(self, fd: int) -> None:
        """Drop an unacknowledged, torn last line, durably, before appending after it.

        The fsync matters: without it a crash could leave the old torn bytes behind the new
        line, and two bad lines in a row would read as damage.
        """
        if self._cut_to is None:
            return
        os.ftruncate(fd, self._cut_to)
        _fsync_file(fd)
        self._cut_to = None

    def _require_open(self) -> None:
        if self._closed:
            raise StoreUsageError(f"store is closed: {self.path}")

    def _require_writable(self) -> None:
        self._require_open()
        if not self.writable:
            raise StoreUsageError(f"store is open read-only: {self.path}")
        if self._broken:
            raise StoreWriteFailed(self._broken)


def _read_snapshot(path: Path) -> _Replayed:
    """Read a store without the lock, consistently although a writer may be appending.

    A line being appended right now is simply a torn last line. Bad lines elsewhere are
    re-checked once: if the file changed in between, a writer was busy and we read again.
    """
    previous: bytes | None = None
    for _attempt in range(5):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoreMissing(path) from None
        try:
            return _replay(data, path)
        except StorageDamaged:
            if data == previous:
                raise
            previous = data
            time.sleep(0.02)
    return _replay(path.read_bytes(), path)


# --------------------------------------------------------------------------- TinyDB glue


class _TableEdit(MutableMapping[int, Any]):
    """What a TinyDB updater works on instead of a full copy of the table.

    Stock ``Table._update_table`` copies every document id of the table on every insert; this
    overlay reads through to the stored table and records only what the updater changes, so an
    insert costs O(1). Documents read through it are mutable copies (``Table.update`` mutates
    them in place); they are compared with the stored ones at commit, so reading alone writes
    nothing.
    """

    def __init__(self, base: Mapping[str, Any]) -> None:
        self._base = base
        self.changes: dict[str, Any] = {}

    def __getitem__(self, doc_id: object) -> Any:
        key = str(doc_id)
        doc = self.changes.get(key, _MISSING)
        if doc is _DELETED:
            raise KeyError(doc_id)
        if doc is _MISSING:
            doc = _thaw(self._base[key])
            self.changes[key] = doc
        return doc

    def __setitem__(self, doc_id: object, doc: Any) -> None:
        self.changes[str(doc_id)] = doc

    def __delitem__(self, doc_id: object) -> None:
        if doc_id not in self:
            raise KeyError(doc_id)
        self.changes[str(doc_id)] = _DELETED

    def __contains__(self, doc_id: object) -> bool:
        key = str(doc_id)
        doc = self.changes.get(key, _MISSING)
        if doc is _MISSING:
            return key in self._base
        return doc is not _DELETED

    def __iter__(self) -> Iterator[int]:
        for key in self._base:
            if self.changes.get(key) is not _DELETED:
                yield int(key)
        for key, doc in list(self.changes.items()):
            if key not in self._base and doc is not _DELETED:
                yield int(key)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear(self) -> None:
        for key in list(self._base) + list(self.changes):
            self.changes[key] = _DELETED


class JournalTable(Table):
    """A TinyDB table whose writes go to the journal as just the changed documents."""

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        storage = self.storage
        if not isinstance(storage, JournalStorage):
            super()._update_table(updater)
            return
        edit = storage.edit_table(self.name)
        updater(edit)  # type: ignore[arg-type]  # a MutableMapping with dict's used surface
        storage.commit_edit(self.name, edit)
        self.clear_cache()


class JournalTinyDB(TinyDB):
    """TinyDB whose tables write through :meth:`JournalStorage.commit_edit`.

    Stock ``TinyDB(path, storage=JournalStorage)`` works too (inserts, removes, truncates, drops)
    but costs O(table) per write, and ``Table.update`` raises TypeError there because stored
    documents are frozen (refused loudly rather than lost silently).
    """

    table_class = JournalTable


# --------------------------------------------------------------------------- repository API

_MAP_PREFIX = "map:"  # keyed tables live under a prefixed name, so the two kinds never mix
_TABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")


class RecordStore:
    """One store file (one audit, the HQ register, ...). Opened writable => holds the lock.

    Two kinds of table, chosen by the first call that writes one:

    * log tables -- ``append``/``append_many``/``all``: append-only records in insertion order;
    * keyed tables -- ``put``/``get``/``delete``/``keys``/``items``/``all``: small mutable maps.
      An entry is stored as ``{"key": key, "doc": doc}`` in the TinyDB table ``"map:" + name``;
      callers only ever see ``doc``, so a document may itself contain a ``"key"`` field.

    Documents go in and come out as plain JSON values (str, int, bool, None, list, dict with
    str keys); floats are refused (:class:`UnstorableValue`). Everything returned is a fresh
    copy; TinyDB's doc ids never leave this module. Every write is durable when it returns.
    Methods are serialised by a lock, so a worker thread may write while the UI thread reads.
    """

    def __init__(self, path: Path, *, writable: bool = True) -> None:
        self.path = Path(path)
        self.writable = writable
        self._mutex = threading.RLock()
        self._db = JournalTinyDB(self.path, writable=writable, storage=JournalStorage)
        storage = self._db.storage
        assert isinstance(storage, JournalStorage)
        self._storage = storage
        self._closed = False

    # -- log tables

    def append(self, table: str, doc: dict[str, Any]) -> None:
        """Add one record at the end of ``table``; durable on return."""
        self._append(table, [doc], lambda _index: table)

    def append_many(self, table: str, docs: list[dict[str, Any]]) -> None:
        """Add records in order with one line and one fsync: all of them survive a crash or none."""
        self._append(table, docs, lambda index: f"{table}[{index}]")

    def _append(self, table: str, docs: list[dict[str, Any]], where_: Callable[[int], str]) -> None:
        with self._mutex:
            self._require_writable()
            name = self._log_name(table)
            for index, doc in enumerate(docs):
                _check_document(doc, where_(index))
            if docs:
                self._db.table(name, cache_size=0).insert_multiple(docs)

    def all(self, table: str) -> list[dict[str, Any]]:
        """Copies of every record (log table) or every entry's doc (keyed table), in order."""
        with self._mutex:
            self._require_open()
            _check_table_name(table)
            if self._storage.has_table(_MAP_PREFIX + table):
                return [_thaw(entry["doc"]) for entry in self._table(_MAP_PREFIX + table)]
            return [_thaw(doc) for doc in self._table(table)]

    def count(self, table: str) -> int:
        with self._mutex:
            self._require_open()
            _check_table_name(table)
            name = _MAP_PREFIX + table if self._storage.has_table(_MAP_PREFIX + table) else table
            return len(self._table(name))

    # -- keyed tables

    def put(self, table: str, key: str, doc: dict[str, Any]) -> None:
        """Insert or replace the entry ``key``; durable on return (no write if unchanged)."""
        with self._mutex:
            self._require_writable()
            tbl = self._table(self._map_name(table))
            _check_key(key)
            _check_document(doc, f"{table}[{key!r}]")
            entry = {"key": key, "doc": doc}
            found = tbl.get(where("key") == key)
            if found is None:
                tbl.insert(entry)
            else:
                tbl.update(entry, doc_ids=[found.doc_id])

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """A copy of the entry's doc, or None."""
        with self._mutex:
            self._require_open()
            _check_key(key)
            found = self._table(self._map_name(table)).get(where("key") == key)
            return None if found is None else _thaw(found["doc"])

    def delete(self, table: str, key: str) -> None:
        """Remove the entry ``key`` if present (keyed tables only); durable on return."""
        with self._mutex:
            self._require_writable()
            _check_key(key)
            tbl = self._table(self._map_name(table))
            found = tbl.get(where("key") == key)
            if found is not None:
                tbl.remove(doc_ids=[found.doc_id])

    def keys(self, table: str) -> list[str]:
        with self._mutex:
            self._require_open()
            return [entry["key"] for entry in self._table(self._map_name(table))]

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        with self._mutex:
            self._require_open()
            entries = self._table(self._map_name(table))
            return [(entry["key"], _thaw(entry["doc"])) for entry in entries]

    # -- lifecycle

    def compact(self) -> None:
        """Rewrite the file as a snapshot of the current content (atomic)."""
        with self._mutex:
            self._require_writable()
            self._storage.compact()

    def close(self) -> None:
        """Release the file and the lock; idempotent.

        A writer that wrote in this session first compacts the file if most of it is history
        (see :meth:`JournalStorage.compact_if_wasteful`); opening and reading never write.
        """
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            try:
                if self.writable and self._storage.wrote:
                    self._storage.compact_if_wasteful()
            except StorageError:
                pass  # the data is safe in the journal; compaction is retried at the next close
            finally:
                self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "rw" if self.writable else "ro"
        return f"<RecordStore {str(self.path)!r} {mode}{' closed' if self._closed else ''}>"

    # -- internals

    def _table(self, name: str) -> Table:
        # No query cache: it would hand out shared Document objects and needs invalidation.
        return self._db.table(name, cache_size=0)

    def _log_name(self, table: str) -> str:
        _check_table_name(table)
        if self._storage.has_table(_MAP_PREFIX + table):
            raise StoreUsageError(f"table {table!r} is a keyed table (put/get); cannot append")
        return table

    def _map_name(self, table: str) -> str:
        _check_table_name(table)
        if self._storage.has_table(table):
            raise StoreUsageError(f"table {table!r} is a log table (append/all); cannot put/get")
        return _MAP_PREFIX + table

    def _require_open(self) -> None:
        if self._closed:
            raise StoreUsageError(f"store is closed: {self.path}")

    def _require_writable(self) -> None:
        self._require_open()
        if not self.writable:
            raise StoreUsageError(f"store is open read-only: {self.path}")


def _check_table_name(table: str) -> None:
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise StoreUsageError(f"bad table name {table!r}: use letters, digits, '_', '.', '-'")


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not key:
        raise StoreUsageError(f"bad key {key!r}: keys are non-empty strings")


def _check_document(doc: Any, where_: str) -> None:
    if not isinstance(doc, dict):
        raise UnstorableValue(f"{where_}: a record is a dict, not a {type(doc).__name__}")
    _check_storable(doc, where_)
