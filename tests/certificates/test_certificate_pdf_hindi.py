"""The printed certificate's Hindi: shaped (matras in place, conjuncts joined), and labels that
stay in their column. Page 1 is also turned into a PNG in tests/output/certificates/ for review.

pdftotext reads text shaped by HarfBuzz back differently from the same text left unshaped (the
vowel sign ि, drawn before its consonant, comes out followed by a blank), so the expected text is
taken from two tiny reference PDFs made here with the same font, one shaped and one not: the
certificate must read like the shaped one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inspector.certificates import printing, qr
from inspector.certificates.printing import LABEL_MM, render_pdf
from inspector.paths import DataDir
from tests.certificates import test_certificate as base
from tests.helpers import REPO, grant_at_hq

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

# The fixtures of the certificate tests, shared by name (a closed certifiable audit, its certificate).
certifiable = base.certifiable
issued = base.issued

BISRAKH = "थाना बिसरख"  # a Gautam Buddh Nagar station whose name has the vowel sign ि
REVIEW_DIR = REPO / "tests" / "output" / "certificates"
PT_PER_MM = 72 / 25.4


def _text(pdf: bytes, tmp_path: Path, name: str, *options: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _reference(text: str, *, shaped: bool) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.add_font("Noto", "", str(printing._font_path()))
    if shaped:
        pdf.set_text_shaping(True, script="deva")
    pdf.set_font("Noto", "", 17)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def _render(body: Any) -> bytes:
    return render_pdf(body, qr.png_bytes(body.payload, box_size=12))


def test_the_hindi_station_name_is_shaped(issued: Any, tmp_path: Path) -> None:
    body = issued.body.model_copy(update={"station_name_hi": BISRAKH})
    shaped = _text(_reference(BISRAKH, shaped=True), tmp_path, "shaped").strip()
    unshaped = _text(_reference(BISRAKH, shaped=False), tmp_path, "unshaped").strip()
    assert shaped != unshaped  # else this test could not tell them apart
    lines = [line.strip() for line in _text(_render(body), tmp_path, "certificate").splitlines()]
    assert shaped in lines and unshaped not in lines, lines[:12]
    # the shipped station's name, and a label line mixing Latin and Devanagari, read shaped too
    text = _text(_render(issued.body), tmp_path, "kotwali")
    assert "कोतवाली सेक्टर 39" in text
    mixed = "Decision date / निर्णय तिथि"
    assert _text(_reference(mixed, shaped=True), tmp_path, "mixed").strip() in text


def test_every_label_stays_in_its_column(trust_env: DataDir, hq_env: DataDir, issued: Any, tmp_path: Path) -> None:
    """No word of a label reaches the values' column (the longest Hindi label once ran into its dates)."""
    from inspector.certificates.render import print_context
    from inspector.trust.store import TrustStore

    grant_at_hq(trust_env, hq_env, issued.body.audit_id)  # granted: the fullest set of rows
    context = print_context(issued.body, TrustStore(trust_env.root).status(), "Sector 39, Noida 201301")
    pdf = render_pdf(issued.body, qr.png_bytes(issued.body.payload, box_size=12), context)
    bbox = _text(pdf, tmp_path, "bbox", "-bbox")
    words = [
        (float(x0), float(y0), float(x1), word)
        for x0, y0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox
        )
    ]
    first = next(y for x, y, _, w in words if w == "Station" and x < 60)
    last = next(y for x, y, _, w in words if w == "Lead" and x < 60)
    column = (18 + LABEL_MM) * PT_PER_MM
    labels = [(x0, y, x1, w) for x0, y, x1, w in words if first <= y <= last + 1 and x0 < column]
    assert all(x1 <= column for _, _, x1, _ in labels), [item for item in labels if item[2] > column]
    # the long label is there, its Hindi on a line of its own below the English
    english = next(y for _, y, _, w in labels if w == "Surveillance")
    below = next(y for _, y, _, w in labels if w == "Certifying")
    assert any(english < y < below and re.search("[\u0900-\u097f]", w) for _, y, _, w in labels), labels


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_the_certificate_page_renders_to_png_for_review(issued: Any, tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "certificate.pdf"
    path.write_bytes(_render(issued.body.model_copy(update={"station_name_hi": BISRAKH})))
    REVIEW_DIR.mkdir(parents=True, exist_ok=True)
    prefix = REVIEW_DIR / "certificate"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(prefix)], check=True)
    [png] = sorted(REVIEW_DIR.glob("certificate-*.png"))
    with Image.open(png) as page:
        assert page.size == (496, 702) or abs(page.size[0] - 496) <= 2  # A4 at 60 dpi
        colours = page.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert sum(count for count, rgb in colours if max(rgb) < 60) > 2000  # text and the QR are drawn
