"""The curated registries under ``seeds/registry`` and ``seeds/extracts``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .csvio import read_csv

CANONICAL_UNITS = (
    "persons", "households", "yuan", "yuan per person per month", "yuan per person per year", "percent",
    "units", "person-times",
)
RELIABILITY_RANKS = {
    "official": 1, "official-repost": 2, "official-data-copy": 3, "reputable-news": 4, "secondary-news": 5,
    "secondary-repost": 6, "low": 7,
}
INDICATOR_FIELDS = ["id", "name_en", "name_zh", "unit", "definition", "definition_zh", "parent_id",
                    "yoy_max_change_pct", "comparable_id", "notes"]
SOURCE_FIELDS = ["id", "title", "publisher", "url", "reliability", "reliability_rank", "reliability_note", "document",
                 "retrieved"]
UNIT_FIELDS = ["unit", "canonical_unit", "factor", "note"]


@dataclass(frozen=True)
class Registry:
    seeds: Path
    indicators: dict[str, dict[str, str]]
    sources: dict[str, dict[str, str]]
    units: dict[str, dict[str, str]]
    regions: dict[str, dict[str, str]]  # keyed by the label as written

    def indicators_of(self, package: str) -> list[str]:
        return sorted(i for i, row in self.indicators.items() if row["package"] == package)

    def with_parents(self, ids: set[str]) -> list[str]:
        """The ids plus, transitively, the totals they are parts of."""
        out = set(ids)
        todo = list(ids)
        while todo:
            parent = self.indicators[todo.pop()]["parent_id"]
            if parent and parent not in out:
                out.add(parent)
                todo.append(parent)
        return sorted(out)


def load_registry(seeds: Path) -> Registry:
    reg = seeds / "registry"
    indicators = {r["id"]: r for r in read_csv(reg / "indicators.csv")}
    sources = {r["id"]: r for r in read_csv(reg / "sources.csv")}
    units = {r["unit"]: r for r in read_csv(reg / "units.csv")}
    regions = {r["region_as_written"]: r for r in read_csv(reg / "regions.csv")}
    _check(indicators, sources, units)
    return Registry(seeds, indicators, sources, units, regions)


def _check(indicators: dict, sources: dict, units: dict) -> None:
    for iid, row in indicators.items():
        if row["unit"] not in CANONICAL_UNITS:
            raise ValueError(f"indicator {iid}: unit {row['unit']!r} is not canonical")
        for ref in ("parent_id", "comparable_id"):
            if row[ref] and row[ref] not in indicators:
                raise ValueError(f"indicator {iid}: unknown {ref} {row[ref]!r}")
    for sid, row in sources.items():
        if RELIABILITY_RANKS.get(row["reliability"]) != int(row["reliability_rank"]):
            raise ValueError(f"source {sid}: rank does not match reliability")
    for unit, row in units.items():
        if row["canonical_unit"] not in CANONICAL_UNITS:
            raise ValueError(f"unit {unit!r}: canonical unit {row['canonical_unit']!r} unknown")
