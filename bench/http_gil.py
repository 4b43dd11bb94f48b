"""Why DuckDB behind gunicorn costs more than the two measured apart (bench/http's ceiling): DuckDB's
Python binding takes the interpreter lock back between the tasks of a query to look for a signal
(``DuckDBPyConnection::CompletePendingQuery``: ``ExecuteTask()`` until the result is ready, taking the
lock and calling ``PyErr_CheckSignals()`` after each), so a query that runs while another thread of its
process runs Python waits for that thread once per task. In a server process, the other threads are
the other requests.

Measured in a process of its own on the release's file with the floor's statement and fetch: Q1 alone,
then beside one thread that runs Python without a pause. Beside it, each take of the lock waits about
the interpreter's switch interval, so the wall time divided by that interval is about how many times
one Q1 took the lock back.
"""

from __future__ import annotations

import multiprocessing
import pathlib
import statistics
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import http_queries  # noqa: E402


def lock_takes(warehouse: pathlib.Path, q: http_queries.Query, threads_list=(1, 2)) -> list[dict]:
    """Per DuckDB thread count: Q1's median ms alone, ms beside a Python thread, and the takes that
    gives; in a spawned process (DuckDB keeps one configuration per file and process)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.starmap(_measure, [(str(warehouse), q, threads) for threads in threads_list])


def _measure(warehouse: str, q: http_queries.Query, threads: int, alone_n: int = 30, beside_n: int = 5) -> dict:
    import duckdb

    sql = q.sql.format(t=http_queries.TABLE)
    con = duckdb.connect(warehouse, read_only=True)
    con.execute(f"SET threads = {int(threads)}")
    cursor = con.cursor()

    def once() -> float:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchmany(1001)
        return (time.perf_counter() - started) * 1000

    once()
    alone = statistics.median(once() for _ in range(alone_n))
    running = True

    def spin():  # Python that never waits: it gives the lock up only when asked to
        count = 0
        while running:
            count += 1

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        beside = statistics.median(once() for _ in range(beside_n))
    finally:
        running = False
        spinner.join()
        con.close()
    interval_ms = sys.getswitchinterval() * 1000
    return {"threads": threads, "alone_ms": alone, "beside_ms": beside, "interval_ms": interval_ms,
            "takes": round(beside / interval_ms)}


def describe(measured: list[dict]) -> str:
    parts = [f"DuckDB threads={m['threads']}: {m['alone_ms']:.1f} ms alone, {m['beside_ms']:,.1f} ms beside it "
             f"= about {m['takes']} takes of the lock" for m in measured]
    return (f"Q1 beside a thread running Python (DuckDB's Python binding takes the interpreter lock back between "
            f"a query's tasks; each take waits about the switch interval, {measured[0]['interval_ms']:g} ms): "
            + "; ".join(parts))
