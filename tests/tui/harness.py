"""A tiny App that hosts one screen for tests, and the worlds those tests run in.

``HarnessApp`` offers what the screens rely on from the real app, the protocol
``inspector.tui.protocols.AppServices``: ``app.session``, ``app.key_state_signal`` and
``await app.ensure_unlocked()`` (here the session's key, unlocked beforehand; ``None`` when
the session is locked, as if the auditor cancelled the unlock modal).

``build_world`` makes a real data directory with ``inspector.demo.create_demo`` (HQ, enrolled
auditor key, installed trust list and revocation list). ``deterministic=True`` builds it with
fixed times, keys and random bytes, so snapshots of screens that show ids, keys and dates are
the same on every run; the screens themselves are unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.signal import Signal

from inspector.crypto.signing import SigningKey
from inspector.paths import DataDir
from inspector.services.demo import (
    DEMO_AUDITOR_ID,
    DEMO_AUDITOR_NAME,
    DEMO_PASSPHRASE,
    create_demo,
)
from inspector.tui.session import Session

MINI_CHECKLIST = Path(__file__).resolve().parent.parent / "data" / "mini-checklist.toml"
STATION = "GBN-S39"
STATION_EN = "Kotwali Sector 39"
STATION_HI = "कोतवाली सेक्टर 39"

# A fixed moment for deterministic worlds, and when they are verified.
FIXED_NOW = datetime(2025, 6, 20, 5, 30, 0, tzinfo=UTC)
VERIFY_AT = FIXED_NOW + timedelta(days=1)

# item -> (status, note, due, reason): one minor (85%), certifiable once its corrective-action
# plan is recorded (``new_audit(..., planned=CERTIFY_PLANNED)``)
CERTIFY_ANSWERS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "MAL-01": ("conform", "five entries traced to sealed parcels", None, None),
    "MAL-02": ("conform", None, None, None),
    "MAL-03": ("minor", "two disposal orders of March not acted on", "2099-03-31", None),
    "WHD-01": ("conform", "महिला उप-निरीक्षक तैनात", None, None),
    "WHD-02": ("observation", "register legible; index missing", None, None),
}

CERTIFY_PLANNED = ("MAL-03",)

# Two minors (without plans) and an observation: 78%, corrective action pending
CORRECTIVE_ANSWERS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "MAL-01": ("conform", None, None, None),
    "MAL-02": ("observation", "key register kept but not countersigned", None, None),
    "MAL-03": ("minor", "two disposal orders of March not acted on", "2099-03-31", None),
    "WHD-01": ("conform", "महिला उप-निरीक्षक तैनात", None, None),
    "WHD-02": ("minor", "हेल्प डेस्क रजिस्टर में तीन प्रविष्टियाँ अधूरी", "2099-04-30", None),
}


class HarnessApp(App[None]):
    """Hosts the screen ``make_screen`` builds, over a session with the key already unlocked."""

    TITLE = "Station Inspector"

    def __init__(self, session: Session, make_screen: Callable[[], Screen[Any]], *, theme: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.make_screen = make_screen
        self.unlock_requests = 0
        self.key_state_signal: Signal[bool] = Signal(self, "key-state")
        self.language_signal: Signal[str] = Signal(self, "language")
        if theme is not None:
            self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())

    async def ensure_unlocked(self) -> SigningKey | None:
        self.unlock_requests += 1
        return self.session.key

    def set_language(self, lang: str) -> None:
        if lang in ("en", "hi") and lang != self.session.lang:
            self.session.lang = lang
            self.language_signal.publish(lang)


@dataclass
class World:
    data: DataDir
    key: SigningKey

    def session(self, unlocked: bool = True) -> Session:
        session = Session(self.data, demo_passphrase=DEMO_PASSPHRASE)
        session.key = self.key if unlocked else None
        return session

    def new_audit(
        self,
        answers: dict[str, tuple[str, str | None, str | None, str | None]] | None = None,
        *,
        close: bool = False,
        checklist: Path = MINI_CHECKLIST,
        planned: tuple[str, ...] = (),
    ) -> str:
        """A new audit of GBN-S39 with ``answers`` recorded, the station's corrective-action plan
        recorded for each item in ``planned``, then closed (sealed) when ``close``."""
        from inspector.audit.audit import FindingInput
        from inspector.audit.service import AuditService
        from inspector.crypto import canonical

        service = AuditService(self.data)
        summary = service.new_audit(
            station_code=STATION,
            checklist_path=checklist,
            audit_type="certification",
            key=self.key,
            auditor_id=DEMO_AUDITOR_ID,
            auditor_name=DEMO_AUDITOR_NAME,
        )
        if answers or close:
            with service.open(summary.id, writable=True, key=self.key) as audit:
                if answers:
                    audit.record_many(
                        [
                            FindingInput(item, status, note, (), due, reason)
                            for item, (status, note, due, reason) in answers.items()
                        ]
                    )
                for item in planned:
                    audit.respond(
                        item,
                        correction="orders acted on",
                        root_cause="no one tracked the orders",
                        action="a monthly review of disposal orders",
                        owner="Ravi Kumar, SI",
                        due=(canonical.utcnow() + timedelta(days=60)).date().isoformat(),
                    )
                if close:
                    audit.close()
        return summary.id

    def issue(self, audit_id: str, now: datetime | None = None, *, grant: bool = True) -> Any:
        """Issue the audit's certificate; with ``grant`` HQ (the demo's, in the same data
        directory) imports the audit, a reviewer grants it and the status list is installed,
        so verifiers show VALID."""
        from inspector.certificates.issue import issue_certificate

        issued = issue_certificate(self.data, audit_id, self.key, now=now)
        if grant:
            self.grant(audit_id, now=now)
        return issued

    def grant(self, audit_id: str, now: datetime | None = None) -> None:
        import tempfile

        from inspector.audit.service import AuditService
        from inspector.bundle.export import export_audit
        from inspector.hq.decisions import decide, export_status
        from inspector.hq.intake import import_bundle
        from inspector.trust.store import TrustStore

        store = TrustStore(self.data.root)
        with tempfile.TemporaryDirectory() as folder, _clock_at(now):
            bundle = Path(folder) / "audit.zip"
            export_audit(AuditService(self.data), audit_id, bundle, store.trustlist_bytes())
            import_bundle(self.data, bundle)
        decide(
            self.data,
            audit_id,
            "grant",
            reviewer_id="TC-01",
            reviewer_name="Technical Committee",
            note="reviewed",
            passphrase=DEMO_PASSPHRASE,
            now=now,
        )
        store.install_status(export_status(self.data, DEMO_PASSPHRASE, now=now))


@contextlib.contextmanager
def _clock_at(now: datetime | None) -> Iterator[None]:
    """HQ acts a little after the certificate was issued at ``now`` (not before: it would be
    refused as issued in the future): every core clock reads ``now`` + 5 minutes meanwhile."""
    if now is None:
        yield
        return
    import sys

    later = now + timedelta(minutes=5)
    clocked = [m for name, m in sorted(sys.modules.items()) if name.startswith("inspector.") and hasattr(m, "utcnow")]
    with pytest.MonkeyPatch.context() as patch:
        for module in clocked:
            patch.setattr(module, "utcnow", lambda: later)
        yield


def build_world(root: Path) -> World:
    """A demo world at ``root`` with the auditor's key unlocked."""
    from inspector.crypto.keystore import unlock

    world = create_demo(root)
    return World(world.data, unlock(world.data.auditor_key, DEMO_PASSPHRASE))


@contextlib.contextmanager
def deterministic(now: datetime = FIXED_NOW) -> Iterator[None]:
    """Fixed clock, keys and random bytes for everything the core does inside the block.

    Only for building test worlds: it replaces ``os.urandom`` process-wide while it lasts.
    """
    import os
    import sys

    # Every core module that reads the clock imports ``utcnow`` by name: patch it in each.
    import inspector.certificates.issue
    import inspector.hq.decisions
    import inspector.hq.enrolment
    import inspector.trust.store  # noqa: F401

    clocked = [m for name, m in sorted(sys.modules.items()) if name.startswith("inspector.") and hasattr(m, "utcnow")]

    counter = itertools.count()

    def fixed_bytes(size: int) -> bytes:
        out = b""
        while len(out) < size:
            out += hashlib.sha256(b"inspector-tui-tests/%d" % next(counter)).digest()
        return out[:size]

    def fixed_key(cls: type[SigningKey]) -> SigningKey:
        return cls.from_raw(fixed_bytes(32))

    with pytest.MonkeyPatch.context() as patch:
        for module in clocked:
            patch.setattr(module, "utcnow", lambda: now)
        patch.setattr(SigningKey, "generate", classmethod(fixed_key))
        patch.setattr(os, "urandom", fixed_bytes)
        yield


def build_deterministic_world(root: Path) -> World:
    """``build_world`` with fixed times, keys and ids: the same bytes on every run."""
    with deterministic():
        return build_world(root)


async def settle(pilot: Any, rounds: int = 50) -> None:
    """Wait until no worker is running and the messages they posted are handled."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            if not any(worker.is_running for worker in app.workers):
                return
    raise AssertionError("workers still running after settling")


def screen_text(app: App[Any]) -> str:
    """The current screen as plain text, one line per terminal row (what export_screenshot draws)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def plain(renderable: Any, width: int = 200) -> str:
    """What ``renderable`` (a Static's content: Text, Table, Content) shows, as plain text, laid
    out ``width`` columns wide (wide enough that a line the test looks for stays one line)."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())  # type: ignore[attr-defined]


def text_of(app: App[Any], selector: str) -> str:
    """The plain text of the Static ``selector`` on the app's current screen."""
    from textual.widgets import Static

    return plain(app.screen.query_one(selector, Static).content)
