"""Cost of one durable append as the store grows: our journal vs stock TinyDB JSONStorage.

Run:  /work/venv/bin/python benchmarks/bench_storage.py [--samples 200] [--dir /mnt/sdcard]

For each size N (10, 100, 1,000 records of ~1 KB, Hindi text and a signature), every timed
append starts from a store holding exactly N records: after each timed append the new record
is removed again, untimed. Both are durable on return: ours fsyncs its journal line; stock
``JSONStorage.write`` rewrites the whole file, then flushes and fsyncs it itself (tinydb 4.9),
so nothing extra is needed to make the comparison fair.

Disk latency drifts (other processes, journal commits), so the run is split into rounds; in
each round every kind takes a block of samples in turn, and within a block the three sizes
take turns sample by sample. Slow spells thus hit every kind and size alike, while stock's
1 MB rewrite is rarely billed to the next kind (only at block boundaries). The floor is a bare
``os.write`` + ``fsync`` of the same number of bytes: no store can beat it on this disk.

Reports p50/p99 per size and the growth ratio p50(1000)/p50(10) per kind, then the same with
fsync switched off (the CPU part alone, which no disk noise blurs). Goal for ours: p99 <= 5 ms
at 1,000 records and growth <= 2x. Point --dir at the target device (SD card, eMMC): fsync
dominates there and varies by orders of magnitude between disks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from inspector.store.record_store import RecordStore

SIZES = (10, 100, 1000)
TABLE = "findings"
ROUNDS = 5
WARMUP = 10


def record(n: int) -> dict[str, Any]:
    """A finding revision roughly as the audit service stores it (~1 KB of UTF-8 JSON)."""
    return {
        "id": f"01J9Z8KQ{n:018d}",
        "audit": "01J9Z8KQAUDIT00000000000001",
        "item": "7.1.4",
        "revision": 1,
        "prev": "sha256:" + "0" * 64,
        "answer": "partial",
        "note": "मालखाना रजिस्टर अद्यतन नहीं है; पिछली प्रविष्टि तीन सप्ताह पुरानी है। " * 3,
        "evidence": [{"sha256": "ab" * 32, "name": "malkhana-register.jpg"}],
        "recorded_at": "2025-11-28T10:15:00Z",
        "kid": "9f2c4e1a0b7d3e55",
        "sig": "Q" * 86,
    }


RECORD_BYTES = len(json.dumps(record(1), ensure_ascii=False).encode("utf-8"))


class Store(Protocol):
    def append(self, doc: dict[str, Any]) -> None: ...
    def undo(self) -> None: ...
    def close(self) -> None: ...


class Ours:
    name = "journal (ours)"

    def __init__(self, path: Path, n: int) -> None:
        self.store = RecordStore(path)
        self.store.append_many(TABLE, [record(i) for i in range(n)])
        # Benchmark-only access to internals: the product API has no delete for log tables.
        self._docs = self.store._storage._tables.docs[TABLE]
        self._table = self.store._table(TABLE)

    def append(self, doc: dict[str, Any]) -> None:
        self.store.append(TABLE, doc)

    def undo(self) -> None:
        self._table.remove(doc_ids=[int(next(reversed(self._docs)))])

    def close(self) -> None:
        self.store.close()


class Stock:
    name = "TinyDB JSONStorage"

    def __init__(self, path: Path, n: int) -> None:
        self.db = TinyDB(path, storage=JSONStorage, encoding="utf-8", ensure_ascii=False)
        self.table = self.db.table(TABLE)
        self.table.insert_multiple([record(i) for i in range(n)])
        self.last = 0

    def append(self, doc: dict[str, Any]) -> None:
        self.last = self.table.insert(doc)

    def undo(self) -> None:
        self.table.remove(doc_ids=[self.last])

    def close(self) -> None:
        self.db.close()


class Floor:
    name = "bare write+fsync"

    def __init__(self, path: Path, _n: int) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.line = b"x" * RECORD_BYTES + b"\n"

    def append(self, _doc: dict[str, Any]) -> None:
        os.write(self.fd, self.line)
        os.fsync(self.fd)

    def undo(self) -> None:
        pass

    def close(self) -> None:
        os.close(self.fd)


KINDS: tuple[type[Ours | Stock | Floor], ...] = (Ours, Stock, Floor)
Timings = dict[str, dict[int, list[float]]]


def measure(workdir: Path, samples: int) -> Timings:
    """Milliseconds per append, per kind and size (see the module docstring for the order)."""
    stores: dict[str, dict[int, Store]] = {
        kind.name: {n: kind(workdir / f"{kind.__name__.lower()}-{n}", n) for n in SIZES} for kind in KINDS
    }
    timings: Timings = {name: {n: [] for n in SIZES} for name in stores}
    per_round = -(-samples // ROUNDS)
    try:
        for _round in range(ROUNDS):
            for name, by_size in stores.items():
                for i in range(WARMUP + per_round):
                    for n, store in by_size.items():
                        elapsed = time_append(store, record(10**6 + i))
                        if i >= WARMUP:
                            timings[name][n].append(elapsed)
    finally:
        for by_size in stores.values():
            for store in by_size.values():
                store.close()
    return timings


def time_append(store: Store, doc: dict[str, Any]) -> float:
    started = time.perf_counter()
    store.append(doc)
    elapsed = time.perf_counter() - started
    store.undo()
    return elapsed * 1000


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def report(results: Timings, *, goal: bool) -> None:
    print(f"{'store':<20} {'records':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, by_size in results.items():
        for n, samples in by_size.items():
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            print(f"{name:<20} {n:>8} {p50:>8.3f} {p99:>8.3f}")
    print()
    for name in (Ours.name, Stock.name):
        by_size = results[name]
        growth = percentile(by_size[SIZES[-1]], 50) / percentile(by_size[SIZES[0]], 50)
        print(f"growth p50({SIZES[-1]})/p50({SIZES[0]}) {name:<20} {growth:6.2f}x")
    ours, stock = results[Ours.name][SIZES[-1]], results[Stock.name][SIZES[-1]]
    speedup = percentile(stock, 50) / percentile(ours, 50)
    print(f"at {SIZES[-1]} records, stock p50 / ours p50: {speedup:.1f}x")
    if not goal:
        return
    p99 = percentile(ours, 99)
    growth = percentile(ours, 50) / percentile(results[Ours.name][SIZES[0]], 50)
    verdict = "met" if p99 <= 5.0 and growth <= 2.0 else "NOT met"
    floor = percentile(results[Floor.name][SIZES[-1]], 99)
    print(
        f"goal (ours: p99 <= 5 ms at {SIZES[-1]}, growth <= 2x): {verdict} "
        f"(p99 {p99:.2f} ms; this disk's bare write+fsync p99: {floor:.2f} ms)"
    )


def time_call(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="per kind and size")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-storage-", dir=args.dir))
    print(f"record: {RECORD_BYTES} bytes of JSON; {args.samples} samples per size; in {workdir}")
    try:
        for sub in ("durable", "cpu"):
            (workdir / sub).mkdir()
        durable = measure(workdir / "durable", args.samples)
        print("\n== durable appends (fsync on every write)")
        report(durable, goal=True)
        with mock.patch("os.fsync", lambda fd: None):
            cpu = measure(workdir / "cpu", args.samples)
        print("\n== CPU part only (fsync switched off)")
        report(cpu, goal=False)
        path = workdir / "durable" / "ours-1000"
        reopen = time_call(lambda: RecordStore(path, writable=False).close())
        print(f"\nopening read-only (replay of 1,000 live records + the run's history): {reopen:.1f} ms")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
