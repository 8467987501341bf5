"""HQ's certification decisions and the life of each certificate; the signed status list.

Under ISO/IEC 17021-1 the decision is taken by people who did not audit. An auditor's signed
certificate is a recommendation; it is in force only once a reviewer at HQ grants it, and every
verifier honours HQ's decision through the certificate status list (``trust/status.py``).

* ``decide(..., action="grant" | "refuse")`` on a certification or recertification audit HQ has
  imported: its certificate becomes ``granted`` (a recertification's grant marks the station's
  previous certificate ``superseded``, and the new one keeps the original certification date and
  the next revision number) or ``withdrawn`` ("certification refused").
* ``decide(..., action="maintain" | "suspend")`` on a surveillance audit: the station's current
  certificate records the surveillance, or is ``suspended``.
* ``set_status`` for ``hq suspend``, ``hq restore`` and ``hq withdraw``.

Each decision is a record signed by the HQ root (domain ``PSA/decision/v1``), kept with the
certificate's history. Refused, naming why: a reviewer who recorded anything in the audit, a
decision on an audit HQ has not imported, a grant while a nonconformity is not cleared
(``clearance_problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from inspector._io.atomic import write_private
from inspector._io.locks import file_lock
from inspector._io.text import check_free_text, check_line_text
from inspector.crypto.canonical import format_time, parse_time, utcnow
from inspector.crypto.keystore import check_auditor_id
from inspector.crypto.signing import Domain, sign_record
from inspector.errors import UserError
from inspector.hq.enrolment import HQ, Passphrase
from inspector.hq.intake import RegisteredAudit, RegisteredCertificate, registered, registered_certificates
from inspector.paths import DataDir
from inspector.store.record_store import RecordStore
from inspector.trust.status import (
    STATUS_FORMAT,
    CertStatus,
    Organisation,
    StatusChange,
    StatusList,
    build_granted,
    cti_of,
    day_number,
)

Action = Literal["grant", "refuse", "maintain", "suspend"]
CERTIFYING = ("certification", "recertification")
NOTE_MAX = 2000
SURVEILLANCE_FIRST_MONTHS = 12

DECISIONS = "decisions"  # one signed record per decision, in order
CERTS = "certificates"  # cert id -> CertState (the current status and its history)
LISTS = "status-lists"  # "latest" -> the signed status list bytes and their content digest


class CertState(BaseModel):
    """What HQ has decided about one certificate (the register's row; not signed itself)."""

    model_config = ConfigDict(extra="forbid")

    cert_id: str
    station: str
    audit: str
    status: CertStatus
    since: str
    decided_at: str | None = None
    reviewer_id: str | None = None
    reviewer_name: str | None = None
    reason: str | None = None
    superseded_by: str | None = None
    revision: int = 0
    original_certification: str | None = None  # the first grant of the station's line of certificates
    surveillances: list[str] = []  # dates of maintained surveillance audits


def _organisation_path(data: DataDir) -> Path:
    return data.hq / "organisation.json"


def check_organisation(name: str, address: str | None, accreditation: str | None) -> Organisation:
    """The certifying organisation from ``hq init``'s options, checked (one text policy)."""
    return Organisation(
        name=check_line_text(name, "organisation name", 200, field="name"),
        address=check_line_text(address, "organisation address", 300, field="address") if address else None,
        accreditation=check_line_text(accreditation, "accreditation", 200, field="accreditation")
        if accreditation
        else None,
    )


def save_organisation(data: DataDir, organisation: Organisation) -> None:
    write_private(_organisation_path(data), organisation.model_dump_json(exclude_none=True).encode("utf-8"), mode=0o644)


def organisation(data: DataDir, hq: HQ) -> Organisation:
    """The organisation printed on certificates (the HQ key's name when none was configured)."""
    path = _organisation_path(data)
    if path.is_file():
        return Organisation.model_validate_json(path.read_bytes())
    return Organisation(name=hq.key_info().name)


def _store_path(data: DataDir) -> Path:
    return data.hq / "decisions.json"


def _lock(data: DataDir) -> Path:
    return data.hq / ".decisions.lock"


def _open(data: DataDir, *, writable: bool) -> RecordStore:
    if writable:
        data.hq.mkdir(parents=True, exist_ok=True)
    return RecordStore(_store_path(data), writable=writable)


def states(data: DataDir) -> dict[str, CertState]:
    """Every certificate HQ has decided, by id."""
    if not _store_path(data).exists():
        return {}
    with _open(data, writable=False) as store:
        return {key: CertState.model_validate(doc) for key, doc in store.items(CERTS)}


def decisions(data: DataDir) -> list[dict[str, Any]]:
    """Every signed decision (its payload), oldest first."""
    if not _store_path(data).exists():
        return []
    import json

    with _open(data, writable=False) as store:
        return [json.loads(doc["payload"]) for doc in store.all(DECISIONS)]


def _audit(data: DataDir, audit_id: str) -> RegisteredAudit:
    wanted = audit_id.strip().lower()
    matches = [row for row in registered(data) if row.id.startswith(wanted)] if len(wanted) >= 4 else []
    if not matches:
        raise UserError(f"audit {audit_id!r}: HQ has not imported it (import its bundle with 'inspector hq import')")
    if len(matches) > 1:
        raise UserError(f"audit id {audit_id!r} is ambiguous at HQ")
    return matches[0]


def _certificates_of(data: DataDir, audit: RegisteredAudit) -> list[RegisteredCertificate]:
    return [row for row in registered_certificates(data) if row.audit == audit.id]


def _current_for_station(known: dict[str, CertState], station: str) -> CertState | None:
    """The station's certificate in force or suspended (the newest), if any."""
    live = [
        s for s in known.values() if s.station == station and s.status in (CertStatus.GRANTED, CertStatus.SUSPENDED)
    ]
    return max(live, key=lambda s: s.since) if live else None


def decide(
    data: DataDir,
    audit_id: str,
    action: Action,
    *,
    reviewer_id: str,
    reviewer_name: str,
    note: str,
    passphrase: Passphrase,
    clearance: Callable[[RegisteredAudit], list[str]] | None = None,
    now: datetime | None = None,
) -> CertState:
    """Record HQ's decision on an imported audit (see the module docstring); refuses with why."""
    reviewer_id = check_auditor_id(reviewer_id, "reviewer id", field="reviewer_id")
    reviewer_name = check_line_text(reviewer_name, "reviewer name", 120, field="reviewer_name")
    note = check_free_text(note, "decision note", NOTE_MAX, field="note")
    audit = _audit(data, audit_id)
    if reviewer_id == audit.auditor:
        raise UserError(
            f"reviewer {reviewer_id} recorded audit {audit.id[:12]} (its auditor): the decision must be taken by "
            "someone who did not audit (ISO/IEC 17021-1)",
            code="reviewer-audited",
            field="reviewer_id",
        )
    moment = format_time((now or utcnow()).replace(microsecond=0))
    hq = HQ(data.root)
    with file_lock(_lock(data), "HQ's decisions"):
        known = states(data)
        changes: list[CertState] = []
        if action in ("grant", "refuse"):
            if audit.type not in CERTIFYING:
                raise UserError(
                    f"audit {audit.id[:12]} is a {audit.type} audit: grant or refuse decides on a certification or "
                    "recertification audit's certificate (use --maintain or --suspend for surveillance)",
                    code="wrong-audit-type",
                )
            certs = _certificates_of(data, audit)
            if not certs:
                raise UserError(
                    f"audit {audit.id[:12]}: HQ holds no certificate issued from it (import the bundle with it)"
                )
            if action == "grant":
                problems = clearance(audit) if clearance is not None else []
                if problems:
                    raise UserError(
                        f"audit {audit.id[:12]}: cannot be granted: {'; '.join(problems)}", code="not-cleared"
                    )
            for cert in certs:
                if cert.id in known:
                    raise UserError(f"certificate {cert.id} was already decided ({known[cert.id].status.value})")
            previous = _current_for_station(known, audit.station)
            renewed = previous if audit.type == "recertification" else None
            for cert in certs:
                common = {
                    "cert_id": cert.id,
                    "station": cert.station,
                    "audit": audit.id,
                    "since": moment,
                    "reviewer_id": reviewer_id,
                    "reviewer_name": reviewer_name,
                }
                if action == "refuse":
                    state = CertState(
                        **common, status=CertStatus.WITHDRAWN, reason=f"certification refused by HQ: {note}"
                    )
                else:
                    state = CertState(
                        **common,
                        status=CertStatus.GRANTED,
                        decided_at=moment,
                        revision=renewed.revision + 1 if renewed else 0,
                        original_certification=(renewed.original_certification or renewed.decided_at)
                        if renewed
                        else moment,
                    )
                changes.append(state)
            if action == "grant" and renewed is not None:
                changes.append(
                    renewed.model_copy(
                        update={"status": CertStatus.SUPERSEDED, "since": moment, "superseded_by": certs[0].id}
                    )
                )
        else:
            if audit.type != "surveillance":
                raise UserError(
                    f"audit {audit.id[:12]} is a {audit.type} audit: maintain or suspend decides on a surveillance audit",
                    code="wrong-audit-type",
                )
            current = _current_for_station(known, audit.station)
            if current is None:
                raise UserError(f"station {audit.station} holds no granted certificate to maintain or suspend")
            if action == "maintain":
                changes.append(current.model_copy(update={"surveillances": [*current.surveillances, audit.closed]}))
            else:
                changes.append(
                    current.model_copy(update={"status": CertStatus.SUSPENDED, "since": moment, "reason": note})
                )
        payload = {
            "type": "decision",
            "audit": audit.id,
            "action": action,
            "reviewer": {"id": reviewer_id, "name": reviewer_name},
            "note": note,
            "certificates": [{"id": c.cert_id, "status": c.status.value} for c in changes],
            "time": moment,
        }
        _commit(data, hq, passphrase, payload, changes)
    return changes[0]


def set_status(
    data: DataDir,
    cert_id: str,
    status: CertStatus,
    *,
    reason: str,
    passphrase: Passphrase,
    now: datetime | None = None,
) -> CertState:
    """``hq suspend`` / ``hq restore`` (status granted) / ``hq withdraw`` of a decided certificate."""
    reason = check_line_text(reason, "the reason" if status != CertStatus.GRANTED else "the note", 500, field="reason")
    wanted = cert_id.replace("-", "").replace(" ", "").upper()
    moment = format_time((now or utcnow()).replace(microsecond=0))
    hq = HQ(data.root)
    with file_lock(_lock(data), "HQ's decisions"):
        known = states(data)
        state = known.get(wanted)
        if state is None:
            raise UserError(
                f"certificate {cert_id!r} has no HQ decision (decide on its audit first: 'inspector hq decide AUDIT')",
                code="unknown-certificate",
            )
        allowed = {
            CertStatus.SUSPENDED: (CertStatus.GRANTED,),
            CertStatus.GRANTED: (CertStatus.SUSPENDED,),
            CertStatus.WITHDRAWN: (CertStatus.GRANTED, CertStatus.SUSPENDED),
        }[status]
        if state.status not in allowed:
            verb = {CertStatus.SUSPENDED: "suspend", CertStatus.GRANTED: "restore", CertStatus.WITHDRAWN: "withdraw"}
            raise UserError(f"certificate {state.cert_id} is {state.status.value}: cannot {verb[status]} it")
        changed = state.model_copy(
            update={"status": status, "since": moment, "reason": None if status == CertStatus.GRANTED else reason}
        )
        payload = {
            "type": "status-change",
            "certificate": state.cert_id,
            "status": status.value,
            "reason": reason,
            "time": moment,
        }
        _commit(data, hq, passphrase, payload, [changed])
    return changed


def _commit(data: DataDir, hq: HQ, passphrase: Passphrase, payload: dict[str, Any], changes: list[CertState]) -> None:
    """Sign the decision with the HQ root and store it with the changed rows, in one write."""
    key = hq.unlock(passphrase)  # before any change: a wrong passphrase changes nothing
    envelope = sign_record(key, Domain.DECISION, payload)
    with _open(data, writable=True) as store:
        store.append(DECISIONS, envelope.model_dump())
        for state in changes:
            store.put(CERTS, state.cert_id, state.model_dump(mode="json"))


def status_list_payload(data: DataDir, hq: HQ, *, now: datetime, next_update_days: int) -> dict[str, Any]:
    """The unsigned status list for the register's state (revocations from the CRL included)."""
    known = states(data)
    revoked = {item.cert_id: item for item in hq.revocations()}
    granted: list[tuple[bytes, int]] = []
    changes: list[dict[str, Any]] = []
    for cert_id, state in sorted(known.items()):
        if cert_id in revoked:
            continue
        if state.status == CertStatus.GRANTED:
            granted.append((cti_of(cert_id), day_number(state.decided_at or state.since)))
        else:
            changes.append(
                StatusChange(
                    cert_id=cert_id,
                    status=state.status,
                    since=state.since,
                    decided_at=state.decided_at,
                    reason=state.reason,
                    superseded_by=state.superseded_by,
                ).model_dump(mode="json", exclude_none=True)
            )
    for cert_id, item in sorted(revoked.items()):
        if len(cert_id) == 16:
            changes.append({"cert_id": cert_id, "status": "revoked", "since": item.revoked_at, "reason": item.reason})
    info = hq.key_info()
    renewals = [
        {"cert_id": s.cert_id, "revision": s.revision, "original_certification": s.original_certification}
        for s in known.values()
        if s.revision > 0 and s.original_certification and s.cert_id not in revoked
    ]
    return {
        "organisation": organisation(data, hq).model_dump(mode="json", exclude_none=True),
        "renewals": sorted(renewals, key=lambda r: r["cert_id"]),
        "seq": 0,  # set by the caller
        "issued_at": format_time(now),
        "next_update": format_time(now + timedelta(days=next_update_days)),
        "issuer_name": info.name,
        "issuer_key": info.public.b64,
        "granted": build_granted(granted),
        "changes": sorted(changes, key=lambda c: c["cert_id"]),
    }


def export_status(
    data: DataDir, passphrase: Passphrase, *, next_update_days: int = 7, now: datetime | None = None
) -> bytes:
    """The signed status-list file: re-signed (seq + 1) when the register changed or it went stale."""
    import hashlib
    import json

    from inspector.crypto.canonical import canonical_json
    from inspector.trust.documents import encode_document

    moment = (now or utcnow()).replace(microsecond=0)
    hq = HQ(data.root)
    with file_lock(_lock(data), "HQ's decisions"):
        payload = status_list_payload(data, hq, now=moment, next_update_days=next_update_days)
        content = {k: v for k, v in payload.items() if k not in ("seq", "issued_at", "next_update")}
        digest = hashlib.sha256(canonical_json(content)).hexdigest()
        latest = None
        if _store_path(data).exists():
            with _open(data, writable=False) as store:
                latest = store.get(LISTS, "latest")
        if latest is not None and latest["digest"] == digest:
            previous = StatusList.model_validate(json.loads(json.loads(latest["bytes"])["envelope"]["payload"]))
            if parse_time(previous.next_update) - moment > timedelta(days=next_update_days) / 2:
                return str(latest["bytes"]).encode("utf-8")  # nothing changed and still fresh
        payload["seq"] = (latest["seq"] + 1) if latest is not None else 1
        StatusList.model_validate(payload)  # never sign what a verifier would refuse
        envelope = sign_record(hq.unlock(passphrase), Domain.STATUS, payload)
        data_bytes = encode_document(STATUS_FORMAT, envelope)
        with _open(data, writable=True) as store:
            store.put(LISTS, "latest", {"seq": payload["seq"], "digest": digest, "bytes": data_bytes.decode("utf-8")})
    return data_bytes


def surveillance_due(state: CertState) -> str | None:
    """When the next surveillance is due: within 12 months of the decision, then once a calendar year."""
    if state.status != CertStatus.GRANTED or state.decided_at is None:
        return None
    decided = parse_time(state.decided_at)
    if not state.surveillances:
        return format_time(decided + timedelta(days=365))[:10]
    last = parse_time(max(state.surveillances))
    return f"{last.year + 1}-12-31"


def is_surveillance_overdue(state: CertState, now: datetime | None = None) -> bool:
    due = surveillance_due(state)
    return due is not None and (now or utcnow()).date().isoformat() > due
