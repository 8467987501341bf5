"""Opening an audit from its checkpoint gives the audit a full replay gives, and ``audit verify``
still reads and checks every record.

A writable session leaves a checkpoint of the audit's state beside its store when it closes; the
next open parses only the records that state is made of. Everything an open audit answers
(latest findings, history, score, decision, the envelopes export copies, the next record's
link) must be what the whole chain says, and a record altered behind the checkpoint's back must
still be caught by ``audit verify``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector.audit.chain import RecordList
from inspector.audit.verify import verify_local
from inspector.store.checkpoint import checkpoint_path
from tests.helpers import MINI_ANSWERS, audit_store


def _revise(service: Any, audit_id: str, key: Any, rounds: int) -> None:
    photo = service.data.root / "minor-evidence.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 the register page")
    with service.open(audit_id, key=key) as audit:
        for n in range(rounds):
            for item, (status, note, reason) in MINI_ANSWERS.items():
                audit.record(
                    item,
                    status,
                    note=f"{note or 'checked'} #{n}",
                    evidence=[photo] if status == "minor" else [],
                    reason=reason,
                    due="2099-03-31" if status == "minor" else None,
                )


def _view(audit: Any) -> dict[str, Any]:
    """Everything an open audit answers, in comparable form."""
    return {
        "latest": audit.latest(),
        "history": {item: audit.history(item) for item in audit.checklist.items},
        "score": audit.score(),
        "decision": audit.decision().code,
        "root": audit.findings_root(),
        "head": (audit.state.head, audit.state.seq, audit.state.last_time),
        "evidence": sorted(audit.state.evidence()),
        "warnings": audit.clock_warnings(),
        "envelopes": [e.model_dump() for e in audit.envelopes],
        "summary": audit.summary().model_dump(exclude={"cursor"}),
    }


def _full_view(service: Any, audit_id: str) -> dict[str, Any]:
    """The same, from a full replay (the checkpoint moved out of the way and back)."""
    ckpt = checkpoint_path(audit_store(service, audit_id))
    saved = ckpt.read_bytes()
    ckpt.unlink()
    try:
        with service.open(audit_id, writable=False) as audit:
            assert not isinstance(audit.envelopes, RecordList)
            return _view(audit)
    finally:
        ckpt.write_bytes(saved)


def test_an_audit_opened_from_its_checkpoint_is_the_audit_a_full_replay_gives(
    audit_service: Any, open_audit: str, auditor_key: Any
) -> None:
    _revise(audit_service, open_audit, auditor_key, 4)
    assert checkpoint_path(audit_store(audit_service, open_audit)).is_file()
    with audit_service.open(open_audit, writable=False) as audit:
        assert isinstance(audit.envelopes, RecordList), "opened from the checkpoint"
        assert len(audit.envelopes) == 21 and audit.envelopes[-1] == audit.envelopes[20]
        revisions = {item: f.revision for item, f in audit.latest().items()}
        assert revisions == dict.fromkeys(MINI_ANSWERS, 4)
        from_checkpoint = _view(audit)
    assert from_checkpoint == _full_view(audit_service, open_audit)


def test_recording_after_a_checkpoint_continues_the_chain_exactly(
    audit_service: Any, open_audit: str, auditor_key: Any, tmp_path: Path
) -> None:
    _revise(audit_service, open_audit, auditor_key, 2)
    photo = tmp_path / "register.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    with audit_service.open(open_audit, key=auditor_key) as audit:
        assert isinstance(audit.envelopes, RecordList)
        audit.attach("MAL-02", [photo])
        assert [f.revision for f in audit.history("MAL-02")] == [1, 2, 3]  # read from the store
        audit.record("WHD-01", "conform", note="again")
        audit.close()
    with audit_service.open(open_audit, writable=False) as audit:
        assert audit.is_closed and audit.seal() is not None
        assert audit.latest()["MAL-02"].evidence and audit.latest()["WHD-01"].revision == 3
        from_checkpoint = _view(audit)
    assert from_checkpoint == _full_view(audit_service, open_audit)
    report = verify_local(audit_service, open_audit, None)
    assert report.ok, report.problems


def test_a_checkpoint_that_no_longer_fits_is_not_used(audit_service: Any, open_audit: str, auditor_key: Any) -> None:
    _revise(audit_service, open_audit, auditor_key, 2)
    store = audit_store(audit_service, open_audit)
    with audit_service.open(open_audit, key=auditor_key) as audit:  # moves the store on
        audit.record("MAL-02", "conform")
    stale = checkpoint_path(store).read_bytes()
    with audit_service.open(open_audit, key=auditor_key) as audit:
        audit.record("MAL-02", "conform", note="later")
    # An older checkpoint still describes a prefix of the journal: the tail is replayed.
    checkpoint_path(store).write_bytes(stale)
    with audit_service.open(open_audit, writable=False) as audit:
        assert audit.latest()["MAL-02"].note == "later" and audit.state.seq == 13
    # A checkpoint of another audit is refused by the audit check and replayed in full.
    other = audit_service.new_audit(
        "GBN-S39", audit_service_checklist(audit_service, open_audit), "certification", auditor_key, "AUD-017"
    )
    _revise(audit_service, other.id, auditor_key, 1)
    checkpoint_path(store).write_bytes(checkpoint_path(audit_store(audit_service, other.id)).read_bytes())
    with audit_service.open(open_audit, writable=False) as audit:
        assert not isinstance(audit.envelopes, RecordList) and audit.state.seq == 13


def audit_service_checklist(service: Any, audit_id: str) -> Path:
    return Path(service.data.audit_dir(audit_id)) / "checklist.toml"


def test_a_record_altered_behind_the_checkpoint_is_still_caught_by_verify(
    audit_service: Any, open_audit: str, auditor_key: Any
) -> None:
    """The journal's checksums are no secret: someone rewrites a line in the middle, keeping
    its frame valid. Opening trusts the checkpoint; ``audit verify`` reads every record."""
    from inspector.store.journal import _frame

    _revise(audit_service, open_audit, auditor_key, 30)  # the altered line lies before the checked tail
    store = audit_store(audit_service, open_audit)
    lines = store.read_bytes().split(b"\n")
    payload = lines[3][17:]
    assert b"#0" in payload
    lines[3] = _frame(payload.replace(b"#0", b"#9"))[:-1]
    store.write_bytes(b"\n".join(lines))
    with audit_service.open(open_audit, writable=False) as audit:
        assert isinstance(audit.envelopes, RecordList)
    report = verify_local(audit_service, open_audit, None)
    assert not report.ok and any("bad signature" in p for p in report.problems), report.problems
