"""``inspector demo`` says how to reopen its data, reopens its own folder, refuses any other."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

Cli = Callable[..., tuple[int, str, str]]


def _reopen_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith("open this demo again with: ")]
    assert len(lines) == 1, out
    return lines[0].removeprefix("open this demo again with: ")


def test_demo_prints_the_exact_command_that_reopens_its_data(run_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "my demo"  # a space: the printed command must quote it
    code, out, _ = run_cli("--data-dir", folder, "demo", "--no-tui")
    assert code == 0
    command = shlex.split(_reopen_line(out))
    assert command == ["inspector", "demo", "--data-dir", str(folder)]


def test_demo_on_its_own_folder_reopens_it_and_keeps_its_audits(run_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    code, out, _ = run_cli("--data-dir", folder, "demo", "--no-tui")
    assert code == 0
    key_before = (folder / "keys" / "auditor.key").read_bytes()
    (folder / "audits").mkdir(exist_ok=True)
    (folder / "audits" / "kept.txt").write_text("an auditor's work")

    code, out, err = run_cli(*shlex.split(_reopen_line(out))[1:], "--no-tui")

    assert code == 0, err
    assert out.startswith(f"reopening the demo in {folder}")
    assert (folder / "keys" / "auditor.key").read_bytes() == key_before  # not set up again
    assert (folder / "audits" / "kept.txt").read_text() == "an auditor's work"
    assert "auditor Sunita Devi (AUD-GBN-017) enrolled with key" in out


def test_demo_refuses_a_non_empty_folder_that_is_not_a_demo_and_writes_nothing(run_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "real-data"
    folder.mkdir()
    (folder / "config.toml").write_text("[tui]\n")
    code, out, err = run_cli("--data-dir", folder, "demo", "--no-tui")
    assert code == 2
    assert err.count("\n") == 1 and str(folder) in err and "not a demo directory" in err
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]


def test_a_damaged_demo_marker_is_not_taken_for_a_demo(run_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert run_cli("--data-dir", folder, "demo", "--no-tui")[0] == 0
    (folder / "demo.json").write_text("{not json")
    code, _, err = run_cli("--data-dir", folder, "demo", "--no-tui")
    assert code == 2 and "not a demo directory" in err


def test_the_reopen_command_works_from_any_folder(run_cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("--data-dir", "relative-demo", "demo", "--no-tui")
    assert code == 0
    assert shlex.split(_reopen_line(out))[-1] == str(tmp_path / "relative-demo")
