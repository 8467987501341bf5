"""The audit report as one self-contained HTML page: A4 print CSS, the Devanagari font embedded.

Everything is inline (font as ``@font-face`` data URLs, thumbnails as JPEG data URLs), so the
page opens the same from a USB stick on a machine without a Devanagari font and without network.
When printed, the verification line is repeated at the foot of every page (a fixed element,
which print engines repeat per page).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path

from inspector.certificates.dates import indian_date
from inspector.certificates.printing import FONT_FAMILY
from inspector.reports.fonts import font_css
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

CSS = """
@page { size: A4; margin: 16mm 16mm 20mm 16mm; }
body { font-family: "Noto Sans", "__FONT__", "Noto Sans Devanagari", sans-serif; font-size: 10pt;
       color: #111; max-width: 180mm; margin: 0 auto; line-height: 1.35; }
h1, h2, h3 { color: #1d3557; margin: 0.6em 0 0.3em; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; } h3 { font-size: 11.5pt; }
section.page { page-break-before: always; }
section.page:first-of-type { page-break-before: auto; }
table.kv { border-collapse: collapse; width: 100%; }
table.kv th { text-align: left; font-weight: normal; color: #555; width: 32%; vertical-align: top;
              font-size: 8.5pt; padding: 1px 6px 1px 0; }
table.kv td { padding: 1px 0; vertical-align: top; overflow-wrap: anywhere; }
.draft { color: #a01414; font-weight: bold; }
.bar { display: flex; align-items: center; gap: 6px; font-size: 9pt; }
.bar .label { width: 62mm; } .bar .track { width: 95mm; height: 3.6mm; background: #e1e5ec; }
.bar .fill { height: 100%; background: #1d3557; }
.item, .nc { border-bottom: 1px solid #ccc; padding: 4px 0; break-inside: avoid; }
.head { font-weight: bold; }
.muted { color: #555; font-size: 8.5pt; }
.thumbs img { max-width: 42mm; max-height: 32mm; margin: 2px 4px 2px 0; }
.files { font-size: 8pt; overflow-wrap: anywhere; }
.footer { font-size: 7pt; color: #555; text-align: center; margin-top: 2em; }
@media print { .footer { position: fixed; bottom: 0; left: 0; right: 0; margin: 0; } }
"""


def render_html(report: Report, lang: Lang, cache_dir: Path | None = None) -> str:
    """The report as one HTML page; ``cache_dir`` keeps the embedded font's rules between reports."""
    w = _Html(lang)
    view = report.view
    css = font_css(cache_dir) + CSS.replace("__FONT__", FONT_FAMILY)
    body = "".join(
        (
            w.cover(report),
            w.summary(report),
            w.nonconformities(report),
            w.findings(report),
            w.meetings_and_signatures(report),
        )
    )
    html_lang = "hi" if lang == "hi" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(f'Audit report {view.audit_id}')}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f'{body}<div class="footer">{_e(verification_line(report))}</div>\n</body>\n</html>\n'
    )


def _e(text: object) -> str:
    return html.escape(str(text))


class _Html:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def t(self, en: str, hi: str) -> str:
        return _e(bilingual(en, hi, self.lang))

    def both(self, en: str, hi: str, tag: str = "div", cls: str = "") -> str:
        attr = f' class="{cls}"' if cls else ""
        parts = []
        if self.lang in ("en", "both"):
            parts.append(f"<{tag}{attr}>{_e(en)}</{tag}>")
        if self.lang == "hi" or (self.lang == "both" and hi != en):
            parts.append(f'<{tag}{attr} lang="hi">{_e(hi)}</{tag}>')
        return "".join(parts)

    def rows(self, rows: Iterable[tuple[str, str, str]]) -> str:
        cells = "".join(f"<tr><th>{self.t(en, hi)}</th><td>{_e(value or '-')}</td></tr>" for en, hi, value in rows)
        return f'<table class="kv">{cells}</table>\n'

    def sensitive(self) -> str:
        return self.t(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi)

    # -- parts --------------------------------------------------------------------------------
    def cover(self, report: Report) -> str:
        view, station = report.view, report.station
        kind = AUDIT_TYPES.get(view.audit_type, (view.audit_type, view.audit_type))
        draft = (
            f'<p class="draft">{self.t("DRAFT: the audit is not closed", "प्रारूप: ऑडिट बंद नहीं हुआ है")}</p>'
            if not report.sealed
            else ""
        )
        in_charge = (
            bilingual(station.in_charge, station.in_charge_hi or station.in_charge, self.lang) if station else "-"
        )
        rows = [
            ("Address", "पता", station.address or "-" if station else "-"),
            ("District", "ज़िला", station.district if station else "-"),
            ("Station in-charge", "थाना प्रभारी", in_charge),
            ("Audit type", "ऑडिट प्रकार", bilingual(*kind, self.lang)),
            ("Opened", "आरंभ", indian_date(view.opened)),
            ("Closed (last day)", "समापन (अंतिम दिन)", indian_date(view.closed_at) if view.closed_at else "-"),
            ("Auditor", "लेखा परीक्षक", f"{report.auditor_name} ({report.auditor_id})"),
            (
                "Scope (sections)",
                "दायरा (खंड)",
                ", ".join(f"{s} {view.section_titles.get(s, '')}".strip() for s in view.sections),
            ),
            ("Checklist", "जाँच सूची", f"{report.checklist_id} {report.checklist_version}"),
            ("Checklist hash", "जाँच सूची हैश", report.checklist_hash),
            ("Audit id", "ऑडिट आईडी", view.audit_id),
            ("Report made", "रिपोर्ट तैयार", indian_date(report.generated)),
        ]
        return (
            f'<section class="page">{draft}<h1>{self.t("Audit report", "ऑडिट रिपोर्ट")}</h1>'
            f"{self.both(report.checklist_title.en, report.checklist_title.hi)}"
            f'<h2>{_e(view.station_en)}</h2><h2 lang="hi">{_e(view.station_hi)}</h2>'
            f"<p>{_e(view.station_code)}</p>{self.rows(rows)}</section>\n"
        )

    def summary(self, report: Report) -> str:
        view, score = report.view, report.view.score
        out = [f'<section class="page"><h2>{self.t("Summary", "सारांश")}</h2>']
        verdict = view.decision
        if verdict is not None:
            decided = self.t(verdict.text_in("en"), verdict.text_in("hi"))
            out.append(f'<p class="head">{self.t("Decision", "निर्णय")}: {decided} ({_e(verdict.code.value)})</p><ul>')
            # The code stays beside the sentence in either language: it is what HQ and scripts quote.
            out += [
                self.both(f"{r.text_in('en')} ({r.code})", f"{r.text_in('hi')} ({r.code})", tag="li")
                for r in verdict.reasons
            ]
            out += [self.both(f"! {r.text_in('en')}", f"! {r.text_in('hi')}", tag="li") for r in verdict.warnings]
            out.append("</ul>")
        percent = "-" if score.percent is None else f"{score.percent}%"
        na_share = "-" if score.na_share is None else f"{score.na_share}%"
        out.append(
            self.rows(
                [
                    ("Score (a measure only)", "अंक (केवल माप)", percent),
                    ("Answered", "उत्तरित", f"{score.answered} / {score.total}"),
                    ("Not applicable share", "लागू नहीं का अंश", f"{na_share} ({score.na} items)"),
                ]
            )
        )
        out.append(f"<h3>{self.t('Section scores', 'खंडवार अंक')}</h3>")
        for block in report.sections:
            pct = block.score.percent
            title = block.title.hi if self.lang == "hi" else block.title.en
            out.append(
                f'<div class="bar"><span class="label">{_e(block.id)} {_e(title)}</span>'
                f'<span class="track"><div class="fill" style="width:{pct or 0}%"></div></span>'
                f"<span>{'-' if pct is None else f'{pct}%'}</span></div>"
            )
        out.append(f"<h3>{self.t('Findings by grade', 'श्रेणीवार निष्कर्ष')}</h3>")
        out.append(
            self.rows(
                (*STATUS_TEXT.get(status, ("Unanswered", "अनुत्तरित")), str(count))
                for status, count in counts_by_grade(report)
            )
        )
        out.append("</section>\n")
        return "".join(out)

    def nonconformities(self, report: Report) -> str:
        view = report.view
        out = [
            '<section class="page"><h2>'
            f"{self.t('Nonconformities and corrective action', 'गैर-अनुरूपताएँ और सुधारात्मक कार्रवाई')}</h2>"
        ]
        if not view.nonconformities:
            out.append(f"<p>{self.t('No nonconformity was found.', 'कोई गैर-अनुरूपता नहीं मिली।')}</p>")
        for nc in view.nonconformities:
            grade = STATUS_TEXT.get(nc.grade, (nc.grade, nc.grade))
            state = STATE_TEXT.get(nc.state, (nc.state, nc.state))
            item = report.item(nc.item)
            sensitive = bilingual(SENSITIVE_NOTE.en, SENSITIVE_NOTE.hi, self.lang)
            rows = [
                ("ISO 9001 clause", "आईएसओ 9001 खंड", ", ".join(nc.clauses)),
                ("Legal reference", "विधिक संदर्भ", ", ".join(nc.legal) or "-"),
                ("Finding", "निष्कर्ष", sensitive if nc.sensitive else nc.note or "-"),
                ("Due", "नियत तिथि", indian_date(nc.due) if nc.due else "-"),
            ]
            if nc.plan_deadline:
                rows.append(("Plan due by", "योजना की अंतिम तिथि", indian_date(nc.plan_deadline)))
            if nc.verify_deadline:
                rows.append(("Verification due by", "सत्यापन की अंतिम तिथि", indian_date(nc.verify_deadline)))
            plan = nc.plan
            if plan is None:
                rows.append(
                    ("Corrective-action plan", "सुधारात्मक कार्य योजना", bilingual("none recorded", "दर्ज नहीं", self.lang))
                )
            elif nc.sensitive:
                rows.append(
                    (
                        "Corrective-action plan",
                        "सुधारात्मक कार्य योजना",
                        f"{indian_date(plan.time)}, due {indian_date(plan.due)} (record {plan.record[:12]}) · {sensitive}",
                    )
                )
            else:
                rows += [
                    (
                        "Corrective-action plan",
                        "सुधारात्मक कार्य योजना",
                        f"{indian_date(plan.time)} (record {plan.record[:12]})",
                    ),
                    ("Correction", "तत्काल सुधार", plan.correction),
                    ("Root cause", "मूल कारण", plan.root_cause),
                    ("Action", "कार्रवाई", plan.action),
                    ("Owner, due", "उत्तरदायी, नियत", f"{plan.owner}, {indian_date(plan.due)}"),
                ]
                if plan.evidence:
                    rows.append(("Evidence", "साक्ष्य", ", ".join(plan.evidence)))
            check = nc.verification
            if check is None:
                rows.append(("Verification", "सत्यापन", bilingual("not yet verified", "अभी सत्यापित नहीं", self.lang)))
            else:
                note = sensitive if nc.sensitive else check.note
                rows.append(
                    (
                        "Verification",
                        "सत्यापन",
                        f"{check.result} ({check.method}), {indian_date(check.time)} (record {check.record[:12]}): {note}",
                    )
                )
            out.append(
                f'<div class="nc"><div class="head">{_e(nc.item)} · {self.t(*grade)} · '
                f"state: {_e(nc.state)}</div>"
                f'<div class="muted">{self.t(*state)}</div>'
                f"{self.both(item.question.en, item.question.hi)}{self.rows(rows)}</div>"
            )
        out.append("</section>\n")
        return "".join(out)

    def findings(self, report: Report) -> str:
        out = [f'<section class="page"><h2>{self.t("Findings by section", "खंडवार निष्कर्ष")}</h2>']
        for block in report.sections:
            pct = block.score.percent
            percent = "-" if pct is None else f"{pct}%"
            out.append(
                f"<h3>{_e(block.id)} {self.t(block.title.en, block.title.hi)} ({percent})</h3>"
                + "".join(self.item(item) for item in block.items)
            )
        out.append("</section>\n")
        return "".join(out)

    def item(self, item: ItemLine) -> str:
        status = STATUS_TEXT.get(item.status or "", ("Unanswered", "अनुत्तरित"))
        refs = " · ".join(("ISO " + ", ".join(item.clauses), *item.legal))
        out = [
            f'<div class="item" id="{_e(item.id)}"><div class="head">{_e(item.id)} · {self.t(*status)} · '
            f"{_e(item.criticality)} · {_e(refs)}</div>{self.both(item.question.en, item.question.hi)}"
        ]
        rows: list[tuple[str, str, str]] = []
        if item.sensitive:
            out.append(f'<div class="muted">{self.sensitive()}</div>')
        else:
            if item.note:
                rows.append(("Note", "टिप्पणी", item.note))
            if item.reason:
                rows.append(("Reason", "कारण", item.reason))
        if item.due:
            rows.append(("Due", "नियत तिथि", indian_date(item.due)))
        if rows:
            out.append(self.rows(rows))
        if item.evidence and not item.sensitive:
            out.append(self.evidence(item.evidence))
        if item.time:
            revised = f", revision {item.revision}" if item.revision > 1 else ""
            out.append(f'<div class="muted">{self.t("recorded", "दर्ज")} {_e(indian_date(item.time))}{revised}</div>')
        out.append("</div>\n")
        return "".join(out)

    def evidence(self, evidence: tuple[EvidenceLine, ...]) -> str:
        images = "".join(
            f'<img alt="{_e(line.name)}" src="data:image/jpeg;base64,{base64.b64encode(line.thumb.jpeg).decode()}">'
            for line in evidence
            if line.thumb is not None
        )
        files = "".join(
            f"<li>{_e(line.name)} · {_e(size_text(line.size))} · {_e(line.media_type)} · sha256 {_e(line.sha256)}"
            f"{' · MISSING from the audit folder' if line.missing else ''}</li>"
            for line in evidence
        )
        thumbs = f'<div class="thumbs">{images}</div>' if images else ""
        return f'{thumbs}<ul class="files">{files}</ul>'

    def meetings_and_signatures(self, report: Report) -> str:
        view = report.view
        out = [f"<section><h2>{self.t('Opening and closing meetings', 'प्रारंभिक और समापन बैठक')}</h2>"]
        if not view.meetings:
            out.append(f"<p>{self.t('No meeting is recorded.', 'कोई बैठक दर्ज नहीं है।')}</p>")
        for meeting in view.meetings:
            kind = ("Opening meeting", "प्रारंभिक बैठक") if meeting.kind == "opening" else ("Closing meeting", "समापन बैठक")
            rows = [("Attendees", "उपस्थित", "; ".join(meeting.attendees))]
            if meeting.acknowledged_by:
                rows.append(("Findings received by", "निष्कर्ष प्राप्तकर्ता", meeting.acknowledged_by))
            if meeting.cap_deadline:
                rows.append(("Plans due by", "योजनाओं की अंतिम तिथि", indian_date(meeting.cap_deadline)))
            if meeting.note:
                rows.append(("Note", "टिप्पणी", meeting.note))
            out.append(
                f"<h3>{self.t(*kind)} · {_e(indian_date(meeting.time))} · record {meeting.seq}</h3>{self.rows(rows)}"
            )
        rows = [
            ("Auditor", "लेखा परीक्षक", f"{report.auditor_name} ({report.auditor_id})"),
            ("Auditor's key (kid)", "लेखा परीक्षक की कुंजी", report.auditor_kid),
        ]
        if report.seal_digest is None:
            rows.append(("Seal", "मुहर", bilingual("not sealed: the audit is open", "मुहर नहीं: ऑडिट खुला है", self.lang)))
        else:
            rows += [
                ("Seal hash (SHA-256)", "मुहर हैश", report.seal_digest),
                ("Sealed records", "मुहरबंद अभिलेख", str(view.sealed_records)),
                ("Findings root", "निष्कर्ष मूल", view.findings_root or "-"),
            ]
        rows.append(("Records in the chain", "शृंखला में अभिलेख", str(view.records)))
        out.append(f"<h2>{self.t('Signatures', 'हस्ताक्षर')}</h2>{self.rows(rows)}</section>\n")
        return "".join(out)
