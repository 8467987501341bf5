"""The signing core alone vs raw Ed25519 on a typical finding record (same bytes, same run).

    python benchmarks/bench_signing.py [--seconds S] [--json FILE]

A component figure, not a goal: no user waits on the signing core alone. Goal 1 of issue 16
(verifying findings) is measured end to end, on ``hq import`` and ``audit verify``, by
bench_audit.py; this script says how much of that the core itself costs.

"ours" is the path a stored record takes through the core: ``sign_record`` (RFC 8785 canonical
JSON, NFC, COSE Sig_structure with the domain tag, Ed25519, base64, Envelope) and
``verify_record`` (base64, Sig_structure, Ed25519 verify, strict canonical-JSON parse of the
payload). "raw" is ``cryptography``'s Ed25519 sign/verify over the canonical payload bytes
alone. Ratios are raw_time / ours_time (1.0 = no overhead), medians of paired rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from _harness import Figure, Report, arguments, describe_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector.crypto.canonical import canonical_json, parse_canonical_json
from inspector.crypto.signing import Domain, SigningKey, sign_record, verify_record

RECORD = {
    "type": "finding",
    "id": "01JD7Q3M8X4V2K9T6R5N1B0C7Z",
    "station": "GBN-S39",
    "item": "4.2",
    "clause": "7.5.3",
    "verdict": "minor",
    "revision": 2,
    "prev": "9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d",
    "note": "मालखाना रजिस्टर में 2023 की तीन प्रविष्टियों पर प्रभारी के हस्ताक्षर नहीं हैं; जब्त वाहनों की सूची अद्यतन नहीं है।",
    "evidence": ["3b7a1f9c0e5d2b8a4f6c1e3d5b7a9c0e2f4d6b8a1c3e5f7d9b0a2c4e6f8d1b3a"],
    "recorded_at": "2026-11-28T10:42:17Z",
    "auditor": "AUD-017",
}


def _calls_for(fn: Callable[[], object], budget: float) -> int:
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > 0.02:
            return max(1, int(budget / (elapsed / n)))
        n *= 2


def _per_call(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def paired(
    raw: Callable[[], object], ours: Callable[[], object], seconds: float, rounds: int = 15
) -> tuple[float, float, float, tuple[float, float]]:
    """Median raw time, median ours time, median and spread of per-round ratios, raw and ours
    interleaved round by round so that load from other processes hits both alike."""
    raw_calls = _calls_for(raw, seconds / rounds / 2)
    our_calls = _calls_for(ours, seconds / rounds / 2)
    raws, ourses, ratios = [], [], []
    for _ in range(rounds):
        r = _per_call(raw, raw_calls)
        o = _per_call(ours, our_calls)
        raws.append(r)
        ourses.append(o)
        ratios.append(r / o)
    return statistics.median(raws), statistics.median(ourses), statistics.median(ratios), (min(ratios), max(ratios))


def main() -> int:
    parser = arguments(__doc__.splitlines()[0], runs=15)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement (default 1)")
    args = parser.parse_args()

    payload = canonical_json(RECORD)
    key = SigningKey.generate()
    raw_key = Ed25519PrivateKey.from_private_bytes(key.raw_private())
    raw_pub = raw_key.public_key()
    raw_sig = raw_key.sign(payload)
    envelope = sign_record(key, Domain.FINDING, RECORD)
    assert verify_record(envelope, Domain.FINDING, key.public)

    raw_sign, our_sign, sign_ratio, sign_spread = paired(
        lambda: raw_key.sign(payload), lambda: sign_record(key, Domain.FINDING, RECORD), args.seconds, args.runs
    )
    raw_verify, our_verify, verify_ratio, verify_spread = paired(
        lambda: raw_pub.verify(raw_sig, payload),
        lambda: verify_record(envelope, Domain.FINDING, key.public),
        args.seconds,
        args.runs,
    )
    recheck = _per_call(lambda: parse_canonical_json(payload, "record"), 2000)

    report = Report("The signing core alone vs raw Ed25519 (a component of goal 1, not a goal)")
    report.context.update(describe_machine())
    report.context["record"] = f"{len(payload)} bytes of canonical JSON (Hindi note, {len(RECORD['note'])} characters)"
    report.context["rounds"] = args.runs
    for name, raw, ours, ratio, spread in (
        ("sign_record (canonical JSON, Sig_structure, Ed25519, Envelope)", raw_sign, our_sign, sign_ratio, sign_spread),
        (
            "verify_record (Sig_structure, Ed25519, strict JSON parse)",
            raw_verify,
            our_verify,
            verify_ratio,
            verify_spread,
        ),
    ):
        report.add(
            Figure(
                name=name,
                goal="- (component; goal 1 is measured end to end in bench_audit.py)",
                measured=f"{ours * 1e6:.1f} us",
                anchor=f"raw Ed25519 {raw * 1e6:.1f} us",
                ratio=ratio,
                ratio_spread=spread,
            )
        )
    report.add(
        Figure(
            "of which the strict canonical-JSON parse of the payload",
            "- (component)",
            f"{recheck * 1e6:.1f} us",
        )
    )
    report.print()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
