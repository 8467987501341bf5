"""Headquarters: the root key, the register of enrolled auditor keys and revoked certificates,
and the signed trust list and revocation list it publishes.

State lives in ``hq/register.json`` (format ``inspector-hq-register/v1``), rewritten atomically
(temp file, fsync, rename, directory fsync) under an exclusive lock on ``hq/.lock``::

    {"format": "inspector-hq-register/v1", "root_kid": hex,
     "trustlist_seq": int, "crl_seq": int,
     "auditors": [TrustEntry...],                        # the trust list's content, one per key
     "enrolments": [{"kid": hex, "envelope": Envelope}], # every signed enrolment, append-only
     "revocations": [RevokedCert...]}

Every change to the auditors bumps ``trustlist_seq``; every certificate revocation bumps
``crl_seq``. Changes need no passphrase; signing does: :meth:`HQ.export_trustlist` signs the
current state at the current seq (and keeps the signed file as ``hq/trustlist.json``), and returns
that same file again, byte for byte, until something changes, so installing it twice is a no-op.
A list past its ``next_update`` (or ``refresh=True``) is re-signed under a new seq.

Enrolling a key that is already enrolled is refused unless ``renew=True``, which gives the same
key (same auditor) a new signing window and purposes and makes a retired key active again. A
revoked key can never come back, a key whose kid equals another key's is refused, and so is the
HQ root key itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from inspector._io.atomic import write_private
from inspector._io.locks import file_lock
from inspector.crypto.canonical import format_time, loads_strict, parse_time, utcnow
from inspector.crypto.keystore import (
    KeyFileMissing,
    KeyInfo,
    check_auditor_id,
    check_name,
    create_key,
    read_key_info,
    unlock,
)
from inspector.crypto.signing import (
    Domain,
    Envelope,
    PublicKey,
    SigningKey,
    sign_record,
)
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.trust.documents import encode_document, load_crl, load_trustlist
from inspector.trust.lists import (
    CRL_FORMAT,
    DEFAULT_NEXT_UPDATE_DAYS,
    DEFAULT_VALID_DAYS,
    MAX_CERT_LIFETIME_DAYS,
    MAX_VALID_DAYS,
    TRUSTLIST_FORMAT,
    KeyStatus,
    Purpose,
    RevocationList,
    RevokedCert,
    TrustEntry,
    TrustList,
    check_cert_id,
    check_reason,
    check_verify_url,
    kid_arg,
)

REGISTER_FORMAT = "inspector-hq-register/v1"
Passphrase = str | Callable[[], str]


class _Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kid: str
    envelope: Envelope


class _Register(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: str = REGISTER_FORMAT
    root_kid: str
    trustlist_seq: Annotated[int, Field(ge=0)] = 0
    crl_seq: Annotated[int, Field(ge=0)] = 0
    auditors: list[TrustEntry] = []
    enrolments: list[_Enrolment] = []
    revocations: list[RevokedCert] = []
    verify_url: str | None = None


def _passphrase(value: Passphrase) -> str:
    return value() if callable(value) else value


class HQ(DataDir):
    """Headquarters operations on one data directory."""

    @property
    def _lock(self) -> Path:
        return self.hq / ".lock"

    @property
    def issued_trustlist(self) -> Path:
        """The last signed trust list (exactly the bytes ``export_trustlist`` returns)."""
        return self.hq / "trustlist.json"

    @property
    def issued_crl(self) -> Path:
        return self.hq / "crl.json"

    # the root key -----------------------------------------------------------------------------
    def init(self, name: str, passphrase: str, *, scrypt_n: int | None = None) -> KeyInfo:
        """Create the HQ root key here (refuses to overwrite one) and an empty register."""
        if self.hq_key.exists():
            raise UserError(f"{self.hq_key}: an HQ root key already exists here; refusing to overwrite it")
        with file_lock(self._lock, "the HQ register"):
            info = create_key(self.hq_key, "hq", name, passphrase, scrypt_n=scrypt_n)
            if not self.hq_register.exists():
                self._save(_Register(root_kid=info.kid))
        return info

    def key_info(self) -> KeyInfo:
        try:
            info = read_key_info(self.hq_key)
        except KeyFileMissing:
            raise UserError(f"no HQ root key in {self.root}; create one with 'inspector hq init --name NAME'") from None
        if info.role != "hq":
            raise UserError(f"key file {self.hq_key}: not an HQ root key (role {info.role})")
        return info

    def root_public(self) -> PublicKey:
        return self.key_info().public

    def unlock(self, passphrase: Passphrase) -> SigningKey:
        info = self.key_info()
        key = unlock(self.hq_key, _passphrase(passphrase))
        if key.public.raw != info.public.raw:  # pragma: no cover - unlock already checks
            raise UserError(f"key file {self.hq_key}: private key does not match")
        return key

    # the register -----------------------------------------------------------------------------
    def _load(self) -> _Register:
        info = self.key_info()
        try:
            data = self.hq_register.read_bytes()
        except FileNotFoundError:
            return _Register(root_kid=info.kid)
        except OSError as exc:
            raise UserError(f"HQ register {self.hq_register}: cannot read ({exc.strerror})") from None
        raw = loads_strict(data, f"HQ register {self.hq_register}")
        if not isinstance(raw, dict) or raw.get("format") != REGISTER_FORMAT:
            raise UserError(f"HQ register {self.hq_register}: not an {REGISTER_FORMAT} file")
        try:
            register = _Register.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise UserError(f"HQ register {self.hq_register}: {where}: {first['msg']}") from None
        if register.root_kid != info.kid:
            raise UserError(f"HQ register {self.hq_register}: belongs to root key {register.root_kid}, not {info.kid}")
        return register

    def _save(self, register: _Register) -> None:
        text = json.dumps(register.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"
        write_private(self.hq_register, text.encode("utf-8"), mode=0o600)

    def entries(self) -> list[TrustEntry]:
        """Every enrolled key with its status, as the next trust list will state it."""
        return list(self._load().auditors)

    def revocations(self) -> list[RevokedCert]:
        return list(self._load().revocations)

    def enrolments(self) -> list[Envelope]:
        """Every signed enrolment ever issued (Domain.ENROLMENT, signed by the root)."""
        return [item.envelope for item in self._load().enrolments]

    def trustlist_seq(self) -> int:
        return self._load().trustlist_seq

    def crl_seq(self) -> int:
        return self._load().crl_seq

    def _find(self, register: _Register, kid_hex: str) -> int:
        """The index of the key's current entry: the last one, since a renewal appends a new
        window and keeps the earlier ones (what the key signed inside them stays valid)."""
        kid_hex = kid_arg(kid_hex)
        for index in range(len(register.auditors) - 1, -1, -1):
            if register.auditors[index].kid == kid_hex:
                return index
        raise UserError(f"no enrolled key has kid {kid_hex} (see 'inspector hq auditors')")

    # enrolment --------------------------------------------------------------------------------
    def enroll(
        self,
        public: PublicKey,
        name: str,
        auditor_id: str,
        passphrase: Passphrase,
        *,
        purposes: Iterable[Purpose] = (Purpose.CERT, Purpose.FINDING),
        valid_days: int = DEFAULT_VALID_DAYS,
        renew: bool = False,
        now: datetime | None = None,
    ) -> TrustEntry:
        """Sign an enrolment of ``public`` for auditor ``auditor_id`` and add it to the register."""
        if not isinstance(public, PublicKey):
            raise TypeError("public must be a screened PublicKey")
        name = check_name(name, "auditor name", field="name")
        auditor_id = check_auditor_id(auditor_id, "auditor id", field="auditor_id")
        chosen = sorted({Purpose(p) for p in purposes})
        if not chosen:
            raise UserError("at least one purpose is needed (cert, finding)")
        if not 1 <= valid_days <= MAX_VALID_DAYS:
            raise UserError(f"--valid-days must be between 1 and {MAX_VALID_DAYS}, not {valid_days}")
        moment = (now or utcnow()).replace(microsecond=0)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            root = self.root_public()
            if public == root or public.kid_hex == root.kid_hex:
                raise UserError("refusing to enrol the HQ root key as an auditor key")
            existing: int | None = None  # the key's current entry, when this is a renewal
            for index, entry in enumerate(register.auditors):
                if entry.kid != public.kid_hex:
                    continue
                if entry.key != public:
                    raise UserError(
                        f"key {public.kid_hex} collides with the kid of another enrolled key "
                        f"(auditor {entry.auditor_id}); generate a new key"
                    )
                if entry.status == KeyStatus.REVOKED:
                    raise UserError(
                        f"key {public.kid_hex} was revoked at {entry.revoked_at}; a revoked key cannot be enrolled again"
                    )
                if entry.auditor_id != auditor_id:
                    raise UserError(f"key {public.kid_hex} is already enrolled for auditor {entry.auditor_id}")
                if not renew:
                    raise UserError(
                        f"key {public.kid_hex} is already enrolled for {entry.auditor_id} ({entry.status.value}, "
                        f"may sign until {entry.use_until}); use --renew to give it a new window"
                    )
                existing = index
            use_until = moment + timedelta(days=valid_days)
            entry = TrustEntry(
                auditor_id=auditor_id,
                name=name,
                public_key=public.b64,
                kid=public.kid_hex,
                purposes=chosen,
                use_from=format_time(moment),
                use_until=format_time(use_until),
                verify_until=format_time(use_until + timedelta(days=MAX_CERT_LIFETIME_DAYS)),
            )
            key = self.unlock(passphrase)
            payload: dict[str, Any] = {
                "type": "enrolment",
                "auditor_id": entry.auditor_id,
                "name": entry.name,
                "public_key": entry.public_key,
                "kid": entry.kid,
                "purposes": [p.value for p in entry.purposes],
                "use_from": entry.use_from,
                "use_until": entry.use_until,
                "verify_until": entry.verify_until,
                "enrolled_at": format_time(moment),
                "renewal": existing is not None,
                "issuer_kid": key.public.kid_hex,
            }
            envelope = sign_record(key, Domain.ENROLMENT, payload)
            auditors = list(register.auditors)
            if existing is not None and auditors[existing].status == KeyStatus.ACTIVE:
                # The old window ends now and stays in the list: every verifier keeps accepting
                # what the key signed inside it. The new window is a new entry of the same key.
                old = auditors[existing]
                ended = min(parse_time(old.use_until), max(moment, parse_time(old.use_from)))
                auditors[existing] = TrustEntry.model_validate(
                    old.model_copy(
                        update={
                            "status": KeyStatus.RETIRED,
                            "retired_at": format_time(moment),
                            "use_until": format_time(ended),
                            "reason": "renewed",
                        }
                    ).model_dump()
                )
            auditors.append(entry)
            register.auditors = auditors
            register.enrolments = [
                *register.enrolments,
                _Enrolment(kid=entry.kid, envelope=envelope),
            ]
            register.trustlist_seq += 1
            self._save(register)
        return entry

    def retire(self, kid: str, *, reason: str | None = None, now: datetime | None = None) -> TrustEntry:
        """The key may sign nothing more (its window ends now); what it signed stays valid."""
        moment = (now or utcnow()).replace(microsecond=0)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            index = self._find(register, kid)
            entry = register.auditors[index]
            if entry.status != KeyStatus.ACTIVE:
                raise UserError(f"key {entry.kid} is already {entry.status.value}")
            use_until = min(parse_time(entry.use_until), max(moment, parse_time(entry.use_from)))
            changed = entry.model_copy(
                update={
                    "status": KeyStatus.RETIRED,
                    "retired_at": format_time(moment),
                    "use_until": format_time(use_until),
                    "reason": check_reason(reason) if reason else None,
                }
            )
            return self._replace_entry(register, index, changed)

    def _replace_entry(self, register: _Register, index: int, changed: TrustEntry) -> TrustEntry:
        """Store a changed enrolment (re-validated) and bump the trust list's seq; lock held."""
        updated = TrustEntry.model_validate(changed.model_dump())
        register.auditors = [
            *register.auditors[:index],
            updated,
            *register.auditors[index + 1 :],
        ]
        register.trustlist_seq += 1
        self._save(register)
        return updated

    def revoke_key(self, kid: str, reason: str, *, now: datetime | None = None) -> TrustEntry:
        """Revoke a key: nothing it ever signed is accepted any more."""
        reason = check_reason(reason)
        moment = (now or utcnow()).replace(microsecond=0)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            index = self._find(register, kid)
            entry = register.auditors[index]
            if entry.status == KeyStatus.REVOKED:
                raise UserError(f"key {entry.kid} was already revoked at {entry.revoked_at}")
            # Every window the key held is revoked: nothing it ever signed is accepted any more.
            revoked = format_time(moment)
            changed = entry
            for i, old in enumerate(register.auditors):
                if old.kid == entry.kid and old.status != KeyStatus.REVOKED:
                    update = {"status": KeyStatus.REVOKED, "revoked_at": revoked, "reason": reason}
                    register.auditors[i] = TrustEntry.model_validate(old.model_copy(update=update).model_dump())
                    if i == index:
                        changed = register.auditors[i]
            register.trustlist_seq += 1
            self._save(register)
            return changed

    def revoke_cert(self, cert_id: str, reason: str, *, now: datetime | None = None) -> RevokedCert:
        """Add a certificate id to the revocation list (bumps the CRL's seq)."""
        cert_id = check_cert_id(cert_id)
        reason = check_reason(reason)
        moment = (now or utcnow()).replace(microsecond=0)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            for item in register.revocations:
                if item.cert_id == cert_id:
                    raise UserError(f"certificate {cert_id} was already revoked at {item.revoked_at}")
            entry = RevokedCert(cert_id=cert_id, reason=reason, revoked_at=format_time(moment))
            register.revocations = [*register.revocations, entry]
            register.crl_seq += 1
            self._save(register)
        return entry

    def set_verify_url(self, url: str | None) -> bool:
        """Record HQ's verify page URL; it travels in the trust list (new seq) to every laptop."""

        url = None if url is None else check_verify_url(url.rstrip("/") + "/" if url.count("/") == 2 else url)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            if register.verify_url == url:
                return False
            register.verify_url = url
            register.trustlist_seq += 1
            self._save(register)
        return True

    def verify_url(self) -> str | None:
        return self._load().verify_url

    # what HQ publishes ------------------------------------------------------------------------
    def _header(
        self,
        seq: int,
        moment: datetime,
        next_update_days: int = DEFAULT_NEXT_UPDATE_DAYS,
    ) -> dict[str, Any]:
        """The fields every list HQ publishes starts with."""
        info = self.key_info()
        return {
            "seq": seq,
            "issued_at": format_time(moment),
            "next_update": format_time(moment + timedelta(days=next_update_days)),
            "issuer_name": info.name,
            "issuer_key": info.public_key,
        }

    def current_trustlist(self, *, now: datetime | None = None) -> TrustList:
        """The register's state as an (unsigned) TrustList at the current seq (at least 1)."""
        register = self._load()
        moment = (now or utcnow()).replace(microsecond=0)
        header = self._header(max(register.trustlist_seq, 1), moment)
        return TrustList(**header, auditors=list(register.auditors), verify_url=register.verify_url)

    def current_crl(self, *, now: datetime | None = None) -> RevocationList:
        register = self._load()
        moment = (now or utcnow()).replace(microsecond=0)
        return RevocationList(
            **self._header(max(register.crl_seq, 1), moment),
            entries=list(register.revocations),
        )

    def _issued(self, path: Path, loader: Any, root: PublicKey) -> tuple[bytes | None, Any]:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc.strerror})") from None
        try:
            return data, loader(data, [root], str(path))
        except UserError:
            return None, None  # damaged: sign afresh under a new seq

    def _export(
        self,
        kind: str,
        passphrase: Passphrase,
        refresh: bool,
        next_update_days: int,
        now: datetime | None,
    ) -> bytes:
        if not 1 <= next_update_days <= 366:
            raise UserError(f"--next-update-days must be between 1 and 366, not {next_update_days}")
        is_trustlist = kind == "trustlist"
        path = self.issued_trustlist if is_trustlist else self.issued_crl
        loader = load_trustlist if is_trustlist else load_crl
        seq_field = "trustlist_seq" if is_trustlist else "crl_seq"
        moment = (now or utcnow()).replace(microsecond=0)
        with file_lock(self._lock, "the HQ register"):
            register = self._load()
            root = self.root_public()
            data, issued = self._issued(path, loader, root)
            damaged = data is None and path.exists()
            seq = getattr(register, seq_field)
            if data is not None and issued.seq >= seq and not refresh and not issued.is_stale(moment):
                return data
            key = self.unlock(passphrase)  # before any change: a wrong passphrase changes nothing
            if seq == 0 or damaged or (issued is not None and issued.seq >= seq):
                seq = max(seq, issued.seq if issued is not None else 0) + 1
                setattr(register, seq_field, seq)
                self._save(register)
            common = self._header(seq, moment, next_update_days)
            if is_trustlist:
                document: Any = TrustList(
                    **common,
                    auditors=list(register.auditors),
                    verify_url=register.verify_url,
                )
                domain, fmt = Domain.TRUSTLIST, TRUSTLIST_FORMAT
            else:
                document = RevocationList(**common, entries=list(register.revocations))
                domain, fmt = Domain.CRL, CRL_FORMAT
            payload = document.signed_dict() if is_trustlist else document.model_dump(mode="json")
            envelope = sign_record(key, domain, payload)
            data = encode_document(fmt, envelope)
            loader(data, [root], f"new {kind}")  # self-check: what we publish must load
            write_private(path, data, mode=0o644)
        return data

    def export_trustlist(
        self,
        passphrase: Passphrase,
        *,
        refresh: bool = False,
        next_update_days: int = DEFAULT_NEXT_UPDATE_DAYS,
        now: datetime | None = None,
    ) -> bytes:
        """The signed trust-list file for the current register state.

        Returns the previously signed bytes when nothing changed and they are not stale (the
        passphrase, which may be a callable, is then not even asked for); else signs anew.
        """
        return self._export("trustlist", passphrase, refresh, next_update_days, now)

    def export_crl(
        self,
        passphrase: Passphrase,
        *,
        refresh: bool = False,
        next_update_days: int = DEFAULT_NEXT_UPDATE_DAYS,
        now: datetime | None = None,
    ) -> bytes:
        """The signed revocation-list file (same rules as :meth:`export_trustlist`)."""
        return self._export("crl", passphrase, refresh, next_update_days, now)
