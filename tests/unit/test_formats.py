"""The column-wise fast paths of JSON and CSV answers give exactly what converting cell by cell gives."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import random
import uuid

import pytest

from service.formats import _csv_cell, jsonable, rows_as_objects, to_csv, to_ndjson

VALUES = {
    "none": [None],
    "bool": [True, False],
    "int": [0, -7, 2**62, 10**30],
    "str": ["", "a", "a,b", 'say "hi"', "line\nbreak", "cr\r", " padded ", "中文", "-"],
    "float": [0.0, -0.0, 1.0, 1e16, 1e-05, 2.5, 1234.56, 1.7976931348623157e308],
    "nonfinite": [float("nan"), float("inf"), float("-inf")],
    "decimal": [decimal.Decimal("1.50"), decimal.Decimal("12345678901234567.5"), decimal.Decimal(3)],
    "date": [dt.date(2020, 2, 29), dt.datetime(2021, 1, 2, 3, 4, 5), dt.time(12, 30)],
    "other": [dt.timedelta(days=1, seconds=5), b"\x00\xff", uuid.UUID(int=5), [1, "x", None], {"k": 1.5}],
}


def reference_objects(columns, rows):
    return [dict(zip(columns, map(jsonable, row))) for row in rows]


def reference_csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _csv_cell(v) for v in row])
    return out.getvalue()


def column(kinds: list[str], rnd: random.Random, length: int) -> list:
    pool = [v for kind in kinds for v in VALUES[kind]]
    return [rnd.choice(pool) for _ in range(length)]


COLUMN_KINDS = [["none"], ["bool"], ["int"], ["str"], ["float"], ["float", "none"], ["int", "none"],
                ["str", "none"], ["float", "nonfinite"], ["float", "int"], ["bool", "int"], ["decimal"],
                ["date", "none"], ["other"], ["str", "float"], ["int", "float", "bool", "none"]]


@pytest.mark.parametrize("seed", range(40))
def test_fast_paths_match_cell_by_cell(seed):
    rnd = random.Random(seed)
    width = rnd.randint(1, 5)
    length = rnd.choice([1, 2, 7, 50])
    kinds = [rnd.choice(COLUMN_KINDS) for _ in range(width)]
    columns = [f"c{i}" for i in range(width)]
    rows = list(zip(*(column(k, rnd, length) for k in kinds)))
    expected_objects = reference_objects(columns, rows)
    got_objects = rows_as_objects(columns, rows)
    assert json.dumps(got_objects, ensure_ascii=False) == json.dumps(expected_objects, ensure_ascii=False), kinds
    assert to_csv(columns, rows) == reference_csv(columns, rows), kinds
    assert to_ndjson(columns, rows) == "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in expected_objects)


def test_rows_of_different_lengths_are_written_cell_by_cell():
    rows = [(1, "a", True), (2.5, None), ()]
    assert to_csv(["x", "y", "z"], rows) == "x,y,z\n1,a,true\n2.5,\n\n"
    assert rows_as_objects(["x", "y", "z"], rows) == [{"x": 1, "y": "a", "z": True}, {"x": 2.5, "y": None}, {}]


def test_one_empty_cell_is_quoted_so_the_line_is_not_blank():
    assert to_csv(["only"], [(None,), ("",), ("x",)]) == 'only\n""\n""\nx\n'


def test_no_rows_and_no_header():
    assert to_csv(["a", "b"], []) == "a,b\n"
    assert to_csv(["a", "b"], [(1, 2)], header=False) == "1,2\n"
    assert rows_as_objects(["a"], []) == []
    assert rows_as_objects(["a"], iter([(1,)])) == [{"a": 1}]


def arrow_table(seed: int):
    import pyarrow as pa

    rnd = random.Random(seed)
    n = rnd.choice([1, 3, 40])

    def pick(pool):
        return [rnd.choice(pool) for _ in range(n)]

    candidates = {
        "i64": pa.array(pick([0, -1, 2**62, None]), pa.int64()),
        "i32": pa.array(pick([7, -300, None]), pa.int32()),
        "bool": pa.array(pick([True, False, None]), pa.bool_()),
        "date": pa.array(pick([dt.date(2020, 2, 29), None]), pa.date32()),
        "f64": pa.array(pick(VALUES["float"] + VALUES["nonfinite"]), pa.float64()),
        "f64null": pa.array(pick(VALUES["float"] + [None]), pa.float64()),
        "f32": pa.array(pick([0.1, 2.5, None]), pa.float32()),
        "str": pa.array(pick(VALUES["str"] + [None]), pa.string()),
        "large": pa.array(pick(VALUES["str"]), pa.large_string()),
        "ts": pa.array(pick([dt.datetime(2021, 1, 2, 3, 4, 5), None]), pa.timestamp("us")),
        "time": pa.array(pick([dt.time(12, 30), dt.time(1, 2, 3, 4)]), pa.time64("us")),
        "dec": pa.array(pick(VALUES["decimal"][:1] + [decimal.Decimal("2.25"), None]), pa.decimal128(10, 2)),
        "list": pa.array(pick([[1, 2], [], None]), pa.list_(pa.int64())),
        "struct": pa.array(pick([{"k": "a,b"}, None]), pa.struct([("k", pa.string())])),
        "null": pa.nulls(n),
        "dict": pa.array(pick(["x", "y,z", None])).dictionary_encode(),
    }
    names = rnd.sample(sorted(candidates), rnd.randint(1, 5))
    return pa.table({name: candidates[name] for name in names})


@pytest.mark.parametrize("seed", range(60))
def test_arrow_csv_is_byte_identical_to_the_rows_csv(seed):
    from service.formats import arrow_to_csv

    table = arrow_table(seed)
    rows = list(zip(*(c.to_pylist() for c in table.columns)))
    expected = to_csv(table.schema.names, rows).encode("utf-8")
    assert arrow_to_csv(table) == expected, table.schema.names
    batch = table.combine_chunks().to_batches()[0].slice(1) if table.num_rows > 1 else None
    if batch is not None:  # a slice: offsets that do not start at zero
        rows = list(zip(*(c.to_pylist() for c in batch.columns)))
        assert arrow_to_csv(batch, header=False) == to_csv(batch.schema.names, rows, header=False).encode("utf-8")


@pytest.mark.parametrize("seed", range(60))
def test_arrow_objects_are_the_rows_objects(seed):
    from service.formats import arrow_as_objects

    table = arrow_table(seed)
    rows = list(zip(*(c.to_pylist() for c in table.columns)))
    expected = json.dumps(rows_as_objects(table.schema.names, rows), ensure_ascii=False)
    assert json.dumps(arrow_as_objects(table), ensure_ascii=False) == expected, table.schema.names


def test_arrow_objects_with_same_named_columns_keep_what_zip_keeps():
    import pyarrow as pa

    from service.formats import arrow_as_objects

    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])
    assert arrow_as_objects(table) == rows_as_objects(["a", "a"], [(1, 2)]) == [{"a": 2}]


def test_arrow_csv_writes_doubles_of_every_magnitude_as_repr():
    """Arrow's own text for a double is kept only where it is repr's (a fraction, 1e-4 to 1e9); 200,000
    random doubles from 1e-12 to 1e22, rounded, negated, integral and at the edges of that range."""
    import numpy as np
    import pyarrow as pa

    from service.formats import arrow_to_csv

    rng = np.random.default_rng(17)
    n = 200_000
    x = rng.random(n) * 10.0 ** rng.integers(-12, 23, n)
    x[::5] = np.round(x[::5], 2)
    x[::7] = np.floor(x[::7])
    x[::3] = -x[::3]
    edges = [1e-4, np.nextafter(1e-4, 0), np.nextafter(1e-4, 1), 1e9, np.nextafter(1e9, 0), 1e9 + 0.5,
             9999999999.5, 2.0**53 + 2, 5e-324, -0.0, float("nan"), float("inf")]
    x = np.concatenate([x, edges])
    table = pa.table({"x": pa.array(x), "n": pa.array(np.arange(len(x)))})
    assert arrow_to_csv(table) == to_csv(["x", "n"], list(zip(x.tolist(), range(len(x))))).encode("utf-8")


# DuckDB values of each type, by SQL; the typed path of rows_as_objects must give what jsonable gives
TYPED = {
    "BOOLEAN": ["true", "false", "null"],
    "TINYINT": ["-128", "127"], "SMALLINT": ["-32768"], "INTEGER": ["2147483647", "null"],
    "BIGINT": ["-9223372036854775808", "9223372036854775807"], "UBIGINT": ["18446744073709551615", "0"],
    "HUGEINT": ["170141183460469231731687303715884105727", "1"],
    "VARCHAR": ["''", "'中文'", "'a\"b'", "chr(0)", "null"],
    "DOUBLE": ["0.1", "-0.0", "1e308", "1e308", "'nan'", "'inf'", "'-inf'", "null", "5e-324"],
    "FLOAT": ["0.1", "3.4e38", "'nan'"],
    "DECIMAL(18,3)": ["1.5", "-123456789012345.678"], "DATE": ["'2020-02-29'"], "BLOB": ["'\\xff'"],
}


@pytest.mark.parametrize("seed", range(30))
def test_typed_rows_give_what_the_values_give(seed):
    import duckdb

    rnd = random.Random(seed)
    kinds = [rnd.choice(sorted(TYPED)) for _ in range(rnd.randint(1, 4))]
    length = rnd.choice([1, 2, 5, 40])
    cells = [[f"({rnd.choice(TYPED[k])})::{k}" for k in kinds] for _ in range(length)]
    sql = " union all ".join("select " + ", ".join(f"{c} as c{i}" for i, c in enumerate(row)) for row in cells)
    cursor = duckdb.connect().execute(sql)
    columns, types = [d[0] for d in cursor.description], [str(d[1]) for d in cursor.description]
    rows = cursor.fetchall()
    assert types == kinds
    typed = rows_as_objects(columns, rows, types)
    assert json.dumps(typed, ensure_ascii=False) == json.dumps(reference_objects(columns, rows), ensure_ascii=False)
