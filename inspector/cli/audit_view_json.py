"""``audit show``: the JSON document (a stable interface for scripts) and its text form.

Both are rendered from the core's read model (:func:`inspector.audit.views.view_of`), the same
one the TUI's summary screen and the audit report render.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from inspector.cli.common import Context


def view_json(audit: Any) -> dict[str, Any]:
    """The ``audit show --json`` document of an open :class:`~inspector.audit.audit.Audit`."""
    from inspector.audit.views import view_of

    view = view_of(audit)
    result = view.score
    verdict = view.verdict
    opened = audit.opened
    titles = {section.id: section.title for section in audit.checklist.sections}
    return {
        "id": view.audit_id,
        "station": view.station_code,
        "station_name": view.station_en,
        "station_name_hi": view.station_hi,
        "type": view.audit_type,
        "status": "closed" if view.closed else "open",
        "checklist": opened.checklist.model_dump(),
        "auditor": {"id": opened.auditor.id, "name": opened.auditor.name, "kid": opened.auditor.kid},
        "opened": view.opened,
        "closed": view.closed_at,
        "last_day": view.last_day,
        "records": view.records,
        "scope": {
            "sections": list(view.sections),
            "no_lockup": view.no_lockup,
            "stage1": view.stage1,
            "waive_stage1": view.waive_stage1,
        },
        "progress": {"answered": result.answered, "total": result.total},
        "score": result.percent,
        "sections": [
            {
                "id": s.section_id,
                "title": titles[s.section_id].en,
                "title_hi": titles[s.section_id].hi,
                "score": s.percent,
                "answered": s.answered,
                "total": s.total,
                "majors": s.majors,
                "minors": s.minors,
                "na": s.na,
            }
            for s in result.sections
        ],
        "majors": result.majors,
        "minors": result.minors,
        "observations": result.observations,
        "na_share": result.na_share,
        "na_items": result.na_items,
        "decision": verdict.to_json(),
        "reasons": [reason.message for reason in verdict.reasons],
        "sealed_decision": view.sealed_decision,
        "nonconformities": [_nc_json(nc) for nc in view.nonconformities],
        "meetings": [asdict(meeting) for meeting in view.meetings],
        "unanswered": result.unanswered,
        "warnings": view.warnings,
        "findings_root": view.findings_root,
        "sealed_records": view.sealed_records,
        "cursor": audit.service.cursor(audit.id),
    }


def _nc_json(nc: Any) -> dict[str, Any]:
    from inspector.audit.views import PlanRow

    return {
        "item": nc.item,
        "grade": nc.grade,
        "status": nc.grade,  # the key of the first release
        "state": nc.state,
        "due": nc.due,
        "clauses": nc.clauses,
        "section": nc.section,
        "legal": list(nc.legal),
        "note": nc.note,
        "reason": nc.reason,
        "evidence": len(nc.evidence),
        "plan": asdict(nc.plan) if nc.plan else None,
        "verification": asdict(nc.verification) if nc.verification else None,
        "plan_deadline": nc.plan_deadline,
        "verify_deadline": nc.verify_deadline,
        "follow_ups": [
            {"kind": "plan" if isinstance(row, PlanRow) else "verification", **asdict(row)} for row in nc.history
        ],
    }


def print_show(doc: dict[str, Any], ctx: Context) -> None:
    """The text form of ``audit show``."""
    ctx.say(f"audit {doc['id']}")
    ctx.say(f"  station    {doc['station_name']} ({doc['station']})  {doc['station_name_hi']}")
    ctx.say(f"  type       {doc['type']}   status {doc['status']}")
    ctx.say(f"  checklist  {doc['checklist']['id']} {doc['checklist']['version']}")
    ctx.say(f"  auditor    {doc['auditor']['name']} ({doc['auditor']['id']}, key {doc['auditor']['kid']})")
    ctx.say(f"  opened     {doc['opened']}" + (f"   closed {doc['closed']}" if doc["closed"] else ""))
    scope = doc["scope"]
    basis = []
    if scope["stage1"]:
        basis.append(f"after stage 1 {scope['stage1'][:12]}")
    if scope["waive_stage1"]:
        basis.append(f"stage 1 waived: {scope['waive_stage1']}")
    if scope["no_lockup"]:
        basis.append("station without a lock-up")
    ctx.say(f"  scope      {', '.join(scope['sections'])}" + (f"  ({'; '.join(basis)})" if basis else ""))
    progress = doc["progress"]
    share = "-" if doc["na_share"] is None else f"{doc['na_share']}%"
    ctx.say(f"  progress   {progress['answered']}/{progress['total']} items answered, not applicable {share}")
    ctx.say("")
    ctx.say("scores (a measure; the decision does not depend on them)")
    for s in doc["sections"]:
        score = "  -" if s["score"] is None else f"{s['score']:>3}%"
        ctx.say(
            f"  {s['id']:<5} {score}  {s['answered']:>2}/{s['total']:<2}  major {s['majors']}  minor {s['minors']}"
            f"  n/a {s['na']}  {s['title']}"
        )
    overall = "-" if doc["score"] is None else f"{doc['score']}%"
    ctx.say(f"  overall {overall}   majors {doc['majors']}, minors {doc['minors']}, observations {doc['observations']}")
    ctx.say("")
    decision = doc["decision"]
    ctx.say(f"decision: {decision['code']} ({decision['text']})")
    for reason in decision["reasons"]:
        ctx.say(f"  - {reason['message']}")
    for warning in decision["warnings"]:
        ctx.say(f"  ! {warning['message']}")
    if doc["sealed_decision"] and doc["sealed_decision"] != decision["code"]:
        ctx.say(f"  (at closing: {doc['sealed_decision']})")
    if doc["nonconformities"]:
        ctx.say("")
        ctx.say("nonconformities")
        for nc in doc["nonconformities"]:
            due = f"due {nc['due']}" if nc["due"] else "no due date yet"
            ctx.say(f"  {nc['item']:<7} {nc['grade']:<5} {nc['state']:<13} clause {', '.join(nc['clauses'])}  {due}")
            if nc["note"]:
                ctx.say(f"          {nc['note']}")
            if nc["reason"]:
                ctx.say(f"          graded minor because: {nc['reason']}")
            plan = nc["plan"]
            if plan:
                ctx.say(f"          plan: {plan['action']} (owner {plan['owner']}, due {plan['due']})")
            verification = nc["verification"]
            if verification:
                ctx.say(
                    f"          verified {verification['result']} ({verification['method']}) "
                    f"{verification['time'][:10]}: {verification['note']}"
                )
    for meeting in doc["meetings"]:
        ctx.say("")
        ack = f"; acknowledged by {meeting['acknowledged_by']}" if meeting["acknowledged_by"] else ""
        deadline = f"; plans due by {meeting['cap_deadline']}" if meeting["cap_deadline"] else ""
        ctx.say(f"{meeting['kind']} meeting {meeting['time'][:10]}: {'; '.join(meeting['attendees'])}{ack}{deadline}")
    if doc["findings_root"]:
        ctx.say("")
        tail = doc["records"] - (doc["sealed_records"] or doc["records"])
        after = f"; {tail} follow-up record(s) since" if tail else ""
        ctx.say(f"sealed: findings root {doc['findings_root']}{after}")
    for warning in doc["warnings"]:
        ctx.warn(warning)
