"""Cost of recording one finding, and of verifying a whole audit, against baselines in the same run.

Run:  /work/venv/bin/python benchmarks/bench_audit.py [--samples 100] [--dir /mnt/sdcard]

1. Recording one finding (validate, sign, durable write) in an audit that already holds N = 10,
   100 and 1,000 records: p50/p99 per size and the growth ratio p50(1000)/p50(10). Every sample
   starts from a fresh copy of the N-record audit (copied untimed), so every timed write lands
   on exactly N records. Baseline: the same signing plus one insert into stock TinyDB
   ``JSONStorage`` holding N envelopes (it rewrites and fsyncs the whole file).
2. Verifying a closed 1,000-record audit (``AuditService.verify``: read the store, every
   signature, the chain, trust-list authorisation, checklist and seal) against raw Ed25519
   verification of the same records' signed bytes. Ratio raw/ours; goal >= 0.5.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("INSPECTOR_SCRYPT_N", str(2**14))  # key files for the run only

from tinydb import TinyDB
from tinydb.storages import JSONStorage

import inspector.audit.audit as audit_module
from inspector.audit.audit import FindingInput
from inspector.audit.checklist import default_checklist_path, load_checklist
from inspector.audit.service import AuditService
from inspector.audit.verify import verify_local
from inspector.crypto.signing import Domain, SigningKey, sig_structure, sign_record
from inspector.paths import DataDir

SIZES = (10, 100, 1000)
NOTE = "मालखाना रजिस्टर अद्यतन नहीं है; पिछली प्रविष्टि तीन सप्ताह पुरानी है। Register not updated since 3 weeks."
PASSPHRASE = "benchmark passphrase"


def fake_clock() -> Callable[[], str]:
    """Distinct, increasing record times, as a real audit has (one finding every few seconds)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)  # inside the key's window
    ticks = itertools.count()
    return lambda: (start + timedelta(seconds=7 * next(ticks))).strftime("%Y-%m-%dT%H:%M:%SZ")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fill(audit: Any, items: list[str], count: int) -> None:
    """Bring the audit to ``count`` records (the opening record included)."""
    rows = [FindingInput(items[n % len(items)], "conform", f"{NOTE} #{n}") for n in range(count - audit.state.seq)]
    for start in range(0, len(rows), 200):
        audit.record_many(rows[start : start + 200])


def make_world(root: Path) -> tuple[DataDir, SigningKey, Any]:
    """A laptop data dir with an auditor key, and the HQ trust list that enrols it."""
    from inspector.crypto.keystore import create_key, unlock
    from inspector.hq.enrolment import HQ

    hq = HQ(root / "hq")
    hq.init("Benchmark HQ", PASSPHRASE)
    data = DataDir(root / "laptop")
    info = create_key(data.auditor_key, "auditor", "Bench Auditor", PASSPHRASE, "AUD-001")
    hq.enroll(info.public, "Bench Auditor", "AUD-001", PASSPHRASE)
    (data.root / "stations.toml").write_text(
        '[[stations]]\ncode = "GBN-S39"\nname = { en = "Kotwali Sector 39", hi = "कोतवाली सेक्टर 39" }\n'
        'district = "Gautam Buddh Nagar"\ncommissionerate = "Gautam Buddh Nagar"\nzone = "Noida"\nin_charge = "SHO"\n',
        encoding="utf-8",
    )
    return data, unlock(data.auditor_key, PASSPHRASE), hq.current_trustlist()


def bench_record(data: DataDir, key: SigningKey, samples: int, work: Path) -> dict[int, list[float]]:
    checklist = default_checklist_path()
    items = list(load_checklist(checklist).items)
    service = AuditService(data)
    templates: dict[int, str] = {}
    for size in SIZES:
        audit_id = service.new_audit("GBN-S39", checklist, "certification", key, "AUD-001").id
        with service.open(audit_id, key=key) as audit:
            fill(audit, items, size)
        templates[size] = audit_id
    timings: dict[int, list[float]] = {size: [] for size in SIZES}
    for n in range(samples):
        for size in SIZES:  # sizes in turn: a slow spell of the disk hits all alike
            scratch = DataDir(work / f"scratch-{size}-{n}")
            shutil.copytree(data.audit_dir(templates[size]), scratch.audit_dir(templates[size]))
            shutil.copy(data.root / "stations.toml", scratch.root / "stations.toml")
            os.sync()  # the copy's dirty pages must not be billed to the timed write's fsync
            scratch_service = AuditService(scratch)
            with scratch_service.open(templates[size], key=key) as audit:
                item = items[n % len(items)]
                start = time.perf_counter()
                audit.record(item, "observation", note=f"{NOTE} sample {n}")
                timings[size].append(time.perf_counter() - start)
            shutil.rmtree(scratch.root)
    return timings


def bench_stock(key: SigningKey, samples: int, work: Path) -> dict[int, list[float]]:
    """Sign + insert into stock TinyDB JSONStorage holding N envelopes (durable: it fsyncs)."""
    timings: dict[int, list[float]] = {size: [] for size in SIZES}
    dbs = {}
    for size in SIZES:
        db = TinyDB(work / f"stock-{size}.json", storage=JSONStorage, ensure_ascii=False, encoding="utf-8")
        table = db.table("records")
        table.insert_multiple(
            sign_record(key, Domain.FINDING, {"n": n, "note": NOTE, "prev": "0" * 64}).model_dump() for n in range(size)
        )
        dbs[size] = table
    for n in range(samples):
        for size in SIZES:
            table = dbs[size]
            start = time.perf_counter()
            doc = sign_record(
                key, Domain.FINDING, {"n": size + n, "note": f"{NOTE} sample {n}", "prev": "0" * 64}
            ).model_dump()
            doc_id = table.insert(doc)
            timings[size].append(time.perf_counter() - start)
            table.remove(doc_ids=[doc_id])  # back to N records, untimed
    for table in dbs.values():
        table.storage.close()
    return timings


def bench_verify(data: DataDir, key: SigningKey, trustlist: Any, rounds: int) -> tuple[float, float, float, int]:
    checklist = default_checklist_path()
    items = list(load_checklist(checklist).items)
    service = AuditService(data)
    audit_id = service.new_audit("GBN-S39", checklist, "certification", key, "AUD-001").id
    with service.open(audit_id, key=key) as audit:
        fill(audit, items, 999)
        audit.close()  # record 1,000 is the closing record, then the seal
        envelopes = list(audit.envelopes)
    report = verify_local(service, audit_id, trustlist)
    assert report.ok and report.records == 1000, report.problems
    public = key.public
    messages = [(e.signature(), sig_structure(Domain.FINDING, public.protected, e.payload_bytes)) for e in envelopes]
    raw_key = public._key  # the cryptography object: the primitive alone

    def ours() -> None:
        verify_local(service, audit_id, trustlist)

    def raw() -> None:
        for signature, message in messages:
            raw_key.verify(signature, message)

    def raw_with_encoding() -> None:
        for envelope in envelopes:
            public.verify(Domain.FINDING, envelope.payload_bytes, envelope.signature())

    ours_t, raw_t, raw_enc_t = interleaved([ours, raw, raw_with_encoding], rounds)
    return ours_t, raw_t, raw_enc_t, len(envelopes)


def interleaved(fns: list[Callable[[], None]], rounds: int) -> list[float]:
    """Median CPU time of each function, run in turn ``rounds`` times after one warm-up each.

    CPU time of this process, so other processes on a busy machine do not count; in turn, so
    that what remains (frequency scaling, cache pressure) falls on all of them alike.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, bucket in zip(fns, times):
            start = time.process_time()
            fn()
            bucket.append(time.process_time() - start)
    return [statistics.median(bucket) for bucket in times]


def report_sizes(name: str, timings: dict[int, list[float]]) -> float:
    for size in SIZES:
        values = timings[size]
        print(
            f"  {name:<28} N={size:>5}: p50 {percentile(values, 0.5) * 1e3:7.2f} ms   p99 {percentile(values, 0.99) * 1e3:7.2f} ms"
        )
    growth = percentile(timings[1000], 0.5) / percentile(timings[10], 0.5)
    print(f"  {name:<28} growth p50(1000)/p50(10): {growth:.2f}x")
    return growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100, help="timed writes per size (default 100)")
    parser.add_argument("--rounds", type=int, default=7, help="timed verifications (default 7)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-audit-", dir=args.dir))
    try:
        with mock.patch.object(audit_module, "now_text", fake_clock()):
            data, key, trustlist = make_world(work)
            print(f"recording one finding (sign + durable write), {args.samples} samples per size, in {work}")
            ours = bench_record(data, key, args.samples, work)
            stock = bench_stock(key, args.samples, work)
            growth = report_sizes("inspector Audit.record", ours)
            stock_growth = report_sizes("sign + stock TinyDB insert", stock)
            ratio = percentile(stock[1000], 0.5) / percentile(ours[1000], 0.5)
            print(
                f"  at 1,000 records: stock p50 / ours p50 = {ratio:.2f}x (stock growth {stock_growth:.1f}x vs ours {growth:.2f}x)"
            )
            print()
            ours_v, raw_v, raw_enc_v, count = bench_verify(data, key, trustlist, args.rounds)
        print(f"verifying a closed {count}-record audit (median CPU time of {args.rounds}, interleaved)")
        print(f"  inspector AuditService.verify       {ours_v * 1e3:8.1f} ms  ({ours_v / count * 1e6:6.1f} us/record)")
        print(f"  raw Ed25519 verify (bytes prebuilt) {raw_v * 1e3:8.1f} ms  ({raw_v / count * 1e6:6.1f} us/record)")
        print(
            f"  raw Ed25519 + COSE Sig_structure    {raw_enc_v * 1e3:8.1f} ms  ({raw_enc_v / count * 1e6:6.1f} us/record)"
        )
        print(f"  ratio raw / ours = {raw_v / ours_v:.2f} (goal >= 0.5)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
