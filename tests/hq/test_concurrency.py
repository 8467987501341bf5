"""Several HQ operators at once: eight importers never fail, the same bundle eight times is
registered once, a bundle is verified before any lock is taken, and on PostgreSQL nobody waits
on an import of another audit."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from inspector.hq.intake import ImportRefused, import_bundle, registered
from inspector.paths import DataDir
from tests.helpers import write_zip, zip_members
from tests.hq.world import bundle_of, days_from_today, make_closed_audit

OPERATORS = 8


def _import_all(bundles: list[Path], hq: DataDir, env: dict[str, str]) -> list[tuple[int, str, str]]:
    """Start one ``inspector hq import`` per bundle at the same moment; their (code, out, err)."""
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "inspector", "--data-dir", str(hq.root), "hq", "import", str(path), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for path in bundles
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        results.append((child.returncode, out, err))
    return results


@pytest.mark.slow
def test_eight_operators_importing_at_once_never_fail(
    hq_db: DataDir, audit_service: Any, auditor_key: Any, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    audits = [make_closed_audit(audit_service, auditor_key) for _ in range(OPERATORS)]
    bundles = [bundle_of(audit_service, audit_id, tmp_path / f"{n}.zip") for n, audit_id in enumerate(audits)]
    results = _import_all(bundles, hq_db, subprocess_env)
    failures = [(code, err) for code, _, err in results if code != 0]
    assert failures == []
    assert {json.loads(out)["status"] for _, out, _ in results} == {"imported"}
    assert {row.id for row in registered(hq_db)} == set(audits)


@pytest.mark.slow
def test_the_same_bundle_imported_by_eight_operators_is_registered_once(
    hq_db: DataDir, audit_service: Any, auditor_key: Any, subprocess_env: dict[str, str], tmp_path: Path
) -> None:
    bundle = bundle_of(audit_service, make_closed_audit(audit_service, auditor_key), tmp_path / "one.zip")
    results = _import_all([bundle] * OPERATORS, hq_db, subprocess_env)
    assert [code for code, _, _ in results] == [0] * OPERATORS, [err for _, _, err in results]
    statuses = sorted(json.loads(out)["status"] for _, out, _ in results)
    assert statuses == ["already-imported"] * (OPERATORS - 1) + ["imported"]
    assert len(registered(hq_db)) == 1


def test_a_bundle_is_verified_before_the_register_is_locked(
    hq_env: DataDir, audit_service: Any, auditor_key: Any, tmp_path: Path
) -> None:
    """TinyDB: while another operator holds the register, a forged bundle is refused at once (it
    never queues for the lock), and a good one waits for the lock, then registers."""
    from inspector.store.record_store import RecordStore

    audit_id = make_closed_audit(audit_service, auditor_key, findings={"WHD-02": ("minor", days_from_today(30))})
    good = bundle_of(audit_service, audit_id, tmp_path / "good.zip")
    members = zip_members(good)
    assert b"found minor" in members["records.jsonl"]
    members["records.jsonl"] = members["records.jsonl"].replace(b"found minor", b"found minoR", 1)
    forged = write_zip(tmp_path / "forged.zip", members)
    hq_env.ensure(hq_env.hq_tinydb_register)
    done: list[Any] = []
    with RecordStore(hq_env.hq_tinydb_register, writable=True):  # another operator's import
        started = time.monotonic()
        with pytest.raises(ImportRefused):
            import_bundle(hq_env, forged)
        assert time.monotonic() - started < 2.0
        waiting = threading.Thread(target=lambda: done.append(import_bundle(hq_env, good)))
        waiting.start()
        time.sleep(0.5)
        assert not done, "the import waits for the register's lock"
    waiting.join(30)
    assert done and done[0].status == "imported"


def test_on_postgresql_nobody_waits_on_an_import_of_another_audit(
    hq_env: DataDir, pg_session_database: str, audit_service: Any, auditor_key: Any, tmp_path: Path
) -> None:
    """(The embedded register has one writer at a time by design: PostgreSQL only.)"""
    import psycopg

    from inspector.hq.register import database_url
    from inspector.hq.register.postgres import AUDIT_LOCK
    from tests.helpers import configure_hq_database, pg_schema_url

    configure_hq_database(hq_env, pg_schema_url(pg_session_database))
    hq_db = hq_env

    busy, free = (make_closed_audit(audit_service, auditor_key) for _ in range(2))
    busy_bundle = bundle_of(audit_service, busy, tmp_path / "busy.zip")
    free_bundle = bundle_of(audit_service, free, tmp_path / "free.zip")
    url = database_url(hq_db)
    assert url is not None
    done: list[Any] = []
    with psycopg.connect(url, autocommit=True) as other:  # an import of `busy` in progress
        other.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (AUDIT_LOCK, busy))
        started = time.monotonic()
        assert import_bundle(hq_db, free_bundle).status == "imported"
        assert time.monotonic() - started < 10
        waiting = threading.Thread(target=lambda: done.append(import_bundle(hq_db, busy_bundle)))
        waiting.start()
        time.sleep(1.0)
        assert not done, "a second import of the same audit waits for the first"
        other.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (AUDIT_LOCK, busy))
    waiting.join(30)
    assert done and done[0].status == "imported"
    assert {row.id for row in registered(hq_db)} == {busy, free}
