"""HQ's station registry: imported from a CSV into the register (``hq stations import``), or,
until then, the data directory's ``stations.toml`` (else the shipped one) as every other
command reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector.audit.stations import load_registry
from inspector.errors import UserError
from inspector.hq.register.base import Register
from inspector.hq.register.models import StationRow
from inspector.paths import DataDir


def station_row(station: Any) -> StationRow:
    """A registry station (``inspector.audit.stations.Station``) as the register keeps it."""
    name = station.name
    return StationRow(
        code=station.code,
        name_en=name.en,
        name_hi=name.hi,
        district=getattr(station, "district", "") or "",
        zone=getattr(station, "zone", "") or "",
        circle=getattr(station, "circle", "") or "",
        address=getattr(station, "address", "") or "",
        cctns_code=getattr(station, "cctns_code", "") or "",
    )


def station_rows(register: Register, data: DataDir) -> dict[str, StationRow]:
    """code -> station: the registry imported into the register, else the data directory's."""
    rows = {row.code: row for row in register.stations()}
    if rows:
        return rows
    try:
        registry = load_registry(data_root=data.root)
    except UserError:
        return {}
    return {station.code: station_row(station) for station in registry.stations}


def import_csv(register: Register, data: DataDir, path: Path) -> int:
    """Replace HQ's registry by the CSV at ``path``: every row is checked (by the station
    registry's loader) before anything is written; then the register's station table is
    replaced in one transaction and the data directory's ``stations.toml`` atomically, so the
    other commands (``hq publish-verifier``, the phone page's station names) read the same."""
    from inspector._io.atomic import write_private
    from inspector.audit.stations import import_registry_csv, registry_toml

    registry = import_registry_csv(path)
    rows = [station_row(station) for station in registry.stations]
    count = register.replace_stations(rows)
    header = f"HQ's station registry, imported from {Path(path).name} by 'inspector hq stations import'."
    write_private(data.root / "stations.toml", registry_toml(registry, header).encode("utf-8"), mode=0o644)
    return count


def zone_stations(rows: dict[str, StationRow], zone: str) -> frozenset[str]:
    """The codes of the stations in ``zone`` (case-insensitive)."""
    wanted = zone.strip().casefold()
    return frozenset(code for code, row in rows.items() if row.zone.casefold() == wanted)
