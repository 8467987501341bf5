"""Bundles: export, verification of what is inside, safe zip reading, and the HQ import."""

from __future__ import annotations

import json
import shutil
import stat
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import MINI_ANSWERS

from inspector.audit.service import AuditService
from inspector.bundle.export import export_audit
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.hq.intake import ImportRefused, import_bundle, register_path, registered
from inspector.paths import DataDir
from inspector.trust.store import TrustStore


@pytest.fixture
def bundle(audit_service: AuditService, closed_audit: str, tmp_path: Path) -> Path:
    out = tmp_path / "audit.zip"
    export_audit(audit_service, closed_audit, out, TrustStore(audit_service.data.root).trustlist_bytes())
    return out


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _rezip(path: Path, members: dict[str, bytes] | list[tuple[str, bytes]], out: Path | None = None) -> Path:
    out = out or path.with_name("tampered.zip")
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests write
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in items:
                archive.writestr(name, data)
    return out


def _check(path: Path, data: DataDir) -> list[str]:
    with BundleReader(path) as reader:
        return verify_bundle(reader, TrustStore(data.root).trustlist()).problems


def test_export_holds_records_seal_checklist_trust_and_evidence(
    bundle: Path, audit_service: AuditService, closed_audit: str
) -> None:
    members = _members(bundle)
    folder = audit_service.data.audit_dir(closed_audit)
    [evidence] = [name for name in members if name.startswith("evidence/")]
    assert sorted(set(members) - {evidence}) == [
        "checklist.toml",
        "manifest.json",
        "records.jsonl",
        "seal.json",
        "trustlist.json",
    ]
    assert members["checklist.toml"] == (folder / "checklist.toml").read_bytes()
    assert members["trustlist.json"] == TrustStore(audit_service.data.root).trustlist_bytes()
    with audit_service.open(closed_audit, writable=False) as audit:
        stored = audit.envelope_docs()
    assert [json.loads(line) for line in members["records.jsonl"].decode().splitlines()] == stored
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "inspector-bundle/v1" and manifest["audit"] == closed_audit and manifest["sealed"]
    assert _check(bundle, audit_service.data) == []


def test_export_is_deterministic_apart_from_the_manifest_time(
    bundle: Path, audit_service: AuditService, closed_audit: str, tmp_path: Path
) -> None:
    again = tmp_path / "again.zip"
    export_audit(audit_service, closed_audit, again, TrustStore(audit_service.data.root).trustlist_bytes())
    first, second = _members(bundle), _members(again)
    first.pop("manifest.json"), second.pop("manifest.json")
    assert first == second


def test_export_refuses_to_overwrite(bundle: Path, audit_service: AuditService, closed_audit: str) -> None:
    with pytest.raises(UserError, match="already exists"):
        export_audit(audit_service, closed_audit, bundle, None)


def test_certificates_travel_in_the_bundle(audit_service: AuditService, closed_audit: str, tmp_path: Path) -> None:
    certs = audit_service.data.audit_dir(closed_audit) / "certificates"
    certs.mkdir()
    (certs / "ABCDEFGHIJKLMNOP.json").write_text('{"cert": 1}', encoding="utf-8")
    out = tmp_path / "with-cert.zip"
    result = export_audit(audit_service, closed_audit, out, None)
    assert result.certificates == 1
    assert _members(out)["certificates/ABCDEFGHIJKLMNOP.json"] == b'{"cert": 1}'


def test_one_character_of_a_note_changed_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = _members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(p.startswith("record 2 (finding MAL-01") and "bad signature" in p for p in problems), problems


def test_a_swapped_evidence_file_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = _members(bundle)
    [name] = [n for n in members if n.startswith("evidence/")]
    members[name] = b"another photo entirely"
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(p.startswith("record 2 (finding MAL-01") and "does not match its hash" in p for p in problems), problems
    del members[name]
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any("record 2 (finding MAL-01" in p and "missing from the bundle" in p for p in problems), problems


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda lines: lines[:2] + lines[3:], "record seq 3 is missing"),
        (lambda lines: lines[:2] + [lines[3], lines[2]] + lines[4:], "position 3"),
        (lambda lines: lines + [lines[-1]], "seal: covers 7 records but 8 are present"),
        (lambda lines: lines[:3] + ["{not json"] + lines[4:], "records.jsonl line 4"),
    ],
)
def test_records_deleted_reordered_or_added_in_the_bundle_are_named(
    bundle: Path, audit_service: AuditService, edit: object, expected: str
) -> None:
    members = _members(bundle)
    lines = members["records.jsonl"].decode().splitlines()
    members["records.jsonl"] = ("\n".join(edit(lines)) + "\n").encode()  # type: ignore[operator]
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(expected in p for p in problems), problems


def test_a_changed_checklist_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = _members(bundle)
    members["checklist.toml"] = members["checklist.toml"].replace(b"pass_threshold = 85", b"pass_threshold = 90")
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(p.startswith("checklist: ") and "changed" in p for p in problems), problems


def test_a_removed_seal_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = _members(bundle)
    del members["seal.json"]
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any("its seal is missing" in p for p in problems), problems


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([("../../etc/passwd", b"x")], "unexpected name or path"),
        ([("/abs/records.jsonl", b"x")], "unexpected name or path"),
        ([("evidence/..\\..\\x", b"x")], "unexpected name or path"),
        ([("manifest.json", b"{}"), ("manifest.json", b"{}")], "appears twice"),
        ([("evidence/" + "a" * 64, b"\0" * (2 * 1024 * 1024))], "compression ratio too high"),
        ([("seal.json", b"x" * (65 * 1024))], "too large"),
        ([("records.jsonl", b"")], "not an inspector bundle \\(no manifest.json\\)"),
    ],
)
def test_unsafe_or_foreign_zips_are_refused(tmp_path: Path, members: list[tuple[str, bytes]], message: str) -> None:
    path = tmp_path / "evil.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    with pytest.raises(UserError, match=message):
        with BundleReader(path) as reader:
            verify_bundle(reader, None)


def test_links_in_zips_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("checklist.toml")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(UserError, match="not a regular file"):
        BundleReader(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK but not really")
    with pytest.raises(UserError, match="not a zip file"):
        BundleReader(path)


# ---------------------------------------------------------------------------------------------
# HQ import


def test_import_registers_the_audit_and_keeps_the_bundle(bundle: Path, hq_env: DataDir, closed_audit: str) -> None:
    result = import_bundle(hq_env, bundle)
    assert result.new and result.audit.id == closed_audit and result.audit.trust == "HQ register"
    assert (hq_env.hq_bundles / f"{closed_audit}.zip").read_bytes() == bundle.read_bytes()
    [row] = registered(hq_env)
    assert row.station == "GBN-S39" and row.decision == "not-ready" and row.score == 58  # 7 of 12 weight
    again = import_bundle(hq_env, bundle)
    assert not again.new and len(registered(hq_env)) == 1
    # The HQ key register beside it is untouched.
    assert register_path(hq_env) != hq_env.hq_register and hq_env.hq_register.exists()


def test_import_refuses_a_tampered_bundle_and_writes_nothing(bundle: Path, hq_env: DataDir) -> None:
    members = _members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_env, _rezip(bundle, members))
    assert any("record 2 (finding MAL-01" in reason for reason in caught.value.reasons)
    assert registered(hq_env) == [] and not hq_env.hq_bundles.exists()


def test_import_refuses_an_open_audit(
    audit_service: AuditService, open_audit: str, hq_env: DataDir, tmp_path: Path
) -> None:
    out = tmp_path / "open.zip"
    export_audit(audit_service, open_audit, out, None)
    with pytest.raises(ImportRefused, match="not closed"):
        import_bundle(hq_env, out)


def test_import_refuses_a_second_different_seal_for_one_audit(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, hq_env: DataDir, tmp_path: Path
) -> None:
    folder = audit_service.data.audit_dir(open_audit)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        for item, (status, note, reason) in MINI_ANSWERS.items():
            if item != "MAL-01":
                audit.record(item, status, note=note, reason=reason)
        audit.record("MAL-01", "conform")
    fork = tmp_path / "fork"
    shutil.copytree(folder, fork)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.close()
    first = tmp_path / "first.zip"
    export_audit(audit_service, open_audit, first, None)
    shutil.rmtree(folder)
    shutil.copytree(fork, folder)
    # The index remembers the 7 acknowledged records and would (rightly) call the older copy
    # damaged; forget it, as a second laptop holding the fork would never have known them.
    (audit_service.data.audits / "index.json").unlink()
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("WHD-02", "conform")  # the same audit, closed differently
        audit.close()
    second = tmp_path / "second.zip"
    export_audit(audit_service, open_audit, second, None)
    import_bundle(hq_env, first)
    with pytest.raises(ImportRefused, match="already registered with a different seal"):
        import_bundle(hq_env, second)
    [row] = registered(hq_env)
    assert (hq_env.hq_bundles / row.bundle).read_bytes() == first.read_bytes()


def test_import_on_a_verifier_uses_the_installed_or_the_pinned_trust(
    bundle: Path, trust_env: DataDir, tmp_path: Path
) -> None:
    # A data dir without an HQ key but with the trust list installed (e.g. a zonal office).
    assert import_bundle(trust_env, bundle).audit.trust == "installed trust list"
    # Only the HQ root pinned: the bundle's own trust list is accepted because the root signed it.
    pinned_only = DataDir(tmp_path / "pinned-only")
    shutil.copytree(trust_env.pinned_roots, pinned_only.pinned_roots)
    assert import_bundle(pinned_only, bundle).audit.trust.startswith("bundle's trust list")
    # Nothing at all: refused before anything is checked.
    with pytest.raises(UserError, match="no trust list"):
        import_bundle(DataDir(tmp_path / "empty"), bundle)


def test_import_refuses_audits_signed_by_a_revoked_key(bundle: Path, hq_env: DataDir, auditor_key: SigningKey) -> None:
    from inspector.hq.enrolment import HQ

    HQ(hq_env.root).revoke_key(auditor_key.public.kid_hex, "laptop stolen")
    with pytest.raises(ImportRefused, match="revoked-key"):
        import_bundle(hq_env, bundle)
