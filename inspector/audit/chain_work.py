"""The parallel half of checking a chain: signatures and evidence hashes on worker threads.

Ed25519 in ``cryptography`` and SHA-256 in ``hashlib`` release the GIL, so on a machine with
several cores the checks of a long chain run beside the thread that parses its records and
applies the rules (:mod:`inspector.audit.chain_check`). Results are put back in record order,
so the report is the same as a sequential check's.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from inspector.audit.records import EvidenceRef
from inspector.crypto.signing import Domain, Envelope, PublicKey
from inspector.errors import UserError

EvidenceCheck = Callable[[EvidenceRef], "str | None"]
"""``ref -> None`` when the file is present and matches, else what is wrong with it."""

# Chains at least this long have their signatures checked on all the machine's cores once every
# record is parsed, and their evidence files hashed on a worker thread meanwhile (Ed25519 in
# ``cryptography`` and SHA-256 in ``hashlib`` release the GIL). The signatures wait for the end
# of the parse on purpose: a worker needs the GIL back after every signature, and the thread
# parsing records holds it for a whole switch interval (5 ms) at a time, so checking them
# alongside the parse starves the workers. Shorter chains do not pay for the threads. Results
# are put back in record order, so the report is the same either way.
PARALLEL_MIN = 64


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# Chains at least this long, in a process with no other thread, have their signatures checked
# by a forked child (:class:`Ahead`) from the moment their records are read: unlike a thread it
# needs no GIL, so it runs beside the checklist's parse and the records' parse. The child works
# from the last record backwards and the parent, once it has parsed the chain, from the first
# forwards, taking the child's verdicts as they arrive: they meet wherever the machine's load
# puts them, and the parent never waits for the child. The parent keeps the first AHEAD_KEEP
# of the records to itself.
FORK_MIN = 256
AHEAD_KEEP = 0.05
AHEAD_CHUNK = 32  # verdicts the child writes at a time (how fresh the parent's view of it is)
_FORK_AHEAD = True  # False in a batch's worker processes, which already use every core


class Ahead:
    """Signature verdicts of records ``(start, count]`` under ``key``, worked out by a forked
    child, last record first: one byte per record, 1 good, 0 bad, 2 not decided there (the
    parent decides)."""

    def __init__(self, pid: int, pipe: int, key: PublicKey, start: int, count: int) -> None:
        self.pid, self.pipe, self.key, self.start, self.count = pid, pipe, key, start, count
        self._got = bytearray()  # verdicts of positions count, count - 1, ... in that order
        os.set_blocking(pipe, False)

    def covers(self, position: int, key: PublicKey) -> bool:
        """Whether the child checks record ``position`` (1-based) under this very ``key``."""
        return self.start < position <= self.count and key == self.key

    def known(self, position: int) -> bool | None:
        """The child's verdict on record ``position`` if it has arrived, else None (not yet,
        not decided there, or the child died: the parent then checks the record itself)."""
        index = self.count - position
        code = self._got[index] if 0 <= index < len(self._got) else 2
        return None if code == 2 else code == 1

    def poll(self) -> None:
        """Take whatever verdicts the child has written so far, without waiting."""
        while self.pipe >= 0:
            try:
                chunk = os.read(self.pipe, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:  # the child finished (or died): nothing more will come
                self.close()
                return
            self._got += chunk

    def verdict(self, position: int) -> bool | None:
        """The child's verdict on record ``position``, waiting for the child to finish."""
        if self.pipe >= 0:
            os.set_blocking(self.pipe, True)
            try:
                while chunk := os.read(self.pipe, 1 << 16):
                    self._got += chunk
            finally:
                self.close()
        return self.known(position)

    def close(self) -> None:
        if self.pipe >= 0:
            os.close(self.pipe)
            self.pipe = -1
            try:
                os.kill(self.pid, signal.SIGKILL)  # done by now, or not needed any more
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def single_core() -> None:
    """For a worker process of a batch (one of as many as the machine has cores): check chains
    on this process's thread alone, with no child and no threads of its own."""
    global _FORK_AHEAD, _cores
    _FORK_AHEAD = False
    _cores = _one_core


def _one_core() -> int:
    return 1


def _may_fork() -> bool:
    """Forking is safe only with no other thread (one may hold a lock the child would need)."""
    return _FORK_AHEAD and hasattr(os, "fork") and threading.active_count() == 1 and _cores() > 1


def verify_ahead(docs: Sequence[Any]) -> Ahead | None:
    """Start a child checking the signatures of the later records of ``docs`` (stored envelope
    documents) under the key the opening record names; None when the chain is short, the
    process cannot fork safely, or the opening record names no usable key (the parent then
    does everything, and says what is wrong)."""
    if len(docs) < FORK_MIN or not _may_fork():
        return None
    key = _opening_key(docs[0])
    if key is None:
        return None
    start = max(1, int(len(docs) * AHEAD_KEEP))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave without running any of the parent's exit code
        status = 1
        try:
            os.close(read_end)
            pending = bytearray()
            for doc in reversed(docs[start:]):  # the last record first (see Ahead)
                pending.append(_verdict_of(key, doc))
                if len(pending) >= AHEAD_CHUNK:
                    _write_all(write_end, pending)
                    pending.clear()
            _write_all(write_end, pending)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Ahead(pid, read_end, key, start, len(docs))


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _opening_key(doc: Any) -> PublicKey | None:
    try:
        payload = json.loads(Envelope.from_doc(doc).payload)
        return PublicKey.from_b64(payload["auditor"]["public_key"])
    except Exception:  # anything odd about it: the parent's own check names the problem
        return None


def _verdict_of(key: PublicKey, doc: Any) -> int:
    """What the parent's check of this record's signature would find: 1 good, 0 bad, 2 unknown."""
    try:
        envelope = Envelope.from_doc(doc)
        if envelope.kid != key.kid_hex:
            return 2
        return 1 if key.verify(Domain.FINDING, envelope.payload_bytes, _signature_of(envelope)) else 0
    except Exception:
        return 2


class Work:
    """Signature and evidence checks of one chain: queued while it is parsed, decided at the end."""

    def __init__(self, records: int, ahead: Ahead | None = None) -> None:
        self.ahead = ahead
        self.cores = min(_cores(), 8)
        parallel = records >= PARALLEL_MIN and self.cores > 1
        # As many threads as cores: evidence files are hashed on them while this thread parses;
        # the signatures are then shared between this thread and cores - 1 of them.
        self.pool = ThreadPoolExecutor(self.cores, "chain-check") if parallel else None
        self.jobs: list[tuple[PublicKey, Envelope]] = []
        self.from_ahead: dict[int, int] = {}  # job index -> record position the child checked
        self.results: list[bool] | None = None

    def __enter__(self) -> Work:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def signature(self, key: PublicKey, envelope: Envelope, position: int) -> int:
        """Queue one FINDING-domain signature check of record ``position``; its index for
        :meth:`signature_ok`. The signed bytes and the signature are taken from ``envelope``
        only when the check is made here (most are the child's, when there is one)."""
        if self.ahead is not None and self.ahead.covers(position, key):
            self.from_ahead[len(self.jobs)] = position
        self.jobs.append((key, envelope))
        return len(self.jobs) - 1

    def signature_ok(self, index: int) -> bool:
        if self.results is None:
            self.results = self._verify_all()
        return self.results[index]

    def _verify_all(self) -> list[bool]:
        jobs, self.jobs = self.jobs, []
        if self.ahead is not None and self.from_ahead:
            return self._verify_with(self.ahead, jobs)
        if self.pool is None or len(jobs) < PARALLEL_MIN:
            return _verify_batch(jobs)
        size = -(-len(jobs) // self.cores)
        parts = [jobs[start : start + size] for start in range(0, len(jobs), size)]
        futures = [self.pool.submit(_verify_batch, part) for part in parts[1:]]
        results = _verify_batch(parts[0])  # this thread takes a share too
        for future in futures:
            results.extend(future.result())
        return results

    def _verify_with(self, ahead: Ahead, jobs: list[tuple[PublicKey, Envelope]]) -> list[bool]:
        """From the first record forwards, each verdict the child has already sent is taken and
        every other record is checked here, looking for fresh verdicts every few checks."""
        results: list[bool] = []
        checked = 0
        ahead.poll()
        for index, job in enumerate(jobs):
            position = self.from_ahead.get(index)
            if position is not None:
                if checked >= AHEAD_CHUNK // 2:
                    ahead.poll()
                    checked = 0
                ok = ahead.known(position)
                if ok is not None:
                    results.append(ok)
                    continue
            results.append(_verify_batch([job])[0])
            checked += 1
        return results

    def evidence(self, check: EvidenceCheck, ref: EvidenceRef) -> Callable[[], str | None]:
        """Start checking one evidence file; call the result for the verdict."""
        if self.pool is None:
            verdict = check(ref)
            return lambda: verdict
        return self.pool.submit(check, ref).result


def _verify_batch(batch: list[tuple[PublicKey, Envelope]]) -> list[bool]:
    return [key.verify(Domain.FINDING, envelope.payload_bytes, _signature_of(envelope)) for key, envelope in batch]


def _signature_of(envelope: Envelope) -> bytes:
    """The envelope's signature bytes; one that is not base64 verifies as no signature (bad)."""
    try:
        return envelope.signature()
    except UserError:
        return b""


@dataclass
class Problems:
    """One record's problems, in the order a sequential check states them: the ones found
    before its signature, the signature's verdict (``signature``: a :class:`Work` index),
    linkage, then content, which counts only when the signature holds."""

    before: list[str] = field(default_factory=list)
    signature: int | None = None
    label: str = ""
    after: list[str] = field(default_factory=list)
    content: list[str | tuple[str, EvidenceRef, Callable[[], str | None]]] = field(default_factory=list)
