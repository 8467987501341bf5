"""The shared vectors' Python side is the product's: what ``python_verdict`` expects is what
``inspector verify`` (``services.scan.check_scan``) decides. No browser here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from inspector.paths import DataDir
from inspector.services.scan import check_scan

from . import webvectors as W


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    return W.build()


def test_python_verdict_is_what_check_scan_decides(vectors: dict[str, Any], tmp_path: Path) -> None:
    data = DataDir(tmp_path)
    checked = 0
    for vector in vectors["vectors"]:
        loaded = W._load(vectors["contexts"][vector["context"]])
        if isinstance(loaded, dict):
            continue  # an unusable list: the CLI stops before any verdict (exit status 2)
        moment = datetime.fromtimestamp(vector["now"], UTC)
        scanned = check_scan(data, vector["text"], moment, lists=loaded)
        got = W.verdict_summary(scanned.verdict)
        want = {k: v for k, v in vector["expect"].items() if k != "message"}
        assert got == want, vector["id"]
        checked += 1
    assert checked > 300


def test_every_status_list_context_is_loaded_as_the_cli_installs_it(vectors: dict[str, Any]) -> None:
    # The damaged lists are refused by load_status, the one loader `trust install-status` uses too.
    refused = [name for name, ctx in vectors["contexts"].items() if isinstance(W._load(ctx), dict)]
    assert {name for name in refused if name.startswith("status-")} == {
        name for name in vectors["contexts"] if name.startswith("status-") and name not in _ACCEPTED
    }


_ACCEPTED = {
    "status-stale",
    "status-empty",
    "status-no-changes-key",
    "status-lower-dashed-ids",
    "status-superseded-by-newline",
    "status-null-optionals",
}
