"""The fixed layout of an audit bundle and its size limits.

Layout (every name is fixed; nothing else is accepted on reading)::

    manifest.json            what the bundle holds (informative: the signed records decide)
    records.jsonl            the stored envelopes, one JSON object per line, in chain order:
                             findings, the closing record, then any follow-up records
                             (plans, verifications, meetings) written after the seal
    seal.json                the closing seal envelope (absent while the audit is open); it
                             stays the same when follow-up records are added after it
    checklist.toml           the original bytes of the checklist the audit used
    trustlist.json           the trust list in force on the laptop (signed by HQ), if installed
    evidence/<sha256>        every evidence file any record refers to, named by its hash
    certificates/<name>.json certificate records issued from the audit, if any
"""

from __future__ import annotations

import re

BUNDLE_FORMAT = "inspector-bundle/v1"
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
SEAL = "seal.json"
CHECKLIST = "checklist.toml"
TRUSTLIST = "trustlist.json"
EVIDENCE_PREFIX = "evidence/"
CERT_PREFIX = "certificates/"

NAME_RULES = (
    re.compile(r"manifest\.json"),
    re.compile(r"records\.jsonl"),
    re.compile(r"seal\.json"),
    re.compile(r"checklist\.toml"),
    re.compile(r"trustlist\.json"),
    re.compile(r"evidence/[0-9a-f]{64}"),
    re.compile(r"certificates/[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.json"),
)
SMALL_LIMITS = {
    MANIFEST: 16 * 1024 * 1024,
    RECORDS: 256 * 1024 * 1024,
    SEAL: 64 * 1024,
    CHECKLIST: 16 * 1024 * 1024,
    TRUSTLIST: 20 * 1024 * 1024,
}
CERT_LIMIT = 1024 * 1024
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 8 * 1024 * 1024 * 1024
MAX_RATIO = 200  # declared size / compressed size above which a member is a zip bomb
FIXED_TIME = (
    1980,
    1,
    1,
    0,
    0,
    0,
)  # members carry no timestamps: the same audit, the same bytes


def _allowed(name: str) -> bool:
    return any(rule.fullmatch(name) for rule in NAME_RULES)
