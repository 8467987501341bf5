"""HQ's certificate status lists for the shared web vectors (tests/web/webvectors.py).

The "main" status list grants every certificate the valid vectors use (their ``cti`` is
``claims()``'s default), so they stay VALID, among a few hundred other granted ids (a binary
search over one record would prove little); its ``changes`` hold one certificate of every other
status HQ gives. Further lists are stale, empty, signed by the second pinned root, written with
the shapes ``load_status`` also accepts (lower-case ids with dashes, no ``changes`` key), and
damaged in every way ``load_status`` refuses: each of those must make the page say CANNOT CHECK
("status-unusable") as the CLI's exit status 2.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from inspector.certificates.psc1 import cert_id_text
from inspector.crypto.canonical import canonical_json
from inspector.crypto.signing import Domain, Envelope, SigningKey, b64encode
from inspector.trust.documents import encode_document
from inspector.trust.lists import CRL_FORMAT, TRUSTLIST_FORMAT
from inspector.trust.status import STATUS_FORMAT, build_granted, day_number

from . import webvectors as W

GRANTED_CTI = bytes.fromhex("0a1b2c3d4e5f60718293")  # claims()'s default: the valid vectors
FIRST_CTI = bytes(10)  # the first and the last record of the sorted list
LAST_CTI = bytes([0xFF] * 10)
UNDECIDED_CTI = bytes.fromhex("0a1b2c3d4e5f60718294")  # between granted ids, never decided
SUSPENDED_CTI = bytes.fromhex("3c000000000000000001")
WITHDRAWN_CTI = bytes.fromhex("3c000000000000000002")
REFUSED_CTI = bytes.fromhex("3c000000000000000003")  # withdrawn before any grant
SUPERSEDED_CTI = bytes.fromhex("3c000000000000000004")
STATUS_REVOKED_CTI = bytes.fromhex("3c000000000000000005")  # revoked in the status list only
GRANTED_DAY = W.d(2025, 11, 5)
HQ_NAME = "Police Commissionerate Gautam Buddh Nagar"


def cid(cti: bytes) -> str:
    return cert_id_text(cti)


def decoys(count: int = 300) -> list[bytes]:
    out = [hashlib.sha256(b"inspector webvectors granted/%d" % i).digest()[:10] for i in range(count)]
    return [cti for cti in out if cti not in (UNDECIDED_CTI, W.REVOKED_CTI)]


def granted_records() -> list[tuple[bytes, int]]:
    day = day_number(W.t(GRANTED_DAY))
    return [(cti, day) for cti in [GRANTED_CTI, FIRST_CTI, LAST_CTI, *decoys()]] + [(FIRST_CTI[:9] + b"\x01", 1)]


def main_changes() -> list[dict[str, Any]]:
    decided = W.t(GRANTED_DAY)
    return [
        {
            "cert_id": cid(SUSPENDED_CTI),
            "status": "suspended",
            "since": W.t(W.d(2025, 12, 10)),
            "decided_at": decided,
            "reason": "surveillance audit overdue",
        },
        {
            "cert_id": cid(WITHDRAWN_CTI),
            "status": "withdrawn",
            "since": W.t(W.d(2025, 12, 11)),
            "decided_at": decided,
            "reason": "major nonconformity not corrected after suspension",
        },
        {
            "cert_id": cid(REFUSED_CTI),
            "status": "withdrawn",
            "since": W.t(W.d(2025, 12, 12)),
            "reason": "certification refused by HQ: CCTV retention not met",
        },
        {
            "cert_id": cid(SUPERSEDED_CTI),
            "status": "superseded",
            "since": W.t(W.d(2025, 12, 13)),
            "decided_at": W.t(W.d(2022, 11, 20)),
            "superseded_by": cid(GRANTED_CTI),
        },
        # HQ's export carries every revocation of its CRL into the status list as well.
        {
            "cert_id": cid(W.REVOKED_CTI),
            "status": "revoked",
            "since": W.t(W.d(2025, 12, 1)),
            "reason": "issued for the wrong station",
        },
        {
            "cert_id": cid(STATUS_REVOKED_CTI),
            "status": "revoked",
            "since": W.t(W.d(2025, 12, 14)),
            "decided_at": decided,
            "reason": "signed on a stolen laptop",
        },
    ]


def status_payload(
    *,
    seq: int = 5,
    issued_at: Any = W.LIST_ISSUED,
    next_update: Any = W.LIST_NEXT,
    issuer: SigningKey = W.ROOT,
    granted: list[tuple[bytes, int]] | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "issued_at": W.t(issued_at),
        "next_update": W.t(next_update),
        "issuer_name": HQ_NAME,
        "issuer_key": issuer.public.b64,
        "granted": build_granted(granted_records() if granted is None else granted),
        "changes": main_changes() if changes is None else changes,
    }


def status_document(payload: dict[str, Any] | None = None, signer: SigningKey = W.ROOT, **kw: Any) -> str:
    return W.signed_document(STATUS_FORMAT, Domain.STATUS, payload or status_payload(issuer=signer, **kw), signer)


@cache
def main_status() -> str:
    return status_document()


def _signed_text(text: str, fmt: str = STATUS_FORMAT, domain: Domain = Domain.STATUS) -> str:
    """A list whose signed payload text is exactly ``text`` (not necessarily canonical)."""
    envelope = Envelope(kid=W.ROOT.public.kid_hex, payload=text, sig=b64encode(W.ROOT.sign(domain, text.encode())))
    return encode_document(fmt, envelope).decode("utf-8")


def _raw_granted(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _record(cti: bytes, day: int = 20400) -> bytes:
    return cti + day.to_bytes(2, "big")


# Lists load_status refuses, each with the one thing wrong with it.
def damaged() -> dict[str, str]:
    base = status_payload()
    change = main_changes()[0]
    two = _record(FIRST_CTI) + _record(GRANTED_CTI)

    def changed(**fields: Any) -> str:
        return status_document(base | fields)

    def with_change(**fields: Any) -> str:
        entry = {k: v for k, v in (change | fields).items() if v is not _GONE}
        return changed(changes=[entry])

    out = {
        "tampered": _tamper(main_status()),
        "crl-domain": W.signed_document(STATUS_FORMAT, Domain.CRL, base),
        "trustlist-domain": W.signed_document(STATUS_FORMAT, Domain.TRUSTLIST, base),
        "rogue-root": status_document(signer=W.ROGUE_ROOT),
        "issuer-not-signer": changed(issuer_key=W.NEXT_ROOT.public.b64),
        "format-crl": W.signed_document(CRL_FORMAT, Domain.STATUS, base),
        "format-trustlist": W.signed_document(TRUSTLIST_FORMAT, Domain.STATUS, base),
        "not-canonical-json": _signed_text(canonical_json(base).decode().replace(',"issuer_key"', ', "issuer_key"', 1)),
        "float-seq": _signed_text(canonical_json(base | {"seq": 0}).decode().replace('"seq":0', '"seq":5.5', 1)),
        "seq-zero": changed(seq=0),
        "seq-text": changed(seq="5"),
        "next-update-first": changed(next_update=base["issued_at"]),
        "issued-not-utc": changed(issued_at="2025-12-15T00:00:00+00:00"),
        "issuer-name-empty": changed(issuer_name="  "),
        "extra-field": changed(colour="red"),
        "granted-missing": status_document({k: v for k, v in base.items() if k != "granted"}),
        "granted-number": changed(granted=12),
        "granted-not-base64": changed(granted="AAAA*AAAAAAAAAAA"),
        "granted-unpadded": changed(granted=_raw_granted(_record(FIRST_CTI) + b"\x01")[:-2]),
        "granted-non-canonical": changed(granted=_raw_granted(_record(FIRST_CTI) + b"\x01")[:-3] + "Bx=="),
        "granted-extra-padding": changed(granted=_raw_granted(two) + "=="),
        "granted-newline": changed(granted=_raw_granted(two)[:16] + "\n" + _raw_granted(two)[16:]),
        "granted-partial-record": changed(granted=_raw_granted(two + b"\x00")),
        "granted-short": changed(granted=_raw_granted(_record(FIRST_CTI)[:11])),
        "granted-unsorted": changed(granted=_raw_granted(_record(GRANTED_CTI) + _record(FIRST_CTI))),
        "granted-twice": changed(granted=_raw_granted(_record(GRANTED_CTI) + _record(GRANTED_CTI, 20401))),
        "changes-null": changed(changes=None),
        "changes-object": changed(changes={"a": 1}),
        "change-not-object": changed(changes=["x"]),
        "granted-and-changed": with_change(cert_id=cid(GRANTED_CTI)),
        "granted-and-changed-lower": with_change(cert_id=cid(GRANTED_CTI).lower()),
        "change-twice": changed(changes=[change, change | {"status": "withdrawn"}]),
        "change-twice-dashed": changed(
            changes=[change, change | {"cert_id": "-".join(cid(SUSPENDED_CTI)[i : i + 4] for i in range(0, 16, 4))}]
        ),
        "change-status-granted": with_change(status="granted"),
        "change-status-unknown": with_change(status="paused"),
        "change-status-upper": with_change(status="SUSPENDED"),
        "change-status-number": with_change(status=1),
        "suspended-no-reason": with_change(reason=_GONE),
        "suspended-null-reason": with_change(reason=None),
        "withdrawn-no-reason": with_change(status="withdrawn", reason=_GONE),
        "revoked-no-reason": with_change(status="revoked", reason=_GONE),
        "superseded-without-by": with_change(status="superseded"),
        "by-without-superseded": with_change(superseded_by=cid(GRANTED_CTI)),
        "superseded-by-bad": with_change(status="superseded", superseded_by="#nope"),
        "reason-blank": with_change(reason="   "),
        "reason-control": with_change(reason="overdue\u0007"),
        "reason-501": with_change(reason="x" * 501),
        "since-missing": with_change(since=_GONE),
        "since-date-only": with_change(since="2025-12-10"),
        "decided-not-utc": with_change(decided_at="2025-11-05 00:00:00Z"),
        "change-extra-field": with_change(note="x"),
        "cert-id-15": with_change(cert_id=cid(SUSPENDED_CTI)[:15]),
        "cert-id-17": with_change(cert_id=cid(SUSPENDED_CTI) + "A"),
        "cert-id-digit-0": with_change(cert_id="0" + cid(SUSPENDED_CTI)[1:]),
        "cert-id-newline": with_change(cert_id=cid(SUSPENDED_CTI)[:15] + "\n"),
        "cert-id-dot": with_change(cert_id=cid(SUSPENDED_CTI)[:8] + "." + cid(SUSPENDED_CTI)[8:15]),
        "cert-id-leading-dash": with_change(cert_id="-" + cid(SUSPENDED_CTI)),
        "cert-id-number": with_change(cert_id=5),
    }
    return out


_GONE = object()


def _tamper(document: str) -> str:
    doc = json.loads(document)
    payload = doc["envelope"]["payload"]
    assert '"status":"suspended"' in payload
    doc["envelope"]["payload"] = payload.replace('"status":"suspended"', '"status":"withdrawn"', 1)
    return json.dumps(doc)


def accepted() -> dict[str, str]:
    """Lists of unusual but valid shape: load_status accepts them, so the page must too."""
    base = status_payload()
    suspended = main_changes()[0]
    dashed = "-".join(cid(SUSPENDED_CTI)[i : i + 4] for i in range(0, 16, 4)).lower()
    return {
        "status-stale": status_document(issued_at=W.d(2025, 10, 1), next_update=W.d(2025, 11, 1)),
        "status-empty": status_document(granted=[], changes=[]),
        "status-no-changes-key": status_document({k: v for k, v in base.items() if k != "changes"}),
        "status-lower-dashed-ids": status_document(base | {"changes": [suspended | {"cert_id": dashed}]}),
        # CERT_ID ends in "$", which Python's re.match also finds before a final newline.
        "status-superseded-by-newline": status_document(
            base
            | {
                "changes": [
                    main_changes()[3] | {"superseded_by": cid(GRANTED_CTI) + "\n"},
                ]
            }
        ),
        "status-null-optionals": status_document(
            base | {"changes": [suspended | {"decided_at": None, "superseded_by": None}]}
        ),
    }


def status_contexts(main_list: str, main_crl: str) -> dict[str, dict[str, Any]]:
    contexts = {"no-status": W.context(main_list, main_crl, status=None)}
    contexts["no-status-no-crl"] = W.context(main_list, None, status=None)
    for name, document in accepted().items():
        contexts[name] = W.context(main_list, main_crl, status=document)
    for name, document in damaged().items():
        contexts["status-" + name] = W.context(main_list, main_crl, status=document)
    # A damaged status list with a damaged CRL: the CRL is loaded (and refused) first.
    contexts["status-and-crl-damaged"] = W.context(
        main_list, W.signed_document(CRL_FORMAT, Domain.TRUSTLIST, W.crl_payload()), status=damaged()["tampered"]
    )
    return contexts


def status_vectors() -> list[W.Vector]:
    v: list[W.Vector] = []

    def add(id: str, about: str, text: str, now: int = W.NOW, ctx: str = "main") -> None:
        v.append(W.Vector(id, about, text, now, ctx))

    good = W.cert()
    add("status-granted-first", "granted: the first record of the list", W.cert(cti=FIRST_CTI))
    add("status-granted-last", "granted: the last record of the list", W.cert(cti=LAST_CTI))
    add(
        "status-granted-near-first", "granted: an id one bit from the first record", W.cert(cti=FIRST_CTI[:9] + b"\x01")
    )
    add("status-granted-decoy", "granted: an id deep inside the list", W.cert(cti=decoys()[137]))
    add("status-not-decided", "not in the list: awaiting HQ's decision", W.cert(cti=UNDECIDED_CTI))
    add("status-not-decided-between", "an id between the first two records", W.cert(cti=FIRST_CTI[:9] + b"\x02"))
    add("status-suspended", "HQ suspended it", W.cert(cti=SUSPENDED_CTI))
    add("status-withdrawn", "HQ withdrew it", W.cert(cti=WITHDRAWN_CTI))
    add("status-refused", "HQ refused the certification (withdrawn, never granted)", W.cert(cti=REFUSED_CTI))
    add("status-superseded", "replaced by a recertification's certificate", W.cert(cti=SUPERSEDED_CTI))
    add("status-revoked", "revoked in the status list only", W.cert(cti=STATUS_REVOKED_CTI))
    add(
        "status-suspended-and-expired",
        "every failing check is reported: expired, then suspended",
        W.cert(cti=SUSPENDED_CTI, iat=W.epoch(W.d(2025, 1, 2)), exp=W.epoch(W.d(2025, 2, 1))),
    )
    add(
        "status-not-decided-and-revoked-key",
        "a revoked key: the claims are never read, so no decision is looked up",
        W.cert(W.REVOKED.signing, cti=UNDECIDED_CTI, auditor=W.REVOKED.auditor_id, iat=W.epoch(W.d(2025, 6, 1))),
    )
    add("status-bad-signature", "a forged certificate: no decision is looked up", W.flip_payload_bit(good))
    add("status-damaged-code", "a damaged code: no decision is looked up", good[:-8])
    add(
        "status-renewed-key-window",
        "a certificate from a renewed key's first window, granted",
        W.cert(W.RENEWED_OLD.signing, iat=W.epoch(W.d(2025, 3, 1)), auditor=W.RENEWED_NEW.auditor_id),
    )
    add("status-valid-two-roots", "status list signed by the second pinned root", good, ctx="two-roots")
    add("no-status", "no status list in the page: nothing is decided", good, ctx="no-status")
    add("no-status-no-crl", "neither a CRL nor a status list", good, ctx="no-status-no-crl")
    add("no-status-forged", "no status list and a forged code", W.flip_payload_bit(good), ctx="no-status")
    add("no-status-expired", "no status list and expired", W.cert(exp=W.NOW), ctx="no-status")
    add("status-stale", "status list past its next update: a warning", good, ctx="status-stale")
    add("status-stale-suspended", "stale and suspended", W.cert(cti=SUSPENDED_CTI), ctx="status-stale")
    add("status-stale-damaged-code", "stale, but no claims to look up: no warning", good[:-8], ctx="status-stale")
    add("status-empty", "an empty status list: nothing decided", good, ctx="status-empty")
    add("status-no-changes-key", "a list without 'changes' (allowed)", good, ctx="status-no-changes-key")
    add(
        "status-lower-dashed-ids",
        "a change with a lower-case, dashed id still names the certificate",
        W.cert(cti=SUSPENDED_CTI),
        ctx="status-lower-dashed-ids",
    )
    add(
        "status-superseded-by-newline",
        "superseded_by with a final newline (Python's re.match accepts it)",
        W.cert(cti=SUPERSEDED_CTI),
        ctx="status-superseded-by-newline",
    )
    add(
        "status-null-optionals",
        "explicit nulls for optional fields",
        W.cert(cti=SUSPENDED_CTI),
        ctx="status-null-optionals",
    )
    for name in damaged():
        add("status-unusable-" + name, "unusable status list: " + name, good, ctx="status-" + name)
    add(
        "status-unusable-before-code", "an unusable list decides nothing, even for junk", "HC1:x", ctx="status-tampered"
    )
    add("status-and-crl-damaged", "both lists damaged: the CRL is named", good, ctx="status-and-crl-damaged")
    return v
