"""The officers' phone verifier (inspector/web, inspector/hq/publish.py) in a real browser.

Headless Chromium opens the page from file:// and the DOM is read back with ``--dump-dom``: no
extra Python package and no DevTools protocol. One launch runs every vector of
tests/web/webvectors.py (``index.html#vectors`` of a test build) and each must get the verdict and
reason codes the Python verifier gives; further launches check the officer's own entry points on
a page exactly as ``publish_verifier`` writes it, with the device clock.

Phone-size screenshots (360 x 780) of a VALID and an INVALID result are written to
``tests/output/web/`` (ignored by git through its own .gitignore) for people to look at.

Chromium must be installed: CI's .ci/run installs Debian's ``chromium``, and under CI (``CI`` set)
a missing browser fails these tests. On a developer's machine without it they are skipped with
the install hint, so the README's test command still works with Python alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.crypto.signing import Domain, PublicKey
from inspector.errors import UserError
from inspector.hq.publish import publish_verifier, render_page, verifier_config
from inspector.trust.lists import CRL_FORMAT, TRUSTLIST_FORMAT

from . import webvectors as W
from .test_reason_codes import PAYLOAD_CODES

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

REQUIRED_REASONS = {
    "bad-prefix",
    "bad-base32",
    "non-canonical-base32",
    "too-long",
    "bad-url",
    "bad-cbor",
    "duplicate-key",
    "trailing-bytes",
    "non-canonical-cbor",
    "bad-cose",
    "bad-header",
    "bad-signature-size",
    "bad-signature",
    "unknown-key",
    "wrong-purpose",
    "revoked-key",
    "unknown-claim",
    "bad-claim",
    "auditor-mismatch",
    "outside-signing-window",
    "exceeds-key-validity",
    "lifetime-too-long",
    "not-yet-valid",
    "expired",
    "revoked",
    "clock-wrong",
    "trustlist-unusable",
    "crl-unusable",
}


# ---------------------------------------------------------------------------------------------
# the browser


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    message = (
        "Chromium is not installed, and the phone verifier is tested in a real browser. "
        "Install it (Debian/Ubuntu: apt-get install -y chromium); CI's .ci/run does this itself."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def run_browser(binary: str, url: str, *args: str, timeout: float = 180) -> str:
    profile = tempfile.mkdtemp(prefix="inspector-chromium-")
    try:
        proc = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, url],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0:
        raise AssertionError(f"chromium exited with {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


def dump_dom(binary: str, url: str, *args: str) -> str:
    return run_browser(binary, url, "--dump-dom", "--virtual-time-budget=60000", *args)


def result_of(dom: str) -> dict[str, str]:
    """The data-* attributes of the page's result element."""
    match = re.search(r'<section id="result"([^>]*)>', dom)
    assert match, "no result element in the page"
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1))}


def text_of(dom: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


def fragment(text: str) -> str:
    """A payload in a URL fragment, percent-encoded as a camera app may do."""
    return urllib.parse.quote(text, safe="")


# ---------------------------------------------------------------------------------------------
# the shared vectors, in one browser launch


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return W.build()


def _config(ctx: dict[str, Any]) -> dict[str, Any]:
    roots = [PublicKey.from_b64(b) for b in ctx["roots"]]
    crl = None if ctx["crl"] is None else ctx["crl"].encode()
    return verifier_config(ctx["trustlist"].encode(), crl, roots, BASE_URL)


@pytest.fixture(scope="module")
def test_site(tmp_path_factory: pytest.TempPathFactory, vectors: dict[str, Any]) -> Path:
    site = tmp_path_factory.mktemp("web-test-build")
    page = render_page(
        _config(vectors["contexts"][vectors["page"]]),
        vectors={"contexts": vectors["contexts"], "vectors": vectors["vectors"]},
    )
    (site / "index.html").write_text(page, encoding="utf-8")
    return site / "index.html"


def test_vectors_cover_every_attack_class(vectors: dict[str, Any]) -> None:
    expected = [v["expect"] for v in vectors["vectors"]]
    reasons = {r for e in expected for r in e["reasons"]}
    assert reasons >= REQUIRED_REASONS, f"no vector for {sorted(REQUIRED_REASONS - reasons)}"
    assert sum(e["verdict"] == "VALID" for e in expected) >= 20
    assert {w for e in expected for w in e["warnings"]} >= {"no-crl", "crl-stale", "trustlist-stale"}
    assert len(vectors["vectors"]) >= 250


def test_every_vector_agrees_with_the_python_verifier(chromium: str, test_site: Path, vectors: dict[str, Any]) -> None:
    dom = dump_dom(chromium, test_site.as_uri() + "#vectors")
    match = re.search(r'<script type="application/json" id="vector-results"[^>]*>(.*?)</script>', dom, re.S)
    assert match and match.group(1).strip(), "the page did not finish the vectors (no results in the DOM)"
    results = json.loads(match.group(1))["results"]
    assert [r["id"] for r in results] == [v["id"] for v in vectors["vectors"]]
    mismatches = []
    for vector, got in zip(vectors["vectors"], results):
        want = vector["expect"]
        if (got["verdict"], got["reasons"], got["warnings"]) != (want["verdict"], want["reasons"], want["warnings"]):
            mismatches.append(
                f"{vector['id']}: python {want['verdict']} {want['reasons']} {want['warnings']}, "
                f"page {got['verdict']} {got['reasons']} {got['warnings']}"
            )
    assert not mismatches, f"{len(mismatches)} of {len(results)} vectors disagree:\n" + "\n".join(mismatches)
    broken = [f"{r['id']}: {r['render_error']}" for r in results if r["render_error"]]
    assert not broken, "results the page could not display:\n" + "\n".join(broken)
    # Each reason is shown with its own English and Hindi text; malformed input (the codes of
    # psc1.PayloadError) with the one text for a damaged code.
    wrong_text = [
        f"{r['id']}: {r['reasons']} shown as {r['texts']}"
        for r in results
        if r["texts"] != ["damaged" if code in PAYLOAD_CODES else code for code in r["reasons"]]
    ]
    assert not wrong_text, "reasons shown with the wrong text:\n" + "\n".join(wrong_text)
    # What the page read must be what was signed.
    by_id = {r["id"]: r for r in results}
    assert by_id["valid"]["station"] == "GBN-S39"
    assert by_id["valid"]["cert_id"] == base64.b32encode(bytes.fromhex("0a1b2c3d4e5f60718293")).decode()


def test_test_build_takes_a_fixed_time_from_the_fragment(
    chromium: str, test_site: Path, vectors: dict[str, Any]
) -> None:
    by_id = {v["id"]: v for v in vectors["vectors"]}
    for name in ("valid", "expired", "clock-wrong"):
        vector = by_id[name]
        dom = dump_dom(chromium, f"{test_site.as_uri()}#now={vector['now']}&p={fragment(vector['text'])}")
        got = result_of(dom)
        assert (got["verdict"], got["reason"]) == (vector["expect"]["verdict"], vector["expect"]["reason"] or ""), name
        assert "TEST BUILD" in text_of(dom)


# ---------------------------------------------------------------------------------------------
# the page as HQ publishes it, with the device's own clock


@pytest.fixture(scope="module")
def live() -> dict[str, Any]:
    """Lists and certificates dated around the real time, published with ``publish_verifier``."""
    now = datetime.now(UTC).replace(microsecond=0)
    auditor = W.Auditor(
        "UP/GBN/A17",
        "Sunita Devi",
        W.ACTIVE.signing,
        use_from=now - timedelta(days=100),
        use_until=now + timedelta(days=200),
    )
    trustlist = W.signed_document(
        TRUSTLIST_FORMAT,
        Domain.TRUSTLIST,
        W.trustlist_payload([auditor.entry()], issued_at=now - timedelta(days=1), next_update=now + timedelta(days=29)),
    )
    revoked_cti = bytes.fromhex("99887766554433221100")
    crl_payload = W.crl_payload(issued_at=now - timedelta(days=1), next_update=now + timedelta(days=29))
    crl_payload["entries"] = [
        {
            "cert_id": base64.b32encode(revoked_cti).decode(),
            "reason": "issued for the wrong station",
            "revoked_at": W.t(now - timedelta(days=2)),
        }
    ]
    crl = W.signed_document(CRL_FORMAT, Domain.CRL, crl_payload)
    times = {"iat": W.epoch(now - timedelta(days=10)), "exp": W.epoch(now + timedelta(days=355))}
    return {
        "trustlist": trustlist.encode(),
        "crl": crl.encode(),
        "valid": W.cert(**times),
        "revoked": W.cert(cti=revoked_cti, **times),
        "tampered": W.flip_payload_bit(W.cert(**times)),
    }


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory, live: dict[str, Any]) -> Path:
    return publish_verifier(
        tmp_path_factory.mktemp("site") / "verify", live["trustlist"], live["crl"], [W.ROOT.public], BASE_URL
    )


def test_officer_link_valid(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    text = live["valid"]
    dom = dump_dom(chromium, live_site.as_uri() + "#" + text)
    got = result_of(dom)
    assert (got["verdict"], got["reason"], got["station"]) == ("VALID", "", "GBN-S39")
    page = text_of(dom)
    cert_id = base64.b32encode(bytes.fromhex("0a1b2c3d4e5f60718293")).decode()
    assert got["cert-id"] == cert_id
    grouped = "-".join(cert_id[i : i + 4] for i in range(0, 16, 4))
    for shown in (
        "VALID",
        "मान्य",
        "GBN-S39",
        "Kotwali Sector 39",
        "कोतवाली सेक्टर 39",
        grouped,
        "Sunita Devi",
        "UP/GBN/A17",
        "Police Commissionerate Gautam Buddh Nagar",
        "Trust list no. 7",
        "Revocation list no. 3",
    ):
        assert shown in page, shown
    assert "TEST BUILD" not in page


def test_officer_link_percent_encoded_and_pasted_link(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    # A camera app that percent-encodes the whole fragment, and a QR text app handing over the link.
    for payload in (fragment(live["valid"]), fragment(BASE_URL + "#" + live["valid"])):
        got = result_of(dump_dom(chromium, live_site.as_uri() + "#" + payload))
        assert got["verdict"] == "VALID", payload[:60]


def test_officer_link_invalid(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    for name, reason in (("revoked", "revoked"), ("tampered", "bad-signature")):
        dom = dump_dom(chromium, live_site.as_uri() + "#" + live[name])
        got = result_of(dom)
        assert (got["verdict"], got["reason"]) == ("INVALID", reason), name
        assert "INVALID" in text_of(dom) and "अमान्य" in text_of(dom)


def test_published_page_has_no_test_hooks(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    """A crafted link must not turn back the clock of the page HQ publishes."""
    dom = dump_dom(chromium, f"{live_site.as_uri()}#now=0&p={fragment(live['valid'])}")
    assert result_of(dom)["reason"] == "bad-prefix"
    dom = dump_dom(chromium, live_site.as_uri() + "#vectors")
    assert result_of(dom)["reason"] == "bad-prefix"
    assert 'id="vector-results"' not in dom


def test_page_fits_a_360px_phone(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    # --dump-dom lays pages out at least 500 px wide, so the test build pins the page to 360 px.
    config = verifier_config(live["trustlist"], live["crl"], [W.ROOT.public], BASE_URL)
    prelude = "document.documentElement.style.width = '360px';"
    (tmp_path / "index.html").write_text(render_page(config, prelude=prelude), encoding="utf-8")
    for name in ("valid", "revoked", "tampered"):
        dom = dump_dom(chromium, (tmp_path / "index.html").as_uri() + "#" + live[name])
        right = int(re.search(r'data-content-right="(\d+)"', dom).group(1))
        assert 300 < right <= 360, f"{name}: content reaches {right} px on a 360 px phone"


def test_phone_screenshots(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    ignore = OUTPUT.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    for name in ("valid", "revoked"):
        url = live_site.as_uri() + "#" + live[name]
        shot = OUTPUT / f"phone-{name}.png"
        shot.unlink(missing_ok=True)
        run_browser(chromium, url, "--window-size=360,780", "--virtual-time-budget=60000", f"--screenshot={shot}")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (360, 780)
    # The whole page of an invalid result, for review (--screenshot captures the window only).
    shot = OUTPUT / "phone-tampered-full.png"
    run_browser(
        chromium,
        live_site.as_uri() + "#" + live["tampered"],
        "--window-size=360,1500",
        "--virtual-time-budget=60000",
        f"--screenshot={shot}",
    )
    assert shot.stat().st_size > 10_000


def test_paste_box_like_a_hand_held_scanner(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    """The scanner types the text into the box and presses Enter (here: the form is submitted)."""
    typed = json.dumps(BASE_URL + "#" + live["revoked"])
    prelude = (
        "(function(){const t=setInterval(function(){if(document.body.getAttribute('data-ready')!=='1')return;"
        "clearInterval(t);document.getElementById('payload').value=" + typed + ";"
        "document.getElementById('check-form').requestSubmit();},20);})();"
    )
    config = verifier_config(live["trustlist"], live["crl"], [W.ROOT.public], BASE_URL)
    (tmp_path / "index.html").write_text(render_page(config, prelude=prelude), encoding="utf-8")
    dom = dump_dom(chromium, (tmp_path / "index.html").as_uri())
    got = result_of(dom)
    assert (got["verdict"], got["reason"], got["station"]) == ("INVALID", "revoked", "GBN-S39")
    assert "on this phone" in text_of(dom)


@pytest.fixture
def http_server(live_site: Path) -> Any:
    """The published directory on a static web server (Python's), on 127.0.0.1."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(live_site.parent))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_works_from_a_static_web_server(chromium: str, http_server: int, live: dict[str, Any]) -> None:
    # localhost is a secure context, like the https:// host HQ publishes to.
    dom = dump_dom(chromium, f"http://localhost:{http_server}/index.html#{live['valid']}")
    assert result_of(dom)["verdict"] == "VALID"


def test_plain_http_says_it_cannot_check(chromium: str, http_server: int, live: dict[str, Any]) -> None:
    # Any other http:// host is not a secure context: no WebCrypto, so no verdict, and it says why.
    dom = dump_dom(
        chromium,
        f"http://verify.example:{http_server}/index.html#{live['valid']}",
        "--host-resolver-rules=MAP verify.example 127.0.0.1",
    )
    got = result_of(dom)
    assert (got["verdict"], got["reason"]) == ("UNSUPPORTED", "insecure-context")
    assert "https://" in text_of(dom)


def test_browser_without_ed25519_says_so(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    prelude = (
        "(function(){const s=crypto.subtle;const imp=s.importKey.bind(s);"
        "s.importKey=function(f,k,a,e,u){if(a&&(a.name||a)==='Ed25519')"
        "return Promise.reject(new DOMException('Algorithm: Unrecognized name','NotSupportedError'));"
        "return imp(f,k,a,e,u);};})();"
    )
    config = verifier_config(live["trustlist"], live["crl"], [W.ROOT.public], BASE_URL)
    (tmp_path / "index.html").write_text(render_page(config, prelude=prelude), encoding="utf-8")
    dom = dump_dom(chromium, (tmp_path / "index.html").as_uri() + "#" + live["valid"])
    got = result_of(dom)
    assert (got["verdict"], got["reason"]) == ("UNSUPPORTED", "no-ed25519")
    assert "cannot check Ed25519" in text_of(dom) and 'data-verdict="VALID"' not in dom


# ---------------------------------------------------------------------------------------------
# publish_verifier itself


def _embedded(page: str, element: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_publish_embeds_the_exact_signed_lists(tmp_path: Path, live: dict[str, Any]) -> None:
    path = publish_verifier(
        tmp_path / "out", live["trustlist"], live["crl"], [W.ROOT.public, W.NEXT_ROOT.public], BASE_URL
    )
    assert path == tmp_path / "out" / "index.html"
    page = path.read_text(encoding="utf-8")
    config = _embedded(page, "inspector-config")
    assert config["format"] == "inspector-verifier/v1"
    assert config["trustlist"].encode() == live["trustlist"] and config["crl"].encode() == live["crl"]
    assert config["roots"] == [W.ROOT.public.b64, W.NEXT_ROOT.public.b64]
    assert config["base_url"] == BASE_URL and config["test_mode"] is False
    assert config["stations"]["GBN-S39"] == {"en": "Kotwali Sector 39", "hi": "कोतवाली सेक्टर 39"}
    assert 'id="inspector-vectors"' not in page


def test_publish_page_needs_no_network(tmp_path: Path, live: dict[str, Any]) -> None:
    page = publish_verifier(tmp_path, live["trustlist"], None, [W.ROOT.public], None).read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "form-action 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    for body, kind in ((scripts[0], "script-src"), (styles[0], "style-src")):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{kind} 'sha256-{digest}'" in csp
    # Nothing is loaded from anywhere: no src or href attributes at all.
    assert not re.search(r"\s(src|href)\s*=", page)
    assert "<script src" not in page and "@import" not in page and "url(" not in styles[0]


def test_publish_escapes_what_it_embeds(tmp_path: Path, live: dict[str, Any]) -> None:
    from inspector.audit.stations import Registry, Station

    hostile = "</script><script>alert(1)</script><!--"
    registry = Registry(
        stations=[
            Station(
                code="GBN-X1",
                name={"en": hostile, "hi": "थाना @@SCRIPTS@@"},
                district="d",
                commissionerate="c",
                zone="z",
                in_charge="i",
            )
        ]
    )
    page = publish_verifier(
        tmp_path, live["trustlist"], live["crl"], [W.ROOT.public], None, stations=registry
    ).read_text()
    assert page.count("</script>") == 2  # the config block's and the script's own
    assert _embedded(page, "inspector-config")["stations"]["GBN-X1"] == {"en": hostile, "hi": "थाना @@SCRIPTS@@"}


@pytest.mark.parametrize(
    "change",
    [
        "wrong-root",
        "no-root",
        "three-roots",
        "tampered-list",
        "crl-by-other-root",
        "http-url",
        "url-fragment",
        "url-no-host",
    ],
)
def test_publish_refuses_what_the_cli_would_refuse(tmp_path: Path, live: dict[str, Any], change: str) -> None:
    args: dict[str, Any] = {
        "trustlist_bytes": live["trustlist"],
        "crl_bytes": live["crl"],
        "root_keys": [W.ROOT.public],
        "base_url": BASE_URL,
    }
    if change == "wrong-root":
        args["root_keys"] = [W.ROGUE_ROOT.public]
    elif change == "no-root":
        args["root_keys"] = []
    elif change == "three-roots":
        args["root_keys"] = [W.ROOT.public, W.NEXT_ROOT.public, W.ROGUE_ROOT.public]
    elif change == "tampered-list":
        args["trustlist_bytes"] = live["trustlist"].replace(b"Sunita", b"Sunite")
    elif change == "crl-by-other-root":
        args["crl_bytes"] = W.signed_document(
            CRL_FORMAT, Domain.CRL, W.crl_payload(issuer=W.NEXT_ROOT), W.NEXT_ROOT
        ).encode()
    elif change == "http-url":
        args["base_url"] = "http://verify.gbnpolice.example/"
    elif change == "url-fragment":
        args["base_url"] = BASE_URL + "#x"
    elif change == "url-no-host":
        args["base_url"] = "https:///cert/"
    with pytest.raises(UserError):
        publish_verifier(tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()
