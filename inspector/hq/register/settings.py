"""Which register an HQ command works on, and where HQ's files are.

The database is chosen, first match wins, by ``--database URL`` (the CLI sets it for the command
with :func:`chosen_database`), ``INSPECTOR_HQ_DATABASE``, or ``database`` under ``[hq]`` in the
data directory's ``config.toml``; none of them (or the word ``tinydb``) means the embedded TinyDB
register in the data directory. A URL is a libpq connection URI,
``postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?options=-csearch_path%3DSCHEMA]``.

HQ's file store (archived bundles, certificate records, evidence) is ``hq/files`` in the data
directory unless ``INSPECTOR_HQ_FILES`` or ``[hq] files`` names another folder: several HQ
machines sharing one PostgreSQL register must see the same file store.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from inspector.errors import UserError
from inspector.paths import DataDir

ENV_DATABASE = "INSPECTOR_HQ_DATABASE"
ENV_FILES = "INSPECTOR_HQ_FILES"
EMBEDDED = "tinydb"

_chosen: ContextVar[str | None] = ContextVar("inspector_hq_database", default=None)
_PASSWORD = re.compile(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@")


@contextmanager
def chosen_database(url: str | None) -> Iterator[None]:
    """Within the block, ``url`` (when given) overrides the environment and ``config.toml``."""
    token = _chosen.set(url)
    try:
        yield
    finally:
        _chosen.reset(token)


def redact(url: str) -> str:
    """The URL as it may be printed: any password replaced by ``***``."""
    return _PASSWORD.sub(r"\1:***@", url)


def _config(data: DataDir) -> dict[str, Any]:
    if not data.config.is_file():
        return {}
    try:
        config = tomllib.loads(data.config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{data.config}: unreadable ({exc})", code="bad-config") from None
    section = config.get("hq", {})
    if not isinstance(section, dict):
        raise UserError(f"{data.config}: [hq] is not a table", code="bad-config")
    return section


def database_url(data: DataDir, explicit: str | None = None) -> str | None:
    """The PostgreSQL URL of the register, or None for the embedded TinyDB register."""
    candidates: list[tuple[Any, str]] = [
        (explicit, "the database URL"),
        (_chosen.get(), "the database URL"),
        (os.environ.get(ENV_DATABASE), f"${ENV_DATABASE}"),
    ]
    for value, where in candidates:
        if value is not None and str(value).strip():
            return _check_url(str(value).strip(), where)
    value = _config(data).get("database")
    if value is None:
        return None
    if not isinstance(value, str):
        raise UserError(f"{data.config}: [hq] database is not a string", code="bad-config")
    return _check_url(value.strip(), f"{data.config} [hq] database") if value.strip() else None


def _check_url(url: str, where: str) -> str | None:
    if url == EMBEDDED:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise UserError(
            f"{where} {redact(url)[:80]!r} is not a PostgreSQL URL (postgresql://USER@HOST:PORT/DBNAME) "
            f"or {EMBEDDED!r}",
            code="bad-database",
            field="database",
        )
    if any(c in url for c in "\n\r\x00"):
        raise UserError(f"{where}: the URL contains a control character", code="bad-database", field="database")
    return url


def files_dir(data: DataDir) -> Path:
    """The root of HQ's content-addressed file store."""
    env = os.environ.get(ENV_FILES)
    if env and env.strip():
        return Path(env.strip()).expanduser()
    value = _config(data).get("files")
    if isinstance(value, str) and value.strip():
        path = Path(value.strip()).expanduser()
        return path if path.is_absolute() else data.root / path
    if value is not None and not isinstance(value, str):
        raise UserError(f"{data.config}: [hq] files is not a string", code="bad-config")
    return data.hq_files
