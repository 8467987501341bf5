"""Importing many bundles at once: verified in parallel, registered one after the other, in order.

Each bundle is imported exactly as ``hq import`` imports it (:mod:`inspector.hq.intake`): the
slow part, verifying it and staging its files (:func:`~inspector.hq.intake.prepare_import`),
needs no lock and no register, so worker processes do it for several bundles at a time, one
per core; the parent then registers each prepared bundle, in the order given, in its own
transaction, so the register keeps a single writer and every decision (new, already imported,
update, fork, certificate clash) is taken against what the bundles before it registered, as if
they had been imported one by one. A bundle that is refused does not stop the others.

Workers are forked (they start in a millisecond and inherit the imports); where forking is not
safe (another thread is running) or not possible, or for one bundle, the bundles are prepared
in this process, one after the other.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from inspector.audit import chain_work
from inspector.errors import InspectorError
from inspector.hq.intake import ImportPlan, ImportRefused, ImportResult, prepare_import, register_plan
from inspector.hq.register import FileStore, files_dir, open_register
from inspector.hq.register.base import Register
from inspector.paths import DataDir

HELD_FOR = 16  # bundles registered under one hold of the register's writer (see Register.held)


@dataclass
class BatchItem:
    """What became of one bundle of a batch: its result, or why it was not imported."""

    bundle: str
    result: ImportResult | None = None
    refused: list[str] = field(default_factory=list)  # the verdict's reasons (exit status 1)
    error: str | None = None  # another error (an unreadable file, a register that cannot be written)
    code: str | None = None  # the error's code
    exit_status: int = 0

    def to_json(self) -> dict[str, Any]:
        """The bundle's file under ``file`` (a registered row's ``bundle`` is its archived copy)."""
        if self.result is not None:
            return {"file": self.bundle, **self.result.to_json()}
        if self.refused:
            return {"file": self.bundle, "status": "refused", "problems": self.refused}
        return {"file": self.bundle, "status": "error", "error": self.error, "code": self.code}


@dataclass
class _Prepared:
    """A worker's answer: the plan, or the error that stopped the bundle (as plain data: an
    exception's own fields do not all survive pickling)."""

    plan: ImportPlan | None = None
    failure: BatchItem | None = None


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def import_bundles(
    data: DataDir, paths: Sequence[str | Path], *, database: str | None = None, jobs: int | None = None
) -> list[BatchItem]:
    """Import every bundle of ``paths`` (see the module docstring); one item per bundle, in order.

    ``jobs``: worker processes verifying bundles meanwhile (default: the machine's cores; 1:
    everything in this process)."""
    if jobs is not None and jobs < 1:
        raise ValueError("jobs must be at least 1")
    bundles = [Path(path) for path in paths]
    workers = min(jobs or cores(), len(bundles))
    root = files_dir(data)
    items: list[BatchItem] = []
    with ExitStack() as stack:
        # The workers are forked first, before this process opens anything of the register
        # (a worker must not inherit the writer's lock).
        prepared = zip(bundles, _prepared(data, bundles, root, workers, stack))
        register = stack.enter_context(open_register(data, database))
        while len(items) < len(bundles):
            # The register's writer is held for a group of bundles at a time, not the whole
            # batch: another HQ command waiting for it gets its turn between groups.
            with register.held():
                for path, ready in islice(prepared, HELD_FOR):
                    items.append(_register(register, path, ready))
    return items


def _register(register: Register, path: Path, prepared: _Prepared) -> BatchItem:
    if prepared.plan is None:
        assert prepared.failure is not None
        return prepared.failure
    plan = prepared.plan
    try:
        return BatchItem(str(path), result=register_plan(register, plan))
    except InspectorError as exc:
        return _failure(path, exc)
    finally:
        plan.staging.close()


def _prepared(data: DataDir, bundles: list[Path], root: Path, workers: int, stack: ExitStack) -> Iterator[_Prepared]:
    """The prepared bundles in order, each as soon as it is ready (the parent registers one while
    the workers prepare the next); the workers are started here and now."""
    if workers <= 1 or not _may_fork():
        return (_prepare(data.root, path, root) for path in bundles)
    context = multiprocessing.get_context("fork")
    pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=context, initializer=chain_work.single_core))
    futures = [pool.submit(_prepare, data.root, path, root) for path in bundles]
    # Runs before the pool shuts down (the stack unwinds in reverse): if the batch stops early
    # (a bug, a lock that timed out), the bundles the workers staged ahead are discarded.
    stack.callback(_discard_unregistered, futures)
    return (future.result() for future in futures)


def _discard_unregistered(futures: list[Future[_Prepared]]) -> None:
    """Close the staging of every prepared bundle (closing twice is harmless: a registered
    bundle's staging is already closed, and an emptied folder goes with it)."""
    for future in futures:
        future.cancel()
    for future in futures:
        if future.cancelled():
            continue
        try:
            prepared = future.result()
        except BaseException:  # the failure that stopped the batch is already on its way up
            continue
        if prepared.plan is not None:
            prepared.plan.staging.close()


def _may_fork() -> bool:
    """Forking is safe only with no other thread (one may hold a lock the child would need)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _prepare(data_root: Path, path: Path, root: Path) -> _Prepared:
    """Verify and stage one bundle (in a worker, or here); staged files stay for the parent."""
    staging = FileStore(root).staging()
    try:
        return _Prepared(plan=prepare_import(DataDir(data_root), path, staging))
    except InspectorError as exc:
        staging.close()
        return _Prepared(failure=_failure(path, exc))
    except BaseException:
        staging.close()
        raise


def _failure(path: Path, exc: InspectorError) -> BatchItem:
    if isinstance(exc, ImportRefused):
        return BatchItem(str(path), refused=list(exc.reasons), code=exc.code, exit_status=exc.exit_status)
    return BatchItem(str(path), error=str(exc), code=exc.code, exit_status=exc.exit_status)
