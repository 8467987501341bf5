"""The lean readers (``trust.readers``, what ``inspector verify`` uses) accept and refuse exactly
what the pydantic loaders (``trust.documents``) do, and read the same lists out of them.

Checked on every context and vector of the shared web vectors, and on a bounded, seeded set of
single-field mutations of a trust list, a revocation list and a status list, each signed again
by the pinned root so that only the field's rules decide.
"""

from __future__ import annotations

import base64
import copy
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from inspector.certificates import verify
from inspector.crypto import keystore
from inspector.crypto.signing import Domain, Envelope, PublicKey, b64encode, sign_record
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust import readers, rules, verifier
from inspector.trust.documents import encode_document, load_crl, load_status, load_trustlist
from inspector.trust.store import TrustStore
from tests.web import statusvectors as S
from tests.web import webvectors as W

ROOTS = [W.ROOT.public]
MUTATIONS_PER_LIST = 110  # x3 lists: about 330 single-field mutations, seeded


def _outcome(load: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, load()
    except UserError as exc:
        return False, exc


def _entry_view(entry: Any) -> tuple[Any, ...]:
    return (
        entry.auditor_id,
        entry.name,
        entry.public_key,
        entry.kid,
        [str(p) for p in entry.purposes],
        entry.use_from,
        entry.use_until,
        entry.verify_until,
        str(entry.status),
        entry.retired_at,
        entry.revoked_at,
        entry.reason,
        entry.key.raw,
    )


def _head(document: Any) -> tuple[Any, ...]:
    return (document.seq, document.issued_at, document.next_update, document.issuer_name, document.issuer_key)


def trust_view(document: Any) -> tuple[Any, ...]:
    return (*_head(document), document.verify_url, [_entry_view(e) for e in document.auditors])


def crl_view(document: Any) -> tuple[Any, ...]:
    return (*_head(document), [(e.cert_id, e.reason, e.revoked_at) for e in document.entries])


def status_view(document: Any) -> tuple[Any, ...]:
    probes = [S.GRANTED_CTI, S.FIRST_CTI, S.LAST_CTI, S.UNDECIDED_CTI, bytes(9) + b"\x07"]
    probes += [rules.cti_of(change.cert_id) for change in document.changes]
    looked = []
    for cti in probes:
        found = document.lookup(cti)
        if found is None:
            looked.append(None)
        else:
            state, change, decided = found
            where = None if change is None else (change.cert_id, change.since, change.reason, change.superseded_by)
            looked.append((str(state), where, decided))
    organisation = document.organisation
    if organisation is not None and not isinstance(organisation, dict):
        organisation = organisation.model_dump()
    renewals = [r if isinstance(r, dict) else r.model_dump() for r in document.renewals]
    return (*_head(document), document.granted, document.count, organisation, renewals, looked)


KINDS: dict[str, tuple[str, Domain, Any, Any, Callable[[Any], Any]]] = {
    "trust list": (rules.TRUSTLIST_FORMAT, Domain.TRUSTLIST, load_trustlist, readers.read_trustlist, trust_view),
    "revocation list": (rules.CRL_FORMAT, Domain.CRL, load_crl, readers.read_crl, crl_view),
    "status list": (rules.STATUS_FORMAT, Domain.STATUS, load_status, readers.read_status, status_view),
}


def assert_same(kind: str, data: bytes, roots: list[PublicKey] = ROOTS) -> bool:
    """Both readers accept ``data`` and read the same list, or both refuse it; True if accepted."""
    _, _, model_loader, lean_loader, view = KINDS[kind]
    ok_model, model = _outcome(lambda: model_loader(data, roots, kind))
    ok_lean, lean = _outcome(lambda: lean_loader(data, roots, kind))
    assert ok_model == ok_lean, (
        f"{kind}: pydantic {'accepts' if ok_model else f'refuses ({model})'}, lean {'accepts' if ok_lean else f'refuses ({lean})'}"
    )
    if ok_model:
        assert view(model) == view(lean)
    else:
        assert str(lean).startswith(kind)  # one line naming the document
    return ok_model


# ---------------------------------------------------------------------------------------------
# the web vectors


def test_every_web_vector_context_loads_alike_and_every_vector_gets_the_same_verdict() -> None:
    contexts = W.build_contexts()
    vectors = W.build_vectors() + W.fuzz_vectors(60)
    compared = 0
    for name, ctx in contexts.items():
        roots = [PublicKey.from_b64(b) for b in ctx["roots"]]
        loaded: dict[str, tuple[Any, Any]] = {}
        usable = True
        for kind, key in (("trust list", "trustlist"), ("revocation list", "crl"), ("status list", "status")):
            if ctx.get(key) is None:
                loaded[kind] = (None, None)
                continue
            data = ctx[key].encode("utf-8")
            if not assert_same(kind, data, roots):
                usable = False
                break
            loaded[kind] = (KINDS[kind][2](data, roots, kind), KINDS[kind][3](data, roots, kind))
        if not usable:
            continue
        for vector in (v for v in vectors if v.context == name):
            now = datetime.fromtimestamp(vector.now, UTC)
            verdicts = []
            for side in (0, 1):
                trust, crl, status = (loaded[k][side] for k in ("trust list", "revocation list", "status list"))
                verdict = verify.verify_payload(vector.text, trust, crl, now)
                verify.apply_status(verdict, status, now)
                out = verdict.to_json()
                out["messages"] = list(verdict.messages)
                verdicts.append(out)
            assert verdicts[0] == verdicts[1], vector.id
            compared += 1
    assert compared >= 150


# ---------------------------------------------------------------------------------------------
# single-field mutations


_STRINGS = ["", " ", "x", "bogus", "a\nb", "\x7f", "2025-12-15T00:00:00Z", "2025-12-15T00:00:00+00:00", "ACTIVE"]
_VALUES: list[Any] = [None, True, False, 0, 1, -1, 2**70, [], {}, *_STRINGS, ["cert"], {"x": 1}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):  # the first items stand for the rest
            yield from _paths(item, (*path, index))


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def _variants(current: Any) -> list[Any]:
    """Replacements for one field: generic wrong values and near misses of its own."""
    out = list(_VALUES)
    if isinstance(current, str):
        out += [
            current + "\n",
            current + " ",
            " " + current,
            current.upper(),
            current.lower(),
            current[:-1],
            current * 2,
        ]
        out += ["revoked", "retired", "granted", "suspended", "withdrawn", "superseded", "finding", "x" * 501]
    if isinstance(current, int) and not isinstance(current, bool):
        out += [current + 1, current - 1, 0, str(current)]
    if isinstance(current, list):
        out += [current[::-1], current + current[:1], current[:1]]
    return out


def mutations(payload: dict[str, Any], seed: int, count: int) -> list[dict[str, Any]]:
    candidates: list[tuple[str, tuple[Any, ...], Any]] = []
    for path in _paths(payload):
        current = _get(payload, path)
        if path:
            candidates.append(("delete", path, None))
            candidates += [("set", path, value) for value in _variants(current)]
        if isinstance(current, dict):
            candidates.append(("set", (*path, "unknown_field"), "x"))
    random.Random(seed).shuffle(candidates)
    out = []
    for action, path, value in candidates[:count]:
        mutated = copy.deepcopy(payload)
        parent = _get(mutated, path[:-1])
        if action == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value)
        out.append(mutated)
    return out


def _signed(kind: str, payload: Any) -> bytes | None:
    fmt, domain, *_ = KINDS[kind]
    try:
        return encode_document(fmt, sign_record(W.ROOT, domain, payload))
    except (UserError, ValueError, TypeError):
        return None  # not signable at all (canonical JSON refuses it): nothing to read


def _payload_of(document_text: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(json.loads(document_text)["envelope"]["payload"])
    return payload


BASES = {
    "trust list": W.trustlist_payload(),
    "revocation list": W.crl_payload(),
    "status list": _payload_of(S.main_status()),
}


@pytest.mark.parametrize("kind", list(BASES))
def test_single_field_mutations_are_accepted_and_refused_alike(kind: str) -> None:
    base = BASES[kind]
    assert assert_same(kind, _signed(kind, base) or b"")  # the unmutated list is good
    accepted = refused = 0
    for mutated in mutations(base, seed=16, count=MUTATIONS_PER_LIST):
        data = _signed(kind, mutated)
        if data is None:
            continue
        if assert_same(kind, data):
            accepted += 1
        else:
            refused += 1
    # the set must exercise both answers, and most mutations must break a rule
    assert accepted >= 3 and refused >= MUTATIONS_PER_LIST // 2


def _entry(**changes: Any) -> dict[str, Any]:
    return dict(BASES["trust list"], auditors=[dict(W.ACTIVE.entry(), **changes)])


def _change(index: int, **changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(BASES["status list"])
    payload["changes"][index].update(changes)
    return payload


_GRANTED_ID = S.cid(S.GRANTED_CTI)
_SOME_TIME = "2025-10-01T00:00:00Z"
# The models' cross-field rules, each broken once (random single-field mutations rarely hit them).
CROSS_FIELD: dict[str, tuple[str, dict[str, Any]]] = {
    "retired without retired_at": ("trust list", _entry(status="retired")),
    "retired_at on an active key": ("trust list", _entry(retired_at=_SOME_TIME)),
    "retired_at on a revoked key": (
        "trust list",
        _entry(status="revoked", revoked_at=_SOME_TIME, reason="x", retired_at=_SOME_TIME),
    ),
    "revoked without revoked_at": ("trust list", _entry(status="revoked", reason="lost")),
    "revoked without reason": ("trust list", _entry(status="revoked", revoked_at=_SOME_TIME)),
    "revoked_at on an active key": ("trust list", _entry(revoked_at=_SOME_TIME)),
    "purposes unsorted": ("trust list", _entry(purposes=["finding", "cert"])),
    "purposes twice": ("trust list", _entry(purposes=["cert", "cert"])),
    "no purpose": ("trust list", _entry(purposes=[])),
    "use_until after verify_until": ("trust list", _entry(verify_until=W.ACTIVE.entry()["use_from"])),
    "use_from after use_until": ("trust list", _entry(use_from=W.ACTIVE.entry()["verify_until"])),
    "a good renewed pair": (
        "trust list",
        dict(BASES["trust list"], auditors=[W.RENEWED_OLD.entry(), W.RENEWED_NEW.entry()]),
    ),
    "next_update at issued_at": (
        "revocation list",
        dict(BASES["revocation list"], next_update=BASES["revocation list"]["issued_at"]),
    ),
    "a certificate revoked twice": (
        "revocation list",
        dict(BASES["revocation list"], entries=BASES["revocation list"]["entries"] * 2),
    ),
    "a change to granted": ("status list", _change(0, status="granted")),
    "superseded without successor": ("status list", _change(0, status="superseded", superseded_by=None)),
    "a successor for a suspension": (
        "status list",
        _change(0, status="suspended", reason="x", superseded_by=_GRANTED_ID),
    ),
    "suspended without reason": ("status list", _change(0, status="suspended", reason=None)),
    "a changed certificate also granted": ("status list", _change(0, cert_id=_GRANTED_ID)),
    "a change id that is no cti": ("status list", _change(0, cert_id="AUD-1")),
    "a change id in lower case with dashes": ("status list", _change(0, cert_id=S.cid(S.SUSPENDED_CTI).lower())),
    "a change listed twice": (
        "status list",
        dict(BASES["status list"], changes=BASES["status list"]["changes"][:1] * 2),
    ),
    "granted unsorted": ("status list", dict(BASES["status list"], granted=base64.b64encode(bytes(12) * 2).decode())),
    "granted not whole records": (
        "status list",
        dict(BASES["status list"], granted=base64.b64encode(bytes(13)).decode()),
    ),
    "an organisation": ("status list", dict(BASES["status list"], organisation={"name": "HQ", "accreditation": None})),
    "an organisation with an unknown key": (
        "status list",
        dict(BASES["status list"], organisation={"name": "HQ", "x": 1}),
    ),
    "a renewal": (
        "status list",
        dict(
            BASES["status list"],
            renewals=[{"cert_id": _GRANTED_ID, "revision": 1, "original_certification": _SOME_TIME}],
        ),
    ),
    "a renewal of revision 0": (
        "status list",
        dict(
            BASES["status list"],
            renewals=[{"cert_id": _GRANTED_ID, "revision": 0, "original_certification": _SOME_TIME}],
        ),
    ),
}


@pytest.mark.parametrize("name", list(CROSS_FIELD))
def test_cross_field_rules_are_applied_alike(name: str) -> None:
    kind, payload = CROSS_FIELD[name]
    data = _signed(kind, payload)
    assert data is not None
    assert_same(kind, data)


def _document(kind: str, mutate: Callable[[dict[str, Any]], None]) -> bytes:
    fmt, domain, *_ = KINDS[kind]
    document = {"format": fmt, "envelope": sign_record(W.ROOT, domain, BASES[kind]).model_dump()}
    mutate(document)
    return json.dumps(document).encode("utf-8")


def _with_payload_text(text: str) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        envelope = Envelope(
            kid=W.ROOT.public.kid_hex, payload=text, sig=b64encode(W.ROOT.sign(Domain.TRUSTLIST, text.encode()))
        )
        document["envelope"] = envelope.model_dump()

    return mutate


ENVELOPE_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "format missing": lambda d: d.pop("format"),
    "other format": lambda d: d.update(format=rules.CRL_FORMAT),
    "extra top-level key": lambda d: d.update(extra=1),
    "envelope not an object": lambda d: d.update(envelope=[]),
    "envelope extra key": lambda d: d["envelope"].update(x="1"),
    "envelope without sig": lambda d: d["envelope"].pop("sig"),
    "kid upper case": lambda d: d["envelope"].update(kid=d["envelope"]["kid"].upper()),
    "kid with a newline": lambda d: d["envelope"].update(kid=d["envelope"]["kid"] + "\n"),
    "kid of another key": lambda d: d["envelope"].update(kid="0123456789abcdef"),
    "kid a number": lambda d: d["envelope"].update(kid=12),
    "sig not base64": lambda d: d["envelope"].update(sig="!!!!"),
    "sig non-canonical base64": lambda d: d["envelope"].update(sig=d["envelope"]["sig"][:-2] + "x="),
    "sig of other bytes": lambda d: d["envelope"].update(sig=b64encode(bytes(64))),
    "payload altered": lambda d: d["envelope"].update(payload=d["envelope"]["payload"].replace('"seq":', '"seq": ')),
    "payload a list": _with_payload_text("[]"),
    "payload not canonical": _with_payload_text('{"seq": 7}'),
    "payload not JSON": _with_payload_text("{"),
}


@pytest.mark.parametrize("name", list(ENVELOPE_MUTATIONS))
def test_envelope_damage_is_refused_alike(name: str) -> None:
    assert not assert_same("trust list", _document("trust list", ENVELOPE_MUTATIONS[name]))


def test_a_document_over_the_limit_no_pin_and_an_unpinned_signer_are_refused_alike() -> None:
    data = _signed("trust list", BASES["trust list"]) or b""
    assert not assert_same("trust list", data + b" " * (rules.DOCUMENT_LIMIT - len(data) + 1))
    assert not assert_same("trust list", data, [])
    assert not assert_same("trust list", data, [W.ROGUE_ROOT.public])
    assert assert_same("trust list", data, [W.ROGUE_ROOT.public, W.ROOT.public])


def test_an_issuer_key_that_is_not_the_signer_a_kid_of_another_key_and_a_small_order_key_are_refused_alike() -> None:
    other = dict(BASES["trust list"], issuer_key=W.NEXT_ROOT.public.b64)
    assert not assert_same("trust list", _signed("trust list", other) or b"")
    twin = dict(W.ACTIVE.entry(), public_key=W.SECOND.signing.public.b64)  # a key listed under another kid
    colliding = dict(BASES["trust list"], auditors=[W.ACTIVE.entry(), twin])
    assert not assert_same("trust list", _signed("trust list", colliding) or b"")
    small_order = dict(W.ACTIVE.entry(), public_key=base64.b64encode(bytes(32)).decode())
    assert not assert_same(
        "trust list", _signed("trust list", dict(BASES["trust list"], auditors=[small_order])) or b""
    )


# ---------------------------------------------------------------------------------------------
# a data directory: installed lists, lists given for one verification, rollback


def _install(data: DataDir, lists: dict[str, bytes]) -> TrustStore:
    store = TrustStore(data.root)
    store.pin(W.ROOT.public.to_pem())
    store.install(lists["trust list"])
    store.install_crl(lists["revocation list"])
    store.install_status(lists["status list"])
    return store


def test_installed_and_given_lists_read_alike_and_an_older_given_list_is_refused(tmp_path: Any) -> None:
    lists = {kind: _signed(kind, payload) or b"" for kind, payload in BASES.items()}
    data = DataDir(tmp_path)
    assert verifier.VerifierLists(data).trustlist() is None
    store = _install(data, lists)
    lean = verifier.VerifierLists(data)
    assert trust_view(lean.trustlist()) == trust_view(store.trustlist())
    assert crl_view(lean.crl()) == crl_view(store.crl())
    assert status_view(lean.status()) == status_view(store.status())
    assert trust_view(lean.given_trustlist(lists["trust list"], "t")) == trust_view(
        store.given_trustlist(lists["trust list"], "t")
    )
    older = _signed("trust list", dict(BASES["trust list"], seq=BASES["trust list"]["seq"] - 1)) or b""
    for side in (store.given_trustlist, lean.given_trustlist):
        with pytest.raises(UserError) as info:
            side(older, "trust list old.json")
        assert info.value.code == "rollback"
    older_status = _signed("status list", dict(BASES["status list"], seq=1)) or b""
    for status_side in (store.given_status, lean.given_status):
        with pytest.raises(UserError) as info:
            status_side(older_status, "status old.json")
        assert info.value.code == "rollback"


def test_the_restated_rules_are_the_keystores_and_the_models() -> None:
    assert rules.AUDITOR_ID.pattern == keystore.AUDITOR_ID.pattern
    from inspector.trust import lists, status

    assert set(readers._ENTRY_REQUIRED | readers._ENTRY_OPTIONAL) == set(lists.TrustEntry.model_fields)
    assert {n for n, f in lists.TrustEntry.model_fields.items() if f.is_required()} == readers._ENTRY_REQUIRED
    assert readers._HEAD | {"auditors", "verify_url"} == set(lists.TrustList.model_fields)
    assert readers._HEAD | {"granted", "changes", "organisation", "renewals"} == set(status.StatusList.model_fields)
    assert readers._HEAD | {"entries"} == set(lists.RevocationList.model_fields)


def test_a_key_signing_for_one_list_verifies_nothing_else() -> None:
    """The lean reader checks the domain: a trust list's signature does not make a status list."""
    payload = BASES["status list"]
    envelope = sign_record(W.ROOT, Domain.TRUSTLIST, payload)  # signed in the wrong domain
    data = encode_document(rules.STATUS_FORMAT, envelope)
    assert not assert_same("status list", data)
