"""``inspector verify`` reads its lists and the station's names without pydantic (issue 16
goal 3) and still checks everything: the pinned root, rollback of a given list, HQ's decision,
and a certificate record's own signature."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.certificates.verify import apply_status, verify_record
from inspector.crypto.signing import Domain, sign_record
from inspector.paths import DataDir
from inspector.trust.rules import TRUSTLIST_FORMAT
from inspector.trust.store import TrustStore
from inspector.trust.verifier import VerifierLists
from tests.web import statusvectors as S
from tests.web import webvectors as W

# Runs the command as the console script does, then reports what it imported.
RUN = """
import json, sys
from inspector.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "pydantic": sorted(m for m in sys.modules if m.split(".")[0] == "pydantic")}))
"""


def _world(root: Path) -> DataDir:
    """A verifier's data directory holding the web vectors' HQ root and main lists."""
    data = DataDir(root)
    store = TrustStore(root)
    store.pin(W.ROOT.public.to_pem())
    store.install(W.signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, W.trustlist_payload()).encode())
    store.install_crl(W.signed_document("inspector-crl/v1", Domain.CRL, W.crl_payload()).encode())
    store.install_status(S.main_status().encode())
    return data


def _verify(data: DataDir, *args: str) -> tuple[int, str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, "--data-dir", str(data.root), "verify", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    *lines, last = done.stdout.strip().splitlines() or [""]
    report = json.loads(last) if last.startswith("{") else {"code": None, "pydantic": ["(no report)"]}
    return report["code"], "\n".join(lines) + done.stderr, report["pydantic"]


def test_verify_payload_is_valid_names_the_station_and_never_imports_pydantic(tmp_path: Path) -> None:
    data = _world(tmp_path / "d")
    code, out, imported = _verify(data, "--payload", W.cert(), "--at", "2026-01-01")
    assert (code, imported) == (0, []), out
    assert out.startswith("VALID") and "Kotwali Sector 39" in out and "कोतवाली सेक्टर 39" in out


def test_a_forged_or_undecided_certificate_is_invalid_on_the_lean_path_too(tmp_path: Path) -> None:
    data = _world(tmp_path / "d")
    code, out, imported = _verify(data, "--payload", W.flip_payload_bit(W.cert()), "--at", "2026-01-01")
    assert (code, imported) == (1, []) and "bad-signature" in out
    undecided = W.cert(cti=S.UNDECIDED_CTI)
    code, out, imported = _verify(data, "--payload", undecided, "--at", "2026-01-01", "--json")
    assert (code, imported) == (1, []) and json.loads(out)["reasons"] == ["not-decided"]


def test_an_older_trust_list_given_for_one_check_is_refused_without_pydantic(tmp_path: Path) -> None:
    data = _world(tmp_path / "d")
    older = tmp_path / "old.json"
    older.write_text(W.signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, W.trustlist_payload(seq=6)))
    code, out, imported = _verify(data, "--payload", W.cert(), "--trust", str(older))
    assert (code, imported) == (2, []) and "rollback refused" in out
    rogue = tmp_path / "rogue.json"
    rogue.write_text(W.signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, W.trustlist_payload(seq=9), W.ROGUE_ROOT))
    code, out, imported = _verify(data, "--payload", W.cert(), "--trust", str(rogue))
    assert (code, imported) == (2, []) and "not a pinned HQ root" in out


def test_a_certificate_record_verifies_alike_with_the_lean_lists_and_the_models(
    trust_env: DataDir, auditor_key: Any, audit_service: Any
) -> None:
    from inspector.certificates.issue import issue_certificate
    from tests.certificates.test_certificate import ALL_CONFORM, _closed

    issued = issue_certificate(trust_env, _closed(audit_service, auditor_key, ALL_CONFORM), auditor_key)
    data = issued.record_path.read_bytes()
    store, lean = TrustStore(trust_env.root), VerifierLists(trust_env)
    verdicts = [
        apply_status(verify_record(data, "record", trust, crl), status).to_json()
        for trust, crl, status in (
            (store.trustlist(), store.crl(), store.status()),
            (lean.trustlist(), lean.crl(), lean.status()),
        )
    ]
    assert verdicts[0] == verdicts[1]
    assert verdicts[0]["reasons"] in ([], ["not-decided"])  # genuine: only HQ's decision may be missing
    # a record whose own signature is by a key the trust list does not hold
    from inspector.certificates.model import parse_record, record_bytes
    from inspector.crypto.signing import SigningKey

    envelope, body = parse_record(data, "record")
    forged = record_bytes(sign_record(SigningKey.generate(), Domain.CERT_RECORD, body.model_dump(mode="json")))
    for trust in (store.trustlist(), lean.trustlist()):
        assert "unknown-key" in verify_record(forged, "record", trust, None).reasons
    assert envelope.kid  # the genuine record's envelope was read


@pytest.mark.parametrize("kind", ["trust", "revocations", "status"])
def test_a_damaged_given_list_is_an_unusable_input(tmp_path: Path, kind: str) -> None:
    data = _world(tmp_path / "d")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "x", "envelope": {}}))
    code, out, imported = _verify(data, "--payload", W.cert(), f"--{kind}", str(bad))
    assert (code, imported) == (2, []) and str(bad) in out and "\n" not in out.strip()
