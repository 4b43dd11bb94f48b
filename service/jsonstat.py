"""JSON-stat 2.0 datasets of preferred observations: dimensions indicator (role metric, with its unit),
region (geo) and year (time); each value's reliability as its ``status``, and its source, reliability and
note in ``extension``. Labels in English or Chinese. Reads a release's DuckDB views through a sandbox."""

from __future__ import annotations

from .browse import regions as region_names
from .errors import QueryError
from .sandbox import Sandbox
from .series import _objects, has_indicators

LANGUAGES = ("en", "zh")
MEDIA_TYPE = "application/json"  # JSON-stat has no registered media type of its own

_PREFERRED = """
SELECT o.indicator_id, o.region, o.year, o.value_normalised, o.unit_normalised, o.source_id,
       s.reliability, o.note
FROM main.observations o
LEFT JOIN main.sources s ON s.id = o.source_id AND s.package = o.package
WHERE o.preferred AND {where}
ORDER BY o.indicator_id, o.region, o.year
"""
_INDICATORS = "SELECT DISTINCT id, name_en, name_zh, unit FROM main.indicators ORDER BY id"

_TEXTS = {
    "indicator": ("Indicator", "指标"), "region": ("Region", "地区"), "year": ("Year", "年份"),
    "note": (("Preferred values only (one per indicator, region and year), in each indicator's canonical unit "
              "(value_normalised). status: the reliability of the value's source; extension.socsec.observations: "
              "its source id, reliability and note, by value index."),
             ("仅含首选值(每个指标、地区、年份一个),单位为指标的标准单位(value_normalised)。status:数值来源的可靠性;"
              "extension.socsec.observations:按数值位置给出来源编号、可靠性和备注。")),
}


def package_observations(box: Sandbox, package: str) -> list[dict]:
    return _preferred(box, "o.package = $key", package)


def indicator_observations(box: Sandbox, indicator_id: str) -> list[dict]:
    return _preferred(box, "o.indicator_id = $key", indicator_id)


def _preferred(box: Sandbox, where: str, key: str) -> list[dict]:
    if not has_indicators(box):
        return []
    result = box.run_trusted(_PREFERRED.format(where=where), {"key": key})
    if result.truncated:
        raise QueryError(f"{key!r} has more than {box.max_rows} preferred values, more than one answer holds; "
                         "its package's observations.jsonstat has them all", code="too-many-values",
                         details={"key": key, "row_limit": box.max_rows})
    return _objects(result)


def labels(box: Sandbox) -> tuple[dict, dict]:
    """Indicator id -> {name_en, name_zh, unit}; region code -> {name_en, name_zh}."""
    indicators = {}
    if has_indicators(box):
        indicators = {row.pop("id"): row for row in _objects(box.run_trusted(_INDICATORS))}
    return indicators, region_names(box)


def dataset(rows: list[dict], indicators: dict, regions: dict, *, lang: str, label: str, release: str,
            updated: str | None = None) -> dict:
    """One JSON-stat 2.0 dataset; ``value`` is dense (row-major over indicator, region, year), null where
    there is no preferred value."""
    zh = lang == "zh"
    ids = sorted({r["indicator_id"] for r in rows})
    codes = sorted({r["region"] for r in rows}, key=lambda c: (c != "CN", c))
    years = sorted({r["year"] for r in rows})
    position = {(i, c, y): n for n, (i, c, y) in enumerate(
        (i, c, y) for i in ids for c in codes for y in years)}
    values: list = [None] * len(position)
    status, details = {}, {}
    for row in rows:
        n = position[row["indicator_id"], row["region"], row["year"]]
        values[n] = row["value_normalised"]
        if row.get("reliability"):
            status[str(n)] = row["reliability"]
        details[str(n)] = {"source_id": row["source_id"], "reliability": row.get("reliability"),
                           "note": row.get("note") or ""}
    units = {i: _unit(rows, indicators, i) for i in ids}
    out = {
        "version": "2.0", "class": "dataset", "label": label, "source": f"socsec release {release}",
        "note": [_text("note", zh)],
        "id": ["indicator", "region", "year"], "size": [len(ids), len(codes), len(years)],
        "role": {"metric": ["indicator"], "geo": ["region"], "time": ["year"]},
        "dimension": {
            "indicator": {"label": _text("indicator", zh), "category": {
                "index": ids, "label": {i: _name(indicators.get(i), i, zh) for i in ids},
                "unit": {i: {"label": units[i]} for i in ids}}},
            "region": {"label": _text("region", zh), "category": {
                "index": codes, "label": {c: _name(regions.get(c), c, zh) for c in codes}}},
            "year": {"label": _text("year", zh), "category": {
                "index": [str(y) for y in years], "label": {str(y): str(y) for y in years}}},
        },
        "value": values,
        "status": status,
        "extension": {"socsec": {"release": release, "lang": lang, "observations": details}},
    }
    if updated:
        out["updated"] = updated
    return out


def _unit(rows: list[dict], indicators: dict, indicator_id: str) -> str:
    entry = indicators.get(indicator_id) or {}
    return entry.get("unit") or next(r["unit_normalised"] for r in rows if r["indicator_id"] == indicator_id)


def _name(entry: dict | None, fallback: str, zh: bool) -> str:
    if not entry:
        return fallback
    return (entry.get("name_zh") if zh else entry.get("name_en")) or entry.get("name_en") or fallback


def _text(key: str, zh: bool) -> str:
    return _TEXTS[key][1 if zh else 0]
