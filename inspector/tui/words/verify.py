"""Words of the verify screen and its verdict banner.

``reason:<code>`` gives a short Hindi (and English) headline for each ``ReasonCode``; in Hindi
the screen shows the headline, in English the verifier's own sentence. A code without a
headline here (the payload's format errors) shows the verifier's sentence in both languages.
"""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "foot_verify-back": "Back",
        "foot_verify-clear": "Clear",
        "title": "Verify a certificate",
        "intro": "Scan the certificate's QR code, or type or paste its text and press Enter.",
        "placeholder": "PSC1:… or https://…#PSC1:…",
        "waiting": "Waiting for a scan",
        "valid_word": "VALID",
        "invalid_word": "INVALID",
        "genuine": "genuine and in force",
        "do_not_accept": "do not accept: {reasons}",
        "station": "Station",
        "station_claimed": "Station (as claimed)",
        "l_certificate": "Certificate",
        "l_valid": "Valid",
        "l_auditor": "Auditor",
        "l_checklist": "Checklist",
        "l_checked": "Checked with",
        "v_certificate": "{cert_id}  {result}, score {score}% ({majors} major, {minors} minor)",
        "v_valid": "{start} to {end}",
        "v_auditor": "{name} ({auditor_id}), key {kid}",
        "why": "Why it is invalid:",
        "warning": "warning: {warning}",
        "cannot_verify": "Cannot verify: {error}",
        "unexpected": "unexpected error",
        "reason:clock-wrong": "this laptop's clock is wrong",
        "reason:no-trust": "no trust list installed",
        "reason:unknown-key": "signed by a key HQ does not list",
        "reason:wrong-purpose": "the key may not sign certificates",
        "reason:bad-signature": "the signature does not match: altered or forged",
        "reason:revoked-key": "the auditor's key is revoked",
        "reason:auditor-mismatch": "the auditor named is not the key's",
        "reason:outside-signing-window": "signed outside the key's period",
        "reason:exceeds-key-validity": "valid beyond the key's period",
        "reason:lifetime-too-long": "valid for longer than allowed",
        "reason:not-yet-valid": "not valid yet",
        "reason:expired": "expired",
        "reason:revoked": "the certificate is revoked",
        "reason:record-mismatch": "does not match the stored record",
        "reason:not-decided": "HQ has not decided on it yet",
        "reason:suspended": "suspended by HQ",
        "reason:withdrawn": "withdrawn by HQ",
        "reason:superseded": "replaced by a newer certificate",
        "help": (
            "Checks a certificate as the phone page does, against the trust list, revocation list "
            "and status list installed on this laptop. A hand-held scanner types the QR code's text "
            "and presses Enter; typing or pasting it works too. The verdict shows large, VALID or "
            "INVALID in words and not in colour alone, with the station, the dates and, when invalid, "
            "why. The field is cleared for the next scan; f5 clears the result, escape goes back."
        ),
    },
    hi={
        "foot_verify-back": "वापस",
        "foot_verify-clear": "साफ़ करें",
        "title": "प्रमाणपत्र सत्यापित करें",
        "intro": "प्रमाणपत्र का क्यूआर कोड स्कैन करें, या उसका पाठ टाइप/पेस्ट करके Enter दबाएँ।",
        "placeholder": "PSC1:… या https://…#PSC1:…",
        "waiting": "स्कैन की प्रतीक्षा",
        "valid_word": "मान्य",
        "invalid_word": "अमान्य",
        "genuine": "असली और लागू",
        "do_not_accept": "स्वीकार न करें: {reasons}",
        "station": "थाना",
        "station_claimed": "थाना (जैसा दावा किया गया)",
        "l_certificate": "प्रमाणपत्र",
        "l_valid": "वैध",
        "l_auditor": "ऑडिटर",
        "l_checklist": "जाँच सूची",
        "l_checked": "जाँच का आधार",
        "v_certificate": "{cert_id}  {result}, अंक {score}% ({majors} गंभीर, {minors} लघु)",
        "v_valid": "{start} से {end} तक",
        "v_auditor": "{name} ({auditor_id}), कुंजी {kid}",
        "why": "अमान्य क्यों है:",
        "warning": "चेतावनी: {warning}",
        "cannot_verify": "सत्यापन नहीं हो सका: {error}",
        "unexpected": "अप्रत्याशित त्रुटि",
        "reason:clock-wrong": "इस लैपटॉप की घड़ी गलत है",
        "reason:no-trust": "कोई ट्रस्ट सूची स्थापित नहीं",
        "reason:unknown-key": "ऐसी कुंजी से हस्ताक्षरित जो मुख्यालय की सूची में नहीं है",
        "reason:wrong-purpose": "यह कुंजी प्रमाणपत्रों पर हस्ताक्षर नहीं कर सकती",
        "reason:bad-signature": "हस्ताक्षर मेल नहीं खाता: बदला गया या जाली",
        "reason:revoked-key": "ऑडिटर की कुंजी रद्द है",
        "reason:auditor-mismatch": "नामित ऑडिटर इस कुंजी का नहीं है",
        "reason:outside-signing-window": "कुंजी की अवधि के बाहर हस्ताक्षरित",
        "reason:exceeds-key-validity": "कुंजी की अवधि से आगे तक वैध",
        "reason:lifetime-too-long": "अनुमति से अधिक समय के लिए वैध",
        "reason:not-yet-valid": "अभी वैध नहीं",
        "reason:expired": "समाप्त",
        "reason:revoked": "प्रमाणपत्र रद्द है",
        "reason:record-mismatch": "संग्रहीत रिकॉर्ड से मेल नहीं खाता",
        "reason:not-decided": "मुख्यालय ने अभी निर्णय नहीं लिया है",
        "reason:suspended": "मुख्यालय द्वारा निलंबित",
        "reason:withdrawn": "मुख्यालय द्वारा वापस लिया गया",
        "reason:superseded": "नए प्रमाणपत्र से बदला गया",
        "help": (
            "प्रमाणपत्र को फ़ोन पेज की तरह, इस लैपटॉप पर स्थापित ट्रस्ट सूची, रद्दीकरण सूची और स्थिति सूची से "
            "जाँचता है। हाथ का स्कैनर क्यूआर कोड का पाठ टाइप करके Enter दबाता है; टाइप या पेस्ट करना भी चलता "
            "है। निर्णय बड़े अक्षरों में दिखता है, मान्य या अमान्य शब्दों में, केवल रंग से नहीं, थाने, तिथियों "
            "और अमान्य होने पर कारण के साथ। अगले स्कैन के लिए खाना साफ़ हो जाता है; f5 परिणाम साफ़ करता है, "
            "escape वापस जाता है।"
        ),
    },
)
