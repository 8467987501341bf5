"""HQ reads each byte of a bundle once: an evidence file is staged while verification hashes it,
the records and checklist that verification parsed are what the register keeps (not a second
parse), and every check still holds (an altered evidence file is refused, nothing kept)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.hq.intake import ImportRefused, import_bundle, registered
from inspector.hq.register import files_dir
from inspector.hq.register.derive import derive
from inspector.paths import DataDir
from inspector.trust.store import TrustStore
from tests.helpers import write_zip, zip_members


def _files(data: DataDir) -> list[Path]:
    root = files_dir(data)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_each_evidence_file_is_read_once_by_an_import(
    bundle: Path, hq_env: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: Counter[str] = Counter()
    chunks = BundleReader._chunks

    def counting(self: BundleReader, name: str) -> Iterator[bytes]:
        reads[name] += 1  # counted when the bytes are read, not when a reader is merely made
        yield from chunks(self, name)

    monkeypatch.setattr(BundleReader, "_chunks", counting)
    result = import_bundle(hq_env, bundle)
    evidence = {name: count for name, count in reads.items() if name.startswith("evidence/")}
    assert evidence and all(count == 1 for count in evidence.values()), evidence
    assert reads["records.jsonl"] == 1 and reads["checklist.toml"] == 1
    assert result.status == "imported"


def test_an_evidence_file_altered_in_the_bundle_is_refused_and_nothing_is_kept(bundle: Path, hq_env: DataDir) -> None:
    members = zip_members(bundle)
    [name] = [n for n in members if n.startswith("evidence/")]
    members[name] = members[name] + b"!"
    with pytest.raises(ImportRefused) as caught:
        import_bundle(hq_env, write_zip(bundle.with_name("altered.zip"), members))
    assert any("does not match its hash" in reason for reason in caught.value.reasons)
    assert registered(hq_env) == [] and _files(hq_env) == []


def test_the_register_keeps_what_a_second_parse_of_the_bundle_would_give(bundle: Path, hq_env: Any) -> None:
    trust = TrustStore(hq_env.root).trustlist()
    with BundleReader(bundle) as reader:
        report = verify_bundle(reader, trust)
        assert report.ok and report.chain is not None
        reused, parsed = derive(reader, report), derive(reader)
    assert reused.digests == parsed.digests and reused.stored() == parsed.stored()
    assert (reused.findings, reused.evidence, reused.answered, reused.na) == (
        parsed.findings,
        parsed.evidence,
        parsed.answered,
        parsed.na,
    )
    assert reused.checklist == parsed.checklist and reused.checklist is not None
