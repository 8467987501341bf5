"""The README's walkthrough runs verbatim (in fresh directories), and shows only real commands."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli.main import build_parser

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _walkthrough() -> str:
    section = README[README.index("## A whole audit from the command line") : README.index("## Command reference")]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


@pytest.mark.slow  # every command of the walkthrough in a child process
def test_walkthrough_runs(tmp_path: Path) -> None:
    script = _walkthrough().replace("/tmp/", f"{tmp_path}/")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "inspector"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m inspector "$@"\n')
    shim.chmod(0o755)
    items = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "inspector",
                "checklist",
                "show",
                str(REPO / "checklists" / "police-station-iso9001.toml"),
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    (tmp_path / "policy-board.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo of the policy board")
    with open(tmp_path / "findings.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "status", "note"])
        for section in items["sections"]:
            if section.get("stage", "stage2") != "stage2":
                continue  # the stage 1 readiness section is not part of a certification audit
            for item in section["items"]:
                if item["id"] != "QMS-03":
                    writer.writerow([item["id"], "conform", "seen on site"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["INSPECTOR_SCRYPT_N"] = str(2**14)  # the same commands, with a cheaper key derivation
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "VALID" in result.stdout and "Kotwali Sector 39 (GBN-S39)" in result.stdout


def test_reference_table_names_only_real_commands() -> None:
    table = README[README.index("## Command reference") : README.index("## File formats")]
    parser = build_parser()
    groups = {action.dest: action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction"}
    commands = next(iter(groups.values())).choices
    for match in re.finditer(r"`inspector ([a-z-]+)(?: ([a-z-]+))?", table):
        group, sub = match.group(1), match.group(2)
        assert group in commands, group
        sub_actions = [a for a in commands[group]._actions if a.__class__.__name__ == "_SubParsersAction"]
        if sub and sub_actions and not sub.startswith("-"):
            assert sub in sub_actions[0].choices, f"inspector {group} {sub}"


def _all_commands() -> list[list[str]]:
    parser = build_parser()
    found: list[list[str]] = []

    def walk(p: object, prefix: list[str]) -> None:
        for action in p._actions:  # type: ignore[attr-defined]
            if action.__class__.__name__ == "_SubParsersAction":
                for name, sub in action.choices.items():
                    found.append(prefix + [name])
                    walk(sub, prefix + [name])

    walk(parser, [])
    return found


def test_every_command_has_help(capsys: object) -> None:
    import pytest

    from inspector.cli.main import main

    commands = _all_commands()
    assert len(commands) > 40
    for words in commands:
        with pytest.raises(SystemExit) as info:
            main([*words, "--help"])
        assert info.value.code == 0, words
