"""The audit report: what its PDF and HTML say (read back with pdftotext), what they never say
(anything of a sensitive item), the command, and its summary page turned into PNG for review."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from inspector.audit.service import AuditService
from inspector.certificates.printing import FONT_FAMILY
from inspector.crypto.signing import SigningKey
from inspector.errors import UserError
from inspector.reports import write_report
from tests.helpers import AUDITOR_ID, AUDITOR_NAME, REPO, write_cycle_checklist

SOON = (date.today() + timedelta(days=30)).isoformat()
SECRET_NOTE = "victim Priya statement at home"  # WHD-02 is sensitive: never in the report
SECRET_PLAN = "counsel the victim family weekly"
REVIEW_DIR = REPO / "tests" / "output" / "reports"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def plan(audit: Any, item: str, action: str = "a monthly check signed by the SHO") -> Any:
    return audit.respond(
        item,
        correction="entries traced and completed",
        root_cause="nobody checks the register against the shelf",
        action=action,
        owner="Ravi Kumar, SI",
        due=SOON,
    )


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A real photo (Pillow can read it), large enough that the report must downscale it."""
    path = tmp_path / "malkhana-shelf.jpg"
    Image.new("RGB", (2400, 1600), (160, 120, 60)).save(path, "JPEG", quality=80)
    return path


@pytest.fixture
def reported_audit(audit_service: AuditService, auditor_key: SigningKey, tmp_path: Path, photo: Path) -> str:
    """A closed certification audit of the cycle checklist: MAL-01 major (photo and a PDF scan,
    plan verified effective: closed), WHD-01 minor (no plan: open), WHD-02 minor on a sensitive
    item (plan recorded: planned), the closing meeting acknowledged."""
    checklist = write_cycle_checklist(tmp_path / "cycle.toml")
    audit_id = audit_service.new_audit("GBN-S39", checklist, "certification", auditor_key, AUDITOR_ID, AUDITOR_NAME).id
    scan = tmp_path / "disposal-order.pdf"
    scan.write_bytes(b"%PDF-1.4 not really a scan")
    with audit_service.open(audit_id, key=auditor_key) as audit:
        audit.record("MAL-01", "major", note="two parcels missing from the shelf", evidence=[photo, scan])
        audit.record("MAL-02", "conform", note="register matches the shelf")
        audit.record("MAL-03", "na", reason="no disposal order received yet")
        audit.record("WHD-01", "minor", note="desk unstaffed at 11:00", due=SOON)
        audit.record("WHD-02", "minor", note=SECRET_NOTE, due=SOON)
        audit.record("INF-01", "conform", note="भवन ठीक है, बत्तियाँ चालू हैं")
        audit.record("CYB-01", "observation", note="portal entries lag by two days")
        audit.close()
        plan(audit, "MAL-01")
        audit.follow_up("MAL-01", effective=True, note="parcels found and labelled", method="on-site")
        plan(audit, "WHD-02", action=SECRET_PLAN)
        audit.meeting(
            "closing",
            ["Sunita Devi, Auditor", "Ramesh Yadav, Inspector"],
            acknowledged_by="Ramesh Yadav, Inspector",
            note="findings read out and handed over",
        )
    return str(audit_id)


def pdf_text(path: Path, *pages: int) -> str:
    """The PDF's text in reading order, each run of white space one blank (lines wrap anywhere)."""
    args = ["pdftotext"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    text = subprocess.run([*args, str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "\f".join(" ".join(page.split()) for page in text.split("\f"))


def test_the_pdf_lists_every_item_of_the_scope_and_every_nonconformity_state(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    paths = write_report(audit_service, reported_audit, tmp_path / "report")
    assert set(paths) == {"pdf", "html"}
    text = pdf_text(Path(paths["pdf"]))
    with audit_service.open(reported_audit, writable=False) as audit:
        scope = audit.items
        states = {nc.item: nc.state.value for nc in audit.nonconformities()}
        seal = audit.seal()
    assert seal is not None
    assert scope == ["MAL-01", "MAL-02", "MAL-03", "WHD-01", "WHD-02", "INF-01", "CYB-01"]
    for item in scope:
        assert item in text, item
    assert "RDY-01" not in text  # the stage 1 section is outside a certification audit's scope
    assert states == {"MAL-01": "closed", "WHD-01": "open", "WHD-02": "planned"}
    for item, state in states.items():
        assert f"{item} · Major nonconformity" in text or f"{item} · Minor nonconformity" in text
        assert f"state: {state}" in text, state
    # cover, signatures and the verification line of every page
    assert "Kotwali Sector 39" in text and "GBN-S39" in text and "SHO" in text
    assert "mini-cycle" in text and audit_service.open(reported_audit, writable=False).checklist.content_hash in text
    assert seal.digest in text and AUDITOR_NAME in text
    pages = text.count("\f")
    assert pages >= 4
    assert text.count(f"seal {seal.digest[:16]}") >= pages  # every page's footer
    # the plan and its verification; the meeting with its acknowledgment
    assert "a monthly check signed by the SHO" in text and "parcels found and labelled" in text
    assert "Ramesh Yadav, Inspector" in text and "Closing meeting" in text
    # evidence: the photo as a thumbnail, and both files named with their hashes
    assert "malkhana-shelf.jpg" in text and "disposal-order.pdf" in text
    assert text.count("sha256 ") >= 2


def test_nothing_of_a_sensitive_item_reaches_the_pdf_or_the_html(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    paths = write_report(audit_service, reported_audit, tmp_path / "report")
    text = pdf_text(Path(paths["pdf"]))
    page = Path(paths["html"]).read_text(encoding="utf-8")
    for secret in (SECRET_NOTE, SECRET_PLAN):
        assert secret not in text and secret not in page
    assert "sensitive item: recorded as reference only" in text
    assert "sensitive item: recorded as reference only" in page
    # what is not sensitive is there: its note and the plan's text
    assert "desk unstaffed at 11:00" in text and "desk unstaffed at 11:00" in page


def test_the_html_embeds_the_devanagari_font_and_the_thumbnails(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    paths = write_report(audit_service, reported_audit, tmp_path / "report", lang="hi")
    page = Path(paths["html"]).read_text(encoding="utf-8")
    assert f'font-family: "{FONT_FAMILY}"' in page and "data:font/woff;base64," in page
    assert page.count("data:image/jpeg;base64,") == 1  # the photo; the PDF scan is listed only
    assert "@page { size: A4" in page
    assert "भवन ठीक है, बत्तियाँ चालू हैं" in page and "ऑडिट रिपोर्ट" in page
    assert Path(paths["pdf"]).name.endswith("-hi.pdf")


def test_an_open_audit_reports_as_a_draft(audit_service: AuditService, open_audit: str, tmp_path: Path) -> None:
    paths = write_report(audit_service, open_audit, tmp_path / "report", lang="en")
    text = pdf_text(Path(paths["pdf"]))
    assert "DRAFT: the audit is not closed" in text and "NOT SEALED" in text
    for item in ("MAL-01", "MAL-02", "MAL-03", "WHD-01", "WHD-02"):
        assert item in text


def test_a_bad_output_directory_or_language_writes_nothing(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(UserError) as caught:
        write_report(audit_service, reported_audit, blocker)
    assert caught.value.field == "out"
    with pytest.raises(UserError) as caught:
        write_report(audit_service, reported_audit, tmp_path / "new", lang="fr")
    assert caught.value.field == "lang"
    assert not (tmp_path / "new").exists()


def test_the_command_writes_both_files_and_refuses_a_bad_out(
    run_cli: Any, audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    data = str(audit_service.data.root)
    out = tmp_path / "printed"
    code, stdout, err = run_cli("--data-dir", data, "audit", "report", reported_audit[:10], "--out", out, "--json")
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["audit"] == reported_audit and doc["lang"] == "both"
    assert set(doc["paths"]) == {"pdf", "html"} and all(Path(p).is_file() for p in doc["paths"].values())
    code, stdout, err = run_cli("--data-dir", data, "audit", "report", reported_audit, "--out", out, "--lang", "en")
    assert code == 0 and "pdf" in stdout and err == ""

    missing = tmp_path / "no" / "such" / "place"
    (tmp_path / "no").write_text("a file where a folder is needed")
    code, stdout, err = run_cli("--data-dir", data, "audit", "report", reported_audit, "--out", missing)
    assert code == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1 and "--out" in err and "Traceback" not in err
    code, _, err = run_cli("--data-dir", data, "audit", "report", "ffffffffffff", "--out", tmp_path / "x")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_the_cover_and_summary_pages_render_to_png_for_review(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    """Pages 1-2 as PNG in tests/output/reports/ (looked at by a person when the layout changes)."""
    paths = write_report(audit_service, reported_audit, tmp_path / "report")
    REVIEW_DIR.mkdir(parents=True, exist_ok=True)
    prefix = REVIEW_DIR / "report"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", paths["pdf"], str(prefix)], check=True)
    pngs = sorted(REVIEW_DIR.glob("report-*.png"))
    assert len(pngs) >= 2
    with Image.open(pngs[1]) as summary:
        # the bar chart's navy is on the summary page
        colours = summary.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert any(rgb == (29, 53, 87) for _count, rgb in colours)


def test_the_fonts_are_embedded_and_made_once_per_data_directory(
    audit_service: AuditService, reported_audit: str, tmp_path: Path
) -> None:
    first = write_report(audit_service, reported_audit, tmp_path / "one")
    cache = audit_service.data.root / "cache"
    kept = sorted(p.name for p in cache.glob("report-font-*"))
    assert len(kept) == 2 and any(n.endswith(".ttf") for n in kept) and any(n.endswith(".css") for n in kept)
    second = write_report(audit_service, reported_audit, tmp_path / "two")
    fonts = subprocess.run(["pdffonts", second["pdf"]], check=True, capture_output=True, text=True).stdout
    faces = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert len(faces) == 2 and all("Devanagari" in f and " yes yes " in f for f in faces)  # both weights, embedded
    page = Path(second["html"]).read_text(encoding="utf-8")
    assert page.split("</style>")[0] == Path(first["html"]).read_text(encoding="utf-8").split("</style>")[0]
