"""The journal's on-disk format: framing, checksums, replay and table state.

The format is specified in :mod:`inspector.store.record_store`'s docstring; this module is the
only code that reads or writes its bytes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from inspector._io.atomic import fsync_dir as _fsync_dir
from inspector._io.atomic import fsync_file as _fsync_file
from inspector._io.atomic import replace as _replace
from inspector.store.errors import (
    StorageDamaged,
    StorageError,
    UnstorableValue,
)
from inspector.store.frozen import _freeze

if TYPE_CHECKING:
    from inspector.store.locking import AckMark


FORMAT_NAME = "inspector-journal"
FORMAT_VERSION = 1
_HEADER: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
COMPACT_MIN_GARBAGE = 1000  # see JournalStorage.compact_if_wasteful
_DIGEST_HEX = 16  # 8 bytes of SHA-256: catches torn and flipped bytes, not an adversary
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on raw fds


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


class _NeedsFullReplay(Exception):
    """A journal line after a checkpoint rewrites documents the checkpoint left on disk."""


@dataclass
class _Lazy:
    """A log table a checkpoint left on disk: how many documents, and the id after the last."""

    count: int
    next_id: int


@dataclass
class _Tables:
    """The database as of the last durable line: what ``read()`` serves and diffs start from.

    After an open from a checkpoint (:mod:`inspector.store.checkpoint`), the tables named in
    ``lazy`` hold only the documents appended since; the rest are read by a full replay when
    something asks for them (``JournalStorage.materialize``).
    """

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, MappingProxyType[str, Any]] = field(default_factory=dict)
    garbage: int = 0  # document versions in the file that are no longer live
    lazy: dict[str, _Lazy] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)  # computed on first append, then kept
    # A table whose documents are kept as parsed, not frozen: only a replay whose state is never
    # served to TinyDB sets it (:func:`_replay_table`), and hands those fresh objects out once.
    unfrozen: str | None = None

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
        elif shape == {"id", "d"} and isinstance(op["d"], dict):
            table, key = self._table(name), _doc_key(op["id"])
            self._check_fresh(name, key)
            self.garbage += key in table
            table[key] = op["d"] if name == self.unfrozen else _freeze(op["d"])
            known = self.next_ids.get(name)
            if known is not None and int(key) >= known:
                self.next_ids[name] = int(key) + 1
        elif shape == {"id", "del"} and op["del"] is True:
            table, key = self._table(name), _doc_key(op["id"])
            self._check_fresh(name, key)
            if key not in table:
                raise _BadContent(f"removes document {key} of {name!r}, which does not exist")
            del table[key]
            self.garbage += 1
        elif shape == {"drop"} and op["drop"] is True:
            self._drop(name)
        else:
            raise _BadContent(f"unknown op on table {name!r}")

    def count(self, name: str) -> int:
        lazy = self.lazy.get(name)
        return len(self.docs.get(name, ())) + (lazy.count if lazy is not None else 0)

    def next_id(self, name: str) -> int:
        """The id TinyDB would give the next document of ``name``: one above the largest."""
        known = self.next_ids.get(name)
        if known is None:
            lazy = self.lazy.get(name)
            known = max([lazy.next_id if lazy is not None else 1, *(int(key) + 1 for key in self.docs.get(name, ()))])
            self.next_ids[name] = known
        return known

    def _check_fresh(self, name: str, key: str) -> None:
        lazy = self.lazy.get(name)
        if lazy is not None and int(key) < lazy.next_id:
            raise _NeedsFullReplay(name)

    def _create(self, name: str) -> None:
        if name in self.docs:
            raise _BadContent(f"creates table {name!r}, which already exists")
        self.docs[name] = {}
        self.views[name] = MappingProxyType(self.docs[name])
        self.next_ids.pop(name, None)

    def _drop(self, name: str) -> None:
        if name not in self.docs:
            raise _BadContent(f"drops table {name!r}, which does not exist")
        self.garbage += self.count(name)
        del self.docs[name]
        del self.views[name]
        self.lazy.pop(name, None)
        self.next_ids.pop(name, None)

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


def _replay(data: bytes, path: Path, mark: AckMark | None = None) -> _Replayed:
    """Rebuild the database from the journal bytes, or raise StorageDamaged.

    ``mark`` (the acknowledged-write mark of this very file, see :mod:`inspector.store.locking`)
    says how many writes were acknowledged. Only a write beyond it may be torn; without a mark,
    only a line cut short (no newline) may be, as a power cut can leave nothing else behind.
    """
    if not data:
        raise StorageDamaged(path, 1, "the file is empty, so it is not an inspector store")
    lines = data.split(b"\n")
    tail = lines.pop()  # bytes after the last newline: empty unless the last write was torn
    if not lines:
        raise StorageDamaged(path, 1, _not_a_journal(data))
    _check_header(lines[0], path)
    start = _Replayed(_Tables(), 0, len(lines[0]) + 1, 0)
    del lines[0]
    return _replay_lines(lines, tail, start, len(data), path, mark)


def _replay_lines(
    lines: list[bytes], tail: bytes, start: _Replayed, size: int, path: Path, mark: AckMark | None
) -> _Replayed:
    """Apply journal ``lines`` (those after ``start``: its seq and end offset) to its tables.

    ``tail`` is what follows the last newline and ``size`` the file's length; the damage rules
    are :func:`_replay`'s, with line numbers counted from the line after ``start``.
    """
    last = len(lines) - 1 if not tail else -1
    framed = ((raw, offset == last) for offset, raw in enumerate(lines))
    return _apply_lines(framed, lambda: tail, start, size, path, mark)


def _apply_lines(
    lines: Iterable[tuple[bytes, bool]],
    tail_of: Callable[[], bytes],
    start: _Replayed,
    size: int,
    path: Path,
    mark: AckMark | None,
) -> _Replayed:
    """:func:`_replay_lines` over ``(line, whether it is the last line and nothing follows it)``
    pairs, as a list or as a file read a piece at a time; ``tail_of()`` is what follows the last
    newline, asked once every line has been read."""
    acknowledged = mark.seq if mark is not None else 0
    tables, seq, end = start.tables, start.seq, start.end
    for raw, last in lines:
        number = seq + 2  # line 1 is the header; line n holds write n - 1
        try:
            record = _unframe(raw)
            for op in _record_ops(record, seq + 1):
                tables.apply(op)
        except _BadFrame as exc:
            if last and mark is not None and seq >= acknowledged:
                # A complete last line beyond the acknowledged writes: the write in flight when
                # the power failed (pages can reach the disk out of order). Dropped.
                return _Replayed(tables, seq, end, size - end)
            if last:
                raise StorageDamaged(path, number, f"{exc} in a complete last line (acknowledged data)") from None
            raise StorageDamaged(path, number, f"{exc}, and more lines follow it") from None
        except _BadContent as exc:
            raise StorageDamaged(path, number, str(exc)) from None
        seq += 1
        end += len(raw) + 1
    tail = tail_of()
    if seq < acknowledged:
        cut = "cut inside" if tail else "cut after"
        raise StorageDamaged(
            path,
            seq + 2,
            f"{acknowledged} writes were acknowledged but only {seq} are here: the file was {cut} acknowledged "
            "data (truncated or restored from an older copy)",
        )
    return _Replayed(tables, seq, end, len(tail))


_READ_PIECE = 1 << 20
_HEAD_READ = 4096  # where the header is looked for first (it is 62 bytes)


def _replay_table(fd: int, size: int, path: Path, name: str) -> _Replayed:
    """:func:`_replay` of the first ``size`` bytes of the journal open as ``fd``, read a piece at
    a time, every rule included; the documents of table ``name`` are kept as parsed (fresh
    objects that nothing else holds), the others frozen as usual.

    The journal is never in memory as a whole (nor as a list of its lines): that was two copies
    of it beside the documents parsed from it (an export at 50,000 records: 203 MB, now 127).
    """
    head = os.pread(fd, min(size, _HEAD_READ), 0)
    if not head:
        raise StorageDamaged(path, 1, "the file is empty, so it is not an inspector store")
    first, newline, _rest = head.partition(b"\n")
    if not newline:
        if len(head) < size:  # a first line longer than that: read the file whole, as _replay does
            return _replay(pread_all(fd, size, 0), path, None)
        raise StorageDamaged(path, 1, _not_a_journal(head))
    _check_header(first, path)
    start = _Replayed(_Tables(unfrozen=name), 0, len(first) + 1, 0)
    reader = _LineReader(fd, start.end, size)
    return _apply_lines(reader.lines(), lambda: reader.tail, start, size, path, None)


class _LineReader:
    """The lines of ``fd`` between two offsets, read ``_READ_PIECE`` bytes at a time, each with
    whether it is the last one with nothing after it; ``tail`` is what follows the last newline."""

    def __init__(self, fd: int, offset: int, size: int) -> None:
        self._fd, self._offset, self._size = fd, offset, size
        self.tail = b""

    def lines(self) -> Iterator[tuple[bytes, bool]]:
        carry: list[bytes] = []  # the pieces of a line not ended yet (a snapshot line may be long)
        pending: bytes | None = None  # a complete line held back until we know what follows it
        while self._offset < self._size:
            piece = os.pread(self._fd, min(_READ_PIECE, self._size - self._offset), self._offset)
            if not piece:
                break  # the file is shorter than it was: what was read is all there is
            self._offset += len(piece)
            carry.append(piece)
            if b"\n" not in piece:
                continue
            parts = b"".join(carry).split(b"\n")
            carry = [parts.pop()]
            for raw in parts:
                if pending is not None:
                    yield pending, False
                pending = raw
        self.tail = b"".join(carry)
        if pending is not None:
            yield pending, not self.tail


def pread_all(fd: int, length: int, offset: int) -> bytes:
    """``length`` bytes of ``fd`` from ``offset`` (fewer at the end of the file), in reads of at
    most 1 GiB (``pread`` returns at most about 2 GiB at once on Linux)."""
    chunks = []
    while length > 0:
        chunk = os.pread(fd, min(length, 1 << 30), offset)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


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
            f"{path} was written by a newer inspector (store format {version}); upgrade inspector to open it"
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
