"""Words of recording a finding: the form, the result line, the reason prompt, the confirmation
of a changed status, and the finding rules' refusals by their codes (``audit.rules.Problem.code``).

A refusal is shown in English in the core's own words (see :func:`problem_text`); the English
texts of the codes here are what their Hindi says.
"""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        # the form
        "note_label": "Note [b](e)[/b]",
        "note_placeholder": "objective evidence: what you saw (enter saves)",
        "due_label": "Due [b](d)[/b]",
        "due_placeholder": "YYYY-MM-DD",
        "reason_label": "Reason",
        "reason_placeholder": "needed for N/A or a downgrade",
        "attach_button": "a Attach…",
        "no_evidence": "no evidence file",
        "stored_evidence": "stored: {names}",
        "to_attach": "to attach on save: {names}",
        # the result line
        "saving": "… signing and saving {item}",
        "saved": "✓ signed & saved {clock} · record {record} · {item} {status}",
        "saved_nc_no_due": "{status} (d: set a due date · n: next)",
        "not_saved": "✗ NOT SAVED ",
        "input_kept": "  (your input is kept: fix it and press the status key or ctrl+s again)",
        "hint_note": "type it in Note: the cursor is there",
        "hint_evidence": "a: attach a file",
        "hint_reason": "type it in Reason",
        # recording
        "held_key": "held key ignored: {key} was not recorded again (press it again to record {item})",
        "already": "{item} is already recorded as {status}",
        "not_recorded": "✗ not recorded: {problem}",
        "na_question": "Why is {item} not applicable at this station?",
        "na_cancelled": "{item}: not recorded (N/A needs a reason)",
        "reason_placeholder_prompt": "the written reason",
        "reason_required": "a reason is required (esc cancels)",
        "save_enter": "Save (enter)",
        "cancel_esc": "Cancel (esc)",
        "locked": "the key is locked: nothing was saved",
        "closed_no_change": "this audit is closed: findings can no longer change",
        "choose_status": "input kept: now choose a status for {item} (1-5)",
        "nothing_new": "nothing new to save",
        "attach_later": "{name} will be attached when you record {item} (1-5)",
        # the confirmation of a changed status
        "change_title": "Change the recorded finding of {item}?",
        "change_line": "{old}  →  {new}",
        "change_revision": "The signed finding stays in the record; the change is a new revision.",
        "change_reason": "Reason (the rules require one):",
        "change_note": "Note, the objective evidence (required):",
        "change_needs_reason": "a reason is required for this change (esc keeps the finding)",
        "change_needs_note": "a note is required for this change (esc keeps the finding)",
        "change_yes": "Change (enter)",
        "change_no": "Keep (esc)",
        "change_kept": "{item}: not changed, still {old}",
        # refusals by code (inspector/audit/rules.py)
        "code_na-not-allowed": "{item} cannot be marked not applicable: it applies to every station",
        "code_na-needs-no-lockup": "{item} can be not applicable only at a station without a lock-up",
        "code_na-needs-reason": "{item}: marking it not applicable needs a written reason",
        "code_downgrade-needs-reason": "{item}: recording it as minor needs a written reason",
        "code_nonconformity-needs-note": "{item}: this nonconformity needs a note (objective evidence)",
        "code_nonconformity-needs-evidence": "{item}: this nonconformity needs an evidence file",
        "code_sensitive-no-evidence": "{item}: no evidence files for this item; note the register reference",
    },
    hi={
        "note_label": "टिप्पणी [b](e)[/b]",
        "note_placeholder": "वस्तुनिष्ठ साक्ष्य: आपने क्या देखा (enter सहेजता है)",
        "due_label": "नियत [b](d)[/b]",
        "due_placeholder": "YYYY-MM-DD",
        "reason_label": "कारण",
        "reason_placeholder": "लागू नहीं या ग्रेड घटाने पर",
        "attach_button": "a संलग्न…",
        "no_evidence": "कोई साक्ष्य फ़ाइल नहीं",
        "stored_evidence": "संग्रहीत: {names}",
        "to_attach": "सहेजने पर संलग्न: {names}",
        "saving": "… {item} पर हस्ताक्षर और सहेजना",
        "saved": "✓ हस्ताक्षरित व सहेजा {clock} · रिकॉर्ड {record} · {item} {status}",
        "saved_nc_no_due": "{status} (d: नियत तिथि · n: अगला)",
        "not_saved": "✗ सहेजा नहीं गया ",
        "input_kept": "  (आपका इनपुट सुरक्षित है: ठीक करें और स्थिति कुंजी या ctrl+s फिर दबाएँ)",
        "hint_note": "टिप्पणी में लिखें: कर्सर वहीं है",
        "hint_evidence": "a: फ़ाइल संलग्न करें",
        "hint_reason": "कारण में लिखें",
        "held_key": "दबाई रखी कुंजी अनदेखी: {key} फिर दर्ज नहीं हुआ ({item} दर्ज करने के लिए फिर दबाएँ)",
        "already": "{item} पहले से {status} दर्ज है",
        "not_recorded": "✗ दर्ज नहीं: {problem}",
        "na_question": "इस थाने पर {item} लागू क्यों नहीं है?",
        "na_cancelled": "{item}: दर्ज नहीं (लागू नहीं के लिए कारण आवश्यक)",
        "reason_placeholder_prompt": "लिखित कारण",
        "reason_required": "कारण आवश्यक है (esc रद्द करता है)",
        "save_enter": "सहेजें (enter)",
        "cancel_esc": "रद्द (esc)",
        "locked": "कुंजी बंद है: कुछ नहीं सहेजा गया",
        "closed_no_change": "यह ऑडिट बंद है: निष्कर्ष अब नहीं बदल सकते",
        "choose_status": "इनपुट सुरक्षित: अब {item} की स्थिति चुनें (1-5)",
        "nothing_new": "सहेजने को कुछ नया नहीं",
        "attach_later": "{item} दर्ज करने पर {name} संलग्न होगी (1-5)",
        "change_title": "{item} का दर्ज निष्कर्ष बदलें?",
        "change_line": "{old}  →  {new}",
        "change_revision": "हस्ताक्षरित निष्कर्ष रिकॉर्ड में रहता है; बदलाव एक नया संशोधन है।",
        "change_reason": "कारण (नियमों के अनुसार आवश्यक):",
        "change_note": "टिप्पणी, वस्तुनिष्ठ साक्ष्य (आवश्यक):",
        "change_needs_reason": "इस बदलाव के लिए कारण आवश्यक है (esc निष्कर्ष रखता है)",
        "change_needs_note": "इस बदलाव के लिए टिप्पणी आवश्यक है (esc निष्कर्ष रखता है)",
        "change_yes": "बदलें (enter)",
        "change_no": "रखें (esc)",
        "change_kept": "{item}: नहीं बदला, अब भी {old}",
        "code_na-not-allowed": "{item} को लागू नहीं नहीं कहा जा सकता: यह हर थाने पर लागू है",
        "code_na-needs-no-lockup": "{item} केवल हवालात रहित थाने पर लागू नहीं हो सकता",
        "code_na-needs-reason": "{item}: लागू नहीं के लिए लिखित कारण आवश्यक है",
        "code_downgrade-needs-reason": "{item}: लघु दर्ज करने के लिए लिखित कारण आवश्यक है",
        "code_nonconformity-needs-note": "{item}: इस गैर-अनुरूपता के लिए टिप्पणी (वस्तुनिष्ठ साक्ष्य) आवश्यक है",
        "code_nonconformity-needs-evidence": "{item}: इस गैर-अनुरूपता के लिए साक्ष्य फ़ाइल आवश्यक है",
        "code_sensitive-no-evidence": "{item}: इस मद की साक्ष्य फ़ाइलें नहीं रखी जातीं; टिप्पणी में रजिस्टर संदर्भ लिखें",
    },
    latin=frozenset({"change_line"}),  # two status names and an arrow
)


def problem_text(lang: str, code: str, item: str, fallback: str) -> str:
    """A finding rule's refusal in ``lang``, by its code. In English, and for a code not here,
    ``fallback``: the core's own message, which is English and names more (the grade, the clause)."""
    key = f"code_{code}"
    return WORDS(lang, key, item=item) if lang != "en" and key in WORDS else fallback
