"""The register's backends stay apart: only ``hq/register/postgres.py`` talks to PostgreSQL, and
nothing pays for psycopg unless a PostgreSQL register is chosen."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import inspector
from inspector.paths import DataDir

PACKAGE = Path(inspector.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_postgresql_backend_imports_psycopg() -> None:
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "psycopg" in _imports(p))
    assert users == ["hq/register/postgres.py"]


def test_the_embedded_register_does_not_load_psycopg(hq_env: DataDir, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from inspector.cli.main import main\n"
        f"main(['--data-dir', {str(hq_env.root)!r}, 'hq', 'audits', '--json'])\n"
        "print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip().endswith("False"), out.stdout


def test_every_migration_is_numbered_and_shipped() -> None:
    from inspector.hq.register.postgres import migrations

    found = migrations()
    assert [version for version, _, _ in found] == list(range(1, len(found) + 1))
    assert all(text.strip() for _, _, text in found)
