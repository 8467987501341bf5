"""What more than one test module shares: the test world's constants, the audit store on disk,
zip members, and two builders (certificate claims, phone photos of a printed code).

Fixtures live in tests/conftest.py; this module holds plain values and functions, imported as
``from tests.helpers import ...`` (the repository root is on sys.path: ``pythonpath`` in
pyproject.toml).

Stored records: an audit folder holds ``audit.json``, a RecordStore with the signed chain in one
table and the closing seal in another (``inspector.audit.layout``). Tests that read or rewrite
them by hand, as an attacker with the laptop or a crash would leave them, go through
``stored_records``, ``stored_seal`` and ``rewrite_records`` here, never through the file name or
the table names.
"""

from __future__ import annotations

import io
import random
import sys
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageFilter

from inspector.audit.layout import RECORDS, SEAL, STORE_NAME
from inspector.certificates.psc1 import CertClaims, CertResult
from inspector.paths import DataDir
from inspector.store.record_store import RecordStore

if TYPE_CHECKING:
    from inspector.audit.service import AuditService

# --------------------------------------------------------------------------- the test world

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI_CHECKLIST = DATA / "mini-checklist.toml"  # two sections, five items, every criticality
PYTHON = sys.executable

PASSPHRASE = "correct horse battery staple"  # of every key tests/conftest.py makes
SCRYPT_N = 2**14  # the lowest cost the key store accepts
AUDITOR_ID = "AUD-017"
AUDITOR_NAME = "Sunita Devi"
STATIONS_TOML = """\
[[stations]]
code = "GBN-S39"
name = { en = "Kotwali Sector 39", hi = "कोतवाली सेक्टर 39" }
district = "Gautam Buddh Nagar"
commissionerate = "Gautam Buddh Nagar"
zone = "Noida"
in_charge = "SHO"

[[stations]]
code = "GBN-S49"
name = { en = "Sector 49", hi = "सेक्टर 49" }
district = "Gautam Buddh Nagar"
commissionerate = "Gautam Buddh Nagar"
zone = "Noida"
in_charge = "SHO"
"""

# The mini checklist answered in full: item -> (status, note, reason). Scored, 7 of the 12
# applicable weight conforms (MAL-01's 5 is lost to the minor, MAL-03 is na): 58%, not ready.
MINI_ANSWERS = {
    "MAL-01": ("minor", "3 entries of 2024 not traceable", "items found in the annexe store"),
    "MAL-02": ("conform", None, None),
    "MAL-03": ("na", None, None),
    "WHD-01": ("conform", "महिला उप-निरीक्षक तैनात", None),
    "WHD-02": ("observation", "register legible; index missing", None),
}


# --------------------------------------------------------------------------- stored records

Docs = list[dict[str, Any]]


def audit_store(where: DataDir | AuditService, audit_id: str) -> Path:
    """The store file of one audit, in a data directory or an AuditService's."""
    data = where if isinstance(where, DataDir) else where.data
    return Path(data.audit_dir(audit_id)) / STORE_NAME


def stored_records(where: DataDir | AuditService, audit_id: str) -> Docs:
    """The signed chain exactly as stored: one envelope document per record, in order."""
    with RecordStore(audit_store(where, audit_id), writable=False) as store:
        return store.all(RECORDS)


def stored_seal(where: DataDir | AuditService, audit_id: str) -> Docs:
    """The seal's envelope document (a list of one once the audit is closed, else empty)."""
    with RecordStore(audit_store(where, audit_id), writable=False) as store:
        return store.all(SEAL)


def rewrite_records(
    where: DataDir | AuditService, audit_id: str, records: Sequence[dict[str, Any]], seal: Sequence[dict[str, Any]] = ()
) -> None:
    """Replace the audit's store by a fresh one holding exactly ``records`` and ``seal``: what
    someone with the laptop can write (the store's checksums are no secret), or what a crash
    between two writes leaves. No seal table is written when ``seal`` is empty."""
    path = audit_store(where, audit_id)
    path.unlink()
    with RecordStore(path) as store:
        store.append_many(RECORDS, list(records))
        if seal:
            store.append_many(SEAL, list(seal))


# --------------------------------------------------------------------------- zip files


def zip_members(path: Path) -> dict[str, bytes]:
    """Every member of a zip file (a bundle), by name."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(path: Path, members: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> Path:
    """Write ``members`` (a mapping, or pairs so that a name may appear twice) as a zip file."""
    items = members.items() if isinstance(members, Mapping) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some tests write
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in items:
                archive.writestr(name, data)
    return path


# --------------------------------------------------------------------------- certificates


def make_claims(**overrides: Any) -> CertClaims:
    """A realistic certificate: shipped checklist id, a GBN station, a UP auditor id."""
    fields: dict[str, Any] = dict(
        issuer=1,
        issued_at=1781654400,
        expires_at=1876348800,
        cert_id=bytes.fromhex("0123456789abcdef0123"),
        station_code="GBN-S39",
        checklist_id="police-station-iso9001",
        checklist_version="1.0.0",
        result=CertResult.CERTIFIED,
        score=87,
        majors=0,
        minors=3,
        auditor_id="UP/GBN/A17",
        findings_root=bytes.fromhex("00112233445566778899aabbccddeeff"),
    )
    fields.update(overrides)
    return CertClaims(**fields)


def _solve(rows: list[list[float]], rhs: list[float]) -> list[float]:
    """Gauss-Jordan for the 8x8 perspective system (no numpy in the environment)."""
    m = [row + [value] for row, value in zip(rows, rhs)]
    n = len(m)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                factor = m[r][col] / m[col][col]
                m[r] = [a - factor * b for a, b in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def _keystone(width: int, height: int, k: float) -> list[float]:
    """PERSPECTIVE coefficients making the top edge ~2k narrower, as if shot from below."""
    out = [(0, 0), (width, 0), (width, height), (0, height)]
    src = [(-k * width, 0), ((1 + k) * width, -0.03 * height), (width, height), (0, height)]
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (sx, sy) in zip(out, src):
        rows += [[x, y, 1, 0, 0, 0, -sx * x, -sx * y], [0, 0, 0, x, y, 1, -sy * x, -sy * y]]
        rhs += [sx, sy]
    return _solve(rows, rhs)


def degraded_photo(png: bytes, angle: float, seed: int = 0) -> bytes:
    """A phone photo of a printed code: rotated, keystoned, 400 px wide, blurred, noisy, JPEG 60."""
    code = Image.open(io.BytesIO(png)).convert("L")
    paper = Image.new("L", (code.width + 160, code.height + 160), 230)
    paper.paste(code, (80, 80))
    scene = paper.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    w, h = scene.size
    scene = scene.transform(
        (w, h), Image.Transform.PERSPECTIVE, _keystone(w, h, 0.12), Image.Resampling.BICUBIC, fillcolor=90
    )
    scene = scene.resize((400, round(400 * h / w)), Image.Resampling.LANCZOS)
    scene = scene.filter(ImageFilter.GaussianBlur(1.0))
    noise = Image.frombytes("L", scene.size, random.Random(seed).randbytes(scene.width * scene.height))
    scene = Image.blend(scene, noise, 0.2)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=60)
    return out.getvalue()
