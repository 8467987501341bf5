"""``RecordStore.iter_raw`` reads a table as ``all`` does, without copies and, for a log table a
checkpoint left on disk, without the journal in memory as a whole: the same documents in the
same order (revisions, overwrites, deletions and drops in the journal included), however the
journal falls into pieces, and the same refusal, word for word, of every kind of damage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import inspector.store.journal as journal
import inspector.store.record_store as record_store
from inspector.store.checkpoint import checkpoint_path
from inspector.store.errors import StorageDamaged
from inspector.store.journal import _HEADER, _dumps, _frame
from inspector.store.record_store import RecordStore

# Written by hand first: what RecordStore never writes to a log table, but the format allows
# (and a replay applies): an overwrite, a deletion, a table dropped and created again.
_CRAFTED: list[list[dict[str, Any]]] = [
    [{"t": "records"}, *({"t": "records", "id": str(n), "d": {"n": n, "v": f"first {n}"}} for n in (1, 2, 3))],
    [{"t": "records", "id": "2", "d": {"n": 2, "v": "overwritten"}}, {"t": "records", "id": "1", "del": True}],
    [{"t": "scratch"}, {"t": "scratch", "id": "1", "d": {"x": 1}}],
    [{"t": "scratch", "drop": True}],
    [{"t": "scratch"}, {"t": "scratch", "id": "1", "d": {"x": 2}}],
]


def _doc(n: int) -> dict[str, Any]:
    return {"n": n, "text": f"रिकॉर्ड {n} " + "x" * 120, "list": [n, {"nested": [True, None]}]}


def _build(path: Path) -> None:
    """A journal with history, a checkpoint leaving ``records`` on disk, and writes after it."""
    path.write_bytes(
        _frame(_dumps(_HEADER)) + b"".join(_frame(_dumps({"seq": n, "ops": ops})) for n, ops in enumerate(_CRAFTED, 1))
    )
    with RecordStore(path) as store:
        store.put("names", "a", {"v": "alpha"})
        store.put("names", "b", {"v": "beta"})
        store.put("names", "a", {"v": "gamma"})
        store.delete("names", "b")
        store.put("names", "k", {"v": "kept"})
        for n in range(4, 64):  # well over the 4 KB the checkpoint checks of the journal's end
            store.append("records", _doc(n))
        store.append_many("records", [_doc(n) for n in range(64, 70)])
        store.keep_checkpoint(("records",), lambda: {"state": 1})
    with RecordStore(path) as store:  # after the checkpoint: replayed at open, not left on disk
        store.append_many("records", [_doc(n) for n in range(70, 73)])
        store.put("names", "c", {"v": "delta"})
    assert checkpoint_path(path).is_file()


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    _build(path)
    return path


def _all(path: Path, table: str) -> list[dict[str, Any]]:
    with RecordStore(path, writable=False) as store:
        return store.all(table)


@pytest.mark.parametrize("piece", [1, 7, 100, 1 << 20])
@pytest.mark.parametrize("writable", [False, True])
def test_iter_raw_gives_what_all_gives_from_a_checkpoint_in_any_pieces(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int, writable: bool
) -> None:
    expected = _all(journal_path, "records")
    assert [d["n"] for d in expected] == [2, 3, *range(4, 73)]
    assert expected[0]["v"] == "overwritten"
    monkeypatch.setattr(journal, "_READ_PIECE", piece)
    with RecordStore(journal_path, writable=writable) as store:
        assert store._storage._tables.lazy, "records left on disk by the checkpoint"
        assert list(store.iter_raw("records")) == expected
        assert store._storage._tables.lazy, "and still there: iter_raw materialized nothing"
        assert list(store.iter_raw("scratch")) == _all(journal_path, "scratch") == [{"x": 2}]
        assert (
            list(store.iter_raw("names"))
            == _all(journal_path, "names")
            == [{"v": "gamma"}, {"v": "kept"}, {"v": "delta"}]
        )
        assert list(store.iter_raw("absent")) == []
        assert store.all("records") == expected  # all still reads (and keeps) the table
        assert list(store.iter_raw("records")) == expected


def test_iter_raw_without_a_checkpoint_hands_out_the_stored_documents(journal_path: Path) -> None:
    expected = _all(journal_path, "records")
    checkpoint_path(journal_path).unlink()
    with RecordStore(journal_path, writable=False) as store:
        assert not store._storage._tables.lazy
        assert list(store.iter_raw("records")) == expected


def _edit_line(path: Path, number: int, edit: Any) -> None:
    """Replace line ``number`` (1 = header) by ``edit(line)``, keeping the file's length (so that
    the checkpoint, which checks the journal's last 4 KB before its end, still holds)."""
    lines = path.read_bytes().split(b"\n")
    new = edit(lines[number - 1])
    assert len(new) == len(lines[number - 1])
    lines[number - 1] = new
    path.write_bytes(b"\n".join(lines))


def _flip(line: bytes) -> bytes:
    return line[:-2] + bytes([line[-2] ^ 1]) + line[-1:]


def _reframed(old: bytes, new: bytes) -> Any:
    def edit(line: bytes) -> bytes:
        payload = line[17:]
        assert old in payload
        return _frame(payload.replace(old, new, 1))[:-1]

    return edit


@pytest.mark.parametrize(
    ("number", "edit", "words"),
    [
        (3, _flip, "checksum mismatch, and more lines follow it"),
        (3, _reframed(b'"id":"1","del"', b'"id":"9","del"'), "removes document 9"),
        (4, _reframed(b'"seq":3', b'"seq":4'), "record number 4 where 3 was expected"),
        (11, _reframed(b'"kept"', b'"kepu"'), "does not match its checkpoint"),  # a table kept in it
        (20, _flip, "checksum mismatch, and more lines follow it"),
    ],
)
@pytest.mark.parametrize("piece", [7, 1 << 20])
def test_damage_behind_the_checkpoint_is_refused_as_all_refuses_it(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, edit: Any, words: str, piece: int
) -> None:
    _edit_line(journal_path, number, edit)
    monkeypatch.setattr(journal, "_READ_PIECE", piece)
    with RecordStore(journal_path, writable=False) as store:
        assert store._storage._tables.lazy, "the open itself does not see it (the checkpoint holds)"
        with pytest.raises(StorageDamaged) as old:
            store.all("records")
    with RecordStore(journal_path, writable=False) as store:
        with pytest.raises(StorageDamaged) as new:
            list(store.iter_raw("records"))
    assert str(new.value) == str(old.value)
    assert words in str(new.value)


def test_a_first_line_longer_than_the_first_read_is_read_whole(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _all(journal_path, "records")
    monkeypatch.setattr(journal, "_HEAD_READ", 8)  # the header line is longer
    calls: list[int] = []
    real = journal._replay
    monkeypatch.setattr(journal, "_replay", lambda data, *a: calls.append(len(data)) or real(data, *a))
    with RecordStore(journal_path, writable=False) as store:
        assert list(store.iter_raw("records")) == expected
    assert calls == [journal_path.stat().st_size]


def test_the_stream_is_the_path_taken(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = record_store._replay_table
    monkeypatch.setattr(record_store, "_replay_table", lambda *a: calls.append(a[-1]) or real(*a))
    with RecordStore(journal_path, writable=False) as store:
        docs = list(store.iter_raw("records"))
    assert calls == ["records"]
    assert all(type(doc) is dict for doc in docs), "parsed, neither frozen nor copied"
