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

from service.web.formats import _csv_cell, jsonable, rows_as_objects, to_csv, to_ndjson

VALUES = {
    "none": [None],
    "bool": [True, False],
    "int": [0, -7, 2**62, 10**30],
    "str": ["", "a", "a,b", 'say "hi"', "line\nbreak", "cr\r", " padded ", "中文", "-"],
    "float": [0.0, -0.0, 1.0, 1e16, 1e-05, 2.5, 1234.56, 1.7976931348623157e308],
    "nonfinite": [float("nan"), float("inf"), float("-inf")],
    "decimal": [decimal.Decimal("1.50"), decimal.Decimal("12345678901234567.5"), decimal.Decimal("3")],
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
