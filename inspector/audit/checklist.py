"""Checklists: strict models of the TOML format, located error reports, content identity.

A checklist's identity is ``id`` + ``version`` + a SHA-256 over the canonical JSON of its
validated content, so reformatting the TOML or reordering keys never changes it and any change of
content always does. Every audit and certificate records that identity.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from inspector.audit.checklist_text import (
    PARAM_REF,
    REF_FIELDS,
    SLUG,
    Bilingual,
    NonEmpty,
    Parameter,
    Strict,
    _hindi,
    _line,
    _match,
    reference_problems,
    render_text,
)
from inspector.crypto.canonical import canonical_json, sha256_hex
from inspector.errors import UserError

__all__ = ["PARAM_REF", "Bilingual", "NonEmpty", "Parameter", "Strict", "render_text"]

ITEM_ID = re.compile(r"^([A-Z]{2,4})-([0-9]{2})$")
SECTION_ID = re.compile(r"^[A-Z]{2,4}$")
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
CLAUSE = re.compile(r"^(4|5|6|7|8|9|10)(\.[1-9][0-9]?){0,3}$")
LEGAL = re.compile(r"^[A-Z][A-Za-z.]*( [A-Z][A-Za-z.]*)* [0-9]+[A-Z]?(\([0-9a-z]+\))*$")


class Criticality(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Grade(StrEnum):
    MAJOR = "major"
    MINOR = "minor"


# TOML gives enum values as strings; strict mode would refuse them, so enums are lax.
CriticalityField = Annotated[Criticality, Field(strict=False)]
GradeField = Annotated[Grade, Field(strict=False)]


class Scoring(Strict):
    """How findings are weighed.

    ``minor_plan_days`` is the time an auditee has to send a corrective-action plan for a minor
    nonconformity; ``systemic_minors`` is how many minors against one clause count as a systemic
    failure (a major). The certification decision follows the nonconformities, not a percentage:
    ``pass_threshold``, ``conditional_threshold`` and ``max_*`` are INFORMATIONAL ONLY. They stay
    parseable because checklists of 1.x stored inside old audits carry them and must load (and keep
    their content hash); no decision is taken on them.
    """

    minor_plan_days: Annotated[int, Field(ge=1, le=365)] = 90
    systemic_minors: Annotated[int, Field(ge=2)] = 3
    pass_threshold: Annotated[int, Field(ge=0, le=100)] | None = None
    conditional_threshold: Annotated[int, Field(ge=0, le=100)] | None = None
    max_major_for_conditional: Annotated[int, Field(ge=0)] | None = None
    max_minor_for_pass: Annotated[int, Field(ge=0)] | None = None
    weights: dict[CriticalityField, Annotated[int, Field(ge=1, le=100)]]
    grading: dict[CriticalityField, GradeField]

    @field_validator("weights", "grading")
    @classmethod
    def _all_levels(cls, value: dict[Criticality, Any]) -> dict[Criticality, Any]:
        missing = [level.value for level in Criticality if level not in value]
        if missing:
            raise ValueError(f"missing levels: {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Scoring:
        if (
            self.conditional_threshold is not None
            and self.pass_threshold is not None
            and self.conditional_threshold > self.pass_threshold
        ):
            raise ValueError("conditional_threshold is above pass_threshold")
        return self


class Item(Strict):
    """One question. ``question`` and ``guidance`` (and their Hindi) may name parameters as
    ``{parameter-id}``; ``question_text``/``guidance_text`` give them rendered with the value."""

    id: str
    question: NonEmpty
    question_hi: NonEmpty | None = None
    title_hi: NonEmpty
    clauses: Annotated[list[str], Field(min_length=1)]
    legal: list[str] = []
    guidance: NonEmpty
    guidance_hi: NonEmpty | None = None
    evidence: Annotated[list[NonEmpty], Field(min_length=1)]
    # The evidence in Hindi, entry for entry (same length and order as ``evidence``).
    evidence_hi: list[NonEmpty] | None = None
    criticality: CriticalityField
    require_note: bool = True
    require_evidence: bool = False
    # False where the requirement cannot be excluded (ISO 9001 4.3: only clauses that do not
    # affect conformity may be "not applicable"; 9.2, 9.3, 10.2 ... never are).
    na_allowed: bool = True
    # "Not applicable" only for a station without a lock-up (custody and custody-CCTV items).
    na_requires_no_lockup: bool = False
    # Touches victims of sexual offences, children or detainees: record references only.
    sensitive: bool = False

    # Set by the checklist that holds the item, so the item renders its own parameters.
    _parameters: dict[str, Parameter] = PrivateAttr(default_factory=dict)

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(ITEM_ID, v, "an item id like MAL-03")))
    _check_hi = field_validator("title_hi")(classmethod(lambda cls, v: _hindi(v)))
    _check_text_hi = field_validator("question_hi", "guidance_hi")(
        classmethod(lambda cls, v: v if v is None else _hindi(v))
    )

    @field_validator("evidence_hi")
    @classmethod
    def _evidence_hi(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return value
        for entry in value:
            _hindi(entry)
        evidence = info.data.get("evidence")
        # Without a valid ``evidence`` its own error is reported; there is nothing to count against.
        if evidence is not None and len(value) != len(evidence):
            raise ValueError(
                f"item {info.data.get('id', '?')}: evidence_hi has {len(value)}, evidence has {len(evidence)}: "
                "give one Hindi entry for each, in the same order"
            )
        return value

    @field_validator("clauses")
    @classmethod
    def _clauses(cls, value: list[str]) -> list[str]:
        for clause in value:
            _match(CLAUSE, clause, "an ISO 9001 clause like 7.5.3")
        return value

    @field_validator("legal")
    @classmethod
    def _legal(cls, value: list[str]) -> list[str]:
        for ref in value:
            _match(LEGAL, ref, "a legal reference like 'BNSS 176(3)'")
        return value

    @model_validator(mode="after")
    def _flags(self) -> Item:
        if self.na_requires_no_lockup and not self.na_allowed:
            raise ValueError("na_requires_no_lockup needs na_allowed = true")
        # Evidence files are refused on a sensitive item, so it cannot demand them.
        if self.sensitive and self.require_evidence:
            raise ValueError("a sensitive item cannot have require_evidence = true (record references only)")
        return self

    @property
    def question_text(self) -> Bilingual:
        """The question with parameter values; a 1.x item without Hindi gives its Hindi title."""
        return self._render(self.question, self.question_hi or self.title_hi)

    @property
    def evidence_text(self) -> list[Bilingual]:
        """The evidence to look for; without Hindi evidence the Hindi side is English."""
        hindi = self.evidence_hi or self.evidence
        return [Bilingual.model_construct(en=en, hi=hi) for en, hi in zip(self.evidence, hindi, strict=True)]

    @property
    def guidance_text(self) -> Bilingual:
        """The guidance with parameter values; without Hindi guidance the Hindi side is English."""
        return self._render(self.guidance, self.guidance_hi)

    def _render(self, en: str, hi: str | None) -> Bilingual:
        rendered_en = render_text(en, self._parameters, "en")
        if hi is None:
            # Old checklists have no Hindi guidance; say the English rather than nothing.
            return Bilingual.model_construct(en=rendered_en, hi=rendered_en)
        return Bilingual.model_construct(en=rendered_en, hi=render_text(hi, self._parameters, "hi"))


class Section(Strict):
    id: str
    title: Bilingual
    # stage1: the readiness review before the certification audit; stage2: the audit itself
    # (and every surveillance audit).
    stage: Literal["stage1", "stage2"] = "stage2"
    # mandatory: every surveillance audit covers it; rotating: sampled, so that the surveillance
    # audits of a certification cycle cover it at least once.
    surveillance: Literal["mandatory", "rotating"] = "rotating"
    items: list[Item] = []

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(SECTION_ID, v, "a section id like MAL")))


class Checklist(Strict):
    id: str
    version: str
    standard: Literal["ISO 9001:2015"]
    title: Bilingual
    scoring: Scoring
    parameters: list[Parameter] = []
    sections: Annotated[list[Section], Field(min_length=1)]

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(SLUG, v, "a lowercase slug")))
    _check_version = field_validator("version")(classmethod(lambda cls, v: _match(SEMVER, v, "a version like 1.0.0")))

    @model_validator(mode="after")
    def _rules(self) -> Checklist:
        if not any(section.stage == "stage2" for section in self.sections):
            raise ValueError("no stage2 section: a checklist needs sections for the audit itself")
        for section in self.sections:
            # Surveillance follows certification: it never walks the stage 1 readiness review.
            if section.stage == "stage1" and section.surveillance == "mandatory":
                raise ValueError(f"section {section.id}: a stage1 section cannot be mandatory in surveillance")
        # The loader reports these located (file, section, item, line); this catches any other
        # construction (a bundle's JSON, a test) so an unrendered reference can never be shown.
        known = {parameter.id for parameter in self.parameters}
        for section in self.sections:
            for item in section.items:
                for field in REF_FIELDS:
                    for ref in PARAM_REF.findall(getattr(item, field) or ""):
                        if ref not in known:
                            raise ValueError(f"item {item.id}: {field}: unknown parameter {{{ref}}}")
        return self

    def model_post_init(self, context: Any, /) -> None:
        parameters = {parameter.id: parameter for parameter in self.parameters}
        for section in self.sections:
            for item in section.items:
                item._parameters = parameters

    def render(self, text: Bilingual) -> Bilingual:
        """``text`` with each ``{parameter-id}`` replaced by its value and unit, in both languages."""
        parameters = {parameter.id: parameter for parameter in self.parameters}
        return Bilingual.model_construct(
            en=render_text(text.en, parameters, "en"), hi=render_text(text.hi, parameters, "hi")
        )

    def stage_sections(self, stage: Literal["stage1", "stage2"]) -> list[Section]:
        return [section for section in self.sections if section.stage == stage]

    def content(self) -> dict[str, Any]:
        """The validated content as JSON data, without keys added in 2.0 at their defaults.

        Audits and certificates record the hash of a 1.x checklist; a 1.x file gets every new
        key at its default, so leaving those out keeps its hash (and its dumped bytes) unchanged.
        """
        data = self.model_dump(mode="json")
        _drop_defaults(data["scoring"], _SCORING_ADDED)
        for section in data["sections"]:
            _drop_defaults(section, _SECTION_ADDED)
            for item in section["items"]:
                _drop_defaults(item, _ITEM_ADDED)
        return data

    @cached_property
    def content_hash(self) -> str:
        return sha256_hex(canonical_json(self.content()))

    @cached_property
    def items(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        return {item.id: section for section in self.sections for item in section.items}

    def weight(self, item: Item) -> int:
        return self.scoring.weights[item.criticality]

    def default_grade(self, item: Item) -> Grade:
        return self.scoring.grading[item.criticality]

    @property
    def ref(self) -> ChecklistRef:
        return ChecklistRef(id=self.id, version=self.version, hash=self.content_hash)

    def to_toml_bytes(self) -> bytes:
        """The canonical JSON of the content: what bundles ship and what the hash is over."""
        return canonical_json(self.content())


# Keys added after 1.0 with the value that means "as before"; left out of the content when so.
_SCORING_ADDED: dict[str, Any] = {
    "minor_plan_days": 90,
    "systemic_minors": 3,
    "pass_threshold": None,
    "conditional_threshold": None,
    "max_major_for_conditional": None,
    "max_minor_for_pass": None,
}
_SECTION_ADDED: dict[str, Any] = {"stage": "stage2", "surveillance": "rotating"}
_ITEM_ADDED: dict[str, Any] = {
    "question_hi": None,
    "guidance_hi": None,
    "evidence_hi": None,
    "na_allowed": True,
    "na_requires_no_lockup": False,
    "sensitive": False,
}


def _drop_defaults(data: dict[str, Any], added: dict[str, Any]) -> None:
    for key, default in added.items():
        if key in data and data[key] == default:
            del data[key]


class ChecklistRef(Strict):
    """The identity recorded by audits and certificates."""

    id: str
    version: str
    hash: str


class ChecklistInvalid(UserError):
    """One or more problems, each a located line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_checklist(path: str | Path) -> Checklist:
    """Read and validate a checklist file; raise ``ChecklistInvalid`` listing every problem."""
    p = Path(path)
    try:
        raw_bytes = p.read_bytes()
    except FileNotFoundError:
        raise ChecklistInvalid([f"{p}: no such file"]) from None
    except IsADirectoryError:
        raise ChecklistInvalid([f"{p}: is a directory"]) from None
    except OSError as exc:
        raise ChecklistInvalid([f"{p}: cannot read ({exc.strerror})"]) from None
    return parse_checklist(raw_bytes, str(p))


def parse_checklist(raw_bytes: bytes, source: str) -> Checklist:
    data, text = parse_checklist_data(raw_bytes, source)
    return validate_checklist_data(data, source, text)


def parse_checklist_data(raw_bytes: bytes, source: str) -> tuple[dict[str, Any], str]:
    """The TOML of a checklist as data, and its text (for locating problems); not validated."""
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChecklistInvalid([f"{source}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistInvalid([f"{source}: bad TOML: {exc}"]) from None


def validate_checklist_data(data: dict[str, Any], source: str, text: str = "") -> Checklist:
    problems = _structural_problems(data, source, text)
    references = reference_problems(data, source, text)
    problems.extend(references)
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        # An unknown reference is already reported with its location; skip the model's copy.
        errors = [e for e in exc.errors() if not (references and e["loc"] == () and "parameter" in e["msg"])]
        problems.extend(_located(error, data, source, text) for error in errors)
        checklist = None
    if problems:
        raise ChecklistInvalid(_dedupe(problems))
    assert checklist is not None
    return checklist


def _dedupe(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def _structural_problems(data: dict[str, Any], source: str, text: str) -> list[str]:
    """Checks across items that a per-field validator cannot see: duplicates, prefixes, empties."""
    problems: list[str] = []
    sections = data.get("sections")
    if not isinstance(sections, list):
        return problems
    seen_items: dict[str, str] = {}
    seen_sections: set[str] = set()
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        sid = str(section.get("id", f"#{index + 1}"))
        where = f"{source}: section {sid}"
        if sid in seen_sections:
            problems.append(f"{where}{_line(text, 'id', sid)}: duplicate section id")
        seen_sections.add(sid)
        items = section.get("items")
        if not items:
            problems.append(f"{where}{_line(text, 'id', sid)}: section has no items")
            continue
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            iid = item["id"]
            duplicate = iid in seen_items
            match = ITEM_ID.match(iid)
            mismatch = bool(match and match.group(1) != sid)
            if not (duplicate or mismatch):
                seen_items[iid] = sid
                continue
            # Locating the TOML line scans the text, so it is done only for a problem.
            loc = f"{where}, item {iid}{_line(text, 'id', iid, occurrence=2 if duplicate else 1)}"
            if duplicate:
                problems.append(f"{loc}: duplicate item id (first in section {seen_items[iid]})")
            if mismatch and match:
                problems.append(f"{loc}: item id prefix {match.group(1)} does not match section {sid}")
    return problems


def _located(error: Any, data: dict[str, Any], source: str, text: str) -> str:
    loc = list(error["loc"])
    parts: list[str] = [source]
    line = ""
    if len(loc) >= 2 and loc[0] == "sections" and isinstance(loc[1], int):
        section = _index(data.get("sections"), loc[1])
        sid = str(section.get("id", f"#{loc[1] + 1}")) if isinstance(section, dict) else f"#{loc[1] + 1}"
        parts.append(f"section {sid}")
        line = _line(text, "id", sid)
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int) and isinstance(section, dict):
            item = _index(section.get("items"), loc[1])
            iid = str(item.get("id", f"#{loc[1] + 1}")) if isinstance(item, dict) else f"#{loc[1] + 1}"
            parts.append(f"item {iid}")
            line = _line(text, "id", iid) or line
            loc = loc[2:]
    field = ".".join(str(part) for part in loc if not isinstance(part, int)) or "(top level)"
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "missing required key"
    return f"{', '.join(parts)}{line}: {field}: {message}"


def _index(value: Any, index: int) -> Any:
    if isinstance(value, list) and 0 <= index < len(value):
        return value[index]
    return None


def shipped_checklists() -> list[Path]:
    """Checklists shipped inside the package (also present as ``checklists/`` in the repo)."""
    from importlib import resources

    folder = resources.files("inspector") / "data" / "checklists"
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def default_checklist_path() -> Path:
    shipped = shipped_checklists()
    if not shipped:
        raise UserError("no checklist is shipped with this installation")
    return shipped[0]
