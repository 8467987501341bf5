"""The register on PostgreSQL: psycopg 3 and plain SQL, for a state's or the nation's HQ.

The schema is the numbered files in ``migrations/`` (applied by ``inspector hq db upgrade``,
each in one transaction with its row in ``schema_version``); every other command refuses a
database whose schema is older or newer than this program's.

Concurrency: an import takes ``pg_advisory_xact_lock(AUDIT_LOCK, hashtext(audit id))`` as the
first statement of its transaction, so imports of one audit run one after the other (the second
sees what the first registered), while imports of other audits never wait for each other; a
certificate id registered meanwhile by another audit's import is caught by the primary key
(``ON CONFLICT DO NOTHING`` finds it) and the import is retried. Listings stream through
server-side cursors, ``ITERSIZE`` rows at a time, so their memory does not grow with the
register.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any, LiteralString

import psycopg
from psycopg import sql
from psycopg.abc import Query
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb

from inspector.crypto.canonical import now_text
from inspector.errors import UserError
from inspector.hq.register.base import Register, RegisterConflict, SchemaStatus, Transaction
from inspector.hq.register.files import FileStore
from inspector.hq.register.models import (
    AuditChange,
    AuditFilter,
    CertificateFilter,
    ChecklistInfo,
    FileKind,
    FileRef,
    FindingRow,
    RegisteredAudit,
    RegisteredCertificate,
    StationRow,
)
from inspector.hq.register.settings import redact

SCHEMA_LOCK = 7300  # advisory lock classes (int4): schema upgrades, and one lock per audit
AUDIT_LOCK = 7301
ITERSIZE = 2000
MIGRATION_NAME = re.compile(r"^([0-9]{4})_([a-z0-9_]+)\.sql$")

AUDIT_COLUMNS = tuple(RegisteredAudit.model_fields)
CERT_COLUMNS = tuple("audit_id" if name == "audit" else name for name in RegisteredCertificate.model_fields)
STATION_COLUMNS = tuple(StationRow.model_fields)
_JSON_AUDIT = {"warnings", "history"}

Connection = psycopg.Connection[DictRow]


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL text) of every shipped migration, in order."""
    found = []
    for entry in resources.files("inspector.hq.register.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    return found


def connect(url: str) -> Connection:
    try:
        return psycopg.connect(
            url, autocommit=True, row_factory=dict_row, connect_timeout=10, application_name="inspector"
        )
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UserError(
            f"database {redact(url)}: cannot connect ({reason[:300]})", code="database-unreachable", field="database"
        ) from None


class PgRegister(Register):
    backend = "postgresql"

    def __init__(self, url: str, files: FileStore, *, check_schema: bool = True) -> None:
        super().__init__(files)
        self.url = url
        self.conn = connect(url)
        if check_schema:
            status = self.schema()
            if status.current < status.latest:
                self.close()
                raise UserError(
                    f"the register in {redact(url)} is at schema version {status.current}, this inspector needs "
                    f"{status.latest}: run 'inspector hq db upgrade'",
                    code="schema-outdated",
                )
            if status.current > status.latest:
                self.close()
                raise UserError(
                    f"the register in {redact(url)} is at schema version {status.current}, newer than this "
                    f"inspector knows ({status.latest}): install the newer inspector",
                    code="schema-newer",
                )

    def close(self) -> None:
        if not self.conn.closed:
            self.conn.close()

    # -- schema

    def _version(self) -> int:
        row = self.conn.execute("SELECT to_regclass('schema_version') AS t").fetchone()
        if row is None or row["t"] is None:
            return 0
        found = self.conn.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").fetchone()
        return int(found["v"]) if found else 0

    def schema(self) -> SchemaStatus:
        current = self._version()
        known = migrations()
        pending = [f"{version:04d}_{name}" for version, name, _ in known if version > current]
        return SchemaStatus(self.backend, redact(self.url), current, known[-1][0] if known else 0, pending)

    def upgrade(self) -> list[str]:
        done: list[str] = []
        with self.conn.transaction():
            # Two operators upgrading at once: the second waits, then finds nothing to do.
            self.conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (SCHEMA_LOCK,))
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version integer PRIMARY KEY, name text NOT NULL, applied text NOT NULL)"
            )
            current = self._version()
            for version, name, text in migrations():
                if version <= current:
                    continue
                self.conn.execute(text.encode("utf-8"))  # several statements, no parameters
                self.conn.execute(
                    "INSERT INTO schema_version (version, name, applied) VALUES (%s, %s, %s)",
                    (version, name, now_text()),
                )
                done.append(f"applied migration {version:04d}_{name}")
        return done

    # -- reads

    def _stream(self, query: Query, params: Sequence[Any] = ()) -> Iterator[DictRow]:
        with self.conn.transaction(), self.conn.cursor(name=f"inspector_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = ITERSIZE
            cursor.execute(query, params)
            yield from cursor

    def _one(self, query: LiteralString, params: Sequence[Any]) -> DictRow | None:
        return self.conn.execute(query, params).fetchone()

    def audit(self, audit_id: str) -> RegisteredAudit | None:
        row = self._one("SELECT * FROM audits WHERE id = %s", (audit_id,))
        return None if row is None else _audit(row)

    def chain_digests(self, row: RegisteredAudit) -> list[str]:
        return _digests(self.conn, row.id)

    def audits(self, where: AuditFilter) -> Iterator[RegisteredAudit]:
        clauses: list[sql.Composable] = []
        params: list[Any] = []
        if where.stations is not None:
            clauses.append(sql.SQL("station = ANY(%s)"))
            params.append(sorted(where.stations))
        if where.status is not None:
            clauses.append(sql.SQL("decision = %s"))
            params.append(where.status)
        if where.since is not None:
            clauses.append(sql.SQL("closed >= %s"))
            params.append(where.since)
        query = sql.SQL("SELECT {} FROM audits{} ORDER BY closed DESC, id DESC{}").format(
            _columns(AUDIT_COLUMNS), _where(clauses), _limit(where.limit, params)
        )
        for row in self._stream(query, params):
            yield _audit(row)

    def latest_by_station(self) -> Iterator[RegisteredAudit]:
        query = sql.SQL("SELECT DISTINCT ON (station) {} FROM audits ORDER BY station, closed DESC, id DESC").format(
            _columns(AUDIT_COLUMNS)
        )
        for row in self._stream(query):
            yield _audit(row)

    def certificate(self, cert_id: str) -> RegisteredCertificate | None:
        row = self._one("SELECT * FROM certificates WHERE id = %s", (cert_id,))
        return None if row is None else _certificate(row)

    def certificates(self, where: CertificateFilter) -> Iterator[RegisteredCertificate]:
        clauses: list[sql.Composable] = []
        params: list[Any] = []
        if where.stations is not None:
            clauses.append(sql.SQL("station = ANY(%s)"))
            params.append(sorted(where.stations))
        if where.since is not None:
            clauses.append(sql.SQL("issued_at >= %s"))
            params.append(where.since)
        query = sql.SQL("SELECT {} FROM certificates{} ORDER BY issued_at DESC, id DESC{}").format(
            _columns(CERT_COLUMNS), _where(clauses), _limit(where.limit, params)
        )
        for row in self._stream(query, params):
            yield _certificate(row)

    def findings(self, audit_ids: list[str] | None = None) -> Iterator[tuple[str, FindingRow]]:
        if audit_ids is None:
            rows = self._stream("SELECT audit_id, item, status, due, state FROM findings ORDER BY audit_id, item")
        else:
            rows = self._stream(
                "SELECT audit_id, item, status, due, state FROM findings WHERE audit_id = ANY(%s) "
                "ORDER BY audit_id, item",
                (audit_ids,),
            )
        for row in rows:
            audit_id = row.pop("audit_id")
            yield audit_id, FindingRow.model_validate(row)

    def checklists(self) -> dict[str, ChecklistInfo]:
        rows = self.conn.execute("SELECT hash, id, version, items FROM checklists").fetchall()
        return {row["hash"]: ChecklistInfo.model_validate(row) for row in rows}

    def stations(self) -> Iterator[StationRow]:
        query = sql.SQL("SELECT {} FROM stations ORDER BY code").format(_columns(STATION_COLUMNS))
        for row in self._stream(query):
            yield StationRow.model_validate(row)

    def replace_stations(self, rows: list[StationRow]) -> int:
        with self.conn.transaction():
            self.conn.execute("LOCK TABLE stations IN EXCLUSIVE MODE")
            self.conn.execute("DELETE FROM stations")
            with self.conn.cursor() as cursor:
                copy_sql = sql.SQL("COPY stations ({}) FROM STDIN").format(_columns(STATION_COLUMNS))
                with cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(tuple(getattr(row, name) for name in STATION_COLUMNS))
        return len(rows)

    def file_refs(self) -> Iterator[FileRef]:
        query: LiteralString = (
            "SELECT bundle_sha256 AS sha256, 'bundle' AS kind, id AS owner FROM audits "
            "UNION SELECT h->>'bundle_sha256', 'bundle', a.id FROM audits a, jsonb_array_elements(a.history) h "
            "UNION ALL SELECT sha256, 'evidence', audit_id FROM evidence "
            "UNION ALL SELECT record_sha256, 'certificate', id FROM certificates"
        )
        for row in self._stream(query):
            kind: FileKind = row["kind"]
            yield FileRef(row["sha256"], kind, row["owner"])

    def counts(self) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM audits) AS audits, (SELECT count(*) FROM certificates) AS certificates, "
            "(SELECT count(*) FROM stations) AS stations"
        ).fetchone()
        assert row is not None
        return {key: int(value) for key, value in row.items()}

    # -- writes

    @contextmanager
    def transaction(self, audit_id: str) -> Iterator[Transaction]:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (AUDIT_LOCK, audit_id))
            yield _PgTransaction(self.conn)


def _columns(names: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def _where(clauses: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("")


def _limit(limit: int | None, params: list[Any]) -> sql.Composable:
    if limit is None:
        return sql.SQL("")
    params.append(limit)
    return sql.SQL(" LIMIT %s")


def _audit(row: DictRow) -> RegisteredAudit:
    return RegisteredAudit.model_validate(row)


def _certificate(row: DictRow) -> RegisteredCertificate:
    data = dict(row)
    data["audit"] = data.pop("audit_id")
    return RegisteredCertificate.model_validate(data)


def _digests(conn: Connection, audit_id: str) -> list[str]:
    rows = conn.execute("SELECT digest FROM records WHERE audit_id = %s ORDER BY seq", (audit_id,)).fetchall()
    return [row["digest"] for row in rows]


_UPSERT_AUDIT = sql.SQL("INSERT INTO audits ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}").format(
    _columns(AUDIT_COLUMNS),
    sql.SQL(", ").join(sql.Placeholder() for _ in AUDIT_COLUMNS),
    sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(name), sql.Identifier(name))
        for name in AUDIT_COLUMNS
        if name != "id"
    ),
)
_INSERT_CERT = sql.SQL("INSERT INTO certificates ({}) VALUES ({}) ON CONFLICT (id) DO NOTHING").format(
    _columns(CERT_COLUMNS), sql.SQL(", ").join(sql.Placeholder() for _ in CERT_COLUMNS)
)


class _PgTransaction(Transaction):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def audit(self, audit_id: str) -> RegisteredAudit | None:
        row = self.conn.execute("SELECT * FROM audits WHERE id = %s", (audit_id,)).fetchone()
        return None if row is None else _audit(row)

    def certificates(self, cert_ids: list[str]) -> dict[str, RegisteredCertificate]:
        if not cert_ids:
            return {}
        rows = self.conn.execute("SELECT * FROM certificates WHERE id = ANY(%s)", (cert_ids,)).fetchall()
        return {row["id"]: _certificate(row) for row in rows}

    def chain_digests(self, row: RegisteredAudit) -> list[str]:
        return _digests(self.conn, row.id)

    def write(self, change: AuditChange) -> None:
        conn = self.conn
        added = now_text()
        with conn.cursor() as cursor:
            if change.files:
                cursor.executemany(
                    "INSERT INTO files (sha256, kind, size, added) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [(sha, kind, size, added) for sha, kind, size in change.files],
                )
            if change.audit_changed:
                self._write_audit(cursor, change)
            for cert in change.certificates:
                data = cert.model_dump()
                data["audit_id"] = data.pop("audit")
                values = [Jsonb(data[n]) if n == "surveillance_due" else data[n] for n in CERT_COLUMNS]
                cursor.execute(_INSERT_CERT, values)
                if cursor.rowcount != 1:  # registered meanwhile by another audit's import
                    raise RegisterConflict(f"certificate {cert.id} was registered by another import meanwhile")

    def _write_audit(self, cursor: psycopg.Cursor[DictRow], change: AuditChange) -> None:
        row = change.row
        if change.checklist is not None:
            cursor.execute(
                "INSERT INTO checklists (hash, id, version, items) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    change.checklist.hash,
                    change.checklist.id,
                    change.checklist.version,
                    Jsonb(change.checklist.model_dump()["items"]),
                ),
            )
        data = row.model_dump()
        cursor.execute(_UPSERT_AUDIT, [Jsonb(data[n]) if n in _JSON_AUDIT else data[n] for n in AUDIT_COLUMNS])
        if change.new_records:
            with cursor.copy("COPY records (audit_id, seq, type, kid, payload, sig, digest) FROM STDIN") as copy:
                for record in change.new_records:
                    copy.write_row(
                        (row.id, record.seq, record.type, record.kid, record.payload, record.sig, record.digest)
                    )
        cursor.execute("DELETE FROM findings WHERE audit_id = %s", (row.id,))
        if change.findings:
            with cursor.copy("COPY findings (audit_id, item, status, due, state) FROM STDIN") as copy:
                for finding in change.findings:
                    copy.write_row((row.id, finding.item, finding.status, finding.due, finding.state))
        if change.evidence:
            cursor.executemany(
                "INSERT INTO evidence (audit_id, sha256) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [(row.id, sha) for sha in sorted(set(change.evidence))],
            )
