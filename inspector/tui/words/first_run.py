"""Words of the first-run screen (no key on this device yet).

``err:<code>``: the Hindi of the core's form errors (``services.auditor_key.check_new_key``),
found by the error's code; in English, and for any other code, the core's own sentence shows.
"""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "foot_first-run-create": "Create key",
        "sub_title": "first run: create your signing key",
        "intro": (
            "Welcome. This device has no auditor key yet. Create one: it signs every finding and "
            "certificate you record. It never leaves this laptop; HQ enrols its public half."
        ),
        "name": "Your name",
        "name_hint": "as HQ knows you, e.g. Sunita Devi",
        "auditor_id": "Auditor id",
        "auditor_id_hint": "e.g. AUD-GBN-017",
        "pass1": "Passphrase",
        "pass1_hint": "at least {count} characters",
        "pass2": "Passphrase again",
        "create": "Create key",
        "continue": "Continue",
        "cannot_create": "cannot create the key",
        "creating": "creating the key (this takes a moment)…",
        "created": (
            "[b]Key created[/b] for {name} ({auditor_id}), key id {kid}.\n\n"
            "Your public key is in\n  [b]{pem}[/b]\n\n"
            "Send this file to HQ for enrolment. Until HQ enrols it and you install the new trust "
            "list, certificates you sign will not verify. The key is unlocked for this session."
        ),
        "err:missing-name": "type your name",
        "err:missing-auditor-id": "type your auditor id",
        "err:passphrase-too-short": "the passphrase needs at least {count} characters",
        "err:passphrases-differ": "the two passphrases differ: type them again",
        "help": (
            "This laptop has no auditor key yet. Give your name and auditor id as HQ knows them and a "
            "passphrase of at least {count} characters, twice, then Create key (ctrl+s). The key is "
            "made and encrypted here and never leaves the laptop; its public half is written to a "
            "file to send to HQ, which enrols it. Certificates you sign verify once HQ has enrolled the "
            "key and you have installed the new trust list."
        ),
    },
    hi={
        "foot_first-run-create": "कुंजी बनाएँ",
        "sub_title": "पहली बार: अपनी हस्ताक्षर कुंजी बनाएँ",
        "intro": (
            "स्वागत है। इस डिवाइस पर अभी कोई ऑडिटर कुंजी नहीं है। एक बनाएँ: वह आपके दर्ज हर निष्कर्ष और "
            "प्रमाणपत्र पर हस्ताक्षर करती है। वह कभी इस लैपटॉप से बाहर नहीं जाती; मुख्यालय उसके सार्वजनिक भाग "
            "को पंजीकृत करता है।"
        ),
        "name": "आपका नाम",
        "name_hint": "जैसा मुख्यालय जानता है, जैसे सुनीता देवी",
        "auditor_id": "ऑडिटर आईडी",
        "auditor_id_hint": "जैसे AUD-GBN-017",
        "pass1": "पासफ़्रेज़",
        "pass1_hint": "कम से कम {count} अक्षर",
        "pass2": "पासफ़्रेज़ दोबारा",
        "create": "कुंजी बनाएँ",
        "continue": "आगे बढ़ें",
        "cannot_create": "कुंजी नहीं बन सकी",
        "creating": "कुंजी बन रही है (इसमें थोड़ा समय लगता है)…",
        "created": (
            "{name} ({auditor_id}) के लिए [b]कुंजी बन गई[/b], कुंजी आईडी {kid}।\n\n"
            "आपकी सार्वजनिक कुंजी यहाँ है\n  [b]{pem}[/b]\n\n"
            "पंजीकरण के लिए यह फ़ाइल मुख्यालय को भेजें। जब तक मुख्यालय उसे पंजीकृत नहीं करता और आप नई ट्रस्ट "
            "सूची स्थापित नहीं करते, आपके हस्ताक्षरित प्रमाणपत्र सत्यापित नहीं होंगे। इस सत्र के लिए कुंजी अनलॉक है।"
        ),
        "err:missing-name": "अपना नाम टाइप करें",
        "err:missing-auditor-id": "अपनी ऑडिटर आईडी टाइप करें",
        "err:passphrase-too-short": "पासफ़्रेज़ में कम से कम {count} अक्षर चाहिए",
        "err:passphrases-differ": "दोनों पासफ़्रेज़ अलग हैं: उन्हें फिर से टाइप करें",
        "help": (
            "इस लैपटॉप पर अभी कोई ऑडिटर कुंजी नहीं है। अपना नाम और ऑडिटर आईडी जैसा मुख्यालय जानता है, और कम "
            "से कम {count} अक्षरों का पासफ़्रेज़ दो बार दें, फिर कुंजी बनाएँ (ctrl+s)। कुंजी यहीं बनती और "
            "एन्क्रिप्ट होती है और कभी लैपटॉप से बाहर नहीं जाती; उसका सार्वजनिक भाग एक फ़ाइल में लिखा जाता है "
            "जिसे मुख्यालय को भेजना है, जो उसे पंजीकृत करता है। मुख्यालय के पंजीकरण और नई ट्रस्ट सूची स्थापित "
            "होने के बाद आपके हस्ताक्षरित प्रमाणपत्र सत्यापित होते हैं।"
        ),
    },
)
