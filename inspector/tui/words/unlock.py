"""Words of the unlock modal."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "title": "Unlock your signing key",
        "demo": "Demo: the passphrase is {passphrase}",
        "placeholder": "passphrase",
        "unlock": "Unlock",
        "not_now": "Not now",
        "who": "{name} · {auditor_id} · key {kid}",
        "no_key": "no key on this device",
        "cannot_read": "cannot read the key file",
        "type_first": "type the passphrase first",
        "cannot_unlock": "cannot unlock",
        "wrong": "Wrong passphrase: try again.",
        "deriving": "deriving the key…",
        "help": (
            "Your signing key signs every finding and certificate; its passphrase opens it once per "
            "session, and it locks again after the idle time (ctrl+l locks it at once). Type the "
            'passphrase and press enter. "Not now" (escape) goes on with the key locked: you can '
            "read audits, and the app asks again before it signs."
        ),
    },
    hi={
        "title": "अपनी हस्ताक्षर कुंजी अनलॉक करें",
        "demo": "डेमो: पासफ़्रेज़ {passphrase} है",
        "placeholder": "पासफ़्रेज़",
        "unlock": "अनलॉक",
        "not_now": "अभी नहीं",
        "who": "{name} · {auditor_id} · कुंजी {kid}",
        "no_key": "इस डिवाइस पर कोई कुंजी नहीं",
        "cannot_read": "कुंजी फ़ाइल पढ़ी नहीं जा सकी",
        "type_first": "पहले पासफ़्रेज़ टाइप करें",
        "cannot_unlock": "अनलॉक नहीं हो सका",
        "wrong": "गलत पासफ़्रेज़: फिर से प्रयास करें।",
        "deriving": "कुंजी खोली जा रही है…",
        "help": (
            "आपकी हस्ताक्षर कुंजी हर निष्कर्ष और प्रमाणपत्र पर हस्ताक्षर करती है; उसका पासफ़्रेज़ उसे हर सत्र में "
            "एक बार खोलता है, और निष्क्रिय समय के बाद वह फिर लॉक हो जाती है (ctrl+l तुरंत लॉक करता है)। "
            'पासफ़्रेज़ टाइप करें और enter दबाएँ। "अभी नहीं" (escape) कुंजी लॉक रखकर आगे बढ़ता है: आप ऑडिट '
            "पढ़ सकते हैं, और हस्ताक्षर से पहले ऐप फिर पूछता है।"
        ),
    },
)
