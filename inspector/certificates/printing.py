"""The printable A4 certificate, in English and Hindi, as HTML (print CSS) and PDF.

The QR is printed 75 mm square (inside the 70-80 mm the QR reference recommends: about 1.1 mm
per module at version 13, scannable from most of a metre) with the certificate id and station
code in plain text beneath it, so an officer can match the printed text with what the phone says.
PDF text is shaped with HarfBuzz (fpdf2 ``set_text_shaping``) or Hindi matras and conjuncts break.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from inspector.certificates.model import CertificateBody
from inspector.certificates.psc1 import CertResult as Result

QR_MM = 80  # including the 4-module quiet zone: about 72 mm of code at version 13
RESULT_TEXT = {
    Result.CERTIFIED: ("Certified", "प्रमाणित"),
    Result.CONDITIONAL: (
        "Certified subject to corrective action",
        "सुधारात्मक कार्रवाई की शर्त पर प्रमाणित",
    ),
    Result.NOT_CERTIFIED: ("Not certified", "प्रमाणित नहीं"),
}


def _lines(cert: CertificateBody) -> list[tuple[str, str, str]]:
    """(label en, label hi, value) rows shared by the HTML and PDF layouts."""
    return [
        ("Standard", "मानक", cert.standard),
        ("Scope", "दायरा", cert.scope_en),
        ("", "", cert.scope_hi),
        ("Issued", "जारी", cert.issued_at[:10]),
        ("Valid until", "वैध तिथि तक", cert.expires_at[:10]),
        ("Surveillance due", "निगरानी ऑडिट", ", ".join(cert.surveillance_due) or "-"),
        ("Score", "अंक", f"{cert.score}%  (major {cert.majors}, minor {cert.minors})"),
        ("Lead auditor", "मुख्य लेखा परीक्षक", f"{cert.auditor_name} ({cert.auditor_id})"),
        ("Issued under", "जारीकर्ता", cert.issuer_name),
        (
            "Audit",
            "ऑडिट",
            f"{cert.audit_id} ({cert.audit_type.value}), checklist {cert.checklist_id} {cert.checklist_version}",
        ),
    ]


CSS = """
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "Noto Sans Devanagari", "Mangal", sans-serif; color: #111; margin: 0; }
.sheet { width: 174mm; margin: 0 auto; border: 1.2mm double #1d3557; padding: 10mm; }
h1 { font-size: 20pt; margin: 0 0 2mm; text-align: center; letter-spacing: 0.5pt; }
h2 { font-size: 16pt; margin: 0 0 6mm; text-align: center; font-weight: 600; }
.station { text-align: center; font-size: 22pt; font-weight: 700; margin: 4mm 0 1mm; }
.station-hi { text-align: center; font-size: 18pt; margin: 0 0 1mm; }
.code { text-align: center; font-size: 11pt; color: #333; margin-bottom: 5mm; }
.result { text-align: center; font-size: 14pt; font-weight: 700; margin: 2mm 0 5mm; }
table { width: 100%; border-collapse: collapse; font-size: 10pt; }
td { padding: 1.2mm 0; vertical-align: top; }
td.label { width: 48mm; color: #333; }
.qr { text-align: center; margin-top: 6mm; page-break-inside: avoid; }
.qr svg { width: 80mm; height: 80mm; }
.qr .under { font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; margin-top: 2mm; }
.note { font-size: 8.5pt; color: #333; text-align: center; margin-top: 3mm; }
@media screen { body { background: #eee; } .sheet { background: #fff; margin: 8mm auto; } }
"""


def render_html(cert: CertificateBody, qr_svg: str) -> str:
    """A self-contained A4 page; ``qr_svg`` is the QR as inline SVG markup."""
    e = html.escape
    result_en, result_hi = RESULT_TEXT[cert.result]
    rows = "\n".join(
        f'<tr><td class="label">{e(en)}{" / " + e(hi) if hi else ""}</td><td>{e(value)}</td></tr>'
        for en, hi, value in _lines(cert)
    )
    svg = qr_svg[qr_svg.find("<svg") :] if "<svg" in qr_svg else qr_svg
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certificate {e(cert.display_id)} - {e(cert.station_name_en)}</title>
<style>{CSS}</style>
</head>
<body>
<div class="sheet">
<h1>Certificate of Quality Management</h1>
<h2 lang="hi">गुणवत्ता प्रबंधन प्रमाण-पत्र</h2>
<div class="station">{e(cert.station_name_en)}</div>
<div class="station-hi" lang="hi">{e(cert.station_name_hi)}</div>
<div class="code">{e(cert.station_code)} &middot; {e(cert.district)}</div>
<div class="result">{e(result_en)} / <span lang="hi">{e(result_hi)}</span></div>
<table>
{rows}
</table>
<div class="qr">
{svg}
<div class="under">{e(cert.display_id)} &middot; {e(cert.station_code)}</div>
</div>
<p class="note">Scan the QR code to check this certificate. It is genuine only if the phone shows VALID
and the same station. / इस प्रमाण-पत्र की जाँच हेतु क्यूआर कोड स्कैन करें।</p>
</div>
</body>
</html>
"""


def _font_path() -> Path:
    import fontpkg  # type: ignore[import-untyped]

    return Path(fontpkg.path("Noto Sans Devanagari"))


def render_pdf(cert: CertificateBody, qr_png: bytes) -> bytes:
    """The same certificate as a one-page A4 PDF; ``qr_png`` has integer pixels per module."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    font = str(_font_path())
    pdf.add_font("Noto", "", font)
    pdf.add_font("Noto", "B", font, variations={"wght": 700.0})
    pdf.set_text_shaping(True)
    pdf.set_draw_color(29, 53, 87)
    pdf.set_line_width(0.8)
    pdf.rect(14, 14, 182, 269)
    _pdf_header(pdf, cert)
    _pdf_rows(pdf, cert)
    _pdf_qr(pdf, cert, qr_png)
    return bytes(pdf.output())


def _centered(pdf, text: str, size: float, bold: bool = False, height: float = 9) -> None:  # type: ignore[no-untyped-def]
    pdf.set_font("Noto", "B" if bold else "", size)
    pdf.cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _pdf_header(pdf, cert: CertificateBody) -> None:  # type: ignore[no-untyped-def]
    result_en, result_hi = RESULT_TEXT[cert.result]
    pdf.set_y(22)
    _centered(pdf, "Certificate of Quality Management", 19, bold=True)
    _centered(pdf, "गुणवत्ता प्रबंधन प्रमाण-पत्र", 16, bold=True)
    pdf.ln(3)
    _centered(pdf, cert.station_name_en, 21, bold=True, height=11)
    _centered(pdf, cert.station_name_hi, 17, height=10)
    _centered(pdf, f"{cert.station_code} · {cert.district}", 10, height=6)
    pdf.ln(1)
    _centered(pdf, f"{result_en} / {result_hi}", 13, bold=True)
    pdf.ln(2)


def _pdf_rows(pdf, cert: CertificateBody) -> None:  # type: ignore[no-untyped-def]
    for en, hi, value in _lines(cert):
        label = f"{en} / {hi}" if hi else ""
        pdf.set_font("Noto", "", 8.5)
        pdf.cell(58, 5.6, label)
        pdf.set_font("Noto", "", 9.5)
        pdf.multi_cell(0, 5.6, value, align="L", new_x="LMARGIN", new_y="NEXT")


def _pdf_qr(pdf, cert: CertificateBody, qr_png: bytes) -> None:  # type: ignore[no-untyped-def]
    top = max(pdf.get_y() + 2, 170)
    pdf.image(io.BytesIO(qr_png), x=(210 - QR_MM) / 2, y=top, w=QR_MM, h=QR_MM)
    pdf.set_y(top + QR_MM + 1)
    _centered(pdf, f"{cert.display_id} · {cert.station_code}", 12, bold=True, height=7)
    pdf.set_font("Noto", "", 8)
    pdf.multi_cell(
        0,
        4.2,
        "Scan the QR code to check this certificate: genuine only if the phone shows VALID and the same station.\n"
        "इस प्रमाण-पत्र की जाँच हेतु क्यूआर कोड स्कैन करें।",
        align="C",
    )
