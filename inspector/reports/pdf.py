"""The audit report as an A4 PDF (fpdf2), Hindi shaped with HarfBuzz in Noto Sans Devanagari.

Same font and shaping as the certificate (:mod:`inspector.certificates.printing`): without
``set_text_shaping`` matras and conjuncts break. Every page carries the verification line in its
footer (audit id, seal hash, record count) so a single page can be matched with the bundle.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from inspector.certificates.dates import indian_date
from inspector.reports.fonts import BOLD_WEIGHT, bold_font_file, font_path
from inspector.reports.model import (
    AUDIT_TYPES,
    SENSITIVE_NOTE,
    STATE_TEXT,
    STATUS_TEXT,
    EvidenceLine,
    ItemLine,
    Lang,
    Report,
    bilingual,
    counts_by_grade,
    size_text,
    verification_line,
)

NAVY = (29, 53, 87)
GREY = (90, 90, 90)
RED = (170, 20, 20)
BAR_MM = 95.0
THUMB_W, THUMB_H = 42.0, 32.0


def _pdf_class() -> Any:
    from fpdf import FPDF

    class ReportPDF(FPDF):  # fpdf is untyped here (ignore_missing_imports): a subclass of Any
        footer_line = ""

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font("Noto", "", 6.5)
            self.set_text_color(*GREY)
            self.multi_cell(0, 3.2, f"{self.footer_line} · page {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    return ReportPDF


def render_pdf(report: Report, lang: Lang, cache_dir: Path | None = None) -> bytes:
    """The report as PDF bytes; ``cache_dir`` keeps the bold font instance between reports."""
    pdf = _pdf_class()(format="A4", unit="mm")
    pdf.footer_line = verification_line(report)
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("Noto", "", str(font_path()))
    bold = bold_font_file(cache_dir)
    if bold is not None:
        pdf.add_font("Noto", "B", str(bold))
    else:
        pdf.add_font("Noto", "B", str(font_path()), variations={"wght": BOLD_WEIGHT})
    # HarfBuzz guesses one script per run: a run like "Decision / निर्णय" starts in Latin, so it
    # would be shaped as Latin and its matras left unordered (ि after its consonant). Shaping
    # every run as Devanagari orders the Hindi; Latin letters pass through that shaper unchanged.
    pdf.set_text_shaping(True, script="deva")
    pdf.set_title(f"Audit report {report.view.audit_id}")
    pdf.set_creator("Station Inspector")
    w = _Writer(pdf, lang)
    w.cover(report)
    w.summary(report)
    w.nonconformities(report)
    w.findings(report)
    w.meetings(report)
    w.signatures(report)
    return bytes(pdf.output())


class _Writer:
    def __init__(self, pdf: Any, lang: Lang) -> None:
        self.pdf = pdf
        self.lang = lang
        self._widths: dict[tuple[str, float, str], float] = {}

    # -- primitives ---------------------------------------------------------------------------
    def t(self, en: str, hi: str) -> str:
        return bilingual(en, hi, self.lang)

    def _width(self, word: str) -> float:
        pdf = self.pdf
        key = (pdf.font_style, pdf.font_size_pt, word)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = pdf.get_string_width(word)
        return width

    def _wrap(self, text: str, width: float) -> list[str] | None:
        """``text`` broken into lines of at most ``width`` mm, measuring each word once.

        fpdf2's own line breaking shapes the growing line again for every character (about
        4 s for a whole audit); words shaped alone and summed are within a hair of the shaped
        line, and a little slack covers the difference. None: a word wider than the line
        (a long URL), which fpdf2 then breaks inside.
        """
        limit = width - 0.6
        space = self._width(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            current, used = "", 0.0
            for word in paragraph.split(" "):
                size = self._width(word)
                if size > limit:
                    return None
                if current and used + space + size <= limit:
                    current, used = f"{current} {word}", used + space + size
                elif current:
                    lines.append(current)
                    current, used = word, size
                else:
                    current, used = word, size
            lines.append(current)
        return lines

    def emit(self, x: float, width: float, height: float, text: str) -> None:
        """Write ``text`` wrapped into the column at ``x``; the cursor ends below it, at the margin."""
        pdf = self.pdf
        lines = self._wrap(text, width)
        if lines is None:
            pdf.set_x(x)
            pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT", align="L")
            return
        for line in lines:
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_x(x)
            pdf.cell(width, height, line, new_x="LMARGIN", new_y="NEXT", align="L")

    def heading(self, en: str, hi: str, size: float = 15) -> None:
        pdf = self.pdf
        pdf.set_font("Noto", "B", size)
        pdf.set_text_color(*NAVY)
        self.emit(pdf.l_margin, pdf.epw, size * 0.5, self.t(en, hi))
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)

    def text(self, value: str, size: float = 9.5, bold: bool = False, height: float | None = None) -> None:
        self.pdf.set_font("Noto", "B" if bold else "", size)
        self.emit(self.pdf.l_margin, self.pdf.epw, height or size * 0.48, value)

    def row(self, en: str, hi: str, value: str, label_mm: float = 52) -> None:
        pdf = self.pdf
        pdf.set_font("Noto", "", 8)
        pdf.set_text_color(*GREY)
        self.need(4.8)  # label and value start on the same page
        start, page = pdf.get_y(), pdf.page
        self.emit(pdf.l_margin, label_mm - 2, 4.6, self.t(en, hi))
        label_end = pdf.get_y()
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Noto", "", 9.5)
        pdf.set_y(start)
        self.emit(pdf.l_margin + label_mm, pdf.epw - label_mm, 4.6, value or "-")
        if pdf.page == page:  # a value that ran onto the next page ends below its label anyway
            pdf.set_y(max(pdf.get_y(), label_end))

    def bilingual_text(self, en: str, hi: str, size: float = 9.5, bold: bool = False) -> None:
        if self.lang in ("en", "both"):
            self.text(en, size, bold)
        if self.lang in ("hi", "both") and (hi != en or self.lang == "hi"):
            self.text(hi, size - (0.5 if self.lang == "both" else 0), bold)

    def rule(self) -> None:
        pdf = self.pdf
        pdf.set_draw_color(200, 200, 200)
        pdf.set_line_width(0.2)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(1.5)

    def need(self, mm: float) -> None:
        """Start a new page unless ``mm`` fit below the cursor (keeps a block's head with it)."""
        if self.pdf.get_y() + mm > self.pdf.page_break_trigger:
            self.pdf.add_page()

    # -- parts --------------------------------------------------------------------------------
    def cover(self, report: Report) -> None:
        pdf, view = self.pdf, report.view
        pdf.add_page()
        if not report.sealed:
            pdf.set_text_color(*RED)
            self.text(self.t("DRAFT: the audit is not closed", "प्रारूप: ऑडिट बंद नहीं हुआ है"), 11, bold=True)
            pdf.set_text_color(0, 0, 0)
        self.heading("Audit report", "ऑडिट रिपोर्ट", 20)
        self.bilingual_text(report.checklist_title.en, report.checklist_title.hi, 11)
        pdf.ln(4)
        self.text(view.station_en, 18, bold=True, height=9)
        self.text(view.station_hi, 15, height=8)
        station = report.station
        self.text(view.station_code, 10)
        pdf.ln(4)
        kind = AUDIT_TYPES.get(view.audit_type, (view.audit_type, view.audit_type))
        address = station.address if station and station.address else "-"
        district = station.district if station else "-"
        self.row("Address", "पता", address)
        self.row("District", "ज़िला", district)
        if station and station.commissionerate:
            self.row("Commissionerate", "कमिश्नरेट", station.commissionerate)
        in_charge = "-"
        if station:
            in_charge = self.t(station.in_charge, station.in_charge_hi or station.in_charge)
        self.row("Station in-charge", "थाना प्रभारी", in_charge)
        self.row("Audit type", "ऑडिट प्रकार", self.t(*kind))
        self.row("Opened", "आरंभ", indian_date(view.opened))
        self.row("Closed (last day)", "समापन (अंतिम दिन)", indian_date(view.closed_at) if view.closed_at else "-")
        self.row("Auditor", "लेखा परीक्षक", f"{report.auditor_name} ({report.auditor_id})")
        scope = ", ".join(f"{s} {view.section_titles.get(s, '')}".strip() for s in view.sections)
        self.row("Scope (sections)", "दायरा (खंड)", scope)
        self.row("Checklist", "जाँच सूची", f"{report.checklist_id} {report.checklist_version}")
        self.row("Checklist hash", "जाँच सूची हैश", report.checklist_hash)
        self.row("Audit id", "ऑडिट आईडी", view.audit_id)
        self.row("Report made", "रिपोर्ट तैयार", indian_date(report.generated))

    def summary(self, report: Report) -> None:
        pdf, view = self.pdf, report.view
        pdf.add_page()
        self.heading("Summary", "सारांश")
        verdict = view.decision
        if verdict is not None:
            decided = self.t(verdict.text_in("en"), verdict.text_in("hi"))
            self.text(self.t("Decision", "निर्णय") + f": {decided} ({verdict.code.value})", 12, bold=True)
            if view.sealed_decision and view.sealed_decision != verdict.code.value:
                self.text(self.t("Signed at closing", "समापन पर हस्ताक्षरित") + f": {view.sealed_decision}", 9)
            # The code stays beside the sentence in either language: it is what HQ and scripts quote.
            for reason in verdict.reasons:
                en, hi = reason.text_in("en"), reason.text_in("hi")
                self.bilingual_text(f"• {en} ({reason.code})", f"• {hi} ({reason.code})", 9)
            for warning in verdict.warnings:
                self.bilingual_text(f"! {warning.text_in('en')}", f"! {warning.text_in('hi')}", 9)
        pdf.ln(3)
        score = view.score
        percent = "-" if score.percent is None else f"{score.percent}%"
        na_share = "-" if score.na_share is None else f"{score.na_share}%"
        self.row("Score (a measure only)", "अंक (केवल माप)", percent)
        self.row("Answered", "उत्तरित", f"{score.answered} / {score.total}")
        self.row("Not applicable share", "लागू नहीं का अंश", f"{na_share} ({score.na} items)")
        pdf.ln(3)
        self.heading("Section scores", "खंडवार अंक", 12)
        for section in report.sections:
            self._bar(section.id, section.title.en if self.lang != "hi" else section.title.hi, section.score.percent)
        pdf.ln(3)
        self.heading("Findings by grade", "श्रेणीवार निष्कर्ष", 12)
        for status, count in counts_by_grade(report):
            en, hi = STATUS_TEXT.get(status, ("Unanswered", "अनुत्तरित"))
            self.row(en, hi, str(count), label_mm=80)

    def _bar(self, section_id: str, title: str, percent: int | None) -> None:
        pdf = self.pdf
        y = pdf.get_y()
        pdf.set_font("Noto", "", 8.5)
        pdf.set_xy(pdf.l_margin, y)
        label = f"{section_id} {title}"
        if pdf.get_string_width(label) > 61:  # cut to the column, as the HTML's bars wrap instead
            while len(label) > 8 and pdf.get_string_width(label + "...") > 61:
                label = label[:-1]
            label = label.rstrip() + "..."
        pdf.cell(62, 5.5, label)
        x = pdf.l_margin + 64
        pdf.set_fill_color(225, 229, 236)
        pdf.rect(x, y + 1, BAR_MM, 3.6, style="F")
        if percent is not None:
            pdf.set_fill_color(*NAVY)
            pdf.rect(x, y + 1, BAR_MM * percent / 100, 3.6, style="F")
        pdf.set_xy(x + BAR_MM + 2, y)
        pdf.cell(16, 5.5, "-" if percent is None else f"{percent}%")
        pdf.set_xy(pdf.l_margin, y + 5.8)

    def nonconformities(self, report: Report) -> None:
        pdf, view = self.pdf, report.view
        pdf.add_page()
        self.heading("Nonconformities and corrective action", "गैर-अनुरूपताएँ और सुधारात्मक कार्रवाई")
        if not view.nonconformities:
            self.text(self.t("No nonconformity was found.", "कोई गैर-अनुरूपता नहीं मिली।"))
            return
        for nc in view.nonconformities:
            self.need(40)
            grade = STATUS_TEXT.get(nc.grade, (nc.grade, nc.grade))
            state = STATE_TEXT.get(nc.state, (nc.state, nc.state))
            self.text(f"{nc.item} · {self.t(*grade)} · state: {nc.state}", 10.5, bold=True)
            if self.lang != "en" or state[0] != nc.state:
                self.text(self.t(*state), 8.5)
            item = report.item(nc.item)
            self.bilingual_text(item.question.en, item.question.hi, 9)
            self.row("ISO 9001 clause", "आईएसओ 9001 खंड", ", ".join(nc.clauses))
            self.row("Legal reference", "विधिक संदर्भ", ", ".join(nc.legal) or "-")
            if nc.sensitive:
                self.row("Finding", "निष्कर्ष", self.t(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi))
            else:
                self.row("Finding", "निष्कर्ष", nc.note or "-")
            self.row("Due", "नियत तिथि", indian_date(nc.due) if nc.due else "-")
            if nc.plan_deadline:
                self.row("Plan due by", "योजना की अंतिम तिथि", indian_date(nc.plan_deadline))
            if nc.verify_deadline:
                self.row("Verification due by", "सत्यापन की अंतिम तिथि", indian_date(nc.verify_deadline))
            plan = nc.plan
            if plan is None:
                self.row("Corrective-action plan", "सुधारात्मक कार्य योजना", self.t("none recorded", "दर्ज नहीं"))
            elif nc.sensitive:
                self.row(
                    "Corrective-action plan",
                    "सुधारात्मक कार्य योजना",
                    f"{self.t('recorded', 'दर्ज')} {indian_date(plan.time)}, {self.t('due', 'नियत')} "
                    f"{indian_date(plan.due)} (record {plan.record[:12]}) · {self.t(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi)}",
                )
            else:
                self.row(
                    "Corrective-action plan",
                    "सुधारात्मक कार्य योजना",
                    f"{self.t('recorded', 'दर्ज')} {indian_date(plan.time)} (record {plan.record[:12]})",
                )
                self.row("  Correction", "तत्काल सुधार", plan.correction)
                self.row("  Root cause", "मूल कारण", plan.root_cause)
                self.row("  Action", "कार्रवाई", plan.action)
                self.row("  Owner, due", "उत्तरदायी, नियत", f"{plan.owner}, {indian_date(plan.due)}")
                if plan.evidence:
                    self.row("  Evidence", "साक्ष्य", ", ".join(plan.evidence))
            check = nc.verification
            if check is None:
                self.row("Verification", "सत्यापन", self.t("not yet verified", "अभी सत्यापित नहीं"))
            else:
                note = self.t(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi) if nc.sensitive else check.note
                self.row(
                    "Verification",
                    "सत्यापन",
                    f"{check.result} ({check.method}), {indian_date(check.time)} (record {check.record[:12]}): {note}",
                )
            pdf.ln(1)
            self.rule()

    def findings(self, report: Report) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.heading("Findings by section", "खंडवार निष्कर्ष")
        for block in report.sections:
            self.need(30)
            score = block.score
            percent = "-" if score.percent is None else f"{score.percent}%"
            self.heading(f"{block.id} {block.title.en} ({percent})", f"{block.id} {block.title.hi} ({percent})", 12)
            for item in block.items:
                self._item(item)

    def _item(self, item: ItemLine) -> None:
        pdf = self.pdf
        self.need(22)
        status = STATUS_TEXT.get(item.status or "", ("Unanswered", "अनुत्तरित"))
        refs = " · ".join(("ISO " + ", ".join(item.clauses), *item.legal))
        self.text(f"{item.id} · {self.t(*status)} · {item.criticality} · {refs}", 9.5, bold=True)
        self.bilingual_text(item.question.en, item.question.hi, 9)
        if item.sensitive:
            pdf.set_text_color(*GREY)
            self.text(self.t(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi), 8.5)
            pdf.set_text_color(0, 0, 0)
        else:
            if item.note:
                self.row("Note", "टिप्पणी", item.note, label_mm=30)
            if item.reason:
                self.row("Reason", "कारण", item.reason, label_mm=30)
            if item.evidence:
                self._evidence(item.evidence)
        if item.due:
            self.row("Due", "नियत तिथि", indian_date(item.due), label_mm=30)
        if item.time:
            pdf.set_text_color(*GREY)
            revised = f", revision {item.revision}" if item.revision > 1 else ""
            self.text(f"{self.t('recorded', 'दर्ज')} {indian_date(item.time)}{revised}", 7.5)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(1)
        self.rule()

    def _evidence(self, evidence: tuple[EvidenceLine, ...]) -> None:
        pdf = self.pdf
        images = [e for e in evidence if e.thumb is not None]
        if images:
            self.need(THUMB_H + 4)
            x, y = pdf.l_margin, pdf.get_y() + 1
            for line in images:
                thumb = line.thumb
                assert thumb is not None
                if x + THUMB_W > pdf.w - pdf.r_margin:
                    x, y = pdf.l_margin, y + THUMB_H + 2
                    if y + THUMB_H > pdf.page_break_trigger:
                        pdf.add_page()
                        y = pdf.get_y()
                scale = min(THUMB_W / thumb.width, THUMB_H / thumb.height)
                pdf.image(io.BytesIO(thumb.jpeg), x=x, y=y, w=thumb.width * scale, h=thumb.height * scale)
                x += THUMB_W + 2
            pdf.set_y(y + THUMB_H + 2)
        for line in evidence:
            missing = " · MISSING from the audit folder" if line.missing else ""
            pdf.set_font("Noto", "", 7.5)
            self.emit(
                pdf.l_margin,
                pdf.epw,
                3.6,
                f"{line.name} · {size_text(line.size)} · {line.media_type} · sha256 {line.sha256}{missing}",
            )

    def meetings(self, report: Report) -> None:
        view = report.view
        self.need(40)
        self.pdf.ln(4)
        self.heading("Opening and closing meetings", "प्रारंभिक और समापन बैठक")
        if not view.meetings:
            self.text(self.t("No meeting is recorded.", "कोई बैठक दर्ज नहीं है।"))
        for meeting in view.meetings:
            kind = (
                self.t("Opening meeting", "प्रारंभिक बैठक")
                if meeting.kind == "opening"
                else self.t("Closing meeting", "समापन बैठक")
            )
            self.text(f"{kind} · {indian_date(meeting.time)} · record {meeting.seq}", 10, bold=True)
            self.row("Attendees", "उपस्थित", "; ".join(meeting.attendees))
            if meeting.acknowledged_by:
                self.row("Findings received by", "निष्कर्ष प्राप्तकर्ता", meeting.acknowledged_by)
            if meeting.cap_deadline:
                self.row("Plans due by", "योजनाओं की अंतिम तिथि", indian_date(meeting.cap_deadline))
            if meeting.note:
                self.row("Note", "टिप्पणी", meeting.note)
            self.pdf.ln(1)

    def signatures(self, report: Report) -> None:
        view = report.view
        self.need(50)
        self.pdf.ln(4)
        self.heading("Signatures", "हस्ताक्षर")
        self.row("Auditor", "लेखा परीक्षक", f"{report.auditor_name} ({report.auditor_id})")
        self.row("Auditor's key (kid)", "लेखा परीक्षक की कुंजी", report.auditor_kid)
        if report.seal_digest is None:
            self.row("Seal", "मुहर", self.t("not sealed: the audit is open", "मुहर नहीं: ऑडिट खुला है"))
        else:
            self.row("Seal hash (SHA-256)", "मुहर हैश", report.seal_digest)
            self.row("Sealed records", "मुहरबंद अभिलेख", str(view.sealed_records))
            self.row("Findings root", "निष्कर्ष मूल", view.findings_root or "-")
        self.row("Records in the chain", "शृंखला में अभिलेख", str(view.records))
        self.text(
            self.t(
                "Every record is signed with the auditor's key. HQ checks this report against the "
                "audit bundle by the seal hash and the record count above.",
                "प्रत्येक अभिलेख लेखा परीक्षक की कुंजी से हस्ताक्षरित है। मुख्यालय ऊपर दिए मुहर हैश और अभिलेख संख्या से इस रिपोर्ट का मिलान करता है।",
            ),
            8,
        )
