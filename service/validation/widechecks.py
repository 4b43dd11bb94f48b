"""Row checks of wide tables (hundreds to tens of thousands of columns).

``tablechecks.row_query`` writes one expression per field; DuckDB's planner
takes time quadratic in their number (5 s for 800 fields). Here the table is
unpivoted once into ``(n, i, v)`` (record, column, cell) and fields with the
same definition share one expression (a group), so the SQL grows with the
number of distinct field definitions, not of columns. The result is the same
``(row, rank, code, field, note)`` tuples as ``tablechecks.row_errors``.
"""

from __future__ import annotations

import json

from . import sqlchecks as sq
from .tablechecks import Layout, row_findings

WIDE = 100    # fields from which the unpivoted checks are used
BATCH = 500   # columns unpivoted per statement


def _groups(layout: Layout) -> tuple[list[dict], list[int]]:
    """Distinct field definitions (name aside) and the group of each expected field."""
    keys: dict[str, int] = {}
    groups, member = [], []
    for item in layout.expected:
        definition = {k: v for k, v in item.items() if k not in ("name", "title", "description")}
        definition.setdefault("missingValues", layout.missing_values)
        key = json.dumps(definition, sort_keys=True, default=str)
        if key not in keys:
            keys[key] = len(groups)
            groups.append(item)
        member.append(keys[key])
    return groups, member


def unpivot(con, layout: Layout) -> list[int]:
    """Create ``{table}_long(n, i, v, g)`` of the data records; return each field's group."""
    _, member = _groups(layout)
    long = f"{layout.table}_long"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {long}_groups AS SELECT unnest($1::INTEGER[]) AS i, "
                f"unnest($2::INTEGER[]) AS g", [list(range(1, len(member) + 1)), member])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {long} (n BIGINT, i INTEGER, v VARCHAR, g INTEGER)")
    for start in range(1, layout.ncols + 1, BATCH):  # the planner is slow on thousands of columns at once
        cols = ", ".join(f"c{i}" for i in range(start, min(start + BATCH, layout.ncols + 1)))
        con.execute(f"INSERT INTO {long} WITH s AS (SELECT rowid + 1 AS n, {cols} FROM {layout.table} "
                    f"WHERE rowid + 1 >= {layout.first}), u AS (SELECT n, CAST(substr(col, 2) AS INTEGER) AS i, v "
                    f"FROM s UNPIVOT INCLUDE NULLS (v FOR col IN ({cols}))) "
                    f"SELECT u.n, u.i, u.v, gr.g FROM u LEFT JOIN {long}_groups gr USING (i)")
    return member


def _by_group(groups: list[dict], build) -> str:
    whens = " ".join(f"WHEN {g} THEN {build(item)}" for g, item in enumerate(groups))
    return f"CASE g {whens} END"


def row_errors(con, layout: Layout, limit: int) -> list[tuple]:
    """``tablechecks.row_errors`` for a wide table (after ``unpivot``)."""
    groups, member = _groups(layout)
    long, k = f"{layout.table}_long", len(layout.expected)
    names = [sq.cell_code(item, "v", item.get("missingValues", layout.missing_values),
                          ascii_cells=layout.ascii_cells)[1] for item in groups]
    code = _by_group(groups, lambda item: sq.cell_code(
        item, "v", item.get("missingValues", layout.missing_values), ascii_cells=layout.ascii_cells)[0])
    missing = _by_group(groups, lambda item: sq.missing("v", item.get("missingValues", layout.missing_values)))
    sql = (f"WITH c AS (SELECT n, i, g, v IS NOT NULL AS present, CASE WHEN g IS NULL THEN 0 ELSE {code} END AS e, "
           f"CASE WHEN g IS NULL THEN true ELSE {missing} END AS m FROM {long}), "
           f"r AS (SELECT n, count(*) FILTER (WHERE present) AS nc, bool_and(m) FILTER (WHERE g IS NOT NULL) AS blank, "
           f"bool_or(e <> 0) AS bad FROM c GROUP BY n), "
           f"f AS (SELECT n, nc, coalesce(blank, true) AS blank FROM r WHERE bad OR nc <> {k} OR coalesce(blank, true) "
           f"ORDER BY n LIMIT {int(limit)}) "
           f"SELECT f.n, f.nc, f.blank, list(c.i ORDER BY c.i) FILTER (WHERE c.e <> 0), "
           f"list(c.e ORDER BY c.i) FILTER (WHERE c.e <> 0) FROM f LEFT JOIN c ON c.n = f.n "
           f"GROUP BY f.n, f.nc, f.blank ORDER BY f.n")
    rows = []
    for n, nc, blank, indexes, codes in con.execute(sql).fetchall():
        cells = [0] * k
        for i, e in zip(indexes or [], codes or []):
            cells[i - 1] = e
        rows.append((n, nc, blank, cells))
    return row_findings(layout, rows, [names[g] for g in member])


def uncertain_record(con, layout: Layout, compared: set[str], odd_bytes: bool) -> int | None:
    """The first data record holding a cell only Python judges exactly (None: there is none)."""
    groups, member = _groups(layout)
    terms = {}
    keyed_groups = {m for item, m in zip(layout.expected, member) if item["name"] in compared}
    for g, item in enumerate(groups):
        keyed = g in keyed_groups
        sql = sq.uncertain(item, "v", keyed=keyed, odd_bytes=odd_bytes)
        if sql:
            terms[g] = f"(NOT {sq.missing('v', item.get('missingValues', layout.missing_values))} AND ({sql}))"
    if not terms:
        return None
    cases = " ".join(f"WHEN {g} THEN {t}" for g, t in terms.items())
    found = con.execute(f"SELECT min(n) FROM {layout.table}_long WHERE CASE g {cases} ELSE false END").fetchone()
    return found[0] if found else None
