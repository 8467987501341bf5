"""The recommendation of an audit, by the rules certification bodies apply (ISO/IEC 17021-1).

An audit is certifiable only when every item of its scope is answered, every major
nonconformity has a corrective action verified effective (within 6 months of the audit's last
day, else a new stage 2 audit is needed), and every minor has an accepted corrective-action plan
with an owner and a due date. Observations never block. A critical item the auditor graded minor
with a written reason is a minor like any other. Several minors against one ISO clause or one
section are a warning to consider a major (``systemic_minors`` in the checklist). The score is a
measure and takes no part.

The decision ``code`` is stable (scripts and HQ read it); the README lists every code:

    incomplete                 items of the scope are still unanswered
    nothing-applicable         every answered item is "not applicable": nothing was audited
    corrective-action-pending  a major awaits verification, or a minor a plan
    recommend-certification    certification / recertification: certifiable
    new-stage2-needed          a major was not verified effective within 6 months
    recommend-maintain         surveillance: the certificate may be maintained
    recommend-suspension       surveillance: a major was not verified effective within 6 months
    ready-for-stage2           stage 1: no area of concern left open
    stage1-concerns            stage 1: areas of concern to resolve before stage 2

Every reason that holds a decision back has a code too (``Reason.code``), and carries the values
its sentence names as data (``Reason.fields``), so that the sentence can be given in Hindi too
(``Reason.text_in``): the reports and the app print it in the auditor's language, scripts read the
code and the fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from inspector.audit.chain import ChainState
from inspector.audit.checklist import Checklist
from inspector.audit.followup import MAJOR_VERIFY_MONTHS, NCState, Nonconformity, nonconformities
from inspector.audit.records import AuditType
from inspector.audit.scope import audit_sections
from inspector.audit.scoring import FindingStatus, Score, score


class Decision(StrEnum):
    INCOMPLETE = "incomplete"
    NOTHING_APPLICABLE = "nothing-applicable"
    CORRECTIVE_ACTION_PENDING = "corrective-action-pending"
    CERTIFY = "recommend-certification"
    NEW_STAGE2 = "new-stage2-needed"
    MAINTAIN = "recommend-maintain"
    SUSPEND = "recommend-suspension"
    STAGE2_READY = "ready-for-stage2"
    STAGE1_CONCERNS = "stage1-concerns"


# The decision in words, as a person reads it (the codes are for scripts).
DECISION_TEXT = {
    Decision.INCOMPLETE: "incomplete: not every item is answered",
    Decision.NOTHING_APPLICABLE: "not certifiable: nothing applicable was audited",
    Decision.CORRECTIVE_ACTION_PENDING: "corrective action pending",
    Decision.CERTIFY: "recommend certification",
    Decision.NEW_STAGE2: "a new stage 2 audit is needed",
    Decision.MAINTAIN: "recommend maintaining the certificate",
    Decision.SUSPEND: "recommend suspending the certificate",
    Decision.STAGE2_READY: "ready for the stage 2 audit",
    Decision.STAGE1_CONCERNS: "areas of concern to resolve before stage 2",
}

# The same in Hindi, for the report and the app in Hindi (a test checks that every decision has one).
DECISION_TEXT_HI = {
    Decision.INCOMPLETE: "अपूर्ण: सभी मदों का उत्तर नहीं दिया गया है",
    Decision.NOTHING_APPLICABLE: "प्रमाणन योग्य नहीं: लागू होने वाली किसी मद का ऑडिट नहीं हुआ",
    Decision.CORRECTIVE_ACTION_PENDING: "सुधारात्मक कार्रवाई लंबित",
    Decision.CERTIFY: "प्रमाणन की अनुशंसा",
    Decision.NEW_STAGE2: "नया चरण 2 ऑडिट आवश्यक है",
    Decision.MAINTAIN: "प्रमाणपत्र बनाए रखने की अनुशंसा",
    Decision.SUSPEND: "प्रमाणपत्र निलंबित करने की अनुशंसा",
    Decision.STAGE2_READY: "चरण 2 ऑडिट के लिए तैयार",
    Decision.STAGE1_CONCERNS: "चरण 2 से पहले हल करने योग्य चिंता के क्षेत्र",
}

# Each reason's sentence in Hindi, filled from ``Reason.fields`` (plus the Hindi words of
# ``_hindi_values``). A test checks that every code decide() can produce has one; a code without
# one falls back to the English sentence rather than printing nothing.
REASON_TEXT_HI = {
    "unanswered": "{total} में से {count} {items_hi} का उत्तर अभी नहीं दिया गया है",
    "nothing-applicable": "सभी {answered} मद 'लागू नहीं' के रूप में चिह्नित हैं",
    "na-not-allowed": "{item} 'लागू नहीं' के रूप में चिह्नित है, जो इस मद के लिए अनुमत नहीं है",
    "area-of-concern": "चिंता का क्षेत्र {item} ({state_hi})",
    "major-not-verified-in-time": (
        "प्रमुख गैर-अनुरूपता {item} ऑडिट के अंतिम दिन से {months} महीनों के भीतर ({deadline}) बंद सत्यापित नहीं हुई"
    ),
    "minor-no-plan": "लघु गैर-अनुरूपता {item} की कोई स्वीकृत सुधारात्मक कार्य योजना नहीं है",
    "minor-not-effective": ("लघु गैर-अनुरूपता {item} की सुधारात्मक कार्रवाई अप्रभावी पाई गई: नई योजना आवश्यक है"),
    "major-open": "प्रमुख गैर-अनुरूपता {item} की कोई सुधारात्मक कार्य योजना नहीं है{by}",
    "major-not-effective": "प्रमुख गैर-अनुरूपता {item} की सुधारात्मक कार्रवाई अप्रभावी पाई गई{by}",
    "major-not-verified": "प्रमुख गैर-अनुरूपता {item} की सुधारात्मक कार्रवाई अभी प्रभावी सत्यापित नहीं हुई{by}",
    "systemic-minors": (
        "{what_hi} {key} के विरुद्ध {count} लघु गैर-अनुरूपताएँ ({items}): विचार करें कि क्या वे मिलकर एक प्रमुख गैर-अनुरूपता हैं"
    ),
}

# Words a Hindi sentence needs that the fields hold as codes (a state, what a group is).
_STATE_HI = {
    NCState.OPEN.value: "खुला",
    NCState.PLANNED.value: "योजना दर्ज",
    NCState.CLOSED.value: "बंद",
    NCState.NOT_EFFECTIVE.value: "अप्रभावी",
}
_WHAT_HI = {"ISO clause": "ISO खंड", "section": "अनुभाग"}
LANGUAGES = ("en", "hi")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")


def _hindi_values(fields: Mapping[str, str | int]) -> dict[str, str | int]:
    values: dict[str, str | int] = dict(fields)
    deadline = fields.get("deadline")
    values["by"] = f" ({deadline} तक)" if deadline else ""
    values["items_hi"] = "मद" if fields.get("count") == 1 else "मदों"  # 1 मद, 2 मदों (oblique plural)
    if "state" in fields:
        values["state_hi"] = _STATE_HI.get(str(fields["state"]), str(fields["state"]))
    if "what" in fields:
        values["what_hi"] = _WHAT_HI.get(str(fields["what"]), str(fields["what"]))
    return values


# Decisions a certificate may be issued on (only certification and recertification reach it).
CERTIFIABLE = frozenset({Decision.CERTIFY})


@dataclass(frozen=True)
class Reason:
    """One reason of a decision (or a warning): a stable code, the sentence, the item if one,
    and the values the sentence names (``fields``), from which its Hindi is filled."""

    code: str
    message: str
    item: str | None = None
    # Not hashed: a dict is not hashable, and code, message and item already tell reasons apart.
    fields: Mapping[str, str | int] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return self.message

    def text_in(self, lang: str) -> str:
        """The sentence in ``lang`` ("en" or "hi"); English where the code has no Hindi template."""
        _check_lang(lang)
        template = REASON_TEXT_HI.get(self.code)
        if lang == "en" or template is None:
            return self.message
        try:
            return template.format_map(_hindi_values(self.fields))
        except (KeyError, IndexError, ValueError):
            return self.message  # a reason built without the fields its template names

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "item": self.item, "fields": dict(self.fields)}


@dataclass(frozen=True)
class Verdict:
    code: Decision
    reasons: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return DECISION_TEXT[self.code]

    def text_in(self, lang: str) -> str:
        """The decision in words in ``lang`` ("en" or "hi")."""
        _check_lang(lang)
        return DECISION_TEXT_HI[self.code] if lang == "hi" else DECISION_TEXT[self.code]

    @property
    def certifiable(self) -> bool:
        return self.code in CERTIFIABLE

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "text": self.text,
            "reasons": [r.to_json() for r in self.reasons],
            "warnings": [w.to_json() for w in self.warnings],
        }


def decide(
    checklist: Checklist,
    audit_type: AuditType,
    result: Score,
    statuses: Mapping[str, FindingStatus],
    ncs: Sequence[Nonconformity],
    *,
    closed: bool,
    today: date,
) -> Verdict:
    """The recommendation for an audit whose scope scored ``result``, with ``ncs`` its
    nonconformities (with their follow-up); ``today`` decides the 6-month limit."""
    reasons: list[Reason] = []
    warnings = tuple(_systemic(checklist, ncs))
    if result.unanswered:
        reasons.append(
            Reason(
                "unanswered",
                f"{len(result.unanswered)} of {result.total} items not yet answered",
                fields={"count": len(result.unanswered), "total": result.total},
            )
        )
    if result.answered and result.applicable_weight == 0 and not result.unanswered:
        return Verdict(
            Decision.NOTHING_APPLICABLE,
            (
                Reason(
                    "nothing-applicable",
                    f"all {result.answered} items are marked not applicable",
                    fields={"answered": result.answered},
                ),
            ),
            warnings,
        )
    for item_id in result.na_items:
        if not checklist.items[item_id].na_allowed:
            reasons.append(
                Reason(
                    "na-not-allowed",
                    f"{item_id} is marked not applicable, which it may not be",
                    item_id,
                    {"item": item_id},
                )
            )
    if audit_type is AuditType.STAGE1:
        return _stage1(reasons, ncs, warnings)
    late, pending = _follow_up(ncs, closed=closed, today=today)
    if result.unanswered:
        return Verdict(Decision.INCOMPLETE, tuple(reasons + late + pending), warnings)
    surveillance = audit_type is AuditType.SURVEILLANCE
    if late:
        code = Decision.SUSPEND if surveillance else Decision.NEW_STAGE2
        return Verdict(code, tuple(reasons + late + pending), warnings)
    if reasons or pending:
        return Verdict(Decision.CORRECTIVE_ACTION_PENDING, tuple(reasons + pending), warnings)
    return Verdict(Decision.MAINTAIN if surveillance else Decision.CERTIFY, (), warnings)


def decide_chain(checklist: Checklist, state: ChainState, today: date) -> Verdict:
    """The decision a chain of records (read from an audit or a bundle) gives on ``today``."""
    assert state.opened is not None
    sections = audit_sections(checklist, state.opened)
    statuses = {item: finding.status for item, finding in state.latest.items()}
    return decide(
        checklist,
        state.opened.audit_type,
        score(checklist, statuses, sections),
        statuses,
        nonconformities(checklist, state, sections),
        closed=state.closed is not None,
        today=today,
    )


def _stage1(reasons: list[Reason], ncs: Sequence[Nonconformity], warnings: tuple[Reason, ...]) -> Verdict:
    """Stage 1 raises areas of concern, not nonconformities; open ones are listed."""
    concerns = [
        Reason(
            "area-of-concern",
            f"area of concern {nc.item} ({nc.state.value})",
            nc.item,
            {"item": nc.item, "state": nc.state.value},
        )
        for nc in ncs
        if nc.state is not NCState.CLOSED
    ]
    if any(r.code == "unanswered" for r in reasons):
        return Verdict(Decision.INCOMPLETE, tuple(reasons + concerns), warnings)
    if reasons or concerns:
        return Verdict(Decision.STAGE1_CONCERNS, tuple(reasons + concerns), warnings)
    return Verdict(Decision.STAGE2_READY, (), warnings)


def _follow_up(ncs: Sequence[Nonconformity], *, closed: bool, today: date) -> tuple[list[Reason], list[Reason]]:
    """(late, pending): majors past the 6-month limit, and what else awaits follow-up."""
    late: list[Reason] = []
    pending: list[Reason] = []
    for nc in ncs:
        if nc.is_major:
            deadline = nc.verify_deadline
            verified = nc.verified_on
            if verified is not None and (deadline is None or verified <= deadline):
                continue
            if closed and deadline is not None and (today > deadline or verified is not None):
                late.append(
                    Reason(
                        "major-not-verified-in-time",
                        f"major nonconformity {nc.item} was not verified closed within {MAJOR_VERIFY_MONTHS} months "
                        f"of the audit's last day ({deadline.isoformat()})",
                        nc.item,
                        {"item": nc.item, "months": MAJOR_VERIFY_MONTHS, "deadline": deadline.isoformat()},
                    )
                )
                continue
            pending.append(_major_pending(nc))
        elif nc.state is NCState.OPEN:
            pending.append(
                Reason(
                    "minor-no-plan",
                    f"minor nonconformity {nc.item} has no accepted corrective-action plan",
                    nc.item,
                    {"item": nc.item},
                )
            )
        elif nc.state is NCState.NOT_EFFECTIVE:
            pending.append(
                Reason(
                    "minor-not-effective",
                    f"the corrective action for minor nonconformity {nc.item} was found not effective: a new plan is needed",
                    nc.item,
                    {"item": nc.item},
                )
            )
    return late, pending


def _major_pending(nc: Nonconformity) -> Reason:
    by = f" (by {nc.verify_deadline.isoformat()})" if nc.verify_deadline else ""
    fields: dict[str, str | int] = {"item": nc.item}
    if nc.verify_deadline:
        fields["deadline"] = nc.verify_deadline.isoformat()
    if nc.state is NCState.OPEN:
        return Reason("major-open", f"major nonconformity {nc.item} has no corrective-action plan{by}", nc.item, fields)
    if nc.state is NCState.NOT_EFFECTIVE:
        return Reason(
            "major-not-effective",
            f"the corrective action for major nonconformity {nc.item} was found not effective{by}",
            nc.item,
            fields,
        )
    return Reason(
        "major-not-verified",
        f"the corrective action for major nonconformity {nc.item} is not yet verified effective{by}",
        nc.item,
        fields,
    )


def _systemic(checklist: Checklist, ncs: Sequence[Nonconformity]) -> list[Reason]:
    """Several minors against one ISO clause or one section: consider a major (a warning)."""
    threshold = checklist.scoring.systemic_minors
    by_clause: dict[str, list[str]] = {}
    by_section: dict[str, list[str]] = {}
    for nc in ncs:
        if nc.grade is not FindingStatus.MINOR:
            continue
        for clause in nc.clauses:
            by_clause.setdefault(clause, []).append(nc.item)
        by_section.setdefault(nc.section, []).append(nc.item)
    warnings: list[Reason] = []
    for what, groups in (("ISO clause", by_clause), ("section", by_section)):
        for key in sorted(groups, key=_clause_order if what == "ISO clause" else str):
            items = groups[key]
            if len(items) >= threshold:
                warnings.append(
                    Reason(
                        "systemic-minors",
                        f"{len(items)} minor nonconformities against {what} {key} ({', '.join(items)}): "
                        "consider whether together they are a major nonconformity",
                        fields={"count": len(items), "what": what, "key": key, "items": ", ".join(items)},
                    )
                )
    return warnings


def _clause_order(clause: str) -> tuple[int, ...]:
    return tuple(int(part) for part in clause.split("."))


# Why a certificate can never come from an audit of a type, whatever its findings.
NO_CERTIFICATE = {
    AuditType.STAGE1: "a stage 1 (readiness) audit cannot lead to a certificate",
    AuditType.SURVEILLANCE: (
        "a surveillance audit never issues a certificate: its result goes to HQ, "
        "which maintains or suspends the current certificate"
    ),
}


def certificate_refusal(audit_type: AuditType, verdict: Verdict) -> str | None:
    """Why no certificate may be issued from a closed audit of ``audit_type`` now, or None."""
    if audit_type in NO_CERTIFICATE:
        return f"no certificate can be issued: {NO_CERTIFICATE[audit_type]}"
    if not verdict.certifiable:
        reasons = "; ".join(r.message for r in verdict.reasons) or verdict.text
        return f"no certificate can be issued: decision is {verdict.code.value} ({reasons})"
    return None
