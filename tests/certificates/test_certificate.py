"""Certificates: issuing from a closed audit, the record, renderings, and every verifier check."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.certificates.issue import issue_certificate
from inspector.certificates.model import load_record_file, parse_record, record_bytes
from inspector.certificates.psc1 import CertClaims, CertResult, encode
from inspector.certificates.render import write_outputs
from inspector.certificates.verify import verify_payload, verify_record
from inspector.crypto.signing import Domain, SigningKey, sign_record
from inspector.errors import UserError
from inspector.paths import DataDir
from tests.helpers import AUDITOR_ID, MINI_CHECKLIST, degraded_photo, grant_at_hq

ALL_CONFORM = {
    "MAL-01": "conform",
    "MAL-02": "conform",
    "MAL-03": "conform",
    "WHD-01": "conform",
    "WHD-02": "observation",
}


def _closed(audit_service: Any, key: SigningKey, answers: dict[str, str], audit_type: str = "certification") -> str:
    summary = audit_service.new_audit("GBN-S39", MINI_CHECKLIST, audit_type, key, AUDITOR_ID, "Sunita Devi")
    with audit_service.open(summary.id, key=key) as audit:
        for item, status in answers.items():
            audit.record(
                item,
                status,
                note="seen on site",
                due="2099-01-31" if status in ("minor", "major") else None,
                reason="downgraded: items located" if status == "minor" and item == "MAL-01" else None,
                evidence=[MINI_CHECKLIST] if status in ("minor", "major") and item == "MAL-01" else [],
            )
        audit.close()
    return str(summary.id)


@pytest.fixture
def certifiable(audit_service: Any, auditor_key: SigningKey) -> str:
    return _closed(audit_service, auditor_key, ALL_CONFORM)


@pytest.fixture
def issued(trust_env: DataDir, certifiable: str, auditor_key: SigningKey) -> Any:
    return issue_certificate(trust_env, certifiable, auditor_key)


def _lists(env: DataDir) -> tuple[Any, Any]:
    from inspector.trust.store import TrustStore

    store = TrustStore(env.root)
    return store.trustlist(), store.crl()


# --- issuing -----------------------------------------------------------------------------------


def test_issue_writes_a_signed_record_that_verifies(trust_env: DataDir, issued: Any, certifiable: str) -> None:
    body = issued.body
    assert issued.record_path.is_file()
    assert body.station_code == "GBN-S39" and body.station_name_hi == "कोतवाली सेक्टर 39"
    assert body.audit_id == certifiable and body.result == CertResult.CERTIFIED
    assert body.surveillance_due and len(body.findings_root) == 64
    trust, crl = _lists(trust_env)
    verdict = verify_record(issued.record_path.read_bytes(), "record", trust, crl)
    assert verdict.valid, verdict.messages
    assert (
        verdict.claims.station_code == "GBN-S39"
        and verdict.claims.findings_root == bytes.fromhex(body.findings_root)[:16]
    )


def test_expiry_is_capped_at_the_keys_verify_until(
    trust_env: DataDir, certifiable: str, auditor_key: SigningKey
) -> None:
    trust, _ = _lists(trust_env)
    entry = trust.candidates(auditor_key.public.kid_hex)[0]
    issued = issue_certificate(trust_env, certifiable, auditor_key, lifetime_days=20 * 365)
    assert issued.body.expires_at == entry.verify_until


def test_refused_while_open(trust_env: DataDir, open_audit: str, auditor_key: SigningKey) -> None:
    with pytest.raises(UserError, match="not closed"):
        issue_certificate(trust_env, open_audit, auditor_key)


def test_refused_when_the_decision_does_not_allow(
    trust_env: DataDir, closed_audit: str, auditor_key: SigningKey
) -> None:
    # MINI_ANSWERS leave MAL-01's minor without an accepted corrective-action plan.
    with pytest.raises(UserError, match="no certificate can be issued: decision is corrective-action-pending .minor"):
        issue_certificate(trust_env, closed_audit, auditor_key)


def test_refused_for_stage1(trust_env: DataDir, audit_service: Any, auditor_key: SigningKey) -> None:
    audit_id = _closed(audit_service, auditor_key, ALL_CONFORM, audit_type="stage1")
    with pytest.raises(UserError, match="stage 1"):
        issue_certificate(trust_env, audit_id, auditor_key)


def test_refused_for_another_key(trust_env: DataDir, certifiable: str) -> None:
    with pytest.raises(UserError, match="did not conduct"):
        issue_certificate(trust_env, certifiable, SigningKey.generate())


def test_refused_without_trust_list(trust_env: DataDir, certifiable: str, auditor_key: SigningKey) -> None:
    trust_env.installed_trustlist.unlink()
    with pytest.raises(UserError, match="no trust list is installed"):
        issue_certificate(trust_env, certifiable, auditor_key)


def test_outputs_render_and_the_png_scans_back(tmp_path: Path, issued: Any) -> None:
    from inspector.certificates import qr

    paths = write_outputs(issued.body, issued.envelope, tmp_path / "out")
    assert set(paths) == {"json", "png", "svg", "html", "pdf"}
    assert qr.decode_image(paths["png"]) == [issued.body.payload]
    assert qr.qr_version(issued.body.payload) <= 13
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "Kotwali Sector 39" in html and "कोतवाली सेक्टर 39" in html and "<svg" in html and "@page" in html
    assert Path(paths["pdf"]).read_bytes().startswith(b"%PDF")
    assert Path(paths["svg"]).read_text().startswith("<svg")
    _, body = load_record_file(Path(paths["json"]))
    assert body == issued.body


def test_record_edit_is_detected(trust_env: DataDir, issued: Any) -> None:
    trust, crl = _lists(trust_env)
    document = json.loads(issued.record_path.read_text(encoding="utf-8"))
    document["envelope"]["payload"] = document["envelope"]["payload"].replace('"score":100', '"score":99')
    verdict = verify_record(json.dumps(document).encode(), "record", trust, crl)
    assert not verdict.valid and verdict.reasons[0] == "bad-signature"


def test_record_and_payload_must_agree(
    trust_env: DataDir, issued: Any, auditor_key: SigningKey, certifiable: str
) -> None:
    """A genuinely signed record that carries another certificate's QR is refused."""
    issued.record_path.unlink()  # an audit has one certificate: make room for the other one
    other = issue_certificate(trust_env, certifiable, auditor_key)
    forged = issued.body.model_copy(update={"payload": other.body.payload})
    envelope = sign_record(auditor_key, Domain.CERT_RECORD, forged.model_dump(mode="json"))
    trust, crl = _lists(trust_env)
    verdict = verify_record(record_bytes(envelope), "record", trust, crl)
    assert not verdict.valid and verdict.reasons == ["record-mismatch"]
    assert "certificate id" in verdict.messages[0]


def test_record_signature_is_domain_separated(trust_env: DataDir, issued: Any, auditor_key: SigningKey) -> None:
    envelope = sign_record(auditor_key, Domain.FINDING, issued.body.model_dump(mode="json"))
    trust, crl = _lists(trust_env)
    assert not verify_record(record_bytes(envelope), "record", trust, crl).valid


def test_not_a_record_is_unusable_input() -> None:
    with pytest.raises(UserError, match="not a certificate record"):
        parse_record(b'{"format": "something-else", "envelope": {}}', "x.json")


# --- verifier checks, one attack each --------------------------------------------------------------

NOW = datetime(2027, 3, 1, tzinfo=UTC)


@pytest.fixture
def world(hq_env: DataDir, passphrase: str) -> dict[str, Any]:
    """An HQ with several auditor keys in every state, and helpers to sign certificates."""
    from inspector.hq.enrolment import HQ
    from inspector.trust.lists import Purpose

    hq = HQ(hq_env.root)
    start = NOW - timedelta(days=30)
    keys = {name: SigningKey.generate() for name in ("good", "finding_only", "revoked", "retired")}
    hq.enroll(keys["good"].public, "Good Auditor", "AUD-100", passphrase, now=start)
    hq.enroll(keys["finding_only"].public, "Finder", "AUD-101", passphrase, purposes=[Purpose.FINDING], now=start)
    hq.enroll(keys["revoked"].public, "Lost Laptop", "AUD-102", passphrase, now=start)
    hq.enroll(keys["retired"].public, "Retired", "AUD-103", passphrase, now=start)
    hq.revoke_key(keys["revoked"].public.kid_hex, "laptop stolen", now=NOW - timedelta(days=2))
    hq.retire(keys["retired"].public.kid_hex, now=NOW - timedelta(days=10))
    return {
        "hq": hq,
        "keys": keys,
        "start": start,
        "trust": hq.current_trustlist(now=start),
        "crl": hq.current_crl(now=start),
    }


def _claims(**changes: Any) -> CertClaims:
    base = dict(
        issuer=1,
        issued_at=int((NOW - timedelta(days=1)).timestamp()),
        expires_at=int((NOW + timedelta(days=700)).timestamp()),
        cert_id=bytes(range(10)),
        station_code="GBN-S39",
        checklist_id="police-station-iso9001",
        checklist_version="1.0.0",
        result=CertResult.CERTIFIED,
        score=92,
        majors=0,
        minors=2,
        auditor_id="AUD-100",
        findings_root=bytes(16),
        station_name="Kotwali Sector 39",
    )
    base.update(changes)
    return CertClaims(**base)


def _check(world: dict[str, Any], text: str, now: datetime = NOW, crl: Any = "default") -> Any:
    return verify_payload(text, world["trust"], world["crl"] if crl == "default" else crl, now)


def test_genuine_certificate_is_valid(world: dict[str, Any]) -> None:
    verdict = _check(world, encode(_claims(), world["keys"]["good"]))
    assert verdict.valid and verdict.reasons == [] and verdict.claims.station_code == "GBN-S39"
    assert verdict.entry.auditor_id == "AUD-100"


def test_verify_link_form_is_accepted(world: dict[str, Any]) -> None:
    text = "https://verify.example.in/v#" + encode(_claims(), world["keys"]["good"])
    assert _check(world, text).valid


@pytest.mark.parametrize(
    ("signer", "changes", "reason"),
    [
        ("finding_only", {"auditor_id": "AUD-101"}, "wrong-purpose"),
        ("revoked", {"auditor_id": "AUD-102"}, "revoked-key"),
        ("good", {"auditor_id": "AUD-999"}, "auditor-mismatch"),
        ("retired", {"auditor_id": "AUD-103"}, "outside-signing-window"),
        ("good", {"issued_at": int((NOW + timedelta(hours=1)).timestamp())}, "not-yet-valid"),
        ("good", {"expires_at": int((NOW - timedelta(seconds=1)).timestamp())}, "expired"),
        ("good", {"expires_at": int((NOW + timedelta(days=5000)).timestamp())}, "exceeds-key-validity"),
        ("good", {"issued_at": int((NOW - timedelta(days=31)).timestamp())}, "outside-signing-window"),
    ],
)
def test_each_binding_and_time_attack(world: dict[str, Any], signer: str, changes: dict[str, Any], reason: str) -> None:
    verdict = _check(world, encode(_claims(**changes), world["keys"][signer]))
    assert not verdict.valid
    assert verdict.reasons[0] == reason, verdict.reasons


def test_retired_key_keeps_old_certificates_valid(world: dict[str, Any]) -> None:
    claims = _claims(auditor_id="AUD-103", issued_at=int((NOW - timedelta(days=20)).timestamp()))
    assert _check(world, encode(claims, world["keys"]["retired"])).valid


def test_key_hq_never_enrolled(world: dict[str, Any]) -> None:
    verdict = _check(world, encode(_claims(), SigningKey.generate()))
    assert verdict.reasons == ["unknown-key"]


def test_one_changed_character_is_invalid(world: dict[str, Any]) -> None:
    text = encode(_claims(), world["keys"]["good"])
    for index in range(5, len(text), 7):
        changed = text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]
        assert not _check(world, changed).valid, index


def test_signature_from_another_certificate(world: dict[str, Any]) -> None:
    from inspector.certificates import psc1

    one = psc1.decode(encode(_claims(), world["keys"]["good"]))
    two = psc1.decode(encode(_claims(score=40), world["keys"]["good"]))
    spliced = psc1.to_text(psc1.cose_bytes(one.protected, two.payload, one.signature))
    assert _check(world, spliced).reasons == ["bad-signature"]


def test_finding_signature_rewrapped_as_certificate(world: dict[str, Any]) -> None:
    from inspector.certificates import psc1

    key = world["keys"]["good"]
    payload = psc1.payload_bytes(_claims())
    protected = psc1.protected_header(key.kid)
    forged = psc1.to_text(psc1.cose_bytes(protected, payload, key.sign(Domain.FINDING, payload, protected=protected)))
    assert _check(world, forged).reasons == ["bad-signature"]


def test_revoked_certificate(world: dict[str, Any]) -> None:
    from inspector.certificates.psc1 import cert_id_text

    hq = world["hq"]
    hq.revoke_cert(cert_id_text(bytes(range(10))), "issued in error", now=NOW - timedelta(days=1))
    verdict = _check(world, encode(_claims(), world["keys"]["good"]), crl=hq.current_crl(now=NOW - timedelta(days=1)))
    assert verdict.reasons == ["revoked"] and "issued in error" in verdict.messages[0]


def test_stale_or_missing_crl_warns(world: dict[str, Any]) -> None:
    text = encode(_claims(), world["keys"]["good"])
    late = NOW + timedelta(days=60)
    stale = _check(
        world, encode(_claims(expires_at=int((late + timedelta(days=9)).timestamp())), world["keys"]["good"]), now=late
    )
    assert any("revocation list is past its next update" in w for w in stale.warnings)
    assert any("no revocation list" in w for w in _check(world, text, crl=None).warnings)


def test_device_clock_before_trust_list(world: dict[str, Any]) -> None:
    verdict = _check(world, encode(_claims(), world["keys"]["good"]), now=world["start"] - timedelta(days=1))
    assert verdict.reasons == ["clock-wrong"]


def test_garbage_never_raises(world: dict[str, Any]) -> None:
    for text in ("", "PSC1:", "HC1:ABC", "psc1:AAAA", "x" * 5000, "https://x#PSC1:AA", "PSC1:" + "A" * 300):
        verdict = _check(world, text)
        assert not verdict.valid and verdict.reasons


# --- the CLI ----------------------------------------------------------------------------------------


def test_cli_issue_verify_revoke(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, certifiable: str, tmp_path: Path
) -> None:
    code, out, err = run_cli(
        "--data-dir", trust_env.root, "cert", "issue", certifiable[:8], "--out", tmp_path / "out", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result["paths"]) == {"json", "png", "svg", "html", "pdf"} and len(result["id"]) == 16
    png = result["paths"]["png"]
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--image", png)
    assert code == 1 and "not-decided" in out  # the auditor's signature alone is a recommendation
    grant_at_hq(trust_env, hq_env, certifiable)
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--image", png)
    assert code == 0 and out.startswith("VALID") and "Kotwali Sector 39 (GBN-S39)" in out
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", result["paths"]["json"], "--json")
    assert code == 0 and json.loads(out)["certificate"]["station_code"] == "GBN-S39"
    payload = result["payload"]
    changed = payload[:40] + ("B" if payload[40] != "B" else "C") + payload[41:]
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--payload", changed)
    assert code == 1 and out.startswith("INVALID")
    # HQ registers the certificate by importing the audit, revokes it (printed form of the id),
    # publishes the CRL, the laptop installs it
    bundle = _export(run_cli, trust_env, certifiable, tmp_path / "b.zip")
    assert run_cli("--data-dir", hq_env.root, "hq", "import", bundle)[0] == 0
    printed = "-".join(result["id"][i : i + 4] for i in range(0, 16, 4))
    assert run_cli("--data-dir", hq_env.root, "hq", "revoke", printed, "--reason", "withdrawn")[0] == 0
    assert run_cli("--data-dir", hq_env.root, "hq", "crl", "-o", tmp_path / "crl.json")[0] == 0
    assert run_cli("--data-dir", trust_env.root, "trust", "install-crl", tmp_path / "crl.json")[0] == 0
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--image", png)
    assert code == 1 and "revoked" in out


def test_cli_verify_unusable_input(run_cli: Any, trust_env: DataDir, tmp_path: Path) -> None:
    (tmp_path / "not-an-image.png").write_bytes(b"\x89PNG but broken")
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank)
    for args in (
        ["--image", tmp_path / "missing.png"],
        ["--image", tmp_path / "not-an-image.png"],
        ["--image", blank],
        [tmp_path / "missing.json"],
        [],
        ["--payload", "x", "--image", blank],
        ["--payload", "PSC1:AA", "--at", "yesterday"],
    ):
        code, out, err = run_cli("--data-dir", trust_env.root, "verify", *args)
        assert code == 2, (args, out, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_verify_needs_trust(run_cli: Any, tmp_path: Path) -> None:
    code, _, err = run_cli("--data-dir", tmp_path / "empty", "verify", "--payload", "PSC1:AAAA")
    assert code == 2 and "no trust list" in err


def test_cli_verify_at_date(run_cli: Any, trust_env: DataDir, issued: Any) -> None:
    code, out, _ = run_cli(
        "--data-dir", trust_env.root, "verify", "--payload", issued.body.payload, "--at", "2099-01-01", "--json"
    )
    assert code == 1 and "expired" in json.loads(out)["reasons"]


def test_cli_cert_show_qr_print(run_cli: Any, trust_env: DataDir, issued: Any, tmp_path: Path) -> None:
    cert = issued.body.cert_id
    code, out, _ = run_cli("--data-dir", trust_env.root, "cert", "show", cert[:6], "--json")
    assert code == 0 and json.loads(out)["id"] == cert
    code, out, _ = run_cli("--data-dir", trust_env.root, "cert", "qr", cert, "--terminal")
    assert code == 0 and "\u2580" in out and cert[:4] in out
    code, out, _ = run_cli("--data-dir", trust_env.root, "cert", "qr", cert, "-o", tmp_path / "q.svg")
    assert code == 0 and (tmp_path / "q.svg").read_text().startswith("<svg")
    code, out, _ = run_cli("--data-dir", trust_env.root, "cert", "print", cert, "--out", tmp_path / "p", "--json")
    assert code == 0 and set(json.loads(out)["paths"]) == {"html", "pdf"}
    code, _, err = run_cli("--data-dir", trust_env.root, "cert", "show", "ZZZZZZ")
    assert code == 2 and "unknown certificate" in err


# --- the HQ certificate register -----------------------------------------------------------------


def _export(run_cli: Any, env: DataDir, audit_id: str, out: Path) -> Path:
    code, _, err = run_cli("--data-dir", env.root, "audit", "export", audit_id, "-o", out)
    assert code == 0, err
    return out


def test_hq_registers_certificates_with_status(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, issued: Any, certifiable: str, tmp_path: Path
) -> None:
    bundle = _export(run_cli, trust_env, certifiable, tmp_path / "b.zip")
    assert run_cli("--data-dir", hq_env.root, "hq", "import", bundle)[0] == 0
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "certificates", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [issued.body.cert_id]
    assert rows[0]["status"] == "valid" and rows[0]["next_surveillance"] == issued.body.surveillance_due[0]
    assert run_cli("--data-dir", hq_env.root, "hq", "revoke", issued.body.cert_id, "--reason", "withdrawn")[0] == 0
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "certificates")
    assert code == 0 and "revoked" in out and issued.body.cert_id in out


def test_certificates_issued_after_first_import_arrive_with_a_second(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, certifiable: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    assert (
        run_cli(
            "--data-dir", hq_env.root, "hq", "import", _export(run_cli, trust_env, certifiable, tmp_path / "1.zip")
        )[0]
        == 0
    )
    later = issue_certificate(trust_env, certifiable, auditor_key)
    assert (
        run_cli(
            "--data-dir", hq_env.root, "hq", "import", _export(run_cli, trust_env, certifiable, tmp_path / "2.zip")
        )[0]
        == 0
    )
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "certificates", "--json")
    assert [r["id"] for r in json.loads(out)] == [later.body.cert_id]


def test_forged_certificate_in_a_bundle_is_refused(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, issued: Any, certifiable: str, tmp_path: Path
) -> None:
    forged = issued.body.model_copy(update={"score": 100, "station_name_en": "Another Station"})
    envelope = sign_record(SigningKey.generate(), Domain.CERT_RECORD, forged.model_dump(mode="json"))
    issued.record_path.write_bytes(record_bytes(envelope))
    bundle = _export(run_cli, trust_env, certifiable, tmp_path / "b.zip")
    code, out, _ = run_cli("--data-dir", hq_env.root, "hq", "import", bundle)
    assert code == 1 and "REFUSED" in out and "not genuine" in out
    assert json.loads(run_cli("--data-dir", hq_env.root, "hq", "audits", "--json")[1]) == []


# --- the verify link -------------------------------------------------------------------------------


def test_verify_url_travels_in_the_trust_list_into_new_qr_codes(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, certifiable: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    from inspector.certificates import qr

    code, out, err = run_cli(
        "--data-dir",
        hq_env.root,
        "hq",
        "publish-verifier",
        "-o",
        tmp_path / "site",
        "--base-url",
        "https://verify.gbnpolice.in/",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["trust_list_changed"] is True and (tmp_path / "site" / "index.html").is_file()
    assert run_cli("--data-dir", hq_env.root, "hq", "trustlist", "-o", tmp_path / "tl.json")[0] == 0
    assert run_cli("--data-dir", trust_env.root, "trust", "install", tmp_path / "tl.json")[0] == 0
    issued = issue_certificate(trust_env, certifiable, auditor_key)
    assert issued.qr_text == "HTTPS://VERIFY.GBNPOLICE.IN/#" + issued.body.payload
    assert qr.qr_version(issued.qr_text) <= 13
    png = write_outputs(issued.body, issued.envelope, tmp_path / "out", formats=("png",))["png"]
    assert qr.decode_image(png) == [issued.qr_text]
    grant_at_hq(trust_env, hq_env, certifiable)
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--image", png)
    assert code == 0 and "Kotwali Sector 39 (GBN-S39)" in out


@pytest.mark.parametrize(
    ("base_url", "prefix"),
    [
        ("https://verify.gbnpolice.in/", "PSC1:"),  # PSC1 fits version 13: earlier verifiers read it
    ],
)
def test_issue_writes_the_compact_form_only_when_the_link_needs_it(
    run_cli: Any,
    trust_env: DataDir,
    hq_env: DataDir,
    certifiable: str,
    auditor_key: SigningKey,
    tmp_path: Path,
    base_url: str,
    prefix: str,
) -> None:
    from inspector.certificates import qr

    code, _, err = run_cli(
        "--data-dir", hq_env.root, "hq", "publish-verifier", "-o", tmp_path / "site", "--base-url", base_url
    )
    assert code == 0, err
    assert run_cli("--data-dir", hq_env.root, "hq", "trustlist", "-o", tmp_path / "tl.json")[0] == 0
    assert run_cli("--data-dir", trust_env.root, "trust", "install", tmp_path / "tl.json")[0] == 0
    issued = issue_certificate(trust_env, certifiable, auditor_key)
    assert issued.body.payload.startswith(prefix)
    assert qr.qr_version(issued.qr_text) <= 13
    png = write_outputs(issued.body, issued.envelope, tmp_path / "out", formats=("png",))["png"]
    grant_at_hq(trust_env, hq_env, certifiable)
    code, out, _ = run_cli("--data-dir", trust_env.root, "verify", "--image", png)
    assert code == 0 and "Kotwali Sector 39 (GBN-S39)" in out


def test_the_compact_form_is_chosen_only_where_no_psc1_form_fits_version_13(issued: Any) -> None:
    """Over links of growing length: PSC1 (which earlier verifiers read) whenever any of its
    variants fits version 13, PSC2 only where none does, and some links fit only as PSC2."""
    from inspector.certificates import psc1, qr
    from inspector.certificates.issue import _fitting
    from inspector.certificates.links import link_text

    claims = psc1.parse_claims(psc1.decode(issued.body.payload).payload)
    bare = claims.model_copy(update={"audit_type": None, "audit_date": None})
    compact_only = 0
    for extra in range(0, 30):
        url = "https://verify.uppolice.gov.in/" + "c" * extra + "/"
        psc1_fits = any(
            qr.qr_version(link_text(url, psc1.PREFIX + "A" * (psc1.text_length(v) - len(psc1.PREFIX)))) <= 13
            for v in (claims, bare)
        )
        try:
            variant, compact = _fitting(claims, url)
        except UserError:
            break
        if psc1_fits:
            assert not compact, url
        elif compact:
            length = psc1.text_length(variant, compact=True)
            sample = psc1.PREFIX_COMPACT + "A" * (length - len(psc1.PREFIX_COMPACT))
            compact_only += qr.qr_version(link_text(url, sample)) <= 13
    assert compact_only >= 1  # links that only the compact form keeps within version 13


def test_too_long_verify_url_is_refused(run_cli: Any, hq_env: DataDir, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "--data-dir",
        hq_env.root,
        "hq",
        "publish-verifier",
        "-o",
        tmp_path / "s",
        "--base-url",
        "https://a-very-long-verification-portal.uppolice.gov.in/certificates/verify/",
    )
    assert code == 2 and "too long" in err
    code, _, err = run_cli(
        "--data-dir",
        hq_env.root,
        "hq",
        "publish-verifier",
        "-o",
        tmp_path / "s",
        "--base-url",
        "http://insecure.example/",
    )
    assert code == 2 and "https" in err


def test_cli_verifies_a_degraded_phone_photo_of_the_printed_code(
    run_cli: Any, trust_env: DataDir, hq_env: DataDir, issued: Any, tmp_path: Path
) -> None:
    from inspector.certificates import qr

    grant_at_hq(trust_env, hq_env, issued.body.audit_id)
    photo = tmp_path / "phone-photo.jpg"
    photo.write_bytes(degraded_photo(qr.png_bytes(issued.qr_text, box_size=8), angle=14, seed=3))
    code, out, err = run_cli("--data-dir", trust_env.root, "verify", "--image", photo)
    assert code == 0, out + err
    assert out.startswith("VALID") and "(GBN-S39)" in out
