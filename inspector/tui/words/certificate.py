"""Words of the certificate screen (and the result words the verify screen shares)."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "foot_cert-back": "Back",
        "foot_cert-qr": "QR code",
        "foot_cert-export": "Export",
        "foot_cert-folder": "Export folder",
        "title": "Certificate",
        "reading": "Reading the certificate…",
        "certificate": "Certificate ",
        "result:certified": "certified",
        "result:conditional": "conditional",
        "result:not_certified": "not certified",
        "l_result": "Result",
        "l_valid": "Valid",
        "l_surveillance": "Surveillance",
        "l_auditor": "Auditor",
        "l_issuer": "Issued under",
        "l_audit": "Audit",
        "l_checklist": "Checklist",
        "l_standard": "Standard",
        "v_result": "{result}, score {score}% ({majors} major, {minors} minor)",
        "v_valid": "{start} to {end}",
        "v_surveillance": "due {dates}",
        "v_auditor": "{name} ({auditor_id}), key {kid}",
        "v_standard": "{standard}; scope: {scope}",
        "export_to": "Export to ",
        "export": "Export (e)",
        "qr": "QR code (q)",
        "give_folder": "give the folder to export to",
        "writing": "Writing the certificate files to {folder}…",
        "written": "Written:",
        "cannot_read": "cannot read the certificate",
        "cannot_export": "cannot export the certificate",
        "help": (
            "One issued certificate: the station, the result, the dates it is valid, the auditor "
            "and the certificate's id. q shows its QR code full screen (where the terminal is too "
            "small, the QR screen saves it as a PNG). e exports the record and its renderings (JSON, "
            "PNG and SVG of the QR code, printable HTML and PDF) into the folder shown, by default the "
            "data directory's certificates folder; d moves to the folder field to change it. escape "
            "goes back."
        ),
    },
    hi={
        "foot_cert-back": "वापस",
        "foot_cert-qr": "क्यूआर कोड",
        "foot_cert-export": "निर्यात",
        "foot_cert-folder": "निर्यात फ़ोल्डर",
        "title": "प्रमाणपत्र",
        "reading": "प्रमाणपत्र पढ़ा जा रहा है…",
        "certificate": "प्रमाणपत्र ",
        "result:certified": "प्रमाणित",
        "result:conditional": "सशर्त",
        "result:not_certified": "प्रमाणित नहीं",
        "l_result": "परिणाम",
        "l_valid": "वैध",
        "l_surveillance": "निगरानी",
        "l_auditor": "ऑडिटर",
        "l_issuer": "जारीकर्ता",
        "l_audit": "ऑडिट",
        "l_checklist": "जाँच सूची",
        "l_standard": "मानक",
        "v_result": "{result}, अंक {score}% ({majors} गंभीर, {minors} लघु)",
        "v_valid": "{start} से {end} तक",
        "v_surveillance": "नियत {dates}",
        "v_auditor": "{name} ({auditor_id}), कुंजी {kid}",
        "v_standard": "{standard}; दायरा: {scope}",
        "export_to": "निर्यात ",
        "export": "निर्यात (e)",
        "qr": "क्यूआर कोड (q)",
        "give_folder": "निर्यात के लिए फ़ोल्डर दें",
        "writing": "प्रमाणपत्र की फ़ाइलें {folder} में लिखी जा रही हैं…",
        "written": "लिखी गईं:",
        "cannot_read": "प्रमाणपत्र पढ़ा नहीं जा सका",
        "cannot_export": "प्रमाणपत्र निर्यात नहीं हो सका",
        "help": (
            "एक जारी प्रमाणपत्र: थाना, परिणाम, वैधता की तिथियाँ, ऑडिटर और प्रमाणपत्र की आईडी। q उसका "
            "क्यूआर कोड पूरी स्क्रीन पर दिखाता है (टर्मिनल छोटा हो तो क्यूआर स्क्रीन उसे PNG के रूप में सहेजती "
            "है)। e रिकॉर्ड और उसके रूप (JSON, क्यूआर कोड के PNG और SVG, छापने योग्य HTML और PDF) दिखाए गए "
            "फ़ोल्डर में निर्यात करता है, जो पहले से डेटा निर्देशिका का certificates फ़ोल्डर है; d उसे बदलने के "
            "लिए फ़ोल्डर वाले खाने पर ले जाता है। escape वापस जाता है।"
        ),
    },
)
