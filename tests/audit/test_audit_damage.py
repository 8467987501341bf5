"""An audit whose store lost acknowledged findings is reported as damaged, never as intact.

``audit verify`` exits 1 naming the file, commands that need the audit exit 2, ``audit list``
flags it, the index keeps the true count, and the store file is left exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import audit_store

Cli = Callable[..., tuple[int, str, str]]


def _cut_last_line(path: Path, keep: int) -> None:
    data = path.read_bytes()
    last = data.split(b"\n")[-2] + b"\n"
    with open(path, "r+b") as handle:  # in place, as a failing disk or a careless copy would
        handle.truncate(len(data) - len(last) + keep)


def _record_some(service: Any, audit_id: str, key: Any) -> None:
    with service.open(audit_id, key=key) as audit:
        audit.record("MAL-02", "conform")
        audit.record("MAL-03", "conform")
        audit.record("WHD-01", "conform")


def test_a_cut_store_fails_verify_and_every_command_that_needs_it(
    run_cli: Cli, audit_service: Any, open_audit: str, auditor_key: Any
) -> None:
    _record_some(audit_service, open_audit, auditor_key)
    path = audit_store(audit_service, open_audit)
    _cut_last_line(path, keep=20)
    before = path.read_bytes()
    root = audit_service.data.root

    code, out, err = run_cli("--data-dir", root, "audit", "verify", open_audit)
    assert code == 1, (out, err)
    assert "damaged" in (out + err) and str(path) in (out + err)

    code, out, err = run_cli("--data-dir", root, "audit", "show", open_audit)
    assert code == 2 and err.count("\n") == 1 and "damaged" in err and "Traceback" not in err

    code, out, err = run_cli("--data-dir", root, "audit", "record", open_audit, "MAL-04", "conform")
    assert code == 2 and "damaged" in err
    assert path.read_bytes() == before, "no command may touch a damaged store"

    code, out, err = run_cli("--data-dir", root, "audit", "list", "--json")
    [row] = json.loads(out)
    assert row["damaged"] and "damaged" in row["damaged"]
    assert row["records"] == 4, "the index keeps the acknowledged count"
    code, out, _ = run_cli("--data-dir", root, "audit", "list")
    assert "DAMAGED" in out


def test_a_store_cut_exactly_at_a_line_is_caught_by_the_index(
    run_cli: Cli, audit_service: Any, open_audit: str, auditor_key: Any
) -> None:
    """Even without the lock file's mark (deleted), the index's count of records catches it."""
    _record_some(audit_service, open_audit, auditor_key)
    path = audit_store(audit_service, open_audit)
    path.with_name(path.name + ".lock").unlink()
    _cut_last_line(path, keep=0)
    code, out, err = run_cli("--data-dir", audit_service.data.root, "audit", "verify", open_audit)
    assert code == 1 and "were acknowledged" in (out + err)


def test_an_intact_audit_still_verifies(run_cli: Cli, audit_service: Any, open_audit: str, auditor_key: Any) -> None:
    _record_some(audit_service, open_audit, auditor_key)
    code, out, err = run_cli("--data-dir", audit_service.data.root, "audit", "list", "--json")
    assert code == 0 and json.loads(out)[0]["damaged"] is None
