"""``records.jsonl`` is written into the bundle a few hundred lines at a time, never as one
string: the lines are the stored envelopes exactly (keys in the model's order), however they
fall into chunks, and a stored envelope of the wrong shape stops the export before any file."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import inspector.bundle.export as export
import inspector.store.record_store as record_store
from inspector.audit.layout import RECORDS as RECORDS_TABLE
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.errors import UserError
from inspector.store.errors import StorageDamaged
from inspector.store.record_store import RecordStore
from inspector.trust.store import TrustStore
from tests.helpers import MINI_ANSWERS, audit_store, rewrite_records, stored_records, stored_seal, zip_members


def _lines(docs: list[dict[str, Any]]) -> bytes:
    return "".join(
        json.dumps(
            {"kid": d["kid"], "payload": d["payload"], "sig": d["sig"]}, ensure_ascii=False, separators=(",", ":")
        )
        + "\n"
        for d in docs
    ).encode("utf-8")


@pytest.mark.parametrize("per_write", [1, 2, 512])
def test_records_are_the_stored_envelopes_one_a_line_in_any_chunking(
    audit_service: Any, closed_audit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_write: int
) -> None:
    monkeypatch.setattr(export, "_LINES_PER_WRITE", per_write)
    out = tmp_path / f"bundle-{per_write}.zip"
    result = export.export_audit(audit_service, closed_audit, out, None)
    docs = stored_records(audit_service, closed_audit)
    with zipfile.ZipFile(out) as archive:
        assert archive.read("records.jsonl") == _lines(docs)
        assert archive.getinfo("records.jsonl").compress_type == zipfile.ZIP_DEFLATED
    assert result.records == len(docs)
    with BundleReader(out) as reader:
        report = verify_bundle(reader, TrustStore(audit_service.data.root).trustlist())
    assert report.ok, report.problems


def test_a_stored_envelope_of_the_wrong_shape_stops_the_export(
    audit_service: Any, closed_audit: str, tmp_path: Path
) -> None:
    docs, seal = stored_records(audit_service, closed_audit), stored_seal(audit_service, closed_audit)
    docs[2] = {**docs[2], "extra": "x"}
    rewrite_records(audit_service, closed_audit, docs, seal)
    out = tmp_path / "damaged.zip"
    with pytest.raises(UserError, match=r"record 3\b"):  # found when the audit is opened, or by the export
        export.export_audit(audit_service, closed_audit, out, None)
    assert not out.exists()


# --------------------------------------------------------------------------- the store read
# The export reads the records with ``RecordStore.iter_raw`` (the journal a piece at a time,
# no copies) where it used ``RecordStore.all``: the bundle's records are the same bytes, and a
# store damaged behind its checkpoint is refused with the same error.


def _long_closed_audit(service: Any, key: Any, audit_id: str, rounds: int = 8) -> str:
    """An audit with revisions of every finding, closed: its store is left with a checkpoint
    (records on disk) and is longer than the 4 KB of its end the checkpoint checks."""
    photo = service.data.root / "minor-evidence.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 the register page")
    with service.open(audit_id, key=key) as audit:
        for n in range(rounds):
            for item, (status, note, reason) in MINI_ANSWERS.items():
                minor = status == "minor"
                audit.record(
                    item,
                    status,
                    note=f"{note or 'checked'} #{n}",
                    evidence=[photo] if minor else [],
                    reason=reason,
                    due="2099-03-31" if minor else None,
                )
        audit.close()
    return audit_id


def _export_both_ways(service: Any, audit_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Export with the stream and with the old ``all()`` read: each a zip's members, or the error."""
    results: list[Any] = []
    for name, patch in (("stream", False), ("all", True)):
        with monkeypatch.context() as m:
            if patch:
                m.setattr(RecordStore, "iter_raw", lambda self, table: iter(self.all(table)))
            out = tmp_path / f"{name}.zip"
            try:
                export.export_audit(service, audit_id, out, None)
            except Exception as exc:
                assert not out.exists()
                results.append((type(exc), str(exc)))
                continue
            results.append(zip_members(out))
    return results


def test_the_streamed_read_exports_the_bytes_the_old_read_exported(
    audit_service: Any, auditor_key: Any, open_audit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_id = _long_closed_audit(audit_service, auditor_key, open_audit)
    streamed: list[str] = []
    real = record_store._replay_table
    monkeypatch.setattr(record_store, "_replay_table", lambda *a: streamed.append(a[-1]) or real(*a))
    stream, old = _export_both_ways(audit_service, audit_id, tmp_path, monkeypatch)
    assert streamed == [RECORDS_TABLE], "the records were read from the journal, a piece at a time"
    assert stream["records.jsonl"] == old["records.jsonl"] == _lines(stored_records(audit_service, audit_id))
    assert stream["records.jsonl"].count(b"\n") == 1 + 8 * len(MINI_ANSWERS) + 1  # opened, revisions, closed
    manifests = [json.loads(members.pop("manifest.json")) for members in (stream, old)]
    assert [{k: v for k, v in m.items() if k != "exported"} for m in manifests] == [
        {k: v for k, v in manifests[1].items() if k != "exported"}
    ] * 2
    assert stream == old


@pytest.mark.parametrize("flip", ["checksum", "content"])
def test_a_store_damaged_behind_its_checkpoint_is_refused_as_before(
    audit_service: Any, auditor_key: Any, open_audit: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flip: str
) -> None:
    audit_id = _long_closed_audit(audit_service, auditor_key, open_audit)
    path = audit_store(audit_service, audit_id)
    lines = path.read_bytes().split(b"\n")
    line = lines[3]  # an early record, far from the end the checkpoint checks
    if flip == "checksum":
        lines[3] = line[:-2] + bytes([line[-2] ^ 1]) + line[-1:]
    else:  # checksum recomputed: a well-framed line whose record number is wrong
        payload = line[17:].replace(b'"seq":3', b'"seq":9', 1)
        assert payload != line[17:]
        lines[3] = hashlib.sha256(payload).hexdigest()[:16].encode() + b" " + payload
    path.write_bytes(b"\n".join(lines))
    streamed: list[str] = []
    real = record_store._replay_table
    monkeypatch.setattr(record_store, "_replay_table", lambda *a: streamed.append(a[-1]) or real(*a))
    stream, old = _export_both_ways(audit_service, audit_id, tmp_path, monkeypatch)
    assert streamed == [RECORDS_TABLE], "the audit opened (from its checkpoint); the export's read found it"
    assert stream == old
    assert stream[0] is StorageDamaged and "line 4" in stream[1]
