"""The terminal app's start-up and its answer loop, against a bare Textual app in the same run.

    /work/venv/bin/python benchmarks/bench_tui.py [--runs N] [--presses N]

1. Cold start: a fresh Python process imports the app and runs it headless (``run_test``)
   until its first interactive screen is up: the unlock modal over the home screen, with the
   passphrase field focused. The baseline is an empty ``textual.app.App`` started the same way.
   Times are measured inside the child from its first line (interpreter start-up excluded,
   imports included); the median of N runs each. Goal: ratio app / empty <= 2.
2. Answer loop: in one running app, a status key ("1", conform) is sent as the driver would
   send it, and the clock stops when the walk shows the next item: the finding was signed,
   written durably and acknowledged, the item view, buttons and form were updated, and the
   screen's next layout-and-paint pass has run.
   The key goes straight to the driver (not ``pilot.press``, whose own idle waits add tens
   of ms). Goal: median <= 50 ms. The baseline is a bare app updating a Static on a key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import time
t0 = time.perf_counter()
import asyncio, sys
from pathlib import Path
mode, data_dir = sys.argv[1], sys.argv[2]
if mode == "empty":
    from textual.app import App
    app = App()
    ready = lambda: app.screen is not None and app.screen.is_mounted
else:
    from inspector.paths import DataDir
    from inspector.tui.app import InspectorApp
    from textual.widgets import Input
    app = InspectorApp(DataDir(Path(data_dir)))
    def ready():
        focused = app.focused
        return type(app.screen).__name__ == "UnlockScreen" and isinstance(focused, Input) and focused.id == "passphrase"
async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        while not ready():
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - t0
    print(elapsed)
asyncio.run(main())
"""


def cold_start(mode: str, data_dir: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(data_dir)], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


async def _wait(condition: Callable[[], bool], limit: float = 10.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there")
        await asyncio.sleep(0.0002)


def _send_key(app: Any, key: str) -> None:
    from textual import events

    event = events.Key(key, key)
    event.set_sender(app)
    app._driver.send_message(event)


async def answer_loop(data_dir: Path, passphrase: str, presses: int) -> list[float]:
    from textual.widgets import Input

    from inspector.audit.checklist import default_checklist_path
    from inspector.paths import DataDir
    from inspector.tui.app import InspectorApp
    from inspector.tui.screens.walk import WalkScreen

    data = DataDir(data_dir)
    app = InspectorApp(data)
    key = app.session.unlock(passphrase)
    info = app.session.key_info()
    assert info is not None and info.auditor_id
    summary = app.session.audits.new_audit(
        "GBN-S39", default_checklist_path(), "certification", key, info.auditor_id, info.name
    )
    app.session.lock()
    times: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await _wait(lambda: type(app.screen).__name__ == "UnlockScreen")
        app.screen.query_one("#passphrase", Input).value = passphrase
        await pilot.press("enter")
        await _wait(lambda: app.session.unlocked and type(app.screen).__name__ == "HomeScreen")
        app.push_screen(WalkScreen(summary.id))
        await _wait(lambda: isinstance(app.screen, WalkScreen) and app.screen.checklist is not None)
        walk = app.screen
        painted = [0.0]
        refresh_layout = walk._refresh_layout

        def timed_refresh(*args: Any, **kwargs: Any) -> Any:  # the screen's layout-and-paint pass
            result = refresh_layout(*args, **kwargs)
            painted[0] = time.perf_counter()
            return result

        walk._refresh_layout = timed_refresh  # type: ignore[method-assign]
        await pilot.pause()
        for _ in range(presses):
            before = walk.index
            start = time.perf_counter()
            _send_key(app, "1")
            await _wait(lambda: walk.index != before and walk.in_flight == 0)
            updated = time.perf_counter()
            await _wait(lambda: painted[0] > updated)
            times.append(painted[0] - start)
        await pilot.pause()
        with app.session.audits.open(summary.id, writable=False) as audit:
            stored = len(audit.latest())
        assert stored == presses, f"{stored} findings stored for {presses} key presses"
        await pilot.press("ctrl+q")
    return times


async def bare_key_loop(presses: int) -> list[float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Bare(App[None]):
        count = 0

        def compose(self) -> ComposeResult:
            yield Static("0", id="n")

        def on_key(self) -> None:
            self.count += 1
            self.query_one("#n", Static).update(str(self.count))

    app = Bare()
    times: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(presses):
            before = app.count
            start = time.perf_counter()
            _send_key(app, "1")
            await _wait(lambda: app.count != before)
            times.append(time.perf_counter() - start)
    return times


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(values) * 1000:6.1f} ms · p95 {p95 * 1000:6.1f} ms · max {max(values) * 1000:6.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each kind (default 5)")
    parser.add_argument("--presses", type=int, default=40, help="status keys in the answer loop (default 40)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()

    from inspector.services.demo import create_demo

    with tempfile.TemporaryDirectory(prefix="bench-tui-") as tmp:
        world = create_demo(Path(tmp) / "world")
        cold_start("empty", world.data.root)  # warm the file cache for both kinds alike
        empty, ours = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both alike
            empty.append(cold_start("empty", world.data.root))
            ours.append(cold_start("inspector", world.data.root))
        bare = asyncio.run(bare_key_loop(args.presses))
        loop = asyncio.run(answer_loop(world.data.root, world.passphrase, args.presses))

    start_ratio = statistics.median(ours) / statistics.median(empty)
    result = {
        "cold_start_empty_s": statistics.median(empty),
        "cold_start_inspector_s": statistics.median(ours),
        "cold_start_ratio": start_ratio,
        "key_to_next_item_median_ms": statistics.median(loop) * 1000,
        "bare_key_round_trip_median_ms": statistics.median(bare) * 1000,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"cold start to the first interactive screen ({args.runs} runs each, median)")
    print(
        f"  empty Textual app   {statistics.median(empty) * 1000:7.1f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in empty)})"
    )
    print(
        f"  inspector (unlock)  {statistics.median(ours) * 1000:7.1f} ms   (runs: {', '.join(f'{t * 1000:.0f}' for t in ours)})"
    )
    print(f"  ratio inspector / empty = {start_ratio:.2f}   (goal <= 2.00: {'met' if start_ratio <= 2 else 'NOT met'})")
    print(f"status key to the next item shown ({args.presses} presses: signed, durable, acknowledged)")
    print(
        f"  inspector walk      {ms(loop)}   (goal median <= 50 ms: {'met' if statistics.median(loop) <= 0.05 else 'NOT met'})"
    )
    print(f"  bare app key->Static {ms(bare)}   (ratio {statistics.median(loop) / statistics.median(bare):.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
