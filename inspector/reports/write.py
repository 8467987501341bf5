"""Writing the report's two files: all or nothing, like the certificate's renderings."""

from __future__ import annotations

from pathlib import Path

from inspector._io.outputs import check_output_dir, write_all_or_nothing
from inspector.audit.service import AuditService
from inspector.reports.html import render_html
from inspector.reports.model import check_lang, gather
from inspector.reports.pdf import render_pdf

CACHE_DIR = "cache"  # the data directory's cache folder (the station registry's cache is there too)


def report_stem(audit_id: str, lang: str) -> str:
    """``audit-report-<first 12 of the id>`` (``-en``/``-hi`` for one language only)."""
    suffix = "" if lang == "both" else f"-{lang}"
    return f"audit-report-{audit_id[:12]}{suffix}"


def write_report(service: AuditService, audit_id: str, out_dir: Path, *, lang: str = "both") -> dict[str, str]:
    """Write the report of ``audit_id`` into ``out_dir`` as PDF and HTML; returns format -> path.

    The output directory is checked before anything is read, and both files are rendered in
    memory before either is written; a failed write removes what this call wrote (and the
    directory, if it made it). Blocking: disk, image decoding, PDF layout (about a second).
    """
    chosen = check_lang(lang)
    out_dir = check_output_dir(out_dir, "output directory")
    report = gather(service, audit_id)
    stem = out_dir / report_stem(report.view.audit_id, chosen)
    cache = service.data.root / CACHE_DIR
    rendered = [
        ("pdf", stem.with_suffix(".pdf"), render_pdf(report, chosen, cache)),
        ("html", stem.with_suffix(".html"), render_html(report, chosen, cache).encode("utf-8")),
    ]
    return write_all_or_nothing(out_dir, rendered)
