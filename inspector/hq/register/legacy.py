"""Bringing a first-release HQ data directory to the file store (``inspector hq db upgrade``).

The first release kept ``hq/bundles/<audit id>.zip`` and ``hq/certificates/<cert id>.json`` in
two flat folders and registered no findings. Until upgraded, such a directory keeps working
(every reader looks in both places); the upgrade moves each file into the file store after
checking it against the hash the register holds, rewrites the audit's row (and registers its
findings from the bundle) and only then removes the old file, so it can be interrupted at any
point and run again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.bundle.reader import BundleReader
from inspector.errors import UserError
from inspector.hq.register import derive
from inspector.hq.register.files import hash_file, store_key
from inspector.hq.register.models import AuditChange, HistoryEntry

if TYPE_CHECKING:
    from inspector.hq.register.tiny import TinyRegister


def upgrade_tiny(register: TinyRegister) -> list[str]:
    audits, certificates = register._legacy()
    data = register.data
    moved_bundles = moved_certs = 0
    for row in audits:
        path = data.hq_bundles / row.bundle
        if not path.is_file():
            raise UserError(
                f"audit {row.id}: its archived bundle {path} is missing; nothing more was moved (see 'inspector hq fsck')",
                code="file-missing",
            )
        sha, _ = hash_file(path)
        if sha != row.bundle_sha256:
            raise UserError(
                f"{path}: its content is not the bundle registered for audit {row.id} "
                f"(sha256 {sha[:16]}…, registered {row.bundle_sha256[:16]}…); left in place",
                code="file-damaged",
            )
        with BundleReader(path) as reader, register.files.staging() as staging:
            derived = derive.derive(reader)
            derive.stage_bundle(staging, reader, path, sha)
            with register.transaction(row.id) as tx:
                held = tx.audit(row.id)
                if held is None or not held.legacy_bundle:
                    continue
                staging.commit()
                history = held.history or [
                    HistoryEntry(imported=held.imported, records=held.records, bundle_sha256=sha, status="imported")
                ]
                changed = held.model_copy(
                    update={
                        "bundle": store_key(sha),
                        "head": derived.digests[-1] if derived.digests else None,
                        "history": history,
                        "answered": derived.answered,
                        "na": derived.na,
                    }
                )
                tx.write(AuditChange(changed, [], derived.findings, derived.evidence, derived.checklist))
        path.unlink()
        moved_bundles += 1
    for cert in certificates:
        path = data.hq_certificates / f"{cert.id}.json"
        sha, _ = hash_file(path)
        if sha != cert.record_sha256:
            raise UserError(
                f"{path}: its content is not the certificate record registered as {cert.id}; left in place",
                code="file-damaged",
            )
        with register.files.staging() as staging:
            staging.add_file(path, sha, str(path))
            staging.commit()
        path.unlink()
        moved_certs += 1
    for folder in (data.hq_bundles, data.hq_certificates):
        try:
            folder.rmdir()  # only when emptied: anything else in it stays for fsck to name
        except OSError:
            pass
    done = []
    if moved_bundles:
        done.append(f"moved {moved_bundles} archived bundle(s) into the file store and registered their findings")
    if moved_certs:
        done.append(f"moved {moved_certs} certificate record(s) into the file store")
    return done
