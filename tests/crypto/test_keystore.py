"""Key files: encrypted at rest with scrypt + AES-GCM, header bound as AAD, mode 0600."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from inspector.crypto.keystore import (
    KEY_FORMAT,
    KeyExists,
    KeyFileError,
    KeyFileMissing,
    KeyInfo,
    KeyPermissions,
    WrongPassphrase,
    atomic_write,
    create_key,
    read_key_info,
    unlock,
)
from inspector.crypto.signing import Domain, PublicKey, sign_record, verify_record
from inspector.errors import UserError

FAST_N = 2**14
PASS = "सही पासफ़्रेज़ 42"


@pytest.fixture(scope="module")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="module")
def auditor(keydir: Path) -> tuple[Path, KeyInfo]:
    path = keydir / "private" / "auditor.key"
    info = create_key(path, "auditor", "सुनीता शर्मा", PASS, "AUD-017", scrypt_n=FAST_N)
    return path, info


def _copy(src: Path, dst: Path, edit=None) -> Path:  # type: ignore[no-untyped-def]
    data = json.loads(src.read_text(encoding="utf-8"))
    if edit:
        edit(data)
    dst.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    dst.chmod(0o600)
    return dst


def test_create_then_unlock_round_trip(auditor: tuple[Path, KeyInfo]) -> None:
    path, info = auditor
    assert info.role == "auditor" and info.auditor_id == "AUD-017" and info.name == "सुनीता शर्मा"
    assert isinstance(info.public, PublicKey) and info.public.kid_hex == info.kid
    key = unlock(path, PASS)
    assert key.public == info.public
    env = sign_record(key, Domain.FINDING, {"ok": True})
    assert verify_record(env, Domain.FINDING, read_key_info(path).public) == {"ok": True}


def test_file_format_and_modes(auditor: tuple[Path, KeyInfo]) -> None:
    path, info = auditor
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == KEY_FORMAT == "inspector-key/v1"
    assert {"role", "name", "auditor_id", "public_key", "kid", "created_at", "kdf", "cipher", "ciphertext"} <= set(data)
    assert data["kdf"]["name"] == "scrypt" and data["kdf"]["n"] == FAST_N
    assert data["cipher"]["name"] == "aes-256-gcm"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_key_info(path) == info


def test_secret_never_appears_in_file_or_repr(auditor: tuple[Path, KeyInfo]) -> None:
    path, _ = auditor
    key = unlock(path, PASS)
    raw = key.raw_private()
    text = path.read_bytes()
    import base64

    assert raw not in text and base64.b64encode(raw) not in text and raw.hex().encode() not in text
    assert raw.hex() not in repr(key) and raw.hex() not in str(key)


def test_wrong_passphrase(auditor: tuple[Path, KeyInfo]) -> None:
    path, _ = auditor
    with pytest.raises(WrongPassphrase, match=str(path)):
        unlock(path, "wrong")
    with pytest.raises(WrongPassphrase):
        unlock(path, "")


def test_passphrase_is_nfc_normalised(auditor: tuple[Path, KeyInfo]) -> None:
    import unicodedata

    path, info = auditor
    assert unlock(path, unicodedata.normalize("NFD", PASS)).public == info.public


def test_refuses_to_overwrite(auditor: tuple[Path, KeyInfo]) -> None:
    path, info = auditor
    before = path.read_bytes()
    with pytest.raises(KeyExists, match="refusing to overwrite"):
        create_key(path, "auditor", "X", "p", "AUD-1", scrypt_n=FAST_N)
    assert path.read_bytes() == before


def test_atomic_write_no_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write(target, b"one", overwrite=False)
    with pytest.raises(KeyExists):
        atomic_write(target, b"two", overwrite=False)
    assert target.read_bytes() == b"one"
    atomic_write(target, b"three")
    assert target.read_bytes() == b"three"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]  # no temp files left behind


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o700 | 0o004, 0o620])
def test_group_or_other_access_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path, mode: int) -> None:
    path, _ = auditor
    copy = _copy(path, tmp_path / "a.key")
    copy.chmod(mode)
    with pytest.raises(KeyPermissions, match=str(copy)):
        read_key_info(copy)
    with pytest.raises(KeyPermissions, match="chmod 600"):
        unlock(copy, PASS)


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "Someone Else"),
        ("role", "hq"),
        ("auditor_id", "AUD-999"),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("kdf.salt", "AAAAAAAAAAAAAAAAAAAAAA=="),
        ("cipher.nonce", "AAAAAAAAAAAAAAAA"),
        ("kdf.n", 2**15),
    ],
)
def test_header_edits_break_the_file(auditor: tuple[Path, KeyInfo], tmp_path: Path, field: str, value: object) -> None:
    path, _ = auditor

    def edit(data: dict) -> None:
        if "." in field:
            outer, inner = field.split(".")
            data[outer][inner] = value
        else:
            data[field] = value

    copy = _copy(path, tmp_path / "edited.key", edit)
    read_key_info(copy)  # the public part still parses ...
    with pytest.raises(WrongPassphrase):  # ... but it no longer opens
        unlock(copy, PASS)


def test_swapped_public_key_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path) -> None:
    from inspector.crypto.signing import SigningKey

    path, _ = auditor
    other = SigningKey.generate().public

    def swap(data: dict) -> None:
        data["public_key"], data["kid"] = other.b64, other.kid_hex

    copy = _copy(path, tmp_path / "swapped.key", swap)
    with pytest.raises(KeyFileError):
        unlock(copy, PASS)

    def kid_only(data: dict) -> None:
        data["kid"] = other.kid_hex

    with pytest.raises(KeyFileError, match="kid does not match"):
        read_key_info(_copy(path, tmp_path / "kid.key", kid_only))


@pytest.mark.parametrize("n", [2**10, 2**13, 2**21, 3 * 2**14, 0])
def test_unreasonable_scrypt_parameters_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path, n: int) -> None:
    path, _ = auditor

    def edit(data: dict) -> None:
        data["kdf"]["n"] = n

    copy = _copy(path, tmp_path / "n.key", edit)
    with pytest.raises(KeyFileError, match="scrypt"):
        unlock(copy, PASS)
    with pytest.raises(UserError, match="scrypt"):
        create_key(tmp_path / "new.key", "hq", "HQ", "p", scrypt_n=n)


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"{", b"[]", b'{"format": "something-else"}', b"\xff\xfe", b'{"format": "inspector-key/v1"}'],
)
def test_garbage_files_refused_with_one_clear_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    path.chmod(0o600)
    for call in (lambda: read_key_info(path), lambda: unlock(path, PASS)):
        with pytest.raises(KeyFileError) as info:
            call()
        message = str(info.value)
        assert str(path) in message and "\n" not in message


def test_truncated_file_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path) -> None:
    path, _ = auditor
    data = path.read_bytes()
    for cut in (1, len(data) // 3, len(data) // 2, len(data) - 5):
        copy = tmp_path / f"t{cut}.key"
        copy.write_bytes(data[:cut])
        copy.chmod(0o600)
        with pytest.raises(KeyFileError, match=str(copy)):
            unlock(copy, PASS)


def test_damaged_ciphertext_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path) -> None:
    path, _ = auditor
    import base64

    def flip(data: dict) -> None:
        blob = bytearray(base64.b64decode(data["ciphertext"]))
        blob[0] ^= 1
        data["ciphertext"] = base64.b64encode(bytes(blob)).decode()

    with pytest.raises(WrongPassphrase):
        unlock(_copy(path, tmp_path / "c.key", flip), PASS)

    def short(data: dict) -> None:
        data["ciphertext"] = data["ciphertext"][:20]

    with pytest.raises(KeyFileError):
        unlock(_copy(path, tmp_path / "s.key", short), PASS)


def test_small_order_public_key_in_file_refused(auditor: tuple[Path, KeyInfo], tmp_path: Path) -> None:
    path, _ = auditor
    import base64

    def edit(data: dict) -> None:
        data["public_key"] = base64.b64encode(bytes.fromhex("01" + "00" * 31)).decode()

    with pytest.raises(KeyFileError, match="unsafe public key"):
        read_key_info(_copy(path, tmp_path / "so.key", edit))


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(KeyFileMissing, match="no such file"):
        read_key_info(tmp_path / "nope.key")
    (tmp_path / "dir.key").mkdir(mode=0o700)
    with pytest.raises(KeyFileError, match="not a regular file"):
        unlock(tmp_path / "dir.key", PASS)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"role": "auditor", "name": "A"}, "auditor id"),
        ({"role": "auditor", "name": "A", "auditor_id": "bad id!"}, "not a valid id"),
        ({"role": "auditor", "name": "  ", "auditor_id": "AUD-1"}, "empty"),
        ({"role": "auditor", "name": "A\nB", "auditor_id": "AUD-1"}, "control"),
        ({"role": "admin", "name": "A"}, "role"),
    ],
)
def test_create_validates_inputs(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(UserError, match=match):
        create_key(tmp_path / "k.key", passphrase="p", scrypt_n=FAST_N, **kwargs)
    assert not (tmp_path / "k.key").exists()


def test_hq_key(tmp_path: Path) -> None:
    info = create_key(tmp_path / "hq" / "root.key", "hq", "Police Commissionerate GB Nagar", "p", scrypt_n=FAST_N)
    assert info.role == "hq" and info.auditor_id is None
    assert unlock(tmp_path / "hq" / "root.key", "p").public == info.public


def test_env_scrypt_n_bounds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from inspector.crypto.keystore import default_scrypt_n

    monkeypatch.setenv("INSPECTOR_SCRYPT_N", "16384")
    assert default_scrypt_n() == 16384
    monkeypatch.setenv("INSPECTOR_SCRYPT_N", "1024")
    with pytest.raises(UserError, match="scrypt"):
        default_scrypt_n()
    monkeypatch.setenv("INSPECTOR_SCRYPT_N", "lots")
    with pytest.raises(UserError):
        default_scrypt_n()
    monkeypatch.delenv("INSPECTOR_SCRYPT_N")
    assert default_scrypt_n() == 2**17


def test_no_umask_leak(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        create_key(tmp_path / "deep" / "er" / "a.key", "auditor", "A", "p", "AUD-1", scrypt_n=FAST_N)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "deep" / "er" / "a.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "deep" / "er").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "deep").stat().st_mode) == 0o700
