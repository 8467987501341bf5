"""Shared fixtures: one HQ, one enrolled auditor and an installed trust list per test session.

Key files use scrypt at its lowest accepted cost (2**14) and are made once per session, then
each test gets its own copy of the data directories, so tests may write freely.

Fixtures others can reuse:
    PASSPHRASE / ``passphrase``  the passphrase of every key made here
    ``auditor_key``              the auditor's unlocked SigningKey
    ``auditor_info``             its KeyInfo (auditor_id "AUD-017", name "Sunita Devi")
    ``hq_key``                   the HQ root's unlocked SigningKey
    ``trust_env``                an auditor laptop DataDir: auditor key file, pinned HQ root,
                                 installed trust list, stations.toml (GBN-S39, GBN-S49)
    ``hq_env``                   an HQ DataDir: HQ root key, the auditor enrolled, trust list signed
    ``mini_checklist``           path of tests/data/mini-checklist.toml (5 items)
    ``audit_service``            AuditService over ``trust_env``
    ``open_audit``               id of a new, empty audit of GBN-S39 on the mini checklist
    ``closed_audit``             id of a complete, closed audit (with one evidence file)
    ``bundle``                   ``closed_audit`` exported as a bundle (with the installed trust list)
    ``run_cli``                  run ``inspector`` in-process: run_cli(*args) -> (code, out, err)
    ``subprocess_env``           environment for ``python -m inspector`` in a child process

Constants and plain helper functions (the passphrase, the mini checklist and its answers, the
stored records of an audit, zip members, ...) are in tests/helpers.py.

Markers by folder: everything under tests/tui/ is marked ``tui`` and everything under tests/web/
``browser`` here, so ``-m "not tui and not browser"`` needs no marks in those files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inspector.paths import DataDir
from tests.helpers import (
    AUDITOR_ID,
    AUDITOR_NAME,
    MINI_ANSWERS,
    MINI_CHECKLIST,
    PASSPHRASE,
    REPO,
    SCRYPT_N,
    STATIONS_TOML,
)

TESTS = Path(__file__).resolve().parent
MARKERS_BY_FOLDER = {"tui": "tui", "web": "browser"}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            folder = item.path.resolve().relative_to(TESTS).parts[0]
        except ValueError:
            continue
        marker = MARKERS_BY_FOLDER.get(folder)
        if marker is not None:
            item.add_marker(marker)


@dataclass(frozen=True)
class _Templates:
    laptop: Path
    hq: Path


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    from inspector.crypto.keystore import create_key
    from inspector.hq.enrolment import HQ
    from inspector.trust.store import TrustStore

    base = tmp_path_factory.mktemp("trust-templates")
    hq_root, laptop_root = base / "hq", base / "laptop"
    hq = HQ(hq_root)
    hq.init("Police Commissionerate Gautam Buddh Nagar", PASSPHRASE, scrypt_n=SCRYPT_N)
    laptop = DataDir(laptop_root)
    info = create_key(laptop.auditor_key, "auditor", AUDITOR_NAME, PASSPHRASE, AUDITOR_ID, scrypt_n=SCRYPT_N)
    hq.enroll(info.public, AUDITOR_NAME, AUDITOR_ID, PASSPHRASE)
    trustlist = hq.export_trustlist(PASSPHRASE)
    store = TrustStore(laptop_root)
    store.pin(hq.root_public().to_pem())
    store.install(trustlist)
    for root in (hq_root, laptop_root):
        (root / "stations.toml").write_text(STATIONS_TOML, encoding="utf-8")
    return _Templates(laptop_root, hq_root)


def _copy(source: Path, target: Path) -> DataDir:
    shutil.copytree(source, target, symlinks=True)
    return DataDir(target)


@pytest.fixture(scope="session")
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture(scope="session")
def auditor_key(_templates: _Templates) -> Any:
    from inspector.crypto.keystore import unlock

    return unlock(DataDir(_templates.laptop).auditor_key, PASSPHRASE)


@pytest.fixture(scope="session")
def auditor_info(_templates: _Templates) -> Any:
    from inspector.crypto.keystore import read_key_info

    return read_key_info(DataDir(_templates.laptop).auditor_key)


@pytest.fixture(scope="session")
def hq_key(_templates: _Templates) -> Any:
    from inspector.hq.enrolment import HQ

    return HQ(_templates.hq).unlock(PASSPHRASE)


@pytest.fixture
def trust_env(_templates: _Templates, tmp_path: Path) -> DataDir:
    return _copy(_templates.laptop, tmp_path / "laptop")


@pytest.fixture
def hq_env(_templates: _Templates, tmp_path: Path) -> DataDir:
    return _copy(_templates.hq, tmp_path / "hq")


@pytest.fixture
def mini_checklist() -> Path:
    return MINI_CHECKLIST


@pytest.fixture
def audit_service(trust_env: DataDir) -> Any:
    from inspector.audit.service import AuditService

    return AuditService(trust_env)


@pytest.fixture
def open_audit(audit_service: Any, auditor_key: Any) -> str:
    summary = audit_service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", auditor_key, AUDITOR_ID, AUDITOR_NAME)
    return str(summary.id)


@pytest.fixture
def closed_audit(audit_service: Any, auditor_key: Any, open_audit: str, tmp_path: Path) -> str:
    photo = tmp_path / "malkhana-register.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg, but bytes all the same")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        for item, (status, note, reason) in MINI_ANSWERS.items():
            evidence = [photo] if item == "MAL-01" else []
            audit.record(
                item,
                status,
                note=note,
                reason=reason,
                evidence=evidence,
                due="2099-03-31" if status == "minor" else None,
            )
        audit.close()
    return open_audit


@pytest.fixture
def bundle(audit_service: Any, closed_audit: str, tmp_path: Path) -> Path:
    from inspector.bundle.export import export_audit
    from inspector.trust.store import TrustStore

    out = tmp_path / "audit.zip"
    export_audit(audit_service, closed_audit, out, TrustStore(audit_service.data.root).trustlist_bytes())
    return out


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``inspector ARGS`` in this process with the session passphrase in the environment."""
    from inspector.cli.main import main

    monkeypatch.setenv("INSPECTOR_PASSPHRASE", PASSPHRASE)

    def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def subprocess_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Environment for running ``python -m inspector`` in a child process."""
    env = dict(os.environ)
    env["INSPECTOR_PASSPHRASE"] = PASSPHRASE
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("INSPECTOR_HOME", None)
    yield env


# --------------------------------------------------------------------------- HQ register backends
#
# ``hq_db`` is ``hq_env`` with its register on one of the two backends: every test that takes it
# runs twice, on the embedded TinyDB register and on PostgreSQL (a schema of its own in a
# database this test session creates on the server ``INSPECTOR_TEST_DATABASE`` names; .ci/run
# starts one). Without a reachable server the PostgreSQL leg is skipped, and under CI it fails.


@pytest.fixture(scope="session")
def pg_session_database() -> Iterator[str]:
    """The URL of a database created for this test session (dropped at its end)."""
    from tests.helpers import pg_session_database as make

    with make() as url:
        yield url


@pytest.fixture(params=["tinydb", "postgresql"])
def hq_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def hq_db(hq_backend: str, hq_env: DataDir, request: pytest.FixtureRequest) -> DataDir:
    """``hq_env`` with its register on ``hq_backend``, schema upgraded, chosen in config.toml."""
    from tests.helpers import configure_hq_database, pg_schema_url

    url = None
    if hq_backend == "postgresql":
        url = pg_schema_url(request.getfixturevalue("pg_session_database"))
    configure_hq_database(hq_env, url)
    return hq_env


@pytest.fixture
def cycle_checklist(tmp_path: Path) -> Path:
    """A checklist of the 2.0 model (stage 1 section, surveillance rotation, N/A limits, a
    sensitive item): tests/helpers.py ``write_cycle_checklist``."""
    from tests.helpers import write_cycle_checklist

    return write_cycle_checklist(tmp_path / "cycle-checklist.toml")
