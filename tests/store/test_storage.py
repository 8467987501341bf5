"""The store: round trips, locking, and what happens to damaged or torn files."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from inspector.errors import UserError
from inspector.store import (
    _tinydb as storage,  # the TinyDB glue holds the write path under test
)
from inspector.store import journal
from inspector.store._tinydb import JournalStorage
from inspector.store.errors import (
    StorageDamaged,
    StorageError,
    StoreLocked,
    StoreMissing,
    StoreUsageError,
    StoreWriteFailed,
    UnstorableValue,
)
from inspector.store.locking import lock_path_for
from inspector.store.record_store import RecordStore
from tests.helpers import REPO

HINDI = "थाना सेक्टर 20, नोएडा: अभिलेख कक्ष की सफ़ाई संतोषजनक नहीं"


def finding(n: int) -> dict[str, Any]:
    return {
        "id": f"F{n:04d}",
        "item": "5.1.2",
        "note": HINDI,
        "score": n % 4,
        "ok": n % 2 == 0,
        "evidence": [{"sha256": "ab" * 32, "name": f"photo-{n}.jpg"}],
        "removed": None,
    }


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes], tail: bytes = b"") -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines) + tail)


def filled(path: Path, n: int = 3) -> list[dict[str, Any]]:
    docs = [finding(i) for i in range(n)]
    with RecordStore(path) as store:
        for doc in docs:
            store.append("findings", doc)
    return docs


# --------------------------------------------------------------------------- round trips


def test_append_all_round_trip(path: Path) -> None:
    with RecordStore(path) as store:
        assert store.all("findings") == []
        store.append("findings", finding(1))
        store.append_many("findings", [finding(2), finding(3)])
        assert store.all("findings") == [finding(1), finding(2), finding(3)]
        assert store.count("findings") == 3


def test_reopen_keeps_content_and_order(path: Path) -> None:
    docs = filled(path, 12)
    with RecordStore(path) as store:
        assert store.all("findings") == docs
        store.append("findings", finding(99))
    with RecordStore(path, writable=False) as store:
        assert store.all("findings") == docs + [finding(99)]


def test_hindi_is_stored_as_utf8_text(path: Path) -> None:
    filled(path, 1)
    raw = path.read_bytes()
    assert HINDI.encode("utf-8") in raw  # readable, not \\u escapes
    with RecordStore(path, writable=False) as store:
        assert store.all("findings")[0]["note"] == HINDI


def test_returned_documents_are_plain_independent_copies(path: Path) -> None:
    doc = finding(1)
    with RecordStore(path) as store:
        store.append("findings", doc)
        doc["evidence"].append("changed after append")  # the caller's dict is not kept
        first = store.all("findings")[0]
        assert type(first) is dict and type(first["evidence"]) is list
        assert type(first["evidence"][0]) is dict
        assert not hasattr(first, "doc_id")
        first["evidence"].clear()
        first["note"] = "tampered"
        assert store.all("findings") == [finding(1)]
        store.put("index", "A1", {"tags": ["x"]})
        got = store.get("index", "A1")
        assert got is not None
        got["tags"].append("y")
        assert store.get("index", "A1") == {"tags": ["x"]}


def test_each_write_is_fsynced_before_it_returns(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = storage._fsync_file

    def spy(fd: int) -> None:
        real_fsync(fd)
        synced.append(path.stat().st_size)

    with RecordStore(path) as store:
        monkeypatch.setattr(storage, "_fsync_file", spy)
        store.append("findings", finding(1))
        assert synced == [path.stat().st_size]  # the sync covered everything written
        store.append_many("findings", [finding(2), finding(3)])
        assert len(synced) == 2
        store.put("index", "k", {"v": 1})
        store.put("index", "k", {"v": 1})  # unchanged: nothing to write, nothing to sync
        store.delete("index", "absent")
        assert len(synced) == 3


def test_append_many_is_one_line_and_one_write(path: Path) -> None:
    with RecordStore(path) as store:
        store.append("findings", finding(0))
        before = len(lines_of(path))
        store.append_many("findings", [finding(i) for i in range(1, 50)])
        assert len(lines_of(path)) == before + 1
        store.append_many("findings", [])
        assert len(lines_of(path)) == before + 1


def test_put_get_delete(path: Path) -> None:
    with RecordStore(path) as store:
        assert store.get("audits", "A1") is None
        store.put("audits", "A1", {"key": "a field called key is fine", "status": "open"})
        store.put("audits", "A2", {"status": "open"})
        store.put("audits", "A1", {"status": "closed"})
        assert store.get("audits", "A1") == {"status": "closed"}
        assert store.keys("audits") == ["A1", "A2"]
        store.delete("audits", "A2")
        store.delete("audits", "missing")  # no-op
        assert store.items("audits") == [("A1", {"status": "closed"})]
        assert store.all("audits") == [{"status": "closed"}]
        assert store.count("audits") == 1
    with RecordStore(path, writable=False) as store:
        assert store.items("audits") == [("A1", {"status": "closed"})]


def test_put_of_an_unchanged_document_writes_nothing(path: Path) -> None:
    with RecordStore(path) as store:
        store.put("audits", "A1", {"status": "open"})
        size = path.stat().st_size
        store.put("audits", "A1", {"status": "open"})
        store.delete("audits", "nothing-here")
        assert path.stat().st_size == size


def test_put_replaces_the_whole_document(path: Path) -> None:
    with RecordStore(path) as store:
        store.put("audits", "A1", {"status": "open", "note": "x"})
        store.put("audits", "A1", {"status": "closed"})
        assert store.get("audits", "A1") == {"status": "closed"}


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"score": 1.5}, "findings.score"),
        ({"a": [1, {"b": float("nan")}]}, "findings.a[1].b"),
        ({"a": (1, 2)}, "findings.a"),
        ({"a": b"bytes"}, "findings.a"),
        ({1: "int key"}, "findings"),
    ],
)
def test_unstorable_values_are_refused_and_change_nothing(path: Path, doc: dict[Any, Any], where: str) -> None:
    filled(path, 1)
    before = path.read_bytes()
    with RecordStore(path) as store:
        with pytest.raises(UnstorableValue, match="^" + re.escape(where)):
            store.append("findings", doc)
        with pytest.raises(UnstorableValue):
            store.append_many("findings", [finding(5), doc])  # all or nothing
        assert store.all("findings") == [finding(0)]
    assert path.read_bytes() == before


def test_lone_surrogate_is_refused(path: Path) -> None:
    with RecordStore(path) as store:
        with pytest.raises(UnstorableValue, match="Unicode"):
            store.append("findings", {"note": "bad \ud800"})
        store.append("findings", finding(1))
        assert store.all("findings") == [finding(1)]


def test_non_dict_record_is_refused(path: Path) -> None:
    with RecordStore(path) as store, pytest.raises(UnstorableValue, match="a record is a dict"):
        store.append("findings", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_table_kinds_do_not_mix(path: Path) -> None:
    with RecordStore(path) as store:
        store.append("findings", finding(1))
        store.put("index", "k", {"v": 1})
        with pytest.raises(StoreUsageError, match="log table"):
            store.put("findings", "k", {"v": 1})
        with pytest.raises(StoreUsageError, match="keyed table"):
            store.append("index", {"v": 2})
        with pytest.raises(StoreUsageError, match="bad table name"):
            store.append("map:index", {"v": 2})


def test_read_only_and_closed_stores_refuse_writes(path: Path) -> None:
    filled(path, 1)
    with RecordStore(path, writable=False) as store:
        with pytest.raises(StoreUsageError, match="read-only"):
            store.append("findings", finding(2))
        with pytest.raises(StoreUsageError, match="read-only"):
            store.put("index", "k", {})
    store = RecordStore(path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreUsageError, match="closed"):
        store.all("findings")


def test_writable_open_creates_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "new.db"
    with RecordStore(path) as store:
        assert store.all("anything") == []
    assert path.exists()
    leftovers = [p.name for p in path.parent.iterdir() if p.name not in {"new.db", "new.db.lock"}]
    assert leftovers == []


def test_temp_files_left_by_a_crash_are_removed_by_the_next_writer(path: Path) -> None:
    filled(path, 1)
    stale = path.parent / ".audit.db.k3x_9a0q.tmp"
    other = path.parent / ".audit.db.bak.k3x_9a0q.tmp"  # another store's: not ours to touch
    stale.write_bytes(b"half a snapshot")
    other.write_bytes(b"not ours")
    with RecordStore(path, writable=False) as store:  # readers leave everything alone
        assert len(store.all("findings")) == 1
    assert stale.exists()
    with RecordStore(path) as store:
        assert len(store.all("findings")) == 1
    assert not stale.exists() and other.exists()


def test_threads_share_one_writer(path: Path) -> None:
    with RecordStore(path) as store:

        def work(thread: int) -> None:
            for i in range(40):
                store.append("findings", {"thread": thread, "i": i})
                store.all("findings") if i % 10 == 0 else None

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with RecordStore(path, writable=False) as store:
        records = store.all("findings")
    assert len(records) == 160
    for t in range(4):
        assert [r["i"] for r in records if r["thread"] == t] == list(range(40))


def test_a_store_dropped_without_close_releases_its_lock(path: Path) -> None:
    RecordStore(path).append("findings", finding(1))  # never closed
    gc.collect()
    with RecordStore(path) as store:
        assert store.all("findings") == [finding(1)]


def test_read_only_open_of_a_missing_store_creates_nothing(path: Path) -> None:
    with pytest.raises(StoreMissing, match=str(path)):
        RecordStore(path, writable=False)
    assert not path.exists() and not lock_path_for(path).exists()


@pytest.mark.parametrize("writable", [True, False])
def test_a_directory_in_the_way_is_a_clear_error(tmp_path: Path, writable: bool) -> None:
    with pytest.raises(StorageError, match=rf"cannot open store {re.escape(str(tmp_path))}: "):
        RecordStore(tmp_path, writable=writable)


# --------------------------------------------------------------------------- locking


def test_second_writer_in_the_same_process_is_refused(path: Path) -> None:
    with RecordStore(path), pytest.raises(StoreLocked) as caught:
        RecordStore(path)
    message = str(caught.value)
    assert str(path) in message and f"pid {os.getpid()}" in message
    assert isinstance(caught.value, UserError) and "\n" not in message


def test_lock_is_released_on_close(path: Path) -> None:
    RecordStore(path).close()
    with RecordStore(path) as store:
        store.append("findings", finding(1))


def test_second_writer_in_another_process_is_refused(path: Path) -> None:
    holder = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from inspector.store.record_store import RecordStore
        store = RecordStore(Path(sys.argv[1]))
        print("locked", flush=True)
        sys.stdin.readline()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", holder, str(path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "locked\n"
        with pytest.raises(StoreLocked, match=rf"locked by pid {child.pid}\b"):
            RecordStore(path)
        with RecordStore(path, writable=False) as reader:  # readers need no lock
            assert reader.all("findings") == []
    finally:
        child.communicate("\n", timeout=10)
    with RecordStore(path):  # the lock went away with the process
        pass


def test_reader_sees_a_snapshot_while_a_writer_holds_the_lock(path: Path) -> None:
    with RecordStore(path) as writer:
        writer.append("findings", finding(1))
        with RecordStore(path, writable=False) as reader:
            writer.append("findings", finding(2))
            assert reader.all("findings") == [finding(1)]
        with RecordStore(path, writable=False) as reader:
            assert reader.all("findings") == [finding(1), finding(2)]


# --------------------------------------------------------------------------- damage


def assert_damaged(path: Path, line: int, *, writable: bool) -> StorageDamaged:
    before = path.read_bytes()
    with pytest.raises(StorageDamaged) as caught:
        RecordStore(path, writable=writable)
    assert path.read_bytes() == before, "a damaged file must never be modified"
    error = caught.value
    assert error.line == line and error.path == path
    message = str(error)
    assert str(path) in message and f"line {line}" in message and "\n" not in message
    assert isinstance(error, UserError)
    return error


@pytest.mark.parametrize("writable", [True, False])
def test_damaged_middle_line_is_reported_with_path_and_line(path: Path, writable: bool) -> None:
    filled(path, 4)
    lines = lines_of(path)
    lines[2] = lines[2].replace(b"F0001", b"F0009")  # a flipped byte inside record 2
    write_lines(path, lines)
    error = assert_damaged(path, 3, writable=writable)
    assert "checksum" in str(error)


@pytest.mark.parametrize("writable", [True, False])
def test_a_missing_middle_line_is_damage(path: Path, writable: bool) -> None:
    filled(path, 4)
    lines = lines_of(path)
    del lines[2]
    write_lines(path, lines)
    assert_damaged(path, 3, writable=writable)


def test_bad_last_line_followed_by_a_torn_tail_is_damage(path: Path) -> None:
    filled(path, 3)
    lines = lines_of(path)
    lines[-1] = lines[-1][:-5] + b"xxxxx"
    write_lines(path, lines, tail=b"0123")
    assert_damaged(path, len(lines), writable=True)


def test_damaged_header(path: Path) -> None:
    filled(path, 1)
    lines = lines_of(path)
    lines[0] = lines[0].replace(b"inspector", b"inspectoR")
    write_lines(path, lines)
    assert_damaged(path, 1, writable=True)


def test_header_only_torn_is_damage(path: Path) -> None:
    filled(path, 1)
    path.write_bytes(lines_of(path)[0][:20])
    assert_damaged(path, 1, writable=True)


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02 garbage \xff\xfe\n", "यह डेटाबेस नहीं है\n".encode(), b"not even a newline"],
)
def test_garbage_file_is_damage(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    assert_damaged(path, 1, writable=True)
    assert_damaged(path, 1, writable=False)


def test_stock_tinydb_file_is_named_as_such(path: Path) -> None:
    path.write_text(json.dumps({"_default": {"1": {"a": 1}}}))
    error = assert_damaged(path, 1, writable=True)
    assert "plain JSON" in str(error)


def test_empty_file_is_damage_not_a_new_store(path: Path) -> None:
    path.write_bytes(b"")
    error = assert_damaged(path, 1, writable=True)
    assert "empty" in str(error)


def test_newer_format_is_refused_with_a_hint(path: Path) -> None:
    payload = json.dumps({"format": "inspector-journal", "version": 2}).encode()
    path.write_bytes(journal._frame(payload))
    with pytest.raises(StorageError, match="newer inspector"):
        RecordStore(path)


def test_valid_checksum_but_invalid_record_is_damage(path: Path) -> None:
    filled(path, 1)
    bogus = journal._frame(b'{"seq":2,"ops":[{"t":"findings","id":"7","del":true}]}')
    path.write_bytes(path.read_bytes() + bogus)
    error = assert_damaged(path, 3, writable=True)
    assert "does not exist" in str(error)


# --------------------------------------------------------------------------- torn writes


# Cuts and bad last lines of acknowledged data: tests/store/test_store_damage.py


def test_zero_filled_tail_after_power_loss(path: Path) -> None:
    docs = filled(path, 2)
    path.write_bytes(path.read_bytes() + b"\x00" * 4096)
    with RecordStore(path) as store:
        assert store.all("findings") == docs
        store.append("findings", finding(9))
    with RecordStore(path, writable=False) as store:
        assert store.all("findings") == docs + [finding(9)]


# --------------------------------------------------------------------------- reading changes nothing


def test_reading_does_not_modify_the_file(path: Path) -> None:
    filled(path, 3)
    with RecordStore(path) as store:
        store.put("index", "A1", {"v": 1})
    path.write_bytes(path.read_bytes() + b"torn tail")
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    for writable in (False, True):
        with RecordStore(path, writable=writable) as store:
            store.all("findings")
            store.get("index", "A1")
            store.keys("index")
            store.count("findings")
            store.all("no-such-table")
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


# --------------------------------------------------------------------------- write failures


def test_failed_write_is_rolled_back_and_the_store_stays_usable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = filled(path, 2)
    real_write_all = storage._write_all

    def disk_full(fd: int, data: bytes) -> None:
        os.write(fd, data[:10])  # a partial line reaches the file, then the disk is full
        raise OSError(28, "No space left on device")

    with RecordStore(path) as store:
        good = path.read_bytes()
        monkeypatch.setattr(storage, "_write_all", disk_full)
        with pytest.raises(StoreWriteFailed, match="No space left"):
            store.append("findings", finding(5))
        assert path.read_bytes() == good
        assert store.all("findings") == docs
        monkeypatch.setattr(storage, "_write_all", real_write_all)
        store.append("findings", finding(6))
    with RecordStore(path, writable=False) as store:
        assert store.all("findings") == docs + [finding(6)]


def test_failed_fsync_stops_further_writes(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled(path, 1)
    with RecordStore(path) as store:

        def eio(fd: int) -> None:
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(storage, "_fsync_file", eio)
        with pytest.raises(StoreWriteFailed, match="Input/output error"):
            store.append("findings", finding(5))
        monkeypatch.undo()
        with pytest.raises(StoreWriteFailed, match="reopen"):
            store.append("findings", finding(6))


# --------------------------------------------------------------------------- compaction


def test_compact_keeps_content_and_shrinks_the_file(path: Path) -> None:
    with RecordStore(path) as store:
        store.append_many("findings", [finding(i) for i in range(5)])
        for i in range(50):
            store.put("index", "A1", {"version": i})
        store.put("index", "B", {"version": 0})
        store.delete("index", "B")
        before = path.stat().st_size
        store.compact()
        assert path.stat().st_size < before / 3
        store.append("findings", finding(5))
        store.put("index", "C", {"version": 1})
    with RecordStore(path, writable=False) as store:
        assert store.all("findings") == [finding(i) for i in range(6)]
        assert store.items("index") == [("A1", {"version": 49}), ("C", {"version": 1})]
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit.db", "audit.db.lock"]


def test_a_writer_compacts_a_mostly_historic_file_on_close(path: Path) -> None:
    with RecordStore(path) as store:
        for i in range(journal.COMPACT_MIN_GARBAGE + 5):
            store.put("index", "A1", {"version": i})
        store.put("index", "B", {"version": 0})
        assert len(lines_of(path)) > journal.COMPACT_MIN_GARBAGE
    assert len(lines_of(path)) == 2  # header + one snapshot line
    with RecordStore(path, writable=False) as store:
        assert store.items("index") == [
            ("A1", {"version": journal.COMPACT_MIN_GARBAGE + 4}),
            ("B", {"version": 0}),
        ]


def test_no_compaction_without_enough_garbage_or_without_writes(path: Path) -> None:
    with RecordStore(path) as store:
        store.append_many("findings", [finding(i) for i in range(3)])
        for i in range(20):
            store.put("index", "A1", {"version": i})
    assert len(lines_of(path)) == 22
    with RecordStore(path) as store:
        store._storage._tables.garbage = 10**6  # as if wasteful, but this session writes nothing
    assert len(lines_of(path)) == 22


def test_compact_of_an_empty_store(path: Path) -> None:
    with RecordStore(path) as store:
        store.compact()
        store.append("findings", finding(1))
    with RecordStore(path, writable=False) as store:
        assert store.all("findings") == [finding(1)]


# --------------------------------------------------------------------------- TinyDB directly


def test_journal_storage_under_stock_tinydb(path: Path) -> None:
    """The storage is a proper TinyDB Storage, even without JournalTable."""
    with TinyDB(path, storage=JournalStorage) as db:
        table = db.table("t")
        table.insert_multiple([{"n": i} for i in range(5)])
        table.remove(doc_ids=[2])
        db.table("gone").insert({"x": 1})
        db.drop_table("gone")
        db.table("empty").truncate()
        with pytest.raises(TypeError, match="read-only"):
            table.update({"n": 100}, doc_ids=[1])  # refused loudly, never lost silently
    with TinyDB(path, storage=JournalStorage, writable=False) as db:
        assert [doc["n"] for doc in db.table("t").all()] == [0, 2, 3, 4]
        assert db.tables() == {"t", "empty"}


def test_journal_table_supports_update_and_remove_by_query(path: Path) -> None:
    from tinydb import where

    def even(value: Any) -> bool:
        return bool(value % 2 == 0)

    with storage.JournalTinyDB(path, storage=JournalStorage) as db:
        table = db.table("t")
        table.insert_multiple([{"n": i, "tags": []} for i in range(6)])
        table.update(lambda doc: doc["tags"].append("even"), where("n").test(even))
        table.remove(where("n") > 3)
        table.upsert({"n": 1, "tags": ["one"]}, where("n") == 1)
    with TinyDB(path, storage=JournalStorage, writable=False) as db:
        assert db.table("t").all() == [
            {"n": 0, "tags": ["even"]},
            {"n": 1, "tags": ["one"]},
            {"n": 2, "tags": ["even"]},
            {"n": 3, "tags": []},
        ]


# --------------------------------------------------------------------------- model-based


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
documents = st.dictionaries(st.text(max_size=6), json_value, max_size=4)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("append"), documents),
        st.tuples(st.just("append_many"), st.lists(documents, max_size=3)),
        st.tuples(st.just("put"), st.sampled_from(["a", "b", "क"]), documents),
        st.tuples(st.just("delete"), st.sampled_from(["a", "b", "क"])),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_store_matches_a_model_across_reopen(tmp_path: Path, ops: list[tuple[Any, ...]]) -> None:
    path = tmp_path / f"model-{os.urandom(6).hex()}.db"
    log: list[dict[str, Any]] = []
    index: dict[str, dict[str, Any]] = {}
    with RecordStore(path) as store:
        for op in ops:
            if op[0] == "append":
                store.append("log", op[1])
                log.append(op[1])
            elif op[0] == "append_many":
                store.append_many("log", op[1])
                log.extend(op[1])
            elif op[0] == "put":
                store.put("index", op[1], op[2])
                index[op[1]] = op[2]
            else:
                store.delete("index", op[1])
                index.pop(op[1], None)
        assert store.all("log") == log
    with RecordStore(path, writable=False) as store:
        assert store.all("log") == log
        assert dict(store.items("index")) == index
