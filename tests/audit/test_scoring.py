"""The score and the certification decision (``inspector.audit.scoring``), as a table.

Every row scores one small checklist with the mini checklist's rules (tests/data/mini-checklist.toml):

    weights        critical 5, high 3, medium 2, low 1
    pass           85% with no major and at most 1 minor, and no critical item nonconforming
    conditional    70% with at most 1 major

A row's checklist is written one item per word, ``<criticality>:<answer>``: criticality C, H, M
or L; answer conform, observation, na, minor, major, or ``-`` (not answered yet). Items are
numbered MAL-01, MAL-02, ... in the order written; ``|`` starts a second section (WHD-01, ...).

How the rules read, row by row:

* The score is the conforming weight over the applicable weight. An observation conforms; ``na``
  and unanswered items leave both sides. It is rounded down, so 84.6% is 84 and below 85.
* recommend-certification: pass mark met, no major, minors within the limit, no critical item
  graded minor or major. With items still unanswered it is provisional: the decision stands and
  the first reason says how many are left.
* recommend-after-corrective-action: the conditional mark is met and majors are within the
  conditional limit, but something keeps certification back; every such thing is a reason.
* not-ready: below the conditional mark, or too many majors, or nothing applicable answered.
  Its reasons name only what rules out a conditional recommendation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

import pytest

from inspector.audit.checklist import Checklist, validate_checklist_data
from inspector.audit.scoring import Decision, FindingStatus, decide, score
from tests.helpers import MINI_CHECKLIST

CERTIFY = Decision.CERTIFY
AFTER = Decision.AFTER_CORRECTIVE_ACTION
NOT_READY = Decision.NOT_READY

LEVELS = {"C": "critical", "H": "high", "M": "medium", "L": "low"}
SECTIONS = [("MAL", "Malkhana", "मालखाना"), ("WHD", "Women help desk", "महिला हेल्प डेस्क")]


def build(spec: str, **rules: int) -> tuple[Checklist, dict[str, FindingStatus]]:
    """A checklist written as ``spec`` (see the module docstring) and its answers.

    ``rules`` override the mini checklist's ``[scoring]`` values (e.g. ``max_minor_for_pass=2``).
    """
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
    decision: Decision
    percent: int | None
    reasons: list[str] = field(default_factory=list)
    rules: dict[str, int] = field(default_factory=dict)


BELOW_PASS = "score {}% is below the 85% pass threshold"
BELOW_CONDITIONAL = "score {}% is below the 70% needed for a conditional recommendation"

ROWS = [
    # --- what counts, and how much
    Row("all-conform", "C:conform H:conform M:conform L:conform", CERTIFY, 100),
    Row("observations-conform", "C:conform H:observation L:observation", CERTIFY, 100),
    Row("na-leaves-both-sides", conform("C", 3) + "H:minor M:na", AFTER, 83, [BELOW_PASS.format(83)]),  # 15/18
    Row("minor-on-a-light-item", "H:conform L:minor", AFTER, 75, [BELOW_PASS.format(75)]),  # 3/4
    Row("minor-on-a-heavy-item", "H:minor L:conform", NOT_READY, 25, [BELOW_CONDITIONAL.format(25)]),  # 1/4
    Row("rounded-down-84.6-is-84", conform("C", 2) + "L:conform M:minor", AFTER, 84, [BELOW_PASS.format(84)]),  # 11/13
    # --- the pass mark
    Row("pass-mark-met-85", conform("C", 3) + "H:minor M:conform", CERTIFY, 85),  # 17/20
    Row("pass-mark-missed-84", conform("C", 3) + "H:minor L:conform", AFTER, 84, [BELOW_PASS.format(84)]),  # 16/19
    # --- the conditional mark
    Row("conditional-mark-met-70", "C:conform H:minor M:conform", AFTER, 70, [BELOW_PASS.format(70)]),  # 7/10
    Row(
        "conditional-mark-missed-69-names-only-the-score",  # the second minor is not listed
        "C:conform M:conform M:conform H:minor L:minor",
        NOT_READY,
        69,  # 9/13
        [BELOW_CONDITIONAL.format(69)],
    ),
    Row("nothing-conforms", "H:minor", NOT_READY, 0, [BELOW_CONDITIONAL.format(0)]),
    # --- minors
    Row("one-minor-is-within-the-limit", conform("C", 4) + "L:minor", CERTIFY, 95),  # 20/21
    Row(
        "second-minor-holds-back-certification",
        conform("C", 4) + "L:minor L:minor",
        AFTER,
        90,  # 20/22
        ["2 minor nonconformities (at most 1 for certification)"],
    ),
    Row(
        "checklist-allows-two-minors", conform("C", 4) + "L:minor L:minor", CERTIFY, 90, rules={"max_minor_for_pass": 2}
    ),
    # --- majors
    Row(
        "one-major-is-corrective-action",
        conform("C", 3) + conform("H", 2) + "L:major",
        AFTER,
        95,  # 21/22
        ["1 major nonconformities must be corrected"],
    ),
    Row(
        "two-majors-are-not-ready",
        conform("C", 3) + conform("H", 2) + "L:major L:major",
        NOT_READY,
        91,  # 21/23
        ["2 major nonconformities (more than 1 allowed for a conditional recommendation)"],
    ),
    Row(
        "checklist-allows-no-major",
        conform("C", 3) + conform("H", 2) + "L:major",
        NOT_READY,
        95,
        ["1 major nonconformities (more than 0 allowed for a conditional recommendation)"],
        rules={"max_major_for_conditional": 0},
    ),
    Row(
        "low-score-and-too-many-majors-both-named",
        "C:conform H:major H:major",
        NOT_READY,
        45,  # 5/11
        [
            BELOW_CONDITIONAL.format(45),
            "2 major nonconformities (more than 1 allowed for a conditional recommendation)",
        ],
    ),
    # --- critical items
    Row(
        "critical-item-graded-minor-is-open",
        "C:minor " + conform("C", 6),
        AFTER,
        85,  # 30/35
        ["critical items not conforming: MAL-01"],
    ),
    Row(
        "critical-item-graded-major-is-open-and-a-major",
        "C:major " + conform("C", 6),
        AFTER,
        85,
        ["1 major nonconformities must be corrected", "critical items not conforming: MAL-01"],
    ),
    Row(
        "every-blocker-is-named-in-order",
        conform("C", 3) + "C:minor H:major " + conform("H", 6) + "L:minor",
        AFTER,
        78,  # 33/42
        [
            BELOW_PASS.format(78),
            "1 major nonconformities must be corrected",
            "2 minor nonconformities (at most 1 for certification)",
            "critical items not conforming: MAL-04",
        ],
    ),
    Row("critical-item-na-is-not-open", "C:na H:conform L:conform", CERTIFY, 100),
    # --- unanswered items: the decision is provisional
    Row(
        "unanswered-critical-item-is-not-open",
        "C:- H:conform L:conform",
        CERTIFY,
        100,
        ["1 of 3 items not yet answered"],
    ),
    Row(
        "unanswered-and-a-blocker",
        conform("C", 3) + conform("H", 2) + "L:major L:-",
        AFTER,
        95,
        ["1 of 7 items not yet answered", "1 major nonconformities must be corrected"],
    ),
    Row(
        "unanswered-and-not-ready",
        "C:conform H:major H:major L:-",
        NOT_READY,
        45,
        [
            "1 of 4 items not yet answered",
            BELOW_CONDITIONAL.format(45),
            "2 major nonconformities (more than 1 allowed for a conditional recommendation)",
        ],
    ),
    Row(
        "nothing-answered",
        "C:- H:- L:-",
        NOT_READY,
        None,
        ["3 of 3 items not yet answered", "no applicable item answered"],
    ),
    Row("only-na-answered", "C:na H:na", NOT_READY, None, ["no applicable item answered"]),
    Row(
        "na-and-unanswered",
        "C:na H:-",
        NOT_READY,
        None,
        ["1 of 2 items not yet answered", "no applicable item answered"],
    ),
    # --- sections add up
    Row("sections-add-up", "C:conform H:minor | M:conform L:na", AFTER, 70, [BELOW_PASS.format(70)]),  # 7/10
]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_decision(row: Row) -> None:
    checklist, statuses = build(row.spec, **row.rules)
    result = score(checklist, statuses)
    assert (result.decision, result.percent, result.reasons) == (row.decision, row.percent, row.reasons)
    # decide() alone, given the same figures, gives the same answer.
    figures = (result.percent, result.majors, result.minors, result.open_critical, result.unanswered)
    assert decide(checklist, *figures) == (row.decision, row.reasons)


def test_ids_are_unique() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)


def test_the_counts_behind_the_decision() -> None:
    checklist, statuses = build("C:minor H:observation M:major C:major | L:na L:- C:conform")
    result = score(checklist, statuses)
    assert (result.majors, result.minors, result.observations) == (2, 1, 1)
    assert (result.answered, result.total, result.unanswered) == (6, 7, ["WHD-02"])
    assert result.open_critical == ["MAL-01", "MAL-04"]  # in checklist order
    assert not result.complete
    assert score(*build("C:conform H:na")).complete


def test_each_section_is_scored_on_its_own() -> None:
    checklist, statuses = build("C:conform H:minor M:major | L:na L:-")
    mal, whd = score(checklist, statuses).sections
    assert (mal.section_id, mal.answered, mal.total) == ("MAL", 3, 3)
    assert (mal.applicable_weight, mal.conforming_weight, mal.majors, mal.minors) == (10, 5, 1, 1)
    assert mal.percent == 50
    assert (whd.section_id, whd.answered, whd.total, whd.applicable_weight) == ("WHD", 1, 2, 0)
    assert whd.percent is None  # nothing applicable answered yet: no score, not 0%


def test_answers_for_items_the_checklist_does_not_have_are_ignored() -> None:
    checklist, statuses = build("H:conform L:conform")
    with_stray = score(checklist, {**statuses, "XYZ-01": FindingStatus.MAJOR})
    assert with_stray == score(checklist, statuses)
    assert with_stray.decision is CERTIFY and with_stray.majors == 0


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
