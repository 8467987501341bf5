"""Issuing a certificate from a closed audit: the signed record, its PSC1 payload and QR fit."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from inspector._io.atomic import write_private
from inspector._io.locks import file_lock
from inspector.audit.decision import certificate_refusal
from inspector.audit.records import AuditType
from inspector.audit.service import AuditService
from inspector.audit.stations import load_registry
from inspector.certificates import psc1, qr
from inspector.certificates.links import link_text
from inspector.certificates.local import audit_certificates
from inspector.certificates.model import (
    CERT_DIR,
    DEFAULT_LIFETIME_DAYS,
    CertificateBody,
    IssuedCertificate,
    load_record_file,
    record_bytes,
)
from inspector.certificates.psc1 import AuditType as QRAuditType
from inspector.certificates.psc1 import CertClaims, CertResult, cert_id_text, encode
from inspector.crypto.canonical import format_time, parse_time, utcnow
from inspector.crypto.signing import Domain, SigningKey, sign_record
from inspector.errors import Invalid, UserError
from inspector.paths import DataDir
from inspector.trust.lists import Purpose
from inspector.trust.store import TrustStore

ISSUER_HQ = 1  # claim ``iss``: the commissionerate HQ that runs the trust list
# Held from the last look for an existing certificate to the record's write, so two issuers at
# once (the app and a terminal) cannot both sign one. Not a .json: no reader lists it.
ISSUE_LOCK = ".issue.lock"


def _result_for(audit: Any) -> CertResult:
    """CERTIFIED when the audit's type and decision allow a certificate; else the refusal, with why.

    Stage 1 and surveillance audits never lead to a certificate (surveillance maintains or
    suspends the current one, at HQ); certification and recertification only when the decision
    is ``recommend-certification`` (majors verified effective, minors with accepted plans).
    """
    refusal = certificate_refusal(audit.opened.audit_type, audit.decision())
    if refusal is not None:
        code = "type-issues-no-certificate" if audit.opened.audit_type in NO_CERTIFICATE_TYPES else "not-certifiable"
        raise UserError(f"audit {audit.id[:12]}: {refusal}", code=code)
    return CertResult.CERTIFIED


NO_CERTIFICATE_TYPES = (AuditType.STAGE1, AuditType.SURVEILLANCE)


class AlreadyIssued(UserError):
    """The audit already has a certificate: a second would be another valid certificate for the
    same visit (both would verify, and HQ would hold two). ``cert_id`` and ``record`` say which
    and where, so a shell can offer to show it or write its files again."""

    default_code = "already-issued"

    def __init__(self, audit_id: str, issued: IssuedCertificate) -> None:
        self.issued = issued
        super().__init__(
            f"audit {audit_id[:12]} already has certificate {issued.body.display_id} (record {issued.record_path}): "
            f"write its files again with 'inspector cert issue {audit_id[:12]} --out DIR --render-again'",
            code="already-issued",
            field="audit",
            audit=audit_id,
            cert_id=issued.body.cert_id,
            record=str(issued.record_path),
        )


def _existing(audit_folder: Path) -> IssuedCertificate | None:
    """The newest certificate issued from the audit in ``audit_folder`` (one, since issuing refuses
    a second; older data directories may hold more), or None."""
    paths = audit_certificates(audit_folder)
    if not paths:
        return None
    envelope, body = load_record_file(paths[0])
    return IssuedCertificate(body, envelope, paths[0])


def existing_certificate(data: DataDir, audit_id: str) -> IssuedCertificate | None:
    """The certificate already issued from ``audit_id`` (full id or unique prefix), or None."""
    return _existing(data.audit_dir(AuditService(data).resolve(audit_id)))


def refuse_second_certificate(data: DataDir, audit_id: str) -> None:
    """Raise :class:`AlreadyIssued` when ``audit_id`` has a certificate (before a passphrase is asked)."""
    full_id = AuditService(data).resolve(audit_id)
    existing = _existing(data.audit_dir(full_id))
    if existing is not None:
        raise AlreadyIssued(full_id, existing)


def _surveillance(issued: datetime, expires: datetime) -> list[str]:
    """Surveillance audits in years 1 and 2 (ISO/IEC 17021-1), when before expiry."""
    dates = []
    for years in (1, 2):
        due = issued + timedelta(days=365 * years)
        if due < expires:
            dates.append(due.date().isoformat())
    return dates


def issue_certificate(
    data: DataDir,
    audit_id: str,
    key: SigningKey,
    *,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    now: datetime | None = None,
) -> IssuedCertificate:
    """Sign a certificate for a closed audit whose decision allows it; refuse with reasons otherwise.

    An audit leads to one certificate: a second call refuses with :class:`AlreadyIssued`
    (code ``already-issued``), naming the one there is.
    """

    if lifetime_days < 1:
        raise UserError("certificate lifetime must be at least one day")
    now = (now or utcnow()).replace(microsecond=0)
    with AuditService(data).open(audit_id, writable=False) as audit:
        opened, seal = audit.opened, audit.seal()
        existing = _existing(audit.folder)
        if existing is not None:
            raise AlreadyIssued(audit.id, existing)
        if not audit.is_closed or seal is None:
            raise UserError(f"audit {audit.id[:12]} is not closed: close it first ('inspector audit close')")
        result = _result_for(audit)
        closed_score = audit.score()
        folder, full_id = audit.folder, audit.id
        checklist = audit.checklist
    if opened.auditor.kid != key.public.kid_hex:
        raise UserError(
            f"this key ({key.public.kid_hex}) did not conduct audit {full_id[:12]}; its auditor's key is {opened.auditor.kid}"
        )
    trust = TrustStore(data.root).trustlist()
    if trust is None:
        raise UserError(
            "no trust list is installed: install HQ's trust list ('inspector trust install FILE') before issuing"
        )
    try:
        entry = trust.authorize(key.public.kid_hex, Purpose.CERT, now)
    except Invalid as exc:
        raise UserError(f"this key may not issue certificates now: {exc}") from None
    if entry.auditor_id != opened.auditor.id:
        raise UserError(f"the key is enrolled for auditor {entry.auditor_id}, but the audit names {opened.auditor.id}")
    expires = min(now + timedelta(days=lifetime_days), parse_time(entry.verify_until))
    cti = os.urandom(10)
    claims = CertClaims(
        issuer=ISSUER_HQ,
        issued_at=int(now.timestamp()),
        expires_at=int(expires.timestamp()),
        cert_id=cti,
        station_code=opened.station.code,
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        result=result,
        score=closed_score.percent or 0,
        majors=closed_score.majors,
        minors=closed_score.minors,
        auditor_id=opened.auditor.id,
        findings_root=seal.qr_root,
        # No station_name: verifiers show the registry's name for the signed code (psc1 docstring).
        audit_date=CertClaims.day_number(parse_time(seal.payload.closed).date()),
        audit_type=QRAuditType[opened.audit_type.name],
    )
    verify_url = getattr(trust, "verify_url", None)
    fitting, compact = _fitting(claims, verify_url)
    payload = encode(fitting, key, compact=compact)
    body = CertificateBody(
        cert_id=cert_id_text(cti),
        station_code=opened.station.code,
        station_name_en=opened.station.name,
        station_name_hi=opened.station.name_hi,
        district=_district(data, opened.station.code),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        checklist_hash=checklist.content_hash,
        audit_id=full_id,
        audit_type=opened.audit_type,
        result=result,
        score=closed_score.percent or 0,
        majors=closed_score.majors,
        minors=closed_score.minors,
        issued_at=format_time(now),
        expires_at=format_time(expires),
        surveillance_due=_surveillance(now, expires),
        auditor_id=opened.auditor.id,
        auditor_name=entry.name,
        issuer_name=trust.issuer_name,
        kid=key.public.kid_hex,
        findings_root=seal.findings_root.hex(),
        payload=payload,
        verify_url=verify_url,
    )
    envelope = sign_record(key, Domain.CERT_RECORD, body.model_dump(mode="json"))
    path = folder / CERT_DIR / f"{body.cert_id}.json"
    with file_lock(folder / CERT_DIR / ISSUE_LOCK, f"certificates of audit {full_id[:12]}"):
        existing = _existing(folder)  # again: another process may have issued since the first look
        if existing is not None:
            raise AlreadyIssued(full_id, existing)
        write_private(path, record_bytes(envelope), mode=0o644, overwrite=False)
    return IssuedCertificate(body, envelope, path)


def _fitting(claims: Any, verify_url: str | None) -> tuple[Any, bool]:
    """The fullest variant of ``claims`` and its form (``compact``: PSC2) whose QR, with the
    verify link if any, stays within version 13 at ECC Q; failing that, with a link, the one with
    the smallest QR up to ``MAX_LINK_QR_VERSION`` (see psc1's docstring).

    The optional audit type and date go first, and PSC1 before PSC2 at any variant: verifiers
    of earlier releases (a phone page cached before PSC2) read only PSC1, so the compact form is
    written only when PSC1 would need a bigger code. A long verify link never makes issuing
    fail: the code grows instead (HQ's ``publish-verifier`` keeps the links it configures within v13).
    """
    variants = [claims, claims.model_copy(update={"audit_type": None, "audit_date": None})]
    sized: list[tuple[int, Any, bool]] = []
    for compact in (False, True):
        prefix = psc1.PREFIX_COMPACT if compact else psc1.PREFIX
        for variant in variants:
            length = psc1.text_length(variant, compact=compact)
            if length <= psc1.MAX_ISSUE_LENGTH:
                sample = prefix + "A" * (length - len(prefix))  # costs what any payload this long costs
                sized.append((qr.qr_version(link_text(verify_url, sample)), variant, compact))
    for version, variant, compact in sized:
        if version <= psc1.MAX_QR_VERSION:
            return variant, compact
    if verify_url and sized:
        version, variant, compact = min(sized, key=lambda row: row[0])  # min keeps the earlier one on a tie
        if version <= psc1.MAX_LINK_QR_VERSION:
            return variant, compact
    raise UserError(
        f"the certificate does not fit a version {psc1.MAX_QR_VERSION} QR code"
        + (
            f" (version {psc1.MAX_LINK_QR_VERSION} with the verify link {verify_url!r}: HQ should configure a shorter verify URL)"
            if verify_url
            else ""
        )
    )


def _district(data: DataDir, code: str) -> str:

    try:
        return load_registry(data_root=data.root).get(code).district
    except UserError:
        return ""
