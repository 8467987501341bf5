"""HQ's register of imported audits and certificates, on TinyDB or PostgreSQL.

``open_register(data)`` gives the register an HQ command works on (see ``settings`` for how it
is chosen); both backends implement :class:`~inspector.hq.register.base.Register`, so every
command is written once. Modules: ``models`` (what is kept), ``base`` (the interface),
``tiny`` and ``postgres`` (the backends), ``files`` (the content-addressed file store),
``derive`` (what a verified bundle contributes), ``legacy`` (first-release data directories),
``fsck``, ``stats``, ``report``.
"""

from __future__ import annotations

from inspector.hq.register.base import Register, RegisterConflict, SchemaStatus
from inspector.hq.register.files import FileStore
from inspector.hq.register.settings import chosen_database, database_url, files_dir
from inspector.paths import DataDir


def open_register(data: DataDir, database: str | None = None, *, check_schema: bool = True) -> Register:
    """The register of ``data``'s HQ: PostgreSQL when a database URL is configured, else the
    embedded TinyDB register. ``check_schema=False`` only for ``hq db upgrade``."""
    url = database_url(data, database)
    files = FileStore(files_dir(data))
    if url is None:
        from inspector.hq.register.tiny import TinyRegister

        return TinyRegister(data, files)
    from inspector.hq.register.postgres import PgRegister  # psycopg only when it is used

    return PgRegister(url, files, check_schema=check_schema)


__all__ = [
    "FileStore",
    "Register",
    "RegisterConflict",
    "SchemaStatus",
    "chosen_database",
    "database_url",
    "files_dir",
    "open_register",
]
