"""Capped answers from Arrow batches against the row encoder, over random DuckDB tables.

The sandbox gives an Arrow table (``batches=True``) only when every column's type is in
``sandbox.ARROW_TYPES``; the CSV, NDJSON and JSON bodies built from it must be the bytes the row
encoder writes from ``fetchmany`` rows of the same query, capped and truncated alike (the CSV
encoded batch by batch while they are read, ``CappedCsv``, and from the whole table).
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from service import export
from service.export import CappedCsv, capped_csv
from service.formats import arrow_as_objects, jsonable, ndjson_lines, rows_as_objects, to_csv
from service.sandbox import ARROW_TYPES, Sandbox

# column expressions over i (the row number) and r (a random double in [0, 1)); all of ARROW_TYPES and others
COLUMNS = {
    "b": "CASE WHEN r < 0.2 THEN NULL ELSE r < 0.6 END::BOOLEAN",
    "ti": "(i % 200 - 100)::TINYINT", "si": "(i * 7 % 60000 - 30000)::SMALLINT",
    "n": "CASE WHEN r < 0.1 THEN NULL ELSE i * 1000003 % 2000000000 - 1000000000 END::INTEGER",
    "bi": "(i::HUGEINT * 9223372036854 % 9000000000000000000)::BIGINT", "ut": "(i % 256)::UTINYINT",
    "us": "(i % 65536)::USMALLINT", "ui": "(i * 65537 % 4294967295)::UINTEGER",
    "ub": "(i::HUGEINT * 1844674407370955 % 18446744073709551615)::UBIGINT",
    "f": "(r * 1000 - 500)::FLOAT",
    "d": "CASE WHEN r < 0.05 THEN 'nan'::DOUBLE WHEN r < 0.1 THEN 'inf'::DOUBLE WHEN r < 0.15 THEN NULL "
         "WHEN r < 0.3 THEN round(r * 100) WHEN r < 0.4 THEN r * 1e-7 WHEN r < 0.5 THEN r * 1e22 ELSE r END",
    "s": "CASE WHEN r < 0.1 THEN NULL WHEN r < 0.2 THEN '' WHEN r < 0.3 THEN 'a,b' WHEN r < 0.4 THEN 'say \"hi\"' "
         "WHEN r < 0.5 THEN E'two\\nlines' WHEN r < 0.6 THEN 'caf\u00e9 \U0001F600' ELSE 'x' || i END",
    "dt": "DATE '2020-01-01' + (i % 1000)::INTEGER", "ts": "TIMESTAMP '2020-01-01 00:00:00' + to_seconds(i)",
    "dec": "(i / 7)::DECIMAL(12, 3)", "h": "i::HUGEINT * 12345678901234567", "l": "[i, i + 1]",
    "st": "{'k': 'v' || i}", "bl": "('x' || i)::BLOB", "m": "MAP {'a': i}", "u": "gen_random_uuid()",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("capped") / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SELECT setseed(0.17)")
    selected = ", ".join(f"{expr} AS {name}" for name, expr in COLUMNS.items() if name != "u")
    con.execute(f"CREATE TABLE t AS SELECT {selected} FROM (SELECT i, random() AS r FROM range(20000) AS s(i))")
    con.close()
    return path


def answers(box: Sandbox, sql: str, *, batches: bool) -> tuple[bytes, str, str, str, bool]:
    result = box.run(sql, batches=batches, sink=CappedCsv)  # the CSV encoded while the batches are read
    table = result.table
    if table is not None:
        values = list(zip(*(c.to_pylist() for c in table.columns)))
        csv, objects = result.encoded, arrow_as_objects(table)
        assert csv == capped_csv(table)  # the same bytes from the whole table
    else:
        values = result.rows
        csv, objects = to_csv(result.columns, result.rows).encode("utf-8"), rows_as_objects(result.columns, result.rows)
    arrays = [[jsonable(v) for v in row] for row in values]
    return csv, ndjson_lines(objects), json.dumps(objects), json.dumps(arrays), result.truncated


@pytest.mark.parametrize("seed", range(25))
def test_arrow_answers_are_the_row_answers(db, seed):
    rnd = random.Random(seed)
    names = rnd.sample([n for n in COLUMNS if n != "u"], rnd.randint(1, 6))
    cap = rnd.choice([1, 7, 1000, 8192, 8193, 19999, 20000, 30000])
    where = rnd.choice(["", "WHERE n IS NULL", "WHERE false", "WHERE ti > 0"])
    sql = f"SELECT {', '.join(names)} FROM t {where} ORDER BY bi, ti"
    box = Sandbox(db, max_rows=cap)
    try:
        arrow = box.run(sql, batches=True)
        assert (arrow.table is not None) == all(t in ARROW_TYPES for t in arrow.types), arrow.types
        assert answers(box, sql, batches=True) == answers(box, sql, batches=False), (sql, cap)
    finally:
        box.close()


def test_the_indicator_columns_take_the_arrow_path(db):
    box = Sandbox(db, max_rows=100)
    try:
        result = box.run("SELECT s, d, n, bi FROM t", batches=True)
        assert result.table is not None and result.table.num_rows == 100 and result.truncated
        assert box.run("SELECT s, dt FROM t", batches=True).table is None  # DATE: rows (infinity dates)
    finally:
        box.close()


def test_the_last_slice_is_encoded_on_the_callers_thread(monkeypatch):
    """Every slice but the last goes to the encoding threads as the next one comes; the last is encoded by
    ``finish()`` on the caller's thread, beside them (it would otherwise wait for them), and the slices
    are joined in their order."""
    encode, encoded_by = export.arrow_csv_lines, {}

    def recording(batch):  # each slice's first value -> the thread that encoded it
        encoded_by[batch.column(0)[0].as_py()] = threading.current_thread().name
        return encode(batch)

    monkeypatch.setattr(export, "arrow_csv_lines", recording)
    rows = 10_000 + 6_389  # two batches: slices of 8,192 and 1,808 rows, then one of 6,389
    table = pa.table({"i": pa.array(range(rows), pa.int64()), "s": pa.array([f"v{i}" for i in range(rows)])})
    sink = CappedCsv(table.schema)
    sink.add(table.slice(0, 10_000).combine_chunks().to_batches()[0])
    sink.add(table.slice(10_000).combine_chunks().to_batches()[0])
    body = sink.finish()
    assert body == to_csv(["i", "s"], [(i, f"v{i}") for i in range(rows)]).encode()
    assert sorted(encoded_by) == [0, CappedCsv.batch_rows, 10_000]
    assert encoded_by.pop(10_000) == threading.current_thread().name
    assert all(name.startswith("socsec-csv") for name in encoded_by.values())
