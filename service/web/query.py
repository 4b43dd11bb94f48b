"""SQL over HTTP: one read-only SELECT on the release's DuckDB database."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import QueryError
from .formats import jsonable, rows_as_objects, to_csv, to_ndjson, to_parquet
from .releases import release_for, sandbox_for

bp = Blueprint("query", __name__)


def _params() -> dict:
    """`$name` parameters come as `_p_name=value` (strings)."""
    return {k[3:]: v for k, v in request.values.items() if k.startswith("_p_") and len(k) > 3}


@bp.route("/sql", methods=["GET", "POST"], defaults={"ext": "json"})
@bp.route("/sql.<any(json, csv, ndjson, parquet):ext>", methods=["GET", "POST"])
def sql(ext: str, version: str | None = None):
    text = request.values.get("sql", "")
    release = release_for(version)
    box = sandbox_for(release)
    result = box.run(text, _params() or None, arrow=ext == "parquet")
    headers = {"X-Socsec-Release": release.version,
               "X-Socsec-Truncated": "true" if result.truncated else "false",
               "X-Socsec-Row-Limit": str(box.max_rows)}
    if ext == "csv":
        return Response(to_csv(result.columns, result.rows), mimetype="text/csv", headers=headers)
    if ext == "parquet":
        return Response(to_parquet(result.table), mimetype="application/vnd.apache.parquet", headers=headers)
    if ext == "ndjson":
        return Response(to_ndjson(result.columns, result.rows), mimetype="application/x-ndjson",
                        headers=headers)
    shape = request.values.get("_shape", "objects")
    if shape not in ("objects", "arrays"):
        raise QueryError("_shape must be 'objects' or 'arrays'", code="bad-parameter",
                         details={"parameter": "_shape"})
    rows = (rows_as_objects(result.columns, result.rows) if shape == "objects"
            else [[jsonable(v) for v in row] for row in result.rows])
    response = jsonify({"ok": True, "release": release.version, "sql": text, "columns": result.columns,
                        "types": result.types, "rows": rows, "truncated": result.truncated,
                        "row_limit": box.max_rows, "elapsed_ms": result.elapsed_ms})
    response.headers.update(headers)
    return response
