"""Rows of one released table without SQL: equality filters, a sort, pages by keyset.

The page after another starts after the last row's sort value and key (the primary key, or DuckDB's
``rowid`` of the immutable table, which was written in primary-key order), carried in an opaque
``next`` token: no OFFSET scan, and pages stay stable because a release never changes.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from .errors import NotFound, QueryError
from .sandbox import Sandbox
from .warehouse import quote_ident

DEFAULT_SIZE = 100


@dataclass
class Page:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    next: str | None


@dataclass(frozen=True)
class Request:
    filters: dict[str, list[str]]
    sort: str | None = None
    descending: bool = False
    size: int = DEFAULT_SIZE
    after: str | None = None


def table_columns(box: Sandbox, schema: str, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a released table, in table order."""
    result = box.run_trusted("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = $s "
                             "AND table_name = $t ORDER BY column_index", {"s": schema, "t": table})
    if not result.rows:
        raise NotFound(f"no table {schema}.{table} in this release", details={"table": f"{schema}.{table}"})
    return dict(result.rows)


def read_page(box: Sandbox, schema: str, table: str, key: list[str], ask: Request) -> Page:
    columns = table_columns(box, schema, table)
    _check(columns, ask, box.max_rows)
    _check_values(box, columns, ask.filters)
    key = key if key and all(k in columns for k in key) else ["rowid"]
    types = dict(columns, rowid="BIGINT")
    params: dict[str, object] = {}
    where = [_filter(name, values, types[name], params) for name, values in ask.filters.items()]
    order_cols = ([ask.sort] if ask.sort else []) + [k for k in key if k != ask.sort]
    if ask.after:
        where.append(_after(order_cols, types, _decode(ask.after, len(order_cols)), ask, params))
    order = ([f"{quote_ident(ask.sort)}{' DESC' if ask.descending else ''} NULLS LAST"] if ask.sort else [])
    order += [_name(k) for k in order_cols[1 if ask.sort else 0:]]
    hidden = [k for k in order_cols if k not in columns]
    sql = (f"SELECT {', '.join(map(quote_ident, columns))}{''.join(', ' + k for k in hidden)} "
           f"FROM {quote_ident(schema)}.{quote_ident(table)}"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + f" ORDER BY {', '.join(order)} LIMIT {ask.size + 1}")
    result = box.run_trusted(sql, params)
    rows = result.rows[: ask.size]
    token = None
    if len(result.rows) > ask.size and rows:
        names = list(columns) + hidden
        last = dict(zip(names, rows[-1]))
        token = _encode([last[c] for c in order_cols])
    width = len(columns)
    return Page(list(columns), list(columns.values()), [r[:width] for r in rows], token)


def _check(columns: dict[str, str], ask: Request, max_rows: int) -> None:
    for name in ask.filters:
        if name not in columns:
            raise QueryError(f"no column {name!r} to filter on; columns: {', '.join(columns)}",
                             code="bad-parameter", details={"parameter": name, "columns": list(columns)})
    if ask.sort is not None and ask.sort not in columns:
        raise QueryError(f"no column {ask.sort!r} to sort by; columns: {', '.join(columns)}",
                         code="bad-parameter", details={"parameter": "_sort", "columns": list(columns)})
    if not 1 <= ask.size <= max_rows:
        raise QueryError(f"_size must be between 1 and {max_rows}, got {ask.size}", code="bad-parameter",
                         details={"parameter": "_size"})


def _check_values(box: Sandbox, columns: dict[str, str], filters: dict[str, list[str]]) -> None:
    """A filter value that cannot be read as its column's type is an error, not an empty page."""
    asked = [(name, value) for name, values in filters.items() for value in values]
    if not asked:
        return
    params = {f"v{i}": value for i, (_, value) in enumerate(asked)}
    probes = [f"TRY_CAST($v{i} AS {columns[name]}) IS NULL" for i, (name, _) in enumerate(asked)]
    for (name, value), bad in zip(asked, box.run_trusted("SELECT " + ", ".join(probes), params).rows[0]):
        if bad:
            raise QueryError(f"filter {name}={value!r}: not a value of column {name} ({columns[name]})",
                             code="bad-parameter", details={"parameter": name, "type": columns[name]})


def _filter(name: str, values: list[str], kind: str, params: dict) -> str:
    slots = []
    for value in values:
        slot = f"f{len(params)}"
        params[slot] = value
        slots.append(f"CAST(${slot} AS {kind})")
    column = quote_ident(name)
    return f"{column} IN ({', '.join(slots)})"


def _name(column: str) -> str:
    return column if column == "rowid" else quote_ident(column)


def _after(order_cols: list[str], types: dict, values: list, ask: Request, params: dict) -> str:
    """Rows after (values) in the page order: the sort column (nulls last) if any, then the key ascending."""
    names = []
    for column, value in zip(order_cols, values):
        if value is None:  # only the sort column can be null (nulls come last)
            names.append((_name(column), "NULL", True))
            continue
        slot = f"k{len(params)}"
        params[slot] = value
        names.append((_name(column), f"CAST(${slot} AS {types[column]})", False))
    key_names = names[1:] if ask.sort else names
    terms, equal = [], []
    for column, slot, _ in key_names:
        terms.append(" AND ".join(equal + [f"{column} > {slot}"]))
        equal.append(f"{column} = {slot}")
    key_after = "(" + " OR ".join(f"({t})" for t in terms) + ")" if terms else "false"
    if not ask.sort:
        return key_after
    column, slot, is_null = names[0]
    if is_null:
        return f"({column} IS NULL AND {key_after})"
    op = "<" if ask.descending else ">"
    return f"({column} {op} {slot} OR {column} IS NULL OR ({column} = {slot} AND {key_after}))"


def _encode(values: list) -> str:
    text = json.dumps([None if v is None else str(v) for v in values], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(token: str, width: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        values = None
    if not isinstance(values, list) or len(values) != width or not all(
            v is None or isinstance(v, str) for v in values):
        raise QueryError("_next is not a token this table gave: start again from the first page",
                         code="bad-parameter", details={"parameter": "_next"})
    return values
