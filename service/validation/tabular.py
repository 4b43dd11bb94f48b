"""Fast structural validation of CSV resources, compiled to DuckDB SQL.

``check_resource`` gives the findings frictionless-py 5.21 gives (same codes,
row numbers and field names) in a fraction of the time: the CSV is read once
by DuckDB as VARCHAR columns (ragged rows padded with NULL), each check family
is one SQL query with ``LIMIT``, and the file-level facts (bytes, hash, UTF-8,
blank lines) come from one streaming pass in Python (``rawscan``).

Codes: frictionless' own (``scheme-error``, ``encoding-error``, ``hash-count``,
``byte-count``, ``extra-label``, ``missing-label``, ``blank-label``,
``duplicate-label``, ``incorrect-label``, ``blank-row``, ``extra-cell``,
``missing-cell``, ``type-error``, ``constraint-error``, ``unique-error``,
``primary-key``, ``foreign-key``, ``source-error``, ``resource-error`` for an
unsafe path or a foreign key to an unknown resource, ``field-error`` for an
unknown field type) plus ``empty-resource`` (ours: a header and no data rows);
``structure`` adds ``check-error`` (ours: an unexpected error while checking).

Fall back, never differ: ``check_resource`` first asks ``fastpath.gaps``
whether the fast path implements everything the resource declares (dialect,
field types and formats, ``fieldsMatch``...); if not, and when the loaded data
holds a cell only Python's readers can judge (``sqlchecks.uncertain``: digits
other than ASCII, a UUID in another spelling, a decimal too long for a DOUBLE
in a key or a bound; also a space before a quoted cell under
``skipInitialSpace``, a line DuckDB's reader refuses), frictionless itself
checks the resource (``fallback``). ``ResourceCheck.engine`` says which engine
judged it, ``reason`` why. Tables of 100 fields or more are checked unpivoted
(``widechecks``). Encodings are detected as frictionless does (chardet on the
first 100 kB when they are not ASCII); on an invalid UTF-8 byte, the rows in
the 8 KiB text chunks before it are still checked, as frictionless does.

Known differences from frictionless 5.21 in findings (code, row, field): none.
The differential tests (tests/unit/test_tabular.py, test_dialects.py) hold
the two engines to it. Notes are worded by socsec, and an ``extra-label`` or
``extra-cell`` has no field (frictionless gives an empty name; the position is
in the note).
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from dataclasses import dataclass, field

from . import fastpath
from . import sqlchecks as sq
from .csvtable import Fallback, Stop, Table
from .fallback import frictionless_check
from .report import Finding


@dataclass
class ResourceCheck:
    findings: list[Finding] = field(default_factory=list)
    rows: int = 0
    partial: bool = False
    engine: str = "duckdb"
    reason: str = ""        # why frictionless judged it (empty: the fast path did)


def connect(tmp: str):
    import duckdb

    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB",
                                              "temp_directory": tmp, "preserve_insertion_order": True})
    con.execute("SET enable_progress_bar = false")
    sq.register(con)
    return con


def check_resource(package: str, resource: dict, base: pathlib.Path, *,
                   resources: dict[str, dict] | None = None, limit_errors: int = 1000,
                   engine: str = "duckdb", descriptor: dict | None = None) -> ResourceCheck:
    """Check one tabular resource like ``frictionless validate``: with DuckDB when the fast path
    implements all it declares, else (or with ``engine="frictionless"``) with frictionless, inside
    the package ``descriptor`` when given."""
    name = resource.get("name")
    resources = resources or {name: resource}
    make = lambda code, note, row=None, fld=None: Finding(
        code=code, package=package, resource=name, row=row, field=fld, note=note)
    base = pathlib.Path(base)
    try:
        schema = _schema(resource, base)
        if resource.get("path") is not None or "data" not in resource:
            _path(resource, base)  # an unsafe or missing path is refused before any engine reads it
        reasons = ["--engine frictionless"] if engine == "frictionless" else fastpath.gaps(resource, schema)
        if not reasons:
            return _fast(resource, base, schema, resources, limit_errors, make)
    except Stop as stop:
        return ResourceCheck([make(stop.code, stop.note, fld=stop.field)])
    except Fallback as fallback:
        reasons = [fallback.reason]
    findings, rows, partial = frictionless_check(package, resource, base, resources, limit_errors, descriptor)
    return ResourceCheck(findings, rows, partial, engine="frictionless", reason="; ".join(reasons))


def _fast(resource, base, schema, resources, limit, make) -> ResourceCheck:
    with tempfile.TemporaryDirectory(prefix="socsec-check-") as tmp:
        con = connect(tmp)
        try:
            return _check(con, pathlib.Path(tmp), resource, schema, base, resources, limit, make)
        finally:
            con.close()


def _check(con, tmp, resource, schema, base, resources, limit, make) -> ResourceCheck:
    path = _path(resource, base)
    table = Table.load(con, tmp, resource, path, schema, "t0")
    table.check_certain(con, _compared(schema, table.layout))
    sources = _sources(con, tmp, resource, schema, base, resources, table)
    items = [(None, i, *e) for i, e in enumerate(table.header_findings())]
    items += table.data_findings(con, limit, sources, schema)
    items.sort(key=lambda e: (e[0] is not None, e[0] or 0, e[1]))
    findings = [make(code, note, row, fld) for row, _, code, fld, note in items]
    if table.encoding_error:
        findings.append(make("encoding-error", table.encoding_error))
    partial = len(findings) >= limit > 0
    if partial:
        findings = findings[:limit]
    else:
        findings += [make(code, note) for code, note in table.file_findings(resource)]
    if table.rows == 0 and table.layout.header and table.layout.labels:
        findings.append(make("empty-resource", "the resource has a header and no data rows"))
    return ResourceCheck(findings, table.rows, partial)


def _compared(schema: dict, layout) -> set[str]:
    """Fields whose typed values are compared: keys and unique fields (bounds: see sqlchecks)."""
    names = set(schema["primaryKey"])
    for fk in schema["foreignKeys"]:
        names |= set(fk["fields"])
        if (fk["reference"].get("resource") or "") == "":
            names |= set(fk["reference"]["fields"])
    return names | {f["name"] for f in layout.expected if (f.get("constraints") or {}).get("unique")}


def _path(resource: dict, base: pathlib.Path) -> pathlib.Path:
    raw = resource.get("path")
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, str):
        raise Stop("resource-error", "only a single local path is supported")
    parts = pathlib.PurePosixPath(raw.replace("\\", "/")).parts
    if raw.startswith(("/", "\\")) or ".." in parts or (len(raw) > 1 and raw[1] == ":"):
        raise Stop("resource-error", f'path "{raw}" is not safe')
    path = base / raw
    if not path.is_file():
        raise Stop("scheme-error", f"[Errno 2] No such file or directory: '{raw}'")
    return path


def _schema(resource: dict, base: pathlib.Path) -> dict:
    schema = resource.get("schema") or {}
    if isinstance(schema, str):
        schema = json.loads((base / schema).read_text(encoding="utf-8"))
    for item in schema.get("fields", []):
        kind = item.get("type", "any")
        if kind not in sq.KNOWN_TYPES:
            raise Stop("field-error", f'field type "{kind}" is not supported', item.get("name"))
    pk = schema.get("primaryKey") or []
    schema = dict(schema, primaryKey=[pk] if isinstance(pk, str) else list(pk))
    fks = []
    for fk in schema.get("foreignKeys") or []:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = dict(fk["reference"])
        ref["fields"] = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        fks.append({"fields": fields, "reference": ref})
    schema["foreignKeys"] = fks
    return schema


def _sources(con, tmp, resource, schema, base, resources, table) -> list:
    """The table each foreign key looks up (None: skip that key)."""
    out, loaded = [], {}
    for fk in schema["foreignKeys"]:
        target = fk["reference"].get("resource") or ""
        if target in ("", resource.get("name")):
            out.append(table.layout)
            continue
        if target not in resources:
            raise Stop("resource-error", f'failed to handle a foreign key for resource '
                        f'"{resource.get("name")}" as resource "{target}" does not exist')
        if target not in loaded:
            other = resources[target]
            sub = dict(_schema(other, base), foreignKeys=[])
            gaps = fastpath.gaps(other, sub)
            if gaps:
                raise Fallback(f'the referenced resource "{target}" needs frictionless: {"; ".join(gaps)}')
            loaded[target] = Table.load(con, tmp, other, _path(other, base), sub, f"t{len(loaded) + 1}")
            loaded[target].check_certain(con, set(fk["reference"]["fields"]))
        out.append(loaded[target].layout)
    return out
