"""Checkpoints: where a journal stood, and what its owner derived from it, so that the next
open reads only the lines written since instead of replaying the whole history.

A checkpoint is a cache beside the store, ``<store>.ckpt``, one framed line (the journal's own
framing: 8 bytes of SHA-256, a space, JSON)::

    {"format": "inspector-journal-checkpoint", "version": 1,
     "journal": {"seq": N, "end": E, "tail": SHA-256 of the journal's bytes [E - 4096, E)},
     "garbage": G,
     "tables": {T: {"docs": {id: doc, ...}} | {"lazy": [count, next id]}, ...},
     "state": <whatever the owner saved>}

It is used only when it still describes the journal on disk: the file holds at least ``E``
bytes, its header is intact and the bytes just before ``E`` hash to ``tail``. The journal is
append-only between compactions, so a checkpoint that passes describes a prefix of the file,
and the lines after ``E`` are replayed (with every damage rule of a full replay, the
acknowledged-write mark included). A compacted, replaced, truncated or restored journal fails
the check, and so does a checkpoint cut short or altered (its frame checksum): the store is then
replayed in full, as without a checkpoint. Damage *before* ``E`` (a bit flipped in the middle of
the file) is not seen by an open from a checkpoint; it is by everything that reads the lazy
tables (a full replay: ``audit verify``, export, HQ import).

"Lazy" tables, named by the owner, are left on disk (count and next id only); the others are
stored whole in the checkpoint. Writing it is not fsync'ed: losing it costs one full replay, and
an older checkpoint that survives a power cut still describes a prefix of the journal.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from inspector._io.atomic import replace as _replace
from inspector.store.frozen import _freeze
from inspector.store.journal import (
    _HEADER,
    _BadContent,
    _BadFrame,
    _dumps,
    _frame,
    _Lazy,
    _Replayed,
    _Tables,
    _unframe,
    _write_all,
)

CHECKPOINT_FORMAT = "inspector-journal-checkpoint"
CHECKPOINT_VERSION = 1
TAIL_WINDOW = 4096  # bytes of the journal before the checkpoint's end that must still match
HEADER_LINE = _frame(_dumps(_HEADER))


def checkpoint_path(path: Path) -> Path:
    return path.with_name(path.name + ".ckpt")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    end: int
    tail: str
    garbage: int
    tables: dict[str, Any]
    state: Any

    def window(self) -> tuple[int, int]:
        """(offset, length) of the journal bytes ``tail`` hashes."""
        start = max(0, self.end - TAIL_WINDOW)
        return start, self.end - start

    def build_tables(self) -> _Tables:
        """The tables as of the checkpoint, lazy ones left on disk."""
        tables = _Tables(garbage=self.garbage)
        for name, entry in self.tables.items():
            docs = {key: _freeze(doc) for key, doc in entry.get("docs", {}).items()}
            tables.docs[name] = docs
            tables.views[name] = MappingProxyType(docs)
            if "lazy" in entry:
                count, next_id = entry["lazy"]
                tables.lazy[name] = _Lazy(count, next_id)
        return tables


def tail_digest(window: bytes) -> str:
    return hashlib.sha256(window).hexdigest()


def read_checkpoint(path: Path) -> Checkpoint | None:
    """The checkpoint beside the store ``path``, or None when there is none or it is unusable."""
    try:
        raw = checkpoint_path(path).read_bytes()
    except OSError:
        return None
    try:
        doc = _unframe(raw.rstrip(b"\n"))
    except (_BadFrame, _BadContent):
        return None
    try:
        return _checked(doc)
    except (KeyError, TypeError, ValueError):
        return None


def _checked(doc: dict[str, Any]) -> Checkpoint | None:
    if doc.get("format") != CHECKPOINT_FORMAT or doc.get("version") != CHECKPOINT_VERSION:
        return None
    journal = doc["journal"]
    seq, end, tail, garbage = journal["seq"], journal["end"], journal["tail"], doc["garbage"]
    tables = doc["tables"]
    if not all(type(v) is int and v >= 0 for v in (seq, end, garbage)) or not isinstance(tail, str):
        return None
    if end < len(HEADER_LINE) or not isinstance(tables, dict):
        return None
    for entry in tables.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("docs", {}), dict):
            return None
        docs = entry.get("docs", {})
        if any(not (isinstance(key, str) and key.isdigit()) or not isinstance(d, dict) for key, d in docs.items()):
            return None
        if "lazy" in entry:
            count, next_id = entry["lazy"]
            if not (type(count) is int and type(next_id) is int and count >= 0 and next_id >= 1):
                return None
    return Checkpoint(seq, end, tail, garbage, tables, doc.get("state"))


def write_checkpoint(
    path: Path, tables: _Tables, seq: int, end: int, window: bytes, lazy: Collection[str], state: Any
) -> None:
    """Write the checkpoint of store ``path`` at journal position (``seq``, ``end``), atomically.

    ``window`` is the journal's bytes just before ``end`` (see :meth:`Checkpoint.window`);
    the tables named in ``lazy`` that are log tables are recorded by count only. The caller
    holds the store's writer lock and has no torn line pending.
    """
    entries: dict[str, Any] = {}
    for name, docs in tables.docs.items():
        if name in lazy or name in tables.lazy:  # left on disk, appended documents included
            entries[name] = {"lazy": [tables.count(name), tables.next_id(name)]}
        else:
            entries[name] = {"docs": dict(docs)}
    doc = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "journal": {"seq": seq, "end": end, "tail": tail_digest(window)},
        "garbage": tables.garbage,
        "tables": entries,
        "state": state,
    }
    content = _frame(_dumps(doc))
    target = checkpoint_path(path)
    _remove_stale(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        try:
            _write_all(fd, content)
        finally:
            os.close(fd)
        _replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_checkpoint(path: Path) -> None:
    """Drop the checkpoint of ``path`` (after compaction it can only fail its check)."""
    checkpoint_path(path).unlink(missing_ok=True)


def _remove_stale(target: Path) -> None:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp\Z")
    for entry in target.parent.iterdir():
        if pattern.match(entry.name):
            entry.unlink(missing_ok=True)


def disagreement(full: _Replayed, partial: _Tables, seq: int, end: int) -> str | None:
    """Why a full replay contradicts the state an open from a checkpoint built, or None."""
    if (full.seq, full.end) != (seq, end):
        return f"write {full.seq} ends at byte {full.end}, not write {seq} at byte {end}"
    if full.tables.docs.keys() != partial.docs.keys():
        return "its tables differ"
    for name, docs in partial.docs.items():
        whole = full.tables.docs[name]
        lazy = partial.lazy.get(name)
        if lazy is None and whole != docs:
            return f"table {name!r} differs"
        if lazy is not None and (
            len(whole) != lazy.count + len(docs) or any(whole.get(key) != doc for key, doc in docs.items())
        ):
            return f"table {name!r} differs"
    return None
