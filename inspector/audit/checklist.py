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
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from inspector.crypto.canonical import canonical_json, sha256_hex
from inspector.errors import UserError

ITEM_ID = re.compile(r"^([A-Z]{2,4})-([0-9]{2})$")
SECTION_ID = re.compile(r"^[A-Z]{2,4}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
CLAUSE = re.compile(r"^(4|5|6|7|8|9|10)(\.[1-9][0-9]?){0,3}$")
LEGAL = re.compile(r"^[A-Z][A-Za-z.]*( [A-Z][A-Za-z.]*)* [0-9]+[A-Z]?(\([0-9a-z]+\))*$")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


class Criticality(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Grade(StrEnum):
    MAJOR = "major"
    MINOR = "minor"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]
# TOML gives enum values as strings; strict mode would refuse them, so enums are lax.
CriticalityField = Annotated[Criticality, Field(strict=False)]
GradeField = Annotated[Grade, Field(strict=False)]


def _hindi(value: str) -> str:
    if not DEVANAGARI.search(value):
        raise ValueError("must be Hindi (Devanagari script)")
    return value


class Bilingual(Strict):
    en: NonEmpty
    hi: NonEmpty

    _check_hi = field_validator("hi")(classmethod(lambda cls, v: _hindi(v)))


class Scoring(Strict):
    pass_threshold: Annotated[int, Field(ge=0, le=100)]
    conditional_threshold: Annotated[int, Field(ge=0, le=100)]
    max_major_for_conditional: Annotated[int, Field(ge=0)]
    max_minor_for_pass: Annotated[int, Field(ge=0)]
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
        if self.conditional_threshold > self.pass_threshold:
            raise ValueError("conditional_threshold is above pass_threshold")
        return self


class Parameter(Strict):
    id: str
    name: NonEmpty
    value: int
    unit: Literal["minutes", "hours", "days", "months", "years"]
    varies_by_state: bool
    source: NonEmpty

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(SLUG, v, "a lowercase slug")))


def _match(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"{value!r} is not {what}")
    return value


class Item(Strict):
    id: str
    question: NonEmpty
    title_hi: NonEmpty
    clauses: Annotated[list[str], Field(min_length=1)]
    legal: list[str] = []
    guidance: NonEmpty
    evidence: Annotated[list[NonEmpty], Field(min_length=1)]
    criticality: CriticalityField
    require_note: bool = True
    require_evidence: bool = False

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(ITEM_ID, v, "an item id like MAL-03")))
    _check_hi = field_validator("title_hi")(classmethod(lambda cls, v: _hindi(v)))

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


class Section(Strict):
    id: str
    title: Bilingual
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

    @cached_property
    def content_hash(self) -> str:
        return sha256_hex(canonical_json(self.model_dump(mode="json")))

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
        return canonical_json(self.model_dump(mode="json"))


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
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChecklistInvalid([f"{source}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistInvalid([f"{source}: bad TOML: {exc}"]) from None
    return validate_checklist_data(data, source, text)


def validate_checklist_data(data: dict[str, Any], source: str, text: str = "") -> Checklist:
    problems = _structural_problems(data, source, text)
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        problems.extend(_located(error, data, source, text) for error in exc.errors())
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


def _line(text: str, key: str, value: str, occurrence: int = 1) -> str:
    """' (line N)' of the n-th ``key = "value"`` in the TOML text, when it can be found."""
    if not text:
        return ""
    pattern = re.compile(rf'^\s*{re.escape(key)}\s*=\s*"{re.escape(value)}"', re.MULTILINE)
    matches = list(pattern.finditer(text))
    if len(matches) < occurrence:
        return ""
    return f" (line {text.count(chr(10), 0, matches[occurrence - 1].start()) + 1})"


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
