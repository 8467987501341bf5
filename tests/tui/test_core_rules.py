"""The rules the app's screens show, tested in the core without Textual.

``inspector.services.auditor_key`` (first run), ``inspector.services.scan`` (verify screen and
``inspector verify``) and ``inspector.audit.views`` (summary screen). Nothing here imports
Textual or this folder's harness; ``tests/test_layering.py`` checks the modules never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inspector.audit.audit import FindingInput
from inspector.audit.service import AuditService
from inspector.audit.views import load_view, unanswered_message
from inspector.certificates.issue import issue_certificate
from inspector.crypto.keystore import read_key_info, unlock
from inspector.crypto.signing import PublicKey, SigningKey
from inspector.errors import UserError
from inspector.paths import DataDir
from inspector.services.auditor_key import (
    MIN_PASSPHRASE,
    check_new_key,
    create_auditor_key,
    public_pem_path,
)
from inspector.services.demo import DEMO_AUDITOR_ID, DEMO_AUDITOR_NAME, DEMO_PASSPHRASE, create_demo
from inspector.services.scan import check_scan, installed_lists, registry_names

MINI_CHECKLIST = Path(__file__).resolve().parent.parent / "data" / "mini-checklist.toml"
STATION, STATION_EN, STATION_HI = "GBN-S39", "Kotwali Sector 39", "कोतवाली सेक्टर 39"
Answers = dict[str, tuple[str, str | None, str | None, str | None]]
CERTIFY: Answers = {
    "MAL-01": ("conform", "five entries traced", None, None),
    "MAL-02": ("conform", None, None, None),
    "MAL-03": ("minor", "two disposal orders not acted on", "2099-03-31", None),
    "WHD-01": ("conform", None, None, None),
    "WHD-02": ("observation", "index missing", None, None),
}
CORRECTIVE: Answers = {**CERTIFY, "WHD-02": ("minor", "three entries incomplete", "2099-04-30", None)}


@dataclass
class Demo:
    data: DataDir
    key: SigningKey

    def audit(
        self, answers: Answers, *, close: bool = False, audit_type: str = "certification", planned: tuple[str, ...] = ()
    ) -> str:
        """A new audit with ``answers``, a corrective-action plan for each item in ``planned``."""
        service = AuditService(self.data)
        summary = service.new_audit(STATION, MINI_CHECKLIST, audit_type, self.key, DEMO_AUDITOR_ID, DEMO_AUDITOR_NAME)
        with service.open(summary.id, writable=True, key=self.key) as audit:
            audit.record_many([FindingInput(i, s, n, (), d, r) for i, (s, n, d, r) in answers.items()])
            for item in planned:
                audit.respond(
                    item,
                    correction="orders acted on",
                    root_cause="nobody tracked them",
                    action="a monthly review",
                    owner="Ravi Kumar, SI",
                    due=(datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                )
            if close:
                audit.close()
        return summary.id


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    world = create_demo(tmp_path_factory.mktemp("core-rules") / "d")
    return Demo(world.data, unlock(world.data.auditor_key, DEMO_PASSPHRASE))


# -- the auditor's first key ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "auditor_id", "passphrase", "repeated", "field", "code", "words"),
    [
        ("", "AUD-1", "long enough", "long enough", "name", "missing-name", "type your name"),
        ("Asha", "  ", "long enough", "long enough", "auditor_id", "missing-auditor-id", "type your auditor id"),
        ("Asha", "AUD 1", "long enough", "long enough", "auditor_id", "bad-input", "is not a valid id"),
        ("Asha", "AUD-1", "short", "short", "passphrase", "passphrase-too-short", f"at least {MIN_PASSPHRASE}"),
        ("Asha", "AUD-1", "long enough", "long enougH", "passphrase", "passphrases-differ", "differ"),
    ],
)
def test_new_key_input_is_refused_with_the_field_at_fault(
    name: str, auditor_id: str, passphrase: str, repeated: str, field: str, code: str, words: str
) -> None:
    with pytest.raises(UserError) as caught:
        check_new_key(name, auditor_id, passphrase, repeated)
    assert (caught.value.field, caught.value.code) == (field, code)
    assert words in str(caught.value)


def test_new_key_input_is_normalised() -> None:
    assert check_new_key("  Asha Verma ", " AUD-GBN-042 ", "x" * MIN_PASSPHRASE, "x" * MIN_PASSPHRASE) == (
        "Asha Verma",
        "AUD-GBN-042",
    )


def test_create_auditor_key_writes_the_key_and_its_public_pem(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "fresh")
    created = create_auditor_key(data, "Asha Verma", "AUD-GBN-042", "long passphrase")
    assert created.pem_path == public_pem_path(data) == data.root / "keys" / "auditor-public.pem"
    info = read_key_info(data.auditor_key)
    assert (info.name, info.auditor_id, info.kid) == ("Asha Verma", "AUD-GBN-042", created.info.kid)
    assert PublicKey.from_pem(created.pem_path.read_bytes()).kid_hex == info.kid
    assert unlock(data.auditor_key, "long passphrase").public.kid_hex == info.kid
    with pytest.raises(UserError):  # never overwritten
        create_auditor_key(data, "Someone Else", "AUD-GBN-043", "long passphrase")
    assert read_key_info(data.auditor_key).kid == info.kid


def test_create_auditor_key_applies_the_policy_before_touching_the_disk(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "fresh")
    with pytest.raises(UserError) as caught:
        create_auditor_key(data, "Asha Verma", "AUD-GBN-042", "short")
    assert caught.value.field == "passphrase"
    assert not data.root.exists()


# -- a scanned certificate ---------------------------------------------------------------------------


def _granted(demo: Demo, audit_id: str) -> None:
    """HQ (the demo's, in the same data directory) imports the audit, a reviewer who did not audit
    it grants the certificate, and the laptop installs the status list that says so."""
    import tempfile

    from inspector.bundle.export import export_audit
    from inspector.hq.decisions import decide, export_status
    from inspector.hq.intake import import_bundle
    from inspector.trust.store import TrustStore

    store = TrustStore(demo.data.root)
    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "audit.zip"
        export_audit(AuditService(demo.data), audit_id, bundle, store.trustlist_bytes())
        import_bundle(demo.data, bundle)
    decide(demo.data, audit_id, "grant", reviewer_id="TC-01", reviewer_name="Technical Committee",
           note="reviewed", passphrase=DEMO_PASSPHRASE)  # fmt: skip
    store.install_status(export_status(demo.data, DEMO_PASSPHRASE))


@pytest.fixture(scope="module")
def payload(demo: Demo) -> str:
    audit_id = demo.audit(CERTIFY, close=True, planned=("MAL-03",))
    issued = issue_certificate(demo.data, audit_id, demo.key)
    _granted(demo, audit_id)
    return issued.qr_text


def test_a_genuine_scan_names_the_station_from_the_registry(demo: Demo, payload: str) -> None:
    scanned = check_scan(demo.data, payload)
    assert scanned.verdict.valid
    assert (scanned.station_en, scanned.station_hi) == (STATION_EN, STATION_HI)
    assert scanned.station_label == "Station"
    assert scanned.station_name  # the certificate's own name, else the registry's
    assert registry_names(demo.data, scanned.verdict) == (STATION_EN, STATION_HI)


def test_an_expired_certificate_names_the_station_only_as_claimed(demo: Demo, payload: str) -> None:
    scanned = check_scan(demo.data, payload, datetime.now(UTC) + timedelta(days=3 * 366))
    assert not scanned.verdict.valid and "expired" in scanned.verdict.reasons
    assert scanned.station_label == "Station (as claimed)"
    assert (scanned.station_en, scanned.station_hi) == (STATION_EN, STATION_HI)


def test_a_forged_scan_claims_nothing(demo: Demo, payload: str) -> None:
    middle = len(payload) // 2
    forged = payload[:middle] + ("B" if payload[middle] == "A" else "A") + payload[middle + 1 :]
    scanned = check_scan(demo.data, forged)
    assert not scanned.verdict.valid and scanned.verdict.claims is None
    assert (scanned.station_en, scanned.station_hi, scanned.station_name) == (None, None, "")


def test_garbage_has_no_station(demo: Demo) -> None:
    scanned = check_scan(demo.data, "HELLO-WORLD")
    assert not scanned.verdict.valid and scanned.verdict.claims is None
    assert (scanned.station_en, scanned.station_hi, scanned.station_name) == (None, None, "")


def test_the_lists_given_are_the_ones_used(demo: Demo, payload: str) -> None:
    trust, crl, status = installed_lists(demo.data)
    assert trust is not None and crl is not None and status is not None
    assert check_scan(demo.data, payload, lists=(trust, crl, status)).verdict.valid
    assert "not-decided" in check_scan(demo.data, payload, lists=(trust, crl, None)).verdict.reasons
    without = check_scan(demo.data, payload, lists=(None, None, None)).verdict
    assert not without.valid and without.reasons


# -- the summary's read model ---------------------------------------------------------------------


def test_an_open_complete_audit_may_be_closed_but_not_certified(demo: Demo) -> None:
    view = load_view(AuditService(demo.data), demo.audit(CORRECTIVE))
    assert (view.station_code, view.station_en, view.station_hi) == (STATION, STATION_EN, STATION_HI)
    assert not view.closed and view.may_close and view.close_refusal is None
    assert view.score.percent == 78 and [row.item for row in view.nonconformities] == ["MAL-03", "WHD-02"]
    assert view.decision_text == "corrective action pending"
    assert [r.code for r in view.verdict.reasons] == ["minor-no-plan", "minor-no-plan"]
    assert [row.state for row in view.nonconformities] == ["open", "open"]
    assert not view.may_issue
    assert view.issue_refusal == "close the audit first: a certificate is issued from a sealed audit"


def test_unanswered_items_block_closing(demo: Demo) -> None:
    answers = {item: CERTIFY[item] for item in ("MAL-01", "MAL-02", "WHD-01")}
    view = load_view(AuditService(demo.data), demo.audit(answers))
    assert not view.may_close
    assert view.close_refusal == "cannot close the audit: 2 of 5 items unanswered (MAL-03, WHD-02)"
    assert view.close_refusal == unanswered_message(view.score)


def test_a_closed_audit_is_certified_only_when_its_decision_allows(demo: Demo) -> None:
    service = AuditService(demo.data)
    corrective = load_view(service, demo.audit(CORRECTIVE, close=True))
    assert corrective.closed and corrective.findings_root
    assert corrective.close_refusal == "the audit is already closed and sealed"
    assert corrective.issue_refusal is not None
    assert corrective.issue_refusal.startswith("no certificate can be issued: decision is corrective-action-pending (")
    # One minor without an accepted plan is enough to hold the certificate back.
    unplanned = load_view(service, demo.audit(CERTIFY, close=True))
    assert not unplanned.may_issue and unplanned.verdict.code.value == "corrective-action-pending"

    audit_id = demo.audit(CERTIFY, close=True, planned=("MAL-03",))
    certify = load_view(service, audit_id)
    assert certify.may_issue and certify.issue_refusal is None and certify.certificates == []
    issued = issue_certificate(demo.data, audit_id, demo.key)
    assert load_view(service, audit_id).certificates == [issued.record_path]


def test_a_stage1_audit_never_leads_to_a_certificate(demo: Demo) -> None:
    audit_id = demo.audit(CERTIFY, close=True, audit_type="stage1")
    view = load_view(AuditService(demo.data), audit_id)
    assert view.closed and not view.may_issue
    assert view.issue_refusal is not None and "stage 1" in view.issue_refusal
    with pytest.raises(UserError, match="stage 1"):  # the core refuses it too
        issue_certificate(demo.data, audit_id, demo.key)


def test_a_surveillance_audit_never_leads_to_a_certificate(demo: Demo) -> None:
    answers = {item: value for item, value in CERTIFY.items() if item.startswith("MAL")}  # its sample: MAL
    audit_id = demo.audit(answers, close=True, audit_type="surveillance", planned=("MAL-03",))
    view = load_view(AuditService(demo.data), audit_id)
    assert view.sections == ("MAL",) and view.verdict.code.value == "recommend-maintain"
    assert view.issue_refusal is not None and "a surveillance audit never issues a certificate" in view.issue_refusal
    with pytest.raises(UserError, match="surveillance audit never issues a certificate"):
        issue_certificate(demo.data, audit_id, demo.key)
