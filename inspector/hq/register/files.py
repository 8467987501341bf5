"""HQ's content-addressed file store: every archived bundle, certificate record and evidence file
lives once, at ``<root>/ab/cd/<sha256>`` (two levels of 256 folders: a national register's
millions of files never pile up in one folder), and the register refers to it by hash.

Writing is two-phase so that a refused or failed import leaves nothing behind: files are first
written into a private staging folder (``<root>/.staging/<random>/``, outside any lock: this is
where the bytes are copied and hashed), then, inside the import's transaction, renamed into
place (cheap, atomic) once every check has passed. A file that is already in the store is never
written again: the same evidence photo in ten bundles is kept once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from inspector._io.atomic import fsync_dir, fsync_file, private_dir
from inspector.errors import UserError

CHUNK = 1024 * 1024
HEX64 = re.compile(r"[0-9a-f]{64}\Z")
HEX2 = re.compile(r"[0-9a-f]{2}\Z")
STAGING = ".staging"


def store_key(sha256: str) -> str:
    """The file's name relative to the store root: ``ab/cd/<sha256>``."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not HEX64.match(sha256):
            raise UserError(f"file store: {sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self.path(sha256), "rb")
        except FileNotFoundError:
            raise UserError(
                f"file store {self.root}: file {sha256[:16]}… is missing (run 'inspector hq fsck')",
                code="file-missing",
            ) from None

    def staging(self) -> Staging:
        return Staging(self)

    def walk(self) -> Iterator[tuple[str | None, Path]]:
        """Every file under the root but the staging area: ``(sha256, path)``, or ``(None,
        path)`` for anything that is not where a file of the store belongs."""
        if not self.root.is_dir():
            return
        for first in sorted(os.scandir(self.root), key=lambda e: e.name):
            if first.name == STAGING and first.is_dir(follow_symlinks=False):
                continue
            if not (HEX2.match(first.name) and first.is_dir(follow_symlinks=False)):
                yield None, Path(first.path)
                continue
            for second in sorted(os.scandir(first.path), key=lambda e: e.name):
                if not (HEX2.match(second.name) and second.is_dir(follow_symlinks=False)):
                    yield None, Path(second.path)
                    continue
                for entry in os.scandir(second.path):
                    name = entry.name
                    placed = (
                        HEX64.match(name)
                        and name[:2] == first.name
                        and name[2:4] == second.name
                        and entry.is_file(follow_symlinks=False)
                    )
                    yield (name if placed else None), Path(entry.path)

    def staged_leftovers(self) -> list[Path]:
        folder = self.root / STAGING
        return sorted(Path(e.path) for e in os.scandir(folder)) if folder.is_dir() else []


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Staging:
    """Files on their way into the store; :meth:`commit` puts them in place, closing discards
    whatever was not committed."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.folder = store.root / STAGING / uuid.uuid4().hex
        self.staged: dict[str, Path] = {}
        self.sizes: dict[str, int] = {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def add(self, chunks: Iterable[bytes], expected: str | None = None, what: str = "file") -> tuple[str, int]:
        """Stage the bytes of ``chunks`` (unless the store or this staging has them already:
        then only ``expected`` is trusted and nothing is read). Returns (sha256, size)."""
        if expected is not None:
            if expected in self.staged:
                return expected, self.sizes[expected]
            held = self.store.path(expected)
            if held.is_file():
                return expected, held.stat().st_size
        private_dir(self.folder)
        tmp = self.folder / uuid.uuid4().hex
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as out:
                os.fchmod(out.fileno(), 0o600)
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                fsync_file(out.fileno())
        except OSError as exc:
            raise UserError(f"file store {self.store.root}: cannot write ({exc.strerror})") from None
        sha = digest.hexdigest()
        if expected is not None and sha != expected:
            tmp.unlink(missing_ok=True)
            raise UserError(f"{what}: its content does not match its hash {expected[:16]}…")
        if sha in self.staged or self.store.has(sha):
            tmp.unlink(missing_ok=True)
        else:
            self.staged[sha] = tmp
        self.sizes[sha] = size
        return sha, size

    def add_file(self, path: Path, sha256: str, what: str) -> tuple[str, int]:
        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return self.add(chunks(), sha256, what)

    def commit(self, only: set[str] | None = None) -> None:
        """Rename the staged files (all, or those in ``only``) into place: atomic each, so a
        crash leaves a file fully there or not there. Called inside the import's transaction,
        after its checks; what is not committed is discarded when the staging closes."""
        touched: set[Path] = set()
        for sha, tmp in list(self.staged.items()):
            if only is not None and sha not in only:
                continue
            del self.staged[sha]
            target = self.store.path(sha)
            if not target.parent.is_dir():
                private_dir(target.parent)
                touched.add(target.parent.parent)
            if target.exists():  # a concurrent import of the same content got there first
                continue
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise UserError(f"file store {self.store.root}: cannot write {target} ({exc.strerror})") from None
            touched.add(target.parent)
        for folder in touched:
            fsync_dir(folder)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
