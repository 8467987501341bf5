"""Bundles: export, verification of what is inside, and safe zip reading.

What HQ does with a bundle (the import and its register) is specified in tests/hq/test_intake.py.
"""

from __future__ import annotations

import json
import stat
import warnings
import zipfile
from pathlib import Path

import pytest

from inspector.audit.service import AuditService
from inspector.bundle.export import export_audit
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import write_zip, zip_members


def _rezip(bundle: Path, members: dict[str, bytes]) -> Path:
    return write_zip(bundle.with_name("tampered.zip"), members)


def _check(path: Path, data: DataDir) -> list[str]:
    with BundleReader(path) as reader:
        return verify_bundle(reader, TrustStore(data.root).trustlist()).problems


def test_export_holds_records_seal_checklist_trust_and_evidence(
    bundle: Path, audit_service: AuditService, closed_audit: str
) -> None:
    members = zip_members(bundle)
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
    first, second = zip_members(bundle), zip_members(again)
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
    assert zip_members(out)["certificates/ABCDEFGHIJKLMNOP.json"] == b'{"cert": 1}'


def test_one_character_of_a_note_changed_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = zip_members(bundle)
    members["records.jsonl"] = members["records.jsonl"].replace(b"not traceable", b"not traceablE", 1)
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(p.startswith("record 2 (finding MAL-01") and "bad signature" in p for p in problems), problems


def test_a_swapped_evidence_file_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = zip_members(bundle)
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
        (lambda lines: lines + [lines[-1]], "appears twice (duplicated record)"),
        (lambda lines: lines[:3] + ["{not json"] + lines[4:], "records.jsonl line 4"),
    ],
)
def test_records_deleted_reordered_or_added_in_the_bundle_are_named(
    bundle: Path, audit_service: AuditService, edit: object, expected: str
) -> None:
    members = zip_members(bundle)
    lines = members["records.jsonl"].decode().splitlines()
    members["records.jsonl"] = ("\n".join(edit(lines)) + "\n").encode()  # type: ignore[operator]
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(expected in p for p in problems), problems


def test_a_changed_checklist_in_the_bundle_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = zip_members(bundle)
    members["checklist.toml"] = members["checklist.toml"].replace(b"pass_threshold = 85", b"pass_threshold = 90")
    problems = _check(_rezip(bundle, members), audit_service.data)
    assert any(p.startswith("checklist: ") and "changed" in p for p in problems), problems


def test_a_removed_seal_is_named(bundle: Path, audit_service: AuditService) -> None:
    members = zip_members(bundle)
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


def test_every_follow_up_record_in_the_bundle_is_covered(
    audit_service: AuditService, closed_audit: str, auditor_key: object, tmp_path: Path
) -> None:
    """Plans, verifications and meetings after the seal travel in the bundle; changing any one of
    them is caught and that record is named; the seal is the one the audit was closed with."""
    from datetime import date, timedelta

    before = tmp_path / "before.zip"
    export_audit(audit_service, closed_audit, before, None)
    with audit_service.open(closed_audit, key=auditor_key) as audit:  # type: ignore[arg-type]
        sealed = audit.state.seq
        audit.meeting("closing", ["Sunita Devi, Lead Auditor"], acknowledged_by="Ravi Kumar, Inspector")
        audit.respond(
            "MAL-01",
            correction="entries traced",
            root_cause="no check of the register",
            action="a monthly check",
            owner="Ravi Kumar, SI",
            due=(date.today() + timedelta(days=30)).isoformat(),
        )
        audit.follow_up("MAL-01", effective=True, note="register and shelf agree", method="on-site")
    after = tmp_path / "after.zip"
    result = export_audit(audit_service, closed_audit, after, None)
    assert result.records == sealed + 3
    old, new = zip_members(before), zip_members(after)
    assert new["seal.json"] == old["seal.json"]
    assert new["records.jsonl"].startswith(old["records.jsonl"])
    with BundleReader(after) as reader:
        report = verify_bundle(reader, TrustStore(audit_service.data.root).trustlist())
    assert report.ok, report.problems
    assert (report.records, report.sealed_records) == (sealed + 3, sealed)
    assert report.decision is not None and report.decision.code.value == "recommend-certification"
    lines = new["records.jsonl"].decode().splitlines()
    for position, label, old_text, new_text in (
        (sealed + 1, "closing meeting", "Ravi Kumar", "Ravi Kumaar"),
        (sealed + 2, "response MAL-01", "a monthly check", "a yearly check"),
        (sealed + 3, "follow-up MAL-01", "shelf agree", "shelf disagree"),
    ):
        doc = json.loads(lines[position - 1])
        assert old_text in doc["payload"]
        doc["payload"] = doc["payload"].replace(old_text, new_text, 1)
        changed = lines[: position - 1] + [json.dumps(doc, ensure_ascii=False)] + lines[position:]
        members = dict(new, **{"records.jsonl": ("\n".join(changed) + "\n").encode()})
        problems = _check(_rezip(after, members), audit_service.data)
        assert any(p.startswith(f"record {position} ({label}") and "bad signature" in p for p in problems), problems
    # A follow-up record removed from the middle breaks the chain there.
    dropped = lines[: sealed + 1] + lines[sealed + 2 :]
    problems = _check(
        _rezip(after, dict(new, **{"records.jsonl": ("\n".join(dropped) + "\n").encode()})), audit_service.data
    )
    assert any("is missing (deleted?)" in p for p in problems), problems
