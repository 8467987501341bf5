"""Certificate-record entry points that import their module on first call.

``certificates.verify`` is imported by every ``inspector verify`` (and by the app's verify
screen), but only a certificate *record* file needs ``model.parse_record``; importing
``model`` at start-up pulls in the audit record models with it (about 14 ms of a 0.15 s
``inspector verify --payload``, measured with ``python -X importtime``; issue 16, goal 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.certificates.model import CertificateBody
    from inspector.crypto.signing import Envelope


def parse_record(data: bytes, what: str) -> tuple[Envelope, CertificateBody]:
    """``inspector.certificates.model.parse_record``, imported when first needed."""
    from inspector.certificates.model import parse_record as parse

    return parse(data, what)
