"""A command that fails has changed nothing: outputs are checked before any signing or storing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.paths import DataDir
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, MINI_CHECKLIST

Cli = Callable[..., tuple[int, str, str]]


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture
def certifiable(audit_service: Any, auditor_key: Any) -> str:
    summary = audit_service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", auditor_key, AUDITOR_ID, AUDITOR_NAME)
    with audit_service.open(summary.id, key=auditor_key) as audit:
        for item in audit.checklist.items:
            audit.record(item, "conform", note="seen on site")
        audit.close()
    return str(summary.id)


@pytest.mark.parametrize(
    "out",
    ["", "{tmp}/no/such/parent/../x\x00y", "{file}", "{tmp}/" + "n" * 300],
    ids=["empty", "nul", "a-file", "name-too-long"],
)
def test_cert_issue_with_a_bad_out_stores_no_certificate(
    run_cli: Cli, trust_env: DataDir, certifiable: str, tmp_path: Path, out: str
) -> None:
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    before = _files(trust_env.root)
    code, _, err = run_cli(
        "--data-dir", trust_env.root, "cert", "issue", certifiable, "--out", out.format(tmp=tmp_path, file=a_file)
    )
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "--out" in err
    assert _files(trust_env.root) == before, "no certificate record may be left behind"


def test_cert_issue_that_fails_while_writing_removes_its_record(
    run_cli: Cli, trust_env: DataDir, certifiable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector._io import outputs

    def full_disk(*_: Any, **__: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_private", full_disk)
    before = _files(trust_env.root)
    code, _, err = run_cli("--data-dir", trust_env.root, "cert", "issue", certifiable, "--out", tmp_path / "certs")
    assert code == 2 and "No space left" in err
    assert _files(trust_env.root) == before
    assert not (tmp_path / "certs").exists()


@pytest.mark.parametrize("kind", ["trustlist", "crl"])
def test_hq_lists_with_a_bad_output_sign_nothing(run_cli: Cli, hq_env: DataDir, tmp_path: Path, kind: str) -> None:
    before = _files(hq_env.root)
    for bad in ("", str(tmp_path)):
        code, _, err = run_cli("--data-dir", hq_env.root, "hq", kind, "-o", bad)
        assert code == 2 and err.count("\n") == 1, err
    assert _files(hq_env.root) == before, "no list may be re-signed or saved before the output fails"


@pytest.mark.parametrize("kind", ["trustlist", "crl"])
def test_hq_lists_do_not_overwrite_without_force(run_cli: Cli, hq_env: DataDir, tmp_path: Path, kind: str) -> None:
    target = tmp_path / f"{kind}.json"
    target.write_bytes(b"keep me")
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", kind, "-o", target)
    assert code == 2 and "already exists" in err and "--force" in err
    assert target.read_bytes() == b"keep me"
    code, _, err = run_cli("--data-dir", hq_env.root, "hq", kind, "-o", target, "--force")
    assert code == 0, err
    assert target.read_bytes() != b"keep me"
