"""Header, row and key checks over a resource loaded into DuckDB.

The loaded table has VARCHAR columns ``c1..cN`` in file order (``rowid + 1`` is
the DuckDB record number, the header being record 1). Each function returns
``(row, rank, code, field, note)`` tuples with DuckDB record numbers; the
caller maps them to frictionless row numbers and orders them by (row, rank):
rank follows the order frictionless appends errors to a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import sqlchecks as sq

RANK_CELL, RANK_EXTRA, RANK_MISSING, RANK_UNIQUE, RANK_PK, RANK_FK = 0, 1000, 2000, 3000, 4000, 5000


@dataclass
class Layout:
    """How the schema's fields meet the table's columns."""
    table: str
    ncols: int
    header: bool
    labels: list[str]
    expected: list[dict]                 # one field per data column (frictionless' expected fields)
    missing_values: list[str] = field(default_factory=lambda: [""])
    header_record: int = 1               # DuckDB record holding the labels (0: no header)
    ascii_cells: bool = False            # every byte of the file is printable ASCII, tab, CR, LF or FF
    keys: dict[str, str] = field(default_factory=dict)  # field -> its typed column in ``{table}_keys``

    def col(self, name: str) -> str | None:
        for index, item in enumerate(self.expected, start=1):
            if item["name"] == name:
                return f"c{index}"
        return None

    @property
    def first(self) -> int:
        return self.header_record + 1 if self.header else 1


def dedupe(names: list[str]) -> list[str]:
    used, out = set(), []
    for name in names:
        new, suffix = name, 2
        while new in used:
            new, suffix = f"{name}{suffix}", suffix + 1
        used.add(new)
        out.append(new)
    return out


def expected_fields(fields: list[dict], labels: list[str], header: bool) -> list[dict]:
    if not header or not labels:
        return list(fields)
    matched = [fields[i] if i < len(fields) else None for i in range(len(labels))]
    names = dedupe([f["name"] if f else label for f, label in zip(matched, labels)])
    return [f if f else {"name": n, "type": "any"} for f, n in zip(matched, names)]


def header_errors(fields: list[dict], labels: list[str]) -> list[tuple]:
    """Label errors, in frictionless' order (``exact`` field matching)."""
    out = []
    for number in range(len(fields) + 1, len(labels) + 1):
        out.append((None, 0, "extra-label", None, f'label "{labels[number - 1]}" at position {number}'))
    for number in range(len(labels) + 1, len(fields) + 1):
        out.append((None, 0, "missing-label", fields[number - 1]["name"], f"position {number}"))
    positions: dict[str, list[str]] = {}  # label -> its positions so far
    for number, (item, label) in enumerate(zip(fields, labels), start=1):
        seen = positions.setdefault(label, [])
        if not label:
            out.append((None, 0, "blank-label", item["name"], f"position {number}"))
        elif seen:
            out.append((None, 0, "duplicate-label", item["name"], f'at position "{", ".join(seen)}"'))
        elif label != item["name"]:
            out.append((None, 0, "incorrect-label", item["name"], f'label is "{label}"'))
        seen.append(str(number))
    return out


def _field_missing_values(item: dict, layout: Layout) -> list[str]:
    return item.get("missingValues", layout.missing_values)


def cell_count(ncols: int) -> str:
    """SQL: the number of cells of a record (ragged rows are padded with NULL)."""
    return sq.joined([f"(c{i} IS NOT NULL)::INT" for i in range(1, ncols + 1)], "+", "0")


def row_query(layout: Layout, limit: int) -> tuple[str, list[list[str]]]:
    ncells = cell_count(layout.ncols)
    codes, names, blanks = [], [], []
    for index, item in enumerate(layout.expected, start=1):
        mv = _field_missing_values(item, layout)
        code, constraint_names = sq.cell_code(item, f"c{index}", mv, ascii_cells=layout.ascii_cells)
        codes.append(f"{code} AS e{index}")
        names.append(constraint_names)
        blanks.append(sq.missing(f"c{index}", mv))
    k = len(layout.expected)
    blank = sq.joined(blanks, "AND", "true")
    flags = sq.joined([f"e{i} <> 0" for i in range(1, k + 1)] + [f"nc <> {k}", "blank"], "OR", "false")
    sql = (f"SELECT n, nc, blank, {', '.join(f'e{i}' for i in range(1, k + 1)) or 'NULL'} FROM ("
           f"SELECT rowid + 1 AS n, {ncells} AS nc, {blank} AS blank, "
           f"{', '.join(codes) or 'NULL'} FROM {layout.table} WHERE rowid + 1 >= {layout.first}) "
           f"WHERE {flags} ORDER BY n LIMIT {int(limit)}")
    return sql, names


def row_errors(con, layout: Layout, limit: int) -> list[tuple]:
    sql, names = row_query(layout, limit)
    rows = [(n, nc, blank, codes) for n, nc, blank, *codes in con.execute(sql).fetchall()]
    return row_findings(layout, rows, names)


def row_findings(layout: Layout, rows: list[tuple], names: list[list[str]]) -> list[tuple]:
    """Findings of the flagged records ``(n, cells, blank, codes)``; ``names[i]``: the constraints
    behind the bits of field i's code."""
    out = []
    for n, nc, blank, codes in rows:
        if blank:
            out.append((n, RANK_CELL, "blank-row", None, ""))
            continue
        for index, (item, code) in enumerate(zip(layout.expected, codes)):
            rank = RANK_CELL + index * 10
            if code == 1:
                out.append((n, rank, "type-error", item["name"],
                            f'type is "{item.get("type", "any")}/{item.get("format", "default")}"'))
                continue
            for bit, name in enumerate(names[index]):
                if code and code & (2 << bit):
                    value = item.get("constraints", {}).get(name)
                    out.append((n, rank + 1 + bit, "constraint-error", item["name"],
                                f'constraint "{name}" is "{value}"'))
        for number in range(len(layout.expected) + 1, (nc or 0) + 1):
            out.append((n, RANK_EXTRA + number, "extra-cell", None, f"position {number}"))
        for number in range((nc or 0) + 1, len(layout.expected) + 1):
            out.append((n, RANK_MISSING + number, "missing-cell", layout.expected[number - 1]["name"], ""))
    return out


def _typed_col(layout: Layout, name: str) -> str:
    item = next(f for f in layout.expected if f["name"] == name)
    col = layout.col(name)
    mv = _field_missing_values(item, layout)
    return (f"CASE WHEN {sq.missing(col, mv)} OR NOT coalesce({sq.valid(item, col)}, false) "
            f"THEN NULL ELSE {sq.typed(item, col)} END")


def keep_keys(con, layout: Layout, names: list[str]) -> None:
    """Type the cells of the key fields ``names`` once, into a table of their own (``{table}_keys``:
    ``n`` and a column per field, over the data rows), which ``keyed_view`` then reads: a key that
    several checks compare (the primary key's duplicates and its empty cells, a foreign key that
    points into its own resource) is not typed again by each of them."""
    names = [name for name in dict.fromkeys(names) if layout.col(name)]
    if not names:
        return
    typed = ", ".join(f"{_typed_col(layout, name)} AS f{i}" for i, name in enumerate(names))
    con.execute(f"CREATE TEMP TABLE {layout.table}_keys AS SELECT rowid + 1 AS n, {typed} "
                f"FROM {layout.table} WHERE rowid + 1 >= {layout.first}")
    layout.keys = {name: f"f{i}" for i, name in enumerate(names)}


def keyed_view(layout: Layout, names: list[str], alias: str) -> str:
    """SELECT n, k1..kj typed key columns over the data rows."""
    if names and all(name in layout.keys for name in names):
        kept = ", ".join(f"{layout.keys[name]} AS k{i}" for i, name in enumerate(names))
        return f"SELECT n, {kept} FROM {layout.table}_keys"
    keys = ", ".join(f"{_typed_col(layout, name)} AS k{i}" for i, name in enumerate(names))
    return (f"SELECT rowid + 1 AS n, {keys} FROM {layout.table} "
            f"WHERE rowid + 1 >= {layout.first}") if names else "SELECT NULL AS n WHERE false"


def duplicates(con, layout: Layout, names: list[str], limit: int, *, skip_null_any: bool) -> list[int]:
    """Records whose typed key was already seen in an earlier record."""
    ks = [f"k{i}" for i in range(len(names))]
    where = " AND ".join(f"{k} IS NOT NULL" for k in ks) if skip_null_any else \
        "NOT (" + " AND ".join(f"{k} IS NULL" for k in ks) + ")"
    sql = (f"WITH v AS ({keyed_view(layout, names, 'v')}), w AS (SELECT * FROM v WHERE {where}), "
           f"d AS (SELECT {', '.join(ks)}, min(n) AS first FROM w GROUP BY ALL HAVING count(*) > 1) "
           f"SELECT w.n FROM w JOIN d ON {' AND '.join(f'w.{k} IS NOT DISTINCT FROM d.{k}' for k in ks)} "
           f"WHERE w.n > d.first ORDER BY w.n LIMIT {int(limit)}")
    return [row[0] for row in con.execute(sql).fetchall()]


def unique_errors(con, layout: Layout, limit: int) -> list[tuple]:
    out = []
    for index, item in enumerate(layout.expected):
        if item.get("constraints", {}).get("unique"):
            for n in duplicates(con, layout, [item["name"]], limit, skip_null_any=True):
                out.append((n, RANK_UNIQUE + index, "unique-error", item["name"], "duplicate value"))
    return out


def primary_key_errors(con, layout: Layout, pk: list[str], limit: int) -> list[tuple]:
    if not pk or not all(layout.col(name) for name in pk):
        return []
    out = [(n, RANK_PK, "primary-key", None, "duplicate primary key")
           for n in duplicates(con, layout, pk, limit, skip_null_any=False)]
    ks = " AND ".join(f"k{i} IS NULL" for i in range(len(pk)))
    sql = (f"SELECT n FROM ({keyed_view(layout, pk, 'v')}) WHERE {ks} ORDER BY n LIMIT {int(limit)}")
    out += [(row[0], RANK_PK, "primary-key", None, 'cells composing the primary keys are all "None"')
            for row in con.execute(sql).fetchall()]
    return out


def foreign_key_errors(con, layout: Layout, source: Layout, fk: dict, rank: int, limit: int) -> list[tuple]:
    names, ref = list(fk["fields"]), fk["reference"]
    ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
    if not all(layout.col(name) for name in names):
        return []
    ks = [f"k{i}" for i in range(len(names))]
    if all(source.col(name) for name in ref_fields):
        lookup = (f"SELECT DISTINCT {', '.join(ks)} FROM ({keyed_view(source, ref_fields, 's')}) "
                  f"WHERE NOT ({' AND '.join(k + ' IS NULL' for k in ks)})")
    else:  # frictionless reads None for absent fields: the lookup is empty
        lookup = f"SELECT {', '.join('NULL AS ' + k for k in ks)} WHERE false"
    sql = (f"WITH t AS ({keyed_view(layout, names, 't')}), s AS ({lookup}) "
           f"SELECT t.n FROM t WHERE NOT ({' AND '.join('t.' + k + ' IS NULL' for k in ks)}) AND NOT EXISTS ("
           f"SELECT 1 FROM s WHERE {' AND '.join(f's.{k} IS NOT DISTINCT FROM t.{k}' for k in ks)}) "
           f"ORDER BY t.n LIMIT {int(limit)}")
    note = f'for "{", ".join(names)}": not found in "{ref.get("resource") or "(self)"}" as "{", ".join(ref_fields)}"'
    return [(row[0], RANK_FK + rank, "foreign-key", None, note) for row in con.execute(sql).fetchall()]
