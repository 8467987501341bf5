"""Words of the checklist walk: its footer, notices, palette entries, questions and help."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        # footer and key descriptions, by binding id
        "key_next": "Next",
        "key_previous": "Prev",
        "key_next-unanswered": "Unanswered",
        "key_note": "Note",
        "key_due": "Due date",
        "key_attach": "Attach",
        "key_save": "Save",
        "key_filter": "NC only",
        "key_language": "हिन्दी",
        "key_walk-summary": "Summary",
        "key_back": "Home",
        "key_walk-quit": "Quit",
        # the header: station, audit type, item
        "type_stage1": "stage 1",
        "type_certification": "certification",
        "type_surveillance": "surveillance",
        "type_recertification": "recertification",
        # notices
        "opening": "opening the audit…",
        "cannot_open": "Cannot open the audit",
        "read_only": "this audit is closed: its findings are read-only (s: summary)",
        "resumed": "{records} signed records · resumed at {item}",
        "press_to_record": "press 1-5 to record",
        "last_item": "last item: u goes to the next unanswered one",
        "first_item": "first item",
        "all_answered": "every item is answered: s opens the summary",
        "no_ncs": "no nonconformities recorded yet",
        "language_now": "labels in English",
        "no_summary": "the summary screen is not part of this build",
        # palette
        "palette_unanswered": "Next unanswered item",
        "palette_filter": "Show only nonconformities (toggle)",
        "palette_language": "Hindi / English labels",
        "palette_attach": "Attach an evidence file",
        "palette_summary": "Summary of this audit",
        "picker_title": "Evidence for {item}",
        # leaving with unsaved input
        "unsaved": "Input for {items} is not saved. Leave anyway and lose it?",
        "leave": "Leave",
        "stay": "Stay",
        "help": (
            "The checklist walk: one item at a time, its question, guidance and the evidence to "
            "look for. Keys 1-5 record a status (Conform, Minor, Major, Observation, N/A); each is "
            "signed and saved at once. A key held down records once. Changing a recorded status "
            "asks first, with the reason the rules require. e types a note, d a due date, a "
            "attaches a file, ctrl+s saves them; n and p move, u goes to the next unanswered item, "
            "f shows only nonconformities, l switches Hindi and English, s opens the summary, "
            "esc goes home."
        ),
    },
    hi={
        "key_next": "अगला",
        "key_previous": "पिछला",
        "key_next-unanswered": "अनुत्तरित",
        "key_note": "टिप्पणी",
        "key_due": "नियत तिथि",
        "key_attach": "संलग्न",
        "key_save": "सहेजें",
        "key_filter": "केवल गैर-अनुरूप",
        "key_language": "English",
        "key_walk-summary": "सारांश",
        "key_back": "होम",
        "key_walk-quit": "बंद करें",
        "type_stage1": "चरण 1",
        "type_certification": "प्रमाणन",
        "type_surveillance": "निगरानी",
        "type_recertification": "पुनः प्रमाणन",
        "opening": "ऑडिट खुल रहा है…",
        "cannot_open": "ऑडिट नहीं खुल सका",
        "read_only": "यह ऑडिट बंद है: इसके निष्कर्ष केवल पढ़ने के लिए हैं (s: सारांश)",
        "resumed": "{records} हस्ताक्षरित रिकॉर्ड · {item} से फिर शुरू",
        "press_to_record": "दर्ज करने के लिए 1-5 दबाएँ",
        "last_item": "अंतिम मद: u अगले अनुत्तरित मद पर जाता है",
        "first_item": "पहला मद",
        "all_answered": "हर मद का उत्तर दिया गया: s सारांश खोलता है",
        "no_ncs": "अभी कोई गैर-अनुरूपता दर्ज नहीं",
        "language_now": "लेबल हिन्दी में",
        "no_summary": "सारांश स्क्रीन इस बिल्ड में नहीं है",
        "palette_unanswered": "अगला अनुत्तरित मद",
        "palette_filter": "केवल गैर-अनुरूपताएँ दिखाएँ (टॉगल)",
        "palette_language": "हिन्दी / अंग्रेज़ी लेबल",
        "palette_attach": "साक्ष्य फ़ाइल संलग्न करें",
        "palette_summary": "इस ऑडिट का सारांश",
        "picker_title": "{item} के लिए साक्ष्य",
        "unsaved": "{items} का इनपुट सहेजा नहीं गया। फिर भी छोड़ें और उसे खो दें?",
        "leave": "छोड़ें",
        "stay": "रुकें",
        "help": (
            "जाँच सूची: एक बार में एक मद, उसका प्रश्न, मार्गदर्शन और देखने योग्य साक्ष्य। कुंजियाँ 1-5 "
            "स्थिति दर्ज करती हैं (अनुरूप, लघु, गंभीर, अवलोकन, लागू नहीं); हर एक तुरंत हस्ताक्षरित "
            "होकर सहेजी जाती है। दबाई रखी कुंजी एक ही बार दर्ज करती है। दर्ज स्थिति बदलने से पहले "
            "पूछा जाता है, नियमों के अनुसार कारण के साथ। e टिप्पणी, d नियत तिथि, a फ़ाइल संलग्न, "
            "ctrl+s सहेजता है; n और p आगे-पीछे, u अगला अनुत्तरित मद, f केवल गैर-अनुरूपताएँ, "
            "l हिन्दी/अंग्रेज़ी, s सारांश, esc होम।"
        ),
    },
    latin=frozenset({"key_language"}),  # the language switch names the other language in its own script
)
