"""``inspector stations list``."""

from __future__ import annotations

import argparse

from inspector.cli.common import Context, add_command, add_group


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = add_group(sub, "stations", "the police stations that can be audited")
    add_command(group, "list", cmd_list, "list the station registry", json_flag=True)


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
