"""Words of the file picker (evidence files, and files other screens ask for)."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "title": "Attach an evidence file",
        "path_placeholder": "or type a file path and press enter",
        "up": "Up a folder",
        "choose": "Attach",
        "cancel": "Cancel",
        "not_a_file": "not a file: {path}",
    },
    hi={
        "title": "साक्ष्य फ़ाइल संलग्न करें",
        "path_placeholder": "या फ़ाइल का पथ लिखें और enter दबाएँ",
        "up": "ऊपर का फ़ोल्डर",
        "choose": "संलग्न करें",
        "cancel": "रद्द",
        "not_a_file": "फ़ाइल नहीं है: {path}",
    },
)
