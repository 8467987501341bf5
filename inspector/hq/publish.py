"""The officers' phone verifier: one self-contained static page HQ publishes, an offline web app.

``publish_verifier`` writes into ``OUT_DIR``:

* ``index.html``: the page from ``inspector/web/`` (HTML, CSS with the embedded Devanagari font,
  and the scripts of ``SCRIPT_FILES``, all written for this project, inlined as one script in that
  order) with HQ's current signed trust list, revocation list, certificate status list and pinned
  root key(s) embedded::

    <script type="application/json" id="inspector-config">
      {"format": "inspector-verifier/v1",
       "roots": ["<base64 raw Ed25519 HQ root key>", ...],        # one or two pins
       "trustlist": "<the signed trust-list file, exactly as HQ exported it>",
       "crl": "<the signed revocation-list file>" | null,
       "status": "<the signed certificate status list>" | null,   # HQ's decisions
       "stations": {"GBN-S39": {"en": "...", "hi": "..."}, ...},  # names shown beside the code
       "base_url": "https://..." | null, "published_at": "YYYY-MM-DDTHH:MM:SSZ",
       "offline": true, "test_mode": false}
    </script>

* ``sw.js``, ``manifest.json`` and ``icon-192.png`` / ``icon-512.png``: the page is an
  installable web app. After the first visit the service worker keeps the page on the phone, so
  a phone with no signal at the station still verifies; when the network answers it fetches the
  page anew (only the page, only from its own origin) and keeps the copy HQ published last.

The page re-verifies every list against the pinned roots (as ``inspector trust install`` and
``trust install-status`` do, small-order key screen included) and then decides every scanned
certificate exactly as ``inspector verify`` does: the signature and claims, then HQ's decision
(VALID only when the status list shows the certificate as granted). The verification makes no
network request of any kind (a Content-Security-Policy with hashes of the one inline script and
style forbids every fetch), so it works from ``file://``, from any static host, and offline.
Upload the directory as it is; re-publish whenever a list changes, and before the status list's
next update (a week by default), or the page warns that the list is stale.

Officers open ``BASE_URL#PSC1:...``: the QR code on a certificate holds that link (``cert issue``
puts the base URL recorded at publication in front of the payload), and the fragment never
leaves the phone. A hand-held scanner or a QR text app can type the text into the page's box.

Test builds (``render_page(..., test_mode=True)``, used by tests/web/test_web_verifier.py only) also
honour ``#now=EPOCH&p=TEXT`` (decide at a fixed time) and ``#vectors`` (run embedded vectors).
Published pages never do: a crafted link must not be able to turn back the page's clock.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import math
import re
import struct
import urllib.parse
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

from inspector._io.atomic import write_private
from inspector._io.text import invisible_character
from inspector.audit.stations import load_registry
from inspector.certificates.printing import devanagari_font_css
from inspector.crypto.canonical import now_text
from inspector.crypto.signing import PublicKey
from inspector.errors import UserError
from inspector.trust.documents import load_crl, load_status, load_trustlist

VERIFIER_FORMAT = "inspector-verifier/v1"
# Each script adds its namespace to ``window`` and reads those of the scripts before it.
SCRIPT_FILES = (
    "cbor.js",  # strict base32 and deterministic CBOR
    "ed25519.js",  # the small-order public-key screen
    "reasons.js",  # {code, message} reasons and the errors carrying them
    "pyjson.js",  # Python's text semantics, strict and canonical JSON, times
    "crypto.js",  # base64, kids, COSE Sig_structure, screened Ed25519 keys
    "trust.js",  # the signed trust list and revocation list
    "status.js",  # HQ's certificate status list; loadContext for all three lists
    "psc1.js",  # the PSC1 payload: envelope and claims
    "verdict.js",  # the verdict, window.inspectorVerify
    "page.js",  # what the officer sees
)
MAX_ROOTS = 2
# The offline web app, next to index.html: the service worker and the manifest as they are in
# inspector/web/, and the manifest's icons, drawn here (WEB_APP_FILES).
SERVICE_WORKER = "sw.js"
MANIFEST = "manifest.json"
ICON_SIZES = (192, 512)
_MARKER = re.compile(r"@@(CSP|HEAD|STYLE|CONFIG|EXTRA|SCRIPTS)@@")


def _web_file(name: str) -> str:
    return (resources.files("inspector") / "web" / name).read_text(encoding="utf-8")


def _json_for_html(value: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_page(
    config: dict[str, Any],
    *,
    vectors: dict[str, Any] | None = None,
    test_mode: bool = False,
    prelude: str = "",
) -> str:
    """The page's HTML for ``config`` (see the module docstring).

    Tests only: ``vectors`` (implies ``test_mode``) embeds test vectors for ``#vectors``;
    ``test_mode`` enables ``#now=``; ``prelude`` is script run before the page's own (for
    instance to take Ed25519 away and check the page says it cannot verify).
    """
    test_mode = test_mode or vectors is not None or bool(prelude)
    config = {**config, "test_mode": test_mode}
    style = devanagari_font_css() + _web_file("style.css")
    script = "\n".join([prelude] * bool(prelude) + [_web_file(name) for name in SCRIPT_FILES])
    lowered = script.lower()
    if "</script" in lowered or "<!--" in lowered:  # pragma: no cover - guards edits of the scripts
        raise RuntimeError("a web script contains '</script' or '<!--'")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_csp_hash(script)}",
            f"style-src {_csp_hash(style)}",
            # data: for what the page draws; 'self' only for the manifest's own icons, which the
            # browser fetches under this directive when it offers to install the app.
            "img-src data: 'self'",
            # The Devanagari font is inside the style, as data: URLs; nothing is fetched for it.
            "font-src data:",
            # The offline web app: the page may register its own service worker (sw.js, same
            # origin) and name its own manifest. Both fetch from this origin only, and neither lets
            # the page itself fetch anything: connect-src stays 'none', so verifying a certificate
            # still makes no request. (The service worker runs under no page's CSP; sw.js fetches
            # nothing but this page.)
            "worker-src 'self'",
            "manifest-src 'self'",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
        ]
    )
    extra = ""
    if vectors is not None:
        extra = (
            f'<script type="application/json" id="inspector-vectors">{_json_for_html(vectors)}</script>\n'
            '<script type="application/json" id="vector-results"></script>'
        )
    head = ""
    if config.get("offline"):
        head = f'<link rel="manifest" href="{MANIFEST}">'
    parts = {
        "CSP": csp,
        "HEAD": head,
        "STYLE": style,
        "CONFIG": _json_for_html(config),
        "EXTRA": extra,
        "SCRIPTS": script,
    }
    # One pass, so nothing substituted (a station name, say) is ever read as a marker.
    return _MARKER.sub(lambda m: parts[m.group(1)], _web_file("index.html"))


def check_base_url(url: str) -> str:
    """The verify page's public address: https, a host, no query or fragment (the payload goes there)."""
    text = url.strip()
    if any(char.isspace() for char in text):
        raise UserError(f"--base-url {url!r}: contains white space")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise UserError(f"--base-url {url!r}: not a URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise UserError(f"--base-url {url!r}: must be an https:// address with a host")
    if parts.query or parts.fragment or "#" in text:
        raise UserError(f"--base-url {url!r}: must not have a query or fragment (the certificate goes after '#')")
    return text


def _stations(registry: Any) -> dict[str, dict[str, str]]:
    if registry is None:
        try:
            registry = load_registry()
        except UserError:
            return {}
    return {station.code: {"en": station.name.en, "hi": station.name.hi} for station in registry.stations}


def _refuse_unreadable_text(documents: list[tuple[str, Any]]) -> None:
    for what, value in documents:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                bad = invisible_character(item, allow="\n\t")
                if bad:
                    raise UserError(
                        f"publish-verifier: {what} holds {bad}, which the phone page cannot read as this "
                        "machine does (an unassigned, invisible or control character); correct it and publish again"
                    )
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)


def verifier_config(
    trustlist_bytes: bytes,
    crl_bytes: bytes | None,
    root_keys: list[PublicKey],
    base_url: str | None,
    *,
    stations: Any = None,
    status_bytes: bytes | None = None,
) -> dict[str, Any]:
    """Check what goes into the page and return the embedded config. ``UserError`` if unusable.

    Without ``status_bytes`` (HQ's signed certificate status list) the page decides nothing: every
    genuine certificate reads INVALID, not decided, as on a laptop with no status list installed.
    """

    roots = list(root_keys)
    if not roots:
        raise UserError("publish-verifier: no HQ root key to pin into the page")
    if len(roots) > MAX_ROOTS:
        raise UserError(f"publish-verifier: at most {MAX_ROOTS} HQ root keys can be pinned, not {len(roots)}")
    if any(not isinstance(key, PublicKey) for key in roots):
        raise TypeError("root_keys must be screened PublicKey objects")
    # The page must never carry a list the CLI itself would refuse.
    trustlist = load_trustlist(trustlist_bytes, roots, "trust list for the verify page")
    crl = None if crl_bytes is None else load_crl(crl_bytes, roots, "revocation list for the verify page")
    status = (
        None
        if status_bytes is None
        else load_status(status_bytes, roots, "certificate status list for the verify page")
    )
    station_names = _stations(stations)
    # Nor text the page could read differently: the browser's Unicode is newer than this
    # Python's, so a code point unassigned here may normalise otherwise there, and the page
    # would refuse the whole list as not canonical. One rule for both: only assigned characters.
    _refuse_unreadable_text(
        [
            ("trust list", trustlist.model_dump(mode="json")),
            ("revocation list", crl.model_dump(mode="json") if crl else {}),
            ("certificate status list", status.model_dump(mode="json") if status else {}),
        ]
        + [(f"station {code}", names) for code, names in station_names.items()]
    )
    try:
        trustlist_text = trustlist_bytes.decode("utf-8")
        crl_text = None if crl_bytes is None else crl_bytes.decode("utf-8")
        status_text = None if status_bytes is None else status_bytes.decode("utf-8")
    except UnicodeDecodeError:  # pragma: no cover - load_* already decoded them
        raise UserError("publish-verifier: the lists are not UTF-8 text") from None
    return {
        "format": VERIFIER_FORMAT,
        "roots": [key.b64 for key in roots],
        "trustlist": trustlist_text,
        "crl": crl_text,
        "status": status_text,
        "stations": station_names,
        "base_url": None if base_url is None else check_base_url(base_url),
        "published_at": now_text(),
    }


def publish_verifier(
    out_dir: Path,
    trustlist_bytes: bytes,
    crl_bytes: bytes | None,
    root_keys: list[PublicKey],
    base_url: str | None,
    *,
    stations: Any = None,
    status_bytes: bytes | None = None,
) -> Path:
    """Write the static verify site into ``out_dir`` and return the path of its ``index.html``.

    ``trustlist_bytes`` / ``crl_bytes`` / ``status_bytes`` are the signed files exactly as
    ``HQ.export_trustlist`` / ``HQ.export_crl`` / ``hq.decisions.export_status`` return them;
    ``root_keys`` the HQ root(s) the page pins; ``base_url`` the https address the page will be
    served from (recorded in the page; ``cert issue`` puts it in front of the payload in new QR
    codes). ``stations`` is a ``stations.Registry`` for the names shown beside a station code
    (default: the shipped registry). Besides ``index.html`` it writes the offline web app's files
    (``web_app_files``). Raises ``UserError`` when a list does not verify against the roots or
    the base URL is unusable; writes nothing then.
    """

    config = verifier_config(
        trustlist_bytes, crl_bytes, root_keys, base_url, stations=stations, status_bytes=status_bytes
    )
    html = render_page({**config, "offline": True})
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"publish-verifier: cannot create {out} ({exc.strerror})") from None
    if not out.is_dir():
        raise UserError(f"publish-verifier: {out} is not a directory")
    # The app's files first and the page last: a phone never meets a page whose service worker
    # is not there yet.
    for name, data in web_app_files().items():
        write_private(out / name, data, mode=0o644)
    target = out / "index.html"
    write_private(target, html.encode("utf-8"), mode=0o644)
    return target


# ---------------------------------------------------------------------------------------------
# the offline web app's files


def web_app_files() -> dict[str, bytes]:
    """The files that make the page an installable offline web app, by name."""
    files = {
        SERVICE_WORKER: _web_file(SERVICE_WORKER).encode("utf-8"),
        MANIFEST: _web_file(MANIFEST).encode("utf-8"),
    }
    for size in ICON_SIZES:
        files[f"icon-{size}.png"] = icon_png(size)
    return files


@functools.cache
def icon_png(size: int) -> bytes:
    """The app's icon: a white tick on the page's blue, a rounded square ``size`` pixels wide.

    Drawn here rather than shipped, so the package holds no binary file. No anti-aliasing is
    needed at launcher sizes beyond a one-pixel edge blend.
    """
    blue, white = (0x1D, 0x3C, 0x78), (0xFF, 0xFF, 0xFF)
    radius = size * 0.18
    # the tick: two strokes through these points (fractions of the side)
    stroke = size * 0.09
    points = [(0.27 * size, 0.53 * size), (0.43 * size, 0.69 * size), (0.74 * size, 0.34 * size)]
    segments = list(itertools.pairwise(points))

    def tick_distance(x: float, y: float) -> float:
        best = float("inf")
        for (ax, ay), (bx, by) in segments:
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
        return best

    rows = bytearray()
    for j in range(size):
        rows.append(0)  # PNG filter: none
        y = j + 0.5
        for i in range(size):
            x = i + 0.5
            # distance outside the rounded square (negative inside)
            qx, qy = (
                max(abs(x - size / 2) - (size / 2 - radius), 0.0),
                max(abs(y - size / 2) - (size / 2 - radius), 0.0),
            )
            alpha = max(0.0, min(1.0, radius - math.hypot(qx, qy) + 0.5))
            ink = max(0.0, min(1.0, stroke / 2 - tick_distance(x, y) + 0.5))
            rgb = [round(b + (w - b) * ink) for b, w in zip(blue, white)]
            rows += bytes([*rgb, round(255 * alpha)])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )
