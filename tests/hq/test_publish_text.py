"""``publish-verifier`` refuses to publish text the phone page could not read as Python does:
an unassigned code point (newer than this Python's Unicode) normalises differently in a newer
browser, and the page would then refuse the whole list."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from inspector.errors import UserError
from inspector.hq.enrolment import HQ
from inspector.hq.publish import verifier_config
from inspector.paths import DataDir
from tests.helpers import PASSPHRASE


def _registry(name_en: str) -> SimpleNamespace:
    station = SimpleNamespace(code="GBN-S39", name=SimpleNamespace(en=name_en, hi="थाना सेक्टर 39"))
    return SimpleNamespace(stations=[station])


def test_a_station_name_with_an_unassigned_code_point_is_refused(hq_env: DataDir) -> None:
    hq = HQ(hq_env.root)
    trustlist = hq.export_trustlist(PASSPHRASE)
    unassigned = "\U000e0080"  # no character here in any Unicode version Python 3.11 knows
    with pytest.raises(UserError, match="phone page cannot read") as caught:
        verifier_config(trustlist, None, [hq.root_public()], None, stations=_registry("Sector 39 " + unassigned))
    assert "GBN-S39" in str(caught.value)


def test_ordinary_hindi_and_english_names_publish(hq_env: DataDir) -> None:
    hq = HQ(hq_env.root)
    config = verifier_config(
        hq.export_trustlist(PASSPHRASE), None, [hq.root_public()], None, stations=_registry("Police Station Sector 39")
    )
    assert config["stations"]["GBN-S39"]["hi"] == "थाना सेक्टर 39"
