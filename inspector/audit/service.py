"""The audit service: open an audit, record findings, score, close and seal. No Textual here.

The TUI and the CLI are thin shells over :class:`AuditService` and :class:`Audit`. One audit is
one folder ``DataDir.audit_dir(id)`` holding ``audit.json`` (a ``RecordStore`` with the signed
chain in table ``records`` and the closing seal in table ``seal``), ``checklist.toml`` (the
original bytes of the checklist the audit was opened with) and ``evidence/`` (files named by
their SHA-256). ``DataDir.audits / index.json`` is a rebuildable index of summary rows, which
also remembers the item the auditor last looked at (the TUI resumes there). The cursor is not a
finding, so it never enters the signed chain.

Writes return only after the store has made them durable; a second process that tries to open
the same audit for writing gets the store's "audit is open elsewhere" error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector._io.atomic import write_private
from inspector._io.files import read_user_file
from inspector._io.text import check_line_text
from inspector.audit.audit import Audit
from inspector.audit.checklist import Checklist
from inspector.audit.index import AuditIndex, AuditSummary
from inspector.audit.layout import (
    CHECKLIST_LIMIT,
    CHECKLIST_NAME,
    RECORDS,
    STORE_NAME,
    checklist_from_bytes,
    load_audit_checklist,
    lost_records_problem,
)
from inspector.audit.records import REASON_MAX, RECORD_FORMAT, RULES_CURRENT, AuditType, new_id
from inspector.audit.rules import _unknown_item, parse_audit_type
from inspector.audit.scope import audit_sections, plan_sections
from inspector.audit.stations import load_registry
from inspector.crypto.canonical import now_text
from inspector.crypto.signing import Domain, SigningKey, sign_record
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.store.errors import StoreLocked, StoreMissing
from inspector.store.record_store import RecordStore


class AuditLocked(UserError):
    """Another process has this audit open for writing."""

    def __init__(self, audit_id: str, pid: int | None) -> None:
        self.audit_id = audit_id
        holder = f"pid {pid}" if pid else "another process"
        super().__init__(f"audit is open elsewhere: {audit_id[:12]} is being written by {holder}; close it there first")


@dataclass(frozen=True)
class AuditPlan:
    """What a new audit's opening record says about its basis: scope, stage 1, waiver, sample."""

    sections: list[str]
    stage1: str | None = None  # the closed stage 1 audit of the station it builds on
    waiver: str | None = None  # why a certification audit proceeds without one
    previous: list[str] | None = None  # surveillance: the earlier audits its sample was drawn from


# ---------------------------------------------------------------------------------------------
# the service


class AuditService:
    """Everything the shells do with audits on one data directory."""

    def __init__(self, data: DataDir) -> None:
        self.data = data
        self.index = AuditIndex(data.audits / "index.json")

    # -- creating and finding audits ------------------------------------------------------------
    def new_audit(
        self,
        station_code: str,
        checklist_path: str | Path,
        audit_type: str | AuditType,
        key: SigningKey,
        auditor_id: str,
        auditor_name: str | None = None,
        *,
        no_lockup: bool = False,
        waive_stage1: str | None = None,
        require_stage1: bool = False,
    ) -> AuditSummary:
        """Open a new audit: write its first signed record and a copy of the checklist.

        The opening record carries the audit's scope (:func:`~inspector.audit.scope.plan_sections`),
        whether the station has no lock-up, and for a certification audit the closed stage 1 of
        the station it builds on or the written waiver. ``require_stage1`` refuses a
        certification audit that has neither: the CLI and the TUI ask for it; library callers
        that open audits on an older footing (tests, benchmarks, imports) may leave it off, and
        the opening record then shows that the audit names no stage 1 at all.
        """

        kind = parse_audit_type(audit_type)
        station = load_registry(data_root=self.data.root).get(station_code)
        raw = read_user_file(Path(checklist_path), "checklist", CHECKLIST_LIMIT)
        checklist = checklist_from_bytes(raw, str(checklist_path))
        plan = self.plan_audit(station.code, checklist, kind, waive_stage1=waive_stage1, require_stage1=require_stage1)
        audit_id = new_id()
        folder = self.data.audit_dir(audit_id)
        payload = {
            "format": RECORD_FORMAT,
            "type": "audit-opened",
            "id": new_id(),
            "audit": audit_id,
            "seq": 1,
            "prev": None,
            "time": now_text(),
            "station": {
                "code": station.code,
                "name": station.name.en,
                "name_hi": station.name.hi,
            },
            "checklist": checklist.ref.model_dump(),
            "audit_type": kind.value,
            "auditor": {
                "id": auditor_id,
                "name": auditor_name or auditor_id,
                "kid": key.public.kid_hex,
                "public_key": key.public.b64,
            },
            "rules": RULES_CURRENT,
            "no_lockup": bool(no_lockup),
            "sections": plan.sections,
            "stage1": plan.stage1,
            "waive_stage1": plan.waiver,
            "previous": plan.previous,
        }
        envelope = sign_record(key, Domain.FINDING, payload)
        write_private(folder / CHECKLIST_NAME, raw, mode=0o600)
        with RecordStore(folder / STORE_NAME, writable=True) as store:
            store.append(RECORDS, envelope.model_dump())
        with self.open(audit_id, writable=False) as audit:
            summary = audit.summary()
        self.index.put_quietly(summary)
        return summary

    def plan_audit(
        self,
        station_code: str,
        checklist: Checklist,
        kind: AuditType,
        *,
        waive_stage1: str | None = None,
        require_stage1: bool = False,
    ) -> AuditPlan:
        """The basis of a new audit of ``kind`` at ``station_code`` from this laptop's audits;
        raises when a certification audit needs a stage 1 it does not have (``require_stage1``)."""
        waiver = None
        if waive_stage1 is not None:
            if kind is not AuditType.CERTIFICATION:
                raise UserError(
                    f"a stage 1 waiver applies only to a certification (stage 2) audit, not to a {kind.value} audit",
                    field="waive_stage1",
                    code="waiver-not-applicable",
                )
            waiver = check_line_text(waive_stage1, "stage 1 waiver", REASON_MAX, field="waive_stage1")
        rows = sorted(
            (row for row in self.list_audits() if row.station == station_code and not row.damaged),
            key=lambda row: row.opened,
        )
        stage1 = None
        if kind is AuditType.CERTIFICATION:
            done = [row for row in rows if row.type == AuditType.STAGE1.value and row.status == "closed"]
            stage1 = done[-1].id if done else None
            if stage1 is None and waiver is None and require_stage1:
                raise UserError(
                    f"a certification (stage 2) audit of {station_code} needs a closed stage 1 audit of the station "
                    "on this laptop, or a written waiver (e.g. the stage 1 was done on another laptop or before this tool)",
                    field="waive_stage1",
                    code="stage1-required",
                )
        previous: list[str] | None = None
        covered: list[list[str]] = []
        if kind is AuditType.SURVEILLANCE:
            # The cycle starts when the latest certification or recertification audit closed;
            # the surveillance audits opened since then are the cycle's so far.
            renewals = [
                row.closed or ""
                for row in rows
                if row.type in (AuditType.CERTIFICATION.value, AuditType.RECERTIFICATION.value)
                and row.status == "closed"
            ]
            cycle_start = max(renewals, default="")
            earlier = [
                row
                for row in rows
                if row.type == AuditType.SURVEILLANCE.value and row.status == "closed" and row.opened >= cycle_start
            ]
            previous = [row.id for row in earlier]
            for row in earlier:
                with self.open(row.id, writable=False) as audit:
                    covered.append(audit_sections(audit.checklist, audit.opened))
        sections = plan_sections(checklist, kind, covered)
        if not sections:
            raise UserError(f"checklist {checklist.id} {checklist.version} has no section a {kind.value} audit covers")
        return AuditPlan(sections, stage1, waiver, previous)

    def resolve(self, text: str) -> str:
        """The audit id ``text`` names: a full id or a unique prefix of at least 4 characters."""
        wanted = text.strip().lower()
        if not wanted or any(c not in "0123456789abcdef" for c in wanted):
            raise UserError(f"unknown audit {text!r} (audit ids are hex, as 'inspector audit list' shows)")
        if len(wanted) == 32 and (self.data.audit_dir(wanted) / STORE_NAME).is_file():
            return wanted
        if len(wanted) < 4:
            raise UserError(f"audit id {text!r} is too short: give at least 4 characters")
        matches = [audit_id for audit_id in self._audit_ids() if audit_id.startswith(wanted)]
        if not matches:
            raise UserError(f"unknown audit {text!r} (see 'inspector audit list')")
        if len(matches) > 1:
            raise UserError(f"audit id {text!r} is ambiguous: {', '.join(m[:12] for m in matches[:5])}")
        return matches[0]

    def _audit_ids(self) -> list[str]:
        if not self.data.audits.is_dir():
            return []
        return sorted(p.name for p in self.data.audits.iterdir() if len(p.name) == 32 and (p / STORE_NAME).is_file())

    def open(self, audit_id: str, writable: bool = True, key: SigningKey | None = None) -> Audit:
        """The audit ``audit_id`` (full id or unique prefix). Use as a context manager.

        ``writable`` takes the audit's lock (``StoreLocked`` if another process holds it);
        ``key`` is the auditor's key, needed to record or close.
        """
        audit_id = self.resolve(audit_id)
        folder = self.data.audit_dir(audit_id)
        try:
            store = RecordStore(folder / STORE_NAME, writable=writable)
        except StoreLocked as exc:
            raise AuditLocked(audit_id, exc.pid) from None
        except StoreMissing:
            raise UserError(f"unknown audit {audit_id!r} (see 'inspector audit list')") from None
        try:
            audit = Audit(self, audit_id, folder, store, writable, key)
        except BaseException:
            store.close()
            raise
        return audit

    def list_audits(self, *, check: bool = False) -> list[AuditSummary]:
        """Every audit on this machine, newest first; audits missing from the index are added.

        With ``check``, every audit's store is read through (no lock taken) and a damaged one
        carries the one-line reason in ``damaged``.
        """
        rows = {row.id: row for row in self.index.rows()}
        if check:
            for audit_id, row in rows.items():
                problem = self._store_problem(audit_id, row.records)
                if problem:
                    rows[audit_id] = row.model_copy(update={"damaged": problem})
        for audit_id in self._audit_ids():
            if audit_id in rows:
                continue
            try:
                with self.open(audit_id, writable=False) as audit:
                    rows[audit_id] = audit.summary()
            except UserError:
                continue  # a damaged or busy audit is listed once it can be read
        return sorted(rows.values(), key=lambda row: row.opened, reverse=True)

    def _store_problem(self, audit_id: str, acknowledged: int) -> str | None:
        path = self.data.audit_dir(audit_id) / STORE_NAME
        try:
            with RecordStore(path, writable=False) as store:
                present = len(store.all(RECORDS))
        except UserError as exc:
            return str(exc)
        return lost_records_problem(path, present, acknowledged)

    def set_cursor(self, audit_id: str, item_id: str | None) -> None:
        """Remember the item the auditor last looked at (index only, not signed)."""
        audit_id = self.resolve(audit_id)
        row = self.index.get(audit_id)
        if row is None:
            with self.open(audit_id, writable=False) as audit:
                row = audit.summary()
        if item_id is not None:
            checklist = load_audit_checklist(self.data.audit_dir(audit_id))
            if item_id not in checklist.items:
                raise UserError(_unknown_item(item_id, checklist))
        self.index.put_quietly(row.model_copy(update={"cursor": item_id}))

    def cursor(self, audit_id: str) -> str | None:
        row = self.index.get(self.resolve(audit_id))
        return None if row is None else row.cursor
