"""What the pages for people show, read from a release: coverage, a search index, regions,
first rows of a table, a package's part of the validation report, the release history.

Like ``series.py``, it reads the release's DuckDB views through a sandbox (socsec's own
queries) and the release folder through ``store``; no Flask.
"""

from __future__ import annotations

import functools
import json

from .catalog import snake
from .errors import NotFound
from .introspection import CATALOG_SCHEMA
from .sandbox import Sandbox
from .series import _objects, has_indicators, list_indicators
from .store import Release, Store

NATIONAL = "CN"
NOT_COVERED = {"CN-HK": ("Hong Kong", "香港"), "CN-MO": ("Macau", "澳门"), "CN-TW": ("Taiwan", "台湾")}
LEVELS = 6  # colour steps of the tile-grid map

# one square per province in its rough geographic place: (code, column, row)
TILES = [
    ("CN-HL", 7, 0),
    ("CN-NM", 4, 1), ("CN-BJ", 5, 1), ("CN-LN", 6, 1), ("CN-JL", 7, 1),
    ("CN-XJ", 0, 2), ("CN-GS", 2, 2), ("CN-NX", 3, 2), ("CN-SX", 4, 2), ("CN-HE", 5, 2), ("CN-TJ", 6, 2),
    ("CN-XZ", 1, 3), ("CN-QH", 2, 3), ("CN-SN", 3, 3), ("CN-HA", 4, 3), ("CN-SD", 5, 3),
    ("CN-SC", 2, 4), ("CN-CQ", 3, 4), ("CN-HB", 4, 4), ("CN-AH", 5, 4), ("CN-JS", 6, 4), ("CN-SH", 7, 4),
    ("CN-YN", 2, 5), ("CN-GZ", 3, 5), ("CN-HN", 4, 5), ("CN-JX", 5, 5), ("CN-ZJ", 6, 5),
    ("CN-GX", 3, 6), ("CN-GD", 4, 6), ("CN-FJ", 5, 6), ("CN-TW", 6, 6),
    ("CN-HI", 3, 7), ("CN-MO", 4, 7), ("CN-HK", 5, 7),
]

_COVERAGE = """
SELECT package, min(year) AS first_year, max(year) AS last_year,
       count(DISTINCT indicator_id) AS indicators, count(DISTINCT region) AS regions
FROM main.observations GROUP BY package
"""

_REGIONAL = """
SELECT DISTINCT indicator_id FROM main.observations WHERE region <> 'CN' ORDER BY indicator_id
"""


def _has_view(box: Sandbox, name: str) -> bool:
    return box.run_trusted("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' "
                           "AND view_name = $name", {"name": name}).rows[0][0] == 1


def coverage(box: Sandbox) -> dict[str, dict]:
    """Years, indicators and regions of each package that has observations."""
    if not has_indicators(box):
        return {}
    return {row.pop("package"): row for row in _objects(box.run_trusted(_COVERAGE))}


def indicators(box: Sandbox) -> list[dict]:
    """The indicator list of `/api/indicators`, with whether each has regional values."""
    items = _objects(list_indicators(box))
    regional = set(regional_indicators(box))
    for item in items:
        item["regional"] = item["id"] in regional
    return items


def regional_indicators(box: Sandbox) -> list[str]:
    if not has_indicators(box):
        return []
    return [row[0] for row in box.run_trusted(_REGIONAL).rows]


def regions(box: Sandbox) -> dict[str, dict]:
    """Region code -> English and Chinese names (empty when no package has a regions table)."""
    names = {NATIONAL: {"name_en": "National total", "name_zh": "全国"}}
    names.update({code: {"name_en": en, "name_zh": zh} for code, (en, zh) in NOT_COVERED.items()})
    if _has_view(box, "regions"):
        for row in _objects(box.run_trusted("SELECT DISTINCT code, name_en, name_zh FROM main.regions")):
            names[row.pop("code")] = row
    return names


def search_index(release: Release, items: list[dict]) -> list[dict]:
    """Packages and indicators with the words a person may type: names in both languages, ids, units."""
    entries = [{"kind": "package", "id": name, "name_en": entry.get("title", name),
                "name_zh": entry.get("title_zh", ""), "unit": "", "package": name}
               for name, entry in release.packages.items()]
    entries += [{"kind": "indicator", "id": i["id"], "name_en": i["name_en"], "name_zh": i["name_zh"],
                 "unit": i["unit"], "package": i["package"]} for i in items]
    return entries


def preview(box: Sandbox, package: str, resource: str, limit: int = 10) -> dict:
    """The first rows of one released table (none when the release has no such table)."""
    schema, table = snake(package), snake(resource)
    found = box.run_trusted("SELECT count(*) FROM information_schema.tables WHERE table_schema = $s "
                            "AND table_name = $t", {"s": schema, "t": table}).rows[0][0]
    if not found:
        return {"columns": [], "rows": []}
    result = box.run_trusted(f'SELECT * FROM "{schema}"."{table}" LIMIT {int(limit)}')
    return {"columns": result.columns, "rows": result.rows}


def tables(box: Sandbox) -> list[str]:
    """Every table and view a query may name, the `main` views first."""
    return [row[0] for row in box.run_trusted(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema <> $catalog ORDER BY table_schema <> 'main', 1", {"catalog": CATALOG_SCHEMA}).rows]


@functools.lru_cache(maxsize=64)
def _release_json(path: str) -> dict:
    """A JSON file of a release, read once per process: a release never changes (do not mutate it)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def validation_report(release: Release) -> dict:
    return _release_json(str(release.path / "validation.json"))


def validation_of(release: Release, package: str) -> dict:
    """This package's part of the release's validation report."""
    report = validation_report(release)
    for entry in report.get("packages", []):
        if entry.get("name") == package:
            return entry
    raise NotFound(f"the validation report of {release.version} has no package {package!r}",
                   details={"package": package, "release": release.version})


def changes_of(release: Release) -> dict:
    path = release.path / "changes.json"
    return _release_json(str(path)) if path.is_file() else {}


def history(store: Store, package: str | None = None) -> list[dict]:
    """Releases newest first (those holding ``package`` when given), with that package's changes."""
    current = store.current_version()
    items = []
    for version in reversed(store.versions()):
        release = store.release(version)
        if package is not None and package not in release.packages:
            continue
        changes = changes_of(release)
        items.append({"version": version, "created": release.meta.get("created", ""),
                      "current": version == current, "previous": release.meta.get("previous"),
                      "changes": changes.get(package, {}) if package else changes})
    return items


def manifest(release: Release) -> list[dict]:
    return _release_json(str(release.path / "manifest.json"))["files"]


def points(data: dict, region: str, first: int | None = None, last: int | None = None) -> list[dict]:
    """The preferred value of each year of one region of an indicator (``series.indicator``'s answer),
    between two years, each with its source and every source's value for that year; ``disagree`` when
    those values differ."""
    chosen = []
    for obs in data["observations"]:
        if obs["region"] != region or (first is not None and obs["year"] < first) or (
                last is not None and obs["year"] > last):
            continue
        if obs["preferred"]:
            chosen.append({**obs, "others": []})
    by_year = {p["year"]: p for p in chosen}
    for obs in data["observations"]:
        point = by_year.get(obs["year"]) if obs["region"] == region else None
        if point is not None:
            point["others"].append(obs)
    for point in chosen:
        point["disagree"] = len({o["value_normalised"] for o in point["others"]}) > 1
    return sorted(chosen, key=lambda p: p["year"])


def series_regions(data: dict) -> list[str]:
    """Regions of an indicator's preferred series, the national total first."""
    found = {p["region"] for p in data["series"]}
    return sorted(found, key=lambda code: (code != NATIONAL, code))


def map_values(data: dict, year: int | None) -> dict:
    """Preferred values of every province in one year (the national total left out), and the years."""
    years = sorted({p["year"] for p in data["series"] if p["region"] != NATIONAL})
    if year not in years:
        year = years[-1] if years else None
    values = {p["region"]: dict(p) for p in data["series"] if p["region"] != NATIONAL and p["year"] == year}
    ranked = sorted(values.values(), key=lambda p: p["value_normalised"])
    for rank, point in enumerate(ranked):
        point["level"] = rank * LEVELS // len(ranked)
    return {"years": years, "year": year, "values": values}
