"""Scoring and the certification decision: pure functions of a checklist and the latest statuses.

A section's score is the weight of its conforming items over the weight of its applicable items
(``na`` is not applicable; an observation is an opportunity for improvement, not a
nonconformity, so it counts as conforming). Percentages are integers rounded down, so the
number that decides a threshold is the number shown on screen and printed on the certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from inspector.audit.checklist import Checklist, Criticality


class FindingStatus(StrEnum):
    CONFORM = "conform"
    MINOR = "minor"  # minor nonconformity
    MAJOR = "major"  # major nonconformity
    OBSERVATION = "observation"  # opportunity for improvement
    NA = "na"  # not applicable

    @property
    def is_nonconformity(self) -> bool:
        return self in (FindingStatus.MINOR, FindingStatus.MAJOR)


class Decision(StrEnum):
    CERTIFY = "recommend-certification"
    AFTER_CORRECTIVE_ACTION = "recommend-after-corrective-action"
    NOT_READY = "not-ready"


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    answered: int
    total: int
    applicable_weight: int
    conforming_weight: int
    majors: int
    minors: int

    @property
    def percent(self) -> int | None:
        """None while nothing applicable has been answered."""
        if self.applicable_weight == 0:
            return None
        return self.conforming_weight * 100 // self.applicable_weight


@dataclass(frozen=True)
class Score:
    sections: list[SectionScore]
    percent: int | None
    majors: int
    minors: int
    observations: int
    answered: int
    total: int
    unanswered: list[str]
    open_critical: list[str]
    decision: Decision
    reasons: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unanswered


def score(checklist: Checklist, statuses: Mapping[str, FindingStatus]) -> Score:
    """Score ``statuses`` (item id -> latest status) against ``checklist``'s rules."""
    sections = [_section_score(checklist, section.id, statuses) for section in checklist.sections]
    applicable = sum(s.applicable_weight for s in sections)
    conforming = sum(s.conforming_weight for s in sections)
    percent = conforming * 100 // applicable if applicable else None
    counts = {status: 0 for status in FindingStatus}
    for item_id in checklist.items:
        status = statuses.get(item_id)
        if status is not None:
            counts[status] += 1
    unanswered = [item_id for item_id in checklist.items if item_id not in statuses]
    open_critical = [
        item.id
        for item in checklist.items.values()
        if item.criticality is Criticality.CRITICAL and statuses.get(item.id, FindingStatus.CONFORM).is_nonconformity
    ]
    decision, reasons = decide(
        checklist,
        percent,
        counts[FindingStatus.MAJOR],
        counts[FindingStatus.MINOR],
        open_critical,
        unanswered,
    )
    return Score(
        sections=sections,
        percent=percent,
        majors=counts[FindingStatus.MAJOR],
        minors=counts[FindingStatus.MINOR],
        observations=counts[FindingStatus.OBSERVATION],
        answered=len(checklist.items) - len(unanswered),
        total=len(checklist.items),
        unanswered=unanswered,
        open_critical=open_critical,
        decision=decision,
        reasons=reasons,
    )


def _section_score(checklist: Checklist, section_id: str, statuses: Mapping[str, FindingStatus]) -> SectionScore:
    section = next(s for s in checklist.sections if s.id == section_id)
    answered = applicable = conforming = majors = minors = 0
    for item in section.items:
        status = statuses.get(item.id)
        if status is None:
            continue
        answered += 1
        if status is FindingStatus.NA:
            continue
        weight = checklist.weight(item)
        applicable += weight
        if not status.is_nonconformity:
            conforming += weight
        majors += status is FindingStatus.MAJOR
        minors += status is FindingStatus.MINOR
    return SectionScore(section_id, answered, len(section.items), applicable, conforming, majors, minors)


def decide(
    checklist: Checklist,
    percent: int | None,
    majors: int,
    minors: int,
    open_critical: list[str],
    unanswered: list[str],
) -> tuple[Decision, list[str]]:
    """The recommendation and every reason that kept it from a better one."""
    rules = checklist.scoring
    reasons: list[str] = []
    if unanswered:
        reasons.append(f"{len(unanswered)} of {len(checklist.items)} items not yet answered")
    if percent is None:
        return Decision.NOT_READY, reasons + ["no applicable item answered"]
    if percent < rules.conditional_threshold:
        reasons.append(
            f"score {percent}% is below the {rules.conditional_threshold}% needed for a conditional recommendation"
        )
    if majors > rules.max_major_for_conditional:
        reasons.append(
            f"{majors} major nonconformities (more than {rules.max_major_for_conditional} allowed for a conditional recommendation)"
        )
    if percent < rules.conditional_threshold or majors > rules.max_major_for_conditional:
        return Decision.NOT_READY, reasons
    blockers: list[str] = []
    if percent < rules.pass_threshold:
        blockers.append(f"score {percent}% is below the {rules.pass_threshold}% pass threshold")
    if majors:
        blockers.append(f"{majors} major nonconformities must be corrected")
    if minors > rules.max_minor_for_pass:
        blockers.append(f"{minors} minor nonconformities (at most {rules.max_minor_for_pass} for certification)")
    if open_critical:
        blockers.append(f"critical items not conforming: {', '.join(open_critical)}")
    if blockers or unanswered:
        return (
            Decision.AFTER_CORRECTIVE_ACTION if blockers else Decision.CERTIFY,
            reasons + blockers,
        )
    return Decision.CERTIFY, reasons
