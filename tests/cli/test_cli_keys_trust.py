"""``inspector keys|hq|trust``: the whole flow, and one clear line (exit 2) for every mistake."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.cli.main import main
from inspector.crypto.signing import PublicKey
from tests.helpers import REPO

FAST_N = "16384"
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def pem_of(raw: bytes) -> bytes:
    return b"-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(SPKI_PREFIX + raw) + b"\n-----END PUBLIC KEY-----\n"


class World:
    """Two (or more) data dirs built once through the CLI: HQ, an auditor laptop, a verifier."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hq = root / "hq"
        self.aud = root / "laptop"
        self.ver = root / "verifier"
        self.hq_pass = root / "hq.pass"
        self.aud_pass = root / "aud.pass"
        self.hq_pass.write_text("HQ पासवर्ड\n", encoding="utf-8")
        self.aud_pass.write_text("auditor secret\n", encoding="utf-8")


def run(*args: str | Path) -> tuple[int, str, str]:
    """Run the CLI in-process (no capsys, so module-scoped fixtures can use it too)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            rc = int(exc.code or 0)
    return rc, out.getvalue(), err.getvalue()


def ok(*args: str | Path) -> str:
    rc, out, err = run(*args)
    assert rc == 0, (args, rc, out, err)
    return out


def fails(*args: str | Path, match: str, code: int = 2) -> str:
    """The command fails with exit ``code`` and one line on stderr that contains ``match``."""
    rc, out, err = run(*args)
    assert rc == code, (args, rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert match in lines[0], (match, lines[0])
    return lines[0]


@pytest.fixture(scope="module", autouse=True)
def fast_scrypt() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INSPECTOR_SCRYPT_N", FAST_N)
        mp.delenv("INSPECTOR_PASSPHRASE", raising=False)
        mp.delenv("INSPECTOR_HOME", raising=False)
        yield


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, fast_scrypt: None) -> World:
    w = World(tmp_path_factory.mktemp("world"))
    d = lambda p: ("--data-dir", str(p))  # noqa: E731
    ok("hq", "init", "--name", "Police Commissionerate Gautam Buddh Nagar", "--passphrase-file", w.hq_pass, *d(w.hq))
    ok("keys", "init", "--name", "सुनीता शर्मा", "--id", "AUD-017", "--passphrase-file", w.aud_pass, *d(w.aud))
    ok("keys", "export-public", "-o", w.root / "aud.pem", *d(w.aud))
    ok(
        "hq",
        "enroll",
        w.root / "aud.pem",
        "--name",
        "सुनीता शर्मा",
        "--id",
        "AUD-017",
        "--passphrase-file",
        w.hq_pass,
        *d(w.hq),
    )
    ok("hq", "trustlist", "-o", w.root / "tl1.json", "--passphrase-file", w.hq_pass, *d(w.hq))
    ok("hq", "export-public", "-o", w.root / "hq.pem", *d(w.hq))
    ok("trust", "pin", w.root / "hq.pem", *d(w.ver))
    ok("trust", "install", w.root / "tl1.json", *d(w.ver))
    return w


def test_done_when_flow(world: World) -> None:
    shown = json.loads(ok("trust", "show", "--json", "--data-dir", world.ver))
    assert shown["seq"] == 1
    assert shown["issuer"]["name"] == "Police Commissionerate Gautam Buddh Nagar"
    (auditor,) = shown["auditors"]
    me = json.loads(ok("keys", "show", "--json", "--data-dir", world.aud))
    assert auditor["kid"] == me["kid"] and auditor["auditor_id"] == auditor["id"] == "AUD-017"
    assert auditor["name"] == "सुनीता शर्मा" and auditor["status"] == "active"
    assert auditor["purposes"] == ["cert", "finding"]
    assert {"use_from", "use_until", "verify_until"} <= set(auditor)
    text = ok("trust", "show", "--data-dir", world.ver)
    assert "AUD-017" in text and me["kid"] in text


def test_keys_show_json_contract(world: World) -> None:
    data = json.loads(ok("keys", "show", "--json", "--data-dir", world.aud))
    assert {"kid", "name", "id", "public_key"} <= set(data)
    assert data["id"] == "AUD-017" and data["name"] == "सुनीता शर्मा"
    assert PublicKey.from_b64(data["public_key"]).kid_hex == data["kid"]
    pem = (world.root / "aud.pem").read_bytes()
    assert PublicKey.from_pem(pem).kid_hex == data["kid"]
    assert "auditor secret" not in json.dumps(data)


def test_hq_show_json_contract(world: World) -> None:
    data = json.loads(ok("hq", "show", "--json", "--data-dir", world.hq))
    assert {"kid", "name", "public_key"} <= set(data)
    assert PublicKey.from_pem((world.root / "hq.pem").read_bytes()).kid_hex == data["kid"]
    assert "kid:" in ok("hq", "show", "--data-dir", world.hq)


def test_export_public_to_stdout(world: World) -> None:
    out = ok("keys", "export-public", "-o", "-", "--data-dir", world.aud)
    assert out.startswith("-----BEGIN PUBLIC KEY-----")


def test_refuse_overwrite(world: World) -> None:
    before = (world.aud / "keys" / "auditor.key").read_bytes()
    fails(
        "keys",
        "init",
        "--name",
        "X",
        "--id",
        "AUD-1",
        "--passphrase-file",
        world.aud_pass,
        "--data-dir",
        world.aud,
        match="refusing to overwrite",
    )
    assert (world.aud / "keys" / "auditor.key").read_bytes() == before
    fails(
        "hq",
        "init",
        "--name",
        "X",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match="refusing to overwrite",
    )


SMALL = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "0000000000000000000000000000000000000000000000000000000000000080",
]
NONCANON = [
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]


@pytest.mark.parametrize("hex_key", SMALL + NONCANON)
def test_enrolling_unsafe_key_fails_clearly(world: World, tmp_path: Path, hex_key: str) -> None:
    pem = tmp_path / "evil.pem"
    pem.write_bytes(pem_of(bytes.fromhex(hex_key)))
    line = fails(
        "hq",
        "enroll",
        pem,
        "--name",
        "Mallory",
        "--id",
        "AUD-666",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match=str(pem),
    )
    assert "unsafe public key refused" in line
    assert "AUD-666" not in ok("hq", "auditors", "--data-dir", world.hq)


def test_enroll_again_refused_renew_allowed(world: World, tmp_path: Path) -> None:
    import shutil

    hq = tmp_path / "hq"
    shutil.copytree(world.hq, hq)
    fails(
        "hq",
        "enroll",
        world.root / "aud.pem",
        "--name",
        "सुनीता शर्मा",
        "--id",
        "AUD-017",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        hq,
        match="--renew",
    )
    out = ok(
        "hq",
        "enroll",
        world.root / "aud.pem",
        "--name",
        "सुनीता शर्मा",
        "--id",
        "AUD-017",
        "--renew",
        "--valid-days",
        "30",
        "--purpose",
        "finding",
        "--json",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        hq,
    )
    data = json.loads(out)
    assert data["purposes"] == ["finding"] and data["trustlist_seq"] == 2


@pytest.mark.parametrize(
    "extra,match",
    [
        (["--purpose", "admin"], "unknown purpose"),
        (["--valid-days", "0"], "--valid-days"),
        (["--valid-days", "soon"], "invalid int"),
    ],
)
def test_enroll_bad_arguments(world: World, extra: list[str], match: str) -> None:
    fails(
        "hq",
        "enroll",
        world.root / "aud.pem",
        "--name",
        "N",
        "--id",
        "AUD-5",
        *extra,
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match=match,
    )


def test_enroll_bad_files(world: World, tmp_path: Path) -> None:
    fails(
        "hq",
        "enroll",
        tmp_path / "missing.pem",
        "--name",
        "N",
        "--id",
        "AUD-5",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match="no such file",
    )
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    fails(
        "hq",
        "enroll",
        junk,
        "--name",
        "N",
        "--id",
        "AUD-5",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match="not a PEM public key",
    )
    fails(
        "hq",
        "enroll",
        world.root / "aud.pem",
        "--name",
        "N",
        "--id",
        "bad id!",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        world.hq,
        match="not a valid id",
    )


def _hq_copy(world: World, tmp_path: Path) -> Path:
    import shutil

    hq = tmp_path / "hq"
    shutil.copytree(world.hq, hq)
    return hq


def _ver_copy(world: World, tmp_path: Path) -> Path:
    import shutil

    ver = tmp_path / "ver"
    shutil.copytree(world.ver, ver)
    return ver


def test_install_older_list_fails(world: World, tmp_path: Path) -> None:
    hq, ver = _hq_copy(world, tmp_path), _ver_copy(world, tmp_path)
    kid = json.loads(ok("keys", "show", "--json", "--data-dir", world.aud))["kid"]
    retired = json.loads(ok("hq", "retire", kid, "--json", "--data-dir", hq))
    assert retired["status"] == "retired" and retired["trustlist_seq"] == 2
    ok("hq", "trustlist", "-o", tmp_path / "tl2.json", "--passphrase-file", world.hq_pass, "--data-dir", hq)
    ok("trust", "install", tmp_path / "tl2.json", "--data-dir", ver)
    fails("trust", "install", world.root / "tl1.json", "--data-dir", ver, match="rollback refused")
    assert "already installed" in ok("trust", "install", tmp_path / "tl2.json", "--data-dir", ver)
    assert json.loads(ok("trust", "show", "--json", "--data-dir", ver))["auditors"][0]["status"] == "retired"


def test_install_unpinned_signer_fails(world: World, tmp_path: Path) -> None:
    rogue = tmp_path / "rogue"
    ok(
        "hq",
        "init",
        "--name",
        "Police Commissionerate Gautam Buddh Nagar",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        rogue,
    )
    ok(
        "hq",
        "enroll",
        world.root / "aud.pem",
        "--name",
        "सुनीता शर्मा",
        "--id",
        "AUD-017",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        rogue,
    )
    ok(
        "hq",
        "trustlist",
        "-o",
        tmp_path / "rogue.json",
        "--refresh",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        rogue,
    )
    ver = _ver_copy(world, tmp_path)
    fails("trust", "install", tmp_path / "rogue.json", "--data-dir", ver, match="not a pinned HQ root")
    fails(
        "trust", "install", world.root / "tl1.json", "--data-dir", tmp_path / "nopins", match="no HQ root key is pinned"
    )


def test_install_flipped_byte_fails(world: World, tmp_path: Path) -> None:
    data = bytearray((world.root / "tl1.json").read_bytes())
    ver = _ver_copy(world, tmp_path)
    for needle in (b"AUD-017", b"verify_until", b'"sig": "'):
        bad = bytearray(data)
        bad[data.index(needle) + len(needle) + 2] ^= 0x01
        (tmp_path / "flip.json").write_bytes(bad)
        fails("trust", "install", tmp_path / "flip.json", "--data-dir", ver, match=str(tmp_path / "flip.json"))


def test_install_garbage_fails(world: World, tmp_path: Path) -> None:
    ver = _ver_copy(world, tmp_path)
    for content in (b"", b"not json", b"{}", b"\xff\xfe\x00"):
        (tmp_path / "g.json").write_bytes(content)
        fails("trust", "install", tmp_path / "g.json", "--data-dir", ver, match="g.json")
        fails("trust", "install-crl", tmp_path / "g.json", "--data-dir", ver, match="g.json")
    fails("trust", "install", tmp_path, "--data-dir", ver, match="is a directory")


def test_wrong_passphrase(world: World, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("nope\n")
    hq = _hq_copy(world, tmp_path)
    fails(
        "hq",
        "trustlist",
        "-o",
        tmp_path / "x.json",
        "--refresh",
        "--passphrase-file",
        wrong,
        "--data-dir",
        hq,
        match="wrong passphrase",
    )
    assert not (tmp_path / "x.json").exists()
    from inspector.crypto.signing import SigningKey

    fresh = tmp_path / "fresh.pem"
    fresh.write_bytes(SigningKey.generate().public.to_pem())
    fails(
        "hq",
        "enroll",
        fresh,
        "--name",
        "A",
        "--id",
        "AUD-9",
        "--passphrase-file",
        wrong,
        "--data-dir",
        hq,
        match="wrong passphrase",
    )
    fails(
        "hq",
        "enroll",
        fresh,
        "--name",
        "A",
        "--id",
        "AUD-9",
        "--passphrase-file",
        tmp_path / "nofile",
        "--data-dir",
        hq,
        match="passphrase file",
    )
    assert "AUD-9" not in ok("hq", "auditors", "--data-dir", hq)


def test_passphrase_from_environment(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "HQ पासवर्ड")
    hq = _hq_copy(world, tmp_path)
    ok("hq", "trustlist", "-o", tmp_path / "x.json", "--refresh", "--data-dir", hq)
    monkeypatch.setenv("INSPECTOR_PASSPHRASE", "wrong")
    fails("hq", "trustlist", "-o", tmp_path / "y.json", "--refresh", "--data-dir", hq, match="wrong passphrase")


def test_no_passphrase_source_is_a_clear_error(world: World, tmp_path: Path) -> None:
    hq = _hq_copy(world, tmp_path)
    fails("hq", "trustlist", "-o", tmp_path / "x.json", "--refresh", "--data-dir", hq, match="no passphrase")
    fails("keys", "init", "--name", "A", "--id", "AUD-1", "--data-dir", tmp_path / "new", match="no passphrase")
    assert not (tmp_path / "new" / "keys" / "auditor.key").exists()


def test_key_file_modes(world: World, tmp_path: Path) -> None:
    import shutil
    import stat

    key = world.aud / "keys" / "auditor.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((world.hq / "hq" / "root.key").stat().st_mode) == 0o600
    laptop = tmp_path / "laptop"
    shutil.copytree(world.aud, laptop)
    (laptop / "keys" / "auditor.key").chmod(0o644)
    fails("keys", "show", "--data-dir", laptop, match="chmod 600")


def test_damaged_key_files(world: World, tmp_path: Path) -> None:
    import shutil

    laptop = tmp_path / "laptop"
    shutil.copytree(world.aud, laptop)
    key = laptop / "keys" / "auditor.key"
    data = key.read_bytes()
    for content in (data[: len(data) // 2], b"", b"garbage", data.replace(b"scrypt", b"bcrypt")):
        key.write_bytes(content)
        key.chmod(0o600)
        fails("keys", "show", "--data-dir", laptop, match=str(key))
    hq = _hq_copy(world, tmp_path)
    root = hq / "hq" / "root.key"
    root.write_bytes(root.read_bytes()[:-40])
    fails(
        "hq",
        "trustlist",
        "-o",
        tmp_path / "x.json",
        "--refresh",
        "--passphrase-file",
        world.hq_pass,
        "--data-dir",
        hq,
        match=str(root),
    )


def test_missing_keys_are_named(tmp_path: Path) -> None:
    fails("keys", "show", "--data-dir", tmp_path, match="keys init")
    fails("keys", "export-public", "-o", tmp_path / "x.pem", "--data-dir", tmp_path, match="keys init")
    fails("hq", "show", "--data-dir", tmp_path, match="hq init")
    fails("hq", "trustlist", "-o", tmp_path / "x", "--data-dir", tmp_path, match="hq init")
    fails("trust", "show", "--data-dir", tmp_path, match="trust install")


def _registered_certificates(world: World, tmp_path: Path, hq: Path, count: int) -> list[str]:
    """``count`` certificates issued on a copy of the laptop and imported at ``hq``."""
    import shutil

    from inspector.audit.service import AuditService
    from inspector.bundle.export import export_audit
    from inspector.certificates.issue import issue_certificate
    from inspector.crypto.keystore import unlock
    from inspector.hq.intake import import_bundle
    from inspector.paths import DataDir
    from inspector.trust.store import TrustStore
    from tests.helpers import MINI_CHECKLIST

    laptop = DataDir(tmp_path / "laptop")
    shutil.copytree(world.aud, laptop.root)
    store = TrustStore(laptop.root)
    store.pin((world.root / "hq.pem").read_bytes())
    store.install((world.root / "tl1.json").read_bytes())
    key = unlock(laptop.auditor_key, "auditor secret")
    service = AuditService(laptop)
    ids = []
    for n in range(count):
        summary = service.new_audit("GBN-S39", MINI_CHECKLIST, "certification", key, "AUD-017", "सुनीता शर्मा")
        with service.open(summary.id, key=key) as audit:
            for item in audit.checklist.items:
                audit.record(item, "conform")
            audit.close()
        ids.append(issue_certificate(laptop, summary.id, key).body.cert_id)
        bundle = tmp_path / f"bundle-{n}.zip"
        export_audit(service, summary.id, bundle, TrustStore(laptop.root).trustlist_bytes())
        import_bundle(DataDir(hq), bundle)
    return ids


def test_revocation_flow(world: World, tmp_path: Path) -> None:
    hq, ver = _hq_copy(world, tmp_path), _ver_copy(world, tmp_path)
    first, second = _registered_certificates(world, tmp_path, hq, 2)
    fails("hq", "revoke", first, "--data-dir", hq, match="--reason")
    fails("hq", "revoke", "CERT-0001", "--reason", "x", "--data-dir", hq, match="not in HQ's register")
    printed = "-".join(first[i : i + 4] for i in range(0, 16, 4))  # as the wall certificate prints it
    out = json.loads(ok("hq", "revoke", printed, "--reason", "गलत थाना", "--json", "--data-dir", hq))
    assert out["cert_id"] == first and out["crl_seq"] == 1
    fails("hq", "revoke", first, "--reason", "again", "--data-dir", hq, match="already revoked")
    ok("hq", "crl", "-o", tmp_path / "crl1.json", "--passphrase-file", world.hq_pass, "--data-dir", hq)
    ok("trust", "install-crl", tmp_path / "crl1.json", "--data-dir", ver)
    ok("hq", "revoke", second, "--reason", "x", "--data-dir", hq)
    ok("hq", "crl", "-o", tmp_path / "crl2.json", "--passphrase-file", world.hq_pass, "--data-dir", hq)
    ok("trust", "install-crl", tmp_path / "crl2.json", "--data-dir", ver)
    fails("trust", "install-crl", tmp_path / "crl1.json", "--data-dir", ver, match="rollback refused")
    fails("trust", "install-crl", world.root / "tl1.json", "--data-dir", ver, match="inspector-crl/v1")
    fails("trust", "install", tmp_path / "crl2.json", "--data-dir", ver, match="inspector-trustlist/v1")
    shown = json.loads(ok("trust", "show", "--json", "--data-dir", ver))
    assert shown["crl"]["seq"] == 2 and shown["crl"]["revoked"] == 2


def test_revoke_key_flow(world: World, tmp_path: Path) -> None:
    hq, ver = _hq_copy(world, tmp_path), _ver_copy(world, tmp_path)
    kid = json.loads(ok("keys", "show", "--json", "--data-dir", world.aud))["kid"]
    fails("hq", "revoke-key", kid, "--data-dir", hq, match="--reason")
    fails("hq", "revoke-key", "nothex", "--reason", "x", "--data-dir", hq, match="not a key id")
    fails("hq", "revoke-key", "0" * 16, "--reason", "x", "--data-dir", hq, match="no enrolled key")
    out = json.loads(ok("hq", "revoke-key", kid, "--reason", "laptop stolen", "--json", "--data-dir", hq))
    assert out["status"] == "revoked" and out["trustlist_seq"] == 2
    ok("hq", "trustlist", "-o", tmp_path / "tl.json", "--passphrase-file", world.hq_pass, "--data-dir", hq)
    ok("trust", "install", tmp_path / "tl.json", "--data-dir", ver)
    (auditor,) = json.loads(ok("trust", "show", "--json", "--data-dir", ver))["auditors"]
    assert auditor["status"] == "revoked" and auditor["reason"] == "laptop stolen"
    listing = json.loads(ok("hq", "auditors", "--json", "--data-dir", hq))
    assert listing["auditors"][0]["status"] == "revoked"


def test_pin_limits(world: World, tmp_path: Path) -> None:
    ver = _ver_copy(world, tmp_path)
    others = []
    for name in ("next", "third"):
        d = tmp_path / name
        ok("hq", "init", "--name", name, "--passphrase-file", world.hq_pass, "--data-dir", d)
        ok("hq", "export-public", "-o", tmp_path / f"{name}.pem", "--data-dir", d)
        others.append(json.loads(ok("hq", "show", "--json", "--data-dir", d))["kid"])
    assert "already pinned" in ok("trust", "pin", world.root / "hq.pem", "--data-dir", ver)
    ok("trust", "pin", tmp_path / "next.pem", "--data-dir", ver)
    fails("trust", "pin", tmp_path / "third.pem", "--data-dir", ver, match="unpin")
    ok("trust", "unpin", others[0], "--data-dir", ver)
    ok("trust", "pin", tmp_path / "third.pem", "--data-dir", ver)
    fails("trust", "unpin", others[0], "--data-dir", ver, match="no pinned HQ root")
    evil = tmp_path / "evil.pem"
    evil.write_bytes(pem_of(bytes.fromhex(SMALL[0])))
    fails("trust", "pin", evil, "--data-dir", tmp_path / "v2", match="unsafe public key")
    fails("trust", "pin", world.root / "tl1.json", "--data-dir", tmp_path / "v2", match="not a PEM")


def test_hq_extensions_are_registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from inspector.cli import hq_cmd
    from inspector.cli.common import add_command

    module = types.ModuleType("fake_hq_ext")

    def register_hq(group) -> None:  # type: ignore[no-untyped-def]
        add_command(group, "hello", lambda args, ctx: ctx.say("hello from extension") or 0, "test")

    module.register_hq = register_hq  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_hq_ext", module)
    monkeypatch.setattr(hq_cmd, "HQ_EXTENSIONS", ("fake_hq_ext",))
    assert ok("hq", "hello", "--data-dir", tmp_path).strip() == "hello from extension"


def test_help_for_every_command() -> None:
    for group, commands in {
        "keys": ["init", "show", "export-public"],
        "hq": [
            "init",
            "show",
            "export-public",
            "enroll",
            "auditors",
            "retire",
            "revoke-key",
            "trustlist",
            "revoke",
            "crl",
        ],
        "trust": ["pin", "unpin", "install", "install-crl", "show"],
    }.items():
        for command in commands:
            rc, out, _ = run(group, command, "--help")
            assert rc == 0 and "usage:" in out


@pytest.mark.parametrize(
    "args,match",
    [
        (["keys", "show"], "keys init"),
        (["hq", "enroll", "missing.pem", "--name", "A", "--id", "B"], "no HQ root key"),
        (["trust", "install", "missing.json"], "no such file"),
        (["trust", "pin", "missing.pem"], "no such file"),
        (["hq", "revoke", "C-1"], "--reason"),
        (["keys", "init", "--name", "A", "--id", "AUD-1"], "no passphrase"),
    ],
)
def test_subprocess_no_traceback(tmp_path: Path, args: list[str], match: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("INSPECTOR_PASSPHRASE", "INSPECTOR_HOME")}
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", *args, "--data-dir", str(tmp_path)],
        cwd=tmp_path,
        env=dict(env, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], proc.stderr
