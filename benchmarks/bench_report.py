"""Issue 14 item 1: the audit report of a whole audit with 20 photos renders in under 5 s.

    python benchmarks/bench_report.py [--runs 5] [--photos 20] [--json FILE]

The world is built with the ``inspector`` command (``demo``, ``audit new`` on the shipped
checklist for the registry's longest-named station, every item of its scope recorded from a CSV
with a Hindi and English note, ``--photos`` real phone-sized JPEGs attached, ``audit close``, a
closing meeting). The figure is ``inspector audit report AUDIT --out DIR`` in a fresh process,
as a user runs it: reading the chain, decoding and downscaling the photos, laying out the PDF
with HarfBuzz shaping, the HTML with the embedded font, writing both.

Anchor, interleaved round by round in the same run: a fresh process that makes a one-page PDF
with fpdf2, the same Noto Sans Devanagari font (both weights) and shaping, one line of Hindi.
It is what any PDF of this product costs at least; the ratio says what the report adds.

The report keeps the fonts it derives (a bold instance for the PDF, the subset for the HTML) in
the data directory's ``cache/``; the first report there also makes them, measured separately.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

from _harness import Figure, Report, Stat, arguments, check_runs, describe_machine, interleave, python_argv, run_process
from _world import World, audit_items, demo_world, longest_station, new_audit, record_csv
from PIL import Image, ImageDraw

GOAL_SECONDS = 5.0

ANCHOR = r"""
import fontpkg
from fpdf import FPDF
font = fontpkg.path("Noto Sans Devanagari")
pdf = FPDF(format="A4", unit="mm")
pdf.add_page()
pdf.add_font("Noto", "", font)
pdf.add_font("Noto", "B", font, variations={"wght": 700.0})
pdf.set_text_shaping(True, script="deva")
pdf.set_font("Noto", "B", 14)
pdf.cell(0, 10, "Audit report / ऑडिट रिपोर्ट")
pdf.output("anchor.pdf")
"""


def real_photos(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` JPEGs of 4000x3000 (a 12-megapixel phone photo, about 1-2 MB with detail)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        image = Image.effect_noise((1000, 750), 60).convert("RGB").resize((4000, 3000))
        draw = ImageDraw.Draw(image)
        for _ in range(40):
            x, y = rng.randrange(4000), rng.randrange(3000)
            draw.rectangle((x, y, x + rng.randrange(50, 900), y + rng.randrange(50, 700)), fill=tuple(rng.randbytes(3)))
        path = folder / f"evidence-{n:02d}.jpg"
        image.save(path, "JPEG", quality=85)
        paths.append(path)
    return paths


def build(root: Path, photo_count: int) -> tuple[World, str, int, int]:
    world = demo_world(root / "data")
    station = longest_station(world)
    audit_id = new_audit(world, station["code"])
    items = audit_items(world, audit_id)
    photos = real_photos(root / "photos", photo_count)
    record_csv(world, audit_id, items, len(items), root / "work", photos)
    world.run("audit", "close", audit_id)
    meeting = world.run(
        "audit",
        "meeting",
        audit_id,
        "--kind",
        "closing",
        "--attendee",
        "Benchmark Auditor, Inspector",
        "--attendee",
        "Station House Officer, Inspector",
        "--acknowledged-by",
        "Station House Officer, Inspector",
        check=False,
    )
    if meeting.status != 0:
        world.notes.append("audit meeting: " + meeting.stderr.decode("utf-8", "replace").strip()[:200])
    return world, audit_id, len(items), sum(p.stat().st_size for p in photos)


def main() -> int:
    parser = arguments(__doc__.splitlines()[0], runs=5)
    parser.add_argument("--photos", type=int, default=20, help="photos attached (default 20)")
    args = parser.parse_args()
    runs = check_runs(args.runs)
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    report = Report("Audit report (issue 14 item 1): a whole audit with photo thumbnails, PDF and HTML")
    report.context.update(describe_machine())
    report.context["runs"] = runs
    try:
        world, audit_id, items, photo_bytes = build(tmp, args.photos)
        report.context["audit"] = (
            f"{items} items (shipped checklist, certification scope), {args.photos} photos of "
            f"{photo_bytes / args.photos / 1e6:.1f} MB, closed, closing meeting"
        )
        if world.notes:
            report.context["setup notes"] = "; ".join(world.notes)
        out = tmp / "report"
        anchor_dir = tmp / "anchor"
        anchor_dir.mkdir()

        def figure() -> float:
            result = world.run("audit", "report", audit_id, "--out", out)
            return result.wall

        def anchor() -> float:
            result = run_process(python_argv("-c", ANCHOR), env=world.env, cwd=anchor_dir)
            if result.status != 0:
                raise RuntimeError(result.stderr.decode("utf-8", "replace")[-400:])
            return result.wall

        def cold() -> float:
            # The first report in a data directory also makes the fonts it keeps in cache/.
            for cached in (world.root / "cache").glob("report-font-*"):
                cached.unlink()
            return figure()

        times = interleave({"report": figure, "anchor": anchor, "cold": cold}, runs)
        ours, base = Stat.of(times["report"]), Stat.of(times["anchor"])
        ratios = [a / b for a, b in zip(times["report"], times["anchor"], strict=True)]
        pdf = next(out.glob("*.pdf"))
        html = next(out.glob("*.html"))
        report.add(
            Figure(
                name="`inspector audit report AUDIT --out DIR`, whole process (PDF + HTML)",
                goal=f"< {GOAL_SECONDS:.0f} s",
                measured=ours.show("s", 1.0, 2),
                anchor=f"bare fpdf2 page, same font and shaping, fresh process: {base.show('s', 1.0, 2)}",
                ratio=Stat.of(ratios).median,
                ratio_spread=(min(ratios), max(ratios)),
                met=ours.median < GOAL_SECONDS,
                note=f"PDF {pdf.stat().st_size / 1e6:.2f} MB, HTML {html.stat().st_size / 1e6:.2f} MB",
            )
        )
        first = Stat.of(times["cold"])
        report.add(
            Figure(
                name="... the first report in a data directory (fonts made and cached)",
                goal="information",
                measured=first.show("s", 1.0, 2),
                ratio=first.median / base.median,
            )
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.print()
    report.write(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
