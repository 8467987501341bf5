"""Words of the app itself: its bindings, notices shown on every screen, the palette's commands."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "language": "हिन्दी",
        "language_now": "Labels in English",
        "key_locked": "Key locked",
        "locked_idle": "locked after {minutes} idle minutes; enter the passphrase to go on",
        "locked_now": "the key is locked; enter the passphrase to sign again",
        "cannot_keep": "cannot keep the theme and language for the next start: {error}",
        "unknown_id": "{where}: no binding has this id; ignored (F1 on a screen lists its ids)",
        "cmd_theme": "Theme: dark, light, high contrast",
        "cmd_theme_help": "Switch to the next theme (ctrl+t); kept for the next start",
        "cmd_lock": "Lock key",
        "cmd_lock_help": "Lock the signing key now (ctrl+l)",
        "cmd_language": "हिन्दी में",
        "cmd_language_help": "Show every screen in Hindi (f2); kept for the next start",
        "cmd_help": "Help",
        "cmd_help_help": "What this screen is for, and its keys (F1)",
        "goto": "go to {item} ({section})",
    },
    hi={
        "language": "English",
        "language_now": "लेबल हिन्दी में",
        "key_locked": "कुंजी लॉक",
        "locked_idle": "{minutes} मिनट निष्क्रिय रहने पर लॉक; आगे बढ़ने के लिए पासफ़्रेज़ दें",
        "locked_now": "कुंजी लॉक है; फिर हस्ताक्षर के लिए पासफ़्रेज़ दें",
        "cannot_keep": "थीम और भाषा अगली बार के लिए रखी नहीं जा सकीं: {error}",
        "unknown_id": "{where}: इस आईडी की कोई कुंजी नहीं; अनदेखा किया (किसी स्क्रीन पर F1 उसकी आईडी दिखाता है)",
        "cmd_theme": "थीम: गहरी, हल्की, उच्च कंट्रास्ट",
        "cmd_theme_help": "अगली थीम पर जाएँ (ctrl+t); अगली बार के लिए रखी जाती है",
        "cmd_lock": "कुंजी लॉक करें",
        "cmd_lock_help": "हस्ताक्षर कुंजी अभी लॉक करें (ctrl+l)",
        "cmd_language": "In English",
        "cmd_language_help": "हर स्क्रीन अंग्रेज़ी में दिखाएँ (f2); अगली बार के लिए रखी जाती है",
        "cmd_help": "सहायता",
        "cmd_help_help": "यह स्क्रीन किसलिए है, और उसकी कुंजियाँ (F1)",
        "goto": "{item} पर जाएँ ({section})",
    },
    latin=frozenset({"language", "cmd_language"}),
)
