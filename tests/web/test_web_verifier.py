"""The officers' phone verifier (inspector/web, inspector/hq/publish.py) in a real browser.

Headless Chromium opens the page from file:// and the DOM is read back with ``--dump-dom``
(tests/web/browser.py). One launch runs every vector of tests/web/webvectors.py and
statusvectors.py (``index.html#vectors`` of a test build) and each must get the verdict, reason
codes, warnings and HQ decision the Python verifier gives; further launches check the officer's
own entry points on a page exactly as ``publish_verifier`` writes it, with the device clock.

Phone-size screenshots (360 x 780) of every verdict HQ's decision can give (VALID granted,
awaiting HQ's decision, suspended, withdrawn, superseded, revoked) and of a forged code are written
to ``tests/output/web/`` (ignored by git through its own .gitignore) for people to look at.
tests/web/test_offline_app.py checks the offline web app (service worker, manifest) and the
embedded Devanagari font; tests/web/test_publish.py what publishing writes.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.certificates.dates import indian_date
from inspector.crypto.signing import PublicKey
from inspector.hq.publish import render_page, verifier_config

from . import webvectors as W
from .browser import BASE_URL, body_of, dom_and_screenshot, dump_dom, fragment, result_of, screenshot, text_of
from .browser import http_server as serve
from .test_reason_codes import PAYLOAD_CODES

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
    "status-unusable",
    "not-decided",
    "suspended",
    "withdrawn",
    "superseded",
}
# HQ's decisions the vectors must cover (the Python verdict's ``status``).
REQUIRED_STATUSES = {"granted", "not-decided", "suspended", "withdrawn", "superseded", "revoked", None}


# ---------------------------------------------------------------------------------------------
# the shared vectors, in one browser launch


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return W.build()


def _config(ctx: dict[str, Any]) -> dict[str, Any]:
    roots = [PublicKey.from_b64(b) for b in ctx["roots"]]
    crl = None if ctx["crl"] is None else ctx["crl"].encode()
    status = None if ctx["status"] is None else ctx["status"].encode()
    return verifier_config(ctx["trustlist"].encode(), crl, roots, BASE_URL, status_bytes=status)


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
    assert {w for e in expected for w in e["warnings"]} >= {"no-crl", "crl-stale", "trustlist-stale", "status-stale"}
    assert {e["status"] for e in expected} >= REQUIRED_STATUSES
    assert sum(e["reason"] == "status-unusable" for e in expected) >= 40  # every way a status list breaks
    assert len(vectors["vectors"]) >= 400


def test_every_vector_agrees_with_the_python_verifier(chromium: str, test_site: Path, vectors: dict[str, Any]) -> None:
    dom = dump_dom(chromium, test_site.as_uri() + "#vectors")
    match = re.search(r'<script type="application/json" id="vector-results"[^>]*>(.*?)</script>', dom, re.S)
    assert match and match.group(1).strip(), "the page did not finish the vectors (no results in the DOM)"
    results = json.loads(match.group(1))["results"]
    assert [r["id"] for r in results] == [v["id"] for v in vectors["vectors"]]
    mismatches = []
    # The whole decision: verdict, reasons, warnings and HQ's decision with its date.
    keys = ("verdict", "reasons", "warnings", "status", "decided_on", "superseded_by")
    for vector, got in zip(vectors["vectors"], results):
        want = vector["expect"]
        if [got[k] for k in keys] != [want[k] for k in keys]:
            mismatches.append(f"{vector['id']}: python {[want[k] for k in keys]}, page {[got[k] for k in keys]}")
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


def _live_config(live: dict[str, Any]) -> dict[str, Any]:
    return verifier_config(live["trustlist"], live["crl"], [W.ROOT.public], BASE_URL, status_bytes=live["status"])


def test_officer_link_valid(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    # The phone-size screenshot for review comes from the same launch (tests/output/web/).
    dom, _ = dom_and_screenshot(chromium, live_site.as_uri() + "#" + live["valid"], "phone-valid")
    got = result_of(dom)
    assert (got["verdict"], got["reason"], got["station"]) == ("VALID", "", "GBN-S39")
    page = text_of(dom)
    cert_id = base64.b32encode(bytes.fromhex("0a1b2c3d4e5f60718293")).decode()
    assert got["cert-id"] == cert_id
    grouped = "-".join(cert_id[i : i + 4] for i in range(0, 16, 4))
    now = live["now"]
    for shown in (
        "VALID",
        "मान्य",
        "granted by HQ and in force",
        "GBN-S39",
        "Kotwali Sector 39",
        "कोतवाली सेक्टर 39",
        grouped,
        "Sunita Devi",
        "UP/GBN/A17",
        "Police Commissionerate Gautam Buddh Nagar",
        "Trust list no. 7",
        "Revocation list no. 3",
        "HQ's certificate status list no. 1 of " + indian_date(now - timedelta(hours=1)),
        # HQ's decision: the day it was granted and the organisation whose reviewers decide
        "Granted · स्वीकृत on " + indian_date((now - timedelta(days=3)).date()),
        "by Police Commissionerate Gautam Buddh Nagar",
        # dates in one form, on India's calendar, and the page says so
        "वैधता " + indian_date(now - timedelta(days=10)) + " – " + indian_date(now + timedelta(days=355)),
        "Indian Standard Time (IST, Asia/Kolkata)",
        " IST on this phone",
    ):
        assert shown in page, shown
    assert re.search(r"id=\"decided-on\"[^>]*>\d{2}-\d{2}-\d{4}<", dom)
    assert "TEST BUILD" not in page


# What the officer reads for each of HQ's decisions (the reason's own text, in plain words).
SAYS = {
    "not-decided": ("not-decided", "Awaiting HQ's decision", "मुख्यालय के निर्णय की प्रतीक्षा"),
    "suspended": ("suspended", "HQ has suspended this certificate", "surveillance audit overdue"),
    "withdrawn": ("withdrawn", "HQ has withdrawn this certificate", "not corrected after suspension"),
    "superseded": ("superseded", "Replaced by a newer certificate", "by certificate BINS-YPKO-L5QH-DAUT"),
    "revoked": ("revoked", "HQ has revoked this certificate", "issued for the wrong station"),
}


@pytest.mark.parametrize("name", sorted(SAYS))
def test_officer_link_each_decision_of_hq(chromium: str, live_site: Path, live: dict[str, Any], name: str) -> None:
    dom, _ = dom_and_screenshot(chromium, live_site.as_uri() + "#" + live[name], f"phone-{name}")
    got = result_of(dom)
    code, *texts = SAYS[name]
    assert (got["verdict"], got["reason"]) == ("INVALID", code), got
    page = text_of(dom)
    for shown in ("INVALID", "अमान्य", *texts):
        assert shown in page, (name, shown)
    assert re.search(rf'id="decision" data-status="{name}"', dom)


def test_not_decided_says_it_in_plain_words(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    page = text_of(dump_dom(chromium, live_site.as_uri() + "#" + live["not-decided"]))
    assert "Awaiting HQ's decision: do not accept this certificate yet." in page
    assert "Awaiting HQ's decision: HQ has not granted this certificate yet" in page


def test_officer_link_percent_encoded_and_pasted_link(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    # A camera app that percent-encodes the whole fragment, and a QR text app handing over the link.
    for payload in (fragment(live["valid"]), fragment(BASE_URL + "#" + live["valid"])):
        got = result_of(dump_dom(chromium, live_site.as_uri() + "#" + payload))
        assert got["verdict"] == "VALID", payload[:60]


def test_officer_link_forged(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    dom = dump_dom(chromium, live_site.as_uri() + "#" + live["tampered"])
    assert (result_of(dom)["verdict"], result_of(dom)["reason"]) == ("INVALID", "bad-signature")
    assert "INVALID" in text_of(dom) and "अमान्य" in text_of(dom)
    assert 'id="decision"' not in dom  # a forged code has no decision of HQ to show


def test_published_page_has_no_test_hooks(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    """A crafted link must not turn back the clock of the page HQ publishes."""
    dom = dump_dom(chromium, f"{live_site.as_uri()}#now=0&p={fragment(live['valid'])}")
    assert result_of(dom)["reason"] == "bad-prefix"
    dom = dump_dom(chromium, live_site.as_uri() + "#vectors")
    assert result_of(dom)["reason"] == "bad-prefix"
    assert 'id="vector-results"' not in dom


def test_page_fits_a_360px_phone(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    # --dump-dom lays pages out at least 500 px wide, so the test build pins the page to 360 px.
    prelude = "document.documentElement.style.width = '360px';"
    (tmp_path / "index.html").write_text(render_page(_live_config(live), prelude=prelude), encoding="utf-8")
    for name in ("valid", "superseded", "revoked", "tampered"):
        dom = dump_dom(chromium, (tmp_path / "index.html").as_uri() + "#" + live[name])
        right = int(re.search(r'data-content-right="(\d+)"', dom).group(1))  # type: ignore[union-attr]
        assert 300 < right <= 360, f"{name}: content reaches {right} px on a 360 px phone"


def test_whole_page_screenshots(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    # The phone-size screenshot of each verdict is made by the tests above; here whole pages
    # (--screenshot captures the window only) of a granted certificate and a forged code.
    for name in ("valid", "tampered"):
        shot = screenshot(chromium, live_site.as_uri() + "#" + live[name], f"phone-{name}-full", (360, 1700))
        assert shot.stat().st_size > 10_000


def test_paste_box_like_a_hand_held_scanner(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    """The scanner types the text into the box and presses Enter (here: the form is submitted)."""
    typed = json.dumps(BASE_URL + "#" + live["suspended"])
    prelude = (
        "(function(){const t=setInterval(function(){if(document.body.getAttribute('data-ready')!=='1')return;"
        "clearInterval(t);document.getElementById('payload').value=" + typed + ";"
        "document.getElementById('check-form').requestSubmit();},20);})();"
    )
    (tmp_path / "index.html").write_text(render_page(_live_config(live), prelude=prelude), encoding="utf-8")
    dom = dump_dom(chromium, (tmp_path / "index.html").as_uri())
    got = result_of(dom)
    assert (got["verdict"], got["reason"], got["station"]) == ("INVALID", "suspended", "GBN-S39")
    assert "on this phone" in text_of(dom)


def test_works_from_a_static_web_server(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    with serve(live_site.parent) as port:
        # localhost is a secure context, like the https:// host HQ publishes to.
        dom = dump_dom(chromium, f"http://localhost:{port}/index.html#{live['valid']}")
        assert result_of(dom)["verdict"] == "VALID"
        # Any other http:// host is not a secure context: no WebCrypto, so no verdict, and it says why.
        dom = dump_dom(
            chromium,
            f"http://verify.example:{port}/index.html#{live['valid']}",
            "--host-resolver-rules=MAP verify.example 127.0.0.1",
        )
    got = result_of(dom)
    assert (got["verdict"], got["reason"]) == ("UNSUPPORTED", "insecure-context")
    assert "https://" in text_of(dom)
    assert body_of(dom)["sw"] == "off"  # nor is it kept for offline use there


def test_browser_without_ed25519_says_so(chromium: str, tmp_path: Path, live: dict[str, Any]) -> None:
    prelude = (
        "(function(){const s=crypto.subtle;const imp=s.importKey.bind(s);"
        "s.importKey=function(f,k,a,e,u){if(a&&(a.name||a)==='Ed25519')"
        "return Promise.reject(new DOMException('Algorithm: Unrecognized name','NotSupportedError'));"
        "return imp(f,k,a,e,u);};})();"
    )
    (tmp_path / "index.html").write_text(render_page(_live_config(live), prelude=prelude), encoding="utf-8")
    dom = dump_dom(chromium, (tmp_path / "index.html").as_uri() + "#" + live["valid"])
    got = result_of(dom)
    assert (got["verdict"], got["reason"]) == ("UNSUPPORTED", "no-ed25519")
    assert "cannot check Ed25519" in text_of(dom) and 'data-verdict="VALID"' not in dom
