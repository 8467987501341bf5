"""``inspector hq fsck``: the register checked against HQ's files.

Every file the register refers to must be present with its hash (an archived bundle, a
certificate record, an evidence file; a first-release row may refer to its flat folder
instead), and every file in the store (and in the first release's flat folders) must be
referred to: anything else is named. Files are hashed once each however many rows refer to them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.hq.register.base import Register
from inspector.hq.register.files import hash_file
from inspector.hq.register.models import FileRef
from inspector.paths import DataDir

STALE_STAGING_SECONDS = 3600  # an import stages for seconds; older leftovers were interrupted


@dataclass
class FsckReport:
    files: int = 0  # distinct files referred to
    bytes_checked: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "bytes_checked": self.bytes_checked,
            "problems": self.problems,
            "warnings": self.warnings,
        }


def fsck(register: Register, data: DataDir, *, check_hashes: bool = True) -> FsckReport:
    report = FsckReport()
    store = register.files
    legacy_dirs = {"bundle": data.hq_bundles, "certificate": data.hq_certificates}
    seen: dict[str, str | None] = {}  # sha256 -> what is wrong with its file (None: fine)
    used_legacy: set[Path] = set()
    referenced: set[str] = set()
    for ref in register.file_refs():
        referenced.add(ref.sha256)
        where = _describe(ref)
        path = store.path(ref.sha256)
        if not path.is_file() and ref.legacy_name is not None:
            legacy = legacy_dirs[ref.kind] / ref.legacy_name
            if legacy.is_file():
                used_legacy.add(legacy)
                path = legacy
        key = f"{ref.sha256}:{path}"
        if key not in seen:
            seen[key] = _check(path, ref.sha256, check_hashes, report)
        if seen[key] is not None:
            report.problems.append(f"{where}: {seen[key]}")
    report.files = len(seen)
    for sha, path in store.walk():
        if sha is None:
            report.problems.append(f"{path}: not a file of the store (a store file is named by its SHA-256)")
        elif sha not in referenced:
            report.problems.append(f"{path}: orphaned (no audit or certificate of the register refers to it)")
    for kind, folder in legacy_dirs.items():
        if folder.is_dir():
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if Path(entry.path) not in used_legacy:
                    report.problems.append(f"{entry.path}: orphaned (no {kind} of the register refers to it)")
    consistency = getattr(register, "consistency_problems", None)
    if callable(consistency):
        report.problems.extend(consistency())
    now = time.time()
    stale = [p for p in store.staged_leftovers() if now - p.stat().st_mtime > STALE_STAGING_SECONDS]
    if stale:
        report.warnings.append(
            f"{len(stale)} staging folder(s) of interrupted imports under {store.root / '.staging'} (safe to delete)"
        )
    status = register.schema()
    report.warnings.extend(f"upgrade pending: {step} ('inspector hq db upgrade')" for step in status.pending)
    return report


def _describe(ref: FileRef) -> str:
    owner = "audit" if ref.kind in ("bundle", "evidence") else "certificate"
    return f"{ref.kind} {ref.sha256[:16]}… of {owner} {ref.owner}"


def _check(path: Path, sha256: str, check_hashes: bool, report: FsckReport) -> str | None:
    if not path.is_file():
        return f"missing ({path})"
    if not check_hashes:
        return None
    try:
        actual, size = hash_file(path)
    except OSError as exc:
        return f"unreadable ({path}: {exc.strerror})"
    report.bytes_checked += size
    if actual != sha256:
        return f"its content does not match its hash ({path} has sha256 {actual[:16]}…): damaged or replaced"
    return None
