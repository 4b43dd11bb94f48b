"""Indicators: the registry entry and its series, as JSON and CSV."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..series import indicator as read_indicator, list_indicators
from ..formats import jsonable, rows_as_objects, to_csv
from .releases import cache_headers, release_for, remembered, sandbox_for

bp = Blueprint("indicators", __name__)


@bp.get("/indicators", defaults={"ext": "json"})
@bp.get("/indicators.<any(json, csv):ext>")
@remembered
def indicators(ext: str, version: str | None = None):
    release = release_for(version)
    result = list_indicators(sandbox_for(release))
    if ext == "csv":
        return cache_headers(Response(to_csv(result.columns, result.rows), mimetype="text/csv"), version)
    return cache_headers(jsonify({"release": release.version,
                                  "indicators": rows_as_objects(result.columns, result.rows)}), version)


@bp.get("/indicators/<indicator_id>", defaults={"ext": "json"})
@bp.get("/indicators/<indicator_id>.<any(json, csv):ext>")
@remembered
def indicator(indicator_id: str, ext: str, version: str | None = None):
    release = release_for(version)
    data = read_indicator(sandbox_for(release), indicator_id)
    if ext == "csv":
        rows = data["observations"]
        columns = list(rows[0]) if rows else []
        body = to_csv(["indicator_id", *columns], [(indicator_id, *r.values()) for r in rows])
        return cache_headers(Response(body, mimetype="text/csv"), version)
    return cache_headers(jsonify({"release": release.version, **jsonable(data)}), version)
