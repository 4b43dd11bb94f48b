"""Indicator series read from a release's DuckDB views (``main.indicators``, ``main.observations``).

Each indicator has its registry entry, its preferred series (one value per
year and region), every observation of every source, with the quote and
the source's reliability, and its coverage: the years it covers, the years
missing inside that range, and how many sources each year has.
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


# one row per indicator (its years as lists), so that the answer stays under the row cap of socsec's own
# queries however long the series grow (one row per indicator and year passed 1,000 with the NBS series)
_COVERAGE = """
SELECT indicator_id, list(year ORDER BY year), list(observations ORDER BY year), list(sources ORDER BY year),
       list(regions ORDER BY year)
FROM (SELECT indicator_id, year, count(*) AS observations, count(DISTINCT source_id) AS sources,
             count(DISTINCT region) AS regions
      FROM main.observations {where} GROUP BY indicator_id, year)
GROUP BY indicator_id ORDER BY indicator_id
"""


def _objects(result: QueryResult) -> list[dict]:
    return [dict(zip(result.columns, row)) for row in result.rows]


def has_indicators(box: Sandbox) -> bool:
    found = box.run_trusted("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' "
                            "AND view_name IN ('indicators', 'observations', 'sources')").rows[0][0]
    return found == 3


def list_indicators(box: Sandbox) -> QueryResult:
    """One row per indicator, with ``years_covered`` and ``missing_years`` (inside its first-last range)."""
    if not has_indicators(box):
        return QueryResult([], [], [], False, 0.0)
    result = box.run_trusted(_LIST)
    coverage = indicator_coverage(box)
    rows = []
    for row in result.rows:
        cov = coverage.get(row[0], {"years": [], "missing_years": []})
        rows.append((*row, len(cov["years"]), cov["missing_years"]))
    return QueryResult([*result.columns, "years_covered", "missing_years"],
                       [*result.types, "INTEGER", "INTEGER[]"], rows, result.truncated, result.elapsed_ms)


def indicator_coverage(box: Sandbox, indicator_id: str | None = None) -> dict[str, dict]:
    """``id -> {first_year, last_year, years, missing_years, per_year: [{year, covered, observations,
    sources, regions}]}`` over every year of the indicator's range."""
    where, params = ("WHERE indicator_id = $id", {"id": indicator_id}) if indicator_id else ("", None)
    counts: dict[str, dict[int, tuple]] = {}
    result = box.run_trusted(_COVERAGE.format(where=where), params)
    if result.truncated:
        raise RuntimeError("indicator coverage: more indicators than the row cap of socsec's own queries")
    for iid, years, *per_year in result.rows:
        counts[iid] = {year: counts_of for year, counts_of in zip(years, zip(*per_year))}
    out = {}
    for iid, by_year in counts.items():
        first, last = min(by_year), max(by_year)
        per_year = []
        for year in range(first, last + 1):
            observations, sources, regions = by_year.get(year, (0, 0, 0))
            per_year.append({"year": year, "covered": year in by_year, "observations": observations,
                             "sources": sources, "regions": regions})
        out[iid] = {"first_year": first, "last_year": last, "years": sorted(by_year),
                    "missing_years": [y["year"] for y in per_year if not y["covered"]], "per_year": per_year}
    return out


def indicator(box: Sandbox, indicator_id: str) -> dict:
    entries = _objects(box.run_trusted(_ENTRY, {"id": indicator_id})) if has_indicators(box) else []
    if not entries:
        raise NotFound(f"no indicator {indicator_id!r}", details={"indicator": indicator_id})
    observations = _objects(box.run_trusted(_OBSERVATIONS, {"id": indicator_id}))
    series = [{k: o[k] for k in ("year", "region", "value_normalised", "unit_normalised", "value", "unit",
                                 "source_id")} for o in observations if o["preferred"]]
    coverage = indicator_coverage(box, indicator_id).get(indicator_id)
    return {"indicator": entries[0], "coverage": coverage, "series": series, "observations": observations}
