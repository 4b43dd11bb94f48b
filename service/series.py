"""Indicator series read from a release's DuckDB views (``main.indicators``, ``main.observations``).

Each indicator has its registry entry, its preferred series (one value per
year and region) and every observation of every source, with the quote and
the source's reliability.
"""

from __future__ import annotations

from .errors import NotFound
from .sandbox import QueryResult, Sandbox

_LIST = """
SELECT i.id, any_value(i.name_en) AS name_en, any_value(i.name_zh) AS name_zh, any_value(i.unit) AS unit,
       any_value(i.definition) AS definition, any_value(o.package) AS package,
       min(o.year) AS first_year, max(o.year) AS last_year, count(o.year) AS observations,
       count(DISTINCT o.source_id) AS sources
FROM main.indicators i JOIN main.observations o ON o.indicator_id = i.id AND o.package = i.package
GROUP BY i.id ORDER BY i.id
"""

_ENTRY = "SELECT DISTINCT * EXCLUDE (package) FROM main.indicators WHERE id = $id"

_OBSERVATIONS = """
SELECT o.package, o.year, o.region, o.value, o.unit, o.value_normalised, o.unit_normalised, o.preferred,
       o.source_id, s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
       s.reliability, o.quote, o.note
FROM main.observations o
LEFT JOIN main.sources s ON s.id = o.source_id AND s.package = o.package
WHERE o.indicator_id = $id
ORDER BY o.region, o.year, o.preferred DESC, s.reliability_rank, o.source_id
"""


def _objects(result: QueryResult) -> list[dict]:
    return [dict(zip(result.columns, row)) for row in result.rows]


def has_indicators(box: Sandbox) -> bool:
    found = box.run_trusted("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' "
                            "AND view_name IN ('indicators', 'observations', 'sources')").rows[0][0]
    return found == 3


def list_indicators(box: Sandbox) -> QueryResult:
    if not has_indicators(box):
        return QueryResult([], [], [], False, 0.0)
    return box.run_trusted(_LIST)


def indicator(box: Sandbox, indicator_id: str) -> dict:
    entries = _objects(box.run_trusted(_ENTRY, {"id": indicator_id})) if has_indicators(box) else []
    if not entries:
        raise NotFound(f"no indicator {indicator_id!r}", details={"indicator": indicator_id})
    observations = _objects(box.run_trusted(_OBSERVATIONS, {"id": indicator_id}))
    series = [{k: o[k] for k in ("year", "region", "value_normalised", "unit_normalised", "value", "unit",
                                 "source_id")} for o in observations if o["preferred"]]
    return {"indicator": entries[0], "series": series, "observations": observations}
