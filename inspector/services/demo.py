"""A throwaway world for a first look: demo HQ, an enrolled auditor, installed trust, stations.

Everything here goes through the same services a real deployment uses (HQ enrolment, signed
trust and revocation lists, pinning); only the passphrase is public and the directory temporary.

A demo directory carries a marker file (``demo.json``: the two demo key ids) so that
``inspector demo --data-dir DIR`` can tell its own folder, which it reopens, from any other
non-empty folder, which it refuses: a real data directory must never be opened as a demo.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path

from inspector._io.atomic import atomic_write
from inspector.crypto.keystore import create_key
from inspector.errors import UserError
from inspector.hq.enrolment import HQ
from inspector.paths import DataDir
from inspector.trust.store import TrustStore

DEMO_PASSPHRASE = "demo-passphrase"
DEMO_AUDITOR_ID = "AUD-GBN-017"
DEMO_AUDITOR_NAME = "Sunita Devi"
DEMO_HQ_NAME = "Demo HQ, Gautam Buddh Nagar Police Commissionerate"
# Throwaway keys need no full-strength KDF; a real key uses the keystore's default.
DEMO_SCRYPT_N = 2**14
DEMO_MARKER = "demo.json"
DEMO_MARKER_FORMAT = "inspector-demo/v1"


class NotADemoDirectory(UserError):
    """``demo --data-dir`` named a non-empty folder that is not a demo data directory."""

    default_code = "not-a-demo-directory"


@dataclass(frozen=True)
class DemoWorld:
    data: DataDir
    passphrase: str
    auditor_id: str
    auditor_kid: str
    hq_kid: str

    def describe(self) -> list[str]:
        return [
            f"demo data directory: {self.data.root}",
            f"demo HQ root key {self.hq_kid} pinned; trust list and revocation list installed",
            f"auditor {DEMO_AUDITOR_NAME} ({self.auditor_id}) enrolled with key {self.auditor_kid}",
            f"passphrase for both demo keys: {self.passphrase}",
            "stations: the eight certified Gautam Buddh Nagar stations ('inspector stations list')",
            f"open this demo again with: {self.reopen_command}",
        ]

    @property
    def reopen_command(self) -> str:
        """The exact command that opens this demo's data again (quoted for a POSIX shell)."""
        return f"inspector demo --data-dir {shlex.quote(str(self.data.root.resolve()))}"


def open_demo(root: Path) -> DemoWorld | None:
    """The demo world already set up in ``root``, or None when ``root`` holds no demo marker."""
    marker = Path(root) / DEMO_MARKER
    if not marker.is_file():
        return None
    try:
        facts = json.loads(marker.read_text(encoding="utf-8"))
        if facts.get("format") != DEMO_MARKER_FORMAT:
            return None
        auditor_kid, hq_kid = str(facts["auditor_kid"]), str(facts["hq_kid"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, AttributeError):
        return None
    data = DataDir(Path(root))
    if not data.auditor_key.is_file():
        return None
    return DemoWorld(data, DEMO_PASSPHRASE, DEMO_AUDITOR_ID, auditor_kid, hq_kid)


def create_or_open_demo(root: Path | None = None) -> tuple[DemoWorld, bool]:
    """The demo world in ``root``: set up afresh (new, empty or None: a temporary directory),
    or reopened when ``root`` is a demo directory already; (world, reopened)."""
    if root is not None and root.exists() and root.is_dir() and any(root.iterdir()):
        world = open_demo(root)
        if world is not None:
            return world, True
    return create_demo(root), False


def create_demo(root: Path | None = None) -> DemoWorld:
    """Set up a demo world in ``root`` (a new temporary directory when None); refuse a used one."""

    if root is None:
        root = Path(tempfile.mkdtemp(prefix="inspector-demo-"))
    elif root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise NotADemoDirectory(
            f"demo data directory {root} is not empty and is not a demo directory: give a new or empty directory",
            field="data_dir",
        )
    data = DataDir(root)
    hq = HQ(data.root)
    hq_info = hq.init(DEMO_HQ_NAME, DEMO_PASSPHRASE, scrypt_n=DEMO_SCRYPT_N)
    auditor = create_key(
        data.auditor_key,
        "auditor",
        DEMO_AUDITOR_NAME,
        DEMO_PASSPHRASE,
        DEMO_AUDITOR_ID,
        scrypt_n=DEMO_SCRYPT_N,
    )
    hq.enroll(auditor.public, DEMO_AUDITOR_NAME, DEMO_AUDITOR_ID, DEMO_PASSPHRASE)
    store = TrustStore(data.root)
    store.pin(hq.root_public().to_pem())
    store.install(hq.export_trustlist(DEMO_PASSPHRASE))
    store.install_crl(hq.export_crl(DEMO_PASSPHRASE))
    marker = {"format": DEMO_MARKER_FORMAT, "auditor_kid": auditor.kid, "hq_kid": hq_info.kid}
    # Written last: a folder whose set-up was interrupted is not mistaken for a finished demo.
    atomic_write(data.root / DEMO_MARKER, json.dumps(marker, indent=1).encode() + b"\n", mode=0o644)
    return DemoWorld(data, DEMO_PASSPHRASE, DEMO_AUDITOR_ID, auditor.kid, hq_info.kid)
