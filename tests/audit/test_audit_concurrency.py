"""Two processes never write one audit: the second gets a clear error, and the chain stays whole."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from inspector.audit.service import AuditLocked, AuditService
from inspector.audit.verify import verify_local
from inspector.paths import DataDir
from tests.helpers import AUDITOR_ID, MINI_CHECKLIST, PYTHON

# Every test here runs the product in two or three child processes at once.
pytestmark = pytest.mark.slow

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from inspector.audit.service import AuditService
    from inspector.paths import DataDir

    with AuditService(DataDir(Path(sys.argv[1]))).open(sys.argv[2], writable=True):
        print("ready", flush=True)
        sys.stdin.read()  # hold the audit until the test closes our stdin
    """
)

WRITER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from inspector.audit.service import AuditLocked, AuditService
    from inspector.crypto.keystore import unlock
    from inspector.paths import DataDir

    data = DataDir(Path(sys.argv[1]))
    key = unlock(data.auditor_key, sys.argv[3])
    service = AuditService(data)
    done = locked = 0
    for n in range(int(sys.argv[4])):
        try:
            with service.open(sys.argv[2], writable=True, key=key) as audit:
                audit.record("WHD-02", "conform" if n % 2 else "observation", note=f"{sys.argv[5]} {n}")
            done += 1
        except AuditLocked:
            locked += 1
    print(json.dumps({"done": done, "locked": locked}))
    """
)


def _start_holder(data: DataDir, audit_id: str, env: dict[str, str]) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [PYTHON, "-c", HOLDER, str(data.root), audit_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    if line.strip() != "ready":
        holder.kill()
        pytest.fail(f"holder did not start: {line!r} {holder.stderr.read() if holder.stderr else ''}")
    return holder


def _stop(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def test_second_writer_gets_a_clear_error(
    trust_env: DataDir, open_audit: str, subprocess_env: dict[str, str], run_cli: object
) -> None:
    holder = _start_holder(trust_env, open_audit, subprocess_env)
    try:
        with pytest.raises(
            AuditLocked, match=f"audit is open elsewhere: {open_audit[:12]} is being written by pid {holder.pid}"
        ):
            AuditService(trust_env).open(open_audit, writable=True)
        # The command line says the same in one line, exit 2, nothing written.
        cli = subprocess.run(
            [
                PYTHON,
                "-m",
                "inspector",
                "--data-dir",
                str(trust_env.root),
                "audit",
                "record",
                open_audit,
                "MAL-02",
                "conform",
            ],
            capture_output=True,
            text=True,
            env=subprocess_env,
            timeout=60,
        )
        assert cli.returncode == 2
        assert cli.stderr.count("\n") == 1 and "audit is open elsewhere" in cli.stderr and "Traceback" not in cli.stderr
        # Readers are not blocked by the writer.
        with AuditService(trust_env).open(open_audit, writable=False) as audit:
            assert audit.latest() == {}
    finally:
        _stop(holder)
    with AuditService(trust_env).open(open_audit, writable=True) as audit:
        assert audit.state.seq == 1  # the refused write left no record


def test_two_writers_racing_keep_one_whole_chain(
    trust_env: DataDir, open_audit: str, subprocess_env: dict[str, str], passphrase: str
) -> None:
    rounds = 15
    writers = [
        subprocess.Popen(
            [PYTHON, "-c", WRITER, str(trust_env.root), open_audit, passphrase, str(rounds), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env,
        )
        for name in ("first", "second")
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        results.append(json.loads(out))
    written = sum(r["done"] for r in results)
    assert written + sum(r["locked"] for r in results) == 2 * rounds and written >= 1
    service = AuditService(trust_env)
    report = verify_local(service, open_audit, None)
    assert report.ok, report.problems
    assert report.records == 1 + written
    with service.open(open_audit, writable=False) as audit:
        assert len(audit.history("WHD-02")) == written


def test_the_index_is_shared_by_audits_written_at_once(
    trust_env: DataDir,
    audit_service: AuditService,
    auditor_key: object,
    open_audit: str,
    subprocess_env: dict[str, str],
    passphrase: str,
) -> None:
    second = audit_service.new_audit("GBN-S49", MINI_CHECKLIST, "recertification", auditor_key, AUDITOR_ID)  # type: ignore[arg-type]
    writers = [
        subprocess.Popen(
            [PYTHON, "-c", WRITER, str(trust_env.root), audit_id, passphrase, "8", "w"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env,
        )
        for audit_id in (open_audit, second.id)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    rows = {row.id: row for row in audit_service.list_audits()}
    assert rows[open_audit].progress["answered"] == 1 and rows[second.id].progress["answered"] == 1
    assert rows[open_audit].records == 9 and rows[second.id].records == 9
