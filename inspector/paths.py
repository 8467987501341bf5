"""Where the product keeps its files.

Resolution order: an explicit ``--data-dir``, then ``INSPECTOR_HOME``, then the platform's user
data directory. Every path the product writes is derived here so tests can point it at tmp_path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "station-inspector"
ENV_HOME = "INSPECTOR_HOME"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    import platformdirs  # deferred: only needed when nothing else says where

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataDir:
    """The layout of one data directory (an auditor's laptop, HQ, or a verifier)."""

    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike[str] | None = None) -> DataDir:
        return cls(resolve_data_dir(explicit))

    # auditor side
    @property
    def auditor_key(self) -> Path:
        return self.root / "keys" / "auditor.key"

    @property
    def audits(self) -> Path:
        return self.root / "audits"

    def audit_dir(self, audit_id: str) -> Path:
        return self.audits / audit_id

    # trust installed on this machine (auditor laptop or verifier)
    @property
    def trust(self) -> Path:
        return self.root / "trust"

    @property
    def pinned_roots(self) -> Path:
        return self.trust / "pinned"

    @property
    def installed_trustlist(self) -> Path:
        return self.trust / "trustlist.json"

    @property
    def installed_crl(self) -> Path:
        return self.trust / "crl.json"

    @property
    def installed_status(self) -> Path:
        return self.trust / "status.json"

    @property
    def inbox(self) -> Path:
        """Where the auditor copies the camera's photos; the evidence picker opens here first."""
        return self.root / "inbox"

    # headquarters
    @property
    def hq(self) -> Path:
        return self.root / "hq"

    @property
    def hq_key(self) -> Path:
        return self.hq / "root.key"

    @property
    def hq_register(self) -> Path:
        return self.hq / "register.json"

    @property
    def hq_bundles(self) -> Path:
        """The first release's flat folder of archived bundles (``<audit id>.zip``); read, and
        emptied into :attr:`hq_files` by ``inspector hq db upgrade``."""
        return self.hq / "bundles"

    @property
    def hq_certificates(self) -> Path:
        """The first release's flat folder of certificate records (``<cert id>.json``)."""
        return self.hq / "certificates"

    @property
    def hq_files(self) -> Path:
        """HQ's content-addressed file store: bundles, certificate records and evidence, each
        at ``ab/cd/<sha256>`` (never hundreds of thousands of files in one folder). ``[hq]
        files`` in ``config.toml`` or ``INSPECTOR_HQ_FILES`` may put it elsewhere (a share
        that several HQ machines see): see ``inspector.hq.register.settings``."""
        return self.hq / "files"

    @property
    def hq_tinydb_register(self) -> Path:
        """The embedded (TinyDB) register of imported audits and certificates."""
        return self.hq / "audits.json"

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    def ensure(self, path: Path) -> Path:
        """Create ``path``'s parent directories (private to the user) and return it."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path
