"""Runs one untrusted SELECT on a release's DuckDB file, with limits.

Defences, strongest first: the database is opened read-only; extension
loading, community extensions, secrets and replacement scans are off;
external access is disabled and the configuration locked; memory, threads
and execution time are capped (and a timer interrupts the cursor, fetch
included); exactly one SELECT statement is accepted, and it may name only
what ``sqlguard`` allows (checked on DuckDB's own parse tree); at most
``max_rows`` rows are returned (``max_rows + 1`` are fetched to set ``truncated``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import QueryError, QueryTimeout
from .sqlguard import SqlGuard, known_paths, scrub


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    truncated: bool
    elapsed_ms: float
    table: object = None  # a pyarrow.Table instead of rows, when asked for Arrow


class Sandbox:
    """One read-only root connection per database file; one cursor per query."""

    def __init__(self, db_path: Path, *, memory_limit: str = "512MB", threads: int = 1,
                 time_limit_ms: int = 1000, max_rows: int = 1000, max_sql_length: int = 20000):
        self.db_path = db_path
        self.time_limit_ms = time_limit_ms
        self.max_rows = max_rows
        self.max_sql_length = max_sql_length
        config = {
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
            "allow_community_extensions": False, "allow_persistent_secrets": False,
            "python_enable_replacements": False, "temp_directory": "",
        }
        self._root = duckdb.connect(str(db_path), read_only=True, config=config)
        _lock_down(self._root, memory_limit=memory_limit, threads=threads, time_limit_ms=time_limit_ms)
        self._guard = SqlGuard(self._root)  # read from the locked instance: what a query may name
        self._paths = known_paths(db_path, db_path.parent, db_path.parent.parent)

    def close(self) -> None:
        self._root.close()

    def check(self, sql: str) -> None:
        """Refuse anything but exactly one SELECT, with a message that says why."""
        if not sql or not sql.strip():
            raise QueryError("no SQL given: pass one SELECT statement in `sql`")
        if len(sql) > self.max_sql_length:
            raise QueryError(f"SQL is {len(sql)} characters long; the limit is {self.max_sql_length}")
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryError(self._clean(str(exc))) from None
        if len(statements) != 1:
            raise QueryError(f"exactly one statement is allowed, got {len(statements)}",
                             details={"statements": len(statements)})
        kind = statements[0].type
        if kind != duckdb.StatementType.SELECT:
            hint = " (a PIVOT must name its values here: ON column IN (...))" if kind.name == "MULTI" else ""
            raise QueryError(f"only SELECT queries are allowed, got {kind.name}{hint}", code="read-only",
                             details={"statement_type": kind.name})
        self._guard.check(sql)

    def run(self, sql: str, params: dict | None = None, *, arrow: bool = False) -> QueryResult:
        """Run one untrusted SELECT; ``arrow`` gives a pyarrow Table (for Parquet) instead of rows."""
        self.check(sql)
        return self._execute(sql, params, arrow)

    def run_trusted(self, sql: str, params: list | dict | None = None) -> QueryResult:
        """socsec's own queries: no statement checks, the same limits."""
        return self._execute(sql, params)

    def _execute(self, sql: str, params, arrow: bool = False) -> QueryResult:
        cursor = self._root.cursor()
        timer = threading.Timer(self.time_limit_ms / 1000, cursor.interrupt)
        started = time.perf_counter()
        timer.start()
        try:
            cursor.execute(sql, params or None)
            columns = [d[0] for d in cursor.description or []]
            types = [str(d[1]) for d in cursor.description or []]
            if arrow:
                table = _fetch_arrow(cursor, self.max_rows + 1)
                rows = []
            else:
                table, rows = None, cursor.fetchmany(self.max_rows + 1)
        except (duckdb.InterruptException, KeyboardInterrupt):
            raise QueryTimeout(f"SQL query took too long (limit {self.time_limit_ms} ms)",
                               details={"time_limit_ms": self.time_limit_ms}) from None
        except duckdb.Error as exc:
            message = str(exc)
            if "maximum execution time" in message:
                raise QueryTimeout(f"SQL query took too long (limit {self.time_limit_ms} ms)",
                                   details={"time_limit_ms": self.time_limit_ms}) from None
            raise QueryError(self._clean(message), code=_error_code(exc)) from None
        finally:
            timer.cancel()
            cursor.close()
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        if table is not None:
            return QueryResult(columns, types, [], table.num_rows > self.max_rows, elapsed,
                               table.slice(0, self.max_rows))
        return QueryResult(columns, types, rows[: self.max_rows], len(rows) > self.max_rows, elapsed)

    def _clean(self, message: str) -> str:
        """Never show a server path: the release's, the store's, Python's, temp, home, then any absolute one."""
        return scrub(message, self._paths)


def _fetch_arrow(cursor, limit: int):
    """At most ``limit`` rows as a pyarrow Table, read batch by batch."""
    import warnings

    import pyarrow as pa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DuckDB notes the copy an Arrow read of a cursor makes
        reader = cursor.to_arrow_reader(min(limit, 65536))
    batches, count = [], 0
    while count < limit:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        batches.append(batch)
        count += batch.num_rows
    return pa.Table.from_batches(batches, schema=reader.schema)


def _lock_down(con, *, memory_limit: str, threads: int, time_limit_ms: int) -> None:
    """Set the limits, disable external access and lock the configuration.

    DuckDB shares one instance per file within a process (and refuses a second connection with
    another configuration), so the limits are SET, not passed to connect; a second sandbox on the
    same file finds the instance locked already: then make sure the lock is the one we set. Its
    own time limit is still enforced by the timer in ``_execute``."""
    try:
        con.execute("SET memory_limit = $m", {"m": memory_limit})
        con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET max_execution_time = {int(time_limit_ms)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.InvalidInputException:
        locked, external = con.execute(
            "SELECT current_setting('lock_configuration'), current_setting('enable_external_access')"
        ).fetchone()
        if not locked or external:
            raise


def _error_code(exc: duckdb.Error) -> str:
    if isinstance(exc, (duckdb.PermissionException, duckdb.InvalidInputException)) and (
            "read-only" in str(exc) or "disabled" in str(exc)):
        return "read-only"
    return "invalid-sql"
