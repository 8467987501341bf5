"""``inspector checklist validate|show``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from inspector.cli.common import Context, add_command, add_group


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "checklist", "validate and read audit checklists")
    validate = add_command(group, "validate", cmd_validate, "check checklist files; exit 0 valid, 2 invalid")
    validate.add_argument("files", nargs="+", metavar="FILE")
    show = add_command(group, "show", cmd_show, "sections, items, weights and identity of a checklist", json_flag=True)
    show.add_argument("file", metavar="FILE")
    show.add_argument("--lang", choices=("en", "hi"), default="en", help="language of titles (default en)")


def cmd_validate(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.checklist import ChecklistInvalid, load_checklist

    failed = False
    for path in args.files:
        try:
            checklist = load_checklist(path)
        except ChecklistInvalid as exc:
            failed = True
            for problem in exc.problems:
                sys.stderr.write(problem + "\n")
            continue
        ctx.say(
            f"{path}: valid: {checklist.id} {checklist.version}, {len(checklist.sections)} sections, "
            f"{len(checklist.items)} items, sha256 {checklist.content_hash}"
        )
    return 2 if failed else 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.checklist import load_checklist

    checklist = load_checklist(args.file)
    if ctx.json:
        ctx.emit(checklist_json(checklist))
        return 0
    hi = args.lang == "hi"
    ctx.say(f"{checklist.title.hi if hi else checklist.title.en}")
    ctx.say(f"{checklist.id} {checklist.version}  {checklist.standard}  sha256 {checklist.content_hash}")
    s = checklist.scoring
    # The decision follows the nonconformities; the old percentage thresholds are not shown.
    ctx.say(
        f"minor plan due within {s.minor_plan_days} days, {s.systemic_minors} minors on one clause or section suggest a major, "
        f"weights " + ", ".join(f"{k.value} {v}" for k, v in s.weights.items())
    )
    for section in checklist.sections:
        ctx.say("")
        marks = ["stage 1"] if section.stage == "stage1" else []
        marks += ["every surveillance"] if section.surveillance == "mandatory" else []
        suffix = f"  [{', '.join(marks)}]" if marks else ""
        ctx.say(f"{section.id}  {section.title.hi if hi else section.title.en}{suffix}")
        for item in section.items:
            # The question as the auditor reads it: parameters shown with their values.
            text = item.title_hi if hi else item.question_text.en
            refs = ", ".join(item.clauses + item.legal)
            ctx.say(f"  {item.id}  [{item.criticality.value} {checklist.weight(item)}]  {text}  ({refs})")
    return 0


def checklist_json(checklist: Any) -> dict[str, Any]:
    data = checklist.model_dump(mode="json")
    data["hash"] = checklist.content_hash
    for section, model in zip(data["sections"], checklist.sections, strict=True):
        for item, item_model in zip(section["items"], model.items, strict=True):
            item["weight"] = checklist.scoring.weights[item["criticality"]]
            # As shown to the auditor: {parameter-id} replaced by the value and unit.
            item["question_text"] = item_model.question_text.model_dump()
            item["guidance_text"] = item_model.guidance_text.model_dump()
    return data
