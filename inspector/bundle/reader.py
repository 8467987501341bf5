"""Reading a bundle defensively: names must match the layout exactly (so no path can leave the
bundle), duplicate names, links and encrypted members are refused, and sizes are bounded both as
the zip declares them and as the bytes actually arrive."""

from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inspector.audit.evidence import CHUNK, MAX_EVIDENCE_BYTES
from inspector.audit.records import EvidenceRef
from inspector.bundle.layout import (
    BUNDLE_FORMAT,
    CERT_LIMIT,
    CERT_PREFIX,
    EVIDENCE_PREFIX,
    MANIFEST,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    RECORDS,
    SMALL_LIMITS,
    TRUSTLIST,
    _allowed,
)
from inspector.crypto.canonical import loads_strict
from inspector.errors import UserError
from inspector.trust.documents import load_trustlist

# ---------------------------------------------------------------------------------------------
# reading


class MemberUnreadable(UserError):
    """A member of the bundle cannot be read as it declares (damaged, truncated, oversized)."""

    default_code = "bundle-member-unreadable"


def evidence_mismatch(ref: EvidenceRef, actual: str, size: int) -> str | None:
    """What is wrong with an evidence member whose bytes hash to ``actual`` (``size`` bytes),
    against the record's reference; None when it matches."""
    if actual != ref.sha256:
        return f"the file's content does not match its hash (found {actual[:16]}…: swapped or altered)"
    if size != ref.size:
        return f"the file has {size} bytes, the record says {ref.size}"
    return None


class BundleReader:
    """A bundle opened for reading, after every member passed the safety checks."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path, "r")
        except FileNotFoundError:
            raise UserError(f"bundle {self.path}: no such file") from None
        except IsADirectoryError:
            raise UserError(f"bundle {self.path}: is a directory") from None
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UserError(f"bundle {self.path}: not a zip file ({exc})") from None
        try:
            self.members = self._check_members()
        except BaseException:
            self.zip.close()
            raise

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UserError(f"bundle {self.path}: {len(infos)} members (at most {MAX_MEMBERS})")
        members: dict[str, zipfile.ZipInfo] = {}
        total = packed = 0
        for info in infos:
            name = info.filename
            where = f"bundle {self.path}: member {name!r}"
            if name in members:
                raise UserError(f"{where}: appears twice")
            if not _allowed(name):
                raise UserError(f"{where}: not part of an inspector bundle (unexpected name or path)")
            kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type; 0 when not recorded
            if kind and kind != stat.S_IFREG:
                raise UserError(f"{where}: not a regular file (link or device)")
            if info.flag_bits & 0x1:
                raise UserError(f"{where}: encrypted")
            limit = self._limit(name)
            if info.file_size > limit:
                raise UserError(f"{where}: too large ({info.file_size} bytes; at most {limit})")
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise UserError(f"{where}: compression ratio too high (zip bomb?)")
            total += info.file_size
            packed += info.compress_size
            members[name] = info
        if total > MAX_TOTAL_BYTES:
            raise UserError(f"bundle {self.path}: {total} bytes uncompressed (at most {MAX_TOTAL_BYTES})")
        # Many small members each under the per-member threshold can still inflate enormously
        # (512 members of 1 MiB from 671 KB): the whole bundle is held to the same ratio.
        if total > 1024 * 1024 and total > MAX_RATIO * max(packed, 1):
            raise UserError(
                f"bundle {self.path}: {total} bytes from {packed} compressed: compression ratio too high (zip bomb?)"
            )
        return members

    @staticmethod
    def _limit(name: str) -> int:
        if name in SMALL_LIMITS:
            return SMALL_LIMITS[name]
        if name.startswith(CERT_PREFIX):
            return CERT_LIMIT
        return MAX_EVIDENCE_BYTES

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def _chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes, never more than it declared (a lying header is an error)."""
        info = self.members[name]
        read = 0
        try:
            with self.zip.open(info, "r") as handle:
                while chunk := handle.read(CHUNK):
                    read += len(chunk)
                    if read > info.file_size:
                        raise UserError(f"bundle {self.path}: member {name!r} is larger than it declares")
                    yield chunk
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise UserError(f"bundle {self.path}: member {name!r} cannot be read ({exc})") from None

    def read(self, name: str) -> bytes:
        return b"".join(self._chunks(name))

    def hash_member(self, name: str) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        for chunk in self._chunks(name):
            size += len(chunk)
            digest.update(chunk)
        return digest.hexdigest(), size

    def names(self, prefix: str) -> list[str]:
        return sorted(name for name in self.members if name.startswith(prefix))

    def manifest(self) -> dict[str, Any]:
        if not self.has(MANIFEST):
            raise UserError(f"bundle {self.path}: not an inspector bundle (no {MANIFEST})")
        value = loads_strict(self.read(MANIFEST), f"bundle {self.path}: {MANIFEST}")
        if not isinstance(value, dict) or value.get("format") != BUNDLE_FORMAT:
            raise UserError(f"bundle {self.path}: {MANIFEST} is not an {BUNDLE_FORMAT} manifest")
        return value

    def evidence_check(self, ref: EvidenceRef) -> str | None:
        name = EVIDENCE_PREFIX + ref.sha256
        if not self.has(name):
            return "the file is missing from the bundle"
        try:
            actual, size = self.hash_member(name)
        except UserError as exc:
            return str(exc)
        return evidence_mismatch(ref, actual, size)

    def member_chunks(self, name: str) -> Iterator[bytes]:
        """The member's bytes in chunks, bounded like every read (see ``_chunks``); a member
        that cannot be read raises :class:`MemberUnreadable`, so that a caller copying the
        bytes somewhere can tell the bundle's fault from its own (a full disk)."""
        try:
            yield from self._chunks(name)
        except UserError as exc:
            raise MemberUnreadable(str(exc)) from None

    def records(self, problems: list[str]) -> list[Any]:
        """The JSON objects of records.jsonl in order; a line that is not JSON becomes None
        and a problem naming the line (the chain check then names the record)."""
        if not self.has(RECORDS):
            problems.append(f"{RECORDS}: missing from the bundle")
            return []
        try:
            text = self.read(RECORDS).decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{RECORDS}: not UTF-8 text (byte {exc.start})")
            return []
        docs: list[Any] = []
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                docs.append(loads_strict(line, f"record {len(docs) + 1}"))
            except UserError as exc:
                problems.append(f"{exc} ({RECORDS} line {number})")
                docs.append(None)
        return docs

    def trustlist(self, pinned: list[Any]) -> Any | None:
        """The bundle's own trust list, only when one of ``pinned`` signed it (else None)."""

        if not pinned or not self.has(TRUSTLIST):
            return None
        try:
            return load_trustlist(self.read(TRUSTLIST), pinned, f"bundle {self.path}: {TRUSTLIST}")
        except UserError:
            return None
