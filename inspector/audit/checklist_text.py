"""Checklist text: bilingual strings, parameters (statutory time limits) and their rendering.

Questions and guidance name a parameter as ``{parameter-id}``; the checklist renders it as the
value with its unit in English and Hindi, so a state order that changes a limit changes one
number. Kept apart from the checklist model so both stay short; ``inspector.audit.checklist``
re-exports what others use.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
# A parameter named in question or guidance text: "within {magistrate-production-hours}".
PARAM_REF = re.compile(r"\{([a-z0-9][a-z0-9-]{1,62})\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


NonEmpty = Annotated[str, Field(min_length=1, max_length=2000)]


def _hindi(value: str) -> str:
    if not DEVANAGARI.search(value):
        raise ValueError("must be Hindi (Devanagari script)")
    return value


class Bilingual(Strict):
    en: NonEmpty
    hi: NonEmpty

    _check_hi = field_validator("hi")(classmethod(lambda cls, v: _hindi(v)))


def _match(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"{value!r} is not {what}")
    return value


Unit = Literal["minutes", "hours", "days", "months", "years"]
# (English singular, English plural, Hindi singular, Hindi plural)
UNIT_WORDS: dict[str, tuple[str, str, str, str]] = {
    "minutes": ("minute", "minutes", "मिनट", "मिनट"),
    "hours": ("hour", "hours", "घंटा", "घंटे"),
    "days": ("day", "days", "दिन", "दिन"),
    "months": ("month", "months", "माह", "माह"),
    "years": ("year", "years", "वर्ष", "वर्ष"),
}


class Parameter(Strict):
    """A time limit from a law, judgment or state order, named by id in item text."""

    id: str
    name: NonEmpty
    value: Annotated[int, Field(ge=1)]
    unit: Unit
    varies_by_state: bool
    source: NonEmpty

    _check_id = field_validator("id")(classmethod(lambda cls, v: _match(SLUG, v, "a lowercase slug")))

    @property
    def text(self) -> Bilingual:
        """The value with its unit, as it reads inside a sentence: "24 hours" / "24 घंटे"."""
        en_one, en_many, hi_one, hi_many = UNIT_WORDS[self.unit]
        one = self.value == 1
        return Bilingual(
            en=f"{self.value} {en_one if one else en_many}", hi=f"{self.value} {hi_one if one else hi_many}"
        )


def render_text(text: str, parameters: dict[str, Parameter], lang: Literal["en", "hi"]) -> str:
    """``text`` with each ``{parameter-id}`` replaced by the value and unit (unknown ids stay)."""
    if "{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        parameter = parameters.get(match.group(1))
        return match.group(0) if parameter is None else getattr(parameter.text, lang)

    return PARAM_REF.sub(value, text)


# Text fields that may name parameters, and titles, which may not (they are shown unrendered).
REF_FIELDS = ("question", "question_hi", "guidance", "guidance_hi")


def reference_problems(data: dict[str, Any], source: str, text: str) -> list[str]:
    """Parameter references that name no parameter, and duplicate parameter ids."""
    problems: list[str] = []
    parameters = data.get("parameters") or []
    known: set[str] = set()
    for parameter in parameters if isinstance(parameters, list) else []:
        pid = parameter.get("id") if isinstance(parameter, dict) else None
        if isinstance(pid, str):
            if pid in known:
                problems.append(f"{source}: parameter {pid}{_line(text, 'id', pid, 2)}: duplicate parameter id")
            known.add(pid)
    sections = data.get("sections")
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict) or not isinstance(section.get("items"), list):
            continue
        for item in section["items"]:
            if not isinstance(item, dict):
                continue
            iid = str(item.get("id", "?"))
            for field in (*REF_FIELDS, "title_hi"):
                value = item.get(field)
                if not isinstance(value, str) or "{" not in value:
                    continue
                for match in PARAM_REF.finditer(value):
                    ref = match.group(1)
                    if field == "title_hi":
                        problem = f"parameter {{{ref}}} in a title (titles are shown as written)"
                    elif ref not in known:
                        problem = f"unknown parameter {{{ref}}}"
                    else:
                        continue
                    where = f"{source}: section {section.get('id', '?')}, item {iid}{_ref_line(text, iid, ref)}"
                    problems.append(f"{where}: {field}: {problem}")
    return problems


def _ref_line(text: str, iid: str, ref: str) -> str:
    """' (line N)' of the first ``{ref}`` after item ``iid``'s id line."""
    start = re.search(rf'^\s*id\s*=\s*"{re.escape(iid)}"', text, re.MULTILINE) if text else None
    if start is None:
        return ""
    at = text.find("{" + ref + "}", start.end())
    return "" if at < 0 else f" (line {text.count(chr(10), 0, at) + 1})"


def _line(text: str, key: str, value: str, occurrence: int = 1) -> str:
    """' (line N)' of the n-th ``key = "value"`` in the TOML text, when it can be found."""
    if not text:
        return ""
    pattern = re.compile(rf'^\s*{re.escape(key)}\s*=\s*"{re.escape(value)}"', re.MULTILINE)
    matches = list(pattern.finditer(text))
    if len(matches) < occurrence:
        return ""
    return f" (line {text.count(chr(10), 0, matches[occurrence - 1].start()) + 1})"
