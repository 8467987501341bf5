"""A certificate's renderings: the record, QR as PNG/SVG, the printable HTML and PDF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from inspector._io.outputs import check_output_dir, write_all_or_nothing
from inspector.certificates import printing, qr
from inspector.certificates.model import CertificateBody, qr_text_of, record_bytes
from inspector.crypto.canonical import parse_time
from inspector.crypto.signing import Envelope
from inspector.trust.status import CertStatus, StatusList, cti_of


def write_outputs(
    body: CertificateBody,
    envelope: Envelope,
    out_dir: Path,
    *,
    formats: tuple[str, ...] = ("json", "png", "svg", "html", "pdf"),
    context: printing.PrintContext = printing.DRAFT,
) -> dict[str, str]:
    """Write the record and its renderings into ``out_dir``; returns format -> path.

    All or nothing: every rendering is made in memory first, and a failed write removes the
    files this call already wrote (and the directory, if it made it).
    """
    out_dir = check_output_dir(out_dir, "output directory")
    text = qr_text_of(body)
    stem = out_dir / f"certificate-{body.cert_id}"
    renders = {
        "json": lambda: record_bytes(envelope),
        "png": lambda: qr.png_bytes(text, box_size=12),
        "svg": lambda: qr.svg_text(text).encode("utf-8"),
        "html": lambda: printing.render_html(body, qr.svg_text(text), context).encode("utf-8"),
        "pdf": lambda: printing.render_pdf(body, qr.png_bytes(text, box_size=12), context),
    }
    rendered: list[tuple[str, Path, bytes]] = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}") if fmt != "png" else out_dir / f"certificate-{body.cert_id}-qr.png"
        if fmt == "svg":
            path = out_dir / f"certificate-{body.cert_id}-qr.svg"
        rendered.append((fmt, path, renders[fmt]()))
    return write_all_or_nothing(out_dir, rendered)


def print_context(
    body: CertificateBody, status: StatusList | None, station_address: str | None = None
) -> printing.PrintContext:
    """What the printed certificate says of HQ's decision, from the installed status list.

    Granted: the decision date, the revision and original date of a renewal, the certifying
    organisation. Anything else (no list, not decided, suspended...): a draft.
    """
    organisation = status.organisation if status is not None else None
    draft = printing.PrintContext(
        organisation=organisation.name if organisation else None,
        organisation_address=organisation.address if organisation else None,
        accreditation=organisation.accreditation if organisation else None,
        station_address=station_address,
    )
    if status is None:
        return draft
    found = status.lookup(cti_of(body.cert_id))
    if found is None or found[0] != CertStatus.GRANTED:
        return draft
    renewal = next((r for r in status.renewals if r.cert_id == body.cert_id), None)
    return replace(
        draft,
        decided_on=found[2],
        revision=renewal.revision if renewal else 0,
        original_certification=parse_time(renewal.original_certification).date() if renewal else None,
    )
