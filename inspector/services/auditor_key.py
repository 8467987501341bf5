"""An auditor's first key on this device: the passphrase policy, and "create the key, export its PEM".

The app's first-run screen uses this; ``inspector keys init`` keeps its own flow (flags, prompts,
and ``keys export-public`` as a separate step). The public half is written as PEM next to the
key (``DATA/keys/auditor-public.pem``) for the auditor to send to HQ for enrolment.

Errors are :class:`~inspector.errors.UserError` with ``field`` naming the input at fault:
``"name"``, ``"auditor_id"`` or ``"passphrase"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector._io.atomic import private_dir, write_private
from inspector.crypto.keystore import KeyInfo, check_auditor_id, check_name, create_key
from inspector.errors import UserError
from inspector.paths import DataDir

__all__ = [
    "MIN_PASSPHRASE",
    "PUBLIC_PEM_NAME",
    "CreatedKey",
    "check_new_key",
    "create_auditor_key",
    "public_pem_path",
]

PUBLIC_PEM_NAME = "auditor-public.pem"
MIN_PASSPHRASE = 8
PUBLIC_PEM_MODE = 0o644  # the public half is meant to be copied and sent


def public_pem_path(data: DataDir) -> Path:
    """Where the auditor's public key is exported for HQ."""
    return data.auditor_key.parent / PUBLIC_PEM_NAME


def check_new_key(name: str, auditor_id: str, passphrase: str, repeated: str) -> tuple[str, str]:
    """The name and auditor id to create a key with, or the first problem with the input.

    Pure and quick (no disk): a form may call it on every submit.
    """
    if not name.strip():
        raise UserError("type your name", code="missing-name", field="name")
    if not auditor_id.strip():
        raise UserError("type your auditor id", code="missing-auditor-id", field="auditor_id")
    try:
        name = check_name(name, "your name", field="name")
        auditor_id = check_auditor_id(auditor_id.strip())
    except UserError as exc:
        raise UserError(exc.message, code=exc.code, field=exc.field or "auditor_id") from None
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(
            f"the passphrase needs at least {MIN_PASSPHRASE} characters",
            code="passphrase-too-short",
            field="passphrase",
        )
    if passphrase != repeated:
        raise UserError("the two passphrases differ: type them again", code="passphrases-differ", field="passphrase")
    return name, auditor_id


@dataclass(frozen=True)
class CreatedKey:
    info: KeyInfo
    pem_path: Path


def create_auditor_key(
    data: DataDir, name: str, auditor_id: str, passphrase: str, repeated: str | None = None
) -> CreatedKey:
    """Create this device's auditor key (encrypted with ``passphrase``) and export its public PEM.

    ``repeated`` is the passphrase typed a second time (None: not asked). Slow by design (scrypt):
    the app calls it from a worker. Never overwrites an existing key.
    """
    name, auditor_id = check_new_key(name, auditor_id, passphrase, passphrase if repeated is None else repeated)
    private_dir(data.auditor_key.parent)
    info = create_key(data.auditor_key, "auditor", name, passphrase, auditor_id)
    pem = public_pem_path(data)
    write_private(pem, info.public.to_pem(), mode=PUBLIC_PEM_MODE)
    return CreatedKey(info, pem)
