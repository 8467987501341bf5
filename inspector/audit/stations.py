"""The station registry: which police stations can be audited.

The shipped registry holds the Gautam Buddh Nagar stations certified so far; a deployment can
put its own ``stations.toml`` in the data directory, which then replaces the shipped one. HQ can
build one from a CSV (``import_registry_csv``) and write it with ``registry_toml``.

Codes are the registry's stable keys (``GBN-S39``); a lookup ignores case. Fields added after
the first release are optional, so registries written for it keep loading.

A national registry (about 17,000 stations) is 5 MB of TOML, and ``tomllib`` alone takes about
0.6 s to parse it. The loader therefore keeps the validated registry in memory per content hash,
and, for a registry in a data directory, in ``cache/stations-<sha256>.json`` there: the next
process validates that JSON in one pass instead of parsing the TOML. The cache is keyed by the
SHA-256 of the TOML bytes, so any edit of the TOML is seen at once; anyone able to change the
cache could equally change ``stations.toml`` beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from inspector.errors import UserError

CODE = re.compile(r"^[A-Z0-9-]{3,16}$")
# Text read from a registry file: no control or format character (the joiners ZWNJ and ZWJ that
# Devanagari needs excepted), as inspector._io.text refuses for typed text. Rust-side patterns,
# so a 17,000-station registry is checked without a Python call per field.
_SEEN = r"(?:[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]|[\x{200C}\x{200D}])"
VISIBLE = rf"^{_SEEN}*$"
HINDI = rf"^{_SEEN}*[\x{{0900}}-\x{{097F}}]{_SEEN}*$"
Line = Annotated[str, Field(min_length=1, max_length=300, pattern=VISIBLE)]
HindiLine = Annotated[str, Field(min_length=1, max_length=300, pattern=HINDI)]
CCTNS_CODE = r"^[A-Za-z0-9-]{0,24}$"
# Registries at least this large are cached on disk (below it, parsing is a few milliseconds).
CACHE_MIN_BYTES = 64 * 1024
CACHE_FORMAT = "inspector-stations-cache/1"


class StationName(BaseModel):
    """A station's names: what certificates print, so no invisible or direction-changing text.
    Reads like ``checklist.Bilingual`` (``.en``, ``.hi``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    en: Annotated[str, Field(min_length=1, max_length=120, pattern=VISIBLE)]
    hi: Annotated[str, Field(min_length=1, max_length=120, pattern=HINDI)]


class Station(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    code: Annotated[str, Field(pattern=CODE.pattern)]
    # What is certified: "Police Station Sector 49" / "थाना सेक्टर 49".
    name: StationName
    district: Line
    district_hi: HindiLine | None = None
    commissionerate: Line | None = None
    commissionerate_hi: HindiLine | None = None
    # DCP zone and ACP circle where the commissionerate has them.
    zone: Line | None = None
    circle: Line | None = None
    address: Line | None = None
    # The in-charge's rank or title in English and Hindi: an Inspector is "प्रभारी निरीक्षक",
    # a Sub-Inspector in charge "थानाध्यक्ष".
    in_charge: Line = "Station House Officer"
    in_charge_hi: HindiLine | None = None
    # The official CCTNS police-station code; empty where it is not known (format unconfirmed).
    cctns_code: Annotated[str, Field(pattern=CCTNS_CODE)] = ""
    # Names of the fields above whose values could not be confirmed from public sources.
    unconfirmed: list[str] = []

    @field_validator("unconfirmed")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in _FIELD_NAMES or name in ("code", "unconfirmed")]
        if unknown:
            raise ValueError(f"not a field of a station: {', '.join(unknown)}")
        return value


_FIELD_NAMES = frozenset(Station.model_fields)


def normalise_code(code: str) -> str:
    """A code as the registry keeps it: ``gbn-s39`` and `` GBN-S39 `` find ``GBN-S39``."""
    return code.strip().upper()


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    stations: Annotated[list[Station], Field(min_length=1)]
    _by_code: dict[str, Station] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        # One pass; the first of two equal codes wins here, and the loaders refuse duplicates.
        by_code: dict[str, Station] = {}
        for station in self.stations:
            by_code.setdefault(station.code, station)
        self._by_code = by_code

    def find(self, code: str) -> Station | None:
        return self._by_code.get(normalise_code(code))

    def get(self, code: str) -> Station:
        station = self.find(code)
        if station is not None:
            return station
        known = [s.code for s in self.stations[:20]]
        more = f" and {len(self.stations) - 20} more" if len(self.stations) > 20 else ""
        raise UserError(
            f"unknown station {code!r} (known: {', '.join(known)}{more})", code="unknown-station", field="station"
        )

    def duplicates(self) -> list[str]:
        """Codes held by more than one station, in registry order (linear time)."""
        seen: set[str] = set()
        repeated: dict[str, None] = {}
        for station in self.stations:
            if station.code in seen:
                repeated[station.code] = None
            seen.add(station.code)
        return list(repeated)


class RegistryInvalid(UserError):
    """Problems in a registry file, each a located line; the message is the first of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        extra = (
            f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        )
        super().__init__(problems[0] + extra, code="bad-registry", problems=problems)


def shipped_registry_path() -> Path:
    return Path(str(resources.files("inspector") / "data" / "stations.toml"))


# Validated registries of this process by content hash: `audit new` and the TUI load it twice.
_MEMO: dict[str, Registry] = {}


def load_registry(path: Path | None = None, data_root: Path | None = None) -> Registry:
    """The registry at ``path``, else the data directory's own, else the shipped one."""
    if path is None and data_root is not None and (data_root / "stations.toml").is_file():
        path = data_root / "stations.toml"
    cache_dir = data_root / "cache" if data_root is not None and path == data_root / "stations.toml" else None
    path = path or shipped_registry_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"station registry {path}: cannot read ({exc.strerror})") from None
    digest = hashlib.sha256(raw).hexdigest()
    registry = _MEMO.get(digest)
    if registry is not None:
        return registry
    cache = (
        cache_dir / f"stations-{digest[:32]}.json" if cache_dir is not None and len(raw) >= CACHE_MIN_BYTES else None
    )
    registry = _from_cache(cache, digest) if cache is not None else None
    if registry is None:
        registry = parse_registry(raw, str(path))
        if cache is not None:
            _write_cache(cache, digest, registry)
    if len(_MEMO) >= 4:
        _MEMO.clear()
    _MEMO[digest] = registry
    return registry


def parse_registry(raw: bytes, source: str) -> Registry:
    """Validate registry TOML bytes; ``RegistryInvalid`` names the file, the station and the line."""
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise RegistryInvalid([f"station registry {source}: not UTF-8 text (byte {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryInvalid([f"station registry {source}: bad TOML: {exc}"]) from None
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        raise RegistryInvalid(
            [_located(error, data, f"station registry {source}", text) for error in exc.errors()[:20]]
        ) from None
    duplicates = registry.duplicates()
    if duplicates:
        raise RegistryInvalid(
            [
                f"station registry {source}: station {code}{_line(text, code, 2)}: duplicate station code"
                for code in duplicates[:20]
            ]
        )
    return registry


def _located(error: Any, data: dict[str, Any], where: str, text: str) -> str:
    loc = list(error["loc"])
    if len(loc) >= 2 and loc[0] == "stations" and isinstance(loc[1], int):
        stations = data.get("stations")
        row = stations[loc[1]] if isinstance(stations, list) and loc[1] < len(stations) else None
        code = row.get("code") if isinstance(row, dict) else None
        where += f": station {code}{_line(text, code)}" if isinstance(code, str) else f": station #{loc[1] + 1}"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(top level)"
    return f"{where}: {field}: {_message(error)}"


def _message(error: Any) -> str:
    kind = str(error["type"])
    message = str(error["msg"])
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if pattern == CODE.pattern:
            return f"{error['input']!r} is not a station code like GBN-S39"
        if pattern == HINDI:
            return "must be Hindi (Devanagari script) without invisible or control characters"
        if pattern == VISIBLE:
            return "contains an invisible or control character"
    if kind == "string_too_short" and error.get("input") == "":
        return "must not be empty"
    return {"extra_forbidden": "unknown key", "missing": "missing required key"}.get(kind, message)


def _line(text: str, code: str, occurrence: int = 1) -> str:
    """' (line N)' of the n-th ``code = "CODE"``; computed only for an error."""
    matches = list(re.finditer(rf'^\s*code\s*=\s*"{re.escape(code)}"', text, re.MULTILINE))
    if len(matches) < occurrence:
        return ""
    return f" (line {text.count(chr(10), 0, matches[occurrence - 1].start()) + 1})"


def _from_cache(cache: Path, digest: str) -> Registry | None:
    try:
        raw = cache.read_bytes()
    except OSError:
        return None
    # The header is checked before the (large) body is validated.
    head = f'{{"format":"{CACHE_FORMAT}","sha256":"{digest}",'.encode()
    if not raw.startswith(head):
        return None
    try:
        return Registry.model_validate_json(b"{" + raw[len(head) :])
    except ValidationError:
        return None


def _write_cache(cache: Path, digest: str, registry: Registry) -> None:
    """Best effort: a read-only or full data directory only loses the speed-up."""
    from inspector._io.atomic import atomic_write, private_dir

    head = f'{{"format":"{CACHE_FORMAT}","sha256":"{digest}",'.encode()
    body = registry.model_dump_json(exclude_defaults=True).encode()
    try:
        private_dir(cache.parent)
        for old in cache.parent.glob("stations-*.json"):
            old.unlink(missing_ok=True)
        atomic_write(cache, head + body[1:], mode=0o600)
    except (OSError, UserError):
        pass


def registry_toml(registry: Registry, header: str = "") -> str:
    """The registry as ``stations.toml`` text that ``load_registry`` reads back unchanged."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for station in registry.stations:
        lines += ["", "[[stations]]"]
        for key, value in station.model_dump(exclude_defaults=True).items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    # JSON strings are TOML basic strings (the same escapes); tables are written inline.
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# CSV import (HQ builds its registry from a CCTNS station master or a spreadsheet)

CSV_COLUMNS = ("code", "name_en", "name_hi", "district", "zone", "circle", "address", "cctns_code")
# Optional columns, when the sheet has them.
CSV_OPTIONAL = ("district_hi", "commissionerate", "commissionerate_hi", "in_charge", "in_charge_hi")
CSV_LIMIT = 64 * 1024 * 1024


def import_registry_csv(path: str | Path) -> Registry:
    """A registry from a CSV with the columns of ``CSV_COLUMNS`` (and any of ``CSV_OPTIONAL``).

    Every row is checked before any is used: ``RegistryInvalid`` lists each problem as
    ``FILE line N: column: what`` (its message is the first). Text goes through the product's
    text policy; empty optional cells mean "not known"; codes are kept in upper case.
    """
    import csv
    import io

    from inspector._io.files import read_user_file
    from inspector._io.text import check_line_text

    source = Path(path)
    raw = read_user_file(source, "station CSV", CSV_LIMIT)
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not a column name
    except UnicodeDecodeError as exc:
        raise RegistryInvalid([f"{source}: not UTF-8 text (byte {exc.start})"]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, dict[str, Any], set[str]]] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in CSV_COLUMNS if name not in header]
        unknown = [name for name in header if name not in CSV_COLUMNS + CSV_OPTIONAL]
        if missing or unknown or len(set(header)) != len(header):
            what = "; ".join(
                part
                for part in (
                    f"missing column(s) {', '.join(missing)}" if missing else "",
                    f"unknown column(s) {', '.join(unknown)}" if unknown else "",
                    "a column named twice" if len(set(header)) != len(header) else "",
                )
                if part
            )
            raise RegistryInvalid([f"{source} line 1: header: {what} (columns: {', '.join(CSV_COLUMNS)})"])
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) != len(header):
                problems.append((line, f"{len(cells)} cells, the header has {len(header)}"))
                continue
            row, row_problems = _csv_row(dict(zip(header, cells, strict=True)), check_line_text)
            problems.extend((line, f"{column}: {problem}") for column, problem in row_problems)
            rows.append((line, row, {column for column, _ in row_problems}))
    except csv.Error as exc:
        raise RegistryInvalid([f"{source} line {reader.line_num}: not valid CSV ({exc})"]) from None
    stations: list[Station] = []
    first_line: dict[str, int] = {}
    for line, row, failed in rows:
        try:
            station = Station.model_validate(row)
        except ValidationError as exc:
            # a cell the text policy refused is reported once, not again as "missing"
            problems.extend(
                (line, f"{_csv_field(e)}: {_message(e)}") for e in exc.errors() if _csv_field(e) not in failed
            )
            continue
        if station.code in first_line:
            problems.append((line, f"code: {station.code} is also on line {first_line[station.code]}"))
            continue
        first_line[station.code] = line
        stations.append(station)
    if problems:
        problems.sort(key=lambda problem: problem[0])  # stable: a row's own order is kept
        raise RegistryInvalid([f"{source} line {line}: {problem}" for line, problem in problems])
    if not stations:
        raise RegistryInvalid([f"{source}: no stations"])
    return Registry(stations=stations)


def _csv_row(cells: dict[str, str], check: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells -> Station fields, with the text policy applied to each non-empty cell."""
    problems: list[tuple[str, str]] = []
    values: dict[str, str | None] = {}
    for column, cell in cells.items():
        if not cell.strip():
            values[column] = None
            continue
        try:
            values[column] = check(cell, column, 300)
        except UserError as exc:
            problems.append((column, str(exc).removeprefix(f"{column}: ")))
            values[column] = None
    row: dict[str, Any] = {
        "code": normalise_code(values["code"] or ""),
        "name": {"en": values["name_en"] or "", "hi": values["name_hi"] or ""},
        "district": values["district"] or "",
        "cctns_code": values["cctns_code"] or "",
    }
    for column in ("zone", "circle", "address", *CSV_OPTIONAL):
        if values.get(column) is not None:
            row[column] = values[column]
    return row, problems


def _csv_field(error: Any) -> str:
    loc = [str(part) for part in error["loc"]]
    return {"name.en": "name_en", "name.hi": "name_hi"}.get(".".join(loc), ".".join(loc) or "row")
