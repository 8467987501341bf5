"""Issue 16 goal 3: the command line's start-up, as whole processes, against ``python -c pass``.

    python benchmarks/bench_cli.py [--runs 7] [--json FILE]

Each run starts a fresh process with the interpreter running this script, in turn: the anchor
``python -c pass``, ``inspector --help``, ``inspector verify --payload TEXT`` (TEXT is what a
scanner reads off a real certificate: a closed audit of the registry's longest-named station,
issued, imported and granted at HQ, its status list installed, so the verdict is VALID) and,
for information, ``inspector verify --image`` of the certificate's PNG and the bare import of
``cryptography``'s Ed25519 and of pydantic with one model (the floors with and without pydantic on
the path). The ratio of each run to the anchor of the same round is taken, and
the median and spread of those ratios reported, with wall time, CPU time and peak RSS.
Goals: ``verify --payload`` at most 4x and under 40 MB; ``--help`` at most 3x.

Bytecode is cached for every child, as it is for a user: ``pip install`` compiles the package
and an editable install writes ``__pycache__`` on its first run. The children get a private
``PYTHONPYCACHEPREFIX`` (filled by the untimed warm-up round) and never
``PYTHONDONTWRITEBYTECODE``: with that variable set and no cache, every run would compile the
product's source again (about 15 ms of ``verify --payload``), which no installed copy does. The
figure as the caller's own environment runs it is printed too, for information.

The script then runs ``verify --payload`` once under ``python -X importtime`` and prints the
modules whose own import time is largest: the profile that says what bounds the figure.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from _harness import (
    Figure,
    ProcessRun,
    Report,
    Stat,
    arguments,
    check_runs,
    child_env,
    describe_machine,
    inspector_argv,
    interleave,
    python_argv,
    ratio_stat,
    run_process,
)
from _world import certificate_world, png_of, verdict_line

ED25519 = "from cryptography.hazmat.primitives.asymmetric import ed25519"
# Importing pydantic and building one model: what any command pays that validates one pydantic
# model (the trust list, the station registry and the certificate claims are pydantic models).
PYDANTIC_ONE_MODEL = "from pydantic import BaseModel\nclass A(BaseModel):\n    x: int\nA(x=1)"


def import_profile(env: dict[str, str], text: str, top: int = 12) -> list[tuple[str, float, float]]:
    """(module, own ms, cumulative ms) of the slowest imports of one ``verify --payload``."""
    run = run_process(python_argv("-X", "importtime", *inspector_argv("verify", "--payload", text)[1:]), env=env)
    rows = []
    for line in run.stderr.decode("utf-8", "replace").splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found:
            rows.append((found.group(4), int(found.group(1)) / 1000, int(found.group(2)) / 1000))
    return sorted(rows, key=lambda row: -row[1])[:top]


def main() -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    runs = check_runs(args.runs)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        world, station, issued, text = certificate_world(tmp)
        caller_env = world.env
        env = {k: v for k, v in world.env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        png = str(png_of(issued))
        verdict = verdict_line(world, text)
        jobs = {
            "pass": lambda: run_process(python_argv("-c", "pass"), env=env),
            "help": lambda: run_process(inspector_argv("--help"), env=env),
            "verify": lambda: run_process(inspector_argv("verify", "--payload", text), env=env),
            "verify-caller": lambda: run_process(inspector_argv("verify", "--payload", text), env=caller_env),
            "image": lambda: run_process(inspector_argv("verify", "--image", png), env=env),
            "ed25519": lambda: run_process(python_argv("-c", ED25519), env=env),
            "pydantic": lambda: run_process(python_argv("-c", PYDANTIC_ONE_MODEL), env=env),
        }
        results: dict[str, list[ProcessRun]] = interleave(jobs, runs)
        for name, done in results.items():
            bad = [r for r in done if r.status not in (0, 1)]
            if bad:
                raise SystemExit(f"{name}: exit {bad[0].status}: {bad[0].stderr.decode(errors='replace')[-400:]}")
        profile_env = child_env(**{k: v for k, v in env.items() if k.startswith(("INSPECTOR", "PYTHONPYCACHE"))})
        profile_env.pop("PYTHONDONTWRITEBYTECODE", None)
        profile = import_profile(profile_env, text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    anchor = [r.wall for r in results["pass"]]
    report = Report("CLI start-up (issue 16 goal 3): whole processes, ratio to python -c pass in the same round")
    report.context.update(describe_machine())
    report.context["runs"] = runs
    report.context["certificate"] = f"{station['code']} ({station['name']}), scanned text {len(text)} characters"
    report.context["verdict of verify --payload"] = verdict
    report.context["bytecode"] = (
        "cached in a private PYTHONPYCACHEPREFIX (as installed); caller's PYTHONDONTWRITEBYTECODE="
        f"{caller_env.get('PYTHONDONTWRITEBYTECODE', '(unset)')}"
    )
    if world.notes:
        report.context["setup notes"] = "; ".join(world.notes)
    pass_stat = Stat.of(anchor)
    anchor_text = (
        f"python -c pass {pass_stat.show()} wall, {Stat.of([r.cpu for r in results['pass']]).show()} CPU, "
        f"{max(r.peak_rss for r in results['pass']) / 1e6:.1f} MB"
    )

    def figure(name: str, key: str, goal: str, limit: float | None, rss_limit: float | None = None) -> None:
        done = results[key]
        ratio = ratio_stat([r.wall for r in done], anchor)
        cpu_ratio = ratio_stat([r.cpu for r in done], [r.cpu for r in results["pass"]])
        peak = Stat.of([r.peak_rss for r in done])
        met = None
        if limit is not None:
            met = ratio.median <= limit and (rss_limit is None or peak.median <= rss_limit)
        report.add(
            Figure(
                name=name,
                goal=goal,
                measured=(
                    f"{Stat.of([r.wall for r in done]).show()} wall, peak RSS {peak.show('MB', 1e-6)}; "
                    f"CPU ratio {cpu_ratio.median:.2f} [{cpu_ratio.low:.2f}-{cpu_ratio.high:.2f}]"
                ),
                anchor=anchor_text,
                ratio=ratio.median,
                ratio_spread=(ratio.low, ratio.high),
                met=met,
            )
        )

    figure("inspector --help", "help", "<= 3x python -c pass", 3.0)
    figure("inspector verify --payload TEXT", "verify", "<= 4x python -c pass and < 40 MB peak", 4.0, 40e6)
    figure(
        "inspector verify --payload TEXT as the caller's environment runs it (its bytecode settings)",
        "verify-caller",
        "- (information)",
        None,
    )
    figure("inspector verify --image PNG (clean certificate PNG)", "image", "- (information)", None)
    figure(
        "python -c 'import ed25519 from cryptography' (a floor for any verifier)", "ed25519", "- (information)", None
    )
    figure(
        "python -c 'import pydantic; one model, validated' (the floor with pydantic)",
        "pydantic",
        "- (information)",
        None,
    )
    report.add(
        Figure(
            name="verify --payload: slowest imports (own time, one run under -X importtime)",
            goal="- (the profile that bounds goal 3)",
            measured="; ".join(f"{name} {own:.1f} ms" for name, own, _ in profile),
        )
    )
    report.print()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
