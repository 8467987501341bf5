"""A checklist remembered by its content within one process.

``tomllib`` takes 13-16 ms to parse the shipped checklist (257 KB, mostly Hindi strings). A
batch import at HQ verifies many bundles that carry the same checklist, and a worker process
verifies several of them: each distinct checklist is parsed and validated once per process,
keyed by the SHA-256 of its TOML bytes (any edit is another key).

Deliberately not kept on disk. A cache file of "these bytes parse to this data" would be
believed without parsing the bytes, so whoever can write the cache could make verification
pass a bundle whose archived checklist text says something other than what the records signed
(found in review: plant the genuine checklist's data under an edited TOML's hash). Verification
reads the checklist a bundle or an audit carries, every time it runs in a new process.
"""

from __future__ import annotations

import hashlib

from inspector.audit.checklist import Checklist, parse_checklist_data, validate_checklist_data

_MEMO: dict[str, Checklist] = {}
_MEMO_KEEP = 8  # distinct checklists kept (versions in use at once are few)


def checklist_of_bytes(raw: bytes, source: str) -> Checklist:
    """The validated checklist of TOML ``raw`` (``ChecklistInvalid`` if it is not one),
    remembered per content hash in this process."""
    digest = hashlib.sha256(raw).hexdigest()
    checklist = _MEMO.get(digest)
    if checklist is not None:
        return checklist
    data, text = parse_checklist_data(raw, source)
    checklist = validate_checklist_data(data, source, text)
    if len(_MEMO) >= _MEMO_KEEP:
        _MEMO.clear()
    _MEMO[digest] = checklist
    return checklist
