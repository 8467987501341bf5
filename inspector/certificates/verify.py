"""Certificate verification: one decision procedure for the CLI, the TUI and HQ.

The lists are read through the protocols of ``trust.verifier``: the lean readers ``inspector
verify`` uses (no pydantic on its path, issue 16 goal 3) and HQ's pydantic models alike.

Checks run in the order of the QR reference (§8.6): transport and envelope, the device clock
against the trust list, key known, key purpose, signature, and only then the claims: auditor
binding, signing window, key validity, not-yet-valid, expiry, revocation. Until the signature
passes nothing in the payload is believed; after it passes every failing check is reported (the
first one is the primary reason). The phone page (``inspector/web``) implements the same
procedure and is tested against vectors produced by this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from inspector.certificates.deferred import parse_record
from inspector.certificates.psc1 import (
    CertClaims,
    PayloadError,
    cert_id_text,
    decode,
    parse_claims,
    parse_scanned,
    verify_signature,
)
from inspector.crypto.canonical import format_time, parse_time, utcnow
from inspector.crypto.signing import Domain
from inspector.errors import Invalid, ReasonCode
from inspector.trust.rules import MAX_CERT_LIFETIME_DAYS, CertStatus, KeyStatus, Purpose

if TYPE_CHECKING:
    from inspector.trust.verifier import EntryLike as TrustEntry
    from inspector.trust.verifier import RevocationListLike as RevocationList
    from inspector.trust.verifier import StatusListLike as StatusList
    from inspector.trust.verifier import TrustListLike as TrustList

CLOCK_SKEW = timedelta(seconds=300)
MAX_LIFETIME = timedelta(days=MAX_CERT_LIFETIME_DAYS)

REASON_TEXT: dict[str, str] = {
    "clock-wrong": "this device's clock is earlier than the trust list it holds; set the clock and try again",
    "no-trust": "no trust list is installed; install HQ's trust list first",
    "unknown-key": "signed by a key that HQ never enrolled",
    "wrong-purpose": "the signing key is not enrolled to sign certificates",
    "bad-signature": "the signature does not match: the certificate was altered or forged",
    "revoked-key": "the auditor's key was revoked by HQ",
    "auditor-mismatch": "the lead auditor named in the certificate is not the holder of the signing key",
    "outside-signing-window": "issued outside the period in which the auditor's key could sign",
    "exceeds-key-validity": "valid beyond the date until which HQ vouches for the key",
    "lifetime-too-long": "validity period longer than any certificate may have",
    "not-yet-valid": "issued in the future",
    "expired": "the certificate has expired",
    "revoked": "the certificate was revoked by HQ",
    "record-mismatch": "the certificate record and its QR code disagree",
    "not-decided": "awaiting HQ's decision: HQ has not granted this certificate",
    "suspended": "HQ has suspended this certificate",
    "withdrawn": "HQ has withdrawn this certificate",
    "superseded": "replaced by a newer certificate for the station",
}


@dataclass
class Verdict:
    """The outcome of one verification: ``valid`` plus reason codes, warnings and what was read."""

    valid: bool
    reasons: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    claims: CertClaims | None = None
    entry: TrustEntry | None = None
    payload: str | None = None
    checked_at: datetime | None = None
    trustlist_seq: int | None = None
    trustlist_issued_at: str | None = None
    crl_seq: int | None = None
    crl_issued_at: str | None = None
    status_seq: int | None = None
    status_issued_at: str | None = None
    status: str | None = None  # HQ's decision on the certificate: granted, suspended, ...
    decided_on: date | None = None  # the day HQ granted it
    superseded_by: str | None = None

    def fail(self, code: str, message: str | None = None) -> Verdict:
        self.valid = False
        self.reasons.append(code)
        self.messages.append(message or REASON_TEXT.get(code, code))
        return self

    def lists_used(self) -> str:
        """Which signed lists the decision used, as every shell shows it ('' when none)."""
        lists = []
        if self.trustlist_seq is not None and self.trustlist_issued_at:
            lists.append(f"trust list #{self.trustlist_seq} of {self.trustlist_issued_at[:10]}")
        if self.crl_seq is not None and self.crl_issued_at:
            lists.append(f"revocation list #{self.crl_seq} of {self.crl_issued_at[:10]}")
        if self.status_seq is not None and self.status_issued_at:
            lists.append(f"status list #{self.status_seq} of {self.status_issued_at[:10]}")
        return ", ".join(lists)

    @property
    def cert_id(self) -> str | None:
        if self.claims is None:
            return None

        return cert_id_text(self.claims.cert_id)

    def to_json(self) -> dict[str, Any]:
        claims = self.claims
        out: dict[str, Any] = {
            "valid": self.valid,
            "verdict": "VALID" if self.valid else "INVALID",
            "reasons": self.reasons,
            "messages": self.messages,
            "warnings": self.warnings,
            "checked_at": format_time(self.checked_at) if self.checked_at else None,
            "trust_list": {
                "seq": self.trustlist_seq,
                "issued_at": self.trustlist_issued_at,
            },
            "revocation_list": {"seq": self.crl_seq, "issued_at": self.crl_issued_at},
            "status_list": {"seq": self.status_seq, "issued_at": self.status_issued_at},
            "status": self.status,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
        }
        if claims is not None:
            out["certificate"] = {
                "id": self.cert_id,
                "station_code": claims.station_code,
                "station_name": claims.station_name,
                "result": claims.result.name.lower().replace("_", "-"),
                "score": claims.score,
                "majors": claims.majors,
                "minors": claims.minors,
                "issued_at": _iso(claims.issued_at),
                "expires_at": _iso(claims.expires_at),
                "checklist": {
                    "id": claims.checklist_id,
                    "version": claims.checklist_version,
                },
                "auditor_id": claims.auditor_id,
                "findings_root": claims.findings_root.hex(),
                "audit_date": claims.audit_day.isoformat() if claims.audit_day else None,
            }
        if self.entry is not None:
            out["signer"] = {
                "kid": self.entry.kid,
                "auditor_id": self.entry.auditor_id,
                "name": self.entry.name,
            }
        return out


def _iso(seconds: int) -> str:
    try:
        return format_time(datetime.fromtimestamp(seconds, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def _at(seconds: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def verify_payload(
    text: str,
    trust: TrustList | None,
    crl: RevocationList | None = None,
    now: datetime | None = None,
) -> Verdict:
    """Decide whether the scanned ``text`` is a genuine, current certificate."""
    now = now or utcnow()
    verdict = Verdict(valid=True, checked_at=now)
    _note_lists(verdict, trust, crl, now)
    try:
        payload = parse_scanned(text)
        verdict.payload = payload
        decoded = decode(payload)
    except PayloadError as exc:
        return verdict.fail(exc.code, exc.message)
    if trust is None:
        return verdict.fail("no-trust")
    if now < parse_time(trust.issued_at):
        return verdict.fail("clock-wrong")
    signers = _signer(verdict, decoded, trust)
    if not signers:
        return verdict
    verdict.entry = signers[-1]
    try:
        claims = parse_claims(decoded.payload)
    except PayloadError as exc:
        return verdict.fail(exc.code, exc.message)
    verdict.claims = claims
    entry = verdict.entry = _window_for(signers, claims.issued_at)
    _check_claims(verdict, claims, entry, now)
    _check_revocation(verdict, claims, crl)
    return verdict


def _window_for(signers: list[TrustEntry], issued_at: int) -> TrustEntry:
    """The signer's entry whose signing window holds ``issued_at``, else its latest one.

    A renewed key has one entry per window it held (``hq enroll --renew`` keeps the old one),
    so a certificate signed inside an earlier window is judged by that window.
    """
    issued = _at(issued_at)
    if issued is not None:
        for entry in signers:
            if parse_time(entry.use_from) <= issued <= parse_time(entry.use_until):
                return entry
    return signers[-1]


def _signer(verdict: Verdict, decoded: Any, trust: TrustList) -> list[TrustEntry]:
    """The enrolled entries (one per signing window) of the key that signed this certificate,
    or [] after recording why not."""
    found = trust.candidates(decoded.kid_hex)
    if not found:
        verdict.fail("unknown-key", f"signed by key {decoded.kid_hex}, which HQ never enrolled")
        return []
    usable = [entry for entry in found if Purpose.CERT in entry.purposes]
    if not usable:
        verdict.fail(
            "wrong-purpose",
            f"key {decoded.kid_hex} is not enrolled to sign certificates",
        )
        return []
    # Kids are truncated hashes, so every listed key with this kid is tried (each distinct key once).
    verified: dict[str, bool] = {}
    for entry in usable:
        if entry.public_key not in verified:
            verified[entry.public_key] = verify_signature(decoded, entry.key)
    signed = [entry for entry in usable if verified[entry.public_key]]
    if not signed:
        verdict.fail("bad-signature")
        return []
    revoked = [entry for entry in signed if entry.status == KeyStatus.REVOKED]
    if revoked:
        entry = revoked[0]
        verdict.fail(
            "revoked-key",
            f"key {entry.kid} of {entry.auditor_id} was revoked by HQ on {(entry.revoked_at or '')[:10]} ({entry.reason})",
        )
        return []
    return [entry for entry in signed if entry.public_key == signed[0].public_key]


def _check_claims(verdict: Verdict, claims: CertClaims, entry: TrustEntry, now: datetime) -> None:
    issued = _at(claims.issued_at)
    expires = _at(claims.expires_at)
    if claims.auditor_id != entry.auditor_id:
        verdict.fail(
            "auditor-mismatch",
            f"certificate names lead auditor {claims.auditor_id}, but the key belongs to {entry.auditor_id}",
        )
    if issued is None or not parse_time(entry.use_from) <= issued <= parse_time(entry.use_until):
        verdict.fail(
            "outside-signing-window",
            f"issued {_iso(claims.issued_at)}, but key {entry.kid} could sign only from {entry.use_from} to {entry.use_until}",
        )
    if expires is None or expires > parse_time(entry.verify_until):
        verdict.fail(
            "exceeds-key-validity",
            f"valid until {_iso(claims.expires_at)}, beyond the key's verify-until {entry.verify_until}",
        )
    if claims.expires_at <= claims.issued_at or claims.expires_at - claims.issued_at > MAX_LIFETIME.total_seconds():
        verdict.fail(
            "lifetime-too-long",
            "validity period is empty or longer than any certificate may have",
        )
    if issued is None or issued > now + CLOCK_SKEW:
        verdict.fail("not-yet-valid", f"issued {_iso(claims.issued_at)}, which is in the future")
    if expires is None or now >= expires:
        verdict.fail("expired", f"expired on {_iso(claims.expires_at)[:10]}")


def _check_revocation(verdict: Verdict, claims: CertClaims, crl: RevocationList | None) -> None:
    if crl is None:
        return

    entry = crl.is_revoked(cert_id_text(claims.cert_id))
    if entry is not None:
        verdict.fail("revoked", f"revoked by HQ on {entry.revoked_at[:10]}: {entry.reason}")


def _note_lists(verdict: Verdict, trust: TrustList | None, crl: RevocationList | None, now: datetime) -> None:
    if trust is not None:
        verdict.trustlist_seq = trust.seq
        verdict.trustlist_issued_at = trust.issued_at
        if trust.is_stale(now):
            verdict.warnings.append(
                f"the trust list is past its next update ({trust.next_update[:10]}); get a newer one from HQ"
            )
    if crl is None:
        verdict.warnings.append("no revocation list is installed: cannot confirm the certificate was not revoked")
    else:
        verdict.crl_seq = crl.seq
        verdict.crl_issued_at = crl.issued_at
        if crl.is_stale(now):
            verdict.warnings.append(
                f"the revocation list is past its next update ({crl.next_update[:10]}): cannot confirm the certificate was not revoked since"
            )


def verify_record(
    data: bytes,
    what: str,
    trust: TrustList | None,
    crl: RevocationList | None = None,
    now: datetime | None = None,
) -> Verdict:
    """Verify a certificate record file: its own signature, its QR payload, and that they agree."""

    envelope, body = parse_record(data, what)  # UserError: not a certificate record at all
    verdict = verify_payload(body.payload, trust, crl, now)
    if trust is None or verdict.entry is None:
        return verdict
    try:
        entry, _ = trust.verify_envelope(envelope, Domain.CERT_RECORD, Purpose.CERT, what)
    except Invalid as exc:
        code = exc.reason_code or ReasonCode.BAD_SIGNATURE
        return verdict.fail(
            code.value,
            f"certificate record: {exc}",
        )
    claims = verdict.claims
    if claims is None:
        return verdict
    mismatches = _record_mismatches(body, claims, entry)
    if mismatches:
        verdict.fail(
            "record-mismatch",
            "the record and its QR payload disagree on " + ", ".join(mismatches),
        )
    return verdict


def _record_mismatches(body: Any, claims: CertClaims, entry: TrustEntry) -> list[str]:

    checks = {
        "certificate id": body.cert_id == cert_id_text(claims.cert_id),
        "station": body.station_code == claims.station_code,
        "auditor": body.auditor_id == claims.auditor_id == entry.auditor_id,
        "result": body.result == claims.result,
        "score": (body.score, body.majors, body.minors) == (claims.score, claims.majors, claims.minors),
        "dates": (
            parse_time(body.issued_at).timestamp(),
            parse_time(body.expires_at).timestamp(),
        )
        == (claims.issued_at, claims.expires_at),
        "findings root": bytes.fromhex(body.findings_root)[:16] == claims.findings_root,
        "checklist": (body.checklist_id, body.checklist_version) == (claims.checklist_id, claims.checklist_version),
        "signing key": body.kid == entry.kid,
    }
    return [name for name, ok in checks.items() if not ok]


def apply_status(verdict: Verdict, status: StatusList | None, now: datetime | None = None) -> Verdict:
    """HQ's decision on top of the signature and claims checks: VALID only when granted.

    Every product path (CLI, app, phone page) calls this: an auditor's signature alone is a
    recommendation; the certificate is in force only once HQ's status list says granted. With
    no status list installed nothing can be decided, and the answer is ``not-decided``.
    """
    if verdict.claims is None:
        return verdict  # not a genuine certificate at all: its reasons say why
    if status is None:
        verdict.status = None
        return verdict.fail(
            ReasonCode.NOT_DECIDED.value,
            "no certificate status list is installed, so HQ's decision cannot be checked "
            "(install HQ's with 'inspector trust install-status FILE')",
        )
    verdict.status_seq, verdict.status_issued_at = status.seq, status.issued_at
    if status.is_stale(now):
        verdict.warnings.append(
            f"the certificate status list is past its next update ({status.next_update[:10]}); a recent "
            "suspension or withdrawal may be missing: get a newer one from HQ"
        )
    found = status.lookup(verdict.claims.cert_id)
    if found is None:
        verdict.status = ReasonCode.NOT_DECIDED.value
        return verdict.fail(ReasonCode.NOT_DECIDED.value)
    state, change, decided = found
    verdict.status, verdict.decided_on = state.value, decided
    if state == CertStatus.GRANTED:
        return verdict
    assert change is not None
    since = change.since[:10]
    if state == CertStatus.SUPERSEDED:
        verdict.superseded_by = change.superseded_by
        return verdict.fail(state.value, f"replaced on {since} by certificate {change.superseded_by}")
    if state == CertStatus.REVOKED and ReasonCode.REVOKED.value in verdict.reasons:
        return verdict  # the revocation list said so already: one reason, not two
    return verdict.fail(state.value, f"{REASON_TEXT[state.value]} on {since}: {change.reason}")
