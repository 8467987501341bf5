"""What the audit report says, gathered in one read of the audit: plain data for both layouts.

The report is read from the audit's own folder (its signed chain, seal, checklist copy and
evidence files) and the station registry, never from the index: what it prints is what HQ will
find in the bundle. :func:`gather` opens the audit read-only once; the PDF and HTML renderers
(:mod:`inspector.reports.pdf`, :mod:`inspector.reports.html`) then only format this data.

Sensitive items (victims of sexual offences, children, detainees) contribute their id, question,
status, grade and follow-up state, never their note, reason, evidence or plan texts: the report
travels further than the bundle (a station's notice board, an appeal file).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from inspector.audit.checklist import Bilingual
from inspector.audit.records import EvidenceRef
from inspector.audit.scoring import SectionScore
from inspector.audit.service import AuditService
from inspector.audit.stations import Station, load_registry
from inspector.audit.views import AuditView, view_of
from inspector.crypto.canonical import now_text
from inspector.errors import UserError

Lang = Literal["en", "hi", "both"]
LANGS: tuple[Lang, ...] = ("en", "hi", "both")

# Thumbnails: 360 px on the long side is about 200 dpi at the 45 mm they are printed, and keeps
# twenty of them to a few hundred KB in the PDF and the HTML alike.
THUMB_PX = 360
THUMB_QUALITY = 72
SENSITIVE_NOTE = Bilingual.model_construct(
    en="sensitive item: recorded as reference only",
    hi="संवेदनशील मद: केवल संदर्भ के रूप में दर्ज",
)

AUDIT_TYPES = {
    "stage1": ("Stage 1 (readiness review)", "चरण 1 (तैयारी समीक्षा)"),
    "certification": ("Certification (stage 2)", "प्रमाणन (चरण 2)"),
    "surveillance": ("Surveillance", "निगरानी"),
    "recertification": ("Recertification", "पुनः प्रमाणन"),
}
STATUS_TEXT = {
    "conform": ("Conform", "अनुरूप"),
    "minor": ("Minor nonconformity", "लघु गैर-अनुरूपता"),
    "major": ("Major nonconformity", "प्रमुख गैर-अनुरूपता"),
    "observation": ("Observation (opportunity for improvement)", "अवलोकन (सुधार का अवसर)"),
    "na": ("Not applicable", "लागू नहीं"),
}
STATE_TEXT = {
    "open": ("open: no corrective-action plan yet", "खुला: सुधारात्मक कार्य योजना अभी नहीं"),
    "planned": ("planned: plan recorded", "योजना दर्ज"),
    "closed": ("closed: verified effective", "बंद: प्रभावी सत्यापित"),
    "not-effective": ("not-effective: a new plan is needed", "अप्रभावी: नई योजना आवश्यक"),
}


@dataclass(frozen=True)
class Thumb:
    """A downscaled JPEG of an image evidence file (the original stays in the bundle)."""

    jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class EvidenceLine:
    name: str
    size: int
    media_type: str
    sha256: str
    thumb: Thumb | None
    missing: bool = False  # the stored file is absent (the audit is damaged; verify says more)


@dataclass(frozen=True)
class ItemLine:
    """One checklist item of the audit's scope and its latest finding (None: unanswered)."""

    id: str
    question: Bilingual
    criticality: str
    clauses: tuple[str, ...]
    legal: tuple[str, ...]
    sensitive: bool
    status: str | None
    note: str | None
    reason: str | None
    due: str | None
    time: str | None
    revision: int
    evidence: tuple[EvidenceLine, ...]


@dataclass(frozen=True)
class SectionBlock:
    id: str
    title: Bilingual
    score: SectionScore
    items: tuple[ItemLine, ...]


@dataclass(frozen=True)
class Report:
    """Everything the report prints."""

    view: AuditView
    station: Station | None  # None: the station is no longer in the registry
    checklist_id: str
    checklist_version: str
    checklist_hash: str
    checklist_title: Bilingual
    auditor_id: str
    auditor_name: str
    auditor_kid: str
    seal_digest: str | None  # SHA-256 of the seal envelope: what HQ matches with the bundle
    sections: tuple[SectionBlock, ...]
    generated: str  # UTC time the report was made

    @property
    def sealed(self) -> bool:
        return self.seal_digest is not None

    def item(self, item_id: str) -> ItemLine:
        return next(i for block in self.sections for i in block.items if i.id == item_id)

    @property
    def thumbnails(self) -> int:
        return sum(1 for b in self.sections for i in b.items for e in i.evidence if e.thumb is not None)


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise UserError(f"report language {lang!r}: use en, hi or both", field="lang", code="bad-lang")
    return lang


def gather(service: AuditService, audit_id: str) -> Report:
    """Read ``audit_id`` (full id or unique prefix) once, read-only. Blocking: disk, image decoding."""
    with service.open(audit_id, writable=False) as audit:
        view = view_of(audit)
        opened = audit.opened
        seal = audit.seal()
        latest = audit.latest()
        thumbs: dict[str, Thumb | None] = {}  # one decode per stored file, however often attached
        blocks: list[SectionBlock] = []
        scores = {s.section_id: s for s in view.score.sections}
        for section in audit.checklist.sections:
            if section.id not in audit.sections:
                continue
            lines: list[ItemLine] = []
            for item in section.items:
                finding = latest.get(item.id)
                sensitive = item.sensitive
                evidence: tuple[EvidenceLine, ...] = ()
                if finding is not None and not sensitive:
                    evidence = tuple(_evidence(ref, audit.evidence_dir, thumbs) for ref in finding.evidence)
                lines.append(
                    ItemLine(
                        id=item.id,
                        question=item.question_text,
                        criticality=item.criticality.value,
                        clauses=tuple(item.clauses),
                        legal=tuple(item.legal),
                        sensitive=sensitive,
                        status=finding.status.value if finding else None,
                        note=None if sensitive or finding is None else finding.note,
                        reason=None if sensitive or finding is None else finding.reason,
                        due=finding.due if finding else None,
                        time=finding.time if finding else None,
                        revision=finding.revision if finding else 0,
                        evidence=evidence,
                    )
                )
            blocks.append(SectionBlock(section.id, section.title, scores[section.id], tuple(lines)))
        station = load_registry(data_root=service.data.root).find(opened.station.code)
        return Report(
            view=view,
            station=station,
            checklist_id=opened.checklist.id,
            checklist_version=opened.checklist.version,
            checklist_hash=opened.checklist.hash,
            checklist_title=audit.checklist.title,
            auditor_id=opened.auditor.id,
            auditor_name=opened.auditor.name,
            auditor_kid=opened.auditor.kid,
            seal_digest=seal.digest if seal else None,
            sections=tuple(blocks),
            generated=now_text(),
        )


def _evidence(ref: EvidenceRef, folder: Path, thumbs: dict[str, Thumb | None]) -> EvidenceLine:
    stored = folder / ref.sha256
    missing = not stored.is_file()
    if ref.sha256 not in thumbs:
        thumbs[ref.sha256] = None if missing or not ref.media_type.startswith("image/") else thumbnail(stored)
    return EvidenceLine(ref.name, ref.size, ref.media_type, ref.sha256, thumbs[ref.sha256], missing)


def thumbnail(path: Path) -> Thumb | None:
    """A JPEG at most ``THUMB_PX`` on its long side, upright; None if Pillow cannot read it."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            # JPEG decodes at 1/2, 1/4 or 1/8 scale when asked first: a 12-megapixel phone photo
            # then costs a few milliseconds instead of a full decode.
            image.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((THUMB_PX, THUMB_PX))
            rgb = upright.convert("RGB")
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=THUMB_QUALITY, optimize=False)
            return Thumb(out.getvalue(), rgb.width, rgb.height)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # not an image Pillow reads (or a truncated one): listed by name and hash


def bilingual(en: str, hi: str, lang: Lang, sep: str = " / ") -> str:
    """A label in the report's language(s)."""
    if lang == "en":
        return en
    if lang == "hi":
        return hi
    return f"{en}{sep}{hi}"


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def counts_by_grade(report: Report) -> list[tuple[str, int]]:
    """(status, number of items) over the scope, plus the unanswered ones while the audit is open."""
    score = report.view.score
    conform = score.answered - score.majors - score.minors - score.observations - score.na
    rows = [
        ("conform", conform),
        ("observation", score.observations),
        ("minor", score.minors),
        ("major", score.majors),
        ("na", score.na),
    ]
    if score.unanswered:
        rows.append(("unanswered", len(score.unanswered)))
    return rows


def verification_line(report: Report) -> str:
    """The line on every page that ties a printed page to the bundle HQ holds."""
    view = report.view
    head = f"Audit {view.audit_id} · {view.station_code}"
    if report.seal_digest is None:
        return f"{head} · NOT SEALED (audit open: findings may still change) · {view.records} records"
    return (
        f"{head} · seal {report.seal_digest[:16]} · {view.sealed_records} sealed / {view.records} records · "
        f"check: inspector audit verify {view.audit_id[:12]}"
    )
