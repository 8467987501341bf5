"""The station registry: which police stations can be audited.

The shipped registry holds the Gautam Buddh Nagar stations certified so far; a deployment can
put its own ``stations.toml`` in the data directory, which then replaces the shipped one.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inspector.audit.checklist import Bilingual
from inspector.errors import UserError

CODE = re.compile(r"^[A-Z0-9-]{3,16}$")


class Station(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    code: str
    name: Bilingual
    district: Annotated[str, Field(min_length=1)]
    commissionerate: Annotated[str, Field(min_length=1)]
    zone: Annotated[str, Field(min_length=1)]
    in_charge: Annotated[str, Field(min_length=1)]

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not CODE.match(value):
            raise ValueError(f"{value!r} is not a station code like GBN-S39")
        return value


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    stations: Annotated[list[Station], Field(min_length=1)]

    def get(self, code: str) -> Station:
        for station in self.stations:
            if station.code == code:
                return station
        known = ", ".join(s.code for s in self.stations)
        raise UserError(f"unknown station {code!r} (known: {known})")


def shipped_registry_path() -> Path:
    return Path(str(resources.files("inspector") / "data" / "stations.toml"))


def load_registry(path: Path | None = None, data_root: Path | None = None) -> Registry:
    """The registry at ``path``, else the data directory's own, else the shipped one."""
    if path is None and data_root is not None and (data_root / "stations.toml").is_file():
        path = data_root / "stations.toml"
    path = path or shipped_registry_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"station registry {path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"station registry {path}: bad TOML: {exc}") from None
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UserError(f"station registry {path}: {where}: {first['msg']}") from None
    codes = [s.code for s in registry.stations]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise UserError(f"station registry {path}: duplicate station code {duplicates[0]}")
    return registry
