"""TinyDB glue: a journal-backed Storage and a Table that does not copy itself on every write.

This module quarantines the product's one dependency on a TinyDB private method
(``Table._update_table``, checked against TinyDB 4.8): see :class:`JournalTable`."""

from __future__ import annotations

import json
import os
import sys
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from inspector._io.atomic import fsync_file as _fsync_file
from inspector.store.checkpoint import (
    Checkpoint,
    disagreement,
    read_checkpoint,
    remove_checkpoint,
    tail_digest,
    write_checkpoint,
)
from inspector.store.errors import StorageDamaged, StorageError, StoreMissing, StoreUsageError, StoreWriteFailed
from inspector.store.frozen import _thaw
from inspector.store.journal import (
    _BINARY,
    _DELETED,
    _HEADER,
    _MISSING,
    COMPACT_MIN_GARBAGE,
    _check_header,
    _create_atomically,
    _diff_table,
    _dumps,
    _frame,
    _NeedsFullReplay,
    _read_all,
    _remove_stale_temps,
    _replay,
    _replay_lines,
    _Replayed,
    _write_all,
    pread_all,
)
from inspector.store.locking import AckMark, _acquire_lock, _Handles, read_mark, write_mark

if sys.platform == "win32":  # pragma: no cover - Windows, untested here
    pass
else:
    pass


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
        self.checkpoint: Checkpoint | None = None  # the checkpoint this open started from, if any
        try:
            replayed = self._open_for_writing() if writable else self._open_for_reading()
        except OSError as exc:  # permissions, a directory in the way, a read-only disk, ...
            reason = exc.strerror or str(exc)
            raise StorageError(f"cannot open store {self.path}: {reason}") from exc
        self._tables = replayed.tables
        self._seq = replayed.seq
        self._end = replayed.end
        # A torn tail is cut off before the next append, not now: opening changes nothing.
        self._cut_to: int | None = replayed.end if replayed.torn else None
        if writable:
            self._mark()  # every intact line is on disk now, acknowledged or not: it counts

    def _open_for_writing(self) -> _Replayed:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handles.lock, mark = _acquire_lock(self.path)
        try:
            _remove_stale_temps(self.path)
            flags = os.O_RDWR | os.O_APPEND | _BINARY
            try:
                self._handles.journal = os.open(self.path, flags)
            except FileNotFoundError:  # a new store: appears complete or not at all
                _create_atomically(self.path, _frame(_dumps(_HEADER)))
                self._handles.journal = os.open(self.path, flags)
                mark = None  # a mark left by a deleted store says nothing about this new file
            journal = self._handles.journal
            mark = _mark_for(mark, os.fstat(journal).st_ino)
            resumed = self._resume(journal, mark)
            if resumed is not None:
                return resumed
            return _replay(_read_all(journal), self.path, mark)
        except BaseException:
            self._handles.close()
            raise

    def _open_for_reading(self) -> _Replayed:
        """A snapshot without the lock: from the checkpoint if it still holds, else in full.

        From a checkpoint the journal stays open (read-only), so that tables left on disk are
        read later from this same file even if a writer compacts (replaces) it meanwhile.
        """
        if read_checkpoint(self.path) is not None:
            for _attempt in range(5):
                mark = read_mark(self.path)  # before the journal, as in _read_snapshot
                try:
                    fd = os.open(self.path, os.O_RDONLY | _BINARY)
                except FileNotFoundError:
                    raise StoreMissing(self.path) from None
                try:
                    resumed = self._resume(fd, _mark_for(mark, os.fstat(fd).st_ino))
                except StorageDamaged:
                    os.close(fd)
                    time.sleep(0.02)  # a writer busy with its last line: read again
                    continue
                except BaseException:
                    os.close(fd)
                    raise
                if resumed is None:
                    os.close(fd)
                    break
                self._handles.journal = fd
                return resumed
        return _read_snapshot(self.path)

    def _resume(self, fd: int, mark: AckMark | None) -> _Replayed | None:
        """The state from the checkpoint plus the lines after it, or None to replay in full."""
        checkpoint = read_checkpoint(self.path)
        if checkpoint is None:
            return None
        size = os.fstat(fd).st_size
        start, length = checkpoint.window()
        if size < checkpoint.end or tail_digest(os.pread(fd, length, start)) != checkpoint.tail:
            return None
        head = os.pread(fd, min(checkpoint.end, 4096), 0).split(b"\n", 1)[0]
        _check_header(head, self.path)
        rest = pread_all(fd, size - checkpoint.end, checkpoint.end)
        lines = rest.split(b"\n")
        tail = lines.pop()
        at = _Replayed(checkpoint.build_tables(), checkpoint.seq, checkpoint.end, 0)
        try:
            replayed = _replay_lines(lines, tail, at, size, self.path, mark)
        except _NeedsFullReplay:
            return None
        self.checkpoint = checkpoint
        return replayed

    # -- the TinyDB Storage interface

    def read(self) -> dict[str, Mapping[str, Any]]:  # type: ignore[override]  # read-only views
        """The whole database, as read-only views: O(number of tables), no copying.

        TinyDB builds new dicts from these before changing anything, and the documents inside
        are frozen, so nothing TinyDB does to the result can alter the stored state.
        """
        self._require_open()
        self.materialize()
        return dict(self._tables.views)

    def write(self, data: dict[str, Mapping[Any, Any]]) -> None:  # type: ignore[override]
        """Append what differs between ``data`` and the stored state, durably; O(changed tables).

        Stock TinyDB tables call this with the whole database; :class:`JournalTable` (used by
        RecordStore) goes through :meth:`commit_edit` instead and never copies the table.
        """
        self.materialize()
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
        if name in self._tables.lazy:
            self.materialize()
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

    # -- log tables, without TinyDB (see RecordStore): O(1) per append at any size

    def append_docs(self, name: str, docs: list[dict[str, Any]]) -> None:
        """Append ``docs`` to table ``name`` in one durable line, with the ids TinyDB's
        ``insert_multiple`` would give them (one above the largest): the same journal bytes."""
        self._require_writable()
        ops: list[Any] = [] if name in self._tables.docs else [{"t": name}]
        first = self._tables.next_id(name)
        ops.extend({"t": name, "id": str(first + n), "d": dict(doc)} for n, doc in enumerate(docs))
        self._commit(ops)

    def docs_of(self, name: str) -> list[Mapping[str, Any]]:
        """The stored (frozen) documents of table ``name`` in order; reads a lazy table in full."""
        self._require_open()
        if name in self._tables.lazy:
            self.materialize()
        return list(self._tables.docs.get(name, {}).values())

    def count(self, name: str) -> int:
        self._require_open()
        return self._tables.count(name)

    def materialize(self) -> None:
        """Read the tables a checkpoint left on disk: a full replay of the journal up to where
        this store stands, which must agree with everything known so far (else: damage)."""
        if not self._tables.lazy:
            return
        fd = self._handles.journal
        assert fd is not None
        full = _replay(pread_all(fd, self._end, 0), self.path, None)
        differs = disagreement(full, self._tables, self._seq, self._end)
        if differs:
            raise StorageDamaged(self.path, full.seq + 1, f"the journal does not match its checkpoint ({differs})")
        full.tables.next_ids.update(self._tables.next_ids)
        self._tables = full.tables

    # -- checkpoints (see inspector.store.checkpoint)

    def write_checkpoint(self, lazy: tuple[str, ...], state: Any) -> None:
        """Save where the journal stands and ``state`` beside it; needs the writer lock."""
        self._require_writable()
        fd = self._handles.journal
        assert fd is not None
        if self._cut_to is not None:  # a torn line still to cut: the next open must see it
            return
        start = max(0, self._end - 4096)
        window = os.pread(fd, self._end - start, start)
        write_checkpoint(self.path, self._tables, self._seq, self._end, window, lazy, state)

    # -- maintenance and introspection

    def has_table(self, name: str) -> bool:
        self._require_open()
        return name in self._tables.docs

    def compact(self) -> None:
        """Rewrite the journal as one snapshot line, atomically (temp, fsync, rename, dir fsync).

        Worth it after many updates or deletes; appends alone leave nothing to reclaim.
        """
        self._require_writable()
        self.materialize()
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
        self._mark()
        try:
            remove_checkpoint(self.path)  # it described the old file (and would fail its check)
        except OSError:
            pass

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
        self._mark()

    def _mark(self) -> None:
        """Record the writes acknowledged so far in the lock file (see ``store.locking``)."""
        journal, lock = self._handles.journal, self._handles.lock
        if journal is None or lock is None:
            return
        try:
            write_mark(lock, AckMark(self._seq, self._end, os.fstat(journal).st_ino))
        except OSError:
            pass  # the mark only strengthens damage detection; the write itself is durable

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
    The acknowledged-write mark is read *before* the journal: a writer updates it only after
    its line is durable, so the journal read afterwards holds at least that many lines.
    """
    previous: bytes | None = None
    for _attempt in range(5):
        mark = read_mark(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
                inode = os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            raise StoreMissing(path) from None
        try:
            return _replay(data, path, _mark_for(mark, inode))
        except StorageDamaged:
            if data == previous:
                raise
            previous = data
            time.sleep(0.02)
    return _replay(path.read_bytes(), path, None)


def _mark_for(mark: AckMark | None, inode: int) -> AckMark | None:
    """``mark`` if it describes the journal file with ``inode`` (not one replaced since)."""
    return mark if mark is not None and mark.inode == inode else None


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
