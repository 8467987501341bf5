"""What an audit covers: the sections of its checklist, by audit type.

* ``stage1``: the readiness review, the checklist's ``stage = "stage1"`` sections (a checklist
  without any, as those of the first release, is walked whole);
* ``certification`` and ``recertification``: every stage 2 section;
* ``surveillance``: the stage 2 sections marked ``surveillance = "mandatory"`` plus a rotating
  sample of the others, chosen so that the surveillance audits of one certification cycle
  together cover the whole checklist (:func:`surveillance_sample`).

The sections chosen are recorded in the signed opening record (``sections``), so the scope of an
audit never depends on which audits happen to be on a laptop later.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspector.audit.checklist import Checklist
from inspector.audit.records import AuditType, OpenedRecord

# ISO/IEC 17021-1 9.1.3: surveillance in years 1 and 2 of the 3-year cycle, then recertification.
SURVEILLANCES_PER_CYCLE = 2


def stage1_sections(checklist: Checklist) -> list[str]:
    return [s.id for s in checklist.sections if s.stage == "stage1"]


def stage2_sections(checklist: Checklist) -> list[str]:
    return [s.id for s in checklist.sections if s.stage == "stage2"]


def audit_sections(checklist: Checklist, opened: OpenedRecord) -> list[str]:
    """The section ids the audit covers, in checklist order (every section for an audit opened
    before scopes were recorded)."""
    if opened.sections is None:
        return [s.id for s in checklist.sections]
    wanted = set(opened.sections)
    return [s.id for s in checklist.sections if s.id in wanted]


def plan_sections(checklist: Checklist, audit_type: AuditType, previous: Sequence[Sequence[str]] = ()) -> list[str]:
    """The sections a new audit of ``audit_type`` covers. ``previous``: for surveillance, the
    sections of the station's earlier surveillance audits in this cycle, oldest first."""
    if audit_type is AuditType.STAGE1:
        return stage1_sections(checklist) or [s.id for s in checklist.sections]
    if audit_type is AuditType.SURVEILLANCE:
        mandatory = [s.id for s in checklist.sections if s.stage == "stage2" and s.surveillance == "mandatory"]
        chosen = set(mandatory) | set(surveillance_sample(checklist, previous))
        return [s.id for s in checklist.sections if s.id in chosen]
    return stage2_sections(checklist)


def surveillance_sample(checklist: Checklist, previous: Sequence[Sequence[str]]) -> list[str]:
    """The rotating sections of the next surveillance audit.

    The rule, deterministic from the earlier surveillance audits of the cycle (``previous``,
    oldest first): each audit takes ceil(R / 2) of the R rotating stage 2 sections, so the two
    surveillance audits of a cycle cover them all. Sections not yet covered in the cycle come
    first, in checklist order; if fewer remain than the sample needs, it is filled with the
    sections covered fewest times, then longest ago, then in checklist order, which keeps the
    rotation even when a cycle has more surveillance audits than two.
    """
    rotating = [s.id for s in checklist.sections if s.stage == "stage2" and s.surveillance == "rotating"]
    if not rotating:
        return []
    size = -(-len(rotating) // SURVEILLANCES_PER_CYCLE)
    times: dict[str, int] = {}
    last_covered: dict[str, int] = {}
    for number, sections in enumerate(previous):
        for section_id in set(sections):
            times[section_id] = times.get(section_id, 0) + 1
            last_covered[section_id] = number
    order = {section_id: position for position, section_id in enumerate(rotating)}
    ranked = sorted(rotating, key=lambda s: (times.get(s, 0), last_covered.get(s, -1), order[s]))
    chosen = set(ranked[:size])
    return [s for s in rotating if s in chosen]
