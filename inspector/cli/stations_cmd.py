"""``inspector stations list|show``."""

from __future__ import annotations

import argparse

from inspector.cli.common import Context, add_command, add_group


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "stations", "the police stations that can be audited")
    add_command(group, "list", cmd_list, "list the station registry", json_flag=True)
    show = add_command(group, "show", cmd_show, "show one station of the registry", json_flag=True)
    show.add_argument("code", metavar="CODE", help="station code, in any case (gbn-s39 finds GBN-S39)")


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.stations import load_registry

    registry = load_registry(data_root=ctx.data.root)
    if ctx.json:
        ctx.emit(
            [
                {
                    "code": s.code,
                    "name": s.name.en,
                    "name_hi": s.name.hi,
                    "district": s.district,
                    "commissionerate": s.commissionerate,
                    "zone": s.zone,
                    "in_charge": s.in_charge,
                }
                for s in registry.stations
            ]
        )
        return 0
    width = max(len(s.code) for s in registry.stations)
    for s in registry.stations:
        ctx.say(f"{s.code:<{width}}  {s.name.en}  ({s.district})")
    return 0


# What ``stations show`` prints, in order; the registry's optional fields that are unset are left out.
_SHOWN = (
    ("district", "District"),
    ("district_hi", "District (hi)"),
    ("commissionerate", "Commissionerate"),
    ("zone", "Zone"),
    ("circle", "Circle"),
    ("address", "Address"),
    ("in_charge", "In charge"),
    ("in_charge_hi", "In charge (hi)"),
    ("cctns_code", "CCTNS code"),
)


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.audit.stations import load_registry

    station = load_registry(data_root=ctx.data.root).get(args.code)
    if ctx.json:
        ctx.emit(station.model_dump(mode="json"))
        return 0
    ctx.say(f"{station.code}  {station.name.en} / {station.name.hi}")
    for name, label in _SHOWN:
        value = getattr(station, name, None)
        if value:
            ctx.say(f"  {label + ':':<17} {value}")
    if station.unconfirmed:
        ctx.say(f"  {'Unconfirmed:':<17} {', '.join(station.unconfirmed)}")
    return 0
