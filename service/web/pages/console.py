"""The SQL console: the same sandbox as `/api/sql`, its answer as a table, errors beside the query."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from ... import browse
from ...errors import QueryError
from ..releases import release_for, sandbox_for
from .common import blueprint, render

bp = blueprint("pages_console")

EXAMPLES = [
    ("ex.coverage", ("SELECT year, count(*) AS observations, count(DISTINCT indicator_id) AS indicators,\n"
                    "       count(DISTINCT region) AS regions\nFROM observations\nWHERE preferred\n"
                    "GROUP BY year\nORDER BY year")),
    ("ex.funds", ("SELECT year, indicator_id, value, unit, value_normalised / 1e8 AS yi_yuan\n"
                 "FROM observations\nWHERE preferred AND region = 'CN' AND indicator_id LIKE '%fund_balance%'\n"
                 "ORDER BY indicator_id, year")),
    ("ex.dibao", ("SELECT year, indicator_id, value_normalised, unit_normalised, source_id\n"
                 "FROM observations\nWHERE preferred AND indicator_id LIKE 'dibao_%'\nORDER BY indicator_id, year")),
    ("ex.provinces", ("SELECT o.region, r.name_en, r.name_zh, o.value, o.unit\n"
                     "FROM observations o JOIN regions r ON r.code = o.region\n"
                     "WHERE o.preferred AND o.indicator_id = 'prov_maternity_beneficiaries'\n"
                     "  AND o.year = 2010 AND o.region <> 'CN'\nORDER BY o.value_normalised DESC")),
    ("ex.columns", ("SELECT table_name, column_name, data_type\nFROM information_schema.columns\n"
                   "WHERE table_schema = 'main'\nORDER BY table_name, ordinal_position")),
]


def _links(sql: str) -> dict[str, str]:
    query = urlencode({"sql": sql})
    return {"json": f"/api/sql?{query}", "csv": f"/api/sql.csv?{query}", "ndjson": f"/api/sql.ndjson?{query}",
            "parquet": f"/api/sql.parquet?{query}", "full": f"/api/sql.csv?{query}&_stream=on"}


@bp.get("/sql")
def console():
    release = release_for(None)
    box = sandbox_for(release)
    sql = request.args.get("sql", "")
    result = error = None
    if sql.strip():
        try:
            result = box.run(sql)
        except QueryError as exc:  # shown beside the query, which stays in the editor
            error = exc
    return render("console.html", release=release, sql=sql, result=result, error=error,
                  links=_links(sql) if sql.strip() else None, examples=EXAMPLES, row_limit=box.max_rows,
                  tables=browse.tables(box))  # 200 even after an error: the page itself is fine
