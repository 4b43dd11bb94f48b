"""Loads a package's resources into an SQLite file for the expectation suites.

Each resource becomes a table named after it (in snake case: ``cities-nsa`` -> ``cities_nsa``), columns typed by the schema
(integer -> INTEGER, number -> REAL, boolean -> INTEGER 0/1, else TEXT; a
missing value -> NULL), plus ``_row``: the CSV row number as frictionless
counts it (header = 1, first data row = 2), so findings can name the row.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..catalog import Package, Resource, snake

ROW_COLUMN = "_row"
_SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "year": "INTEGER"}
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
_BATCH = 5000


def load_package_tables(db: sqlite3.Connection, package: Package, prefix: str = "") -> dict[str, int]:
    """Create one table per CSV resource (named ``prefix + resource``); returns row counts."""
    db.execute("PRAGMA journal_mode = OFF")  # a throwaway file: no journal, no fsync
    db.execute("PRAGMA synchronous = OFF")
    counts = {}
    for resource in package.resources:
        if resource.path and resource.schema.get("fields"):
            counts[resource.name] = load_resource(db, package.folder, resource, prefix + snake(resource.name))
    db.commit()
    return counts


def cross_package_prefix(package_name: str) -> str:
    return f"{snake(package_name)}__"


def load_resource(db: sqlite3.Connection, folder: Path, resource: Resource, table: str) -> int:
    fields = resource.schema["fields"]
    columns = ", ".join(f'"{f["name"]}" {_SQL_TYPES.get(f.get("type"), "TEXT")}' for f in fields)
    db.execute(f'DROP TABLE IF EXISTS "{table}"')
    db.execute(f'CREATE TABLE "{table}" ("{ROW_COLUMN}" INTEGER, {columns})')
    insert = f'INSERT INTO "{table}" VALUES ({", ".join("?" * (len(fields) + 1))})'
    converters = [_converter(f, resource.schema) for f in fields]
    count = 0
    batch: list[tuple] = []
    for row_number, cells in _rows(folder / resource.path, resource.descriptor):
        values = [conv(cells[i] if i < len(cells) else None) for i, conv in enumerate(converters)]
        batch.append((row_number, *values))
        if len(batch) >= _BATCH:
            db.executemany(insert, batch)
            count += len(batch)
            batch.clear()
    db.executemany(insert, batch)
    return count + len(batch)


def _rows(path: Path, descriptor: dict) -> Iterator[tuple[int, list[str]]]:
    dialect = descriptor.get("dialect") or {}
    delimiter = dialect.get("delimiter", ",")
    quotechar = dialect.get("quoteChar", '"')
    encoding = descriptor.get("encoding") or "utf-8"
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    with open(path, newline="", encoding=encoding, errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quotechar)
        row_number = 0
        for cells in reader:
            row_number += 1
            if row_number == 1 and dialect.get("header", True):
                continue
            if not cells:
                continue
            yield row_number, cells


def _converter(field: dict, schema: dict):
    missing = set(field.get("missingValues", schema.get("missingValues", [""])))
    kind = field.get("type", "string")
    if kind == "boolean":
        true = set(field.get("trueValues", _TRUE))
        false = set(field.get("falseValues", _FALSE))

        def convert(cell):
            if cell is None or cell in missing:
                return None
            return 1 if cell in true else 0 if cell in false else None
    elif kind in ("integer", "year", "number"):
        cast = float if kind == "number" else int
        group = field.get("groupChar")

        def convert(cell):
            if cell is None or cell in missing:
                return None
            try:
                return cast(cell.replace(group, "") if group else cell)
            except ValueError:
                return None
    else:
        def convert(cell):
            return None if cell is None or cell in missing else cell
    return convert
