"""``inspector audit verify``: a bundle file or an audit stored here, against the trust this machine has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inspector.audit.service import AuditService
from inspector.audit.verify import VerifyReport, verify_local
from inspector.bundle.reader import BundleReader
from inspector.bundle.verify import verify_bundle
from inspector.hq.trust_source import choose_trust
from inspector.paths import DataDir


def verify_audit(data: DataDir, target: str | Path, trust: Any | None = None) -> VerifyReport:
    """Verify ``target``, a bundle file or the id of an audit here.

    Signers are checked against ``trust`` if given, else against the trust this machine has
    (``choose_trust``); with none at all, only integrity is checked and a warning says so.
    """
    path = Path(target)
    source = "the trust list given"
    is_bundle = path.suffix.lower() == ".zip" or path.is_file()
    with BundleReader(path) if is_bundle else _no_bundle() as reader:
        if trust is None:
            trust, source = choose_trust(data, reader, required=False)
        if reader is not None:
            report = verify_bundle(reader, trust)
        else:
            report = verify_local(AuditService(data), str(target), trust)
    if trust is not None:
        report.trust = f"{source} (seq {trust.seq})"
    return report


@contextmanager
def _no_bundle() -> Iterator[None]:
    yield None
