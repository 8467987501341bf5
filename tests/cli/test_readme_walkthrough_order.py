"""The README's walkthrough issues the certificate before it exports the bundle, and says why:
HQ can grant only a certificate a bundle brought it (tests/test_readme.py runs the walkthrough)."""

from __future__ import annotations

from tests.test_readme import _walkthrough


def test_the_walkthrough_issues_the_certificate_before_exporting_the_bundle() -> None:
    lines = [line.strip() for line in _walkthrough().splitlines()]
    issue = next(i for i, line in enumerate(lines) if line.startswith("inspector cert issue"))
    export = next(i for i, line in enumerate(lines) if line.startswith("inspector audit export"))
    imported = next(i for i, line in enumerate(lines) if line.startswith("inspector hq import"))
    assert issue < export < imported
    why = " ".join(line for line in lines[:issue] if line.startswith("#"))
    assert "Issue first, then export: the bundle carries the certificate record to HQ" in why
