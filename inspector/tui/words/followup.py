"""Words of the follow-up screen (``inspector.tui.screens.followup``): corrective-action plans and
their verification. The nonconformities' states are the summary's words (``words.summary``)."""

from __future__ import annotations

from inspector.tui.words import Catalogue

WORDS = Catalogue(
    en={
        "title": "Follow-up",
        "reading": "Reading the audit…",
        "station": "{station} ({code}) · audit {audit} · {state}",
        "state_open": "open",
        "state_closed": "closed and sealed",
        "ncs_label": "Nonconformities (↑↓ to choose)",
        "ncs_none": "This audit has no nonconformity: there is nothing to follow up.",
        "grade_minor": "minor",
        "grade_major": "major",
        "row_due": " · due {date}",
        "plan_title": "The station's corrective-action plan for {item}",
        "plan_again": "A new corrective-action plan for {item} (the last one was not effective)",
        "plan_limit": "due by {date} at the latest",
        "plan_shown": "Plan: {action} (owner {owner}, due {due})",
        "verify_title": "Verification of {item}'s corrective action",
        "closed_title": "{item}: verified effective; nothing more to record.",
        "correction_label": "Correction",
        "correction_placeholder": "what was put right at once",
        "root_cause_label": "Root cause",
        "root_cause_placeholder": "why it happened",
        "action_label": "Action",
        "action_placeholder": "the corrective action that removes the cause",
        "owner_label": "Owner",
        "owner_placeholder": "NAME, RANK: who carries it out",
        "due_label": "Due date",
        "due_placeholder": "YYYY-MM-DD",
        "result_label": "Result",
        "effective": "Effective",
        "not_effective": "Not effective",
        "method_label": "Method",
        "on_site": "On site",
        "document": "From documents",
        "note_label": "Note",
        "note_placeholder": "what was seen or read",
        "evidence_none": "Evidence: none (ctrl+o attaches a file)",
        "evidence": "Evidence: {names} (ctrl+r removes them)",
        "picker_title": "Evidence for {item}",
        "btn_record": "Record and sign (ctrl+s)",
        "btn_attach": "Attach (ctrl+o)",
        "btn_back": "Back (esc)",
        "foot_followup-back": "Back",
        "foot_followup-record": "Record and sign",
        "foot_followup-attach": "Attach",
        "foot_followup-clear": "Remove files",
        "checking": "Checking…",
        "signing": "Signing the record…",
        "not_unlocked": "nothing recorded: the auditor's key was not unlocked",
        "nothing_to_record": "{item}: verified effective; there is nothing more to record",
        "done_plan": "{item}: corrective-action plan recorded (due {due}); now {state} · record {seq}",
        "done_verify": "{item}: verified {result} ({method}); now {state} · record {seq}",
        "help": (
            "Follow up the audit's nonconformities, open or closed: choose one in the list. Without a plan "
            "(or after one was found not effective), record the station's corrective-action plan: the "
            "correction made at once, the root cause, the action that removes it, its owner and its due "
            "date (a minor's within the checklist's limit after the audit's last day, a major's within "
            "6 months). With a plan, record your verification: effective or not, seen on site or from "
            "documents, and what you saw. Each is a signed record of the audit's chain; evidence files "
            "are copied into the audit.\n\n"
            "ctrl+s signs and records (your key is unlocked first); ctrl+o attaches a file, ctrl+r removes "
            "the attached files; esc goes back."
        ),
    },
    hi={
        "title": "अनुवर्ती कार्रवाई",
        "reading": "ऑडिट पढ़ा जा रहा है…",
        "station": "{station} ({code}) · ऑडिट {audit} · {state}",
        "state_open": "खुला",
        "state_closed": "बंद और मुहरबंद",
        "ncs_label": "गैर-अनुरूपताएँ (चुनने के लिए ↑↓)",
        "ncs_none": "इस ऑडिट में कोई गैर-अनुरूपता नहीं: अनुवर्ती कार्रवाई के लिए कुछ नहीं।",
        "grade_minor": "छोटी",
        "grade_major": "बड़ी",
        "row_due": " · नियत {date}",
        "plan_title": "{item} के लिए थाने की सुधारात्मक-कार्रवाई योजना",
        "plan_again": "{item} के लिए नई सुधारात्मक-कार्रवाई योजना (पिछली प्रभावी नहीं थी)",
        "plan_limit": "अधिकतम {date} तक नियत",
        "plan_shown": "योजना: {action} (ज़िम्मेदार {owner}, नियत {due})",
        "verify_title": "{item} की सुधारात्मक कार्रवाई का सत्यापन",
        "closed_title": "{item}: प्रभावी सत्यापित; अब कुछ दर्ज करने को नहीं।",
        "correction_label": "सुधार",
        "correction_placeholder": "तुरंत क्या ठीक किया गया",
        "root_cause_label": "मूल कारण",
        "root_cause_placeholder": "ऐसा क्यों हुआ",
        "action_label": "कार्रवाई",
        "action_placeholder": "वह सुधारात्मक कार्रवाई जो कारण दूर करे",
        "owner_label": "ज़िम्मेदार",
        "owner_placeholder": "नाम, पद: कौन करेगा",
        "due_label": "नियत तिथि",
        "due_placeholder": "YYYY-MM-DD",
        "result_label": "परिणाम",
        "effective": "प्रभावी",
        "not_effective": "प्रभावी नहीं",
        "method_label": "तरीका",
        "on_site": "मौके पर",
        "document": "दस्तावेज़ों से",
        "note_label": "टिप्पणी",
        "note_placeholder": "क्या देखा या पढ़ा",
        "evidence_none": "साक्ष्य: कोई नहीं (ctrl+o फ़ाइल जोड़ता है)",
        "evidence": "साक्ष्य: {names} (ctrl+r इन्हें हटाता है)",
        "picker_title": "{item} के लिए साक्ष्य",
        "btn_record": "दर्ज करें (ctrl+s)",
        "btn_attach": "फ़ाइल जोड़ें (ctrl+o)",
        "btn_back": "वापस (esc)",
        "foot_followup-back": "वापस",
        "foot_followup-record": "दर्ज करें",
        "foot_followup-attach": "फ़ाइल जोड़ें",
        "foot_followup-clear": "फ़ाइलें हटाएँ",
        "checking": "जाँच हो रही है…",
        "signing": "रिकॉर्ड पर हस्ताक्षर हो रहे हैं…",
        "not_unlocked": "कुछ दर्ज नहीं हुआ: ऑडिटर की कुंजी अनलॉक नहीं हुई",
        "nothing_to_record": "{item}: प्रभावी सत्यापित; अब कुछ दर्ज करने को नहीं",
        "done_plan": "{item}: सुधारात्मक-कार्रवाई योजना दर्ज ({due} तक नियत); अब {state} · रिकॉर्ड {seq}",
        "done_verify": "{item}: सत्यापन {result} ({method}); अब {state} · रिकॉर्ड {seq}",
        "help": (
            "ऑडिट की गैर-अनुरूपताओं पर अनुवर्ती कार्रवाई, ऑडिट खुला हो या बंद: सूची में एक चुनें। योजना न हो "
            "(या पिछली प्रभावी न रही हो) तो थाने की सुधारात्मक-कार्रवाई योजना दर्ज करें: तुरंत किया गया सुधार, "
            "मूल कारण, उसे दूर करने वाली कार्रवाई, ज़िम्मेदार व्यक्ति और नियत तिथि (छोटी गैर-अनुरूपता की "
            "जाँच-सूची की सीमा के भीतर, बड़ी की ऑडिट के अंतिम दिन से 6 महीने के भीतर)। योजना हो तो अपना "
            "सत्यापन दर्ज करें: प्रभावी या नहीं, मौके पर या दस्तावेज़ों से, और आपने क्या देखा। हर एक ऑडिट की "
            "शृंखला में हस्ताक्षरित रिकॉर्ड है; साक्ष्य फ़ाइलें ऑडिट में कॉपी होती हैं।\n\n"
            "ctrl+s हस्ताक्षर करके दर्ज करता है (पहले आपकी कुंजी अनलॉक होती है); ctrl+o फ़ाइल जोड़ता है, "
            "ctrl+r जोड़ी गई फ़ाइलें हटाता है; esc वापस जाता है।"
        ),
    },
)
