"""A throwaway world for a first look: demo HQ, an enrolled auditor, installed trust, stations.

Everything here goes through the same services a real deployment uses (HQ enrolment, signed
trust and revocation lists, pinning); only the passphrase is public and the directory temporary.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

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
        ]


def create_demo(root: Path | None = None) -> DemoWorld:
    """Set up a demo world in ``root`` (a new temporary directory when None); refuse a used one."""

    if root is None:
        root = Path(tempfile.mkdtemp(prefix="inspector-demo-"))
    elif root.exists() and any(root.iterdir()):
        raise UserError(f"demo data directory {root} is not empty: give a new or empty directory")
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
    return DemoWorld(data, DEMO_PASSPHRASE, DEMO_AUDITOR_ID, auditor.kid, hq_info.kid)
