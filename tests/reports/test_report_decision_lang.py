"""The report's decision and its reasons in the report's language (``Verdict.text_in``,
``Reason.text_in``): a Hindi report says why in Hindi, an English one in English, both says both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.audit.service import AuditService
from inspector.reports import write_report
from tests.reports import test_report as base
from tests.reports.test_report import pdf_text

# The audit the report tests use (the fixtures are shared by name, as pytest finds them).
photo = base.photo
reported_audit = base.reported_audit

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

# The reported audit: WHD-01 is a minor without a plan, so the decision waits for it.
DECISION_EN = "corrective action pending"
DECISION_HI = "सुधारात्मक कार्रवाई लंबित"
REASON_EN = "minor nonconformity WHD-01 has no accepted corrective-action plan"
REASON_HI = "लघु गैर-अनुरूपता WHD-01 की कोई स्वीकृत सुधारात्मक कार्य योजना नहीं है"


def _both(audit_service: AuditService, audit_id: str, out: Path, lang: str) -> tuple[str, str]:
    paths = write_report(audit_service, audit_id, out, lang=lang)
    return pdf_text(Path(paths["pdf"]), 2), Path(paths["html"]).read_text(encoding="utf-8")


def test_a_hindi_report_gives_the_decision_and_its_reasons_in_hindi(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    _text, page = _both(audit_service, reported_audit, tmp_path / "hi", "hi")
    assert f"निर्णय: {DECISION_HI} (corrective-action-pending)" in page
    assert f"<li>{REASON_HI} (minor-no-plan)</li>" in page or f'lang="hi">{REASON_HI} (minor-no-plan)</li>' in page
    assert DECISION_EN not in page and REASON_EN not in page


def test_the_pdf_in_hindi_carries_the_hindi_decision(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    text, _page = _both(audit_service, reported_audit, tmp_path / "hi", "hi")
    assert "WHD-01" in text and "(minor-no-plan)" in text and "(corrective-action-pending)" in text
    assert DECISION_EN not in text and REASON_EN not in text
    # pdftotext puts a blank after the vowel sign ि (drawn before its consonant): compare without it
    assert f"• {REASON_HI} (minor-no-plan)" in text and DECISION_HI in text.replace("ि ", "ि")
    english, _ = _both(audit_service, reported_audit, tmp_path / "en", "en")
    assert f"Decision: {DECISION_EN} (corrective-action-pending)" in english
    assert f"• {REASON_EN} (minor-no-plan)" in english


def test_a_report_in_both_languages_gives_both(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    text, page = _both(audit_service, reported_audit, tmp_path / "both", "both")
    assert f"{DECISION_EN} / {DECISION_HI}" in page
    assert f"<li>{REASON_EN} (minor-no-plan)</li>" in page and f'<li lang="hi">{REASON_HI} (minor-no-plan)</li>' in page
    assert REASON_EN in text and text.count("(minor-no-plan)") == 2
