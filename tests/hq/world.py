"""Builders the HQ register's tests share: closed audits of chosen findings, their bundles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from inspector.bundle.export import export_audit
from inspector.trust.store import TrustStore
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, MINI_CHECKLIST


def days_from_today(days: int) -> str:
    """A date ``days`` from today (UTC), as a due date or an ``--at`` date: a minor's plan must
    fall within the checklist's limit of the audit's day."""
    from inspector.crypto.canonical import utcnow

    return (utcnow().date() + timedelta(days=days)).isoformat()


def make_closed_audit(
    service: Any,
    key: Any,
    station: str = "GBN-S39",
    findings: dict[str, tuple[str, str | None]] | None = None,
    *,
    auditor_id: str = AUDITOR_ID,
    auditor_name: str = AUDITOR_NAME,
) -> str:
    """A closed audit of the mini checklist: every item conforms but ``findings`` (item ->
    (status, due)); a nonconformity gets a note, and a minor its due date."""
    findings = findings or {}
    summary = service.new_audit(station, MINI_CHECKLIST, "certification", key, auditor_id, auditor_name)
    with service.open(summary.id, key=key) as audit:
        for item in audit.checklist.items:
            status, due = findings.get(item, ("conform", None))
            note = None if status == "conform" else f"{item}: found {status}"
            reason = "recorded as the auditor saw it" if status in ("minor", "major") else None
            audit.record(item, status, note=note, reason=reason, due=due)
        audit.close()
    return str(summary.id)


def bundle_of(service: Any, audit_id: str, out: Path) -> Path:
    export_audit(service, audit_id, out, TrustStore(service.data.root).trustlist_bytes())
    return out
