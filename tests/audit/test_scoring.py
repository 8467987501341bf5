"""The score (``inspector.audit.scoring``): a measure for HQ's comparisons, as a table.

The score decides nothing (the decision table is tests/audit/test_decision.py); these rows pin
down how it is measured. Every row scores one small checklist with the mini checklist's weights
(tests/data/mini-checklist.toml): critical 5, high 3, medium 2, low 1.

A row's checklist is written one item per word, ``<criticality>:<answer>``: criticality C, H, M
or L; answer conform, observation, na, minor, major, or ``-`` (not answered yet). Items are
numbered MAL-01, MAL-02, ... in the order written; ``|`` starts a second section (WHD-01, ...).

* The score is the conforming weight over the applicable weight. An observation conforms; ``na``
  and unanswered items leave both sides. It is rounded down, so 84.6% is 84.
* The N/A share is the percent of answered items marked N/A, rounded to the nearest.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

import pytest

from inspector.audit.checklist import Checklist, validate_checklist_data
from inspector.audit.scoring import FindingStatus, score
from tests.helpers import MINI_CHECKLIST

LEVELS = {"C": "critical", "H": "high", "M": "medium", "L": "low"}
SECTIONS = [("MAL", "Malkhana", "मालखाना"), ("WHD", "Women help desk", "महिला हेल्प डेस्क")]


def build(spec: str, **rules: int) -> tuple[Checklist, dict[str, FindingStatus]]:
    """A checklist written as ``spec`` (see the module docstring) and its answers."""
    data: dict[str, Any] = tomllib.loads(MINI_CHECKLIST.read_text(encoding="utf-8"))
    data["scoring"].update(rules)
    data["sections"] = []
    statuses: dict[str, FindingStatus] = {}
    for (section_id, en, hi), part in zip(SECTIONS, spec.split("|"), strict=False):
        items = []
        for number, word in enumerate(part.split(), start=1):
            level, answer = word.split(":")
            item_id = f"{section_id}-{number:02d}"
            items.append(
                {
                    "id": item_id,
                    "question": f"Question {item_id}?",
                    "title_hi": "परीक्षण बिंदु",
                    "clauses": ["7.5.3"],
                    "guidance": "Look.",
                    "evidence": ["Register"],
                    "criticality": LEVELS[level],
                }
            )
            if answer != "-":
                statuses[item_id] = FindingStatus(answer)
        data["sections"].append({"id": section_id, "title": {"en": en, "hi": hi}, "items": items})
    return validate_checklist_data(data, "scoring table"), statuses


def conform(level: str, count: int) -> str:
    return f"{level}:conform " * count


@dataclass(frozen=True)
class Row:
    id: str
    spec: str
    percent: int | None
    na_share: int | None


ROWS = [
    Row("all-conform", "C:conform H:conform M:conform L:conform", 100, 0),
    Row("observations-conform", "C:conform H:observation L:observation", 100, 0),
    Row("na-leaves-both-sides", conform("C", 3) + "H:minor M:na", 83, 20),  # 15/18
    Row("minor-on-a-light-item", "H:conform L:minor", 75, 0),  # 3/4
    Row("minor-on-a-heavy-item", "H:minor L:conform", 25, 0),  # 1/4
    Row("major-counts-like-a-minor", "H:major L:conform", 25, 0),
    Row("rounded-down-84.6-is-84", conform("C", 2) + "L:conform M:minor", 84, 0),  # 11/13
    Row("nothing-conforms", "H:minor", 0, 0),
    Row("nothing-answered", "C:- H:- L:-", None, None),
    Row("only-na-answered", "C:na H:na", None, 100),
    Row("one-na-in-113-is-1-percent", conform("L", 56) + "| " + conform("L", 56) + "L:na", 100, 1),
    Row("na-share-of-the-answered", "C:na H:conform L:-", 100, 50),
    Row("sections-add-up", "C:conform H:minor | M:conform L:na", 70, 25),  # 7/10
]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_score(row: Row) -> None:
    checklist, statuses = build(row.spec)
    result = score(checklist, statuses)
    assert (result.percent, result.na_share) == (row.percent, row.na_share)


def test_ids_are_unique() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)


def test_the_counts() -> None:
    checklist, statuses = build("C:minor H:observation M:major C:major | L:na L:- C:conform")
    result = score(checklist, statuses)
    assert (result.majors, result.minors, result.observations, result.na) == (2, 1, 1, 1)
    assert (result.answered, result.total, result.unanswered, result.na_items) == (6, 7, ["WHD-02"], ["WHD-01"])
    assert not result.complete
    assert score(*build("C:conform H:na")).complete


def test_each_section_is_scored_on_its_own() -> None:
    checklist, statuses = build("C:conform H:minor M:major | L:na L:-")
    mal, whd = score(checklist, statuses).sections
    assert (mal.section_id, mal.answered, mal.total, mal.na) == ("MAL", 3, 3, 0)
    assert (mal.applicable_weight, mal.conforming_weight, mal.majors, mal.minors) == (10, 5, 1, 1)
    assert mal.percent == 50
    assert (whd.section_id, whd.answered, whd.total, whd.applicable_weight, whd.na) == ("WHD", 1, 2, 0, 1)
    assert whd.percent is None  # nothing applicable answered yet: no score, not 0%


def test_the_scope_limits_what_is_scored() -> None:
    checklist, statuses = build("C:conform H:minor | M:- L:-")
    only_mal = score(checklist, statuses, sections=["MAL"])
    assert [s.section_id for s in only_mal.sections] == ["MAL"]
    assert (only_mal.total, only_mal.unanswered, only_mal.complete, only_mal.percent) == (2, [], True, 62)
    assert score(checklist, statuses).unanswered == ["WHD-01", "WHD-02"]


def test_answers_for_items_the_checklist_does_not_have_are_ignored() -> None:
    checklist, statuses = build("H:conform L:conform")
    with_stray = score(checklist, {**statuses, "XYZ-01": FindingStatus.MAJOR})
    assert with_stray == score(checklist, statuses)
    assert with_stray.majors == 0


@pytest.mark.parametrize(
    ("status", "nonconformity"),
    [
        (FindingStatus.CONFORM, False),
        (FindingStatus.OBSERVATION, False),  # an opportunity for improvement
        (FindingStatus.NA, False),
        (FindingStatus.MINOR, True),
        (FindingStatus.MAJOR, True),
    ],
    ids=lambda value: value.value if isinstance(value, FindingStatus) else str(value),
)
def test_only_minor_and_major_are_nonconformities(status: FindingStatus, nonconformity: bool) -> None:
    assert status.is_nonconformity is nonconformity
