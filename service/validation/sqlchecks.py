"""SQL expressions that reproduce frictionless' cell readers and constraints.

Every cell arrives as VARCHAR (NULL when the row is too short). For a field
and its column this module builds:

- ``missing(col)``: the cell is a missing value (frictionless: ``str(cell) in
  missingValues``, default ``[""]``; a short row's absent cell too);
- ``valid(col)``: the non-missing cell passes the type's reader (regexes that
  mirror Python's ``int()``, ``Decimal()``, ``strptime("%Y-%m-%d")``,
  ``dateutil.isoparse``...);
- ``typed(col)``: the typed value (HUGEINT, DOUBLE, BOOLEAN, DATE...) used for
  constraints, unique, primary and foreign keys; NULL when missing or invalid;
- ``constraints``: ``(name, violated_sql)`` in frictionless' order.

``cell_code`` folds them into one integer per cell: 0 fine, 1 type-error,
``2 << k`` the k-th constraint violated (bit flags, several may be set).
``uncertain(col)`` is true for the cells only Python's own readers can judge
(digits other than ASCII, UUIDs in other spellings, decimals too long for a
DOUBLE in a key or a bound...): a resource holding one is checked by
frictionless. ``pattern`` runs in DuckDB (``regexp_full_match``) when
``patterns.re2_form`` finds that RE2 reads it as Python's ``re`` does, else
Python's ``re`` (the ``py_pattern`` function registered by ``register``), so
it means what it means in frictionless either way.
Long lists of terms are joined as balanced trees (``joined``): a table of
10,000 columns stays within DuckDB's expression depth.
"""

from __future__ import annotations

import re

from .patterns import re2_form

INT = r"\s*[+-]?\d+(_\d+)*\s*"
DIGITS = r"\d+(_\d+)*"
NUMBER = (r"(?i)\s*[+-]?((" + DIGITS + r"(\.(" + DIGITS + r")?)?|\." + DIGITS + r")([e][+-]?"
          + DIGITS + r")?|inf(inity)?|s?nan\d*)\s*")
DATE = r"\d{4}-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])"
CLOCK = r"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d([.,]\d+)?|24:00:00([.,]0+)?)"
TZ = r"([zZ]|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?"
DATETIME = r"\d{4}-\d{2}-\d{2}." + CLOCK + TZ
TIME = CLOCK + TZ
YEAR = r"\s*\+?\d+(_\d+)*\s*|\s*-0+\s*"
YEARMONTH = r"\s*\+?\d+(_\d+)*\s*-\s*\+?\d+(_\d+)*\s*"
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]

ORDER = {
    "string": ["required", "minLength", "maxLength", "pattern", "enum"],
    "boolean": ["required", "enum"],
    "any": ["required", "enum"],
}
BOUNDED = ["required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"]
CHECKED_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "time",
                 "year", "yearmonth", "any"}
KNOWN_TYPES = CHECKED_TYPES | {"object", "array", "list", "duration", "geopoint", "geojson"}


PATTERN_CACHE: dict[str, re.Pattern] = {}
# characters outside these may be digits or spaces to Python (int, Decimal, strptime), not to RE2
PLAIN_TEXT = r"[ -~\t\n\r\f]*"
NUMERIC_TYPES = {"integer", "number", "year", "yearmonth", "date", "datetime", "time"}
PLAIN_DECIMAL = r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*"


def py_pattern(cell: str, pattern: str) -> bool:
    """frictionless' pattern constraint: ``re.compile("^{0}$").match``."""
    compiled = PATTERN_CACHE.get(pattern)
    if compiled is None:
        compiled = PATTERN_CACHE[pattern] = re.compile(f"^{pattern}$")
    return compiled.match(cell) is not None


def pattern_violated(col: str, pattern: str, *, ascii_cells: bool) -> str:
    """SQL true when the cell breaks the pattern: RE2 when it means the same, else Python's ``re``."""
    form = re2_form(str(pattern), ascii_cells=ascii_cells)
    if form is None:
        return f"NOT py_pattern({col}, {lit(pattern)})"
    return f"NOT regexp_full_match({col}, {lit(form)})"


def register(con) -> None:
    con.create_function("py_pattern", py_pattern, ["VARCHAR", "VARCHAR"], "BOOLEAN")


def joined(terms: list[str], op: str, empty: str) -> str:
    """``t1 op t2 op ...`` as a balanced tree (depth log n, not n)."""
    if not terms:
        return empty
    if len(terms) == 1:
        return terms[0]
    half = len(terms) // 2
    return f"({joined(terms[:half], op, empty)} {op} {joined(terms[half:], op, empty)})"


def lit(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def in_list(expr: str, values) -> str:
    return f"{expr} IN ({', '.join(lit(v) for v in values)})" if values else "false"


def missing(col: str, missing_values: list[str]) -> str:
    return f"({col} IS NULL OR {in_list(col, missing_values)})"


def _number_text(field: dict, col: str) -> str:
    """The string Decimal() sees after frictionless' optional processor."""
    text = f"regexp_replace({col}, '^\\s+|\\s+$', '', 'g')"
    if not {"groupChar", "decimalChar", "bareNumber"} & set(field):
        return text
    if field.get("bareNumber", True) is False:
        text = f"regexp_replace(regexp_replace({text}, '^[^-0-9]*', ''), '[^0-9]*$', '')"
    group, decimal = field.get("groupChar", ""), field.get("decimalChar", ".")
    if group:
        text = f"replace({text}, {lit(group)}, '')"
    if decimal != ".":
        text = f"CASE WHEN contains({text}, '.') THEN NULL ELSE replace({text}, {lit(decimal)}, '.') END"
    return text


def _integer_text(field: dict, col: str) -> str:
    if field.get("bareNumber", True) is False:
        return (f"regexp_replace(regexp_replace(trim({col}, ' \t\n\r'), '^[^-0-9]*', ''),"
                f" '[^0-9]*$', '')")
    return col


def booleans(field: dict) -> tuple[list, list]:
    return field.get("trueValues", TRUE_VALUES), field.get("falseValues", FALSE_VALUES)


def valid(field: dict, col: str) -> str:
    """SQL true when the (non-missing) cell is of the field's type."""
    kind, fmt = field.get("type", "any"), field.get("format", "default")
    if kind == "integer":
        return f"regexp_full_match({_integer_text(field, col)}, '{INT}')"
    if kind == "number":
        return f"coalesce(regexp_full_match({_number_text(field, col)}, '{NUMBER}'), false)"
    if kind == "boolean":
        trues, falses = booleans(field)
        return f"({in_list(col, trues)} OR {in_list(col, falses)})"
    if kind == "date":
        if fmt == "default":
            return (f"(regexp_full_match({col}, '{DATE}') AND NOT starts_with({col}, '0000')"
                    f" AND TRY_CAST(replace({col}, ' ', '') AS DATE) IS NOT NULL)")
        if fmt != "any":
            return f"(try_strptime({col}, {lit(fmt)}) IS NOT NULL)"
    if kind == "datetime" and fmt == "default":
        return (f"(regexp_full_match({col}, '{DATETIME}') AND NOT starts_with({col}, '0000')"
                f" AND TRY_CAST(substr({col}, 1, 10) AS DATE) IS NOT NULL)")
    if kind == "datetime" and fmt != "any":
        return f"(try_strptime({col}, {lit(fmt)}) IS NOT NULL)"
    if kind == "time" and fmt == "default":
        return f"regexp_full_match({col}, '{TIME}')"
    if kind == "year":
        return f"(length({col}) = 4 AND regexp_full_match({col}, '{YEAR}'))"
    if kind == "yearmonth":
        month = f"TRY_CAST(trim(split_part({col}, '-', 2)) AS INTEGER)"
        return f"(regexp_full_match({col}, '{YEARMONTH}') AND {month} BETWEEN 1 AND 12)"
    if kind == "string" and fmt == "uuid":
        return f"regexp_full_match({col}, '{UUID}')"
    return "true"


def typed(field: dict, col: str) -> str:
    """The typed value for comparisons (valid, non-missing cells only)."""
    kind = field.get("type", "any")
    if kind in ("integer", "year"):
        return f"TRY_CAST(replace({_integer_text(field, col)}, '_', '') AS HUGEINT)"
    if kind == "number":
        return f"TRY_CAST(replace({_number_text(field, col)}, '_', '') AS DOUBLE)"
    if kind == "boolean":
        trues, falses = booleans(field)
        return f"(CASE WHEN {in_list(col, trues)} THEN true WHEN {in_list(col, falses)} THEN false END)"
    if kind == "date" and field.get("format", "default") == "default":
        return f"TRY_CAST(replace({col}, ' ', '') AS DATE)"
    if kind == "yearmonth":
        parts = [f"TRY_CAST(trim(split_part({col}, '-', {i})) AS INTEGER)" for i in (1, 2)]
        return f"({parts[0]} * 12 + {parts[1]} - 1)"
    return col


def typed_literal(field: dict, value) -> str:
    """A constraint value read like frictionless' value_reader would."""
    kind = field.get("type", "any")
    if kind == "boolean":
        trues, _ = booleans(field)
        return "true" if (value is True or value in trues) else "false"
    if kind == "yearmonth" and isinstance(value, str):
        year, month = value.split("-")
        return str(int(year) * 12 + int(month) - 1)
    return typed(field, f"CAST({lit(value)} AS VARCHAR)") if isinstance(value, str) else repr(value)


def constraint_sql(field: dict, col: str, *, ascii_cells: bool = False) -> list[tuple[str, str]]:
    """(name, SQL true when violated) for a valid non-missing cell, in order; ``ascii_cells``: every
    cell is printable ASCII (patterns with ``\\d``, ``\\s``, ``\\w`` may then run in RE2)."""
    kind = field.get("type", "any")
    order = ORDER.get(kind, BOUNDED)
    out = []
    value = typed(field, col)
    nan = " OR isnan(" + value + ")" if kind == "number" else ""
    ops = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}
    for name in order[1:]:
        limit = field.get("constraints", {}).get(name)
        if limit is None:
            continue
        if name in ops and kind in ("integer", "number", "year", "date", "yearmonth"):
            out.append((name, f"({value} {ops[name]} {typed_literal(field, limit)}{nan})"))
        elif name == "minLength":
            out.append((name, f"(length({col}) < {int(limit)})"))
        elif name == "maxLength":
            out.append((name, f"(length({col}) > {int(limit)})"))
        elif name == "pattern":
            out.append((name, pattern_violated(col, limit, ascii_cells=ascii_cells)))
        elif name == "enum":
            items = ", ".join(typed_literal(field, v) for v in limit) or "NULL"
            out.append((name, f"NOT coalesce({value} IN ({items}), false)"))
    return out


def cell_code(field: dict, col: str, missing_values: list[str], *,
              ascii_cells: bool = False) -> tuple[str, list[str]]:
    """SQL integer code for one cell and the constraint names behind its bits."""
    required = bool(field.get("constraints", {}).get("required"))
    checks = constraint_sql(field, col, ascii_cells=ascii_cells)
    names = (["required"] if required else []) + [name for name, _ in checks]
    base = 1 if required else 0
    terms = [f"CASE WHEN {sql} THEN {2 << (base + i)} ELSE 0 END" for i, (_, sql) in enumerate(checks)]
    ok = " + ".join(terms) if terms else "0"
    code = (f"CASE WHEN {missing(col, missing_values)} THEN {2 if required else 0} "
            f"WHEN NOT coalesce({valid(field, col)}, false) THEN 1 ELSE {ok} END")
    return code, names


def uncertain(field: dict, col: str, *, keyed: bool, odd_bytes: bool) -> str | None:
    """SQL true for a non-missing cell only Python's reader can judge (None: no such cell).

    ``keyed``: the field is in a key, unique or bounded, where values are compared; ``odd_bytes``:
    the file holds characters outside printable ASCII."""
    kind, fmt = field.get("type", "any"), field.get("format", "default")
    terms = []
    if odd_bytes and (kind in NUMERIC_TYPES or fmt == "uuid"):
        terms.append(f"NOT regexp_full_match({col}, '{PLAIN_TEXT}')")
    if kind == "string" and fmt == "uuid":
        terms.append(f"NOT regexp_full_match({col}, '{UUID}')")
    compared = keyed or any(k in field.get("constraints", {}) for k in BOUNDED[1:])
    if compared and kind in ("integer", "year"):
        # a HUGEINT holds 38 digits: only a longer cell can be valid and not fit
        terms.append(f"(length({col}) > 38 AND coalesce({valid(field, col)}, false) AND {typed(field, col)} IS NULL)")
    if compared and kind == "number":
        text = _number_text(field, col)
        terms.append(f"(coalesce({valid(field, col)}, false) AND (NOT regexp_full_match({text}, "
                     f"'{PLAIN_DECIMAL}') OR length(regexp_replace({text}, '[^0-9]', '', 'g')) > 15))")
    return joined(terms, "OR", "") or None
