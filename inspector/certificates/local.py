"""The certificate records issued on this machine, and finding one by id or path."""

from __future__ import annotations

from pathlib import Path

from inspector.certificates.model import CERT_DIR
from inspector.errors import UserError
from inspector.paths import DataDir


def audit_certificates(audit_folder: Path) -> list[Path]:
    """The certificate records issued from the audit in ``audit_folder``, newest first."""
    folder = audit_folder / CERT_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)


def issued_certificates(data: DataDir) -> list[Path]:
    """Every certificate record issued on this machine, newest first."""
    if not data.audits.is_dir():
        return []
    paths = list(data.audits.glob(f"*/{CERT_DIR}/*.json"))
    return sorted(paths, key=lambda p: p.stat().st_mtime, reverse=True)


def find_certificate(data: DataDir, text: str) -> Path:
    """A certificate named by record path, full id, or a unique id prefix (dashes allowed)."""
    candidate = Path(text)
    if candidate.suffix == ".json" and candidate.is_file():
        return candidate
    wanted = text.replace("-", "").strip().upper()
    matches = [p for p in issued_certificates(data) if p.stem.startswith(wanted)] if len(wanted) >= 4 else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(f"certificate id {text!r} is ambiguous")
    raise UserError(f"unknown certificate {text!r} (give a record file or an id from 'inspector cert list')")
