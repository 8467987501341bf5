"""``inspector hq report --out DIR``: the stats of :mod:`stats` as an HTML page and an A4 PDF.

Both show the same four parts: recurring nonconformities as bar charts (by item, by ISO 9001
clause), the ageing of open nonconformities against their due dates, the surveillance calendar,
and the per-station table. The PDF is drawn with fpdf2, its text shaped by HarfBuzz with the Noto
Sans Devanagari font, as the printed certificate is (``inspector.certificates.printing``):
without shaping, Hindi matras and conjuncts break.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any

HTML_NAME = "hq-report.html"
PDF_NAME = "hq-report.pdf"
TITLE_EN = "HQ report: audits across stations"
TITLE_HI = "मुख्यालय रिपोर्ट: सभी थानों के ऑडिट"
BARS_SHOWN = 15
ROWS_SHOWN = 400  # a PDF table beyond this says how many more rows the CSV has
AGE_BUCKETS = ((0, 30, "0-30 days"), (31, 90, "31-90 days"), (91, 180, "91-180 days"), (181, None, "over 180 days"))


def ageing(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Every open nonconformity of the latest audits, most overdue first."""
    rows = []
    for station in stats["stations"]:
        for nc in station["nonconformities"]:
            if nc["state"] != "closed":
                rows.append({"station": station["station"], "name": station["name"], **nc})
    rows.sort(key=lambda r: (-(r["days_overdue"] or 0), -r["days_open"], r["station"], r["item"]))
    return rows


def age_buckets(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for row in rows:
        for low, high, label in AGE_BUCKETS:
            if row["days_open"] >= low and (high is None or row["days_open"] <= high):
                counts[label] += 1
    return [(label, counts[label]) for _, _, label in AGE_BUCKETS]


# ---------------------------------------------------------------------------------------------
# HTML

CSS = """
body { font-family: "Noto Sans", "Noto Sans Devanagari", sans-serif; color: #111; margin: 2em auto; max-width: 60em; }
h1 { font-size: 1.5em; margin-bottom: 0; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.sub { color: #444; margin-top: .2em; } table { border-collapse: collapse; width: 100%; font-size: .85em; }
th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { background: #f2f4f7; } .num { text-align: right; } .overdue { color: #a00; font-weight: 600; }
svg text { font-size: 12px; font-family: inherit; } .bar { fill: #1d3557; }
"""


def _bars_svg(entries: list[tuple[str, int]], total: int) -> str:
    if not entries:
        return "<p>None: no item fails at several stations.</p>"
    height = 22 * len(entries) + 10
    label_w, bar_w = 330, 360
    biggest = max(count for _, count in entries) or 1
    parts = [f'<svg role="img" width="{label_w + bar_w + 80}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, count) in enumerate(entries):
        y = 5 + 22 * index
        width = max(2, round(bar_w * count / biggest))
        parts.append(f'<text x="0" y="{y + 14}">{html.escape(_fit(label, 48))}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{width}" height="16"/>')
        share = f" ({100 * count / total:.0f}%)" if total else ""
        parts.append(f'<text x="{label_w + width + 6}" y="{y + 14}">{count}{share}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{html.escape(_text(v))}</td>' if i in numeric else f"<td>{html.escape(_text(v))}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{100 * value:.0f}%"
    return str(value)


def indian_date(text: str | None) -> str | None:
    """``YYYY-MM-DD...`` as printed documents show dates in India: ``DD-MM-YYYY``."""
    if not text or len(text) < 10 or text[4] != "-":
        return text
    return f"{text[8:10]}-{text[5:7]}-{text[:4]}"


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def item_bars(stats: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (f"{entry['item']} {entry.get('title') or ''}".strip(), entry["count"])
        for entry in stats["recurring"]["by_item"][:BARS_SHOWN]
    ]


def clause_bars(stats: dict[str, Any]) -> list[tuple[str, int]]:
    return [(f"ISO 9001 {entry['clause']}", entry["count"]) for entry in stats["recurring"]["by_clause"][:BARS_SHOWN]]


def render_html(stats: dict[str, Any]) -> str:
    e = html.escape
    total = stats["stations_audited"]
    aged = ageing(stats)
    calendar = stats["surveillance_calendar"]
    station_rows = [
        [
            s["station"],
            s["name"],
            s["zone"],
            indian_date(s["closed"]),
            s["score"],
            s["na_share"],
            s["open_nonconformities"],
            s["overdue_nonconformities"],
            s["certificate_status"],
            indian_date(s["next_surveillance"]),
        ]
        for s in stats["stations"]
    ]
    consistency = [
        [
            entry["item"],
            entry["spread"],
            ", ".join(f"{a['auditor']} {a['nonconformity_rate']:.0%}" for a in entry["auditors"]),
        ]
        for entry in stats["consistency"]["items"][:BARS_SHOWN]
    ]
    buckets = "".join(f"<li>{e(label)}: {count}</li>" for label, count in age_buckets(aged))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(TITLE_EN)}</title><style>{CSS}</style></head><body>
<h1>{e(TITLE_EN)}</h1><p class="sub" lang="hi">{e(TITLE_HI)}</p>
<p class="sub">As of {e(indian_date(stats["generated"]) or "")}: {total} station(s) audited of {stats["stations_in_registry"]} in the registry.</p>
<h2>Recurring nonconformities by item</h2>
<p>Items nonconforming in the latest audits of at least {stats["recurring"]["min_stations"]} stations: a cause above any one station.</p>
{_bars_svg(item_bars(stats), total)}
<h2>Recurring nonconformities by ISO 9001 clause</h2>
{_bars_svg(clause_bars(stats), total)}
<h2>Open nonconformities: ageing against due dates</h2>
<ul>{buckets}</ul>
{_table(["Station", "Item", "Grade", "State", "Due", "Days open", "Days overdue"], [[r["station"], r["item"], r["grade"], r["state"], indian_date(r["due"]), r["days_open"], r["days_overdue"]] for r in aged], {5, 6})}
<h2>Surveillance calendar</h2>
{_table(["Due", "Station", "Certificate", "Status"], [[indian_date(c["date"]), c["station"], c["certificate"], c["status"]] for c in calendar])}
<h2>Grading consistency between auditors</h2>
{_table(["Item", "Spread", "Nonconformity rate by auditor"], consistency)}
<h2>Stations</h2>
{_table(["Code", "Station", "Zone", "Closed", "Score", "N/A", "Open NCs", "Overdue", "Certificate", "Next surveillance"], station_rows, {4, 5, 6, 7})}
</body></html>
"""


# ---------------------------------------------------------------------------------------------
# PDF


def _font_path() -> Path:
    import fontpkg  # type: ignore[import-untyped]

    return Path(fontpkg.path("Noto Sans Devanagari"))


def render_pdf(stats: dict[str, Any]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15, 15)
    font = str(_font_path())
    pdf.add_font("Noto", "", font)
    pdf.add_font("Noto", "B", font, variations={"wght": 700.0})
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font("Noto", "B", 16)
    pdf.cell(0, 9, TITLE_EN, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 13)
    pdf.cell(0, 8, TITLE_HI, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Noto", "", 9)
    total = stats["stations_audited"]
    pdf.cell(
        0,
        6,
        f"As of {indian_date(stats['generated'])}: {total} station(s) audited of {stats['stations_in_registry']} in the registry.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(pdf, "Recurring nonconformities by item")
    _pdf_bars(pdf, item_bars(stats), total)
    _heading(pdf, "Recurring nonconformities by ISO 9001 clause")
    _pdf_bars(pdf, clause_bars(stats), total)
    aged = ageing(stats)
    _heading(pdf, "Open nonconformities: ageing against due dates")
    pdf.set_font("Noto", "", 9)
    pdf.cell(0, 5, "   ".join(f"{label}: {count}" for label, count in age_buckets(aged)), new_x="LMARGIN", new_y="NEXT")
    _pdf_table(
        pdf,
        ["Station", "Item", "Grade", "State", "Due", "Days open", "Overdue"],
        [
            [r["station"], r["item"], r["grade"], r["state"], indian_date(r["due"]), r["days_open"], r["days_overdue"]]
            for r in aged
        ],
        [30, 22, 20, 28, 28, 26, 26],
    )
    _heading(pdf, "Surveillance calendar")
    _pdf_table(
        pdf,
        ["Due", "Station", "Certificate", "Status"],
        [[indian_date(c["date"]), c["station"], c["certificate"], c["status"]] for c in stats["surveillance_calendar"]],
        [30, 40, 80, 30],
    )
    _heading(pdf, "Stations")
    _pdf_table(
        pdf,
        ["Code", "Closed", "Score", "N/A", "Open", "Overdue", "Certificate", "Surveillance"],
        [
            [
                s["station"],
                indian_date(s["closed"]),
                s["score"],
                s["na_share"],
                s["open_nonconformities"],
                s["overdue_nonconformities"],
                s["certificate_status"],
                indian_date(s["next_surveillance"]),
            ]
            for s in stats["stations"]
        ],
        [26, 24, 16, 14, 16, 18, 32, 34],
    )
    return bytes(pdf.output())


def _heading(pdf: Any, text: str) -> None:
    if pdf.get_y() > 250:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("Noto", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")


def _pdf_bars(pdf: Any, entries: list[tuple[str, int]], total: int) -> None:
    pdf.set_font("Noto", "", 8.5)
    if not entries:
        pdf.cell(0, 6, "None: no item fails at several stations.", new_x="LMARGIN", new_y="NEXT")
        return
    biggest = max(count for _, count in entries) or 1
    label_w, bar_w = 80, 80
    for label, count in entries:
        if pdf.get_y() > 275:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_x(15)
        pdf.cell(label_w, 6, _fit(label, 50))
        width = max(0.8, bar_w * count / biggest)
        pdf.set_fill_color(29, 53, 87)
        pdf.rect(15 + label_w, y + 1, width, 4, style="F")
        pdf.set_xy(15 + label_w + width + 2, y)
        share = f" ({100 * count / total:.0f}%)" if total else ""
        pdf.cell(20, 6, f"{count}{share}", new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf: Any, headers: list[str], rows: list[list[Any]], widths: list[float]) -> None:
    pdf.set_font("Noto", "B", 8.5)
    pdf.set_fill_color(242, 244, 247)
    for header, width in zip(headers, widths):
        pdf.cell(width, 6, header, border="B", fill=True)
    pdf.ln(6)
    pdf.set_font("Noto", "", 8.5)
    if not rows:
        pdf.cell(0, 6, "None.", new_x="LMARGIN", new_y="NEXT")
        return
    for row in rows[:ROWS_SHOWN]:
        if pdf.get_y() > 280:
            pdf.add_page()
        for value, width in zip(row, widths):
            pdf.cell(width, 5.5, _text(value)[:30])
        pdf.ln(5.5)
    if len(rows) > ROWS_SHOWN:
        pdf.cell(
            0,
            6,
            f"... and {len(rows) - ROWS_SHOWN} more rows (see 'inspector hq stats --csv').",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def write_report(stats: dict[str, Any], out: Path, *, force: bool = False) -> list[Path]:
    """Write both renderings into ``out`` (created if missing); existing files need ``force``."""
    from inspector._io.atomic import private_dir, write_private
    from inspector._io.outputs import check_output_dir, check_output_file

    folder = check_output_dir(out, "report directory")
    targets = [folder / HTML_NAME, folder / PDF_NAME]
    if folder.exists():
        for target in targets:
            check_output_file(target, "report file", force=force, field="out")
    html_text = render_html(stats).encode("utf-8")
    pdf_bytes = render_pdf(stats)  # rendered before anything is written: a failure writes nothing
    private_dir(folder)
    for target, data in zip(targets, (html_text, pdf_bytes)):
        write_private(target, data, mode=0o644)
    return targets
