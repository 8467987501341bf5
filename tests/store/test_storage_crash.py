"""kill -9 at random moments: every acknowledged record survives, in order, exactly once.

A child process appends records (single appends, batches, an upsert of a "head" entry, and
now and then a compaction) and prints each id only after the call returned, i.e. after the
write was acknowledged. The parent SIGKILLs it at a random moment, reopens the store and checks
it against what was printed. A kill rarely lands inside a write() (the window is microseconds),
so the parent also appends a torn line itself after some kills: the next child must cut it off
before its first append, or the following check finds damage.

This simulates a process crash, not power loss: the page cache survives a SIGKILL. Power-loss
shapes (cut lines, zero-filled tails) are covered in tests/store/test_store_damage.py and
test_storage.py.
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.store.record_store import RecordStore
from tests.helpers import REPO

pytestmark = pytest.mark.slow  # 25 child processes, each killed with SIGKILL

ITERATIONS = 25

CHILD = r"""
import random, sys
from pathlib import Path
from inspector.store.record_store import RecordStore

path, next_n, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)

def record(n, batch, size):
    pad = "अभिलेख" * (4_000 if rng.random() < 0.02 else rng.randint(5, 60))  # up to ~70 KB
    return {"n": n, "batch": batch, "size": size, "pad": pad}

store = RecordStore(path)
print("ready", flush=True)
while True:
    roll = rng.random()
    if roll < 0.25:
        size = rng.randint(2, 6)
        docs = [record(next_n + k, next_n, size) for k in range(size)]
        store.append_many("records", docs)
        print("a", *[d["n"] for d in docs], flush=True)
        next_n += size
    elif roll < 0.35:
        store.put("state", "head", {"n": next_n - 1})
        print("p", next_n - 1, flush=True)
    elif roll < 0.36:
        store.compact()  # a kill during compaction must leave the old or the new file
        print("c", flush=True)
    else:
        store.append("records", record(next_n, None, 1))
        print("a", next_n, flush=True)
        next_n += 1
"""


def read_until(fd: int, received: bytes, enough: Callable[[bytes], bool], seconds: float) -> bytes:
    """Append what the child prints to ``received`` until ``enough`` or the time is up."""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while not enough(received) and (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                received += chunk
    return received


def run_child_until_killed(path: Path, next_n: int, rng: random.Random) -> list[str]:
    """Start a writer, kill it at a random moment, return the lines it fully printed.

    The kill comes after a random delay or a random number of acknowledged writes, whichever
    is first, so the volume written (and the test's run time) does not depend on disk speed.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(next_n), str(rng.randrange(2**32))],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    fd = child.stdout.fileno()  # raw reads only, so nothing hides in a Python buffer
    received = read_until(fd, b"", lambda data: b"\n" in data, 20.0)
    if not received.startswith(b"ready\n"):
        child.kill()
        _out, err = child.communicate(timeout=10)
        raise AssertionError(f"writer did not start: {received!r} {err.decode()}")
    wanted = rng.randint(0, 150)
    received = read_until(fd, received, lambda data: data.count(b"\n") > wanted, rng.uniform(0.0, 0.08))
    child.send_signal(signal.SIGKILL)
    out, _err = child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    printed = (received + out).decode("utf-8", "replace").split("\n")
    return printed[1:-1]  # skip "ready"; the last piece has no newline: a print cut short


def check_store(path: Path, acknowledged: list[int], last_head: int | None) -> int:
    """Open the store after a kill and check it; returns the next record number to use."""
    with RecordStore(path, writable=False) as store:
        records = store.all("records")
        head = store.get("state", "head")
    numbers = [r["n"] for r in records]
    assert numbers == sorted(set(numbers)), "records duplicated or out of order"
    missing = set(acknowledged) - set(numbers)
    assert not missing, f"acknowledged records lost: {sorted(missing)[:10]}"
    batches: dict[int, int] = {}
    for r in records:
        assert r["n"] >= 0 and len(r["pad"]) >= 20
        if r["batch"] is not None:
            batches[r["batch"]] = batches.get(r["batch"], 0) + 1
    for batch, count in batches.items():
        size = next(r["size"] for r in records if r["batch"] == batch)
        assert count == size, f"batch {batch} is partial: {count} of {size} records"
    if last_head is not None:
        assert head is not None and head["n"] >= last_head, "acknowledged head update lost"
    return (numbers[-1] + 1) if numbers else 0


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    acknowledged: list[int] = []
    last_head: int | None = None
    next_n = 0
    torn_tails = injected = 0
    started = time.monotonic()
    for _ in range(ITERATIONS):
        for line in run_child_until_killed(path, next_n, rng):
            kind, *numbers = line.split()
            if kind == "a":
                acknowledged.extend(int(n) for n in numbers)
            elif kind == "p":
                last_head = int(numbers[0])
        torn_tails += not path.read_bytes().endswith(b"\n")
        next_n = check_store(path, acknowledged, last_head)
        if rng.random() < 0.3:  # what a kill inside write() leaves: part of a line
            with path.open("ab") as handle:
                handle.write(os.urandom(rng.randint(1, 300)).replace(b"\n", b" "))
            injected += 1
    elapsed = time.monotonic() - started
    assert acknowledged, "no write was ever acknowledged: the kills came too early"
    # The store also opens for writing afterwards (cutting any torn tail) and stays consistent.
    with RecordStore(path) as store:
        store.append("records", {"n": next_n, "batch": None, "size": 1, "pad": "x" * 20})
    check_store(path, acknowledged + [next_n], last_head)
    print(
        f"{ITERATIONS} kills, {len(acknowledged)} acknowledged, {torn_tails} torn tails, "
        f"{injected} injected, "
        f"{elapsed:.1f} s"
    )
