"""Starter suites: expectations drawn from a resource's schema and a profile of its data.

The profile is computed by DuckDB over the CSV. What it writes is a start
for the maintainer to edit: row count range, non-null, numeric ranges,
value sets of low-cardinality text columns, uniqueness of keys.
"""

from __future__ import annotations

import duckdb

from ..catalog import Package, Resource
from ..warehouse import load_table, quote_ident

MAX_SET = 20  # a text column with at most this many distinct values gets a value-set expectation
_NUMERIC = {"integer", "number", "year"}


def starter_suite(package: Package, resource: Resource) -> dict:
    fields = resource.schema.get("fields") or []
    con = duckdb.connect(config={"threads": 2})
    try:
        rows = load_table(con, "t", package.folder / resource.path, resource)
        expectations = [_expect("expect_table_row_count_to_be_between", "row-count",
                                f"about as many rows as profiled ({rows})",
                                min_value=max(1, rows // 2), max_value=rows * 2 + 10)]
        for field in fields:
            expectations += _column(con, field, rows, resource)
    finally:
        con.close()
    return {"name": f"{package.name}.{resource.name}", "expectations": expectations,
            "meta": {"generated_by": "socsec expectations init", "profiled_rows": rows,
                     "note": "A starting point: edit the bounds and sets to state what must hold."}}


def _column(con, field: dict, rows: int, resource: Resource) -> list[dict]:
    name = field["name"]
    col = quote_ident(name)
    nulls, distinct, low, high = con.execute(
        f"SELECT count(*) - count({col}), count(DISTINCT {col}), min({col})::VARCHAR, max({col})::VARCHAR "
        f"FROM t").fetchone()
    out = []
    if rows and nulls == 0:
        out.append(_expect("expect_column_values_to_not_be_null", f"{name}-present",
                           f"{name} is never empty", column=name))
    kind = field.get("type", "string")
    if kind in _NUMERIC and low is not None:
        cast = float if kind == "number" else int
        out.append(_expect("expect_column_values_to_be_between", f"{name}-range",
                           f"{name} within the profiled range", column=name,
                           min_value=cast(float(low)), max_value=cast(float(high))))
    elif kind == "string" and field.get("format", "default") == "default" and 0 < distinct <= MAX_SET and distinct < rows:
        values = [v for (v,) in con.execute(f"SELECT DISTINCT {col} FROM t WHERE {col} IS NOT NULL ORDER BY 1").fetchall()]
        out.append(_expect("expect_column_values_to_be_in_set", f"{name}-values",
                           f"{name} is one of the profiled values", column=name, value_set=values))
    if rows and distinct == rows and (name in resource.primary_key or kind in ("string", "integer")):
        out.append(_expect("expect_column_values_to_be_unique", f"{name}-unique",
                           f"{name} identifies a row", column=name))
    return out


def _expect(kind: str, name: str, description: str, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"name": name, "description": description}}
