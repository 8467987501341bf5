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

Checkpoints
-----------
An owner may ask a writable store to keep a checkpoint (:meth:`RecordStore.keep_checkpoint`):
on closing after a write, the store saves where the journal stands and the owner's derived state
in ``<file>.ckpt`` (:mod:`inspector.store.checkpoint`). The next open that finds it still
describing the journal replays only the lines after it, and the owner's "lazy" log tables stay on
disk until ``all`` asks for one (then the whole journal is replayed, with every rule above).
Damage in lines before a checkpoint is therefore found when those tables are read, not at open.

Locking
-------
A writer holds ``fcntl.flock(LOCK_EX | LOCK_NB)`` on ``<file>.lock`` for as long as the store is
open (the lock file holds its pid, for the message). Readers (``writable=False``) take no lock:
they read the file once into memory and ignore a line that a writer is still appending.
Closing the lock's descriptor releases it, so a killed writer never leaves a stale lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Self

from tinydb import where
from tinydb.table import Table

from inspector.store._tinydb import JournalStorage, JournalTinyDB
from inspector.store.checkpoint import disagreement
from inspector.store.errors import StorageDamaged, StorageError, StoreUsageError, UnstorableValue
from inspector.store.frozen import _check_storable, _thaw
from inspector.store.journal import _replay_table

__all__ = ["RecordStore"]


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
        self._keep: tuple[tuple[str, ...], Callable[[], Any]] | None = None

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
                # Straight to the journal (the ids and bytes TinyDB's insert_multiple would
                # write): TinyDB would look at every id of the table to find the next one.
                self._storage.append_docs(name, docs)

    def all(self, table: str) -> list[dict[str, Any]]:
        """Copies of every record (log table) or every entry's doc (keyed table), in order."""
        with self._mutex:
            self._require_open()
            _check_table_name(table)
            if self._storage.has_table(_MAP_PREFIX + table):
                return [_thaw(entry["doc"]) for entry in self._table(_MAP_PREFIX + table)]
            return [_thaw(doc) for doc in self._storage.docs_of(table)]

    def iter_raw(self, table: str) -> Iterator[Mapping[str, Any]]:
        """The documents of ``table`` as ``all`` lists them, without copying them: for reading a
        long table once (an export). They are read-only: the store's own (frozen) documents, or,
        for a log table a checkpoint left on disk, documents freshly parsed from the journal,
        which is then read a piece at a time (never whole) under every rule of a full replay
        and left on disk (``all`` would keep the table in memory for later reads)."""
        with self._mutex:
            self._require_open()
            _check_table_name(table)
            if self._storage.has_table(_MAP_PREFIX + table):
                return iter([entry["doc"] for entry in self._table(_MAP_PREFIX + table)])
            return iter(_read_table_once(self._storage, table))

    def count(self, table: str) -> int:
        with self._mutex:
            self._require_open()
            _check_table_name(table)
            name = _MAP_PREFIX + table if self._storage.has_table(_MAP_PREFIX + table) else table
            return self._storage.count(name)

    # -- checkpoints (see inspector.store.checkpoint)

    def checkpoint_state(self) -> Any | None:
        """What the owner saved with the checkpoint this open started from; None when the
        journal was replayed in full (no checkpoint, or one that no longer matches it).

        The tables the owner named lazy then hold only what was appended since; they are read
        in full (a replay, with its damage checks) the first time ``all`` asks for one.
        """
        with self._mutex:
            self._require_open()
            checkpoint = self._storage.checkpoint
            return None if checkpoint is None else checkpoint.state

    def keep_checkpoint(self, lazy: tuple[str, ...], state: Callable[[], Any]) -> None:
        """On closing a writable store, save a checkpoint holding ``state()`` (JSON values),
        with the log tables ``lazy`` left on disk. Written only when this session wrote
        something (a refused command changes no file); a failure to write it is ignored (it
        is a cache: the next open replays the journal in full)."""
        with self._mutex:
            self._require_writable()
            for name in lazy:
                _check_table_name(name)
            self._keep = (lazy, state)

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
            try:
                self._save_checkpoint()
            finally:
                self._db.close()

    def _save_checkpoint(self) -> None:
        if self._keep is None or not self.writable or not self._storage.wrote:
            return  # a session that wrote nothing leaves the folder as it found it
        lazy, state = self._keep
        try:
            saved = state()
        except Exception:  # a cache must never stop a store from closing; the next open replays
            return
        try:
            self._storage.write_checkpoint(lazy, saved)
        except (OSError, StorageError, UnstorableValue):
            pass  # the next open replays the journal in full, as without a checkpoint

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


def _read_table_once(storage: JournalStorage, name: str) -> list[Mapping[str, Any]]:
    """``storage.docs_of(name)``, except that a table left on disk is replayed without
    materializing the store: the journal read a piece at a time, its documents of ``name`` kept
    as parsed, the result held to the checkpoint exactly as ``JournalStorage.materialize`` does."""
    if name not in storage._tables.lazy:
        return storage.docs_of(name)
    fd = storage._handles.journal
    assert fd is not None
    full = _replay_table(fd, storage._end, storage.path, name)
    differs = disagreement(full, storage._tables, storage._seq, storage._end)
    if differs:
        raise StorageDamaged(storage.path, full.seq + 1, f"the journal does not match its checkpoint ({differs})")
    return list(full.tables.docs.get(name, {}).values())


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
