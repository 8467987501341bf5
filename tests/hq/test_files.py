"""HQ's content-addressed file store: files land at ab/cd/<sha256> only when committed, a wrong
hash is refused, the same content is kept once, and anything else in the tree is named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inspector.errors import UserError
from inspector.hq.register.files import FileStore, store_key


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_staged_files_appear_only_when_committed(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with store.staging() as staging:
        a, size = staging.add([b"bundle ", b"bytes"])
        b, _ = staging.add([b"evidence"], _sha(b"evidence"))
        assert (a, size) == (_sha(b"bundle bytes"), 12)
        assert not store.has(a) and not store.has(b)
        staging.commit(only={a})
        assert store.has(a) and not store.has(b)
        assert store.path(a) == store.root / store_key(a) and store_key(a).startswith(f"{a[:2]}/{a[2:4]}/")
    assert not store.has(b), "what was not committed is discarded"
    assert store.staged_leftovers() == []
    assert [sha for sha, _ in store.walk()] == [a]


def test_a_wrong_hash_is_refused_and_the_same_content_kept_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with store.staging() as staging:
        with pytest.raises(UserError, match="does not match its hash"):
            staging.add([b"swapped"], _sha(b"original"), "evidence x")
        sha, _ = staging.add([b"photo"])
        staging.commit()
    with store.staging() as again:
        assert again.add([b"never read"], sha) == (sha, 5)  # held already: not written twice
        assert again.staged == {}
    assert [path.name for _, path in store.walk()] == [sha]


def test_walk_names_what_does_not_belong(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    sha = _sha(b"x")
    (store.root / sha[:2] / "zz").mkdir(parents=True)
    (store.root / "notes.txt").write_text("hello")
    misplaced = store.root / "00" / "00"
    misplaced.mkdir(parents=True)
    (misplaced / sha).write_bytes(b"x")
    strays = sorted(path.name for found, path in store.walk() if found is None)
    assert strays == sorted(["notes.txt", "zz", sha])
