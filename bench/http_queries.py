"""The four queries, as each server is asked them, and the floor: DuckDB in-process on the release's file.

Q1 point lookup (JSON), Q2 aggregate by indicator and year (JSON), Q3 top 20 of one
year and unit, ties broken by the key (JSON), Q4 every row of one indicator as CSV
(streamed by both servers: socsec ``_stream=on``; Datasette's table CSV with
``_stream=on``, which pages through the primary key in steps of the row cap), Q5 the
same rows as a capped CSV answer (socsec only, from a server whose row cap is above them).
"""

from __future__ import annotations

import io
import json
import urllib.parse
from dataclasses import dataclass

import duckdb
import orjson
from http_data import INDICATORS, REGIONS, RESOURCE, TABLE, UNITS, periods, shape

INDICATOR, REGION, UNIT = INDICATORS[6], REGIONS[5], UNITS[3]


@dataclass(frozen=True)
class Query:
    name: str
    what: str
    sql: str          # with {t} for the table
    fmt: str          # json or csv
    capped: bool      # the row cap applies (JSON) or not (streamed CSV)


def queries(rows: int) -> list[Query]:
    _, months = shape(rows)
    year = periods(months)[months // 2][:4]
    return [
        Query("Q1", f"point lookup ({months} rows)",
              f"select * from {{t}} where indicator_id = '{INDICATOR}' and region_code = '{REGION}' "
              f"and unit = '{UNIT}' order by period", "json", True),
        Query("Q2", "avg + count by indicator, year",
              "select indicator_id, substr(period, 1, 4) as year, avg(value) as mean, count(*) as n "
              "from {t} group by indicator_id, year order by indicator_id, year", "json", True),
        Query("Q3", f"top 20 of {year}, one unit",
              f"select * from {{t}} where period >= '{year}-01' and period <= '{year}-12' and unit = '{UNIT}' "
              "order by value desc, indicator_id, region_code, period, unit limit 20", "json", True),
        Query("Q4", f"one indicator as CSV ({rows // len(INDICATORS):,} rows)",
              f"select * from {{t}} where indicator_id = '{INDICATOR}' order by region_code, period, unit",
              "csv", False),
        Query("Q5", f"Q4's rows, capped CSV (cap > {rows // len(INDICATORS):,})",
              f"select * from {{t}} where indicator_id = '{INDICATOR}' order by region_code, period, unit",
              "csv", True),
    ]


def q5_row_cap(rows: int) -> int:
    """Q5's row cap: above Q4's row count, so that the capped answer holds every row."""
    return rows // len(INDICATORS) + 1000


def socsec_path(q: Query, *, stream: bool, prefix: str = "/api") -> str:
    sql = q.sql.format(t=TABLE)
    stream = stream and not q.capped
    if q.fmt == "csv":
        return f"{prefix}/sql.csv?" + urllib.parse.urlencode({"sql": sql, **({"_stream": "on"} if stream else {})})
    return f"{prefix}/sql?" + urllib.parse.urlencode({"sql": sql})


def datasette_path(q: Query, db: str) -> str:
    if q.fmt == "csv":  # the table view streams; a custom query's CSV stops at the row cap
        return f"/{db}/{RESOURCE}.csv?" + urllib.parse.urlencode({"indicator_id": INDICATOR, "_stream": "on"})
    return f"/{db}.json?" + urllib.parse.urlencode({"sql": q.sql.format(t=RESOURCE), "_shape": "objects"})


def json_rows(body: bytes) -> list[list]:
    """The rows of either server's JSON answer, as lists (for a sanity check that both agree)."""
    rows = json.loads(body)["rows"]
    return [[round(v, 6) if isinstance(v, float) else v for v in r.values()] for r in rows]


class Floor:
    """The same queries by DuckDB in-process on the release's own file: default threads, no HTTP,
    no safety; fetch and serialise as a server would (JSON: rows as objects with orjson, socsec's encoder,
    capped at max+1 like a server; CSV: an Arrow table written by pyarrow's CSV writer)."""

    def __init__(self, warehouse, rows_cap: int):
        self.path = warehouse
        self.con = duckdb.connect(str(warehouse), read_only=True)
        self.rows_cap = rows_cap

    def threads(self) -> int:
        return int(self.con.execute("select current_setting('threads')").fetchone()[0])

    def run(self, q: Query) -> bytes:
        cur = self.con.cursor()
        try:
            if q.fmt == "csv":
                return _arrow_csv(cur.sql(q.sql.format(t=TABLE)).to_arrow_table())
            cur.execute(q.sql.format(t=TABLE))
            columns = [d[0] for d in cur.description]
            rows = cur.fetchmany(self.rows_cap + 1)
            return orjson.dumps({"columns": columns, "rows": [dict(zip(columns, r)) for r in rows[: self.rows_cap]],
                                 "truncated": len(rows) > self.rows_cap})
        finally:
            cur.close()

    def close(self) -> None:
        self.con.close()


def _arrow_csv(table) -> bytes:
    import pyarrow.csv as pacsv

    out = io.BytesIO()
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    return out.getvalue()


def floor_capacity(warehouse, rows_cap: int, q: Query, *, processes: int, concurrency: int, seconds: float) -> float:
    """Queries a second the floor answers from ``processes`` processes (as many as the server's workers,
    so that one interpreter's lock does not bound it) with ``concurrency`` threads in all."""
    import multiprocessing

    threads = [concurrency // processes + (i < concurrency % processes) for i in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        counts = pool.starmap(_floor_count, [(str(warehouse), rows_cap, q, n, seconds) for n in threads])
    return sum(counts) / seconds


def _floor_count(warehouse: str, rows_cap: int, q: Query, threads: int, seconds: float) -> int:
    import threading
    import time

    floor = Floor(warehouse, rows_cap)
    floor.run(q)
    deadline, counts = time.perf_counter() + seconds, [0] * threads

    def worker(i):
        while time.perf_counter() < deadline:
            floor.run(q)
            counts[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    floor.close()
    return sum(counts)

