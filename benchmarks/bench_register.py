"""HQ's register at scale: import time, listing time and memory, and eight operators at once, on
the embedded TinyDB register and on PostgreSQL, side by side in one run.

Run:  python benchmarks/bench_register.py [--full] [--sizes 1000,10000] [--runs 5] [--pg URL] [--json FILE]

At each size N (1,000 and 10,000 audits by default; ``--full`` adds 100,000) each backend gets a
register of N audits with one certificate each: one real bundle imported through ``hq import``,
then N - 1 synthetic rows cloned from it (fresh audit, seal and certificate ids, spread over 1,500
stations) and written in bulk through the register's own insert path (``Transaction.write``, in
batches of one transaction each, on PostgreSQL; on TinyDB the same documents are appended as one
journal line per batch, because ``RecordStore.put`` itself costs O(N) per call, which is what this
benchmark shows). Then, in rounds that alternate the backends so that a slow spell of the machine
hits both alike, the ``inspector`` command runs in a child process, as an operator runs it:

* ``hq import`` of a fresh, genuine bundle (wall time);
* ``hq audits --json`` and ``hq certificates --json`` (wall time and peak RSS from ``wait4``);
* an anchor in the same round: ``python -c pass`` (the interpreter's own start).

Every figure is the median of ``--runs`` (at least 5) rounds with its spread. Last, eight
``hq import`` children start at once on fresh bundles, and the failures are counted.

Goals (issue 15): on PostgreSQL the import at 100,000 audits within 1.5x of the import at 1,000;
``hq certificates --json`` at 100,000 under 200 MB peak; eight concurrent importers, 0 failures.
PostgreSQL: ``--pg URL`` (else $INSPECTOR_BENCH_DATABASE, else $INSPECTOR_TEST_DATABASE) names a
server where the benchmark may create (and then drops) a database of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from inspector.paths import DataDir

MINI = REPO / "tests" / "data" / "mini-checklist.toml"
PASSPHRASE = "bench register passphrase"
SCRYPT_N = 2**14
STATIONS = 1500
BATCH = 2000
OPERATORS = 8
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# ---------------------------------------------------------------------------------------------
# measuring children


@dataclass
class Child:
    wall: float
    rss: int  # peak resident set, bytes
    code: int
    out: bytes
    err: bytes


# The child's own peak: a fork of this (large) process counts its pages in the child's
# ru_maxrss before the exec, so the child reports VmHWM of its own address space at exit.
_PEAK = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as status, open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(_peak)
sys.argv = ["inspector"] + sys.argv[1:]
runpy.run_module("inspector", run_name="__main__", alter_sys=True)
"""


def run(argv: list[str], env: dict[str, str]) -> Child:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=dict(env, BENCH_PEAK_FILE=peak.name)
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = Path(peak.name).read_text().strip()
        rss = int(text) * 1024 if text else usage.ru_maxrss * 1024
        return Child(wall, rss, child.returncode, out.read(), err.read())


def inspector(data: DataDir, *args: str) -> list[str]:
    return [sys.executable, "-c", _PEAK, "--data-dir", str(data.root), *args]


@dataclass
class Stat:
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def show(self, scale: float = 1.0, unit: str = "s", digits: int = 2) -> str:
        m, lo, hi = (v * scale for v in (self.median, min(self.values), max(self.values)))
        return f"{m:.{digits}f} {unit} [{lo:.{digits}f}-{hi:.{digits}f}]"


# ---------------------------------------------------------------------------------------------
# the world: an HQ, an enrolled auditor, fresh genuine bundles


def make_world(root: Path) -> tuple[DataDir, Any, Any]:
    from inspector.audit.service import AuditService
    from inspector.crypto.keystore import create_key, unlock
    from inspector.hq.enrolment import HQ
    from inspector.trust.store import TrustStore

    hq, laptop = DataDir(root / "hq"), DataDir(root / "laptop")
    headquarters = HQ(hq.root)
    headquarters.init("Bench HQ", PASSPHRASE, scrypt_n=SCRYPT_N)
    info = create_key(laptop.auditor_key, "auditor", "Bench Auditor", PASSPHRASE, "AUD-001", scrypt_n=SCRYPT_N)
    headquarters.enroll(info.public, "Bench Auditor", "AUD-001", PASSPHRASE)
    store = TrustStore(laptop.root)
    store.pin(headquarters.root_public().to_pem())
    store.install(headquarters.export_trustlist(PASSPHRASE))
    return hq, AuditService(laptop), unlock(laptop.auditor_key, PASSPHRASE)


def make_bundle(service: Any, key: Any, out: Path, *, certificate: bool = True) -> Path:
    from inspector.bundle.export import export_audit
    from inspector.certificates.issue import issue_certificate
    from inspector.trust.store import TrustStore

    summary = service.new_audit("GBN-S39", MINI, "certification", key, "AUD-001", "Bench Auditor")
    with service.open(summary.id, key=key) as audit:
        for item in audit.checklist.items:
            audit.record(item, "conform")
        audit.close()
    if certificate:
        issue_certificate(service.data, summary.id, key)
    export_audit(service, summary.id, out, TrustStore(service.data.root).trustlist_bytes())
    return out


# ---------------------------------------------------------------------------------------------
# filling a register


def _cert_id() -> str:
    return "".join(secrets.choice(BASE32) for _ in range(16))


def synthetic(template: Any, n: int) -> Any:
    """Audit ``n`` cloned from the template's change: fresh ids, seal and certificate."""
    from inspector.hq.register.models import AuditChange, HistoryEntry

    audit_id = uuid.uuid4().hex
    station = f"UP-{n % STATIONS:04d}"
    closed = f"20{20 + n % 6:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"
    row = template.row.model_copy(
        update={
            "id": audit_id,
            "seal": secrets.token_hex(32),
            "station": station,
            "closed": closed,
            "history": [
                HistoryEntry(
                    imported=closed,
                    records=template.row.records,
                    bundle_sha256=template.row.bundle_sha256,
                    status="imported",
                )
            ],
        }
    )
    certs = [
        cert.model_copy(update={"id": _cert_id(), "audit": audit_id, "station": station, "issued_at": closed})
        for cert in template.certificates
    ]
    return AuditChange(
        row, template.new_records, template.findings, [], template.checklist, certs, [], audit_changed=True
    )


def capture_template(data: DataDir, bundle: Path) -> Any:
    """Import ``bundle`` for real, and keep what its transaction wrote (to clone it)."""
    from inspector.hq import intake
    from inspector.hq.register.base import Transaction

    captured: list[Any] = []
    originals = {cls: cls.write for cls in _transaction_classes()}
    for cls, original in originals.items():

        def spy(self: Transaction, change: Any, _original: Any = original) -> None:
            captured.append(change)
            _original(self, change)

        cls.write = spy  # type: ignore[method-assign]
    try:
        intake.import_bundle(data, bundle)
    finally:
        for cls, original in originals.items():
            cls.write = original  # type: ignore[method-assign]
    return captured[0]


def _transaction_classes() -> list[Any]:
    from inspector.hq.register import postgres, tiny

    return [tiny._TinyTransaction, postgres._PgTransaction]


def fill(data: DataDir, template: Any, total: int) -> float:
    """Grow the register to ``total`` audits; seconds taken."""
    from inspector.hq.register import open_register

    started = time.perf_counter()
    count = 1
    with open_register(data) as register:
        if register.backend == "postgresql":
            while count < total:
                with register.transaction("bulk") as tx:
                    for _ in range(min(BATCH, total - count)):
                        tx.write(synthetic(template, count))
                        count += 1
        else:
            _fill_tiny(data, template, total)
    return time.perf_counter() - started


def _fill_tiny(data: DataDir, template: Any, total: int) -> None:
    # The documents TinyRegister's transaction puts, appended one batch per journal line: put()
    # scans its table per call, so N puts cost O(N^2) (hours at 100,000).
    from inspector.hq.register import tiny
    from inspector.store.record_store import _MAP_PREFIX, RecordStore

    with RecordStore(data.hq_tinydb_register) as store:
        count = 1
        while count < total:
            audits, certs, details = [], [], []
            for _ in range(min(BATCH, total - count)):
                change = synthetic(template, count)
                audits.append({"key": change.row.id, "doc": change.row.model_dump()})
                certs.extend({"key": c.id, "doc": c.model_dump()} for c in change.certificates)
                details.append(
                    {
                        "key": change.row.id,
                        "doc": {
                            "records": change.row.records,
                            "findings": [f.model_dump() for f in change.findings],
                            "evidence": [],
                        },
                    }
                )
                count += 1
            for table, entries in ((tiny.CERTIFICATES, certs), (tiny.DETAILS, details), (tiny.AUDITS, audits)):
                store._db.table(_MAP_PREFIX + table, cache_size=0).insert_multiple(entries)


# ---------------------------------------------------------------------------------------------
# the run


@dataclass
class Cell:
    backend: str
    size: int
    data: DataDir
    fill_seconds: float = 0.0
    imports: list[float] = field(default_factory=list)
    audits: list[float] = field(default_factory=list)
    audits_rss: list[float] = field(default_factory=list)
    certs: list[float] = field(default_factory=list)
    certs_rss: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    concurrent_failures: int = 0
    concurrent_wall: float = 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also 100,000 audits (several minutes)")
    parser.add_argument("--sizes", help="comma-separated sizes (default 1000,10000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", help="PostgreSQL server URL (a database is created there and dropped)")
    parser.add_argument("--backends", default="tinydb,postgresql")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [1000, 10000] + ([100000] if args.full else [])
    runs = max(5, args.runs)
    backends = args.backends.split(",")
    pg = args.pg or os.environ.get("INSPECTOR_BENCH_DATABASE") or os.environ.get("INSPECTOR_TEST_DATABASE")
    if "postgresql" in backends and not pg:
        print("no PostgreSQL server (--pg URL): TinyDB only", file=sys.stderr)
        backends.remove("postgresql")
    root = Path(tempfile.mkdtemp(prefix="bench-register-"))
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("INSPECTOR_HQ_DATABASE", None)
    database = None
    try:
        hq, service, key = make_world(root)
        if pg:
            database = _create_database(pg)
        need = len(sizes) * len(backends) * (runs + OPERATORS) + len(sizes) * len(backends)
        print(f"making {need} genuine bundles ...", flush=True)
        bundles = [make_bundle(service, key, root / f"b{n}.zip") for n in range(need)]
        cells: dict[tuple[int, str], Cell] = {}
        for size in sizes:
            for backend in backends:
                data = DataDir(root / f"hq-{backend}-{size}")
                shutil.copytree(hq.root, data.root)
                _configure(data, backend, database, f"bench_{size}")
                template = capture_template(data, bundles.pop())
                cell = cells[(size, backend)] = Cell(backend, size, data)
                cell.fill_seconds = fill(data, template, size)
                print(f"{backend:<10} {size:>7} audits registered in {cell.fill_seconds:.1f} s", flush=True)
            anchors = []
            for _ in range(runs):
                anchors.append(run([sys.executable, "-c", "pass"], env).wall)
                for backend in backends:
                    _round(cells[(size, backend)], bundles.pop(), env)
            for backend in backends:
                _concurrent(cells[(size, backend)], [bundles.pop() for _ in range(OPERATORS)], env)
            cells[(size, "anchor")] = Cell("anchor", size, hq, imports=anchors)
        report = _report(cells, sizes, backends)
        print(report["text"])
        if args.json:
            Path(args.json).write_text(json.dumps(report["figures"], indent=2) + "\n", encoding="utf-8")
    finally:
        if database:
            _drop_database(pg, database)  # type: ignore[arg-type]
        shutil.rmtree(root, ignore_errors=True)
    return 0


def _configure(data: DataDir, backend: str, database: str | None, schema: str) -> None:
    from inspector.hq.register import open_register

    if backend == "postgresql":
        assert database is not None
        import psycopg

        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        data.config.write_text(f'[hq]\ndatabase = "{database}?options=-csearch_path%3D{schema}"\n', encoding="utf-8")
    with open_register(data, check_schema=False) as register:
        register.upgrade()


def _create_database(server: str) -> str:
    import psycopg

    name = f"inspector_bench_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    head = server.partition("?")[0]
    return head.rsplit("/", 1)[0] + "/" + name


def _drop_database(server: str, url: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _round(cell: Cell, bundle: Path, env: dict[str, str]) -> None:
    child = run(inspector(cell.data, "hq", "import", str(bundle), "--json"), env)
    if child.code != 0:
        cell.failures.append(child.err.decode(errors="replace").strip()[:200])
    cell.imports.append(child.wall)
    for command, walls, rss in (("audits", cell.audits, cell.audits_rss), ("certificates", cell.certs, cell.certs_rss)):
        child = run(inspector(cell.data, "hq", command, "--json"), env)
        if child.code != 0:
            cell.failures.append(child.err.decode(errors="replace").strip()[:200])
        walls.append(child.wall)
        rss.append(child.rss)


def _concurrent(cell: Cell, bundles: list[Path], env: dict[str, str]) -> None:
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "inspector", "--data-dir", str(cell.data.root), "hq", "import", str(path), "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for path in bundles
    ]
    for child in children:
        _, err = child.communicate()
        if child.returncode != 0:
            cell.concurrent_failures += 1
            cell.failures.append(err.decode(errors="replace").strip()[:200])
    cell.concurrent_wall = time.perf_counter() - started


def _report(cells: dict[tuple[int, str], Cell], sizes: list[int], backends: list[str]) -> dict[str, Any]:
    lines = [
        "",
        "| audits | backend | hq import | vs 1,000 | hq audits --json | peak RSS | hq certificates --json | peak RSS "
        "| 8 at once: failures (wall) | python -c pass |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    figures: list[dict[str, Any]] = []
    for size in sizes:
        anchor = Stat(cells[(size, "anchor")].imports)
        for backend in backends:
            cell = cells[(size, backend)]
            base = cells.get((sizes[0], backend))
            imports = Stat(cell.imports)
            ratio = Stat([a / b for a, b in zip(cell.imports, base.imports)]) if base else None
            lines.append(
                f"| {size:,} | {backend} | {imports.show()} | {ratio.show(unit='x') if ratio else '-'} "
                f"| {Stat(cell.audits).show()} | {Stat(cell.audits_rss).show(1 / 2**20, 'MB', 0)} "
                f"| {Stat(cell.certs).show()} | {Stat(cell.certs_rss).show(1 / 2**20, 'MB', 0)} "
                f"| {cell.concurrent_failures} ({cell.concurrent_wall:.1f} s) | {anchor.show(1000, 'ms', 0)} |"
            )
            figures.append(
                {
                    "size": size,
                    "backend": backend,
                    "fill_seconds": cell.fill_seconds,
                    "import_s": cell.imports,
                    "import_vs_first_size": ratio.values if ratio else None,
                    "audits_json_s": cell.audits,
                    "audits_json_rss": cell.audits_rss,
                    "certificates_json_s": cell.certs,
                    "certificates_json_rss": cell.certs_rss,
                    "concurrent_failures": cell.concurrent_failures,
                    "concurrent_wall_s": cell.concurrent_wall,
                    "failures": cell.failures,
                    "python_pass_s": anchor.values,
                }
            )
            for failure in cell.failures[:3]:
                lines.append(f"|   | {backend} failure: {failure} |")
    return {"text": "\n".join(lines), "figures": figures}


if __name__ == "__main__":
    raise SystemExit(main())
