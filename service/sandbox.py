"""Runs one untrusted SELECT on a release's DuckDB file, with limits.

Defences, strongest first: the database is opened read-only; extension
loading, community extensions, secrets and replacement scans are off;
external access is disabled and the configuration locked; memory, threads
and execution time are capped (and a watchdog interrupts the cursor, fetch
included); exactly one SELECT statement is accepted, and it may name only
what ``sqlguard`` allows (checked on DuckDB's own parse tree); at most
``max_rows`` rows are returned (``max_rows + 1`` are fetched to set ``truncated``).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import QueryCancelled, QueryError, QueryTimeout
from .limits import Gate, HeavyClass, Watchdog, cores_shared
from .sqlguard import SqlGuard, known_paths, scrub


class QueryStream:
    """A running full export: ``batches()`` yields Arrow record batches until the result ends.

    When the time limit passes or the client leaves part-way, ``batches()`` raises ``QueryTimeout`` or
    ``QueryCancelled`` instead of ending: a cut export must never look complete. ``close()`` (also
    called at the end and by a generator's close) stops the query and frees its slot."""

    def __init__(self, box: Sandbox, columns, reader, cursor, watchdog):
        self.box, self.columns, self.schema = box, columns, reader.schema
        self._reader, self._cursor, self._watchdog = reader, cursor, watchdog
        self._open = True

    def batches(self):
        try:
            while True:
                try:
                    batch = self._reader.read_next_batch()
                except StopIteration:
                    break
                except BaseException as exc:  # noqa: BLE001 - turned into a QueryError or re-raised
                    self.box._raise(exc, self._watchdog, self.box.stream_time_limit_ms)
                if self._watchdog.reason:  # fired between two batches
                    self.box._raise(duckdb.InterruptException("interrupted"), self._watchdog,
                                    self.box.stream_time_limit_ms)
                yield batch
        finally:
            self.close()

    def close(self) -> None:
        if self._open:
            self._open = False
            self._watchdog.stop()
            try:
                self._cursor.interrupt()
            finally:
                self._cursor.close()
                self.box.gate.leave()


# DuckDB types whose Arrow values (``to_pylist``) are the Python values ``fetchall`` gives, so that an
# answer encoded from Arrow is the answer encoded from rows (tests/unit/test_capped_arrow.py)
ARROW_TYPES = frozenset({"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                         "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "VARCHAR"})
READ_BATCH_ROWS = 65536


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    truncated: bool
    elapsed_ms: float
    table: object = None  # a pyarrow.Table instead of rows, when asked for Arrow
    encoded: object = None  # what the ``sink`` made of the batches, when they were read as Arrow


_CONFIG = {  # every instance of a sandbox: nothing loaded or read but the release's file
    "autoinstall_known_extensions": False, "autoload_known_extensions": False,
    "allow_community_extensions": False, "allow_persistent_secrets": False,
    "python_enable_replacements": False, "temp_directory": "",
}


class _Instance:
    """One DuckDB instance of a sandbox (made by ``connect`` at first use) and its cursors: a cursor
    starts with ``use`` run (an attached instance points it at the release's catalog).

    A cursor whose query ended cleanly (its result read to the end, no error, no interrupt) is kept
    for the next query: a new DuckDB connection costs about as much as a small query. A SELECT
    cannot change a connection's state, and any other cursor is closed after its query."""

    IDLE_CURSORS = 8  # kept at most, per instance

    def __init__(self, connect: Callable, use: str | None = None):
        self._connect, self._use = connect, use
        self._con = None
        self._idle: list = []
        self._lock = threading.Lock()
        self._closed = False

    def connection(self):
        with self._lock:
            if self._con is None:
                if self._closed:
                    raise duckdb.ConnectionException("the sandbox is closed")
                self._con = self._connect()
            return self._con

    def cursor(self):
        """A new cursor."""
        cursor = self.connection().cursor()
        if self._use:
            cursor.execute(self._use)
        return cursor

    def take(self):
        """An idle cursor, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self.cursor()

    def keep(self, cursor) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.IDLE_CURSORS:
                self._idle.append(cursor)
                return
        cursor.close()

    def close(self) -> None:
        with self._lock:
            self._closed, idle, self._idle, con, self._con = True, self._idle, [], self._con, None
        for cursor in idle:
            cursor.close()
        if con is not None:
            con.close()


class Sandbox:
    """One read-only root connection per database file; one cursor per query at a time.

    A capped query that would share the cores (another query or request of the process, or no idle core
    on the machine: ``limits.cores_shared``) runs on the busy instance, with ``busy_threads`` threads:
    splitting it across threads would only add the cost of the split (Q1 of bench/http: 1.5 ms of CPU
    with two threads, 1.2 with one, in the same time). Alone, it runs on the root's ``threads``."""

    @classmethod
    def for_settings(cls, db_path: Path, settings, gate: Gate | None = None,
                     heavy: HeavyClass | None = None) -> Sandbox:
        """A sandbox with the limits of the one Settings object (``config.Settings``)."""
        return cls(db_path, memory_limit=settings.sql_memory_limit, threads=settings.sql_threads,
                   time_limit_ms=settings.sql_time_limit_ms, max_rows=settings.max_returned_rows,
                   max_sql_length=settings.max_sql_length,
                   stream_time_limit_ms=settings.sql_stream_time_limit_ms, gate=gate,
                   short_budget_ms=settings.sql_short_budget_ms, heavy=heavy,
                   busy_threads=settings.sql_busy_threads)

    def __init__(self, db_path: Path, *, memory_limit: str = "512MB", threads: int = 1,
                 time_limit_ms: int = 1000, max_rows: int = 1000, max_sql_length: int = 20000,
                 stream_time_limit_ms: int = 300000, gate: Gate | None = None,
                 short_budget_ms: int = 0, heavy: HeavyClass | None = None, busy_threads: int = 0):
        self.db_path = db_path
        self.memory_limit = memory_limit
        # short queries first: past the budget a capped query moves to the heavy class (0: it never does)
        self.short_budget_ms = short_budget_ms if heavy and 0 < short_budget_ms < time_limit_ms else 0
        self.heavy = heavy
        self.time_limit_ms = time_limit_ms
        self.stream_time_limit_ms = stream_time_limit_ms
        self.max_rows = max_rows
        self.max_sql_length = max_sql_length
        self.gate = gate or Gate(None)
        self._passed: OrderedDict[str, str] = OrderedDict()  # a text that passed -> the SQL to run
        self._heavy_seen: OrderedDict[tuple, bool] = OrderedDict()  # queries that were heavy
        self._passed_lock = threading.Lock()
        root = duckdb.connect(str(db_path), read_only=True, config=_CONFIG)
        # DuckDB's own limit is the longest a query may run (a stream); the watchdog enforces each kind's
        _lock_down(root, memory_limit=memory_limit, threads=threads,
                   time_limit_ms=max(time_limit_ms, stream_time_limit_ms))
        self._guard = SqlGuard(root)  # read from the locked instance: what a query may name
        self._paths = known_paths(db_path, db_path.parent, db_path.parent.parent)
        name = root.execute("SELECT current_database()").fetchone()[0]
        self.root = _Instance(lambda: root)
        self.root.connection()  # it holds the root from now on, and closes it
        # SET threads holds for a whole instance: fewer threads need an instance of their own
        self.busy = (_Instance(functools.partial(self._attach, name, busy_threads), f"USE {_ident(name)}")
                     if 0 < busy_threads < threads else None)
        self.heavy_instance = _Instance(functools.partial(self._attach, name, 1), f"USE {_ident(name)}")

    def close(self) -> None:
        for instance in (self.root, self.busy, self.heavy_instance):
            if instance is not None:
                instance.close()

    def _attach(self, name: str, threads: int):
        """An instance of its own with ``threads`` threads (the heavy class's, the busy one): the release's
        file attached read-only under the name the root gives it, the same limits and lock."""
        con = duckdb.connect(":memory:", config=_CONFIG)
        con.execute(f"ATTACH {_quote(str(self.db_path))} AS {_ident(name)} (READ_ONLY)")
        _lock_down(con, memory_limit=self.memory_limit, threads=threads, time_limit_ms=self.time_limit_ms)
        return con

    def _short_instance(self) -> _Instance:
        """Where a capped query that holds a slot of the gate runs: on the busy instance when it would share
        the cores (``limits.cores_shared``), else on the root."""
        if self.busy is not None and cores_shared(self.gate, self.heavy):
            return self.busy
        return self.root

    def check(self, sql: str) -> str:
        """Refuse anything but exactly one SELECT, with a message that says why; returns the SQL to
        run (the guard points SHOW TABLES and information_schema at the release's own catalog).

        A text that passed once passes again (the release never changes): it is remembered."""
        runs = self._passed.get(sql)
        if runs is not None:
            return runs
        runs = self._check(sql)
        with self._passed_lock:
            self._passed[sql] = runs
            while len(self._passed) > 1024:
                self._passed.popitem(last=False)
        return runs

    def _check(self, sql: str) -> str:
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
        return self._guard.check(sql)

    def run(self, sql: str, params: dict | None = None, *, arrow: bool = False, batches: bool = False,
            sink: Callable | None = None, gone: Callable[[], bool] | None = None) -> QueryResult:
        """Run one untrusted SELECT; ``arrow`` gives a pyarrow Table (for Parquet) instead of rows;
        ``batches`` gives one too when every column is of a type in ``ARROW_TYPES`` (whose Arrow
        values are the Python values DuckDB gives), else rows.

        ``sink`` (with ``batches``) encodes the batches while the next ones are read: called with the
        result's Arrow schema, it gives an object whose ``add(batch)`` takes each batch as it comes
        (``max_rows`` rows in all at most), whose ``finish()`` gives the result's ``encoded``, and whose
        ``cancel()`` drops the work of a query that failed; ``sink.batch_rows`` is the batches' size.

        ``gone`` tells whether the client has left: then the query is interrupted."""
        sql = self.check(sql)
        key = (sql, tuple(sorted((params or {}).items())))
        run = functools.partial(self._execute, sql, params, arrow, gone, batches, sink=sink)
        if not (self.short_budget_ms and key in self._heavy_seen):
            with self.gate.slot():
                try:
                    return run(budget_ms=self.short_budget_ms, instance=self._short_instance())
                except _OverBudget:
                    pass  # the short slot is freed: the heavy class has its own bound
        return self._run_heavy(key, functools.partial(run, instance=self.heavy_instance))

    def _run_heavy(self, key, job) -> QueryResult:
        """Run ``job`` in the heavy class; a query that was heavy there too (past the short budget, or
        stopped) is remembered: the same query on the same release costs the same, so next time it starts
        there (and, the class full, is refused before it spends any CPU); one that ended within the
        budget there is forgotten (a short query slowed by a busy moment)."""
        timed = []

        def timed_job():
            started = time.perf_counter()
            try:
                return job()
            finally:
                timed.append((time.perf_counter() - started) * 1000)

        try:
            return self.heavy.run(timed_job)
        finally:
            if timed:  # it ran (a refused query leaves the memory as it was)
                with self._passed_lock:
                    if timed[0] >= self.short_budget_ms:
                        self._heavy_seen[key] = True
                        self._heavy_seen.move_to_end(key)
                        while len(self._heavy_seen) > 1024:
                            self._heavy_seen.popitem(last=False)
                    else:
                        self._heavy_seen.pop(key, None)

    def run_trusted(self, sql: str, params: list | dict | None = None) -> QueryResult:
        """socsec's own queries: no statement checks, the same time limit, no slot of the gate."""
        return self._execute(sql, params)

    def stream(self, sql: str, params: dict | None = None, *, batch_rows: int = 32768,
               gone: Callable[[], bool] | None = None) -> QueryStream:
        """Run one untrusted SELECT for a full export: every row, as Arrow record batches.

        Errors of the query itself are raised here, before any row; the stream holds a slot of the
        gate and runs under ``stream_time_limit_ms`` until its last batch is read or it is closed."""
        sql = self.check(sql)
        self.gate.enter()
        cursor = self.root.cursor()
        watchdog = Watchdog(cursor, self.stream_time_limit_ms / 1000, gone).start()
        try:
            relation = cursor.sql(sql, params=params or None)
            columns, reader = list(relation.columns), relation.to_arrow_reader(batch_rows)
        except BaseException as exc:
            watchdog.stop()
            cursor.close()
            self.gate.leave()
            self._raise(exc, watchdog, self.stream_time_limit_ms)
        return QueryStream(self, columns, reader, cursor, watchdog)

    def _execute(self, sql: str, params, arrow: bool = False, gone=None, batches: bool = False, *,
                 sink: Callable | None = None, budget_ms: int = 0, instance: _Instance | None = None) -> QueryResult:
        """Fetch at most ``max_rows + 1`` rows: DuckDB's result streams, so the rest is never computed
        (but an ORDER BY without LIMIT still sorts all its input). Arrow answers go through a relation
        limited the same way (a cursor's own Arrow read would copy the whole result first); ``batches``
        reads the query's relation as Arrow record batches until ``max_rows + 1`` rows when its types
        allow (``ARROW_TYPES``), else rows as above; ``sink`` takes those batches as they are read.

        ``budget_ms``: the query is interrupted then and ``_OverBudget`` raised (short queries first);
        ``instance``: where it runs (the root by default)."""
        instance = instance or self.root
        cursor = instance.cursor() if arrow else instance.take()
        started = time.perf_counter()
        ended = False  # the result was read to its end, with no error
        encoder = None
        grace = (lambda: 3 * budget_ms / 1000 if self.heavy.full() else None) if budget_ms else None
        with Watchdog(cursor, (budget_ms or self.time_limit_ms) / 1000, gone, grace) as watchdog:
            try:
                if arrow:
                    relation = cursor.sql(sql, params=params or None)
                    columns, types = list(relation.columns), [str(t) for t in relation.types]
                    table, rows = relation.limit(self.max_rows + 1).to_arrow_table(), []
                else:
                    relation = cursor.sql(sql, params=params or None) if batches else None
                    if relation is not None and all(str(t) in ARROW_TYPES for t in relation.types):
                        columns, types = list(relation.columns), [str(t) for t in relation.types]
                        reader = relation.to_arrow_reader(sink.batch_rows if sink else
                                                          min(self.max_rows + 1, READ_BATCH_ROWS))
                        encoder = sink(reader.schema) if sink else None
                        (table, ended), rows = self._read_batches(reader, encoder), []
                        if watchdog.reason:  # an interrupt that came too late for DuckDB to see it
                            raise duckdb.InterruptException("interrupted")
                    else:
                        cursor.execute(sql, params or None)
                        description = cursor.description or []
                        columns, types = [d[0] for d in description], [str(d[1]) for d in description]
                        table, rows = None, cursor.fetchmany(self.max_rows + 1)
                        ended = len(rows) <= self.max_rows
            except BaseException as exc:  # noqa: BLE001 - turned into a QueryError or re-raised
                if encoder is not None:
                    encoder.cancel()
                if budget_ms and watchdog.reason == "timeout" and \
                        time.perf_counter() - started < self.time_limit_ms / 1000:
                    raise _OverBudget() from None
                self._raise(exc, watchdog, self.time_limit_ms)
            finally:
                watchdog.stop()
                if ended and watchdog.reason is None:
                    instance.keep(cursor)
                else:
                    cursor.close()
        encoded = encoder.finish() if encoder is not None else None
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        if table is not None:
            return QueryResult(columns, types, [], table.num_rows > self.max_rows, elapsed,
                               table.slice(0, self.max_rows), encoded)
        return QueryResult(columns, types, rows[: self.max_rows], len(rows) > self.max_rows, elapsed)

    def _read_batches(self, reader, encoder=None):
        """The reader's first ``max_rows + 1`` rows as an Arrow table (its result streams: the rest is
        never computed), and whether the result was read to its end within them; ``encoder`` is given
        each batch as it comes, cut at ``max_rows`` rows in all."""
        import pyarrow as pa

        parts, count = [], 0
        for batch in reader:
            parts.append(batch)
            if encoder is not None and count < self.max_rows:
                encoder.add(batch if count + batch.num_rows <= self.max_rows else
                            batch.slice(0, self.max_rows - count))
            count += batch.num_rows
            if count > self.max_rows:
                return pa.Table.from_batches(parts, reader.schema), False
        return pa.Table.from_batches(parts, reader.schema), True

    def _raise(self, exc: BaseException, watchdog: Watchdog, limit_ms: int):
        """Turn what DuckDB raised into the error to answer with (timeouts and cancels by their cause)."""
        from pyarrow import ArrowException  # pyarrow loads on first use, not at server start

        interrupted = isinstance(exc, (duckdb.InterruptException, KeyboardInterrupt)) or (
            isinstance(exc, (duckdb.Error, ArrowException, OSError)) and _interrupted(str(exc)))
        if interrupted or watchdog.reason:
            if watchdog.reason == "disconnected":
                raise QueryCancelled("the client went away; the query was interrupted") from None
            raise QueryTimeout(f"SQL query took too long (limit {limit_ms} ms)",
                               details={"time_limit_ms": limit_ms}) from None
        if isinstance(exc, duckdb.Error):
            raise QueryError(self._clean(str(exc)), code=_error_code(exc)) from None
        raise exc

    def _clean(self, message: str) -> str:
        """Never show a server path: the release's, the store's, Python's, temp, home, then any absolute one."""
        return scrub(message, self._paths)


class _OverBudget(Exception):
    """A query outlived the short budget: it moves to the heavy class."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _interrupted(message: str) -> bool:
    return "Interrupted" in message or "INTERRUPT" in message or "maximum execution time" in message


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
