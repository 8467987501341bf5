"""Words of the new-audit form."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "title": "New audit",
        "station": "Station",
        "checklist": "Checklist",
        "type": "Audit type",
        "loading_stations": "loading stations…",
        "loading_checklists": "loading checklists…",
        "choose_station": "choose a station",
        "choose_checklist": "choose a checklist",
        "type:certification": "Stage 2: certification",
        "type:stage1": "Stage 1: documents and readiness",
        "type:surveillance": "Surveillance",
        "type:recertification": "Recertification",
        "waiver": "no stage 1 on this laptop? say why (e.g. held on paper)",
        "no_lockup": "The station has no lock-up",
        "start": "Start audit",
        "cancel": "Cancel",
        "cannot_read": "cannot read the stations or checklists",
        "choose_both": "choose a station and a checklist",
        "locked": "the key is locked: unlock it to sign the opening record",
        "opening": "opening the audit…",
        "no_key": "no auditor key on this device",
        "cannot_open": "cannot open the audit",
        "help": (
            "Opens an audit: choose the station (from the registry), the checklist and the audit type, "
            "then Start audit (ctrl+s). The opening record is signed with your key. A stage 2 "
            "(certification) audit needs a closed stage 1 of the station on this laptop, or a written "
            'reason to go on without one (held on paper, on another laptop). Tick "no lock-up" where '
            "the station has none: its custody items may then be marked not applicable. escape cancels."
        ),
    },
    hi={
        "title": "नया ऑडिट",
        "station": "थाना",
        "checklist": "जाँच सूची",
        "type": "ऑडिट का प्रकार",
        "loading_stations": "थाने लोड हो रहे हैं…",
        "loading_checklists": "जाँच सूचियाँ लोड हो रही हैं…",
        "choose_station": "थाना चुनें",
        "choose_checklist": "जाँच सूची चुनें",
        "type:certification": "चरण 2: प्रमाणन",
        "type:stage1": "चरण 1: दस्तावेज़ और तैयारी",
        "type:surveillance": "निगरानी",
        "type:recertification": "पुनः प्रमाणन",
        "waiver": "इस लैपटॉप पर चरण 1 नहीं? कारण लिखें (जैसे काग़ज़ पर हुआ)",
        "no_lockup": "थाने में हवालात नहीं है",
        "start": "ऑडिट शुरू करें",
        "cancel": "रद्द करें",
        "cannot_read": "थाने या जाँच सूचियाँ पढ़ी नहीं जा सकीं",
        "choose_both": "एक थाना और एक जाँच सूची चुनें",
        "locked": "कुंजी लॉक है: उद्घाटन रिकॉर्ड पर हस्ताक्षर के लिए उसे अनलॉक करें",
        "opening": "ऑडिट खोला जा रहा है…",
        "no_key": "इस डिवाइस पर कोई ऑडिटर कुंजी नहीं",
        "cannot_open": "ऑडिट खोला नहीं जा सका",
        "help": (
            "ऑडिट खोलता है: थाना (रजिस्टर से), जाँच सूची और ऑडिट का प्रकार चुनें, फिर ऑडिट शुरू करें "
            "(ctrl+s)। उद्घाटन रिकॉर्ड पर आपकी कुंजी से हस्ताक्षर होते हैं। चरण 2 (प्रमाणन) ऑडिट के लिए इस "
            "लैपटॉप पर उस थाने का बंद चरण 1 चाहिए, या उसके बिना आगे बढ़ने का लिखित कारण (काग़ज़ पर, दूसरे "
            'लैपटॉप पर हुआ)। जहाँ थाने में हवालात नहीं है वहाँ "हवालात नहीं" चुनें: तब हिरासत की मदें लागू '
            "नहीं के रूप में चिह्नित की जा सकती हैं। escape रद्द करता है।"
        ),
    },
)
