"""A certificate's renderings: the record, QR as PNG/SVG, the printable HTML and PDF."""

from __future__ import annotations

from pathlib import Path

from inspector._io.atomic import write_private
from inspector.certificates import printing, qr
from inspector.certificates.model import CertificateBody, qr_text_of, record_bytes
from inspector.crypto.signing import Envelope
from inspector.errors import UserError


def write_outputs(
    body: CertificateBody,
    envelope: Envelope,
    out_dir: Path,
    *,
    formats: tuple[str, ...] = ("json", "png", "svg", "html", "pdf"),
) -> dict[str, str]:
    """Write the record and its renderings into ``out_dir``; returns format -> path."""

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"output directory {out_dir}: cannot create ({exc.strerror})") from None
    text = qr_text_of(body)
    stem = out_dir / f"certificate-{body.cert_id}"
    written: dict[str, str] = {}
    renders = {
        "json": lambda: record_bytes(envelope),
        "png": lambda: qr.png_bytes(text, box_size=12),
        "svg": lambda: qr.svg_text(text).encode("utf-8"),
        "html": lambda: printing.render_html(body, qr.svg_text(text)).encode("utf-8"),
        "pdf": lambda: printing.render_pdf(body, qr.png_bytes(text, box_size=12)),
    }
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}") if fmt != "png" else out_dir / f"certificate-{body.cert_id}-qr.png"
        if fmt == "svg":
            path = out_dir / f"certificate-{body.cert_id}-qr.svg"
        try:
            write_private(path, renders[fmt](), mode=0o644)
        except OSError as exc:
            raise UserError(f"{path}: cannot write ({exc.strerror})") from None
        written[fmt] = str(path)
    return written
