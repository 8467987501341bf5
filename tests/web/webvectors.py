"""Shared test vectors for the two certificate verifiers: ``inspector verify`` and the phone page.

One truth for two implementations: this module builds (with the Python API only: signing,
psc1, trust, verify) a set of certificates, trust lists, revocation lists and certificate status
lists, valid ones and one of every attack class of qr-credentials.md §9, every status HQ can
give a certificate and every way a status list can be damaged, and asks the Python verifier for
each expected verdict, reason codes and HQ decision. tests/web/test_web_verifier.py then runs
every vector in Chromium against the published page and asserts the page agrees.

    python -m tests.web.webvectors OUT.json      # write the vector file (format below)

    {"format": "inspector-webvectors/v1", "now": EPOCH,
     "contexts": {NAME: {"roots": [b64...], "trustlist": TEXT, "crl": TEXT | null,
                         "status": TEXT | null}},
     "page": NAME,                       # the context published into the page itself
     "vectors": [{"id", "about", "text", "now", "context",
                  "expect": {"verdict": "VALID" | "INVALID" | "ERROR", "reason": CODE | null,
                             "reasons": [CODE...], "warnings": [CODE...],
                             "status": STATUS | "not-decided" | null, "decided_on": DATE | null,
                             "superseded_by": ID | null}}]}

"ERROR" is the CLI's exit status 2: a trust list, revocation list or status list that does not
load (the page shows CANNOT CHECK). The Python verdict is the product path's: ``verify_payload``
and then ``apply_status``, as ``services.scan.check_scan`` runs them (a test holds them to
that). Every key is derived from a fixed seed, so the file is reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2

from inspector.certificates import psc1
from inspector.certificates.psc1 import cert_id_text
from inspector.crypto.canonical import canonical_json, format_time
from inspector.crypto.signing import (
    Domain,
    Envelope,
    PublicKey,
    SigningKey,
    b64encode,
    protected_header,
    sign_record,
)
from inspector.errors import UserError
from inspector.trust.documents import encode_document, load_crl, load_status, load_trustlist
from inspector.trust.lists import CRL_FORMAT, MAX_CERT_LIFETIME_DAYS, TRUSTLIST_FORMAT

FORMAT = "inspector-webvectors/v1"
UTC = UTC
NOW_DT = datetime(2026, 1, 1, tzinfo=UTC)
NOW = int(NOW_DT.timestamp())  # 1767225600, the fixed "now" of most vectors
DAY = 86400


def key(name: str) -> SigningKey:
    return SigningKey.from_raw(hashlib.sha256(b"inspector webvectors/" + name.encode()).digest())


def t(moment: datetime) -> str:
    return format_time(moment)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# the world: an HQ root, enrolled auditors, lists


ROOT = key("hq-root")
NEXT_ROOT = key("hq-next-root")
ROGUE_ROOT = key("rogue-root")


@dataclass
class Auditor:
    auditor_id: str
    name: str
    signing: SigningKey
    purposes: list[str] = field(default_factory=lambda: ["cert", "finding"])
    use_from: datetime = d(2025, 1, 1)
    use_until: datetime = d(2026, 3, 1)
    verify_until: datetime | None = None
    status: str = "active"
    retired_at: datetime | None = None
    revoked_at: datetime | None = None
    reason: str | None = None

    def entry(self) -> dict[str, Any]:
        verify_until = self.verify_until or self.use_until + timedelta(days=MAX_CERT_LIFETIME_DAYS)
        out: dict[str, Any] = {
            "auditor_id": self.auditor_id,
            "name": self.name,
            "public_key": self.signing.public.b64,
            "kid": self.signing.public.kid_hex,
            "purposes": self.purposes,
            "use_from": t(self.use_from),
            "use_until": t(self.use_until),
            "verify_until": t(verify_until),
            "status": self.status,
            "retired_at": t(self.retired_at) if self.retired_at else None,
            "revoked_at": t(self.revoked_at) if self.revoked_at else None,
            "reason": self.reason,
        }
        return out


ACTIVE = Auditor("UP/GBN/A17", "Sunita Devi", key("aud-active"))
SECOND = Auditor("AUD-002", "Ravi Kumar", key("aud-second"))
REVOKED = Auditor(
    "AUD-003", "Lost Laptop", key("aud-revoked"), status="revoked", revoked_at=d(2025, 10, 1), reason="laptop stolen"
)
FINDING_ONLY = Auditor("AUD-004", "Field Clerk", key("aud-finding-only"), purposes=["finding"])
RETIRED = Auditor(
    "AUD-005",
    "Retired Auditor",
    key("aud-retired"),
    use_until=d(2025, 9, 1),
    status="retired",
    retired_at=d(2025, 9, 1),
)
FUTURE = Auditor("AUD-006", "Next Year", key("aud-future"), use_from=d(2026, 6, 1), use_until=d(2027, 6, 1))
SHORT = Auditor(
    "AUD-007",
    "Short Verify",
    key("aud-short"),
    use_from=d(2025, 1, 1),
    use_until=d(2025, 6, 1),
    verify_until=d(2026, 6, 1),
)
# A key renewed on 2025-07-01: the first window ended (kept, retired) and a new one began.
RENEWED_OLD = Auditor(
    "AUD-008",
    "Renewed Auditor",
    key("aud-renewed"),
    use_from=d(2025, 1, 1),
    use_until=d(2025, 7, 1),
    status="retired",
    retired_at=d(2025, 7, 1),
    reason="renewed",
)
RENEWED_NEW = Auditor(
    "AUD-008", "Renewed Auditor", RENEWED_OLD.signing, use_from=d(2025, 9, 1), use_until=d(2026, 9, 1)
)
AUDITORS = [ACTIVE, SECOND, REVOKED, FINDING_ONLY, RETIRED, FUTURE, SHORT, RENEWED_OLD, RENEWED_NEW]
NOT_ENROLLED = key("aud-not-enrolled")

LIST_ISSUED = d(2025, 12, 15)
LIST_NEXT = d(2026, 1, 14)


def signed_document(fmt: str, domain: Domain, payload: dict[str, Any], signer: SigningKey = ROOT) -> str:
    return encode_document(fmt, sign_record(signer, domain, payload)).decode("utf-8")


def trustlist_payload(
    auditors: list[dict[str, Any]] | None = None,
    *,
    seq: int = 7,
    issued_at: datetime = LIST_ISSUED,
    next_update: datetime = LIST_NEXT,
    issuer: SigningKey = ROOT,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "issued_at": t(issued_at),
        "next_update": t(next_update),
        "issuer_name": "Police Commissionerate Gautam Buddh Nagar",
        "issuer_key": issuer.public.b64,
        "auditors": [a.entry() for a in AUDITORS] if auditors is None else auditors,
        "verify_url": VERIFY_URL,
    }


VERIFY_URL = "https://verify.gbnpolice.example/cert/"


REVOKED_CTI = bytes.fromhex("5e1f00d5a1b2c3d4e5f6")


def crl_payload(
    *, issued_at: datetime = LIST_ISSUED, next_update: datetime = LIST_NEXT, issuer: SigningKey = ROOT
) -> dict[str, Any]:
    return {
        "seq": 3,
        "issued_at": t(issued_at),
        "next_update": t(next_update),
        "issuer_name": "Police Commissionerate Gautam Buddh Nagar",
        "issuer_key": issuer.public.b64,
        "entries": [
            {
                "cert_id": cert_id_text(REVOKED_CTI),
                "reason": "issued for the wrong station",
                "revoked_at": t(d(2025, 12, 1)),
            }
        ],
    }


_MAIN = object()  # context(): HQ's main status list


def _status_vectors() -> Any:
    """tests/web/statusvectors.py, which builds on this module (so it is imported when used)."""
    from tests.web import statusvectors

    return statusvectors


def context(
    trustlist: str, crl: str | None, roots: list[SigningKey] | None = None, status: Any = _MAIN
) -> dict[str, Any]:
    return {
        "roots": [k.public.b64 for k in (roots or [ROOT])],
        "trustlist": trustlist,
        "crl": crl,
        "status": _status_vectors().main_status() if status is _MAIN else status,
    }


def build_contexts() -> dict[str, dict[str, Any]]:
    main_list = signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload())
    main_crl = signed_document(CRL_FORMAT, Domain.CRL, crl_payload())
    contexts: dict[str, dict[str, Any]] = {
        "main": context(main_list, main_crl),
        "no-crl": context(main_list, None),
        "two-roots": context(
            signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload(issuer=NEXT_ROOT), NEXT_ROOT),
            signed_document(CRL_FORMAT, Domain.CRL, crl_payload(issuer=NEXT_ROOT), NEXT_ROOT),
            [ROOT, NEXT_ROOT],
            _status_vectors().status_document(signer=NEXT_ROOT),
        ),
    }
    contexts.update(_status_vectors().status_contexts(main_list, main_crl))

    def hand_made(auditor_entries: list[dict[str, Any]]) -> dict[str, Any]:
        return context(
            signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload(auditor_entries)), main_crl
        )

    small = ACTIVE.entry() | {"public_key": b64encode(bytes([1]) + bytes(31)), "kid": _kid_of(bytes([1]) + bytes(31))}
    contexts["small-order-key"] = hand_made([small])
    identity_neg = bytes([1]) + bytes(30) + bytes([0x80])
    contexts["negative-zero-key"] = hand_made(
        [ACTIVE.entry() | {"public_key": b64encode(identity_neg), "kid": _kid_of(identity_neg)}]
    )
    non_canonical = (2**255 - 19 + 1).to_bytes(32, "little")  # y = p + 1 (reads as y = 1)
    contexts["non-canonical-key"] = hand_made(
        [ACTIVE.entry() | {"public_key": b64encode(non_canonical), "kid": _kid_of(non_canonical)}]
    )
    contexts["kid-mismatch"] = hand_made([ACTIVE.entry() | {"kid": SECOND.signing.public.kid_hex}])
    contexts["unsorted-purposes"] = hand_made([ACTIVE.entry() | {"purposes": ["finding", "cert"]}])
    contexts["bad-window"] = hand_made([ACTIVE.entry() | {"use_from": t(d(2026, 5, 1))}])
    contexts["revoked-without-reason"] = hand_made([REVOKED.entry() | {"reason": None}])
    contexts["extra-field"] = hand_made([ACTIVE.entry() | {"colour": "red"}])
    for name, url in (
        ("verify-url-http", "http://verify.gbnpolice.example/"),
        ("verify-url-fragment", VERIFY_URL + "#x"),
        ("verify-url-unicode", "https://vérify.example/"),
        ("verify-url-space", "https://v.example/a b"),
    ):
        contexts[name] = context(
            signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload() | {"verify_url": url}), main_crl
        )
    no_url = trustlist_payload()
    del no_url["verify_url"]
    contexts["no-verify-url"] = context(signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, no_url), main_crl)
    contexts["rogue-root"] = context(
        signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload(issuer=ROGUE_ROOT), ROGUE_ROOT), main_crl
    )
    contexts["trustlist-cert-domain"] = context(
        signed_document(TRUSTLIST_FORMAT, Domain.CERT, trustlist_payload()), main_crl
    )
    contexts["trustlist-issuer-not-signer"] = context(
        signed_document(TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload(issuer=NEXT_ROOT)), main_crl
    )
    # A valid list with one byte of its payload changed (a revoked key turned active).
    doc = json.loads(main_list)
    doc["envelope"]["payload"] = doc["envelope"]["payload"].replace('"status":"revoked"', '"status":"active"  ', 1)
    contexts["trustlist-tampered"] = context(json.dumps(doc), main_crl)
    # Signed, but the signed payload text is not canonical JSON (a space after a comma).
    text = canonical_json(trustlist_payload()).decode("utf-8").replace(',"issuer_key"', ', "issuer_key"', 1)
    assert ", " in text
    envelope = Envelope(
        kid=ROOT.public.kid_hex, payload=text, sig=b64encode(ROOT.sign(Domain.TRUSTLIST, text.encode()))
    )
    contexts["trustlist-not-canonical"] = context(encode_document(TRUSTLIST_FORMAT, envelope).decode("utf-8"), main_crl)
    # Signed, canonical, but a float where an integer belongs.
    text = canonical_json(trustlist_payload() | {"seq": 0}).decode("utf-8").replace('"seq":0', '"seq":7.5', 1)
    envelope = Envelope(
        kid=ROOT.public.kid_hex, payload=text, sig=b64encode(ROOT.sign(Domain.TRUSTLIST, text.encode()))
    )
    contexts["trustlist-float"] = context(encode_document(TRUSTLIST_FORMAT, envelope).decode("utf-8"), main_crl)
    doc = json.loads(main_crl)
    doc["envelope"]["payload"] = doc["envelope"]["payload"].replace('"entries":[{', '"entries":[ {', 1)
    contexts["crl-tampered"] = context(main_list, json.dumps(doc))
    contexts["crl-trustlist-domain"] = context(main_list, signed_document(CRL_FORMAT, Domain.TRUSTLIST, crl_payload()))
    contexts["crl-stale"] = context(
        main_list,
        signed_document(CRL_FORMAT, Domain.CRL, crl_payload(issued_at=d(2025, 10, 1), next_update=d(2025, 11, 1))),
    )
    contexts["trustlist-stale"] = context(
        signed_document(
            TRUSTLIST_FORMAT, Domain.TRUSTLIST, trustlist_payload(issued_at=d(2025, 10, 1), next_update=d(2025, 11, 1))
        ),
        main_crl,
    )
    # Wrong format strings swap the two documents.
    contexts["crl-as-trustlist"] = context(main_crl, main_crl)
    # An extra field in the envelope.
    contexts["trustlist-envelope-extra"] = context(
        json.dumps({"format": TRUSTLIST_FORMAT, "envelope": json.loads(main_list)["envelope"] | {"x": "1"}}), main_crl
    )
    return contexts


def _kid_of(raw: bytes) -> str:
    return hashlib.sha256(b"PSA/kid/v1" + raw).digest()[:8].hex()


# ---------------------------------------------------------------------------------------------
# certificates


def claims(**overrides: Any) -> dict[int, Any]:
    """A certificate payload as a CBOR claims map (int keys), valid under ACTIVE at NOW."""
    base: dict[int, Any] = {
        1: 1,
        6: epoch(d(2025, 11, 1)),
        4: epoch(d(2026, 11, 1)),
        7: bytes.fromhex("0a1b2c3d4e5f60718293"),
        -1: "GBN-S39",
        -2: ["police-station-iso9001", "1.0.0"],
        -3: 2,
        -4: 91,
        -5: [0, 2],
        -6: ACTIVE.auditor_id,
        -7: bytes.fromhex("00112233445566778899aabbccddeeff"),
        -8: "Kotwali Sector 39",
        -9: (d(2025, 10, 28) - d(1970, 1, 1)).days,  # days since 1970-01-01
    }
    for k, v in overrides.items():
        number = _claim_number(k)
        if v is _DROP:
            base.pop(number, None)
        else:
            base[number] = v
    return base


_DROP = object()
_NAMES = {
    "iss": 1,
    "iat": 6,
    "exp": 4,
    "cti": 7,
    "station": -1,
    "checklist": -2,
    "result": -3,
    "score": -4,
    "ncs": -5,
    "auditor": -6,
    "root": -7,
    "name": -8,
    "audit_date": -9,
    "audit_type": -10,
}


def _claim_number(name: str) -> int:
    return _NAMES[name]


def cbor(value: Any) -> bytes:
    return cbor2.dumps(value, canonical=True)


def sign_cose(
    payload: bytes,
    signer: SigningKey,
    *,
    domain: Domain = Domain.CERT,
    protected: bytes | None = None,
    unprotected: Any = None,
    signature: bytes | None = None,
    tag: int | None = 18,
) -> bytes:
    header = protected_header(signer.kid) if protected is None else protected
    sig = signer.sign(domain, payload, protected=header) if signature is None else signature
    body = [header, {} if unprotected is None else unprotected, payload, sig]
    return cbor(cbor2.CBORTag(tag, body) if tag is not None else body)


def text_of(cose: bytes) -> str:
    return psc1.to_text(cose)


def cert(signer: SigningKey = ACTIVE.signing, **overrides: Any) -> str:
    return text_of(sign_cose(cbor(claims(**overrides)), signer))


def compact_cert(signer: SigningKey = ACTIVE.signing, **overrides: Any) -> str:
    """The same certificate in the compact PSC2 form: kid || signature || payload."""
    payload = cbor(claims(**overrides))
    return psc1.to_compact_text(
        signer.kid, signer.sign(Domain.CERT, payload, protected=protected_header(signer.kid)), payload
    )


def compact_raw(data: bytes) -> str:
    return psc1.PREFIX_COMPACT + base64.b32encode(data).decode("ascii").rstrip("=")


def compact_vectors(add: Any) -> None:
    """PSC2 (psc1.PREFIX_COMPACT): what it accepts and refuses, on both verifiers."""
    good = compact_cert()
    raw = base64.b32decode(good[5:] + "=" * (-len(good[5:]) % 8))
    kid, sig, payload = raw[:8], raw[8:72], raw[72:]
    add("compact-valid", "the compact form of a valid certificate", good)
    add("compact-valid-link", "the compact form in a verify link", "HTTPS://VERIFY.GBNPOLICE.EXAMPLE/cert/#" + good)
    add("compact-valid-minimal", "compact, no optional claims", compact_cert(name=_DROP, audit_date=_DROP))
    add(
        "compact-valid-second-auditor",
        "compact, another auditor",
        compact_cert(SECOND.signing, auditor=SECOND.auditor_id),
    )
    add(
        "compact-flipped-payload",
        "compact, a claim altered after signing",
        compact_raw(kid + sig + payload[:-1] + bytes([payload[-1] ^ 1])),
    )
    add(
        "compact-flipped-signature",
        "compact, signature altered",
        compact_raw(kid + bytes([sig[0] ^ 1]) + sig[1:] + payload),
    )
    add("compact-unknown-kid", "compact, a kid HQ never enrolled", compact_raw(bytes(8) + sig + payload))
    add(
        "compact-other-kid",
        "compact, signed by one key, kid of another",
        compact_raw(SECOND.signing.kid + sig + payload),
    )
    add("compact-not-enrolled", "compact, signed by a key never enrolled", compact_cert(NOT_ENROLLED))
    add("compact-revoked-key", "compact, a revoked key", compact_cert(REVOKED.signing, auditor=REVOKED.auditor_id))
    add("compact-expired", "compact, expired", compact_cert(iat=epoch(d(2025, 1, 2)), exp=epoch(d(2025, 6, 1))))
    add("compact-empty-payload", "compact, kid and signature only", compact_raw(kid + sig))
    add("compact-short", "compact, shorter than kid and signature", compact_raw(kid + sig[:40]))
    add("compact-empty", "compact prefix alone", psc1.PREFIX_COMPACT)
    add("compact-lower-case", "compact, lower-case base32", good[:5] + good[5:].lower())
    add("compact-non-canonical-base32", "compact, last base32 character not canonical", _non_canonical_last(good))
    add("compact-trailing-byte", "compact, a byte after the claims (signed)", _signed_compact(payload + b"\x00"))
    add("compact-claims-not-a-map", "compact, signed claims that are not a map", _signed_compact(cbor([1, 2])))
    add(
        "compact-wrong-domain",
        "compact, signed as a finding, not a certificate",
        compact_raw(kid + ACTIVE.signing.sign(Domain.FINDING, payload, protected=protected_header(kid)) + payload),
    )
    add("compact-prefix-case", "psc2: in lower case is no prefix", "psc2:" + good[5:])
    import random

    rng = random.Random(2027)
    for index in range(30):  # byte mutations of the compact bytes: framing, kid, signature, claims
        data = bytearray(raw)
        at = rng.randrange(len(data))
        op = rng.random()
        if op < 0.5:
            data[at] ^= 1 << rng.randrange(8)
        elif op < 0.75:
            del data[at]
        else:
            data.insert(at, rng.randrange(256))
        add(f"compact-fuzz-{index:02d}", "compact, one byte changed, removed or added", compact_raw(bytes(data)))


def _signed_compact(payload: bytes, signer: SigningKey = ACTIVE.signing) -> str:
    return psc1.to_compact_text(
        signer.kid, signer.sign(Domain.CERT, payload, protected=protected_header(signer.kid)), payload
    )


def _non_canonical_last(text: str) -> str:
    body = text[5:]
    unused = {0: 0, 2: 3, 4: 1, 5: 4, 7: 2}[len(body) % 8]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    if not unused:  # no spare bits in this length: make one by dropping a whole byte's worth
        return text + "A"
    return text[:5] + body[:-1] + alphabet[alphabet.index(body[-1]) | 1]


def signed_raw(payload: bytes, signer: SigningKey = ACTIVE.signing) -> str:
    """A correctly signed certificate around arbitrary payload bytes (a rogue or buggy signer)."""
    return text_of(sign_cose(payload, signer))


def replace_last_char(text: str) -> str:
    """The same bytes with a non-canonical last base32 character (unused low bits set)."""
    body = text[len(psc1.PREFIX) :]
    bits_used = (len(body) * 5) % 8
    unused = {0: 0, 2: 3, 4: 1, 5: 4, 7: 2}[len(body) % 8]
    assert unused or bits_used == 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    index = alphabet.index(body[-1])
    return psc1.PREFIX + body[:-1] + alphabet[index | 1]


def flip_payload_bit(text: str) -> str:
    cose = bytearray(base64.b32decode(text[5:] + "=" * (-len(text[5:]) % 8)))
    value = cbor2.loads(bytes(cose))
    payload = value.value[2]
    at = bytes(cose).index(payload) + len(payload) - 20  # inside the findings root / auditor id
    cose[at] ^= 0x01
    return text_of(bytes(cose))


# ---------------------------------------------------------------------------------------------
# the vectors


@dataclass
class Vector:
    id: str
    about: str
    text: str
    now: int = NOW
    context: str = "main"


def build_vectors() -> list[Vector]:
    v: list[Vector] = []

    def add(id: str, about: str, text: str, now: int = NOW, ctx: str = "main") -> None:
        v.append(Vector(id, about, text, now, ctx))

    good = cert()
    good_cose = base64.b32decode(good[5:] + "=" * (-len(good[5:]) % 8))

    # valid
    add("valid", "a certified station, active key, all claims", good)
    add("valid-minimal", "no optional claims", cert(name=_DROP, audit_date=_DROP))
    add("valid-audit-type", "with the audit type claim", cert(audit_type=2))
    add("valid-conditional", "result conditional", cert(result=1, score=68, ncs=[1, 4]))
    add(
        "valid-not-certified",
        "a genuine record that the station is NOT certified",
        cert(result=0, score=40, ncs=[4, 9]),
    )
    add(
        "valid-second-auditor",
        "another enrolled auditor",
        cert(SECOND.signing, auditor=SECOND.auditor_id, name="Sector 49", station="GBN-S49"),
    )
    add("valid-link", "the verify link form the QR holds", "https://verify.gbnpolice.example/cert/#" + good)
    for name, host in (("junk", "[zz]"), ("ipv6", "[::1]"), ("ipvfuture", "[v1.x]"), ("half", "verify.example]")):
        add(
            f"invalid-link-bracketed-{name}",
            "a bracketed host is refused on both verifiers",
            f"https://{host}/#" + good,
        )
    add(
        "valid-link-upper",
        "the link as the QR carries it (scheme and host upper case)",
        "HTTPS://VERIFY.GBNPOLICE.EXAMPLE/cert/#" + good,
    )
    add("valid-list-without-verify-url", "a trust list without verify_url", good, ctx="no-verify-url")
    add("valid-scanner-newline", "a hand-held scanner adds CR LF", good + "\r\n")
    add("valid-leading-space", "white space around the text", "  " + good + " ")
    add(
        "valid-retired-key-old-cert",
        "retired key: a certificate from inside its window stays valid",
        cert(RETIRED.signing, auditor=RETIRED.auditor_id, iat=epoch(d(2025, 6, 1)), exp=epoch(d(2026, 6, 1))),
    )
    add(
        "valid-short-verify-until-edge",
        "exp exactly at verify_until",
        cert(SHORT.signing, auditor=SHORT.auditor_id, iat=epoch(d(2025, 3, 1)), exp=epoch(d(2026, 6, 1))),
    )
    add("valid-iat-at-use-from", "issued the second the key's window opens", cert(iat=epoch(ACTIVE.use_from)))
    renewed = {"auditor": RENEWED_NEW.auditor_id, "exp": epoch(d(2026, 12, 1))}
    add(
        "valid-renewed-key-first-window",
        "renewed key: a certificate from its first (retired) window stays valid",
        cert(RENEWED_OLD.signing, iat=epoch(d(2025, 3, 1)), **renewed),
    )
    add(
        "valid-renewed-key-second-window",
        "renewed key: a certificate from its current window",
        cert(RENEWED_NEW.signing, iat=epoch(d(2025, 10, 1)), **renewed),
    )
    add(
        "invalid-renewed-key-between-windows",
        "renewed key: issued in the gap between its two windows",
        cert(RENEWED_NEW.signing, iat=epoch(d(2025, 8, 1)), **renewed),
    )
    add("valid-iat-skew", "issued 300 s in the future (allowed clock skew)", cert(iat=NOW + 300))
    add("valid-just-before-expiry", "one second before exp", cert(exp=NOW + 1))
    add("valid-two-roots", "trust list signed by the second pinned root", good, ctx="two-roots")
    add("valid-no-crl", "no revocation list installed: a warning", good, ctx="no-crl")
    add("valid-crl-stale", "revocation list past next_update: a warning", good, ctx="crl-stale")
    add("valid-trustlist-stale", "trust list past next_update", good, ctx="trustlist-stale")
    add(
        "valid-clock-equal-list",
        "device clock exactly the list's issued_at",
        cert(iat=epoch(d(2025, 12, 1))),
        now=epoch(LIST_ISSUED),
    )
    add("valid-hindi-name", "station display name in Devanagari", cert(name="कोतवाली सेक्टर 39"))
    add("valid-lifetime-3y", "a three-year certificate (ISO 17021 cycle)", cert(exp=epoch(d(2028, 10, 31))))

    # §9.1 tampering
    add("tampered-payload", "one bit flipped in the signed payload", flip_payload_bit(good))
    other = cert(cti=bytes.fromhex("ffeeddccbbaa99887766"), station="GBN-S49")
    other_sig = cbor2.loads(base64.b32decode(other[5:] + "=" * (-len(other[5:]) % 8))).value[3]
    add(
        "signature-from-other-cert",
        "a valid signature copied from another certificate",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, signature=other_sig)),
    )
    sig = cbor2.loads(good_cose).value[3]
    add("signature-63", "63-byte signature", text_of(sign_cose(cbor(claims()), ACTIVE.signing, signature=sig[:63])))
    add("signature-65", "65-byte signature", text_of(sign_cose(cbor(claims()), ACTIVE.signing, signature=sig + b"\0")))
    add("signature-zero", "all-zero signature", text_of(sign_cose(cbor(claims()), ACTIVE.signing, signature=bytes(64))))
    order = 2**252 + 27742317777372353535851937790883648493
    s_plus_l = sig[:32] + (int.from_bytes(sig[32:], "little") + order).to_bytes(32, "little")
    add(
        "signature-s-plus-l",
        "malleated signature (S + L)",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, signature=s_plus_l)),
    )

    # §9.2 cross-purpose
    add(
        "finding-domain",
        "signed as a finding (PSA/finding/v1), re-wrapped as a certificate",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, domain=Domain.FINDING)),
    )
    add(
        "trustlist-domain",
        "signed in the trust-list domain",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, domain=Domain.TRUSTLIST)),
    )
    add(
        "finding-only-key",
        "key enrolled without the cert purpose",
        cert(FINDING_ONLY.signing, auditor=FINDING_ONLY.auditor_id),
    )

    # §9.3 header games
    def with_header(header: dict[Any, Any], **kw: Any) -> str:
        protected = cbor(header)
        return text_of(sign_cose(cbor(claims()), ACTIVE.signing, protected=protected, **kw))

    kid = ACTIVE.signing.kid
    add("alg-es256", "protected alg -7 (ES256)", with_header({1: -7, 4: kid}))
    add("alg-missing", "no alg", with_header({4: kid}))
    add("alg-none-text", "alg 'none'", with_header({1: "none", 4: kid}))
    add("kid-missing", "no kid in the protected header", with_header({1: -8}))
    add(
        "kid-unprotected",
        "kid only in the unprotected header",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, protected=cbor({1: -8}), unprotected={4: kid})),
    )
    add(
        "unprotected-not-empty",
        "conflicting kid in the unprotected header",
        text_of(sign_cose(cbor(claims()), ACTIVE.signing, unprotected={4: SECOND.signing.kid})),
    )
    add("header-extra-entry", "extra protected header entry", with_header({1: -8, 4: kid, 3: 0}))
    add("kid-short", "7-byte kid", with_header({1: -8, 4: kid[:7]}))
    add(
        "header-not-canonical",
        "protected header with a non-minimal alg",
        text_of(
            sign_cose(
                cbor(claims()), ACTIVE.signing, protected=bytes.fromhex("a2") + b"\x01\x38\x07" + b"\x04\x48" + kid
            )
        ),
    )
    add("untagged", "COSE_Sign1 without tag 18", text_of(sign_cose(cbor(claims()), ACTIVE.signing, tag=None)))
    add("wrong-tag", "tag 98 (COSE_Sign) instead of 18", text_of(sign_cose(cbor(claims()), ACTIVE.signing, tag=98)))
    add("cose-3-items", "array of 3", text_of(cbor(cbor2.CBORTag(18, [protected_header(kid), {}, cbor(claims())]))))
    add(
        "payload-not-bytes",
        "payload as a map, not a byte string",
        text_of(cbor(cbor2.CBORTag(18, [protected_header(kid), {}, claims(), sig]))),
    )

    # §9.4 key trust
    add("unknown-kid", "signed by a key not in the trust list", cert(NOT_ENROLLED))
    add(
        "revoked-key",
        "signed by a key HQ revoked",
        cert(REVOKED.signing, auditor=REVOKED.auditor_id, iat=epoch(d(2025, 6, 1))),
    )
    add("small-order-list", "small-order key 01 00..00 in a signed hand-made trust list", good, ctx="small-order-key")
    forged = text_of(
        sign_cose(
            cbor(claims()),
            ACTIVE.signing,
            protected=protected_header(bytes.fromhex(_kid_of(bytes([1]) + bytes(31)))),
            signature=bytes([1]) + bytes(63),
        )
    )
    add(
        "small-order-forgery",
        "R = identity, S = 0 under the small-order key the list carries",
        forged,
        ctx="small-order-key",
    )
    add("negative-zero-list", "negative-zero key encoding in a signed list", good, ctx="negative-zero-key")
    add("non-canonical-key-list", "key encoding with y >= p in a signed list", good, ctx="non-canonical-key")
    add("list-kid-mismatch", "list entry whose kid is not its key's", good, ctx="kid-mismatch")
    add("list-unsorted-purposes", "purposes not sorted", good, ctx="unsorted-purposes")
    add("list-bad-window", "use_from after use_until", good, ctx="bad-window")
    add("list-revoked-without-reason", "revoked entry without reason", good, ctx="revoked-without-reason")
    add("list-extra-field", "entry with an unknown field", good, ctx="extra-field")

    # §9.5 binding and windows
    add("auditor-mismatch", "payload auditor is not the key's auditor", cert(auditor=SECOND.auditor_id))
    add("iat-before-window", "issued before the key's window", cert(iat=epoch(d(2024, 12, 31))))
    add(
        "iat-after-retirement",
        "retired key signing after its window closed",
        cert(RETIRED.signing, auditor=RETIRED.auditor_id, iat=epoch(d(2025, 10, 1))),
    )
    add("future-key", "key whose window opens next year", cert(FUTURE.signing, auditor=FUTURE.auditor_id))
    add(
        "exp-beyond-verify-until",
        "exp after the key's verify_until",
        cert(SHORT.signing, auditor=SHORT.auditor_id, iat=epoch(d(2025, 3, 1)), exp=epoch(d(2026, 6, 1)) + 1),
    )
    add("lifetime-too-long", "exp 5 years after iat", cert(exp=epoch(d(2030, 11, 1))))
    add("exp-before-iat", "exp before iat", cert(exp=epoch(d(2025, 10, 1))))

    # §9.6 time
    add("not-yet-valid", "issued 301 s in the future", cert(iat=NOW + 301))
    add("expired", "now == exp", cert(exp=NOW))
    add("expired-long-ago", "expired a year ago", cert(iat=epoch(d(2025, 1, 2)), exp=epoch(d(2025, 2, 1))))
    add("clock-wrong", "device clock before the trust list's issued_at", good, now=epoch(LIST_ISSUED) - 1)
    add("clock-zero", "device clock at 1970", good, now=0)
    add("iat-milliseconds", "iat in milliseconds (SHC #46 pattern)", cert(iat=epoch(d(2025, 11, 1)) * 1000))

    # §9.7 transport
    add("prefix-hc1", "HC1: prefix", "HC1:" + good[5:])
    add("prefix-psc2", "PSC2: prefix", "PSC2:" + good[5:])
    add("prefix-lower", "psc1: prefix", "psc1:" + good[5:])
    add("prefix-none", "no prefix", good[5:])
    add("lowercase", "lower-case body", "PSC1:" + good[5:].lower())
    add("padding", "'=' padding", good + "=" * (-len(good[5:]) % 8 or 8))
    add("space-inside", "a space inserted by a camera app", good[:40] + " " + good[40:])
    add("percent20", "%20 inserted by a camera app", good[:40] + "%20" + good[40:])
    add("char-outside-alphabet", "the digit 1", good[:30] + "1" + good[31:])
    add("char-zero", "the digit 0 for O", good[:30] + "0" + good[31:])
    add("non-canonical-base32", "unused low bits set in the last character", replace_last_char(good))
    body = good[5:]
    while len(body) % 8 not in (1, 3, 6):
        body += "A"
    add("impossible-length", "a base32 length no byte string has (8n+1, 8n+3, 8n+6)", "PSC1:" + body)
    add("too-long-421", "421 characters", "PSC1:" + "A" * 416)
    add("too-long-5000", "5,000 characters", "PSC1:" + "A" * 4995)
    add("too-long-link", "a 2,000-character link", "https://x.example/#" + "PSC1:" + "A" * 1976)
    add("empty", "empty text", "")
    add("prefix-only", "PSC1: and nothing", "PSC1:")
    add("link-http", "verify link over http", "http://verify.gbnpolice.example/#" + good)
    add("link-no-fragment", "verify link without the fragment", "https://verify.gbnpolice.example/cert/")
    add("link-no-host", "verify link without a host", "https:///#" + good)
    add("link-space", "verify link with a space", "https://verify.gbn police.example/#" + good)
    add("link-percent-payload", "percent-encoded payload in a pasted link", "https://v.example/#PSC1%3A" + good[5:])
    add("zwsp", "zero-width space after the prefix", "PSC1:\u200b" + good[5:])

    # §9.8 CBOR strictness
    add("trailing-cose", "a byte after the COSE item", text_of(good_cose + b"\x00"))
    add("trailing-payload", "signed payload with a trailing byte", signed_raw(cbor(claims()) + b"\x00"))
    add("duplicate-key", "signed payload with -3 twice ({-3: 0, -3: 2})", signed_raw(_dup_payload()))
    add("non-minimal-int-payload", "signed payload with a non-minimal integer", signed_raw(_non_minimal_payload()))
    add("unsorted-payload", "signed payload with keys out of order", signed_raw(_unsorted_payload()))
    add("indefinite-payload", "signed payload as an indefinite-length map", signed_raw(_indefinite_payload()))
    add(
        "non-minimal-cose",
        "COSE array length written non-minimally",
        text_of(bytes([0xD2, 0x98, 0x04]) + good_cose[2:]),
    )
    add("indefinite-cose", "COSE array of indefinite length", text_of(bytes([0xD2, 0x9F]) + good_cose[2:] + b"\xff"))
    add("unknown-claim", "signed payload with claim -11", signed_raw(cbor(claims() | {-11: 1})))
    add("unknown-claim-text-key", "signed payload with a text key", signed_raw(cbor(claims() | {"x": 1})))
    add("exp-as-text", "exp as a text string", cert(exp="2026-11-01"))
    add("exp-as-float", "exp as a float", cert(exp=1793491200.0))
    add("iat-negative", "negative iat", cert(iat=-1))
    add("cti-9", "9-byte certificate id", cert(cti=bytes(9)))
    add("cti-text", "certificate id as text", cert(cti="0a1b2c3d4e5f60718293"))
    add("root-15", "15-byte findings root", cert(root=bytes(15)))
    add("score-101", "score 101", cert(score=101))
    add("result-3", "unknown result 3", cert(result=3))
    add("result-bool", "result true", cert(result=True))
    add("station-lower", "station code in lower case", cert(station="gbn-s39"))
    add("station-long", "17-character station code", cert(station="GBN-S39-XXXXXXXXX"))
    add("name-rlo", "station name with a right-to-left override", cert(name="Sector 39\u202e"))
    add("name-not-nfc", "station name not NFC", cert(name="Cafe\u0301"))
    add("name-41", "41-character station name", cert(name="K" * 41))
    add("name-spaces", "station name with trailing space", cert(name="Sector 39 "))
    add("auditor-empty", "empty auditor id", cert(auditor=""))
    add("checklist-3", "checklist as an array of 3", cert(checklist=["police-station-iso9001", "1.0.0", "x"]))
    add("checklist-version-bad", "checklist version 1.0", cert(checklist=["police-station-iso9001", "1.0"]))
    add("ncs-negative", "negative nonconformity count", cert(ncs=[-1, 0]))
    add("missing-exp", "no exp claim", cert(exp=_DROP))
    add("missing-cti", "no certificate id", cert(cti=_DROP))
    add("payload-array", "signed payload is an array", signed_raw(cbor([1, 2, 3])))
    add("payload-empty", "signed empty payload", signed_raw(b""))
    add("audit-type-9", "unknown audit type", cert(audit_type=9))
    add("zlib-blob", "zlib-compressed COSE (we never decompress)", text_of(zlib.compress(good_cose, 9)))
    add("bignum-exp", "exp as a bignum tag", signed_raw(_bignum_payload()))

    # order of the checks (verify.py: transport, clock, key known, purpose, signature, revoked key)
    add("clock-wrong-and-bad-prefix", "transport errors come before the clock", "HC1:" + good[5:], now=0)
    add("clock-wrong-and-unknown-key", "the clock comes before the key lookup", cert(NOT_ENROLLED), now=0)
    add(
        "wrong-purpose-bad-signature",
        "purpose is checked before the signature",
        text_of(sign_cose(cbor(claims()), FINDING_ONLY.signing, signature=bytes(64))),
    )
    add(
        "revoked-key-bad-signature",
        "a revoked key counts only when its signature verifies",
        text_of(sign_cose(cbor(claims(auditor=REVOKED.auditor_id)), REVOKED.signing, signature=bytes(64))),
    )
    add(
        "kid-swapped",
        "kid of another enrolled key, signature by the first",
        text_of(
            sign_cose(
                cbor(claims()),
                ACTIVE.signing,
                protected=protected_header(SECOND.signing.kid),
                signature=ACTIVE.signing.sign(
                    Domain.CERT, cbor(claims()), protected=protected_header(SECOND.signing.kid)
                ),
            )
        ),
    )
    add("iat-huge", "iat beyond year 9999", cert(iat=2**63))
    add("exp-huge", "exp = 2**64 - 1", cert(exp=2**64 - 1))
    add("exp-bignum-2-64", "exp = 2**64 (a bignum, out of range)", cert(exp=2**64))
    add("audit-date-seconds", "audit date in seconds, not days", cert(audit_date=epoch(d(2025, 10, 28))))
    add("audit-date-max", "audit date 65535 days", cert(audit_date=65535))
    add("name-zwj", "Devanagari name with a zero-width joiner (allowed)", cert(name="क्‍ष थाना"))
    add("name-zwsp", "name with a zero-width space (refused)", cert(name="Sector​39"))
    add("auditor-24", "24-character auditor id that is not the key's", cert(auditor="A" * 24))
    add("auditor-25", "25-character auditor id", cert(auditor="A" * 25))

    # §9.10 revocation
    add("revoked-cert", "certificate id in the CRL", cert(cti=REVOKED_CTI))
    add("revoked-cert-stale-crl", "listed in a stale CRL: still revoked", cert(cti=REVOKED_CTI), ctx="crl-stale")
    add(
        "revoked-and-expired",
        "revoked and expired: both reasons",
        cert(cti=REVOKED_CTI, iat=epoch(d(2025, 1, 2)), exp=epoch(d(2025, 2, 1))),
    )

    # §9.9 unusable lists
    for ctx in (
        "verify-url-http",
        "verify-url-fragment",
        "verify-url-unicode",
        "verify-url-space",
        "rogue-root",
        "trustlist-cert-domain",
        "trustlist-issuer-not-signer",
        "trustlist-tampered",
        "trustlist-not-canonical",
        "trustlist-float",
        "crl-tampered",
        "crl-trustlist-domain",
        "crl-as-trustlist",
        "trustlist-envelope-extra",
    ):
        add("list-" + ctx, "unusable lists: " + ctx, good, ctx=ctx)
    compact_vectors(add)
    # HQ's decision: every status, and every way a status list is unusable
    return v + _status_vectors().status_vectors()


FUZZ_VALUES: list[Any] = [
    0,
    1,
    -1,
    2**32,
    2**64 - 1,
    2**64,
    "x",
    "",
    b"",
    bytes(10),
    bytes(16),
    [],
    [1, 2],
    ["a", "1.0.0"],
    True,
    None,
    1.5,
    {1: 2},
    "GBN-S39",
    "police-station-iso9001",
    "UP/GBN/A17",
    "क्\u200dष",
    "a\u202e",
    cbor2.CBORTag(1, 5),
]


def fuzz_vectors(count: int = 150, seed: int = 2026) -> list[Vector]:
    """Deterministic random mutations: of the COSE bytes, of re-signed payloads (so the claims
    parser runs after a good signature), of claim values, and of the text itself."""
    import random

    rng = random.Random(seed)
    bases = [cert(), cert(name=_DROP), cert(SECOND.signing, auditor=SECOND.auditor_id), cert(audit_type=1)]

    def mutate(data: bytes) -> bytes:
        b = bytearray(data)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            op = rng.random()
            if op < 0.5 and b:
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            elif op < 0.65 and b:
                b[rng.randrange(len(b))] = rng.randrange(256)
            elif op < 0.8:
                b.insert(rng.randrange(len(b) + 1), rng.randrange(256))
            elif b:
                del b[rng.randrange(len(b))]
        return bytes(b)

    out: list[Vector] = []
    while len(out) < count:
        kind = rng.random()
        if kind < 0.3:
            base = rng.choice(bases)
            text = text_of(mutate(base64.b32decode(base[5:] + "=" * (-len(base[5:]) % 8))))
        elif kind < 0.7:
            text = signed_raw(mutate(cbor(claims())))
        elif kind < 0.9:
            c = claims()
            for _ in range(rng.choice([1, 1, 2])):
                c[rng.choice([*c.keys(), -9, -10, -11, 3])] = rng.choice(FUZZ_VALUES)
            text = signed_raw(cbor(c))
        else:
            chars = list(rng.choice(bases))
            for _ in range(rng.choice([1, 2])):
                op, pos = rng.random(), rng.randrange(len(chars))
                if op < 0.4:
                    chars[pos] = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567a0 =%:\n")
                elif op < 0.7:
                    del chars[pos]
                else:
                    chars.insert(pos, rng.choice("A7 =\t\u00a0"))
            text = "".join(chars)
        now = rng.choice([NOW, NOW, 0, epoch(LIST_ISSUED), epoch(d(2026, 12, 1))])
        out.append(Vector(f"fuzz-{len(out) + 1:03d}", "random mutation", text, now))
    return out


def _dup_payload() -> bytes:
    items = sorted(((cbor(k), cbor(v)) for k, v in claims().items()), key=lambda kv: (len(kv[0]), kv[0]))
    out = bytearray([0xA0 + len(items) + 1]) if len(items) + 1 < 24 else bytearray([0xB8, len(items) + 1])
    for k, v in items:
        if k == cbor(-3):
            out += cbor(-3) + cbor(0)
        out += k + v
    return bytes(out)


def _non_minimal_payload() -> bytes:
    data = cbor(claims(score=5))
    good = cbor(-4) + cbor(5)
    assert good in data
    return data.replace(good, cbor(-4) + b"\x18\x05")


def _unsorted_payload() -> bytes:
    items = [(cbor(k), cbor(v)) for k, v in claims().items()]
    items.sort(key=lambda kv: (len(kv[0]), kv[0]), reverse=True)
    head = bytes([0xA0 + len(items)])
    return head + b"".join(k + v for k, v in items)


def _indefinite_payload() -> bytes:
    data = cbor(claims())
    assert 0xA0 <= data[0] <= 0xB7
    return b"\xbf" + data[1:] + b"\xff"


def _bignum_payload() -> bytes:
    data = cbor(claims())
    exp = claims()[4]
    plain = cbor(4) + cbor(exp)
    assert plain in data
    return data.replace(plain, cbor(4) + b"\xc2\x44" + exp.to_bytes(4, "big"))


# ---------------------------------------------------------------------------------------------
# expected verdicts: from the Python verifier


_LOADED: dict[tuple[Any, ...], Any] = {}


def _unusable(code: str, exc: UserError) -> dict[str, Any]:
    """The CLI's exit status 2 for a list that does not load, as the page names it (ERROR)."""
    return {
        "verdict": "ERROR",
        "reason": code,
        "reasons": [code],
        "warnings": [],
        "status": None,
        "decided_on": None,
        "superseded_by": None,
        "message": str(exc),
    }


def _load(ctx: dict[str, Any]) -> Any:
    """(trust, crl, status) as ``inspector verify`` loads them, or the ERROR verdict; cached per
    context (loading screens every key, which is slow in pure Python). The lists load in the
    page's order: trust list, revocation list, status list; the first unusable one is named."""
    status_text = ctx.get("status")
    cache_key = (tuple(ctx["roots"]), ctx["trustlist"], ctx["crl"], status_text)
    if cache_key in _LOADED:
        return _LOADED[cache_key]
    roots = [PublicKey.from_b64(b) for b in ctx["roots"]]
    out: Any
    try:
        trust = load_trustlist(ctx["trustlist"].encode("utf-8"), roots)
    except UserError as exc:
        out = _unusable("trustlist-unusable", exc)
    else:
        try:
            crl = None if ctx["crl"] is None else load_crl(ctx["crl"].encode("utf-8"), roots)
        except UserError as exc:
            out = _unusable("crl-unusable", exc)
        else:
            try:
                status = None if status_text is None else load_status(status_text.encode("utf-8"), roots)
                out = (trust, crl, status)
            except UserError as exc:
                out = _unusable("status-unusable", exc)
    _LOADED[cache_key] = out
    return out


def python_verdict(text: str, ctx: dict[str, Any], now: int) -> dict[str, Any]:
    """What ``inspector verify`` decides for ``text`` under ``ctx`` at ``now``: the signature and
    claims checks, then HQ's decision, as ``services.scan.check_scan`` applies it (with a trust
    list, which every usable context has). A list that does not load is "ERROR" (exit status 2)."""
    from inspector.certificates import verify

    loaded = _load(ctx)
    if isinstance(loaded, dict):
        return dict(loaded)
    trust, crl, status = loaded
    moment = datetime.fromtimestamp(now, UTC)
    result = verify.verify_payload(text, trust, crl, moment)
    verify.apply_status(result, status, moment)
    return verdict_summary(result)


def verdict_summary(result: Any) -> dict[str, Any]:
    """The parts of a ``Verdict`` both verifiers must agree on."""
    reasons = list(result.reasons)
    return {
        "verdict": "VALID" if result.valid else "INVALID",
        "reason": reasons[0] if reasons else None,
        "reasons": reasons,
        "warnings": [warning_code(w) for w in result.warnings],
        "status": result.status,
        "decided_on": result.decided_on.isoformat() if result.decided_on else None,
        "superseded_by": result.superseded_by,
    }


# verify.py's warnings are sentences; the page tags them with these codes.
_WARNINGS = {
    "trustlist-stale": "the trust list is past its next update",
    "no-crl": "no revocation list is installed",
    "crl-stale": "the revocation list is past its next update",
    "status-stale": "the certificate status list is past its next update",
}


def warning_code(text: str) -> str:
    for code, start in _WARNINGS.items():
        if text.startswith(start):
            return code
    raise AssertionError(f"webvectors: a warning verify.py gives that the page does not know: {text!r}")


def build(fuzz: int = 150) -> dict[str, Any]:
    contexts = build_contexts()
    vectors = []
    for vector in build_vectors() + fuzz_vectors(fuzz):
        expect = python_verdict(vector.text, contexts[vector.context], vector.now)
        expect.pop("message", None)
        vectors.append(
            {
                "id": vector.id,
                "about": vector.about,
                "text": vector.text,
                "now": vector.now,
                "context": vector.context,
                "expect": expect,
            }
        )
    ids = [v["id"] for v in vectors]
    assert len(ids) == len(set(ids)), "duplicate vector ids"
    return {"format": FORMAT, "now": NOW, "contexts": contexts, "page": "main", "vectors": vectors}


def write(path: Path) -> dict[str, Any]:
    data = build()
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


if __name__ == "__main__":  # pragma: no cover
    out = write(Path(sys.argv[1] if len(sys.argv) > 1 else "webvectors.json"))
    print(f"{len(out['vectors'])} vectors")
