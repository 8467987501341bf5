"""A damaged store is never mistaken for an unfinished write.

Only a write that was never acknowledged may be dropped on opening. A journal cut inside (or
after) acknowledged data, or a bad complete line that had been acknowledged, is damage: it is
named with the file and line, the file is left exactly as it was, and no writer may append to it.
The acknowledged-write mark that tells the two apart lives in the store's lock file
(``inspector.store.locking``).
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from inspector.store.errors import StorageDamaged
from inspector.store.journal import _dumps, _frame
from inspector.store.locking import lock_path_for, read_mark
from inspector.store.record_store import RecordStore


def finding(n: int) -> dict[str, Any]:
    return {"id": f"F{n:04d}", "note": "मालखाना रजिस्टर अद्यतन", "n": n}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


def filled(path: Path, n: int) -> list[dict[str, Any]]:
    docs = [finding(i) for i in range(n)]
    with RecordStore(path) as store:
        for doc in docs:
            store.append("findings", doc)
    return docs


def last_line(path: Path) -> bytes:
    return path.read_bytes().split(b"\n")[-2] + b"\n"


def assert_damaged(path: Path, line: int) -> None:
    """Both a reader and a writer refuse, naming the file and line, and nothing changes."""
    before = path.read_bytes()
    for writable in (False, True):
        with pytest.raises(StorageDamaged) as caught:
            RecordStore(path, writable=writable)
        assert str(path) in str(caught.value) and f"line {line}" in str(caught.value)
        assert "\n" not in str(caught.value)
    assert path.read_bytes() == before, "a damaged store must be left untouched"


def test_the_lock_file_marks_every_acknowledged_write(path: Path) -> None:
    filled(path, 3)
    mark = read_mark(path)
    assert mark is not None and mark.seq == 3 and mark.end == path.stat().st_size
    assert mark.inode == path.stat().st_ino


@pytest.mark.parametrize("where", ["first byte", "middle", "before newline", "whole line"])
def test_a_cut_inside_acknowledged_data_is_damage(path: Path, where: str) -> None:
    filled(path, 3)
    intact = path.read_bytes()
    last = last_line(path)
    good = intact[: len(intact) - len(last)]
    keep = {"first byte": 1, "middle": len(last) // 2, "before newline": len(last) - 1, "whole line": 0}[where]
    with open(path, "r+b") as handle:  # in place, as a faulty disk or a careless tool would
        handle.truncate(len(good) + keep)
    assert_damaged(path, 4)


def test_a_cut_after_several_acknowledged_lines_is_damage(path: Path) -> None:
    filled(path, 5)
    lines = path.read_bytes().split(b"\n")
    with open(path, "r+b") as handle:
        handle.truncate(sum(len(x) + 1 for x in lines[:3]))  # header + 2 records of 5
    assert_damaged(path, 4)


def test_a_bad_complete_last_line_that_was_acknowledged_is_damage(path: Path) -> None:
    filled(path, 3)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01  # one flipped bit in the last, acknowledged line
    with open(path, "r+b") as handle:
        handle.write(bytes(data))
    assert_damaged(path, 4)


def test_an_unacknowledged_torn_write_is_dropped_and_cut_before_the_next(path: Path) -> None:
    docs = filled(path, 2)
    unacknowledged = _frame(_dumps({"seq": 3, "ops": [{"t": "findings", "id": "3", "d": finding(9)}]}))
    for cut in (1, len(unacknowledged) // 2, len(unacknowledged) - 1):
        good = path.read_bytes()
        with open(path, "ab") as handle:  # the write in flight: its fsync never returned
            handle.write(unacknowledged[:cut])
        with RecordStore(path, writable=False) as reader:
            assert reader.all("findings") == docs
        with RecordStore(path) as store:
            assert store.all("findings") == docs
        assert path.read_bytes() == good + unacknowledged[:cut], "opening changes nothing"
    with RecordStore(path) as store:
        store.append("findings", finding(7))
    with RecordStore(path, writable=False) as reader:
        assert reader.all("findings") == [*docs, finding(7)]


def test_a_store_of_the_first_release_without_a_mark_keeps_the_old_torn_tail_rule(path: Path) -> None:
    docs = filled(path, 3)
    lock_path_for(path).write_bytes(f"{os.getpid()}\n".encode())  # what the first release wrote
    last = last_line(path)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - len(last) // 2)
    with RecordStore(path, writable=False) as reader:
        assert reader.all("findings") == docs[:2]


def test_a_deleted_and_recreated_store_is_not_judged_by_the_old_mark(path: Path) -> None:
    filled(path, 4)
    path.unlink()
    with RecordStore(path) as store:  # a new store at the same place (the inode may be reused)
        store.append("findings", finding(1))
    with RecordStore(path, writable=False) as reader:
        assert reader.all("findings") == [finding(1)]


def test_compaction_moves_the_mark_to_the_new_file(path: Path) -> None:
    with RecordStore(path) as store:
        for i in range(5):
            store.put("index", "A", {"v": i})
        store._storage.compact()  # type: ignore[attr-defined]
        store.put("index", "B", {"v": 0})
    mark = read_mark(path)
    assert mark is not None and mark.inode == path.stat().st_ino and mark.end == path.stat().st_size
    with RecordStore(path, writable=False) as reader:
        assert reader.items("index") == [("A", {"v": 4}), ("B", {"v": 0})]


def test_random_cuts_and_bit_flips_never_lose_acknowledged_data_silently(path: Path) -> None:
    """The property: after any truncation or bit flip, opening either raises StorageDamaged or
    shows every acknowledged document. Bounded: 150 damaged copies of one store."""
    rng = random.Random(20261201)
    docs = filled(path, 12)
    intact = path.read_bytes()
    lock = lock_path_for(path).read_bytes()
    silent_losses = []
    for trial in range(150):
        data = bytearray(intact)
        if trial % 2:
            del data[rng.randrange(len(intact) // 3, len(intact)) :]
        else:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        with open(path, "r+b") as handle:  # in place: the inode, and so the mark, still apply
            handle.truncate(0)
            handle.write(bytes(data))
        lock_path_for(path).write_bytes(lock)
        try:
            with RecordStore(path, writable=False) as reader:
                seen = reader.all("findings")
        except StorageDamaged:
            continue
        if seen != docs:
            silent_losses.append((trial, len(seen)))
    assert silent_losses == []
