"""``records.jsonl`` is written into the bundle a few hundred lines at a time, never as one
string: the lines are the stored envelopes exactly (keys in the model's order), however they
fall into chunks, and a stored envelope of the wrong shape stops the export before any file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import inspector.bundle.export as export
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.errors import UserError
from inspector.trust.store import TrustStore
from tests.helpers import rewrite_records, stored_records, stored_seal


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
