"""Fixtures shared by the audit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inspector.audit.audit import Audit
from tests.helpers import MINI_ANSWERS


@pytest.fixture
def chain(audit_service: Any, auditor_key: Any, open_audit: str, tmp_path: Path) -> str:
    """A closed audit of 1 + 5 x 12 + 1 records."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        assert isinstance(audit, Audit)
        for n in range(12):
            for item, (status, note, reason) in MINI_ANSWERS.items():
                due = "2099-03-31" if status == "minor" else None
                evidence = [photo] if status == "minor" else []
                audit.record(item, status, note=f"{note or 'ok'} #{n}", reason=reason, due=due, evidence=evidence)
        audit.close()
    return open_audit
