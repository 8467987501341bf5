"""Names inside an audit folder, and reading the checklist an audit was opened with.

One audit is one folder holding ``audit.json`` (a RecordStore: the signed chain in table
``records``, the closing seal in table ``seal``), ``checklist.toml`` (the original bytes of the
checklist the audit was opened with), ``evidence/`` and ``certificates/``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from inspector._io.files import read_user_file
from inspector.audit.checklist import Checklist, ChecklistInvalid, parse_checklist
from inspector.errors import UserError

RECORDS = "records"
SEAL = "seal"
INDEX_TABLE = "audits"
STORE_NAME = "audit.json"
CHECKLIST_NAME = "checklist.toml"
EVIDENCE_DIR = "evidence"
CERTIFICATES_DIR = "certificates"
INDEX_WAIT_SECONDS = 5.0
UNANSWERED_SHOWN = 5
CHECKLIST_LIMIT = 20 * 1024 * 1024  # far above any real checklist; refuses a runaway file


def load_audit_checklist(folder: Path) -> Checklist:
    path = folder / CHECKLIST_NAME
    raw = read_user_file(path, "checklist", CHECKLIST_LIMIT)
    try:
        return checklist_from_bytes(raw, str(path))
    except ChecklistInvalid as exc:
        raise UserError(exc.problems[0]) from None


_CHECKLISTS: dict[str, Checklist] = {}


def checklist_from_bytes(raw: bytes, source: str) -> Checklist:
    """``parse_checklist`` remembered by content: validating the shipped checklist takes a
    noticeable fraction of a second, and a session opens the same one again and again."""
    digest = hashlib.sha256(raw).hexdigest()
    checklist = _CHECKLISTS.get(digest)
    if checklist is None:
        checklist = _CHECKLISTS[digest] = parse_checklist(raw, source)
    return checklist


class AuditDamaged(UserError):
    """The audit's store lost records it had acknowledged; it is left untouched."""

    default_code = "store-damaged"


def lost_records_problem(store_path: Path, present: int, acknowledged: int) -> str | None:
    """The damage message when a store holds fewer records than were acknowledged, else None."""
    if present >= acknowledged:
        return None
    return (
        f"store file is damaged: {store_path} holds {present} records but {acknowledged} were acknowledged "
        "(audit index); the file was left unchanged: restore it from a backup or an exported bundle"
    )
