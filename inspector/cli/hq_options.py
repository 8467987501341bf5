"""What the HQ register's commands share: ``--database URL``, the listing filters, and JSON that
streams (one row at a time, never the whole register in memory)."""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from inspector.cli.common import Context, Handler
from inspector.errors import UserError

# Commands of other modules that read the register: they get ``--database`` too (added when the
# ``hq`` group is complete, by ``apply_database_option``), so every ``hq`` command can be
# pointed at the same register.
REGISTER_READERS = ("revoke", "decide", "status", "suspend", "restore", "withdraw", "publish-verifier")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """``--database URL`` on ``parser``, and its handler run with that register chosen."""
    if any("--database" in action.option_strings for action in parser._actions):
        return
    parser.add_argument(
        "--database",
        metavar="URL",
        help="the register's PostgreSQL URL (postgresql://USER@HOST:PORT/DB); default $INSPECTOR_HQ_DATABASE, "
        "else [hq] database in config.toml, else the embedded register in the data directory",
    )
    handler = parser.get_default("func")
    if handler is not None and not getattr(handler, "_with_database", False):
        parser.set_defaults(func=_with_database(handler))


def _with_database(handler: Handler) -> Handler:
    @functools.wraps(handler)
    def run(args: argparse.Namespace, ctx: Context) -> int:
        from inspector.hq.register.settings import chosen_database

        with chosen_database(getattr(args, "database", None)):
            return handler(args, ctx)

    run._with_database = True  # type: ignore[attr-defined]
    return run


def apply_database_option(group: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for name in REGISTER_READERS:
        parser = group.choices.get(name)
        if parser is not None:
            add_database_option(parser)


def add_filters(parser: argparse.ArgumentParser, status_help: str, status_choices: Iterable[str] | None = None) -> None:
    parser.add_argument("--station", metavar="CODE", help="only this station")
    parser.add_argument("--zone", metavar="ZONE", help="only the stations of this zone (HQ's station registry)")
    parser.add_argument(
        "--status", metavar="STATUS", choices=list(status_choices) if status_choices else None, help=status_help
    )
    parser.add_argument("--since", metavar="DATE", help="only from this date on (YYYY-MM-DD)")
    parser.add_argument("--limit", metavar="N", type=int, help="at most N rows")


def since_text(value: str | None, flag: str = "--since") -> str | None:
    """``--since`` (or ``--at``) as the register's time text (a date means its first second, UTC)."""
    if value is None:
        return None
    value = value.strip()
    if _DATE.match(value):
        from datetime import date

        try:
            date.fromisoformat(value)
        except ValueError:
            raise UserError(f"{flag} {value!r} is not a date YYYY-MM-DD") from None
        return f"{value}T00:00:00Z"
    if _TIME.match(value):
        return value
    raise UserError(f"{flag} {value!r} is not a date YYYY-MM-DD")


def check_limit(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise UserError(f"--limit {value} must be 0 or more")
    return value


def station_set(args: argparse.Namespace, ctx: Context, register: Any) -> frozenset[str] | None:
    """The stations ``--station`` and ``--zone`` select (None: all)."""
    chosen: frozenset[str] | None = None
    if getattr(args, "station", None):
        chosen = frozenset({args.station.strip().upper()})
    if getattr(args, "zone", None):
        from inspector.hq.register.registry import station_rows, zone_stations

        in_zone = zone_stations(station_rows(register, ctx.data), args.zone)
        if not in_zone:
            raise UserError(f"no station of HQ's registry is in zone {args.zone!r} (see 'inspector hq stations')")
        chosen = in_zone if chosen is None else chosen & in_zone
    return chosen


def emit_stream(rows: Iterable[Any]) -> None:
    """Print a JSON array row by row, exactly as ``Context.emit`` prints the whole list."""
    out = sys.stdout
    first = True
    for row in rows:
        text = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("[\n  " if first else ",\n  ") + text)
        first = False
    out.write("[]\n" if first else "\n]\n")
