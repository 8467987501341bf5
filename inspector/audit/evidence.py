"""Evidence files: copied into the audit under their SHA-256 name, described in the signed record.

A copy is streamed (never read whole: photos and scans can be large), hashed on the way, fsynced
and renamed into place, so a crash leaves either no file or a complete one. Because the name is
the hash, attaching the same file twice stores it once and a swapped file is caught by re-hashing.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from inspector._io.atomic import fsync_dir
from inspector._io.files import open_user_file
from inspector.audit.records import EvidenceRef
from inspector.errors import UserError

CHUNK = 1024 * 1024
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024  # a long video clip; anything bigger belongs elsewhere
DEFAULT_MEDIA_TYPE = "application/octet-stream"


def media_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or DEFAULT_MEDIA_TYPE


def display_name(path: Path) -> str:
    """The original file name as the record keeps it: NFC, control characters dropped, bounded."""
    name = unicodedata.normalize("NFC", path.name)
    name = "".join(c for c in name if unicodedata.category(c) != "Cc")[:255]
    return name or "evidence"


@dataclass
class _Source:
    path: Path
    handle: BinaryIO
    size: int


def _open_source(path: str | os.PathLike[str]) -> _Source:

    p = Path(path)
    handle, size = open_user_file(p, "evidence file")
    if size > MAX_EVIDENCE_BYTES:
        handle.close()
        raise UserError(f"evidence file {p}: too large ({size} bytes; at most {MAX_EVIDENCE_BYTES})")
    return _Source(p, handle, size)


def _copy(source: _Source, folder: Path) -> tuple[EvidenceRef, Path | None]:
    """Stream ``source`` into ``folder``; return its reference and the path if newly created."""
    fd, tmp_name = tempfile.mkstemp(prefix=".evidence.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.handle.read(CHUNK):
                size += len(chunk)
                if size > MAX_EVIDENCE_BYTES:
                    raise UserError(
                        f"evidence file {source.path}: grew beyond {MAX_EVIDENCE_BYTES} bytes while copying"
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        name = digest.hexdigest()
        target = folder / name
        created: Path | None = None
        if target.exists():
            tmp.unlink()  # same content already stored
        else:
            os.replace(tmp, target)
            created = target
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"evidence file {source.path}: cannot copy ({exc.strerror})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    ref = EvidenceRef(
        sha256=name,
        size=size,
        media_type=media_type(source.path.name),
        name=display_name(source.path),
    )
    return ref, created


def store_evidence(paths: list[str | os.PathLike[str]], folder: Path) -> tuple[list[EvidenceRef], list[Path]]:
    """Copy every file in ``paths`` into ``folder``; all or nothing.

    Returns the references and the files this call created (the caller removes those if the
    record that refers to them cannot be written). Every file is opened before any is copied,
    so a missing or unreadable one is reported before anything is written; if a copy fails
    midway, the files this call created are removed.
    """
    if not paths:
        return [], []
    sources: list[_Source] = []
    try:
        for path in paths:
            sources.append(_open_source(path))
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise UserError(f"evidence folder {folder}: cannot create ({exc.strerror})") from None
        refs: list[EvidenceRef] = []
        created: list[Path] = []
        try:
            for source in sources:
                ref, new = _copy(source, folder)
                refs.append(ref)
                if new is not None:
                    created.append(new)
        except BaseException:
            for path in created:
                path.unlink(missing_ok=True)
            raise
        try:
            fsync_dir(folder)
        except OSError as exc:
            remove_created(created)
            raise UserError(f"evidence folder {folder}: cannot write ({exc.strerror})") from None
        return refs, created
    finally:
        for source in sources:
            source.handle.close()


def remove_created(created: list[Path]) -> None:
    """Undo ``store_evidence`` for files no record will refer to (the record write failed)."""
    for path in created:
        path.unlink(missing_ok=True)


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex and size of the file at ``path``, streamed."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return digest.hexdigest(), size


def check_stored(ref: EvidenceRef, folder: Path) -> str | None:
    """None when ``folder`` holds the file ``ref`` describes, else what is wrong."""
    path = folder / ref.sha256
    try:
        actual, size = hash_file(path)
    except FileNotFoundError:
        return "the file is missing"
    except OSError as exc:
        return f"cannot read the file ({exc.strerror})"
    if actual != ref.sha256:
        return f"the file's content does not match its hash (found {actual[:16]}…: swapped or altered)"
    if size != ref.size:
        return f"the file has {size} bytes, the record says {ref.size}"
    return None
