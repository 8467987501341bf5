"""Headless Chromium for the phone verifier's tests, and a static web server to serve the page.

No extra Python package and no DevTools protocol: Chromium opens a URL, and ``--dump-dom`` hands
back the DOM (or ``--screenshot`` a PNG). Each run gets a throw-away profile unless a test passes
its own (``profile=``: the offline-app test reopens the page in the profile that kept it).
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
OUTPUT = Path(__file__).resolve().parent.parent / "output" / "web"  # tests/output/web
BASE_URL = "https://verify.gbnpolice.example/cert/"
PHONE = (360, 780)


def find_chromium() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(binary: str, url: str, *args: str, timeout: float = 180, profile: Path | None = None) -> str:
    own = profile is None
    directory = Path(tempfile.mkdtemp(prefix="inspector-chromium-")) if profile is None else profile
    try:
        proc = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={directory}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        if own:
            shutil.rmtree(directory, ignore_errors=True)
    if proc.returncode != 0:
        raise AssertionError(f"chromium exited with {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


def dump_dom(binary: str, url: str, *args: str, profile: Path | None = None) -> str:
    return run_browser(binary, url, "--dump-dom", "--virtual-time-budget=60000", *args, profile=profile)


def console_of(binary: str, url: str, timeout: float = 180) -> list[str]:
    """What the page wrote to the browser's console (its messages, and CSP violations)."""
    directory = Path(tempfile.mkdtemp(prefix="inspector-chromium-"))
    try:
        proc = subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={directory}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                "--virtual-time-budget=30000",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]


def screenshot(binary: str, url: str, name: str, size: tuple[int, int] = PHONE) -> Path:
    """A PNG of the page at ``size`` (the window only) into tests/output/web/NAME.png, for review."""
    return dom_and_screenshot(binary, url, name, size)[1]


def dom_and_screenshot(binary: str, url: str, name: str, size: tuple[int, int] = PHONE) -> tuple[str, Path]:
    """The DOM and a PNG of the page (tests/output/web/NAME.png) from one launch; the PNG is
    checked to be ``size``."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    ignore = OUTPUT.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    shot = OUTPUT / f"{name}.png"
    shot.unlink(missing_ok=True)
    window, shoot = f"--window-size={size[0]},{size[1]}", f"--screenshot={shot}"
    dom = run_browser(binary, url, window, "--virtual-time-budget=60000", shoot, "--dump-dom")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{shot} is not a PNG"
    assert struct.unpack(">II", data[16:24]) == size, f"{shot} is not {size[0]} x {size[1]}"
    return dom, shot


def result_of(dom: str) -> dict[str, str]:
    """The data-* attributes of the page's result element."""
    match = re.search(r'<section id="result"([^>]*)>', dom)
    assert match, "no result element in the page"
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1))}


def body_of(dom: str) -> dict[str, str]:
    """The data-* attributes of the page's body (data-ready, data-sw, data-devanagari, ...)."""
    match = re.search(r"<body([^>]*)>", dom)
    assert match, "no body in the page"
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1))}


def text_of(dom: str) -> str:
    """The page's text as shown: no scripts or styles, tags count as a space, white space collapsed."""
    shown = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", shown)))


def fragment(text: str) -> str:
    """A payload in a URL fragment, percent-encoded as a camera app may do."""
    return urllib.parse.quote(text, safe="")


@contextmanager
def http_server(directory: Path, port: int = 0, timeout: float = 20) -> Iterator[int]:
    """``python -m http.server`` on 127.0.0.1 serving ``directory`` (on ``port``, or any free one):
    yields its port, and stops it (however the test ends) within a few seconds."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = _first_line(proc, timeout)
        match = re.search(r"port (\d+)", line)
        assert match, f"http.server said {line!r}"
        yield int(match.group(1))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a server that ignores SIGTERM
            proc.kill()
            proc.wait(timeout=5)


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The server's first line ("Serving HTTP on 127.0.0.1 port N ..."), waiting at most ``timeout``."""
    import threading

    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline() if proc.stdout else ""), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines:
        raise AssertionError(f"python -m http.server did not start within {timeout} s")
    return lines[0]
