"""``publish_verifier`` and ``inspector hq publish-verifier``: what goes into the published site.

No browser here: the lists embedded byte for byte, the Content-Security-Policy, the offline web
app's files, the refusals (nothing written), and the CLI embedding HQ's latest signed status list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest

from inspector.crypto.signing import Domain
from inspector.errors import UserError
from inspector.hq.publish import ICON_SIZES, MANIFEST, SERVICE_WORKER, publish_verifier
from inspector.paths import DataDir
from inspector.trust.lists import CRL_FORMAT
from inspector.trust.status import STATUS_FORMAT

from . import statusvectors as SV
from . import webvectors as W
from .browser import BASE_URL
from .conftest import publish


def _embedded(page: str, element: str) -> Any:
    match = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _csp(page: str) -> dict[str, str]:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in match.group(1).split("; ")}


def test_publish_embeds_the_exact_signed_lists(tmp_path: Path, live: dict[str, Any]) -> None:
    path = publish_verifier(
        tmp_path / "out",
        live["trustlist"],
        live["crl"],
        [W.ROOT.public, W.NEXT_ROOT.public],
        BASE_URL,
        status_bytes=live["status"],
    )
    assert path == tmp_path / "out" / "index.html"
    page = path.read_text(encoding="utf-8")
    config = _embedded(page, "inspector-config")
    assert config["format"] == "inspector-verifier/v1"
    assert config["trustlist"].encode() == live["trustlist"] and config["crl"].encode() == live["crl"]
    assert config["status"].encode() == live["status"]
    assert config["roots"] == [W.ROOT.public.b64, W.NEXT_ROOT.public.b64]
    assert config["base_url"] == BASE_URL and config["test_mode"] is False and config["offline"] is True
    assert config["stations"]["GBN-S39"] == {"en": "Kotwali Sector 39", "hi": "कोतवाली सेक्टर 39"}
    assert 'id="inspector-vectors"' not in page


def test_publish_writes_the_offline_web_app(tmp_path: Path, live: dict[str, Any]) -> None:
    index = publish(tmp_path / "site", live)
    names = sorted(p.name for p in index.parent.iterdir())
    assert names == sorted(["index.html", SERVICE_WORKER, MANIFEST, *(f"icon-{n}.png" for n in ICON_SIZES)])
    manifest = json.loads((index.parent / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["start_url"] == manifest["scope"] == "./" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        data = (index.parent / icon["src"]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert f"{width}x{height}" == icon["sizes"]
    page = index.read_text(encoding="utf-8")
    assert f'<link rel="manifest" href="{MANIFEST}">' in page
    worker = (index.parent / SERVICE_WORKER).read_text(encoding="utf-8")
    # The service worker fetches the page and nothing else (the one fetch() names PAGE).
    assert re.findall(r"\bfetch\(([^,)]*)", worker) == ["PAGE", "event.request"]
    assert 'new URL("index.html", sw.location.href)' in worker


def test_publish_page_needs_no_network(tmp_path: Path, live: dict[str, Any]) -> None:
    page = publish(tmp_path, live).read_text(encoding="utf-8")
    csp = _csp(page)
    assert csp["default-src"] == "'none'" and csp["connect-src"] == "'none'" and csp["form-action"] == "'none'"
    # The offline app's only additions: its own service worker and manifest, and the embedded font.
    assert csp["worker-src"] == "'self'" and csp["manifest-src"] == "'self'" and csp["font-src"] == "data:"
    assert csp["img-src"] == "data: 'self'"  # the manifest's icons
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    for body, kind in ((scripts[0], "script-src"), (styles[0], "style-src")):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert csp[kind] == f"'sha256-{digest}'"
    # Nothing is loaded from anywhere: the one href is the manifest's, the one url() kind the font's.
    assert re.findall(r"\s(?:src|href)\s*=\s*\"([^\"]*)\"", page) == [MANIFEST]
    assert "<script src" not in page and "@import" not in page
    assert set(re.findall(r"url\(([^,)]*)", styles[0])) == {"data:font/woff;base64"}


def test_the_page_embeds_the_devanagari_font(tmp_path: Path, live: dict[str, Any]) -> None:
    style = re.findall(r"<style>(.*?)</style>", publish(tmp_path, live).read_text(encoding="utf-8"), re.S)[0]
    faces = re.findall(r"@font-face \{([^}]*)\}", style)
    assert [re.search(r"font-weight: (\d+)", f).group(1) for f in faces] == ["400", "700"]  # type: ignore[union-attr]
    for face in faces:
        assert 'font-family: "Inspector Devanagari"' in face and "unicode-range: U+0900-097F" in face
        font = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", face).group(1))  # type: ignore[union-attr]
        assert font[:4] == b"wOFF" and 40_000 < len(font) < 100_000


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
    page = publish(tmp_path, live, stations=registry).read_text()
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
        "status-by-other-root",
        "status-tampered",
        "status-is-a-crl",
        "status-unsorted",
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
        "status_bytes": live["status"],
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
    elif change == "status-by-other-root":
        args["status_bytes"] = SV.status_document(signer=W.NEXT_ROOT).encode()
    elif change == "status-tampered":
        args["status_bytes"] = live["status"].replace(b"overdue", b"current")
    elif change == "status-is-a-crl":
        args["status_bytes"] = live["crl"]
    elif change == "status-unsorted":
        args["status_bytes"] = SV.damaged()["granted-unsorted"].encode()
    elif change == "http-url":
        args["base_url"] = "http://verify.gbnpolice.example/"
    elif change == "url-fragment":
        args["base_url"] = BASE_URL + "#x"
    elif change == "url-no-host":
        args["base_url"] = "https:///cert/"
    with pytest.raises(UserError):
        publish_verifier(tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()


def test_publish_refuses_a_status_reason_the_page_could_not_read(tmp_path: Path, live: dict[str, Any]) -> None:
    changes = [SV.main_changes()[0] | {"reason": "overdue \U000e0080"}]  # unassigned in Python 3.11
    status = W.signed_document(STATUS_FORMAT, Domain.STATUS, SV.status_payload(changes=changes)).encode()
    with pytest.raises(UserError, match="certificate status list holds"):
        publish_verifier(tmp_path / "out", live["trustlist"], None, [W.ROOT.public], None, status_bytes=status)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# inspector hq publish-verifier


def test_cli_embeds_hq_latest_signed_status_list(run_cli: Any, hq_env: DataDir, tmp_path: Path) -> None:
    from inspector.hq.decisions import export_status
    from inspector.hq.enrolment import HQ
    from inspector.trust.documents import load_status
    from tests.helpers import PASSPHRASE

    code, out, err = run_cli("--data-dir", hq_env.root, "hq", "publish-verifier", "-o", tmp_path / "site", "--json")
    assert code == 0, err
    report = json.loads(out)
    config = _embedded((tmp_path / "site" / "index.html").read_text(encoding="utf-8"), "inspector-config")
    # The list the page carries is the one HQ's register holds as its latest: `hq status` gives the same bytes.
    latest = export_status(hq_env, PASSPHRASE)
    assert config["status"].encode() == latest
    status = load_status(latest, [HQ(hq_env.root).root_public()])
    assert report["status_list"] == {
        "seq": status.seq,
        "issued_at": status.issued_at,
        "next_update": status.next_update,
    }
    assert sorted(report["files"]) == sorted(p.name for p in (tmp_path / "site").iterdir())
    # Publishing again with nothing changed re-signs nothing: the same status list.
    assert run_cli("--data-dir", hq_env.root, "hq", "publish-verifier", "-o", tmp_path / "again")[0] == 0
    again = _embedded((tmp_path / "again" / "index.html").read_text(encoding="utf-8"), "inspector-config")
    assert again["status"] == config["status"]
