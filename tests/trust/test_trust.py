"""HQ enrolment, trust lists and revocation lists: signing, pinning, screening, anti-rollback."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import inspector.crypto.signing as signing
from inspector.crypto.canonical import format_time, parse_time, utcnow
from inspector.crypto.signing import (
    Domain,
    Envelope,
    PublicKey,
    SigningKey,
    b64encode,
    read_public_pem,
    sign_record,
)
from inspector.errors import Invalid, UserError
from inspector.hq.enrolment import HQ
from inspector.trust.documents import encode_document, load_crl, load_trustlist
from inspector.trust.lists import (
    CRL_FORMAT,
    MAX_CERT_LIFETIME_DAYS,
    TRUSTLIST_FORMAT,
    KeyStatus,
    Purpose,
    RevocationList,
    TrustList,
    parse_purposes,
)
from inspector.trust.store import TrustStore

# The 8 small-order encodings (sign-bit variants included), the 2 negative-zero encodings, and a
# sample of the 38 encodings with y >= p (see tests/crypto/test_signing.py for the full sweep).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]
NEGATIVE_ZERO = [
    "0100000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
]
_P = 2**255 - 19
NON_CANONICAL = [(y | (s << 255)).to_bytes(32, "little") for y in range(_P, 2**255) for s in (0, 1)]

FAST_N = 2**14
PASS = "hq-passphrase"
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
BAD_KEYS = [bytes.fromhex(h) for h in SMALL_ORDER + NEGATIVE_ZERO] + NON_CANONICAL[::3]


def pem_of(raw: bytes) -> bytes:
    body = base64.b64encode(SPKI_PREFIX + raw).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n".encode()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised HQ data dir, created once (scrypt is slow by design) and copied per test."""
    root = tmp_path_factory.mktemp("hq-template")
    HQ(root).init("Police Commissionerate Gautam Buddh Nagar", PASS, scrypt_n=FAST_N)
    return root


@pytest.fixture(scope="module")
def root_key(template: Path) -> SigningKey:
    return HQ(template).unlock(PASS)


@pytest.fixture
def hq(template: Path, tmp_path: Path) -> HQ:
    shutil.copytree(template, tmp_path / "hq")
    return HQ(tmp_path / "hq")


@pytest.fixture
def store(tmp_path: Path, root_key: SigningKey) -> TrustStore:
    s = TrustStore(tmp_path / "verifier")
    s.pin(root_key.public.to_pem())
    return s


AUDITOR = SigningKey.generate()
SECOND = SigningKey.generate()


def enrolled(hq: HQ, key: SigningKey = AUDITOR, auditor_id: str = "AUD-017", **kw) -> None:  # type: ignore[no-untyped-def]
    hq.enroll(key.public, "सुनीता शर्मा", auditor_id, PASS, **kw)


def hand_made(root: SigningKey, payload: dict, domain: Domain = Domain.TRUSTLIST, fmt: str = TRUSTLIST_FORMAT) -> bytes:
    return encode_document(fmt, sign_record(root, domain, payload))


def entry_dict(raw: bytes, **over) -> dict:  # type: ignore[no-untyped-def]
    now = utcnow()
    base = {
        "auditor_id": "AUD-666",
        "name": "Mallory",
        "public_key": b64encode(raw),
        "kid": signing.compute_kid(raw).hex(),
        "purposes": ["cert", "finding"],
        "use_from": format_time(now - timedelta(days=1)),
        "use_until": format_time(now + timedelta(days=300)),
        "verify_until": format_time(now + timedelta(days=1400)),
        "status": "active",
        "retired_at": None,
        "revoked_at": None,
        "reason": None,
    }
    base.update(over)
    return base


def list_dict(root: SigningKey, auditors: list[dict], seq: int = 5) -> dict:
    now = utcnow()
    return {
        "seq": seq,
        "issued_at": format_time(now),
        "next_update": format_time(now + timedelta(days=30)),
        "issuer_name": "Police Commissionerate Gautam Buddh Nagar",
        "issuer_key": root.public.b64,
        "auditors": auditors,
    }


# --- round trips -------------------------------------------------------------------------------


def test_enrol_export_install_round_trip(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    data = hq.export_trustlist(PASS)
    installed = store.install(data)
    assert installed.seq == 1
    assert store.trustlist() == installed
    assert store.trustlist_bytes() == data
    (entry,) = installed.auditors
    assert entry.auditor_id == "AUD-017" and entry.kid == AUDITOR.public.kid_hex
    assert entry.key == AUDITOR.public
    assert entry.purposes == [Purpose.CERT, Purpose.FINDING] and entry.status == KeyStatus.ACTIVE
    use_from, use_until = parse_time(entry.use_from), parse_time(entry.use_until)
    assert use_until - use_from == timedelta(days=365)
    assert parse_time(entry.verify_until) - use_until == timedelta(days=MAX_CERT_LIFETIME_DAYS)
    assert installed.issuer == hq.root_public()
    summary = installed.summary()
    assert set(summary) >= {"seq", "issued_at", "next_update", "issuer", "auditors"}
    assert summary["auditors"][0]["id"] == summary["auditors"][0]["auditor_id"] == "AUD-017"


def test_file_format(hq: HQ) -> None:
    enrolled(hq)
    document = json.loads(hq.export_trustlist(PASS))
    assert set(document) == {"format", "envelope"} and document["format"] == "inspector-trustlist/v1"
    env = Envelope.model_validate(document["envelope"])
    assert env.kid == hq.root_public().kid_hex
    payload = signing.verify_record(env, Domain.TRUSTLIST, hq.root_public())
    assert TrustList.model_validate(payload).seq == 1


def test_enrolment_is_signed_in_its_own_domain(hq: HQ) -> None:
    enrolled(hq)
    (env,) = hq.enrolments()
    payload = signing.verify_record(env, Domain.ENROLMENT, hq.root_public())
    assert payload["kid"] == AUDITOR.public.kid_hex and payload["auditor_id"] == "AUD-017"
    assert payload["purposes"] == ["cert", "finding"]
    for other in Domain:
        if other != Domain.ENROLMENT:
            with pytest.raises(Invalid):
                signing.verify_record(env, other, hq.root_public())


def test_unchanged_export_returns_same_bytes_without_passphrase(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    first = hq.export_trustlist(PASS)

    def no_prompt() -> str:
        raise AssertionError("passphrase asked although nothing changed")

    assert hq.export_trustlist(no_prompt) == first
    store.install(first)
    assert store.install(first).seq == 1  # identical bytes again: harmless no-op


def test_status_changes_bump_seq(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    enrolled(hq, SECOND, "AUD-018", purposes=[Purpose.FINDING])
    assert hq.trustlist_seq() == 2
    store.install(hq.export_trustlist(PASS))
    hq.retire(AUDITOR.public.kid_hex)
    hq.revoke_key(SECOND.public.kid_hex, "laptop stolen")
    assert hq.trustlist_seq() == 4
    installed = store.install(hq.export_trustlist(PASS))
    assert installed.seq == 4
    first, second = installed.auditors
    assert first.status == KeyStatus.RETIRED and first.retired_at is not None
    assert parse_time(first.use_until) <= utcnow()
    assert second.status == KeyStatus.REVOKED and second.reason == "laptop stolen" and second.revoked_at


def test_refresh_and_stale_lists_are_resigned_under_new_seq(hq: HQ) -> None:
    enrolled(hq)
    one = load_trustlist(hq.export_trustlist(PASS), [hq.root_public()])
    two = load_trustlist(hq.export_trustlist(PASS, refresh=True), [hq.root_public()])
    assert two.seq == one.seq + 1
    later = utcnow() + timedelta(days=31)
    three = load_trustlist(hq.export_trustlist(PASS, now=later), [hq.root_public()])
    assert three.seq == two.seq + 1 and three.issued_at == format_time(later)


def test_wrong_passphrase_changes_nothing(hq: HQ) -> None:
    from inspector.crypto.keystore import WrongPassphrase

    with pytest.raises(WrongPassphrase):
        hq.export_trustlist("nope")
    assert hq.trustlist_seq() == 0 and not hq.issued_trustlist.exists()
    with pytest.raises(WrongPassphrase):
        enrolled_wrong = hq.enroll(AUDITOR.public, "A", "AUD-1", "nope")  # noqa: F841
    assert hq.entries() == [] and hq.trustlist_seq() == 0


# --- enrolment rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", BAD_KEYS, ids=lambda r: r.hex()[:6] + ".." + r.hex()[-2:])
def test_unsafe_keys_refused_at_enrolment(raw: bytes) -> None:
    with pytest.raises(UserError, match="enrolment.pem: unsafe public key refused"):
        read_public_pem(pem_of(raw), "enrolment.pem")


def test_pem_helper_errors_are_one_line() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import (
        SECP256R1,
        generate_private_key,
    )

    ec_pem = (
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    for data, match in [(b"junk", "not a PEM"), (ec_pem, "not an Ed25519"), (b"", "not a PEM")]:
        with pytest.raises(UserError, match=match) as info:
            read_public_pem(data, "f.pem")
        assert "\n" not in str(info.value)
    assert read_public_pem(pem_of(AUDITOR.public.raw), "ok") == AUDITOR.public


def test_reenrolment_rules(hq: HQ) -> None:
    enrolled(hq, valid_days=30)
    with pytest.raises(UserError, match="already enrolled.*--renew"):
        enrolled(hq)
    with pytest.raises(UserError, match="already enrolled for auditor AUD-017"):
        enrolled(hq, auditor_id="AUD-099", renew=True)
    hq.retire(AUDITOR.public.kid_hex)
    entry = hq.enroll(AUDITOR.public, "सुनीता शर्मा", "AUD-017", PASS, renew=True, valid_days=200)
    # The retired window stays beside the new one: what the key signed inside it stays valid.
    assert entry.status == KeyStatus.ACTIVE and [e.status for e in hq.entries()] == [
        KeyStatus.RETIRED,
        KeyStatus.ACTIVE,
    ]
    assert parse_time(entry.use_until) - parse_time(entry.use_from) == timedelta(days=200)
    assert len(hq.enrolments()) == 2
    hq.revoke_key(AUDITOR.public.kid_hex, "compromised")
    with pytest.raises(UserError, match="revoked key cannot be enrolled again"):
        enrolled(hq, renew=True)


def test_root_key_cannot_be_enrolled(hq: HQ) -> None:
    with pytest.raises(UserError, match="HQ root key"):
        hq.enroll(hq.root_public(), "HQ", "AUD-1", PASS)


def test_kid_collision_refused_at_enrolment(hq: HQ, monkeypatch: pytest.MonkeyPatch) -> None:
    enrolled(hq)
    real = signing.compute_kid
    twins = {AUDITOR.public.raw, SECOND.public.raw}
    monkeypatch.setattr(signing, "compute_kid", lambda raw: AUDITOR.public.kid if raw in twins else real(raw))
    twin = PublicKey(SECOND.public.raw)
    assert twin.kid_hex == AUDITOR.public.kid_hex
    with pytest.raises(UserError, match="collides"):
        hq.enroll(twin, "Mallory", "AUD-666", PASS)


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"valid_days": 0}, "--valid-days"),
        ({"valid_days": 426}, "--valid-days"),
        ({"purposes": []}, "purpose"),
    ],
)
def test_enrolment_arguments_checked(hq: HQ, kw: dict, match: str) -> None:
    with pytest.raises(UserError, match=match):
        hq.enroll(AUDITOR.public, "A", "AUD-1", PASS, **kw)


def test_parse_purposes() -> None:
    assert parse_purposes("finding, cert") == [Purpose.CERT, Purpose.FINDING]
    assert parse_purposes("cert") == [Purpose.CERT]
    with pytest.raises(UserError, match="unknown purpose"):
        parse_purposes("cert,admin")
    with pytest.raises(UserError):
        parse_purposes(",")


def test_retire_and_revoke_errors(hq: HQ) -> None:
    with pytest.raises(UserError, match="no enrolled key"):
        hq.retire("00" * 8)
    with pytest.raises(UserError, match="not a key id"):
        hq.retire("xyz")
    enrolled(hq)
    hq.retire(AUDITOR.public.kid_hex.upper())
    with pytest.raises(UserError, match="already retired"):
        hq.retire(AUDITOR.public.kid_hex)
    with pytest.raises(UserError, match="reason"):
        hq.revoke_key(AUDITOR.public.kid_hex, "  ")
    hq.revoke_key(AUDITOR.public.kid_hex, "lost")
    with pytest.raises(UserError, match="already revoked"):
        hq.revoke_key(AUDITOR.public.kid_hex, "again")


# --- loading: signature, pinning, screening ---------------------------------------------------


@pytest.mark.parametrize("raw", BAD_KEYS, ids=lambda r: r.hex()[:6] + ".." + r.hex()[-2:])
def test_unsafe_key_in_trust_list_signed_by_real_root_refused(root_key: SigningKey, raw: bytes) -> None:
    good = entry_dict(AUDITOR.public.raw, auditor_id="AUD-017")
    data = hand_made(root_key, list_dict(root_key, [good, entry_dict(raw)]))
    with pytest.raises(UserError, match=r"auditors\.1 \(AUD-666\).*unsafe public key"):
        load_trustlist(data, [root_key.public])


def test_hand_made_good_list_loads(root_key: SigningKey) -> None:
    data = hand_made(root_key, list_dict(root_key, [entry_dict(AUDITOR.public.raw)]))
    assert load_trustlist(data, [root_key.public]).auditors[0].key == AUDITOR.public


def test_kid_mismatch_in_list_refused(root_key: SigningKey) -> None:
    bad = entry_dict(AUDITOR.public.raw, kid=SECOND.public.kid_hex)
    with pytest.raises(UserError, match="kid .* does not match"):
        load_trustlist(hand_made(root_key, list_dict(root_key, [bad])), [root_key.public])


def test_kid_collision_in_list_refused(root_key: SigningKey, monkeypatch: pytest.MonkeyPatch) -> None:
    real = signing.compute_kid
    twins = {AUDITOR.public.raw, SECOND.public.raw}
    monkeypatch.setattr(signing, "compute_kid", lambda raw: AUDITOR.public.kid if raw in twins else real(raw))
    entries = [entry_dict(AUDITOR.public.raw), entry_dict(SECOND.public.raw, auditor_id="AUD-2")]
    with pytest.raises(UserError, match="collides"):
        load_trustlist(hand_made(root_key, list_dict(root_key, entries)), [root_key.public])


def test_same_key_listed_twice_is_allowed_and_revocation_wins(root_key: SigningKey) -> None:
    now = utcnow()
    entries = [
        entry_dict(AUDITOR.public.raw),
        entry_dict(AUDITOR.public.raw, status="revoked", revoked_at=format_time(now), reason="stolen"),
    ]
    tl = load_trustlist(hand_made(root_key, list_dict(root_key, entries)), [root_key.public])
    assert len(tl.candidates(AUDITOR.public.kid_hex)) == 2
    with pytest.raises(Invalid, match="revoked-key"):
        tl.authorize(AUDITOR.public.kid_hex, Purpose.CERT, now)


def test_issuer_key_must_be_the_signer(root_key: SigningKey) -> None:
    payload = list_dict(root_key, [])
    payload["issuer_key"] = SECOND.public.b64
    with pytest.raises(UserError, match="issuer_key"):
        load_trustlist(hand_made(root_key, payload), [root_key.public])


@pytest.mark.parametrize("domain", [d for d in Domain if d != Domain.TRUSTLIST])
def test_trust_list_signed_in_another_domain_refused(root_key: SigningKey, domain: Domain) -> None:
    data = hand_made(root_key, list_dict(root_key, [entry_dict(AUDITOR.public.raw)]), domain=domain)
    with pytest.raises(UserError, match="bad signature"):
        load_trustlist(data, [root_key.public])


@pytest.mark.parametrize("domain", [d for d in Domain if d != Domain.CRL])
def test_crl_signed_in_another_domain_refused(root_key: SigningKey, domain: Domain) -> None:
    payload = list_dict(root_key, [])
    del payload["auditors"]
    payload["entries"] = []
    with pytest.raises(UserError, match="bad signature"):
        load_crl(hand_made(root_key, payload, domain=domain, fmt=CRL_FORMAT), [root_key.public])
    assert load_crl(hand_made(root_key, payload, domain=Domain.CRL, fmt=CRL_FORMAT), [root_key.public]).seq == 5


def test_format_labels_are_not_interchangeable(hq: HQ) -> None:
    enrolled(hq)
    hq.revoke_cert("CERT-1", "r")
    tl, crl = hq.export_trustlist(PASS), hq.export_crl(PASS)
    with pytest.raises(UserError, match="expected 'inspector-crl/v1'"):
        load_crl(tl, [hq.root_public()])
    with pytest.raises(UserError, match="expected 'inspector-trustlist/v1'"):
        load_trustlist(crl, [hq.root_public()])
    relabelled = json.dumps({"format": TRUSTLIST_FORMAT, "envelope": json.loads(crl)["envelope"]}).encode()
    with pytest.raises(UserError, match="bad signature"):
        load_trustlist(relabelled, [hq.root_public()])


def test_unpinned_signer_refused(hq: HQ, tmp_path: Path) -> None:
    enrolled(hq)
    data = hq.export_trustlist(PASS)
    other = SigningKey.generate().public
    with pytest.raises(UserError, match="not a pinned HQ root"):
        load_trustlist(data, [other])
    with pytest.raises(UserError, match="no HQ root key is pinned"):
        TrustStore(tmp_path / "empty").install(data)
    assert not TrustStore(tmp_path / "empty").installed_trustlist.exists()


def test_unpinned_signer_with_spoofed_kid_refused(root_key: SigningKey) -> None:
    rogue = SigningKey.generate()
    env = sign_record(rogue, Domain.TRUSTLIST, list_dict(rogue, []))
    spoofed = Envelope(kid=root_key.public.kid_hex, payload=env.payload, sig=env.sig)
    with pytest.raises(UserError, match="bad signature"):
        load_trustlist(encode_document(TRUSTLIST_FORMAT, spoofed), [root_key.public])


def test_every_single_byte_mutation_of_a_signed_trust_list_refused(hq: HQ) -> None:
    enrolled(hq)
    data = hq.export_trustlist(PASS)
    root = [hq.root_public()]
    good = load_trustlist(data, root)
    for index in range(len(data)):
        for delta in (0x01, 0x80):
            mutated = bytearray(data)
            mutated[index] ^= delta
            with pytest.raises(UserError):
                load_trustlist(bytes(mutated), root)
                pytest.fail(f"byte {index} ^ {delta:#x} accepted")  # pragma: no cover
    # and every byte of the signed payload and of the signature, re-encoded properly
    env = Envelope.model_validate(json.loads(data)["envelope"])
    payload, sig = env.payload_bytes, env.signature()
    for index in range(len(payload)):
        mutated = bytearray(payload)
        mutated[index] ^= 0x01
        bad = Envelope(kid=env.kid, payload=bytes(mutated).decode("utf-8", "replace"), sig=env.sig)
        with pytest.raises(UserError):
            load_trustlist(encode_document(TRUSTLIST_FORMAT, bad), root)
    for index in range(len(sig)):
        mutated = bytearray(sig)
        mutated[index] ^= 0x01
        bad = Envelope(kid=env.kid, payload=env.payload, sig=b64encode(bytes(mutated)))
        with pytest.raises(UserError):
            load_trustlist(encode_document(TRUSTLIST_FORMAT, bad), root)
    assert good.seq == 1


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b"[]",
        b"null",
        b'{"format": "inspector-trustlist/v1"}',
        b"\xff",
        b"x" * 100,
        b'{"format": "inspector-trustlist/v1", "envelope": {"kid": "zz", "payload": "", "sig": ""}}',
        b'{"format": "inspector-trustlist/v1", "envelope": {}, "extra": 1}',
        b'{"format": "inspector-trustlist/v1", "format": "inspector-trustlist/v1", "envelope": {}}',
    ],
)
def test_garbage_trust_lists_refused_with_one_line(root_key: SigningKey, data: bytes) -> None:
    with pytest.raises(UserError) as info:
        load_trustlist(data, [root_key.public], "tl.json")
    assert str(info.value).startswith("tl.json") and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "edit,match",
    [
        (lambda p: p.update(seq=0), "seq"),
        (lambda p: p.update(seq="5"), "seq"),
        (lambda p: p.update(next_update=p["issued_at"]), "next_update"),
        (lambda p: p.update(issued_at="2026-01-01 00:00:00"), "issued_at"),
        (lambda p: p.update(extra=1), "extra"),
        (lambda p: p["auditors"][0].update(purposes=["admin"]), "purposes"),
        (lambda p: p["auditors"][0].update(purposes=["finding", "cert"]), "sorted"),
        (lambda p: p["auditors"][0].update(purposes=[]), "purposes"),
        (lambda p: p["auditors"][0].update(status="revoked"), "revoked_at"),
        (lambda p: p["auditors"][0].update(use_until="2000-01-01T00:00:00Z"), "use_from"),
        (lambda p: p["auditors"][0].update(auditor_id="bad id"), "auditor_id"),
    ],
)
def test_signed_but_malformed_payloads_refused(root_key: SigningKey, edit, match: str) -> None:  # type: ignore[no-untyped-def]
    payload = list_dict(root_key, [entry_dict(AUDITOR.public.raw)])
    edit(payload)
    with pytest.raises(UserError, match=match):
        load_trustlist(hand_made(root_key, payload), [root_key.public])


# --- installing: anti-rollback ------------------------------------------------------------------


def test_rollback_refused(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    old = hq.export_trustlist(PASS)
    hq.revoke_key(AUDITOR.public.kid_hex, "laptop stolen")
    new = hq.export_trustlist(PASS)
    store.install(new)
    with pytest.raises(UserError, match="rollback refused"):
        store.install(old)
    assert store.trustlist_bytes() == new
    assert store.trustlist().auditors[0].status == KeyStatus.REVOKED


def test_same_seq_different_content_refused(root_key: SigningKey, store: TrustStore) -> None:
    a = hand_made(root_key, list_dict(root_key, [], seq=7))
    b = hand_made(root_key, list_dict(root_key, [entry_dict(AUDITOR.public.raw)], seq=7))
    store.install(a)
    with pytest.raises(UserError, match="already installed with different content"):
        store.install(b)
    assert store.trustlist_bytes() == a


def test_refused_install_changes_nothing(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    data = hq.export_trustlist(PASS)
    mutated = data.replace(b"AUD-017", b"AUD-018")
    with pytest.raises(UserError):
        store.install(mutated)
    assert store.trustlist_bytes() is None and store.trustlist() is None


def test_damaged_installed_file_named_and_replaced_by_a_genuine_list(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    store.install(hq.export_trustlist(PASS))
    store.installed_trustlist.write_bytes(b"{garbage")
    with pytest.raises(UserError, match="installed trust list"):
        store.trustlist()
    # A damaged installed file has no seq to trust, so it cannot block a genuine list.
    store.install(hq.export_trustlist(PASS, refresh=True))
    assert store.trustlist() is not None


def test_installed_list_rechecked_against_current_pins(hq: HQ, store: TrustStore) -> None:
    enrolled(hq)
    store.install(hq.export_trustlist(PASS))
    store.unpin(hq.root_public().kid_hex)
    with pytest.raises(UserError, match="no HQ root key is pinned"):
        store.trustlist()


# --- pinning -------------------------------------------------------------------------------------


def test_pinning_rules(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "v")
    a, b, c = (SigningKey.generate().public for _ in range(3))
    assert store.pin(a.to_pem()) == a
    assert store.pin(a.to_pem()) == a  # again: no-op
    store.pin(b.to_pem())
    assert set(store.pinned()) == {a, b}
    with pytest.raises(UserError, match="already 2 pinned HQ roots"):
        store.pin(c.to_pem())
    store.unpin(a.kid_hex)
    store.pin(c.to_pem())
    assert set(store.pinned()) == {b, c}
    with pytest.raises(UserError, match="no pinned HQ root"):
        store.unpin(a.kid_hex)


@pytest.mark.parametrize("raw", BAD_KEYS[:10], ids=lambda r: r.hex()[:6])
def test_unsafe_root_keys_cannot_be_pinned(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(UserError, match="unsafe public key"):
        TrustStore(tmp_path / "v").pin(pem_of(raw))


def test_tampered_pin_file_refused(tmp_path: Path) -> None:
    store = TrustStore(tmp_path / "v")
    key = store.pin(SigningKey.generate().public.to_pem())
    (store.pinned_roots / f"{key.kid_hex}.pem").write_bytes(pem_of(bytes.fromhex(SMALL_ORDER[0])))
    with pytest.raises(UserError, match="pinned root .*unsafe public key"):
        store.pinned()


def test_two_pins_both_accepted(hq: HQ, store: TrustStore) -> None:
    store.pin(SigningKey.generate().public.to_pem())  # the "next" root
    enrolled(hq)
    assert store.install(hq.export_trustlist(PASS)).seq == 1


# --- authorisation -------------------------------------------------------------------------------


def test_authorize_reason_codes(hq: HQ) -> None:
    now = utcnow()
    enrolled(hq, purposes=[Purpose.FINDING])
    enrolled(hq, SECOND, "AUD-018")
    tl = load_trustlist(hq.export_trustlist(PASS), [hq.root_public()])
    kid, kid2 = AUDITOR.public.kid_hex, SECOND.public.kid_hex
    assert tl.authorize(kid, Purpose.FINDING, now).auditor_id == "AUD-017"
    with pytest.raises(Invalid, match="^wrong-purpose"):
        tl.authorize(kid, Purpose.CERT, now)
    with pytest.raises(Invalid, match="^unknown-key"):
        tl.authorize("00" * 8, Purpose.CERT, now)
    with pytest.raises(Invalid, match="^outside-signing-window"):
        tl.authorize(kid2, Purpose.CERT, now + timedelta(days=400))
    with pytest.raises(Invalid, match="^outside-signing-window"):
        tl.authorize(kid2, Purpose.CERT, now - timedelta(days=1))
    assert [e.auditor_id for e in tl.entries_for(kid2, Purpose.CERT)] == ["AUD-018"]
    assert tl.entries_for(kid, Purpose.CERT) == []
    hq.revoke_key(kid2, "stolen")
    tl = load_trustlist(hq.export_trustlist(PASS), [hq.root_public()])
    with pytest.raises(Invalid, match="^revoked-key"):
        tl.authorize(kid2, Purpose.CERT, now)
    assert tl.entries_for(kid2, Purpose.CERT) == []


def test_retired_key_keeps_old_signatures_only(hq: HQ) -> None:
    enrolled(hq)
    before = utcnow()
    later = before + timedelta(days=10)
    hq.retire(AUDITOR.public.kid_hex, now=later)
    tl = load_trustlist(hq.export_trustlist(PASS), [hq.root_public()])
    assert tl.authorize(AUDITOR.public.kid_hex, Purpose.CERT, before + timedelta(days=5)).status == KeyStatus.RETIRED
    with pytest.raises(Invalid, match="outside-signing-window"):
        tl.authorize(AUDITOR.public.kid_hex, Purpose.CERT, later + timedelta(seconds=1))


def test_verify_envelope(hq: HQ) -> None:
    enrolled(hq, purposes=[Purpose.FINDING])
    tl = load_trustlist(hq.export_trustlist(PASS), [hq.root_public()])
    env = sign_record(AUDITOR, Domain.FINDING, {"x": 1})
    entry, payload = tl.verify_envelope(env, Domain.FINDING, Purpose.FINDING)
    assert entry.auditor_id == "AUD-017" and payload == {"x": 1}
    with pytest.raises(Invalid, match="wrong-purpose"):
        tl.verify_envelope(sign_record(AUDITOR, Domain.CERT, {"x": 1}), Domain.CERT, Purpose.CERT)
    with pytest.raises(Invalid, match="bad-signature"):
        tl.verify_envelope(env, Domain.CERT, Purpose.FINDING)
    with pytest.raises(Invalid, match="unknown-key"):
        tl.verify_envelope(sign_record(SECOND, Domain.FINDING, {}), Domain.FINDING, Purpose.FINDING)


def test_verify_envelope_tries_every_key_sharing_a_kid(root_key: SigningKey, monkeypatch: pytest.MonkeyPatch) -> None:
    real = signing.compute_kid
    twins = {AUDITOR.public.raw, SECOND.public.raw}
    monkeypatch.setattr(signing, "compute_kid", lambda raw: AUDITOR.public.kid if raw in twins else real(raw))
    entries = [entry_dict(AUDITOR.public.raw, auditor_id="AUD-1"), entry_dict(SECOND.public.raw, auditor_id="AUD-2")]
    tl = TrustList.model_validate(list_dict(root_key, entries))  # HQ would never sign this; verifiers cope
    second = SigningKey.from_raw(SECOND.raw_private())
    env = sign_record(second, Domain.CERT, {"c": 1})
    entry, _ = tl.verify_envelope(env, Domain.CERT, Purpose.CERT)
    assert entry.auditor_id == "AUD-2"
    assert len(tl.candidates(env.kid)) == 2


# --- revocation list --------------------------------------------------------------------------


def test_crl_round_trip_and_rollback(hq: HQ, store: TrustStore) -> None:
    hq.revoke_cert("CERT-0001", "station failed surveillance audit")
    first = hq.export_crl(PASS)
    crl = store.install_crl(first)
    assert isinstance(crl, RevocationList) and crl.seq == 1
    hit = crl.is_revoked("CERT-0001")
    assert hit is not None and hit.reason == "station failed surveillance audit"
    assert crl.is_revoked("CERT-0002") is None
    hq.revoke_cert("CERT-0002", "wrong station")
    second = hq.export_crl(PASS)
    assert store.install_crl(second).seq == 2
    with pytest.raises(UserError, match="rollback refused"):
        store.install_crl(first)
    assert store.crl().is_revoked("CERT-0002") is not None
    with pytest.raises(UserError, match="already revoked"):
        hq.revoke_cert("CERT-0001", "again")
    with pytest.raises(UserError, match="not a certificate id"):
        hq.revoke_cert("bad id", "x")


def test_crl_from_unpinned_root_refused(tmp_path: Path, store: TrustStore) -> None:
    other = HQ(tmp_path / "other")
    other.init("Rogue HQ", PASS, scrypt_n=FAST_N)
    other.revoke_cert("CERT-1", "x")
    with pytest.raises(UserError, match="not a pinned HQ root"):
        store.install_crl(other.export_crl(PASS))


def test_stale_detection(hq: HQ) -> None:
    enrolled(hq)
    tl = load_trustlist(hq.export_trustlist(PASS, next_update_days=1), [hq.root_public()])
    assert not tl.is_stale()
    assert tl.is_stale(datetime.now(UTC) + timedelta(days=2))


def test_hq_register_survives_reload(hq: HQ) -> None:
    enrolled(hq)
    again = HQ(hq.root)
    assert again.entries() == hq.entries() and again.trustlist_seq() == 1
    assert oct(hq.hq_register.stat().st_mode & 0o777) == "0o600"


def test_hq_init_refuses_overwrite(hq: HQ) -> None:
    with pytest.raises(UserError, match="already exists"):
        hq.init("Other", PASS, scrypt_n=FAST_N)


def test_no_hq_here(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="hq init"):
        HQ(tmp_path).entries()
