"""The follow-up of an audit's nonconformities: the station's corrective-action plans and the
auditor's verification of their effect.

A thin shell over ``Audit.respond`` and ``Audit.follow_up`` (``inspector.audit.followup_writer``),
as ``inspector audit respond`` and ``inspector audit follow-up`` are. The auditor chooses a
nonconformity in the list; its state says which form shows: without a plan (or after one was
found not effective) the plan form, with a plan the verification form, once verified effective
none. The fields are checked by the core's ``response_fields`` / ``verification_fields`` against
the audit read read-only first (and the evidence files are opened as the copy would open them),
so a mistake is one line before any passphrase is asked; then the key is unlocked, the audit
opened writable with it and the record signed into the chain (a worker). What was typed is kept
per nonconformity while the screen is open, so choosing another one loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from inspector.audit.views import AuditView, NonconformityRow
from inspector.tui.keymap import translate_bindings
from inspector.tui.messages import WorkerFailed
from inspector.tui.screens.signed_form import SignedFormScreen
from inspector.tui.session import Session
from inspector.tui.words.followup import WORDS
from inspector.tui.words.summary import WORDS as SUMMARY

if TYPE_CHECKING:
    from inspector.audit.records import ResponseRecord, VerificationRecord

# The plan's text fields, in the form's order (also the core's ``field`` names).
PLAN_FIELDS = ("correction", "root_cause", "action", "owner", "due")
# A nonconformity's follow-up state -> the summary's word for it.
STATE_KEY = {"open": "nc_open", "planned": "nc_planned", "closed": "nc_closed", "not-effective": "nc_not_effective"}
RESULT_KEY = {"effective": "result_effective", "not-effective": "result_not_effective"}
METHOD_KEY = {"on-site": "method_on_site", "document": "method_document"}
# The core's ``field`` of a refused input -> the widget to focus.
FIELD_WIDGET = {
    **{name: f"#followup-{name}" for name in PLAN_FIELDS},
    "note": "#followup-note",
    "method": "#followup-method",
    "evidence": "#followup-attach",
}


def form_of(row: NonconformityRow) -> str:
    """Which form a nonconformity takes next: ``plan``, ``verify`` or ``closed`` (none)."""
    if row.state == "planned":
        return "verify"
    if row.state == "closed":
        return "closed"
    return "plan"  # open, or the last plan was not effective: a new plan


@dataclass
class Draft:
    """What was typed for one nonconformity (kept while the screen is open)."""

    texts: dict[str, str] = field(default_factory=dict)
    effective: bool = True
    method: str = "on-site"
    evidence: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class FollowUpInput:
    """A plan (``kind == "plan"``) or a verification as the auditor typed it (the core checks it)."""

    kind: str
    item: str
    texts: dict[str, str]
    effective: bool
    method: str
    evidence: tuple[Path, ...]

    def plan_fields(self) -> dict[str, Any]:
        return {name: self.texts.get(name) or None for name in PLAN_FIELDS} | {"evidence": self.evidence}

    def verification_fields(self) -> dict[str, Any]:
        note = self.texts.get("note", "")
        return {
            "effective": self.effective,
            "method": self.method,
            "note": note if note.strip() else None,
            "evidence": self.evidence,
        }


class FollowUpScreen(SignedFormScreen):
    """Record a nonconformity's corrective-action plan, or its verification, as a signed record."""

    CSS_PATH = "followup.tcss"
    WORDS = WORDS
    PREFIX = "followup"
    RECORD_FAILED = "cannot record the follow-up"
    TITLE = "Follow-up"
    AUTO_FOCUS = "#followup-ncs"
    BINDINGS = [
        Binding("escape", "back", "Back", id="followup-back"),
        Binding("ctrl+s", "record", "Record and sign", id="followup-record", priority=True),
        Binding("ctrl+o", "attach", "Attach", id="followup-attach"),
        Binding("ctrl+r", "clear_evidence", "Remove files", id="followup-clear", show=False),
    ]

    class Loaded(Message):
        def __init__(self, view: AuditView) -> None:
            super().__init__()
            self.view = view

    class Recorded(Message):
        def __init__(self, record: ResponseRecord | VerificationRecord, view: AuditView) -> None:
            super().__init__()
            self.record = record
            self.view = view

    class Failed(WorkerFailed):
        """Reading the audit, checking the fields or signing the record failed."""

    def __init__(self, session: Session, audit_id: str, item: str | None = None) -> None:
        super().__init__(session, audit_id)
        self.item = item  # None: the first nonconformity with something to record, once read
        self.drafts: dict[str, Draft] = {}
        self.last_record: ResponseRecord | VerificationRecord | None = None
        self._showing: str | None = None  # the item whose draft the form holds

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="followup-body"):
            yield Static(self.words("reading"), id="followup-station")
            yield Static("", id="followup-ncs-label", classes="label")
            yield OptionList(id="followup-ncs", compact=True)
            yield Static("", id="followup-item")
            yield Static("", id="followup-form-title", classes="label")
            with Vertical(id="followup-plan"):
                for name in PLAN_FIELDS:
                    with Horizontal(classes="row"):
                        yield Static("", id=f"followup-{name}-label", classes="field-label")
                        yield Input(id=f"followup-{name}", compact=True)
                yield Static("", id="followup-limit")
            with Vertical(id="followup-verify"):
                with Horizontal(classes="row"):
                    yield Static("", id="followup-result-label", classes="field-label")
                    with RadioSet(id="followup-result", compact=True):
                        yield RadioButton("", id="followup-effective", value=True, compact=True)
                        yield RadioButton("", id="followup-not-effective", compact=True)
                with Horizontal(classes="row"):
                    yield Static("", id="followup-method-label", classes="field-label")
                    with RadioSet(id="followup-method", compact=True):
                        yield RadioButton("", id="followup-on-site", value=True, compact=True)
                        yield RadioButton("", id="followup-document", compact=True)
                with Horizontal(classes="row"):
                    yield Static("", id="followup-note-label", classes="field-label")
                    yield Input(id="followup-note", compact=True)
            yield Static("", id="followup-evidence")
        yield Static("", id="followup-message")
        with Horizontal(id="followup-actions"):
            yield Button("", id="followup-record", variant="primary", compact=True)
            yield Button("", id="followup-attach", compact=True)
            yield Button("", id="followup-back", classes="back-button", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.audit_id[:12]
        self._apply_words()
        self._show_form(None)
        self.app.language_signal.subscribe(self, self._on_language)
        self._load()

    def _on_language(self, _lang: str) -> None:
        self._apply_words()
        if self.view is not None:
            self._render_view(self.view)

    def _apply_words(self) -> None:
        w = self.words
        self.title = w("title")
        translate_bindings(self, WORDS, self.lang)
        self.query_one("#followup-ncs-label", Static).update(w("ncs_label"))
        for name in (*PLAN_FIELDS, "note"):
            self.query_one(f"#followup-{name}-label", Static).update(w(f"{name}_label"))
            self.query_one(f"#followup-{name}", Input).placeholder = w(f"{name}_placeholder")
        for name in ("result", "method"):
            self.query_one(f"#followup-{name}-label", Static).update(w(f"{name}_label"))
        for name, key in (
            ("effective", "effective"),
            ("not-effective", "not_effective"),
            ("on-site", "on_site"),
            ("document", "document"),
        ):
            self.query_one(f"#followup-{name}", RadioButton).label = w(key)
        for name in ("record", "attach", "back"):
            self.query_one(f"#followup-{name}", Button).label = w(f"btn_{name}")

    # -- reading ------------------------------------------------------------------------------
    def on_follow_up_screen_loaded(self, message: Loaded) -> None:
        view = message.view
        items = [row.item for row in view.nonconformities]
        if self.item not in items:
            pending = [row.item for row in view.nonconformities if form_of(row) != "closed"]
            first = pending or items
            self.item = first[0] if first else None
        self._render_view(view)

    def _row(self, item: str | None = None) -> NonconformityRow | None:
        wanted = item or self.item
        if self.view is None:
            return None
        return next((row for row in self.view.nonconformities if row.item == wanted), None)

    def _render_view(self, view: AuditView) -> None:
        self.view = view
        self.sub_title = f"{view.station_code} · {view.audit_id[:12]}"
        state = self.words("state_closed") if view.closed else self.words("state_open")
        self.query_one("#followup-station", Static).update(
            Text(
                self.words(
                    "station", station=view.station_en, code=view.station_code, audit=view.audit_id[:12], state=state
                )
            )
        )
        ncs = self.query_one("#followup-ncs", OptionList)
        items = [row.item for row in view.nonconformities]
        if [option.id for option in ncs.options] == items:
            # Same list (a record written, a language switch): new words in place, so no highlight
            # event of a rebuilt list arrives later and moves the choice.
            for row in view.nonconformities:
                ncs.replace_option_prompt(row.item, self._row_text(row))
        else:
            ncs.clear_options()
            ncs.add_options([Option(self._row_text(row), id=row.item) for row in view.nonconformities])
        ncs.display = bool(view.nonconformities)
        if self.item is not None:
            ncs.highlighted = ncs.get_option_index(self.item)
        self._show_item()

    def _row_text(self, row: NonconformityRow) -> Text:
        state = SUMMARY(self.lang, STATE_KEY[row.state]) if row.state in STATE_KEY else row.state
        grade = self.words(f"grade_{row.grade}") if f"grade_{row.grade}" in WORDS else row.grade
        due = self.words("row_due", date=row.due) if row.due and row.state != "closed" else ""
        style = {"closed": "green", "open": "yellow", "not-effective": "bold red"}.get(row.state, "")
        return Text.assemble((f"{row.item:<7} ", "bold"), f"{grade:<6} ", (state, style), due, no_wrap=True)

    @on(OptionList.OptionHighlighted, "#followup-ncs")
    def chosen(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_id is not None and event.option_id != self.item:
            self.item = event.option_id
            self._show_item()

    def _show_item(self) -> None:
        self._keep_draft()  # what the form holds belongs to the item shown so far (or a language switch)
        row = self._row()
        item_text = self.query_one("#followup-item", Static)
        if row is None:
            item_text.update(Text(self.words("ncs_none")) if self.view is not None else "")
            self._show_form(None)
            return
        text = Text(row.question, "dim")
        if row.note:
            text.append("\n" + row.note)
        if row.plan is not None and row.state == "planned":
            plan = row.plan
            text.append("\n" + self.words("plan_shown", action=plan.action, owner=plan.owner, due=plan.due))
        item_text.update(text)
        self._show_form(row)
        self._restore_draft(row.item)

    def _show_form(self, row: NonconformityRow | None) -> None:
        form = form_of(row) if row is not None else None
        self.query_one("#followup-plan").display = form == "plan"
        self.query_one("#followup-verify").display = form == "verify"
        self.query_one("#followup-evidence").display = form in ("plan", "verify")
        for name in ("record", "attach"):
            self.query_one(f"#followup-{name}", Button).display = form in ("plan", "verify")
        title = self.query_one("#followup-form-title", Static)
        title.display = row is not None
        if row is None:
            return
        if form == "plan":
            key = "plan_again" if row.state == "not-effective" else "plan_title"
            title.update(Text(self.words(key, item=row.item)))
            limit = self.query_one("#followup-limit", Static)
            limit.update(Text(self.words("plan_limit", date=row.plan_deadline) if row.plan_deadline else ""))
            limit.display = bool(row.plan_deadline)
        elif form == "verify":
            title.update(Text(self.words("verify_title", item=row.item)))
        else:
            title.update(Text(self.words("closed_title", item=row.item)))

    # -- drafts ---------------------------------------------------------------------------------
    def _draft(self, item: str) -> Draft:
        return self.drafts.setdefault(item, Draft())

    def _keep_draft(self) -> None:
        """Keep what the form holds as the draft of the item it was shown for."""
        if self._showing is None:
            return
        draft = self._draft(self._showing)
        for name in (*PLAN_FIELDS, "note"):
            draft.texts[name] = self.query_one(f"#followup-{name}", Input).value
        draft.effective = self.query_one("#followup-effective", RadioButton).value
        draft.method = "document" if self.query_one("#followup-document", RadioButton).value else "on-site"

    def _restore_draft(self, item: str) -> None:
        draft = self._draft(item)
        for name in (*PLAN_FIELDS, "note"):
            self.query_one(f"#followup-{name}", Input).value = draft.texts.get(name, "")
        result = "#followup-effective" if draft.effective else "#followup-not-effective"
        method = "#followup-on-site" if draft.method == "on-site" else "#followup-document"
        self.query_one(result, RadioButton).value = True
        self.query_one(method, RadioButton).value = True
        self._showing = item
        self._show_evidence()

    def _show_evidence(self) -> None:
        evidence = self._draft(self.item).evidence if self.item else []
        if evidence:
            line = self.words("evidence", names=", ".join(path.name for path in evidence))
        else:
            line = self.words("evidence_none")
        self.query_one("#followup-evidence", Static).update(Text(line))

    def typed(self) -> FollowUpInput | None:
        """What the form holds for the chosen nonconformity; None when it takes no record."""
        row = self._row()
        if row is None or form_of(row) == "closed":
            return None
        self._keep_draft()
        draft = self._draft(row.item)
        texts = {name: draft.texts.get(name, "") for name in (*PLAN_FIELDS, "note")}
        texts = {name: value.strip() if name != "note" else value for name, value in texts.items()}
        return FollowUpInput(
            form_of(row), row.item, texts, draft.effective, draft.method, tuple(dict.fromkeys(draft.evidence))
        )

    # -- evidence -----------------------------------------------------------------------------
    @on(Button.Pressed, "#followup-attach")
    def action_attach(self) -> None:
        row = self._row()
        if self.busy or row is None or form_of(row) == "closed":
            return
        from inspector.tui.widgets.file_picker import FilePicker, evidence_folder

        start = evidence_folder(self.session.data.root)
        picker = FilePicker(start, self.words("picker_title", item=row.item), lang=self.lang)
        self.app.push_screen(picker, lambda path: self._attached(row.item, path))

    def _attached(self, item: str, path: Path | None) -> None:
        if path is None:
            return
        from inspector.tui.widgets.file_picker import remember_folder

        remember_folder(self.session.data.root, path)
        evidence = self._draft(item).evidence
        if path not in evidence:
            evidence.append(path)
        if item == self.item:
            self._show_evidence()

    def action_clear_evidence(self) -> None:
        if self.item is not None and not self.busy:
            self._draft(self.item).evidence.clear()
            self._show_evidence()

    # -- recording ----------------------------------------------------------------------------
    @on(Button.Pressed, "#followup-record")
    def action_record(self) -> None:
        if self.busy or self.view is None:
            return
        typed = self.typed()
        if typed is None:
            row = self._row()
            if row is not None:
                self._say(self.words("nothing_to_record", item=row.item), error=True)
            return
        self._set_busy(True, self.words("checking"))
        self._record_flow(typed)

    def _check(self, typed: FollowUpInput) -> None:
        """The core's checks of the fields and files, without the key: a mistake costs no passphrase."""
        from inspector._io.files import open_user_file
        from inspector.audit.followup import response_fields, verification_fields
        from inspector.crypto.canonical import utcnow

        with self.session.audits.open(self.audit_id, writable=False) as audit:
            if typed.kind == "plan":
                response_fields(audit.checklist, audit.state, typed.item, today=utcnow().date(), **typed.plan_fields())
            else:
                verification_fields(audit.checklist, audit.state, typed.item, **typed.verification_fields())
        for path in typed.evidence:  # gone, unreadable or a pipe since it was picked
            handle, _size = open_user_file(path, "evidence file")
            handle.close()

    def _sign(self, audit: Any, typed: FollowUpInput) -> ResponseRecord | VerificationRecord:
        if typed.kind == "plan":
            return audit.respond(typed.item, **typed.plan_fields())
        return audit.follow_up(typed.item, **typed.verification_fields())

    def on_follow_up_screen_recorded(self, message: Recorded) -> None:
        from inspector.audit.records import ResponseRecord

        record = message.record
        self.last_record = record
        # What was recorded is not recorded twice by a second ctrl+s: the item's draft starts again.
        self.drafts.pop(record.item, None)
        self._showing = None
        self._render_view(message.view)
        row = self._row(record.item)
        state = SUMMARY(self.lang, STATE_KEY[row.state]) if row is not None and row.state in STATE_KEY else "-"
        if isinstance(record, ResponseRecord):
            line = self.words("done_plan", item=record.item, due=record.due, state=state, seq=record.seq)
        else:
            result = SUMMARY(self.lang, RESULT_KEY[record.result]) if record.result in RESULT_KEY else record.result
            method = SUMMARY(self.lang, METHOD_KEY[record.method]) if record.method in METHOD_KEY else record.method
            line = self.words(
                "done_verify", item=record.item, result=result, method=method, state=state, seq=record.seq
            )
        self._set_busy(False, line)

    # -- the rest -----------------------------------------------------------------------------
    def on_follow_up_screen_failed(self, message: Failed) -> None:
        if self.view is None:
            self.query_one("#followup-station", Static).update(Text(message.error))
        self._set_busy(False)
        self._say(message.error, error=True)
        widget = FIELD_WIDGET.get(message.field or "")
        if widget is not None:
            self.query_one(widget).focus()
