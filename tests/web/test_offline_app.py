"""The phone page as an offline web app, and the Devanagari font the page and the certificate embed.

In headless Chromium, as far as a browser without a person can go: the published site is served by
``python -m http.server`` on 127.0.0.1 (a localhost origin is a secure context, as HQ's https host
is) and opened in one browser profile several times, the way a phone opens the verify link again
and again: the service worker registers and keeps the page; with the server gone (no signal) the
page still opens from the phone's copy and decides; a newer page HQ publishes replaces the copy,
an older one never does. Installing to the home screen needs a person and is not tested.

This machine has no Devanagari system font (``fc-list :lang=hi`` is empty), so Hindi shows only
through the embedded font: the page reports whether the font loaded, and screenshots of the page
and of the HTML certificate go to tests/output/web/ for review.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from inspector.certificates import printing
from inspector.certificates.model import CertificateBody
from inspector.certificates.psc1 import CertResult
from inspector.hq.publish import render_page, verifier_config

from . import webvectors as W
from .browser import BASE_URL, OUTPUT, body_of, console_of, dom_and_screenshot, dump_dom, result_of, screenshot, text_of
from .browser import http_server as serve
from .conftest import LIVE_CTIS, live_lists, publish


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def profile() -> Iterator[Path]:
    """One browser profile for every visit of a test: the phone that keeps the page."""
    with tempfile.TemporaryDirectory(prefix="inspector-phone-") as directory:
        yield Path(directory)


def _visit(chromium: str, port: int, text: str, profile: Path) -> tuple[dict[str, str], dict[str, str], str]:
    dom = dump_dom(chromium, f"http://localhost:{port}/#{text}", profile=profile)
    return body_of(dom), result_of(dom), dom


def test_the_page_works_offline_after_the_first_visit(chromium: str, tmp_path: Path, profile: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    times = {"iat": W.epoch(now - timedelta(days=10)), "exp": W.epoch(now + timedelta(days=355))}
    valid = W.cert(cti=LIVE_CTIS["valid"], **times)
    site = tmp_path / "site"
    publish(site, live_lists(now))
    port = _free_port()  # one origin throughout: a service worker belongs to scheme, host and port
    with serve(site, port=port):
        body, result, _ = _visit(chromium, port, valid, profile)
        assert body["sw"] == "ready", body  # registered, installed and active
        assert result["verdict"] == "VALID"
    # No signal: nothing listens on the port any more, and the phone's copy answers.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    body, result, dom = _visit(chromium, port, valid, profile)
    assert body["sw-controlled"] == "1", "the page did not come through the service worker"
    assert result["verdict"] == "VALID"
    assert "works without signal" in text_of(dom) and "HQ's certificate status list no. 1" in text_of(dom)

    # HQ publishes again: status list no. 2 no longer grants the certificate. With signal the
    # phone gets the new page at once, and keeps it for the next visit without signal.
    time.sleep(1.1)  # published_at has whole seconds
    publish(site, live_lists(now, status_seq=2, granted=False))
    with serve(site, port=port):
        _, result, dom = _visit(chromium, port, valid, profile)
        assert result["verdict"] == "INVALID" and result["reason"] == "not-decided", result
        assert "HQ's certificate status list no. 2" in text_of(dom)
    _, result, dom = _visit(chromium, port, valid, profile)
    assert result["reason"] == "not-decided" and "status list no. 2" in text_of(dom)

    # A stale cache on the way serves the older page again: the phone keeps HQ's newer one.
    first = live_lists(now)
    config = verifier_config(first["trustlist"], first["crl"], [W.ROOT.public], BASE_URL, status_bytes=first["status"])
    config["published_at"] = W.t(now - timedelta(days=1))
    (site / "index.html").write_text(render_page({**config, "offline": True}), encoding="utf-8")
    with serve(site, port=port):
        _, result, dom = _visit(chromium, port, valid, profile)
    assert result["reason"] == "not-decided" and "status list no. 2" in text_of(dom)


def test_the_served_app_breaks_no_rule_of_its_csp(chromium: str, live_site: Path) -> None:
    """Registering the worker, reading the manifest and its icons, the font: all allowed, nothing more."""
    with serve(live_site.parent) as port:
        console = console_of(chromium, f"http://localhost:{port}/")
    assert not [line for line in console if "Content Security Policy" in line or "Manifest" in line], console


def test_a_page_from_file_is_not_kept(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    # file:// has no service workers; the page says so and still decides.
    dom = dump_dom(chromium, live_site.as_uri() + "#" + live["valid"])
    assert body_of(dom)["sw"] == "off" and result_of(dom)["verdict"] == "VALID"
    assert "not kept for use without signal" in text_of(dom)


# ---------------------------------------------------------------------------------------------
# the embedded Devanagari font


def test_no_system_devanagari_font_here() -> None:
    """The font tests below prove something only where Hindi has no other font."""
    try:
        found = subprocess.run(["fc-list", ":lang=hi"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("fc-list is not available")
    if found.strip():
        pytest.skip("this machine has a Devanagari font of its own: " + found.splitlines()[0])


def test_the_page_shows_hindi_in_its_own_font(chromium: str, live_site: Path, live: dict[str, Any]) -> None:
    dom, shot = dom_and_screenshot(chromium, live_site.as_uri() + "#" + live["valid"], "phone-hindi")
    assert body_of(dom)["devanagari"] == "loaded"
    assert shot.stat().st_size > 10_000


def _certificate_body() -> CertificateBody:
    return CertificateBody(
        cert_id="BINSYPKOL5QHDAUT",
        station_code="GBN-S39",
        station_name_en="Kotwali Sector 39",
        station_name_hi="कोतवाली सेक्टर 39",
        district="Gautam Buddh Nagar",
        checklist_id="police-station-iso9001",
        checklist_version="2.0.0",
        checklist_hash="0" * 64,
        audit_id="01JDEMO0000000000000000000",
        audit_type="certification",
        result=CertResult.CERTIFIED,
        score=91,
        majors=0,
        minors=2,
        issued_at="2026-11-01T00:00:00Z",
        expires_at="2029-10-31T18:45:00Z",
        surveillance_due=["2027-10-31"],
        auditor_id="UP/GBN/A17",
        auditor_name="Sunita Devi",
        issuer_name="Police Commissionerate Gautam Buddh Nagar",
        kid="0123456789abcdef",
        findings_root="ab" * 32,
        payload="PSC1:AAAA",
    )


def test_the_html_certificate_shows_hindi_in_its_own_font(chromium: str, tmp_path: Path) -> None:
    context = printing.PrintContext(
        decided_on=date(2026, 11, 28), organisation="Police Commissionerate Gautam Buddh Nagar"
    )
    page = printing.render_html(_certificate_body(), "<svg xmlns='http://www.w3.org/2000/svg'></svg>", context)
    assert page.count("@font-face") == 2 and "data:font/woff;base64," in page
    assert "Inspector Devanagari" in page.split("</style>")[0].split("body {")[1]
    (tmp_path / "certificate.html").write_text(page, encoding="utf-8")
    # The test (not the certificate) asks the browser whether the font is in use.
    probe = page.replace(
        "</body>",
        "<script>document.fonts.load('1em \"Inspector Devanagari\"', 'गुणवत्ता').then(function(f){"
        "document.body.setAttribute('data-devanagari', f.length ? 'loaded' : 'missing');});</script></body>",
    )
    (tmp_path / "probe.html").write_text(probe, encoding="utf-8")
    assert body_of(dump_dom(chromium, (tmp_path / "probe.html").as_uri()))["devanagari"] == "loaded"
    shot = screenshot(chromium, (tmp_path / "certificate.html").as_uri(), "certificate-hindi", (800, 1130))
    assert shot.parent == OUTPUT and shot.stat().st_size > 10_000
