"""``inspector`` / ``inspector tui`` / ``inspector demo``: the terminal app.

Textual is imported only inside these handlers, so the other commands never pay for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector.cli.common import Context, add_command
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    add_command(sub, "tui", run_tui, "open the terminal app (the same as plain 'inspector')")
    demo = add_command(
        sub, "demo", run_demo, "set up a demo HQ, auditor and stations in a throwaway directory, then open the app"
    )
    demo.add_argument("--no-tui", action="store_true", help="only set up and print what was set up")
    # --data-dir (the global option) names the folder: a new or empty one is set up, a demo
    # folder made before is reopened, any other non-empty folder is refused.


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the app needs a terminal; for scripts see 'inspector --help'")
    from inspector.tui.app import InspectorApp

    InspectorApp(ctx.data).run()
    return 0


def run_demo(args: argparse.Namespace, ctx: Context) -> int:
    from inspector.services.demo import create_or_open_demo

    explicit = getattr(args, "data_dir", None)
    world, reopened = create_or_open_demo(Path(explicit).expanduser() if explicit else None)
    if reopened:
        ctx.say(f"reopening the demo in {world.data.root} (its audits and keys as left)")
    for line in world.describe():
        ctx.say(line)
    if args.no_tui or not sys.stdout.isatty():
        if not args.no_tui:
            ctx.say("(not a terminal: the app was not opened)")
        return 0
    from inspector.tui.app import InspectorApp

    InspectorApp(world.data, demo_passphrase=world.passphrase).run()
    ctx.say(f"demo data kept in {world.data.root}; open it again with: {world.reopen_command}")
    return 0
