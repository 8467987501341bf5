"""Whether an imported audit's nonconformities are cleared enough for HQ to grant its certificate.

Certification bodies grant only when every major has a corrective action verified effective and
every minor has an accepted corrective-action plan (``../shared/reference/checklist-review.md``
§6). HQ reads that from the audit's own signed records, as archived with its latest bundle: the
findings and the follow-up records the laptop appended after the seal (``audit respond`` for a
plan, ``audit follow-up --effective`` for a verified closure).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inspector.bundle.reader import BundleReader
from inspector.errors import UserError
from inspector.paths import DataDir


def _payloads(reader: BundleReader) -> list[dict[str, Any]]:
    problems: list[str] = []
    out = []
    for doc in reader.records(problems):
        try:
            payload = json.loads(doc["payload"])
        except (KeyError, TypeError, ValueError):
            continue
        if isinstance(payload, dict):
            out.append(payload)
    return out


def nonconformity_problems(payloads: list[dict[str, Any]]) -> list[str]:
    """What blocks a grant, from an audit's record payloads in chain order.

    The latest finding of each item decides its grade; a ``follow-up`` record judged effective
    clears a major, a ``response`` (corrective-action plan) with an owner and a due date clears a
    minor. Record types this release does not know are ignored (they cannot clear anything).
    """
    latest: dict[str, str] = {}
    planned: set[str] = set()
    effective: set[str] = set()
    for payload in payloads:
        kind = payload.get("type")
        item = payload.get("item")
        if not isinstance(item, str):
            continue
        if kind == "finding" and isinstance(payload.get("status"), str):
            latest[item] = payload["status"]
            effective.discard(item)
        elif kind in ("response", "corrective-action-plan") and payload.get("owner") and payload.get("due"):
            planned.add(item)
        elif kind == "follow-up":
            result = payload.get("result") or payload.get("outcome")
            if result == "effective" or payload.get("effective") is True:
                effective.add(item)
            else:
                effective.discard(item)
    problems = []
    for item, grade in latest.items():
        if grade == "major" and item not in effective:
            problems.append(f"major nonconformity {item} is not verified closed")
        elif grade == "minor" and item not in planned and item not in effective:
            problems.append(f"minor nonconformity {item} has no accepted corrective-action plan")
    return problems


def clearance_problems(data: DataDir, audit: Any) -> list[str]:
    """The nonconformities that block granting ``audit`` (a registered audit row)."""
    path = _archived_bundle(data, audit)
    with BundleReader(path) as reader:
        return nonconformity_problems(_payloads(reader))


def _archived_bundle(data: DataDir, audit: Any) -> Path:
    candidates = [data.hq_bundles / str(audit.bundle)]
    sha = getattr(audit, "bundle_sha256", None)
    if isinstance(sha, str) and len(sha) == 64:
        candidates.append(data.hq / "files" / sha[:2] / sha[2:4] / sha)
    for path in candidates:
        if path.is_file():
            return path
    raise UserError(f"audit {audit.id[:12]}: HQ's archived bundle is missing (run 'inspector hq fsck')")
