"""Words of the full-screen QR code."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "foot_qr-back": "Back",
        "foot_qr-invert": "Invert colours",
        "foot_qr-png": "Save PNG",
        "too_small": "The terminal is too small to draw this QR code.",
        "sizes": "This terminal is {width}x{height}; the code with its caption needs {need_w}x{need_h} (columns x rows).",
        "fix": "Enlarge the terminal to at least {need_w}x{need_h} (or use a smaller font), or press p to save the code as a PNG file to show or print (the certificate screen exports PNG/PDF too).",
        "saving": "Writing the PNG…",
        "saved": "PNG written: {path}",
        "cannot_save": "cannot write the PNG",
        "help": (
            "The certificate's QR code, drawn full screen so a phone can scan it from the laptop. "
            "A clipped code scans as nothing: where the terminal is smaller than the code needs, the "
            "screen says how big it must be (columns x rows) instead. p writes the code as a PNG file "
            "in the data directory's certificates folder and shows its path; i swaps light and dark "
            "for terminals with light text on a dark background; escape goes back."
        ),
    },
    hi={
        "foot_qr-back": "वापस",
        "foot_qr-invert": "रंग उलटें",
        "foot_qr-png": "PNG सहेजें",
        "too_small": "यह क्यूआर कोड बनाने के लिए टर्मिनल बहुत छोटा है।",
        "sizes": "यह टर्मिनल {width}x{height} है; कोड और उसके कैप्शन को {need_w}x{need_h} (कॉलम x पंक्तियाँ) चाहिए।",
        "fix": "टर्मिनल को कम से कम {need_w}x{need_h} तक बड़ा करें (या छोटा फ़ॉन्ट लें), या कोड को दिखाने या छापने के लिए PNG फ़ाइल के रूप में सहेजने हेतु p दबाएँ (प्रमाणपत्र स्क्रीन भी PNG/PDF निर्यात करती है)।",
        "saving": "PNG लिखा जा रहा है…",
        "saved": "PNG लिखा गया: {path}",
        "cannot_save": "PNG लिखा नहीं जा सका",
        "help": (
            "प्रमाणपत्र का क्यूआर कोड, पूरी स्क्रीन पर, ताकि फ़ोन उसे लैपटॉप से स्कैन कर सके। कटा हुआ कोड "
            "स्कैन नहीं होता: जहाँ टर्मिनल कोड की ज़रूरत से छोटा है, स्क्रीन बताती है कि उसे कितना बड़ा होना "
            "चाहिए (कॉलम x पंक्तियाँ)। p कोड को डेटा निर्देशिका के certificates फ़ोल्डर में PNG फ़ाइल के रूप में "
            "लिखता है और उसका पथ दिखाता है; i गहरे पृष्ठभूमि पर हल्के अक्षरों वाले टर्मिनल के लिए हल्का और "
            "गहरा अदल-बदल करता है; escape वापस जाता है।"
        ),
    },
)
