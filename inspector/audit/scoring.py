"""Scoring: pure measures of a checklist and the latest statuses, for HQ's comparisons.

A section's score is the weight of its conforming items over the weight of its applicable items
(``na`` is not applicable; an observation is an opportunity for improvement, not a
nonconformity, so it counts as conforming). Percentages are integers rounded down, so the
number compared is the number shown.

The score decides nothing: certification bodies do not certify on a percentage (with no N/A a
checklist's score barely moves, and N/A alone can push it up). The decision follows the
nonconformities and their follow-up (:mod:`inspector.audit.decision`); the score and the N/A
share stay as measures.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from inspector.audit.checklist import Checklist


class FindingStatus(StrEnum):
    CONFORM = "conform"
    MINOR = "minor"  # minor nonconformity
    MAJOR = "major"  # major nonconformity
    OBSERVATION = "observation"  # opportunity for improvement
    NA = "na"  # not applicable

    @property
    def is_nonconformity(self) -> bool:
        return self in (FindingStatus.MINOR, FindingStatus.MAJOR)


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    answered: int
    total: int
    applicable_weight: int
    conforming_weight: int
    majors: int
    minors: int
    na: int = 0

    @property
    def percent(self) -> int | None:
        """None while nothing applicable has been answered."""
        if self.applicable_weight == 0:
            return None
        return self.conforming_weight * 100 // self.applicable_weight


@dataclass(frozen=True)
class Score:
    """The measures of an audit over its scope (the sections it covers)."""

    sections: list[SectionScore]
    percent: int | None
    majors: int
    minors: int
    observations: int
    answered: int
    total: int
    unanswered: list[str]
    na_items: list[str]  # answered "not applicable", in checklist order

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def na(self) -> int:
        return len(self.na_items)

    @property
    def applicable_weight(self) -> int:
        return sum(s.applicable_weight for s in self.sections)

    @property
    def na_share(self) -> int | None:
        """Percent of the answered items marked N/A, rounded to the nearest (one N/A in 113 is
        1%, not 0%); None while nothing is answered."""
        if not self.answered:
            return None
        return (self.na * 200 + self.answered) // (2 * self.answered)


def score(
    checklist: Checklist,
    statuses: Mapping[str, FindingStatus],
    sections: Collection[str] | None = None,
) -> Score:
    """Score ``statuses`` (item id -> latest status) over ``sections`` (ids; None: all of them)."""
    chosen = [s for s in checklist.sections if sections is None or s.id in sections]
    scores = [_section_score(checklist, section.id, statuses) for section in chosen]
    applicable = sum(s.applicable_weight for s in scores)
    conforming = sum(s.conforming_weight for s in scores)
    percent = conforming * 100 // applicable if applicable else None
    counts = {status: 0 for status in FindingStatus}
    unanswered: list[str] = []
    na_items: list[str] = []
    total = 0
    for section in chosen:
        for item in section.items:
            total += 1
            status = statuses.get(item.id)
            if status is None:
                unanswered.append(item.id)
                continue
            counts[status] += 1
            if status is FindingStatus.NA:
                na_items.append(item.id)
    return Score(
        sections=scores,
        percent=percent,
        majors=counts[FindingStatus.MAJOR],
        minors=counts[FindingStatus.MINOR],
        observations=counts[FindingStatus.OBSERVATION],
        answered=total - len(unanswered),
        total=total,
        unanswered=unanswered,
        na_items=na_items,
    )


def _section_score(checklist: Checklist, section_id: str, statuses: Mapping[str, FindingStatus]) -> SectionScore:
    section = next(s for s in checklist.sections if s.id == section_id)
    answered = applicable = conforming = majors = minors = na = 0
    for item in section.items:
        status = statuses.get(item.id)
        if status is None:
            continue
        answered += 1
        if status is FindingStatus.NA:
            na += 1
            continue
        weight = checklist.weight(item)
        applicable += weight
        if not status.is_nonconformity:
            conforming += weight
        majors += status is FindingStatus.MAJOR
        minors += status is FindingStatus.MINOR
    return SectionScore(section_id, answered, len(section.items), applicable, conforming, majors, minors, na)
