"""The indicator page (chart, table, map; the source of every point) and the province page."""

from __future__ import annotations

import datetime as dt

from flask import Response, jsonify, request

from ... import browse
from ...errors import QueryError
from ...series import indicator as read_indicator
from ...formats import jsonable, to_csv
from ..releases import release_for, sandbox_for
from . import i18n
from .common import blueprint, render

bp = blueprint("pages_indicators")

VIEWS = ("chart", "table", "map")
SCRIPT_TEXTS = ["year", "value", "source", "publisher", "reliability", "quote", "note", "link", "preferred",
                "disagree", "all.values", "value.published", "chart.alt"]
SHOWN_COLUMNS = ["indicator_id", "year", "region", "value", "unit", "value_normalised", "unit_normalised",
                 "source_id", "source_title", "source_publisher", "source_url", "reliability", "quote", "note",
                 "disagree", "all_values"]


def _year(name: str) -> int | None:
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit():
        raise QueryError(f"{name} must be a year such as 2015, got {raw!r}", code="bad-parameter",
                         details={"parameter": name})
    return int(raw)


def _state(data: dict) -> dict:
    """The view state from the URL, checked against what the indicator has."""
    regions = browse.series_regions(data)
    region = request.args.get("region") or (regions[0] if regions else browse.NATIONAL)
    if regions and region not in regions:
        raise QueryError(f"indicator {data['indicator']['id']!r} has no values for region {region!r}",
                         code="bad-parameter", details={"parameter": "region", "regions": regions})
    view = request.args.get("view", "chart")
    if view not in VIEWS:
        raise QueryError(f"view must be one of {', '.join(VIEWS)}, got {view!r}", code="bad-parameter",
                         details={"parameter": "view"})
    return {"region": region, "regions": regions, "view": view, "from": _year("from"), "to": _year("to"),
            "year": _year("year"), "point": _year("point")}


def _sql(indicator_id: str) -> str:
    literal = indicator_id.replace("'", "''")
    return ("SELECT year, region, value, unit, value_normalised, unit_normalised, source_id, quote\n"
            f"FROM observations\nWHERE indicator_id = '{literal}' AND preferred\nORDER BY region, year")


@bp.get("/indicators/<indicator_id>")
def indicator(indicator_id: str):
    release = release_for(None)
    box = sandbox_for(release)
    data = read_indicator(box, indicator_id)
    state = _state(data)
    shown = browse.points(data, state["region"], state["from"], state["to"])
    years = sorted({p["year"] for p in data["series"] if p["region"] == state["region"]})
    package = data["observations"][0]["package"] if data["observations"] else None
    script = {"indicator": jsonable(data["indicator"]), "region": state["region"],
              "points": [jsonable({k: v for k, v in p.items() if k != "others"}) for p in shown],
              "unit": i18n.unit(data["indicator"]["unit"]), "texts": i18n.texts_for_script(SCRIPT_TEXTS)}
    return render("indicator.html", release=release, data=data, state=state, shown=shown, years=years,
                  script=script, map=browse.map_values(data, state["year"]), names=browse.regions(box),
                  sql=_sql(indicator_id), today=dt.date.today().isoformat(),
                  shown_args={k: v for k in ("region", "from", "to") if (v := state[k]) is not None},
                  regional=any(r != browse.NATIONAL for r in state["regions"]), package=package,
                  coverage=_coverage(release, package, indicator_id))


def _coverage(release, package: str | None, indicator_id: str) -> dict | None:
    """The package descriptor's coverage entry of this indicator (first, last and missing years), if any."""
    entries = release.descriptor(package).get("coverage", []) if package else []
    return next((c for c in entries if isinstance(c, dict) and c.get("indicator_id") == indicator_id), None)


@bp.get("/indicators/<indicator_id>/data.<any(csv, json):ext>")
def shown_data(indicator_id: str, ext: str):
    """Exactly what the page shows for the same URL state: the region's preferred values in the years."""
    release = release_for(None)
    data = read_indicator(sandbox_for(release), indicator_id)
    state = _state(data)
    rows = [{"indicator_id": indicator_id, **{k: p[k] for k in SHOWN_COLUMNS[1:-2]}, "disagree": p["disagree"],
             "all_values": "; ".join(f"{o['value']} {o['unit']} ({o['source_id']})" for o in p["others"])}
            for p in browse.points(data, state["region"], state["from"], state["to"])]
    name = f"{indicator_id}-{state['region']}-{release.version}"
    if ext == "csv":
        body = to_csv(SHOWN_COLUMNS, [tuple(r.values()) for r in rows])
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    response = jsonify({"release": release.version, "indicator": jsonable(data["indicator"]),
                        "region": state["region"], "from": state["from"], "to": state["to"],
                        "points": jsonable(rows)})
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@bp.get("/provinces")
def provinces():
    release = release_for(None)
    box = sandbox_for(release)
    items = [i for i in browse.indicators(box) if i["regional"]]
    fullest = max(items, key=lambda i: (i["observations"], i["id"]), default=None)
    chosen = request.args.get("indicator") or (fullest["id"] if fullest else None)
    data = read_indicator(box, chosen) if chosen else None
    values = browse.map_values(data, _year("year")) if data else {"years": [], "year": None, "values": {}}
    sort = request.args.get("sort", "value")
    if sort not in ("value", "region"):
        raise QueryError(f"sort must be 'value' or 'region', got {sort!r}", code="bad-parameter",
                         details={"parameter": "sort"})
    descending = request.args.get("dir", "desc" if sort == "value" else "asc") == "desc"
    key = (lambda r: r["value_normalised"]) if sort == "value" else (lambda r: r["region"])
    rows = sorted(values["values"].values(), key=key, reverse=descending)
    return render("provinces.html", release=release, items=items, chosen=chosen, data=data, map=values,
                  rows=rows, sort=sort, descending=descending, names=browse.regions(box))
