"""Words of the meeting screen (``inspector.tui.screens.meeting``): the opening and closing meetings."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "foot_meeting-back": "Back",
        "foot_meeting-record": "Record and sign",
        "title": "Meeting",
        "reading": "Reading the audit…",
        "station": "{station} ({code}) · audit {audit} · {state}",
        "state_open": "open",
        "state_closed": "closed and sealed",
        "recorded_none": "No meeting recorded yet.",
        "recorded": "Recorded: {meetings}",
        "recorded_one": "{kind} {date} ({count} attendees)",
        "kind_label": "Meeting",
        "kind_opening": "opening",
        "kind_closing": "closing",
        "opening": "Opening meeting",
        "closing": "Closing meeting",
        "attendees_label": "Attendees, one a line: NAME, RANK",
        "attendees_placeholder": "Sunita Devi, Lead Auditor",
        "ack_label": "Findings received by (the station in-charge): NAME, RANK",
        "ack_placeholder": "Ravi Kumar, Inspector",
        "note_label": "Note (optional)",
        "note_placeholder": "what was agreed",
        "closing_hint": (
            "The closing meeting records that the station in-charge received the findings, "
            "and the deadline the checklist's rules give for the corrective-action plans."
        ),
        "btn_record": "Record and sign (ctrl+s)",
        "btn_back": "Back (esc)",
        "checking": "Checking…",
        "signing": "Signing the meeting record…",
        "not_unlocked": "nothing recorded: the auditor's key was not unlocked",
        "done": "{kind} meeting recorded ({count} attendees) · record {seq}",
        "done_deadline": "{kind} meeting recorded ({count} attendees); corrective-action plans due by {date} · record {seq}",
        "help": (
            "Record the opening or the closing meeting of this audit as a signed record in its chain, "
            "before or after the audit is closed. Name every attendee on a line of its own as "
            '"NAME, RANK". At the closing meeting, name the station in-charge who received the findings: '
            "the record also states the deadline for the station's corrective-action plans.\n\n"
            "ctrl+s signs and records the meeting (your key is unlocked first); esc goes back."
        ),
    },
    hi={
        "foot_meeting-back": "वापस",
        "foot_meeting-record": "दर्ज व हस्ताक्षर",
        "title": "बैठक",
        "reading": "ऑडिट पढ़ा जा रहा है…",
        "station": "{station} ({code}) · ऑडिट {audit} · {state}",
        "state_open": "खुला",
        "state_closed": "बंद और मुहरबंद",
        "recorded_none": "अभी कोई बैठक दर्ज नहीं।",
        "recorded": "दर्ज: {meetings}",
        "recorded_one": "{kind} {date} ({count} उपस्थित)",
        "kind_label": "बैठक",
        "kind_opening": "प्रारंभिक",
        "kind_closing": "समापन",
        "opening": "प्रारंभिक बैठक",
        "closing": "समापन बैठक",
        "attendees_label": "उपस्थित, हर पंक्ति में एक: नाम, पद",
        "attendees_placeholder": "सुनीता देवी, लीड ऑडिटर",
        "ack_label": "निष्कर्ष प्राप्तकर्ता (थाना प्रभारी): नाम, पद",
        "ack_placeholder": "रवि कुमार, निरीक्षक",
        "note_label": "टिप्पणी (वैकल्पिक)",
        "note_placeholder": "क्या तय हुआ",
        "closing_hint": (
            "समापन बैठक दर्ज करती है कि थाना प्रभारी ने निष्कर्ष प्राप्त किए, "
            "और जाँच-सूची के नियमों के अनुसार सुधारात्मक-कार्रवाई योजनाओं की अंतिम तिथि।"
        ),
        "btn_record": "दर्ज करें (ctrl+s)",
        "btn_back": "वापस (esc)",
        "checking": "जाँच हो रही है…",
        "signing": "बैठक के रिकॉर्ड पर हस्ताक्षर हो रहे हैं…",
        "not_unlocked": "कुछ दर्ज नहीं हुआ: ऑडिटर की कुंजी अनलॉक नहीं हुई",
        "done": "{kind} बैठक दर्ज ({count} उपस्थित) · रिकॉर्ड {seq}",
        "done_deadline": "{kind} बैठक दर्ज ({count} उपस्थित); सुधारात्मक-कार्रवाई योजनाएँ {date} तक नियत · रिकॉर्ड {seq}",
        "help": (
            "इस ऑडिट की प्रारंभिक या समापन बैठक उसकी शृंखला में हस्ताक्षरित रिकॉर्ड के रूप में दर्ज करें, "
            'ऑडिट बंद होने से पहले या बाद में। हर उपस्थित व्यक्ति को अलग पंक्ति में "नाम, पद" लिखें। '
            "समापन बैठक में उस थाना प्रभारी का नाम दें जिसने निष्कर्ष प्राप्त किए: रिकॉर्ड में थाने की "
            "सुधारात्मक-कार्रवाई योजनाओं की अंतिम तिथि भी होती है।\n\n"
            "ctrl+s बैठक पर हस्ताक्षर करके दर्ज करता है (पहले आपकी कुंजी अनलॉक होती है); esc वापस जाता है।"
        ),
    },
)
