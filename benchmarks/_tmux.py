"""A real terminal for benchmarks: tmux in control mode.

One tmux server per benchmark (its own socket, no configuration file), driven through a
control-mode client: commands go in on its standard input, and everything each program writes
to its terminal comes back at once as ``%output`` notifications, which a reader thread
timestamps. So the time from sending a key to the moment a text shows up in the program's
output is measured without polling, and without a second process per key.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

_ESCAPE = re.compile(rb"\\(\d{3}|\\)")


def available() -> bool:
    return shutil.which("tmux") is not None


def _unescape(data: bytes) -> bytes:
    """Control mode writes bytes outside printable ASCII, and the backslash, as octal escapes."""
    return _ESCAPE.sub(lambda m: b"\\" if m.group(1) == b"\\" else bytes([int(m.group(1), 8)]), data)


class Tmux:
    """A tmux server with a ``width`` x ``height`` window size, and its control client."""

    def __init__(self, width: int = 100, height: int = 30) -> None:
        self.socket = f"inspector-bench-{os.getpid()}"
        self._folder = Path(tempfile.mkdtemp(prefix="bench-tmux-"))
        self._scripts = 0
        self._chunks: dict[str, list[tuple[float, bytes]]] = {}
        self._replies: list[list[bytes]] = []
        self._reply: list[bytes] | None = None
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "-C", "new-session", "-x", str(width), "-y", str(height)]
            + ["-s", "bench", "sleep 1000000"],  # a first window that stays, so the server does
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        threading.Thread(target=self._read, daemon=True).start()
        with self._changed:  # the new-session command's own reply comes first
            if not self._changed.wait_for(lambda: self._replies, 10.0):
                raise RuntimeError("tmux did not start")
        # The control client's size is every window's size. (Setting window-size to manual as
        # well made tmux 3.3a exit on the next new-window.)
        self.command(f"refresh-client -C {width}x{height}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            now = time.perf_counter()
            with self._changed:
                if line.startswith(b"%output "):
                    _, pane, data = line.rstrip(b"\n").split(b" ", 2)
                    self._chunks.setdefault(pane.decode(), []).append((now, _unescape(data)))
                elif line.startswith(b"%begin "):
                    self._reply = []
                elif line.startswith((b"%end ", b"%error ")) and self._reply is not None:
                    self._replies.append(self._reply)
                    self._reply = None
                elif self._reply is not None:
                    self._reply.append(line.rstrip(b"\n"))
                self._changed.notify_all()

    def command(self, text: str, timeout: float = 10.0) -> list[bytes]:
        """Run a tmux command; its reply lines."""
        with self._changed:
            wanted = len(self._replies) + 1
            assert self.process.stdin is not None
            self.process.stdin.write(text.encode() + b"\n")
            self.process.stdin.flush()
            if not self._changed.wait_for(lambda: len(self._replies) >= wanted, timeout):
                raise TimeoutError(f"tmux did not answer {text!r}")
            return self._replies[wanted - 1]

    def window(self, argv: Sequence[str], env: Mapping[str, str]) -> tuple[str, float]:
        """Start ``argv`` in a new window, with ``env`` on top of the server's environment (which
        is this process's, plus the TERM tmux sets): (pane id, the time it was asked for).

        The command goes through a small ``sh`` script (``exec``-ing it), because a control-mode
        command is one line and tmux's quoting is not the shell's."""
        self._scripts += 1
        script = self._folder / f"window-{self._scripts}.sh"
        script.write_text("exec " + shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *argv]) + "\n")
        started = time.perf_counter()
        reply = self.command(f"new-window -P -F '#{{pane_id}}' 'sh {script}'")
        pane = reply[0].decode().strip()
        with self._changed:
            self._chunks.setdefault(pane, [])
        return pane, started

    def mark(self, pane: str) -> int:
        """A position in ``pane``'s output: waits can look only at what comes after it."""
        with self._changed:
            return len(self._chunks.get(pane, []))

    def wait_for(self, pane: str, text: str, after: int = 0, timeout: float = 20.0) -> float:
        """The time at which ``text`` first showed in ``pane``'s output after position ``after``."""
        needle = text.encode("utf-8")
        deadline = time.perf_counter() + timeout
        with self._changed:
            while True:
                chunks = self._chunks.get(pane, [])
                joined = b""
                for index in range(after, len(chunks)):
                    joined += chunks[index][1]
                    if needle in joined:
                        return chunks[index][0]
                left = deadline - time.perf_counter()
                if left <= 0:
                    tail = b"".join(c for _, c in chunks[-20:])[-1500:]
                    raise TimeoutError(f"{text!r} did not show in {timeout:.0f} s; last output: {tail!r}")
                self._changed.wait(left)

    def wait_quiet(self, pane: str, quiet: float = 0.05, timeout: float = 20.0) -> None:
        """Wait until ``pane`` has written nothing for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while time.perf_counter() < deadline:
                chunks = self._chunks.get(pane, [])
                last = chunks[-1][0] if chunks else 0.0
                idle = time.perf_counter() - last
                if idle >= quiet:
                    return
                self._changed.wait(quiet - idle)

    def keys(self, pane: str, *keys: str, literal: bool = False) -> float:
        """Send ``keys`` to ``pane``; the time just before they were sent."""
        started = time.perf_counter()
        self.command(f"send-keys -t {pane} {'-l ' if literal else ''}" + " ".join(shlex.quote(k) for k in keys))
        return started

    def output(self, pane: str) -> bytes:
        with self._changed:
            return b"".join(c for _, c in self._chunks.get(pane, []))

    def kill(self, pane: str) -> None:
        try:
            self.command(f"kill-pane -t {pane}")
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(b"kill-server\n")
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self._folder, ignore_errors=True)
