"""Benchmark worlds built the way users build them: through the ``inspector`` command.

Every step a benchmark needs before it measures (a demo HQ and laptop, an audit of the station
with the longest name in the registry, its findings from a CSV, the seal, the certificate, HQ's
import and decision, the lists a verifier installs) runs as the documented command, so a world
here is what a user's data directory would be, whatever the internals look like this week.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import child_env, inspector_argv, run_process

DEMO_PASSPHRASE = "demo-passphrase"  # what ``inspector demo`` prints (inspector.services.demo)
NOTE = "मालखाना रजिस्टर अद्यतन है; प्रविष्टियाँ जाँची गईं। Malkhana register up to date; entries checked."
PHOTO_BYTES = 1_500_000  # a phone photo, roughly


class WorldError(RuntimeError):
    """A setup step failed: the benchmark cannot measure what it meant to."""


@dataclass
class World:
    """A demo data directory (HQ and laptop in one, as ``inspector demo`` makes it)."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # setup steps that did not apply, for the report

    def run(self, *args: str | Path, check: bool = True, stdin: bytes | None = None) -> Any:
        result = run_process(inspector_argv(*map(str, args)), env=self.env, stdin=stdin)
        if check and result.status != 0:
            raise WorldError(
                f"inspector {' '.join(map(str, args))[:200]} exited {result.status}: "
                + result.stderr.decode("utf-8", "replace").strip()[-600:]
            )
        return result

    def json(self, *args: str | Path) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def run_many(self, commands: Sequence[Sequence[str | Path]]) -> list[tuple[int, str]]:
        """Run many ``inspector`` command lines in one child process, through the same
        ``inspector.cli.main.main`` the command runs: (exit status, standard output) of each.
        For building large worlds quickly; nothing measured goes through here."""
        result = run_process(
            [*inspector_argv()[:1], "-c", _MANY],
            env=self.env,
            stdin=json.dumps([[str(a) for a in command] for command in commands]).encode(),
        )
        if result.status != 0:
            raise WorldError("batch of commands failed: " + result.stderr.decode("utf-8", "replace")[-800:])
        done = json.loads(result.stdout)
        for (status, _out, err), command in zip(done, commands):
            if status != 0:
                raise WorldError(f"inspector {' '.join(map(str, command))[:200]} exited {status}: {err[-600:]}")
        return [(status, out) for status, out, _err in done]


_MANY = r"""
import contextlib, io, json, sys
from inspector.cli.main import main
done = []
for argv in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
    done.append((status, out.getvalue(), err.getvalue()))
    if status != 0:
        break
json.dump(done, sys.stdout)
"""


def demo_world(root: Path) -> World:
    """``inspector demo --no-tui --data-dir ROOT``: HQ, an enrolled auditor, trust, stations."""
    world = World(root, child_env(INSPECTOR_HOME=str(root), INSPECTOR_PASSPHRASE=DEMO_PASSPHRASE))
    world.run("demo", "--no-tui", "--data-dir", root)
    return world


def longest_station(world: World) -> dict[str, str]:
    """The registry's station with the longest English name (issue 16: real input sizes)."""
    stations = world.json("stations", "list")
    return max(stations, key=lambda s: (len(s["name"]), s["code"]))


def new_audit(world: World, station: str, audit_type: str = "certification") -> str:
    """``inspector audit new``; a certification audit on a fresh laptop needs the stage 1 waiver."""
    base = ("audit", "new", "--station", station, "--type", audit_type)
    result = world.run(*base, "--waive-stage1", "benchmark: stage 1 done before this tool", check=False)
    if result.status == 2 and b"unrecognized arguments" in result.stderr:
        result = world.run(*base)
    if result.status != 0:
        raise WorldError("audit new: " + result.stderr.decode("utf-8", "replace").strip())
    return result.stdout.decode().strip()


def audit_items(world: World, audit_id: str) -> list[str]:
    """The items the audit walks (its scope), as ``audit show --json`` lists them unanswered."""
    shown = world.json("audit", "show", audit_id)
    items = shown.get("unanswered")
    if not items:
        raise WorldError("audit show --json lists no unanswered items")
    return [item if isinstance(item, str) else item["item"] for item in items]


def photos(folder: Path, count: int, size: int = PHOTO_BYTES, seed: int = 0) -> list[Path]:
    """``count`` distinct files of ``size`` bytes standing in for phone photos (JPEG header)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        path = folder / f"photo-{seed}-{n:02d}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(size - 4))
        paths.append(path)
    return paths


def record_csv(
    world: World,
    audit_id: str,
    items: Sequence[str],
    rows: int,
    folder: Path,
    evidence: Sequence[Path] = (),
) -> int:
    """``audit record AUDIT --from FILE.csv`` with ``rows`` rows cycling through ``items``
    (conform, with a Hindi and English note): rows beyond the items revise them in turn, as a
    long audit does, one pass over the items per CSV file (a file gives each item once, one
    visit's answers), all the passes run through the CLI's entry point in one child process.
    Evidence files go on the first rows."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for start in range(0, rows, len(items)):
        path = folder / f"findings-{audit_id[:8]}-{start}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["item", "status", "note", "evidence"])
            for n in range(start, min(rows, start + len(items))):
                photo = str(evidence[n]) if n < len(evidence) else ""
                writer.writerow([items[n % len(items)], "conform", f"{NOTE} #{n}", photo])
        paths.append(path)
    if len(paths) == 1:
        world.run("audit", "record", audit_id, "--from", paths[0])
    else:
        world.run_many([["audit", "record", audit_id, "--from", path] for path in paths])
    for path in paths:
        path.unlink()
    return rows


def closed_audit(
    world: World,
    station: str,
    folder: Path,
    *,
    revisions: int = 0,
    photo_count: int = 0,
    photo_size: int = PHOTO_BYTES,
    seed: int = 0,
) -> tuple[str, int]:
    """A complete, sealed audit of ``station``: (audit id, finding records written)."""
    audit_id = new_audit(world, station)
    items = audit_items(world, audit_id)
    evidence = photos(folder / "photos", photo_count, photo_size, seed) if photo_count else []
    written = record_csv(world, audit_id, items, max(revisions, len(items)), folder, evidence)
    world.run("audit", "close", audit_id)
    return audit_id, written


def open_audit(world: World, station: str, folder: Path, revisions: int) -> tuple[str, int]:
    """An audit still being walked, with ``revisions`` finding records (items answered in turn)."""
    audit_id = new_audit(world, station)
    items = audit_items(world, audit_id)
    return audit_id, record_csv(world, audit_id, items, revisions, folder)


def issue(world: World, audit_id: str, out: Path) -> dict[str, Any]:
    """``inspector cert issue AUDIT --out DIR --json``: the certificate as the CLI reports it."""
    result = world.run("cert", "issue", audit_id, "--out", out, "--json")
    return dict(json.loads(result.stdout))


def qr_text(issued: dict[str, Any]) -> str:
    """What a scanner reads off the issued certificate's QR code (``cert issue --json``)."""
    return str(issued["qr_text"])


def png_of(issued: dict[str, Any]) -> Path:
    return Path(issued["paths"]["png"])


def export(world: World, audit_id: str, out: Path) -> Path:
    world.run("audit", "export", audit_id, "-o", out)
    return out


def hq_grants(world: World, audit_id: str, bundle: Path, folder: Path) -> None:
    """HQ imports the bundle, grants its certificate and publishes the status list, which the
    laptop installs (the same data directory in a demo world). Steps the product does not
    have are noted, not fatal: the verdict then says why it is not VALID."""
    world.run("hq", "import", bundle)
    decided = world.run(
        "hq",
        "decide",
        audit_id,
        "--grant",
        "--reviewer-id",
        "REV-001",
        "--reviewer-name",
        "Benchmark Reviewer",
        "--note",
        "benchmark: findings reviewed",
        check=False,
    )
    if decided.status != 0:
        world.notes.append("hq decide: " + decided.stderr.decode("utf-8", "replace").strip()[:200])
        return
    status = folder / "status.json"
    made = world.run("hq", "status", "-o", status, check=False)
    if made.status != 0:
        world.notes.append("hq status: " + made.stderr.decode("utf-8", "replace").strip()[:200])
        return
    world.run("trust", "install-status", status)


def certificate_world(root: Path, *, photo_count: int = 0) -> tuple[World, dict[str, str], dict[str, Any], str]:
    """A demo world with a closed audit of the longest-named station and its certificate,
    granted at HQ: (world, station, issued, scanned text)."""
    world = demo_world(root / "data")
    station = longest_station(world)
    audit_id, _ = closed_audit(world, station["code"], root / "work", photo_count=photo_count)
    issued = issue(world, audit_id, root / "certificate")
    try:
        hq_grants(world, audit_id, export(world, audit_id, root / "audit.zip"), root / "work")
    except WorldError as exc:
        world.notes.append(str(exc)[:300])
    return world, station, issued, qr_text(issued)


def verdict_line(world: World, text: str) -> str:
    out = world.run("verify", "--payload", text, check=False)
    return out.stdout.decode("utf-8", "replace").splitlines()[0] if out.stdout else out.stderr.decode()[:200]


def sizes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
