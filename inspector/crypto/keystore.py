"""Key files: an Ed25519 private key encrypted at rest, with its public facts in the clear.

A key file is JSON (``"format": "inspector-key/v1"``)::

    {"format": "inspector-key/v1", "role": "auditor" | "hq", "name": ..., "auditor_id": ... | null,
     "public_key": base64 raw 32 bytes, "kid": 16 hex, "created_at": "YYYY-MM-DDTHH:MM:SSZ",
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": base64 16 bytes},
     "cipher": {"name": "aes-256-gcm", "nonce": base64 12 bytes},
     "ciphertext": base64 (32-byte raw private key + 16-byte tag)}

The wrapping key is scrypt(passphrase); the raw private key is sealed with AES-256-GCM whose
associated data is the canonical JSON of every field except ``ciphertext``, so no header field
(name, role, public key, KDF parameters) can be edited without the file failing to open.
PKCS#8 ``BestAvailableEncryption`` is not used: it is PBKDF2 at 2,048 iterations.

Files are written atomically (temp file, fsync, rename, directory fsync) with mode 0600 in a
0700 directory, and a key file that group or others can read is refused. Nothing here ever
prints, logs or returns the secret bytes except :func:`unlock`, as a ``SigningKey``.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspector._io import atomic
from inspector._io.atomic import private_dir
from inspector._io.text import check_line_text
from inspector.crypto.canonical import (
    canonical_json,
    loads_strict,
    now_text,
    parse_time,
)
from inspector.crypto.signing import PublicKey, SigningKey, b64decode, b64encode
from inspector.errors import UserError

KEY_FORMAT = "inspector-key/v1"
Role = Literal["auditor", "hq"]

SCRYPT_MIN_N = 2**14
SCRYPT_MAX_N = 2**20
DEFAULT_SCRYPT_N = 2**17  # OWASP (2023) for scrypt; ~0.2-0.5 s on a laptop
SCRYPT_R = 8
SCRYPT_P = 1
ENV_SCRYPT_N = "INSPECTOR_SCRYPT_N"  # cost for NEW keys (tests, slow hardware); bounds still apply
SALT_SIZE = 16
NONCE_SIZE = 12
KEY_FILE_LIMIT = 64 * 1024

AUDITOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
NAME_MAX = 120


class KeyFileError(UserError):
    """A key file that cannot be used: missing, damaged, unsafe or of the wrong kind."""


class KeyExists(KeyFileError):
    """Refusing to overwrite an existing key file."""


class KeyFileMissing(KeyFileError):
    """No key file where one is expected."""


class KeyPermissions(KeyFileError):
    """The key file is readable or writable by group or others."""


class WrongPassphrase(KeyFileError):
    """The passphrase does not open the key file (or the file's header was edited)."""

    default_code = "wrong-passphrase"


# ---------------------------------------------------------------------------------------------
# names and ids (shared with trust.py and hq.py)


def check_name(value: str, what: str = "name", *, field: str | None = None) -> str:
    """A person's or office's display name: one line, 1..120 characters, the one text policy."""
    return check_line_text(value, what, NAME_MAX, field=field)


def check_auditor_id(value: str, what: str = "auditor id", *, field: str | None = None) -> str:
    """An auditor id such as ``AUD-017`` or ``UP/GBN/A17``: ASCII letters, digits and . _ / -."""
    if not isinstance(value, str) or not AUDITOR_ID.match(value):
        raise UserError(f"{what}: {value!r} is not a valid id (letters, digits, '.', '_', '/', '-'; at most 64)")
    return value


# ---------------------------------------------------------------------------------------------
# atomic file writes (also used by trust.py and hq.py)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never a mix.

    The directory is created private (0700) if missing. With ``overwrite=False`` an existing
    file is never replaced and ``KeyExists`` is raised.
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        atomic.atomic_write(path, data, mode=mode, overwrite=overwrite)
    except atomic.TargetExists as exc:
        raise KeyExists(str(exc)) from None


# ---------------------------------------------------------------------------------------------
# the file format


class _Kdf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Literal["scrypt"]
    n: int
    r: int
    p: int
    salt: str


class _Cipher(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Literal["aes-256-gcm"]
    nonce: str


class KeyInfo(BaseModel):
    """The public facts of a key file: readable without the passphrase."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    role: Role
    name: Annotated[str, Field(min_length=1)]
    auditor_id: str | None = None
    public_key: str
    kid: str
    created_at: str

    @property
    def public(self) -> PublicKey:
        return PublicKey.from_b64(self.public_key, "public key")

    @property
    def kid_hex(self) -> str:
        return self.kid


class _KeyFile(KeyInfo):
    format: Literal["inspector-key/v1"]
    kdf: _Kdf
    cipher: _Cipher
    ciphertext: str

    def header(self) -> dict[str, Any]:
        return self.model_dump(exclude={"ciphertext"})

    def info(self) -> KeyInfo:
        return KeyInfo.model_validate(self.model_dump(include=set(KeyInfo.model_fields)))


def _aad(header: dict[str, Any]) -> bytes:
    return canonical_json(header)


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(unicodedata.normalize("NFC", passphrase).encode("utf-8"))


def _check_scrypt(n: int, r: int, p: int, where: str) -> None:
    if n < SCRYPT_MIN_N or n > SCRYPT_MAX_N or n & (n - 1):
        raise KeyFileError(f"{where}: scrypt n={n} refused (must be a power of two from 2**14 to 2**20)")
    # The product writes r=8, p=1 and nothing else; an edited file asking for more would make
    # unlocking take gigabytes or minutes before the passphrase is even checked.
    if r != SCRYPT_R or p != SCRYPT_P:
        raise KeyFileError(f"{where}: scrypt r={r}, p={p} refused (this product uses r={SCRYPT_R}, p={SCRYPT_P})")


def default_scrypt_n() -> int:
    text = os.environ.get(ENV_SCRYPT_N)
    if not text:
        return DEFAULT_SCRYPT_N
    try:
        n = int(text)
    except ValueError:
        raise UserError(f"${ENV_SCRYPT_N}: {text!r} is not a number") from None
    _check_scrypt(n, SCRYPT_R, SCRYPT_P, f"${ENV_SCRYPT_N}")
    return n


def create_key(
    path: Path,
    role: Role,
    name: str,
    passphrase: str,
    auditor_id: str | None = None,
    *,
    scrypt_n: int | None = None,
) -> KeyInfo:
    """Generate a key on this device and write it encrypted to ``path`` (never overwriting)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(path)
    if role not in ("auditor", "hq"):
        raise UserError(f"key role must be 'auditor' or 'hq', not {role!r}")
    name = check_name(name)
    if role == "auditor":
        if auditor_id is None:
            raise UserError("an auditor key needs an auditor id")
        auditor_id = check_auditor_id(auditor_id)
    elif auditor_id is not None:
        auditor_id = check_auditor_id(auditor_id)
    if not passphrase:
        raise UserError("empty passphrase")
    if path.exists() or path.is_symlink():
        raise KeyExists(f"{path}: a key already exists; refusing to overwrite it")
    n = default_scrypt_n() if scrypt_n is None else scrypt_n
    _check_scrypt(n, SCRYPT_R, SCRYPT_P, "new key")

    key = SigningKey.generate()
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    header: dict[str, Any] = {
        "format": KEY_FORMAT,
        "role": role,
        "name": name,
        "auditor_id": auditor_id,
        "public_key": key.public.b64,
        "kid": key.public.kid_hex,
        "created_at": now_text(),
        "kdf": {
            "name": "scrypt",
            "n": n,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": b64encode(salt),
        },
        "cipher": {"name": "aes-256-gcm", "nonce": b64encode(nonce)},
    }
    wrapping = _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(wrapping).encrypt(nonce, key.raw_private(), _aad(header))
    document = dict(header, ciphertext=b64encode(sealed))
    data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    atomic_write(path, data, mode=0o600, overwrite=False)
    return _KeyFile.model_validate(document).info()


def _read_key_file(path: Path) -> _KeyFile:
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyFileMissing(f"key file {path}: no such file") from None
    except OSError as exc:
        raise KeyFileError(f"key file {path}: cannot read ({exc.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise KeyFileError(f"key file {path}: not a regular file")
    if os.name == "posix" and st.st_mode & 0o077:
        raise KeyPermissions(
            f"key file {path}: readable or writable by group/others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run 'chmod 600 {path}'"
        )
    if os.name == "posix":
        folder = path.parent
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            # Others could list, swap or replace the key there even though the file is 0600.
            raise KeyPermissions(
                f"key directory {folder}: open to group/others (mode {mode:04o}); run 'chmod 700 {folder}'"
            )
    if st.st_size > KEY_FILE_LIMIT:
        raise KeyFileError(f"key file {path}: too large to be a key file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"key file {path}: cannot read ({exc.strerror})") from None
    try:
        data = loads_strict(raw, f"key file {path}")
    except UserError as exc:
        raise KeyFileError(f"{exc} (damaged or not a key file)") from None
    if not isinstance(data, dict) or data.get("format") != KEY_FORMAT:
        raise KeyFileError(f"key file {path}: not an {KEY_FORMAT} key file")
    try:
        keyfile = _KeyFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise KeyFileError(f"key file {path}: {where}: {first['msg']}") from None
    what = f"key file {path}"
    try:
        public = PublicKey.from_b64(keyfile.public_key, f"{what}: public_key")
    except UserError as exc:
        raise KeyFileError(str(exc) if str(exc).startswith(what) else f"{what}: {exc}") from None
    if public.kid_hex != keyfile.kid:
        raise KeyFileError(f"{what}: kid does not match the public key")
    try:
        parse_time(keyfile.created_at)
    except ValueError:
        raise KeyFileError(f"{what}: created_at is not a UTC time") from None
    if keyfile.role == "auditor" and keyfile.auditor_id is None:
        raise KeyFileError(f"{what}: auditor key without auditor_id")
    return keyfile


def read_key_info(path: Path) -> KeyInfo:
    """The public facts of the key file at ``path`` (no passphrase needed)."""
    return _read_key_file(Path(path)).info()


def unlock(path: Path, passphrase: str) -> SigningKey:
    """Decrypt the key file at ``path``; ``WrongPassphrase`` if it does not open."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    path = Path(path)
    keyfile = _read_key_file(path)
    what = f"key file {path}"
    kdf = keyfile.kdf
    _check_scrypt(kdf.n, kdf.r, kdf.p, what)
    try:
        salt = b64decode(kdf.salt, "salt")
        nonce = b64decode(keyfile.cipher.nonce, "nonce")
        sealed = b64decode(keyfile.ciphertext, "ciphertext")
    except UserError as exc:
        raise KeyFileError(f"{what}: {exc}") from None
    if len(salt) < SALT_SIZE or len(nonce) != NONCE_SIZE or len(sealed) != 32 + 16:
        raise KeyFileError(f"{what}: damaged (wrong salt, nonce or ciphertext length)")
    if not passphrase:
        raise WrongPassphrase(f"{what}: empty passphrase")
    wrapping = _derive(passphrase, salt, kdf.n, kdf.r, kdf.p)
    try:
        raw = AESGCM(wrapping).decrypt(nonce, sealed, _aad(keyfile.header()))
    except InvalidTag:
        raise WrongPassphrase(f"{what}: wrong passphrase (or the file was altered)", field="passphrase") from None
    key = SigningKey.from_raw(raw)
    if key.public.raw != keyfile.info().public.raw:
        raise KeyFileError(f"{what}: private key does not match its public key")
    return key
