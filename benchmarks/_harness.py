"""What every benchmark here shares: timing child processes, medians with spread, the report.

Rules the scripts follow (issue 16, goal 6):

- every figure is a ratio to an anchor measured in the same run, on the same input, with runs of
  the figure and its anchor interleaved so that a slow spell of the machine hits both alike;
- every figure is the median of at least five runs, printed with its spread (min-max);
- a figure is measured on the path a user runs (the ``inspector`` command in a child process,
  or the service the app calls), never on an inner function alone;
- nothing depends on where the checkout lives: scripts run as ``python benchmarks/NAME.py``
  with the package installed (``pip install -e .``), and the ``inspector`` command is run as
  ``python -m inspector`` by the interpreter running the benchmark.

A script builds a :class:`Report`, adds :class:`Figure` rows, prints it, and with ``--json FILE``
also writes it for ``run_all.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIN_RUNS = 5


@dataclass(frozen=True)
class Stat:
    """The median of some runs and their spread."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        if not values:
            raise ValueError("no values")
        return cls(statistics.median(values), min(values), max(values), len(values))

    def show(self, unit: str = "ms", scale: float = 1000.0, digits: int = 1) -> str:
        m, lo, hi = (v * scale for v in (self.median, self.low, self.high))
        return f"{m:.{digits}f} {unit} [{lo:.{digits}f}-{hi:.{digits}f}]".replace(" []", "")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sample."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ratio_stat(numerators: Sequence[float], denominators: Sequence[float]) -> Stat:
    """Per-round ratios of paired runs (round i of the figure over round i of its anchor)."""
    return Stat.of([a / b for a, b in zip(numerators, denominators, strict=True)])


# ------------------------------------------------------------------------------------------
# Child processes


@dataclass(frozen=True)
class ProcessRun:
    """One finished child: wall time and CPU time (s), peak RSS (bytes), exit status, output."""

    wall: float
    cpu: float
    peak_rss: int
    status: int
    stdout: bytes
    stderr: bytes


# A small launcher between the benchmark and each measured child. Linux carries a process's
# peak RSS across exec(), so a child forked straight from this (large) benchmark process would
# report this process's RSS as its own peak; forked from a bare ``python -S`` (about 6 MB) it
# reports its own. The launcher also times the child from fork to exit, excluding its own start.
_LAUNCHER = r"""
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(out, "w") as f:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)], f)
"""


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    cwd: Path | None = None,
    timeout: float = 300.0,
) -> ProcessRun:
    """Run ``argv`` (an absolute program path first) to completion: wall and CPU time, peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        result = Path(tmp) / "rusage.json"
        completed = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, str(result), *argv],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        if not result.is_file():
            raise RuntimeError(f"launcher failed for {list(argv)}: {completed.stderr.decode(errors='replace')}")
        wall, cpu, peak, status = json.loads(result.read_text())
    return ProcessRun(wall, cpu, peak, status, completed.stdout, completed.stderr)


def python_argv(*args: str) -> list[str]:
    """The interpreter running this benchmark, with ``args``: the same start-up for every child."""
    return [sys.executable, *args]


def inspector_argv(*args: str) -> list[str]:
    """``inspector ARGS`` exactly as the installed console script runs it.

    The console script is ``from inspector.cli.main import main; sys.exit(main())``; running that
    with this interpreter keeps the comparison with ``python -c pass`` honest (same binary, same
    site-packages), wherever the checkout or virtual environment lives.
    """
    code = "import sys\nfrom inspector.cli.main import main\nsys.exit(main())"
    return [sys.executable, "-c", code, *args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.update(extra)
    return env


def interleave(jobs: Mapping[str, Callable[[], Any]], runs: int, warmup: int = 1) -> dict[str, list[Any]]:
    """Run each job ``runs`` times, taking turns job by job; ``warmup`` untimed rounds first."""
    for _ in range(warmup):
        for job in jobs.values():
            job()
    results: dict[str, list[Any]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            results[name].append(job())
    return results


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on Linux
        return None


# ------------------------------------------------------------------------------------------
# The report


@dataclass
class Figure:
    """One line of the report: a measured figure, its anchor, their ratio and the goal."""

    name: str
    goal: str
    measured: str
    anchor: str = ""
    ratio: float | None = None
    ratio_spread: tuple[float, float] | None = None
    met: bool | None = None  # None: informative, no goal
    note: str = ""

    def verdict(self) -> str:
        return "-" if self.met is None else ("met" if self.met else "NOT met")


@dataclass
class Report:
    title: str
    figures: list[Figure] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def print(self) -> None:
        print(f"\n== {self.title}")
        for key, value in self.context.items():
            print(f"   {key}: {value}")
        for fig in self.figures:
            ratio = ""
            if fig.ratio is not None:
                ratio = f"  ratio {fig.ratio:.2f}"
                if fig.ratio_spread is not None:
                    ratio += f" [{fig.ratio_spread[0]:.2f}-{fig.ratio_spread[1]:.2f}]"
            print(f" - {fig.name}: {fig.measured}{ratio}  goal: {fig.goal}  -> {fig.verdict()}")
            if fig.anchor:
                print(f"     anchor: {fig.anchor}")
            if fig.note:
                print(f"     {fig.note}")

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "context": self.context, "figures": [asdict(f) for f in self.figures]}

    def write(self, path: Path | None) -> None:
        if path is not None:
            path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def arguments(description: str, runs: int = 7) -> argparse.ArgumentParser:
    """The options every script takes: ``--runs`` (at least 5) and ``--json FILE``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs, help=f"runs of every figure (default {runs}, at least 5)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the report as JSON")
    return parser


def check_runs(runs: int) -> int:
    if runs < MIN_RUNS:
        raise SystemExit(f"--runs must be at least {MIN_RUNS}: a median of fewer runs is not a figure")
    return runs


def describe_machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load average at start": load_average(),
    }


def spread(values: Iterable[float]) -> tuple[float, float]:
    items = list(values)
    return min(items), max(items)
