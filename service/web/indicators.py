"""Indicators: the registry entry and its series, as JSON, CSV and JSON-stat."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify

from .. import jsonstat, sdmx
from ..errors import NotFound
from ..series import indicator as read_indicator, list_indicators
from ..formats import jsonable, rows_as_objects, to_csv
from .releases import cache_headers, release_for, remembered, sandbox_for
from .packages import SDMX_CSV
from .tablequery import stat_lang

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


@bp.get("/indicators/<indicator_id>.jsonstat")
@remembered  # built on request, kept per release and URL (lang included)
def indicator_jsonstat(indicator_id: str, version: str | None = None):
    """The indicator's preferred values as a JSON-stat 2.0 dataset."""
    lang = stat_lang()
    release = release_for(version)
    box = sandbox_for(release)
    indicators, regions = jsonstat.labels(box)
    if indicator_id not in indicators:
        raise NotFound(f"no indicator {indicator_id!r}", details={"indicator": indicator_id})
    rows = jsonstat.indicator_observations(box, indicator_id)
    label = indicators[indicator_id].get("name_zh" if lang == "zh" else "name_en") or indicator_id
    data = jsonstat.dataset(rows, indicators, regions, lang=lang, label=label, release=release.version,
                            updated=release.meta.get("created"))
    return cache_headers(Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                                  mimetype=jsonstat.MEDIA_TYPE), version)


@bp.get("/indicators/<indicator_id>.sdmx.csv")
@remembered  # built on request, kept per release and URL
def indicator_sdmx(indicator_id: str, version: str | None = None):
    """The indicator's preferred values as SDMX-CSV 2.0 against the release's data structure."""
    release = release_for(version)
    box = sandbox_for(release)
    if indicator_id not in jsonstat.labels(box)[0]:
        raise NotFound(f"no indicator {indicator_id!r}", details={"indicator": indicator_id})
    body = sdmx.data_csv(jsonstat.indicator_observations(box, indicator_id))
    return cache_headers(Response(body, content_type=SDMX_CSV), version)
