"""The stored form of a signed JSON record (``Envelope``), apart from the signing core.

Kept out of ``signing`` so that the core imports without pydantic: ``inspector verify
--payload`` checks signatures but never builds an envelope model (issue 16 goal 3).
``signing.Envelope`` still names this class (imported on first use).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from inspector.crypto.canonical import canonical_json
from inspector.crypto.signing import _KID_HEX, Domain, SigningKey, b64decode, b64encode


class Envelope(BaseModel):
    """A signed JSON record as stored: the exact payload text that was signed, kid and signature.

    The payload is kept as the canonical JSON text itself (UTF-8 of it is what was signed), so a
    verifier checks the stored bytes, never a re-serialised model.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kid: str
    payload: str
    sig: str

    @field_validator("kid")
    @classmethod
    def _kid_hex(cls, value: str) -> str:
        if not _KID_HEX.fullmatch(value):
            raise ValueError("kid must be 16 lowercase hex digits")
        return value

    @classmethod
    def from_doc(cls, doc: Any) -> Envelope:
        """``model_validate(doc)``, with the common case decided without pydantic's machinery.

        Verifying an audit builds one envelope per record, so this is on the hot path. A plain
        dict of exactly the three fields, each an exact ``str`` and ``kid`` 16 lowercase hex
        digits, is what strict validation accepts unchanged; anything else (a missing or extra
        field, a subclass, a bad kid) goes through ``model_validate``, which decides and says why.
        """
        if type(doc) is dict and len(doc) == 3:
            kid, payload, sig = doc.get("kid"), doc.get("payload"), doc.get("sig")
            if type(kid) is str and type(payload) is str and type(sig) is str and _KID_HEX.fullmatch(kid):
                return cls.model_construct(kid=kid, payload=payload, sig=sig)
        return cls.model_validate(doc)

    @property
    def payload_bytes(self) -> bytes:
        return self.payload.encode("utf-8")

    def signature(self) -> bytes:
        return b64decode(self.sig, "signature")

    def digest(self) -> str:
        """SHA-256 over the envelope's canonical JSON: what a hash chain links to."""
        return hashlib.sha256(canonical_json(self.model_dump())).hexdigest()


def sign_record(key: SigningKey, domain: Domain, value: Any) -> Envelope:
    payload = canonical_json(value)
    return Envelope(
        kid=key.public.kid_hex,
        payload=payload.decode("utf-8"),
        sig=b64encode(key.sign(domain, payload)),
    )
