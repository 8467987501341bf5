"""The decision and its reasons in Hindi (``Verdict.text_in``, ``Reason.text_in``).

Every reason ``decide`` can give must have a Hindi sentence, filled from the reason's fields:
the report and the app in Hindi must never fall back to English for a reason a real audit
produces. The rows of the decision table (``tests/audit/test_decision.py``) are reused, so a new
row with a new reason is checked here too.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from inspector.audit import decision
from inspector.audit.decision import DECISION_TEXT, DECISION_TEXT_HI, REASON_TEXT_HI, Decision, Reason, Verdict
from tests.audit.test_decision import ROWS, Row, build, judge

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def _reason_codes_in_source() -> set[str]:
    """Every code a ``Reason(...)`` call in the decision module is built with."""
    tree = ast.parse(inspect.getsource(decision))
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Reason":
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"line {node.lineno}: a Reason's code must be a literal, so this test can see it"
            )
            codes.add(first.value)
    return codes


def test_every_reason_code_decide_can_give_has_a_hindi_template() -> None:
    codes = _reason_codes_in_source()
    assert len(codes) >= 11  # the scan found the calls (a rename of Reason would empty it)
    assert codes - REASON_TEXT_HI.keys() == set()
    assert REASON_TEXT_HI.keys() - codes == set()  # no template for a code that no longer exists


def test_every_decision_has_a_hindi_text() -> None:
    for code in Decision:
        verdict = Verdict(code)
        assert verdict.text_in("en") == verdict.text == DECISION_TEXT[code]
        hindi = verdict.text_in("hi")
        assert hindi == DECISION_TEXT_HI[code] and DEVANAGARI.search(hindi), code


@pytest.mark.parametrize("row", [row for row in ROWS if row.reasons], ids=[row.id for row in ROWS if row.reasons])
def test_every_reason_of_the_decision_table_reads_in_hindi(row: Row) -> None:
    verdict = judge(build(row.spec, closed=row.closed, at=row.at), row.audit_type, row.today)
    for reason in verdict.reasons:
        hindi = reason.text_in("hi")
        assert hindi != reason.message and DEVANAGARI.search(hindi), (reason.code, hindi)
        assert "{" not in hindi and "}" not in hindi, hindi
        assert reason.text_in("en") == reason.message
        if reason.item is not None:
            assert reason.item in hindi


def test_hindi_reasons_carry_the_numbers_and_dates_of_the_english() -> None:
    [pending] = judge(build("H:conform H:major/p"), today=10).reasons
    assert pending.fields == {"item": "MAL-02", "deadline": "2026-12-01"}
    assert pending.text_in("hi") == (
        "प्रमुख गैर-अनुरूपता MAL-02 की सुधारात्मक कार्रवाई अभी प्रभावी सत्यापित नहीं हुई (2026-12-01 तक)"
    )
    [late] = judge(build("H:major"), today=200).reasons
    assert "6 महीनों" in late.text_in("hi") and "(2026-12-01)" in late.text_in("hi")
    [unanswered] = judge(build("C:- C:- H:conform", closed=False)).reasons
    assert unanswered.text_in("hi") == "3 में से 2 मदों का उत्तर अभी नहीं दिया गया है"
    [one] = judge(build("C:- H:conform", closed=False)).reasons
    assert one.text_in("hi") == "2 में से 1 मद का उत्तर अभी नहीं दिया गया है"
    concerns = judge(build("H:minor L:major/p"), decision.AuditType.STAGE1).reasons
    assert [r.text_in("hi") for r in concerns] == ["चिंता का क्षेत्र MAL-01 (खुला)", "चिंता का क्षेत्र MAL-02 (योजना दर्ज)"]


def test_systemic_warnings_read_in_hindi() -> None:
    warnings = judge(build("H:minor/p H:minor/p L:minor/p")).warnings
    assert [w.text_in("hi") for w in warnings] == [
        "ISO खंड 7.5.3 के विरुद्ध 3 लघु गैर-अनुरूपताएँ (MAL-01, MAL-02, MAL-03): विचार करें कि क्या वे मिलकर एक प्रमुख गैर-अनुरूपता हैं",
        "अनुभाग MAL के विरुद्ध 3 लघु गैर-अनुरूपताएँ (MAL-01, MAL-02, MAL-03): विचार करें कि क्या वे मिलकर एक प्रमुख गैर-अनुरूपता हैं",
    ]


def test_a_code_without_a_template_or_without_its_fields_falls_back_to_english() -> None:
    assert Reason("some-new-code", "a new reason").text_in("hi") == "a new reason"
    assert Reason("minor-no-plan", "minor MAL-01 has no plan").text_in("hi") == "minor MAL-01 has no plan"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        Verdict(Decision.CERTIFY).text_in("fr")
    with pytest.raises(ValueError, match="language 'both'"):
        Reason("unanswered", "x").text_in("both")


def test_the_json_keeps_its_keys_and_adds_the_fields() -> None:
    verdict = judge(build("H:minor"))
    data = verdict.to_json()
    assert data["code"] == "corrective-action-pending" and data["text"] == "corrective action pending"
    [reason] = data["reasons"]
    assert reason == {
        "code": "minor-no-plan",
        "message": "minor nonconformity MAL-01 has no accepted corrective-action plan",
        "item": "MAL-01",
        "fields": {"item": "MAL-01"},
    }
