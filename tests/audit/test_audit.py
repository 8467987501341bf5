"""The audit service: opening, recording, revising, evidence, scoring, closing, the index."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from inspector.audit.audit import FindingInput
from inspector.audit.csv_import import load_findings_csv
from inspector.audit.decision import Decision
from inspector.audit.scoring import FindingStatus
from inspector.audit.service import AuditService
from inspector.audit.verify import verify_local
from inspector.crypto.digests import merkle_root
from inspector.crypto.signing import Domain, Envelope, SigningKey
from inspector.errors import UserError
from tests.helpers import (
    AUDITOR_ID,
    MINI_ANSWERS,
    MINI_CHECKLIST,
    rewrite_records,
    stored_records,
    stored_seal,
)


def test_new_audit_writes_a_signed_opening_record(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey
) -> None:
    folder = audit_service.data.audit_dir(open_audit)
    assert (folder / "checklist.toml").read_bytes() == MINI_CHECKLIST.read_bytes()
    with audit_service.open(open_audit, writable=False) as audit:
        opened = audit.opened
        assert opened.station.code == "GBN-S39" and opened.audit_type.value == "certification"
        assert opened.auditor.kid == auditor_key.public.kid_hex and opened.auditor.id == AUDITOR_ID
        assert opened.checklist.hash == audit.checklist.content_hash
        envelope = audit.envelopes[0]
        assert auditor_key.public.verify(Domain.FINDING, envelope.payload_bytes, envelope.signature())
    [row] = audit_service.list_audits()
    assert row.id == open_audit and row.status == "open" and row.progress == {"answered": 0, "total": 5}


@pytest.mark.parametrize(
    ("station", "checklist", "kind", "message"),
    [
        ("XX-99", MINI_CHECKLIST, "certification", "unknown station 'XX-99'"),
        ("GBN-S39", Path("/nonexistent/list.toml"), "certification", "no such file"),
        ("GBN-S39", MINI_CHECKLIST, "stage3", "unknown audit type 'stage3'"),
    ],
)
def test_new_audit_refuses_bad_input_and_writes_nothing(
    audit_service: AuditService, auditor_key: SigningKey, station: str, checklist: Path, kind: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        audit_service.new_audit(station, checklist, kind, auditor_key, AUDITOR_ID)
    assert not audit_service.data.audits.exists() or not any(audit_service.data.audits.iterdir())


def test_record_revise_and_history(audit_service: AuditService, open_audit: str, auditor_key: SigningKey) -> None:
    with audit_service.open(open_audit, key=auditor_key) as audit:
        first = audit.record("WHD-01", "minor", note="desk empty at 11:00", due="2099-01-31")
        second = audit.record("WHD-01", "conform")
        assert (first.revision, second.revision) == (1, 2)
        assert audit.latest()["WHD-01"].status is FindingStatus.CONFORM
        assert second.note == "desk empty at 11:00"  # the note carries over unless replaced
        assert second.due is None  # a due date only belongs to a nonconformity
        assert [f.status.value for f in audit.history("WHD-01")] == ["minor", "conform"]
    with audit_service.open(open_audit, writable=False) as audit:
        history = audit.history("WHD-01")
        assert [f.seq for f in history] == [2, 3]
        # The revision points at the record it replaces.
        payloads = [Envelope.model_validate(doc).payload for doc in audit.envelope_docs()]
        assert first.record_id in payloads[2]


def test_downgrading_a_critical_item_needs_a_reason(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    photo = tmp_path / "p.png"
    photo.write_bytes(b"png")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        with pytest.raises(UserError, match="MAL-01 is critical.*needs a written reason"):
            audit.record("MAL-01", "minor", note="n", evidence=[photo])
        finding = audit.record("MAL-01", "minor", note="n", evidence=[photo], reason="found in annexe")
        assert finding.reason == "found in annexe"
        major = audit.record("MAL-01", "major")  # upgrading needs no reason
        assert major.status is FindingStatus.MAJOR and major.evidence == finding.evidence


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (FindingInput("MAL-99", "conform"), "unknown item 'MAL-99'.*did you mean"),
        (FindingInput("MAL-02", "excellent"), "unknown status 'excellent'"),
        (FindingInput("MAL-02", "minor"), "MAL-02: a minor nonconformity needs a note"),
        (FindingInput("MAL-01", "major", note="n"), "MAL-01: a major nonconformity needs an evidence file"),
        (FindingInput("MAL-03", "minor", due="31-01-2099"), "not a date YYYY-MM-DD"),
        (FindingInput("MAL-03", "minor", due="2000-01-01"), "before the audit was opened"),
        (FindingInput("MAL-03", "conform", due="2099-01-01"), "only for nonconformities"),
        (
            FindingInput("MAL-03", "conform", evidence=("/nonexistent/photo.jpg",)),
            "evidence file /nonexistent/photo.jpg: no such file",
        ),
        (FindingInput("MAL-03", "conform", note="\u093f starts with a matra"), "begins with a combining mark"),
        (FindingInput("MAL-03", "conform", note="x" * 5000), "longer than 4000"),
    ],
)
def test_bad_findings_are_refused_and_nothing_is_written(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, row: FindingInput, message: str
) -> None:
    with audit_service.open(open_audit, key=auditor_key) as audit:
        with pytest.raises(UserError, match=message):
            audit.record_many([FindingInput("WHD-02", "conform"), row])
        assert audit.latest() == {}
    assert len(stored_records(audit_service, open_audit)) == 1
    evidence = audit_service.data.audit_dir(open_audit) / "evidence"
    assert not evidence.exists() or not any(evidence.iterdir())


def test_evidence_is_copied_under_its_hash(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    content = b"\x89PNG photo of the malkhana register" * 1000
    photo = tmp_path / "रजिस्टर.png"
    photo.write_bytes(content)
    copy = tmp_path / "same-again.png"
    copy.write_bytes(content)
    with audit_service.open(open_audit, key=auditor_key) as audit:
        finding = audit.record("MAL-01", "major", note="3 entries missing", evidence=[photo, copy])
    [ref] = finding.evidence  # the same content is kept once
    assert ref.sha256 == hashlib.sha256(content).hexdigest()
    assert ref.size == len(content) and ref.media_type == "image/png" and ref.name == "रजिस्टर.png"
    stored = audit_service.data.audit_dir(open_audit) / "evidence" / ref.sha256
    assert stored.read_bytes() == content
    assert [p.name for p in stored.parent.iterdir()] == [ref.sha256]  # no temp files left


def test_a_failed_write_leaves_no_evidence_behind(
    audit_service: AuditService,
    open_audit: str,
    auditor_key: SigningKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"jpeg")
    with audit_service.open(open_audit, key=auditor_key) as audit:

        def fail(*_args: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(audit.store, "append_many", fail)
        with pytest.raises(OSError):
            audit.record("MAL-01", "major", note="n", evidence=[photo])
        assert audit.latest() == {}
    assert not any((audit_service.data.audit_dir(open_audit) / "evidence").iterdir())


def test_record_many_is_one_append(audit_service: AuditService, open_audit: str, auditor_key: SigningKey) -> None:
    rows = [
        FindingInput(item, status, note, reason=reason, due="2099-01-01" if status == "minor" else None)
        for item, (status, note, reason) in MINI_ANSWERS.items()
        if item != "MAL-01"
    ]
    with audit_service.open(open_audit, key=auditor_key) as audit:
        findings = audit.record_many(rows)
        assert [f.seq for f in findings] == [2, 3, 4, 5]
        assert audit.score().answered == 4


def test_closing_needs_every_item_and_seals_the_findings(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("MAL-02", "conform")
        with pytest.raises(
            UserError, match=r"cannot close audit .*: 4 of 5 items unanswered \(MAL-01, MAL-03, WHD-01, WHD-02\)"
        ):
            audit.close()
        photo = tmp_path / "p.jpg"
        photo.write_bytes(b"jpeg")
        audit.record("MAL-01", "major", note="n", evidence=[photo])
        for item in ("MAL-03", "WHD-01", "WHD-02"):
            audit.record(item, "conform")
        latest = audit.latest()
        seal = audit.close()
        assert seal.findings_root == merkle_root([bytes.fromhex(latest[i].digest) for i in audit.checklist.items])
        assert seal.findings_root == audit.findings_root() and len(seal.qr_root) == 16
        assert seal.payload.head == audit.state.head and seal.payload.seq == 7
        # 9 of 14 weight is 64%, but the score decides nothing: the major awaits its follow-up.
        assert seal.payload.percent == 64
        assert seal.payload.decision == audit.decision().code.value == Decision.CORRECTIVE_ACTION_PENDING.value
        assert auditor_key.public.verify(Domain.SEAL, seal.envelope.payload_bytes, seal.envelope.signature())
        assert not auditor_key.public.verify(Domain.FINDING, seal.envelope.payload_bytes, seal.envelope.signature())
        with pytest.raises(UserError, match="is closed"):
            audit.record("MAL-02", "minor", note="late")
    [row] = audit_service.list_audits()
    assert row.status == "closed" and row.closed is not None and row.score == 64
    assert verify_local(audit_service, open_audit, None).ok


def test_an_interrupted_close_is_completed(
    audit_service: AuditService, closed_audit: str, auditor_key: SigningKey
) -> None:
    [seal] = stored_seal(audit_service, closed_audit)
    # The records without their seal: what a crash between the two writes of close() leaves.
    rewrite_records(audit_service, closed_audit, stored_records(audit_service, closed_audit))
    with audit_service.open(closed_audit, key=auditor_key) as audit:
        assert audit.is_closed and audit.seal() is None
        again = audit.close()
    assert again.envelope.model_dump() == seal  # Ed25519 is deterministic: the same seal
    assert verify_local(audit_service, closed_audit, None).ok


def test_cursor_lives_in_the_index_not_in_the_chain(audit_service: AuditService, open_audit: str) -> None:
    audit_service.set_cursor(open_audit, "WHD-01")
    assert audit_service.cursor(open_audit) == "WHD-01"
    assert len(stored_records(audit_service, open_audit)) == 1
    with pytest.raises(UserError, match="unknown item 'NOPE-1'"):
        audit_service.set_cursor(open_audit, "NOPE-1")
    [row] = audit_service.list_audits()
    assert row.cursor == "WHD-01"


def test_index_is_rebuilt_when_missing(audit_service: AuditService, closed_audit: str) -> None:
    (audit_service.data.audits / "index.json").unlink()
    [row] = audit_service.list_audits()
    assert row.id == closed_audit and row.status == "closed" and row.progress == {"answered": 5, "total": 5}


def test_audit_ids_resolve_by_unique_prefix(audit_service: AuditService, open_audit: str) -> None:
    assert audit_service.resolve(open_audit[:6]) == open_audit
    with pytest.raises(UserError, match="too short"):
        audit_service.resolve(open_audit[:2])
    with pytest.raises(UserError, match="unknown audit"):
        audit_service.resolve("ffffffffffff" if not open_audit.startswith("ff") else "eeeeeeeeeeee")
    with pytest.raises(UserError, match="unknown audit"):
        audit_service.resolve("../../etc")


def test_another_auditors_key_cannot_write(audit_service: AuditService, open_audit: str) -> None:
    with pytest.raises(UserError, match="was opened by auditor AUD-017"):
        audit_service.open(open_audit, key=SigningKey.generate())


def test_read_only_audits_refuse_writes(audit_service: AuditService, open_audit: str, auditor_key: SigningKey) -> None:
    with audit_service.open(open_audit, writable=False, key=auditor_key) as audit:
        with pytest.raises(UserError, match="read-only"):
            audit.record("MAL-02", "conform")


def test_backwards_clock_is_a_warning(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspector.audit.audit as audit_module

    with audit_service.open(open_audit, key=auditor_key) as audit:
        monkeypatch.setattr(audit_module, "now_text", lambda: "2020-01-01T00:00:00Z")
        audit.record("MAL-02", "conform")
    with audit_service.open(open_audit, writable=False) as audit:
        [warning] = audit.clock_warnings()
        assert "record 2 (finding MAL-02" in warning and "clock ran backwards" in warning
    report = verify_local(audit_service, open_audit, None)
    assert report.ok and any("clock ran backwards" in w for w in report.warnings)


def test_findings_csv(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(
        '\ufeffitem,status,note,evidence,due\nMAL-01,major,"multi\nline",a.jpg; b.jpg,2099-01-01\n\nWHD-02,conform,,,\n'.encode(
            "utf-8"
        )
    )
    first, second = load_findings_csv(path)
    assert first.item == "MAL-01" and first.note == "multi\nline" and first.where == f"{path} line 2"
    assert list(first.evidence) == [tmp_path / "a.jpg", tmp_path / "b.jpg"] and first.due == "2099-01-01"
    assert second.where == f"{path} line 5" and second.note is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("item,status\nMAL-01,conform\n", "line 1: missing column 'note'"),
        ("item,status,note,colour\n", "line 1: unknown column 'colour'"),
        ("item,status,note\n", "no findings"),
        ("item,status,note\nMAL-01,conform\n", "line 2: 2 fields, the header has 3"),
    ],
)
def test_malformed_csv_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_findings_csv(path)


def test_csv_content_errors_name_the_line(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("item,status,note\nMAL-02,conform,\nMAL-03,sort-of,\n", encoding="utf-8")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        with pytest.raises(UserError, match=r"rows.csv line 3: unknown status 'sort-of'"):
            audit.record_many(load_findings_csv(path))
    assert len(stored_records(audit_service, open_audit)) == 1


def test_attaching_evidence_is_a_revision_that_keeps_the_finding(
    audit_service: AuditService, open_audit: str, auditor_key: SigningKey, tmp_path: Path
) -> None:
    scan = tmp_path / "duty-roster.pdf"
    scan.write_bytes(b"%PDF-1.4 roster")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        with pytest.raises(UserError, match="record a finding before attaching"):
            audit.attach("WHD-01", [scan])
        audit.record("WHD-01", "minor", note="no woman officer at 14:00", due="2099-02-01")
        attached = audit.attach("WHD-01", [scan])
    assert attached.revision == 2 and attached.status is FindingStatus.MINOR
    assert attached.note == "no woman officer at 14:00" and attached.due == "2099-02-01"
    assert [ref.media_type for ref in attached.evidence] == ["application/pdf"]
