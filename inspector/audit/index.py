"""The audit index: rebuildable summary rows of every audit on this laptop, and the resume cursor."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from inspector.audit.layout import INDEX_TABLE, INDEX_WAIT_SECONDS
from inspector.store.errors import StoreLocked
from inspector.store.record_store import RecordStore


class AuditSummary(BaseModel):
    """A row of the audit index: what ``audit list`` shows and the TUI's audit picker reads."""

    model_config = ConfigDict(extra="forbid")

    id: str
    station: str
    station_name: str
    type: str
    status: Literal["open", "closed"]
    progress: dict[str, int]  # {"answered": n, "total": m}
    score: int | None
    decision: str
    majors: int
    minors: int
    checklist: str  # "id version"
    auditor: str
    opened: str
    closed: str | None
    records: int
    cursor: str | None = None
    damaged: str | None = None  # set by ``AuditService.list_audits(check=True)``, never stored


# ---------------------------------------------------------------------------------------------
# the index of audits


class AuditIndex:
    """Summary rows keyed by audit id. Opened briefly per operation: many audits share it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _store(self, writable: bool) -> RecordStore:
        deadline = time.monotonic() + INDEX_WAIT_SECONDS
        while True:
            try:
                return RecordStore(self.path, writable=writable)
            except StoreLocked:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def rows(self) -> list[AuditSummary]:
        if not self.path.exists():
            return []
        with self._store(writable=False) as store:
            docs = store.all(INDEX_TABLE)
        rows = []
        for doc in docs:
            try:
                rows.append(AuditSummary.model_validate(doc))
            except ValidationError:
                continue  # a row from an older layout: rebuilt from the audit itself
        return rows

    def get(self, audit_id: str) -> AuditSummary | None:
        if not self.path.exists():
            return None
        with self._store(writable=False) as store:
            doc = store.get(INDEX_TABLE, audit_id)
        try:
            return None if doc is None else AuditSummary.model_validate(doc)
        except ValidationError:
            return None

    def acknowledged(self, audit_id: str) -> int:
        """How many records the index saw in ``audit_id`` (0 when it has no row): a store that
        holds fewer has lost acknowledged records."""
        row = self.get(audit_id) if self.path.exists() else None
        return 0 if row is None else row.records

    def put(self, row: AuditSummary) -> None:
        with self._store(writable=True) as store:
            store.put(INDEX_TABLE, row.id, row.model_dump())

    def put_quietly(self, row: AuditSummary) -> None:
        """Update a row after a durable audit write; the index is rebuildable, so a busy index
        must not turn a finding that is safely stored into an error."""
        try:
            self.put(row)
        except StoreLocked:
            pass
