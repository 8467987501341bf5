"""Recording one finding as the app does, against stock TinyDB and the disk itself, same run.

    python benchmarks/bench_storage.py [--runs 5] [--samples 60] [--dir /mnt/sdcard] [--json FILE]

"Ours" is the call the app's writer makes for every status key: ``Audit.record`` on an audit
opened writable with the auditor's key (validate, sign, append to the journal, fsync), in audits
of the registry's longest-named station that already hold N = 10 and N = 1,000 findings (built
with ``inspector audit record --from``). The anchors, in the same rounds and at the same sizes:

- stock TinyDB: the same signing (``sign_record``) plus one ``insert`` into a stock
  ``JSONStorage`` table holding N signed records (it rewrites and fsyncs the whole file);
- the floor: a bare ``os.write`` + ``fsync`` of a record's worth of bytes (no store beats it).

Each round takes ``--samples`` writes of every kind, the kinds and sizes taking turns write by
write, so a slow spell of the disk hits all alike. An audit grows by the samples it takes
(N to N + runs x samples); the TinyDB table is put back to N after each timed insert, untimed.
Goal (the project's own): p99 <= 5 ms at 1,000 and p50 growth (1,000 over 10) <= 2x, both the
median over the rounds. Point ``--dir`` at the target device: fsync dominates there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _harness import Figure, Report, Stat, arguments, check_runs, describe_machine, percentile
from _world import NOTE, demo_world, longest_station, open_audit

SIZES = (10, 1000)


def ours(world: Any, audit_id: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    """(record one finding, close): the writer's call on an audit opened as the app opens it."""
    from inspector.audit.service import AuditService
    from inspector.crypto.keystore import unlock
    from inspector.paths import DataDir

    data = DataDir(world.root)
    key = unlock(data.auditor_key, world.env["INSPECTOR_PASSPHRASE"])
    audit = AuditService(data).open(audit_id, writable=True, key=key)
    items = list(audit.items)

    def record(n: int) -> None:
        audit.record(items[n % len(items)], "conform", note=f"{NOTE} sample {n}")

    return record, audit.close_store


def stock(world: Any, folder: Path, size: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Sign + insert into stock TinyDB JSONStorage holding ``size`` signed records."""
    from tinydb import TinyDB
    from tinydb.storages import JSONStorage

    from inspector.crypto.keystore import unlock
    from inspector.crypto.signing import Domain, sign_record
    from inspector.paths import DataDir

    key = unlock(DataDir(world.root).auditor_key, world.env["INSPECTOR_PASSPHRASE"])
    db = TinyDB(folder / f"stock-{size}.json", storage=JSONStorage, ensure_ascii=False, encoding="utf-8")
    table = db.table("records")
    table.insert_multiple(
        sign_record(key, Domain.FINDING, {"n": n, "note": NOTE, "prev": "0" * 64}).model_dump() for n in range(size)
    )

    def insert(n: int) -> None:
        doc = sign_record(key, Domain.FINDING, {"n": size + n, "note": f"{NOTE} sample {n}", "prev": "0" * 64})
        last = table.insert(doc.model_dump())
        insert.last = last  # type: ignore[attr-defined]

    def undo() -> None:
        table.remove(doc_ids=[insert.last])  # type: ignore[attr-defined]

    insert.undo = undo  # type: ignore[attr-defined]
    return insert, db.close


def floor(folder: Path, size: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    fd = os.open(folder / f"floor-{size}", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    line = b"x" * 900 + b"\n"  # about one signed finding record

    def write(_n: int) -> None:
        os.write(fd, line)
        os.fsync(fd)

    return write, lambda: os.close(fd)


def main() -> int:
    parser = arguments(__doc__.splitlines()[0], runs=5)
    parser.add_argument("--samples", type=int, default=60, help="timed writes per kind, size and round (default 60)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temporary directory)")
    args = parser.parse_args()
    runs = check_runs(args.runs)
    work = Path(tempfile.mkdtemp(prefix="bench-storage-", dir=args.dir))
    report = Report("Recording one finding (Audit.record, the app's writer call) vs stock TinyDB and bare fsync")
    report.context.update(describe_machine())
    report.context["where"] = str(work)
    report.context["rounds x samples"] = f"{runs} x {args.samples}"
    closers: list[Callable[[], None]] = []
    try:
        world = demo_world(work / "data")
        station = longest_station(world)["code"]
        kinds: dict[str, dict[int, Callable[[int], None]]] = {"ours": {}, "stock TinyDB": {}, "bare write+fsync": {}}
        for size in SIZES:
            audit_id, _ = open_audit(world, station, work / "csv", size)
            for name, (fn, close) in (
                ("ours", ours(world, audit_id)),
                ("stock TinyDB", stock(world, work, size)),
                ("bare write+fsync", floor(work, size)),
            ):
                kinds[name][size] = fn
                closers.append(close)
        # per round: p50 and p99 of each kind and size
        p50: dict[str, dict[int, list[float]]] = {k: {s: [] for s in SIZES} for k in kinds}
        p99: dict[str, dict[int, list[float]]] = {k: {s: [] for s in SIZES} for k in kinds}
        counter = 0
        for _ in range(runs):
            samples: dict[str, dict[int, list[float]]] = {k: {s: [] for s in SIZES} for k in kinds}
            for _ in range(args.samples):
                for name, by_size in kinds.items():
                    for size, fn in by_size.items():
                        counter += 1
                        start = time.perf_counter()
                        fn(counter)
                        samples[name][size].append(time.perf_counter() - start)
                        undo = getattr(fn, "undo", None)
                        if undo is not None:
                            undo()
            for name in kinds:
                for size in SIZES:
                    p50[name][size].append(percentile(samples[name][size], 0.5))
                    p99[name][size].append(percentile(samples[name][size], 0.99))
    finally:
        for close in closers:
            try:
                close()
            except Exception:
                pass
        shutil.rmtree(work, ignore_errors=True)

    def ms(values: list[float]) -> str:
        return Stat.of(values).show(digits=2)

    big, small = SIZES[-1], SIZES[0]
    growth = Stat.of([b / s for b, s in zip(p50["ours"][big], p50["ours"][small])])
    stock_growth = Stat.of([b / s for b, s in zip(p50["stock TinyDB"][big], p50["stock TinyDB"][small])])
    speedup = Stat.of([s / o for s, o in zip(p50["stock TinyDB"][big], p50["ours"][big])])
    report.add(
        Figure(
            f"record one finding at {big:,} findings (Audit.record: sign + durable write), p99",
            "<= 5 ms",
            f"p99 {ms(p99['ours'][big])}, p50 {ms(p50['ours'][big])}",
            anchor=(
                f"stock TinyDB sign + insert p99 {ms(p99['stock TinyDB'][big])}, p50 {ms(p50['stock TinyDB'][big])}; "
                f"bare write+fsync p99 {ms(p99['bare write+fsync'][big])}"
            ),
            ratio=speedup.median,
            ratio_spread=(speedup.low, speedup.high),
            met=Stat.of(p99["ours"][big]).median <= 0.005,
            note="ratio: stock TinyDB p50 / ours p50 at the same size",
        )
    )
    report.add(
        Figure(
            f"record one finding, growth p50({big:,}) / p50({small})",
            "<= 2x",
            f"{growth.median:.2f}x [{growth.low:.2f}-{growth.high:.2f}]",
            anchor=f"stock TinyDB growth {stock_growth.median:.1f}x [{stock_growth.low:.1f}-{stock_growth.high:.1f}]",
            ratio=growth.median,
            met=growth.median <= 2.0,
        )
    )
    report.print()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
