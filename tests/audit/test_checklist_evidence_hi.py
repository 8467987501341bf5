"""Evidence to look for in Hindi (issue 14): every shipped item has it entry for entry, a list of
the wrong length is refused naming the item, and it is part of the checklist's identity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspector.audit.checklist import ChecklistInvalid, load_checklist
from tests.helpers import MINI_CHECKLIST as MINI
from tests.helpers import REPO

SHIPPED = REPO / "checklists" / "police-station-iso9001.toml"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
MAL_01_EVIDENCE = 'evidence = ["Malkhana register", "Sealed parcels"]\n'


def variant(tmp_path: Path, extra: str) -> Path:
    text = MINI.read_text(encoding="utf-8")
    assert MAL_01_EVIDENCE in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(MAL_01_EVIDENCE, MAL_01_EVIDENCE + extra, 1), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ChecklistInvalid) as info:
        load_checklist(path)
    return info.value.problems


def test_every_shipped_item_has_its_evidence_in_hindi_entry_for_entry() -> None:
    shipped = load_checklist(SHIPPED)
    assert len(shipped.items) == 163
    for item in shipped.items.values():
        assert item.evidence_hi is not None, item.id
        assert len(item.evidence_hi) == len(item.evidence), item.id
        for entry in item.evidence_hi:
            assert DEVANAGARI.search(entry), (item.id, entry)
        assert [text.en for text in item.evidence_text] == item.evidence
        assert [text.hi for text in item.evidence_text] == item.evidence_hi
    assert shipped.items["MAL-01"].evidence_hi == ["मालखाना रजिस्टर या ई-मालखाना", "दस फर्द जब्ती", "स्कैन किए गए क्यूआर लेबल"]


def test_evidence_hi_of_the_wrong_length_is_refused_naming_the_item(tmp_path: Path) -> None:
    found = problems(variant(tmp_path, 'evidence_hi = ["मालखाना रजिस्टर"]\n'))
    assert len(found) == 1
    assert "item MAL-01" in found[0] and "evidence_hi" in found[0]
    assert "evidence_hi has 1, evidence has 2" in found[0]


def test_evidence_hi_must_be_hindi(tmp_path: Path) -> None:
    found = problems(variant(tmp_path, 'evidence_hi = ["मालखाना रजिस्टर", "Sealed parcels"]\n'))
    assert len(found) == 1 and "item MAL-01" in found[0] and "Devanagari" in found[0]


def test_evidence_hi_is_optional_and_part_of_the_identity(tmp_path: Path) -> None:
    without = load_checklist(MINI)
    assert without.items["MAL-01"].evidence_hi is None
    # Without Hindi the Hindi side says the English rather than nothing.
    assert [text.hi for text in without.items["MAL-01"].evidence_text] == ["Malkhana register", "Sealed parcels"]
    # Absent, it is left out of the content: checklists made before it keep their hash.
    assert all("evidence_hi" not in item for s in without.content()["sections"] for item in s["items"])
    with_hi = load_checklist(variant(tmp_path, 'evidence_hi = ["मालखाना रजिस्टर", "मुहरबंद पार्सल"]\n'))
    assert with_hi.items["MAL-01"].evidence_hi == ["मालखाना रजिस्टर", "मुहरबंद पार्सल"]
    assert with_hi.content_hash != without.content_hash
