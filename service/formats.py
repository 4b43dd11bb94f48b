"""Query results as JSON, CSV and NDJSON."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import operator
import uuid


def jsonable(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value) if value == value.to_integral_value() or abs(value) < 1e15 else str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def rows_as_objects(columns: list[str], rows: list[tuple], types: list[str] | None = None) -> list[dict]:
    """The rows as JSON objects, each value as ``jsonable`` gives it. ``types`` (DuckDB's, one per
    column) lets a query's rows skip the look at each value when their types say it is plain JSON."""
    rows = list(rows)
    plain = plain_objects(columns, rows, types) if types is not None else None
    if plain is not None:
        return plain
    values = _columns(rows)
    slow = [i for i, column in enumerate(values or ()) if not _plain(column, _JSON_NATIVE)]
    if values is None or len(slow) == len(values):
        return [dict(zip(columns, map(jsonable, row))) for row in rows]
    for i in slow:
        values[i] = list(map(jsonable, values[i]))
    return [dict(zip(columns, row)) for row in (zip(*values) if slow else rows)]


def arrow_as_objects(table) -> list[dict]:
    """An Arrow table's rows as objects: ``rows_as_objects`` of its Python values, with the dicts
    built by Arrow (only columns that are not plain JSON go through ``jsonable``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = list(table.schema.names)
    if len(set(names)) != len(names):  # Arrow and zip may keep a different one of two same-named columns
        return rows_as_objects(names, list(zip(*(c.to_pylist() for c in table.columns))))
    rows = table.to_pylist()
    for name, column in zip(names, table.columns):
        kind = column.type
        plain = (pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_string(kind)
                 or pa.types.is_large_string(kind) or pa.types.is_null(kind))
        if pa.types.is_floating(kind):
            plain = column.null_count == len(column) or pc.all(pc.is_finite(column)).as_py()
        if not plain:
            for row in rows:
                row[name] = jsonable(row[name])
    return rows


def to_csv(columns: list[str], rows: list[tuple], *, header: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(columns)
    rows = list(rows)
    values = _columns(rows)
    if values is None:  # rows of different lengths: cell by cell
        values = [["" if v is None else _csv_cell(v) for v in row] for row in rows]
        writer.writerows(values)
        return out.getvalue()
    slow = [i for i, column in enumerate(values) if not _plain(column, _CSV_NATIVE)]
    for i in slow:
        values[i] = ["" if v is None else _csv_cell(v) for v in values[i]]
    writer.writerows(zip(*values) if slow else rows)
    return out.getvalue()


def _columns(rows: list) -> list | None:
    """The rows transposed into columns, or None when they differ in length (or there are none)."""
    if not rows or len(set(map(len, rows))) != 1:
        return None
    return list(zip(*rows))


# Column by column, the values that need no conversion: a JSON encoder writes them as ``jsonable``
# would give them (floats only when finite), the csv module writes them as ``_csv_cell`` would
# (None as an empty cell, floats by repr). The loops here run in C: a plain column costs little.
_JSON_NATIVE = frozenset({type(None), bool, int, str, float})
_CSV_NATIVE = frozenset({type(None), int, str, float})


# DuckDB types whose Python values are JSON as they are (``jsonable`` returns them unchanged): None,
# bool, int within 64 bits (what orjson writes), str; floats too, when finite (checked on the values)
_JSON_TYPES = frozenset({"BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                         "UINTEGER", "UBIGINT", "VARCHAR"})
_FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})


def plain_objects(columns: list[str], rows: list[tuple], types: list[str]) -> list[dict] | None:
    """The rows as objects when DuckDB's ``types`` (one per column) say every value is plain JSON (what
    ``jsonable`` returns unchanged, and any JSON encoder writes alike), else None."""
    return [dict(zip(columns, row)) for row in rows] if _json_typed(rows, types) else None


def _json_typed(rows: list[tuple], types: list[str]) -> bool:
    if rows and len(rows[0]) != len(types):
        return False
    for i, kind in enumerate(types):
        if kind in _FLOAT_TYPES:
            try:  # as in ``_plain``: a sum is finite only if every term is
                if not math.isfinite(sum(filter(None, map(operator.itemgetter(i), rows)))):
                    return False
            except (OverflowError, TypeError):
                return False
        elif kind not in _JSON_TYPES:
            return False
    return True


def _plain(column: tuple, native: frozenset) -> bool:
    kinds = set(map(type, column))
    if not kinds <= native:
        return False
    if float not in kinds or native is _CSV_NATIVE:
        return True
    try:  # a sum is finite only if every term is (None and 0 are dropped by the filter)
        return math.isfinite(sum(filter(None, column)))
    except (OverflowError, TypeError):
        return False


def _csv_cell(value) -> str:
    converted = jsonable(value)
    if isinstance(converted, (list, dict)):
        return json.dumps(converted, ensure_ascii=False)
    if isinstance(converted, bool):
        return "true" if converted else "false"
    return str(converted)


def to_ndjson(columns: list[str], rows: list[tuple]) -> str:
    return ndjson_lines(rows_as_objects(columns, rows))


def ndjson_lines(objects: list[dict]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)


def to_parquet(table) -> bytes:
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def arrow_to_csv(batch, *, header: bool = True) -> bytes:
    """An Arrow record batch (or table) as CSV: the same bytes as ``to_csv`` of its rows, built by
    Arrow's compute kernels (floats, and types Arrow would render otherwise, through Python). Cells
    with nothing to quote (the usual case) are laid out by Arrow's CSV writer, which then quotes
    nothing; otherwise the cells, quoted as the csv module quotes them, are joined by the kernels."""
    import pyarrow as pa

    head = to_csv(list(batch.schema.names), [], header=header).encode("utf-8")
    parts = batch.to_batches() if isinstance(batch, pa.Table) else [batch]
    return b"".join([head, *map(arrow_csv_lines, parts)])


def arrow_csv_lines(batch):
    """``arrow_to_csv`` of one record batch without its header, as a bytes-like object (an Arrow
    buffer or a view of one: the lines are not copied into a bytes object of their own)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = list(batch.schema.names)
    if batch.num_rows == 0 or len(columns) < 2:  # one column: csv quotes an empty cell; keep it
        return to_csv(columns, list(zip(*(c.to_pylist() for c in batch.columns))), header=False).encode("utf-8")
    cells = [_arrow_cells(column, pa, pc) for column in batch.columns]
    if all(plain for _, plain in cells):
        return _write_unquoted([text for text, _ in cells], pa)
    lines = pc.binary_join_element_wise(*(text for text, _ in cells), ",", null_handling="replace",
                                        null_replacement="")
    lines = pc.binary_join_element_wise(lines, "", "\n")  # each line and its end
    return _data(lines)


def _write_unquoted(cells: list, pa):
    """String columns none of whose cells holds a character to quote, as CSV lines by Arrow's writer
    (nulls empty, ``\n`` after each line): what joining them with commas gives, at a third of the cost."""
    import pyarrow.csv as pacsv

    out = pa.BufferOutputStream()
    table = pa.RecordBatch.from_arrays(cells, names=[str(i) for i in range(len(cells))])
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return out.getvalue()


def _float_cells(column, pa, pc):
    """Floats as Python's repr writes them. Arrow's shortest form is the same text for a finite
    value with a fraction whose magnitude is in [1e-4, 1e9) (checked on millions of random doubles;
    Arrow writes an exponent from about 1e10, and repr below 1e-4); the others (integral values,
    exponents, nan, inf) are written by repr. The test is numpy's, on the column's own buffer."""
    import numpy as np

    text = pc.cast(column, pa.string())
    values = column.to_numpy(zero_copy_only=False)  # nulls come as nan: taken out below
    size = np.abs(values)
    with np.errstate(invalid="ignore"):
        other = ~(np.isfinite(values) & (values != np.floor(values)) & (size >= 1e-4) & (size < 1e9))
    if column.null_count:
        other &= column.is_valid().to_numpy(zero_copy_only=False)
    if not other.any():
        return text
    values = values[other].tolist()
    return pc.replace_with_mask(text, pa.array(other), pa.array(list(map(repr, values)), pa.string()))


def _data(strings) -> memoryview:
    """The characters of a string array without nulls: its data buffer between its first and last offset."""
    _, offsets, data = strings.buffers()
    offsets = memoryview(offsets).cast("i")
    return memoryview(data)[offsets[strings.offset]:offsets[strings.offset + len(strings)]]


def _holds_any(strings, chars) -> bool:
    """Whether any string of the array holds one of ``chars`` (searched in its data buffer)."""
    strings = strings.combine_chunks() if hasattr(strings, "combine_chunks") else strings
    if strings.null_count == len(strings):
        return False
    data = bytes(_data(strings)) if strings.type == _string_type() else None
    if data is None:
        return True  # another layout: let the kernels tell
    return any(char.encode("utf-8") in data for char in chars)


def _string_type():
    import pyarrow as pa

    return pa.string()


# what makes the csv module quote a cell (a carriage return too, in Pythons whose csv quotes it)
_NEEDS_QUOTES = (",", '"', "\n") + (("\r",) if to_csv(["a\rb"], []) != "a\rb\n" else ())
_STRUCTURAL = (",", '"', "\n", "\r")  # what Arrow's writer refuses to write unquoted


def _arrow_cells(column, pa, pc):
    """One column as CSV cells (a string array; nulls stay null), quoted as the csv module would, and
    whether none of its cells holds a comma, a quote or a line end (Arrow's writer takes it as it is)."""
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_date32(kind):
        return pc.cast(column, pa.string()), True  # digits, true/false, ISO dates: what _csv_cell writes
    if pa.types.is_floating(kind):
        text = _float_cells(pc.cast(column, pa.float64()), pa, pc)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = pc.cast(column, pa.string())
    else:
        text = pa.array([None if v is None else _csv_cell(v) for v in column.to_pylist()], pa.string())
    if not _holds_any(text, _STRUCTURAL):  # one pass over the characters, no kernel per mark
        return text, True
    needs = None
    for char in _NEEDS_QUOTES:
        found = pc.match_substring(text, char)
        needs = found if needs is None else pc.or_(needs, found)
    if not pc.any(needs).as_py():
        return text, False
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text), False
