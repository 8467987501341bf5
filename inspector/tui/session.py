"""What the app's screens share: the data directory, the services, and the unlocked key.

No Textual here: the session is plain state the screens read and workers call into, so it can
be unit-tested without a terminal. Blocking calls (key derivation, disk, crypto) must be made
from workers, never from a message handler.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from inspector.audit.service import AuditService
from inspector.crypto.keystore import KeyInfo, read_key_info, unlock
from inspector.crypto.signing import SigningKey
from inspector.paths import DataDir

DEFAULT_IDLE_LOCK_MINUTES = 15


@dataclass
class Session:
    data: DataDir
    demo_passphrase: str | None = None
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
    key: SigningKey | None = None
    lang: str = "en"
    """The language every screen shows ("en" or "hi"); switched with ``AppServices.set_language``."""
    last_activity: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.audits = AuditService(self.data)

    # -- the auditor's key ----------------------------------------------------------------------
    def has_key(self) -> bool:
        return self.data.auditor_key.is_file()

    def key_info(self) -> KeyInfo | None:
        return read_key_info(self.data.auditor_key) if self.has_key() else None

    def unlock(self, passphrase: str) -> SigningKey:
        """Derive the key (slow by design: call from a worker). Raises UserError if wrong."""
        self.key = unlock(self.data.auditor_key, passphrase)
        self.touch()
        return self.key

    def lock(self) -> None:
        self.key = None

    @property
    def unlocked(self) -> bool:
        return self.key is not None

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def idle_expired(self, now: float | None = None) -> bool:
        """True when the key has been idle longer than the configured minutes."""
        if self.key is None or self.idle_lock_minutes <= 0:
            return False
        return ((now or time.monotonic()) - self.last_activity) > self.idle_lock_minutes * 60

    # -- trust --------------------------------------------------------------------------------------
    def trust_lists(self) -> tuple[Any, Any]:
        """(trust list, revocation list) installed here; either may be None."""
        from inspector.trust.store import TrustStore

        store = TrustStore(self.data.root)
        return store.trustlist(), store.crl()

    @property
    def auditor_id(self) -> str | None:
        info = self.key_info()
        return info.auditor_id if info else None
