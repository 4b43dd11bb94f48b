"""Whether the DuckDB fast path implements everything a resource declares.

``gaps(resource, schema)`` lists what the fast path does not implement for one
resource (empty: the fast path judges it); the caller then lets frictionless
itself check that resource, so the two engines never differ. ``csv_dialect``
reads the dialect the way frictionless does (v1 flat keys or v2 ``csv``
control), so both engines agree on what was declared.

The fast path implements: CSV and TSV files on disk; ``delimiter``,
``quoteChar`` (one character, or none), ``doubleQuote`` (frictionless applies
it only with an ``escapeChar``), ``lineTerminator`` (Python's reader ignores it
and splits on CR, LF and CRLF, as DuckDB does), ``skipInitialSpace``,
``header`` (true or false), one header row at any position (``headerRows``);
schema field types string, integer, number, boolean, date, datetime, time,
year, yearmonth and any in their default formats, string format ``uuid``,
number ``groupChar``/``decimalChar``/``bareNumber``, missing values, every
constraint, primary, unique and foreign keys (not on datetime or time fields),
``fieldsMatch: exact``. Some cells are judged only by Python's readers (digits
other than ASCII, long decimals in keys or bounds...): ``sqlchecks.uncertain``
finds them, and a resource holding one falls back too (``tabular.Fallback``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .sqlchecks import CHECKED_TYPES

# dialect properties (frictionless' names) the fast path reads correctly
DIALECT_KEYS = {"header", "headerRows", "headerJoin", "headerCase", "csv", "name", "title", "description",
                "$schema", "type", "caseSensitiveHeader", "csvddfVersion", "skipBlankRows",
                "delimiter", "lineTerminator", "quoteChar", "doubleQuote", "escapeChar", "nullSequence",
                "skipInitialSpace", "commentChar", "commentRows"}
CSV_FORMATS = {"csv", "tsv"}
KEYED_CHECKS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum")


@dataclass
class CsvDialect:
    """What the resource declares (None: not declared, frictionless sniffs it)."""
    header: bool = True
    header_rows: list | None = None     # declared headerRows
    header_explicit: bool = False       # header or headerRows declared (no header-row guessing)
    delimiter: str | None = None
    quote_char: str | None = None
    escape_char: str | None = None
    double_quote: bool = True
    skip_initial_space: bool | None = None


def csv_dialect(resource: dict) -> CsvDialect:
    """The resource's CSV dialect as frictionless reads it (no dialect: frictionless' defaults,
    without importing it)."""
    if not resource.get("dialect"):
        return CsvDialect()
    from frictionless import Dialect
    from frictionless.formats import CsvControl

    dialect = Dialect.from_descriptor(copy.deepcopy(resource.get("dialect") or {}))
    control = CsvControl.from_dialect(dialect)
    escape = control.get_defined("escape_char")
    return CsvDialect(
        header=dialect.header, header_explicit=dialect.has_defined("header") or dialect.has_defined("header_rows"),
        header_rows=list(dialect.header_rows) if dialect.has_defined("header_rows") else None,
        delimiter=control.get_defined("delimiter"), quote_char=control.get_defined("quote_char"),
        escape_char=escape, double_quote=control.double_quote if escape else True,
        skip_initial_space=control.get_defined("skip_initial_space"))


def gaps(resource: dict, schema: dict) -> list[str]:
    """What of this resource's descriptor the fast path does not implement."""
    out = _source_gaps(resource) + _dialect_gaps(resource)
    keys = _key_names(schema)
    for item in schema.get("fields", []):
        out += _field_gaps(item, keys)
    if schema.get("fieldsMatch", "exact") != "exact":
        out.append(f'fieldsMatch "{schema["fieldsMatch"]}"')
    return out


def file_format(resource: dict) -> str | None:
    """The declared format, else the path's extension (frictionless' rule)."""
    path = resource.get("path")
    name = path[0] if isinstance(path, list) and path else path
    fmt = resource.get("format")
    if fmt is None and isinstance(name, str) and "." in name.rsplit("/", 1)[-1]:
        fmt = name.rsplit(".", 1)[-1].lower()
    return fmt


def _source_gaps(resource: dict) -> list[str]:
    path = resource.get("path")
    if "data" in resource and path is None:
        return ["inline data"]
    name = path[0] if isinstance(path, list) and path else path
    fmt = file_format(resource)
    if fmt not in CSV_FORMATS:
        return [f'format "{fmt}"']
    if resource.get("compression") or (isinstance(name, str) and name.lower().endswith((".gz", ".zip", ".bz2"))):
        return ["compressed file"]
    return []


def _dialect_gaps(resource: dict) -> list[str]:
    raw = resource.get("dialect") or {}
    if not isinstance(raw, dict):
        return ["dialect given by reference"]
    out = [f"dialect {key}" for key in raw if key not in DIALECT_KEYS]
    raw = dict(raw, **(raw.get("csv") or {}))
    if raw.get("commentChar"):
        out.append("dialect commentChar")
    if raw.get("commentRows"):
        out.append("dialect commentRows")
    if raw.get("escapeChar"):
        out.append("dialect escapeChar")
    if raw.get("nullSequence") is not None:
        out.append("dialect nullSequence")
    if raw.get("skipBlankRows"):
        out.append("dialect skipBlankRows")
    if raw.get("headerCase") is False or raw.get("caseSensitiveHeader") is False:
        out.append("dialect headerCase false")
    rows = raw.get("headerRows")
    if rows is not None and (not isinstance(rows, list) or len(rows) != 1
                             or not isinstance(rows[0], int) or rows[0] < 1):
        out.append("dialect headerRows " + str(rows))
    quote = raw.get("quoteChar")
    if quote is not None and len(quote) != 1:
        out.append("dialect quoteChar of several characters" if quote else "dialect quoteChar empty (no quoting)")
    delimiter = raw.get("delimiter")
    if delimiter is not None and len(delimiter) != 1:
        out.append("dialect delimiter of several characters")
    return out


def _field_gaps(item: dict, keys: set[str]) -> list[str]:
    kind, fmt = item.get("type", "any"), item.get("format", "default")
    name = item.get("name")
    if kind not in CHECKED_TYPES:
        return [f'field "{name}" of type {kind}']
    if kind in ("date", "datetime", "time") and fmt != "default":
        return [f'field "{name}" {kind} format "{fmt}"']
    if kind == "string" and fmt not in ("default", "uuid"):
        return [f'field "{name}" string format "{fmt}"']
    keyed = name in keys or (item.get("constraints") or {}).get("unique")
    bounded = any(k in (item.get("constraints") or {}) for k in KEYED_CHECKS)
    if kind in ("datetime", "time") and (keyed or bounded):
        return [f'field "{name}" {kind} in a key or a bound']
    return []


def _key_names(schema: dict) -> set[str]:
    """The fields of the primary key and of every foreign key (local and referenced)."""
    pk = schema.get("primaryKey") or []
    names = {pk} if isinstance(pk, str) else set(pk)
    for fk in schema.get("foreignKeys") or []:
        fields = fk.get("fields") or []
        names |= {fields} if isinstance(fields, str) else set(fields)
        ref = (fk.get("reference") or {}).get("fields") or []
        names |= {ref} if isinstance(ref, str) else set(ref)
    return names
