"""Opening a store from its checkpoint: only the journal's tail is read, nothing else changes.

A checkpoint (``inspector.store.checkpoint``) is used only while it still describes the journal;
the lines after it are replayed under every damage rule of a full replay; the lazy tables it
leaves on disk read exactly as a full replay reads them; and appends write the bytes they would
have written without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.store._tinydb import JournalStorage, JournalTinyDB
from inspector.store.checkpoint import checkpoint_path
from inspector.store.errors import StorageDamaged
from inspector.store.locking import lock_path_for
from inspector.store.record_store import RecordStore


def record(n: int) -> dict[str, Any]:
    return {"id": f"R{n:05d}", "note": "मालखाना रजिस्टर अद्यतन है", "n": n, "tags": ["a", {"b": n}]}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.json"


def write(path: Path, first: int, count: int, *, keep: bool = True, state: Any = None) -> None:
    """Append ``count`` records (one line each) and a seal-like entry, keeping a checkpoint."""
    with RecordStore(path) as store:
        if keep:
            store.keep_checkpoint(("records",), lambda: {"upto": first + count} if state is None else state)
        for n in range(first, first + count):
            store.append("records", record(n))
        store.append("small", {"at": first + count})


def test_a_writer_keeps_a_checkpoint_and_the_next_open_starts_from_it(path: Path) -> None:
    write(path, 0, 50)
    assert checkpoint_path(path).is_file()
    for writable in (False, True):
        with RecordStore(path, writable=writable) as store:
            assert store.checkpoint_state() == {"upto": 50}
            assert store._storage._tables.lazy, "the records stay on disk"
            assert store.count("records") == 50
            assert store.all("small") == [{"at": 50}]  # whole tables need no replay
            assert store._storage._tables.lazy
            assert store.all("records") == [record(n) for n in range(50)]  # read in full on demand
            assert not store._storage._tables.lazy


def test_appends_after_a_checkpoint_write_the_bytes_a_full_replay_would(tmp_path: Path) -> None:
    with_ck, without = tmp_path / "a.json", tmp_path / "b.json"
    write(with_ck, 0, 20)
    write(without, 0, 20, keep=False)
    assert with_ck.read_bytes() == without.read_bytes()
    write(with_ck, 20, 5)
    write(without, 20, 5, keep=False)
    assert with_ck.read_bytes() == without.read_bytes()
    with RecordStore(with_ck, writable=False) as a, RecordStore(without, writable=False) as b:
        assert a.checkpoint_state() == {"upto": 25} and b.checkpoint_state() is None
        assert a.all("records") == b.all("records") and a.count("records") == b.count("records") == 25


def test_direct_appends_give_the_ids_and_bytes_of_tinydb_insert_multiple(tmp_path: Path) -> None:
    ours, stock = tmp_path / "ours.json", tmp_path / "stock.json"
    docs = [record(n) for n in range(7)]
    with RecordStore(ours) as store:
        store.append_many("records", docs[:3])
        store.append("records", docs[3])
        store.append_many("records", docs[4:])
    db = JournalTinyDB(stock, storage=JournalStorage)
    table = db.table("records", cache_size=0)
    table.insert_multiple(docs[:3])
    table.insert_multiple([docs[3]])
    table.insert_multiple(docs[4:])
    db.close()
    assert ours.read_bytes() == stock.read_bytes()


def test_lines_written_after_the_checkpoint_are_replayed(path: Path) -> None:
    write(path, 0, 10)
    write(path, 10, 3, keep=False)  # a writer that keeps no checkpoint (an older release)
    with RecordStore(path, writable=False) as store:
        assert store.checkpoint_state() == {"upto": 10}
        assert store.count("records") == 13 and store.all("small") == [{"at": 10}, {"at": 13}]
        assert store.all("records") == [record(n) for n in range(13)]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: raw[:30] + bytes([raw[30] ^ 1]) + raw[31:],  # one bit flipped
        lambda raw: b"",
        lambda raw: b"{not a checkpoint}\n",
    ],
)
def test_a_damaged_checkpoint_is_ignored(path: Path, spoil: Any) -> None:
    write(path, 0, 10)
    checkpoint = checkpoint_path(path)
    checkpoint.write_bytes(spoil(checkpoint.read_bytes()))
    with RecordStore(path, writable=False) as store:
        assert store.checkpoint_state() is None
        assert store.all("records") == [record(n) for n in range(10)]


def test_a_checkpoint_of_another_journal_is_ignored(tmp_path: Path, path: Path) -> None:
    write(path, 0, 10)
    other = tmp_path / "other.json"
    write(other, 100, 10)
    checkpoint_path(path).write_bytes(checkpoint_path(other).read_bytes())
    with RecordStore(path, writable=False) as store:
        assert store.checkpoint_state() is None and store.count("records") == 10


def test_compaction_retires_the_checkpoint(path: Path) -> None:
    write(path, 0, 10)
    with RecordStore(path) as store:
        store.compact()
        assert not checkpoint_path(path).exists()
    with RecordStore(path, writable=False) as store:
        assert store.checkpoint_state() is None and store.count("records") == 10


def test_a_journal_cut_inside_acknowledged_data_is_still_damage(path: Path) -> None:
    write(path, 0, 10)
    data = path.read_bytes()
    last = data.split(b"\n")[-2]
    path.write_bytes(data[: len(data) - len(last) // 2])  # in place: same file, same mark
    for writable in (False, True):
        with pytest.raises(StorageDamaged):
            RecordStore(path, writable=writable)


def test_a_cut_after_the_checkpoint_is_judged_by_the_mark(path: Path) -> None:
    write(path, 0, 10)
    write(path, 10, 2, keep=False)
    data = path.read_bytes()
    last = data.split(b"\n")[-2]
    path.write_bytes(data[: len(data) - len(last) - 1])  # the last acknowledged line is gone
    with pytest.raises(StorageDamaged, match="were acknowledged"):
        RecordStore(path, writable=False)


def test_an_unacknowledged_torn_line_after_the_checkpoint_is_dropped_then_cut(path: Path) -> None:
    write(path, 0, 10)
    intact = path.read_bytes()
    with open(path, "ab") as handle:
        handle.write(b'0123456789abcdef {"seq":99,"ops":[{"t":"rec')  # a write in flight at a power cut
    with RecordStore(path, writable=False) as store:
        assert store.checkpoint_state() is not None and store.count("records") == 10
    with RecordStore(path) as store:
        store.append("records", record(10))
    assert path.read_bytes().startswith(intact)
    with RecordStore(path, writable=False) as store:
        assert store.all("records") == [record(n) for n in range(11)]


def test_damage_before_the_checkpoint_is_found_when_the_tables_are_read(path: Path) -> None:
    """An open from a checkpoint does not read the history; reading it (verify, export) does."""
    write(path, 0, 100)  # long enough that line 4 lies before the checked tail
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"R00002", b"R00009")  # its checksum no longer holds
    path.write_bytes(b"\n".join(lines))
    with RecordStore(path, writable=False) as store:
        assert store.count("records") == 100
        with pytest.raises(StorageDamaged, match="line 4"):
            store.all("records")


def test_readers_never_write_a_checkpoint(path: Path) -> None:
    write(path, 0, 5, keep=False)
    with RecordStore(path, writable=False) as store:
        store.all("records")
    assert not checkpoint_path(path).exists()


def test_a_writer_that_wrote_nothing_writes_no_checkpoint(path: Path) -> None:
    write(path, 0, 5, keep=False)
    with RecordStore(path) as store:
        store.keep_checkpoint(("records",), lambda: {"upto": "changed"})
    assert not checkpoint_path(path).exists(), "a refused command must leave the folder as it was"
    write(path, 5, 1)
    before = checkpoint_path(path).read_bytes()
    with RecordStore(path) as store:
        store.keep_checkpoint(("records",), lambda: {"upto": "changed"})
    assert checkpoint_path(path).read_bytes() == before
    assert lock_path_for(path).exists()


def test_a_failing_state_does_not_stop_the_store_from_closing(path: Path) -> None:
    with RecordStore(path) as store:
        store.keep_checkpoint(("records",), lambda: 1 / 0)
        store.append("records", record(0))
    assert not checkpoint_path(path).exists()
    with RecordStore(path) as store:  # the lock was released
        assert store.count("records") == 1
