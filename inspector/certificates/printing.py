"""The printable A4 certificate, in English and Hindi, as HTML (print CSS) and PDF.

What it says follows ISO/IEC 17021-1 §8.2.2: the station's name and address, the scope as the
services covered, the standard, the decision date (and the original certification date and
revision of a renewal), the expiry, the certifying organisation as HQ is configured, an
authorised signatory line and a reference to the audit report. No score and no nonconformity
counts go on the wall, and there is no "conditional" certificate. A commissionerate's own
quality cell and an accredited certification body print different titles, so a first-party
statement never reads as third-party certification. Until HQ has granted the certificate
(its status list says so) only a draft, watermarked as such, can be printed.

The QR is printed 75 mm square (inside the 70-80 mm the QR reference recommends: about 1.1 mm
per module at version 13, scannable from most of a metre) with the certificate id and station
code in plain text beneath it, so an officer can match the printed text with what the phone says.
PDF text is shaped with HarfBuzz (fpdf2 ``set_text_shaping``, every run as Devanagari, as the
audit report does) or Hindi matras and conjuncts break.
Dates are in the Indian form in India's time zone (``certificates/dates.py``).
"""

from __future__ import annotations

import functools
import html
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inspector.certificates.dates import indian_date
from inspector.certificates.model import CertificateBody

QR_MM = 80  # including the 4-module quiet zone: about 72 mm of code at version 13


@dataclass(frozen=True)
class PrintContext:
    """What HQ decided and who certifies: not in the auditor's signed record, so supplied here."""

    decided_on: date | None = None  # None: no grant known, so only a draft is printed
    revision: int = 0
    original_certification: date | None = None
    organisation: str | None = None
    organisation_address: str | None = None
    accreditation: str | None = None  # set only for an accredited certification body
    station_address: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.decided_on is None

    @property
    def third_party(self) -> bool:
        return bool(self.accreditation)


DRAFT = PrintContext()


def _titles(context: PrintContext) -> tuple[str, str]:
    if context.third_party:
        return "Certificate of Registration: Quality Management System", "गुणवत्ता प्रबंधन प्रणाली पंजीकरण प्रमाण-पत्र"
    return (
        "Statement of Conformity: Quality Management (internal audit)",
        "गुणवत्ता प्रबंधन अनुरूपता विवरण (आंतरिक ऑडिट)",
    )


def _lines(cert: CertificateBody, context: PrintContext = DRAFT) -> list[tuple[str, str, str]]:
    """(label en, label hi, value) rows shared by the HTML and PDF layouts."""
    organisation = context.organisation or cert.issuer_name
    if context.organisation_address:
        organisation += f", {context.organisation_address}"
    rows = [
        ("Station address", "थाने का पता", context.station_address or "-"),
        ("Scope (services)", "दायरा (सेवाएँ)", cert.scope_en),
        ("", "", cert.scope_hi),
        ("Standard", "मानक", cert.standard),
        (
            "Decision date",
            "निर्णय तिथि",
            indian_date(context.decided_on) if context.decided_on else "awaiting HQ's decision",
        ),
    ]
    if context.original_certification and context.revision:
        rows.append(("Original certification", "मूल प्रमाणन", indian_date(context.original_certification)))
    rows += [
        ("Valid until", "वैधता समाप्ति", indian_date(cert.expires_at)),
        ("Revision", "संशोधन", str(context.revision)),
        (
            "Surveillance audits due",
            "निगरानी ऑडिट की नियत तिथियाँ",
            ", ".join(indian_date(d) for d in cert.surveillance_due) or "-",
        ),
        ("Certifying organisation", "प्रमाणन संस्था", organisation),
    ]
    if context.accreditation:
        rows.append(("Accreditation", "प्रत्यायन", context.accreditation))
    rows += [
        ("Lead auditor", "मुख्य लेखा परीक्षक", f"{cert.auditor_name} ({cert.auditor_id})"),
        (
            "Audit report",
            "ऑडिट रिपोर्ट",
            f"audit {cert.audit_id} ({cert.audit_type.value}), checklist {cert.checklist_id} {cert.checklist_version}",
        ),
    ]
    return rows


SIGNATORY = ("Authorised signatory", "अधिकृत हस्ताक्षरकर्ता")
FIRST_PARTY_NOTE = (
    "Issued by the commissionerate's own quality cell after an internal audit; this is not third-party certification. "
    "/ यह कमिश्नरेट के आंतरिक गुणवत्ता प्रकोष्ठ का विवरण है, तृतीय-पक्ष प्रमाणन नहीं।"
)
DRAFT_TEXT = "DRAFT - NOT VALID / प्रारूप - मान्य नहीं"


CSS = """
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
body { font-family: "Inspector Devanagari", "Noto Sans", "Noto Sans Devanagari", "Mangal", sans-serif; color: #111; margin: 0; }
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
.sign { margin-top: 10mm; text-align: right; font-size: 10pt; }
.sign .line { display: inline-block; width: 60mm; border-top: 0.3mm solid #111; padding-top: 1mm; text-align: center; }
.draft { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 40pt; font-weight: 700;
         color: rgba(200, 0, 0, 0.25); transform: rotate(-30deg); pointer-events: none; }
@media screen { body { background: #eee; } .sheet { background: #fff; margin: 8mm auto; } }
"""


def render_html(cert: CertificateBody, qr_svg: str, context: PrintContext = DRAFT) -> str:
    """A self-contained A4 page; ``qr_svg`` is the QR as inline SVG markup."""
    e = html.escape
    title_en, title_hi = _titles(context)
    rows = "\n".join(
        f'<tr><td class="label">{e(en)}{" / " + e(hi) if hi else ""}</td><td>{e(value)}</td></tr>'
        for en, hi, value in _lines(cert, context)
    )
    draft = f'<div class="draft">{e(DRAFT_TEXT)}</div>' if context.is_draft else ""
    first_party = "" if context.third_party else f'<p class="note">{e(FIRST_PARTY_NOTE)}</p>'

    svg = qr_svg[qr_svg.find("<svg") :] if "<svg" in qr_svg else qr_svg
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certificate {e(cert.display_id)} - {e(cert.station_name_en)}</title>
<style>{devanagari_font_css()}{CSS}</style>
</head>
<body>
{draft}
<div class="sheet">
<h1>{e(title_en)}</h1>
<h2 lang="hi">{e(title_hi)}</h2>
<div class="station">{e(cert.station_name_en)}</div>
<div class="station-hi" lang="hi">{e(cert.station_name_hi)}</div>
<div class="code">{e(cert.station_code)} &middot; {e(cert.district)}</div>
<table>
{rows}
</table>
<div class="qr">
{svg}
<div class="under">{e(cert.display_id)} &middot; {e(cert.station_code)}</div>
</div>
<div class="sign"><span class="line">{e(SIGNATORY[0])} / <span lang="hi">{e(SIGNATORY[1])}</span></span></div>
{first_party}
<p class="note">Scan the QR code to check this certificate. It is genuine only if the phone shows VALID
and the same station. / इस प्रमाण-पत्र की जाँच हेतु क्यूआर कोड स्कैन करें; यह तभी असली है जब फ़ोन VALID और यही थाना दिखाए।</p>
</div>
</body>
</html>
"""


def _font_path() -> Path:
    import fontpkg  # type: ignore[import-untyped]

    return Path(fontpkg.path("Noto Sans Devanagari"))


# The Devanagari font of HTML pages (this certificate and the phone page, hq/publish.py): a
# machine without a Devanagari system font (offline Linux laptops, many phones' webviews) shows
# Hindi as boxes, so the page carries its own. Noto Sans Devanagari, cut to the Devanagari block
# with every OpenType layout feature (conjuncts, matras, reph) and the two weights the pages use,
# as WOFF (zlib; WOFF2 would need brotli) data: URLs: about 125 KB, 166 KB in base64.
FONT_FAMILY = "Inspector Devanagari"
FONT_RANGES = ((0x0900, 0x097F), (0x200C, 0x200D), (0x25CC, 0x25CC))  # the block, ZWNJ/ZWJ, dotted circle
FONT_WEIGHTS = (400, 700)


@functools.cache
def devanagari_font_css() -> str:
    """``@font-face`` rules embedding the font for ``FONT_FAMILY`` (same bytes on every call)."""
    import base64

    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib import instancer  # type: ignore[import-untyped]

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(str(_font_path()), recalcTimestamp=False)  # no timestamp: the same bytes each time
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in FONT_RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    ranges = ", ".join(f"U+{low:04X}-{high:04X}" if high > low else f"U+{low:04X}" for low, high in FONT_RANGES)
    rules = []
    for weight in FONT_WEIGHTS:
        face = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": 100}, inplace=False)
        face.flavor = "woff"
        out = io.BytesIO()
        face.save(out)
        data = base64.b64encode(out.getvalue()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; font-weight: {weight}; '
            f'font-display: block; unicode-range: {ranges}; src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        )
    return "".join(rules)


def render_pdf(cert: CertificateBody, qr_png: bytes, context: PrintContext = DRAFT) -> bytes:
    """The same certificate as a one-page A4 PDF; ``qr_png`` has integer pixels per module."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    font = str(_font_path())
    pdf.add_font("Noto", "", font)
    pdf.add_font("Noto", "B", font, variations={"wght": 700.0})
    # Every run shaped as Devanagari: a run like "Valid until / वैधता समाप्ति" starts in Latin, and a
    # script guessed from its first letter could leave its matras unordered. Latin letters pass
    # through the Devanagari shaper unchanged (inspector/reports/pdf.py does the same).
    pdf.set_text_shaping(True, script="deva")
    pdf.set_draw_color(29, 53, 87)
    pdf.set_line_width(0.8)
    pdf.rect(14, 14, 182, 269)
    if context.is_draft:
        _pdf_draft(pdf)
    _pdf_header(pdf, cert, context)
    _pdf_rows(pdf, cert, context)
    _pdf_qr(pdf, cert, qr_png, context)
    return bytes(pdf.output())


def _pdf_draft(pdf) -> None:  # type: ignore[no-untyped-def]
    with pdf.local_context(fill_opacity=0.18, text_color=(200, 0, 0)):
        pdf.set_font("Noto", "B", 44)
        with pdf.rotation(30, x=105, y=150):
            pdf.text(22, 160, "DRAFT - NOT VALID")


def _centered(pdf, text: str, size: float, bold: bool = False, height: float = 9) -> None:  # type: ignore[no-untyped-def]
    pdf.set_font("Noto", "B" if bold else "", size)
    pdf.cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _pdf_header(pdf, cert: CertificateBody, context: PrintContext) -> None:  # type: ignore[no-untyped-def]
    title_en, title_hi = _titles(context)
    pdf.set_y(22)
    _centered(pdf, title_en, 16, bold=True)
    _centered(pdf, title_hi, 14, bold=True)
    pdf.ln(3)
    _centered(pdf, cert.station_name_en, 21, bold=True, height=11)
    _centered(pdf, cert.station_name_hi, 17, height=10)
    _centered(pdf, f"{cert.station_code} · {cert.district}", 10, height=6)
    pdf.ln(3)


LABEL_MM = 58  # the label column of the PDF's rows


def _pdf_rows(pdf, cert: CertificateBody, context: PrintContext) -> None:  # type: ignore[no-untyped-def]
    for en, hi, value in _lines(cert, context):
        label = f"{en} / {hi}" if hi else ""
        top = pdf.get_y()
        label_end = top
        pdf.set_font("Noto", "", 8.5)
        if pdf.get_string_width(label) > LABEL_MM - 2:
            # Too long for its column ("Surveillance audits due / निगरानी ऑडिट की नियत तिथियाँ" ran
            # into its dates): English above Hindi, the value beside the English.
            pdf.set_y(top + 0.7)  # its first line centred as the value's line (4.2 mm in 5.6 mm)
            pdf.multi_cell(LABEL_MM - 2, 4.2, f"{en} /\n{hi}", align="L", new_x="LMARGIN", new_y="NEXT")
            label_end = pdf.get_y() + 0.7
            pdf.set_xy(pdf.l_margin + LABEL_MM, top)
        else:
            pdf.cell(LABEL_MM, 5.6, label)
        pdf.set_font("Noto", "", 9.5)
        pdf.multi_cell(0, 5.6, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), label_end))


def _pdf_qr(pdf, cert: CertificateBody, qr_png: bytes, context: PrintContext) -> None:  # type: ignore[no-untyped-def]
    pdf.set_y(pdf.get_y() + 4)
    pdf.set_font("Noto", "", 9)
    pdf.cell(0, 5, f"______________________  {SIGNATORY[0]} / {SIGNATORY[1]}", align="R", new_x="LMARGIN", new_y="NEXT")
    if not context.third_party:
        pdf.set_font("Noto", "", 7.5)
        pdf.multi_cell(0, 3.8, FIRST_PARTY_NOTE, align="C", new_x="LMARGIN", new_y="NEXT")
    top = max(pdf.get_y() + 2, 178)
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
