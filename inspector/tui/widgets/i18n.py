"""The walk's words in English and Hindi. Hindi appears only in free-flowing text, never in
table cells, buttons or bordered titles, where terminals and Rich disagree about its width."""

from __future__ import annotations

# key, status value, short English label (buttons, footer)
STATUS_KEYS: list[tuple[str, str, str]] = [
    ("1", "conform", "Conform"),
    ("2", "minor", "Minor NC"),
    ("3", "major", "Major NC"),
    ("4", "observation", "Observ."),
    ("5", "na", "N/A"),
]
SHORT = {"conform": "Conform", "minor": "Minor", "major": "Major", "observation": "Obs.", "na": "N/A"}

STATUS_NAMES = {
    "en": {
        "conform": "Conforms",
        "minor": "Minor nonconformity",
        "major": "Major nonconformity",
        "observation": "Observation (opportunity for improvement)",
        "na": "Not applicable",
    },
    "hi": {
        "conform": "अनुरूप",
        "minor": "लघु गैर-अनुरूपता",
        "major": "गंभीर गैर-अनुरूपता",
        "observation": "अवलोकन (सुधार का अवसर)",
        "na": "लागू नहीं",
    },
}

LABELS = {
    "en": {
        "guidance": "Guidance",
        "look_for": "Evidence to look for",
        "clauses": "ISO 9001",
        "legal": "Law",
        "recorded": "Recorded",
        "not_answered": "Not answered yet: press 1-5",
        "pending": "Not saved yet",
        "needs": "a nonconformity here needs",
        "note": "a note",
        "evidence": "an evidence file",
    },
    "hi": {
        "guidance": "मार्गदर्शन",
        "look_for": "देखने योग्य साक्ष्य",
        "clauses": "आईएसओ 9001",
        "legal": "कानून",
        "recorded": "दर्ज",
        "not_answered": "अभी उत्तर नहीं: 1-5 दबाएँ",
        "pending": "अभी सहेजा नहीं गया",
        "needs": "यहाँ गैर-अनुरूपता के लिए आवश्यक",
        "note": "टिप्पणी",
        "evidence": "साक्ष्य फ़ाइल",
    },
}
