"""Run every benchmark of issue 16, then print every figure, its goal and whether it is met.

    python benchmarks/run_all.py [--runs 5] [--only NAME ...] [--with-others] [--json FILE]

From a checkout with the package installed (``pip install -e .``), in about 4-5 minutes on
two cores. Each script runs in its own process with ``--runs`` and ``--json``; its own report
is printed as it finishes, and the summary table at the end gathers every figure. The scripts
of issue 15 (``bench_register.py``, ``bench_stations.py``) run too with ``--with-others``.
The exit status is 0 when every script ran (goals not met are figures, not failures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (script, its extra arguments in the default run): the issue 16 set, fastest first.
SCRIPTS: list[tuple[str, list[str]]] = [
    ("bench_cli.py", []),
    ("bench_signing.py", ["--seconds", "0.5"]),
    ("bench_storage.py", ["--samples", "40"]),
    ("bench_qr.py", []),
    ("bench_tui.py", []),
    ("bench_audit.py", []),
]
OTHERS: list[tuple[str, list[str]]] = [("bench_stations.py", []), ("bench_register.py", [])]


def run(script: str, extra: list[str], runs: int, out: Path) -> tuple[int, float]:
    started = time.perf_counter()
    print(f"\n##### {script} {' '.join(extra)}", flush=True)
    code = subprocess.call([sys.executable, str(HERE / script), "--runs", str(runs), "--json", str(out), *extra])
    return code, time.perf_counter() - started


def summary(reports: list[tuple[str, dict | None, int, float]]) -> None:
    print("\n\n===== every figure (ratio = figure / anchor unless the line says otherwise)")
    for script, report, code, took in reports:
        status = "" if code == 0 else f"  (exited {code})"
        print(f"\n{script}  [{took:.0f} s]{status}")
        if report is None:
            continue
        for fig in report["figures"]:
            ratio = "" if fig.get("ratio") is None else f" x{fig['ratio']:.2f}"
            verdict = {None: "-", True: "met", False: "NOT met"}[fig.get("met")]
            print(f"  {verdict:8} {fig['name']}: {fig['measured']}{ratio}  [goal: {fig['goal']}]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of every figure (default 5, at least 5)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these scripts (e.g. bench_cli bench_qr)")
    parser.add_argument("--with-others", action="store_true", help="also run issue 15's scripts")
    parser.add_argument("--json", type=Path, help="write every report to FILE")
    args = parser.parse_args()
    scripts = SCRIPTS + (OTHERS if args.with_others else [])
    if args.only:
        wanted = {name.removesuffix(".py") for name in args.only}
        scripts = [(s, extra) for s, extra in scripts + OTHERS if s.removesuffix(".py") in wanted]
    started = time.perf_counter()
    reports: list[tuple[str, dict | None, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for script, extra in scripts:
            if not (HERE / script).is_file():
                reports.append((script, None, -1, 0.0))
                continue
            out = Path(tmp) / f"{script}.json"
            code, took = run(script, extra, args.runs, out)
            report = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else None
            if report is not None and "figures" not in report:
                report = None  # a script with a report of its own shape: its printout stands
            reports.append((script, report, code, took))
    summary(reports)
    total = time.perf_counter() - started
    print(f"\nall benchmarks: {total:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps({"seconds": total, "reports": {s: r for s, r, _, _ in reports}}, indent=2, ensure_ascii=False),
            encoding="utf-8",
        )
    return 0 if all(code == 0 for _, _, code, _ in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
