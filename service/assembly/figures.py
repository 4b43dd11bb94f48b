"""Observations from ``figures.csv`` (news and bulletin reposts) and from the seed article's extract."""

from __future__ import annotations

from .csvio import read_csv
from .numbers import normalise
from .registry import Registry

ARTICLE_SOURCE = "seed-zheng"
APPROXIMATE_WORDS = ("rounded", "approximate", "lower bound")


def _document_source(reg: Registry) -> dict[str, str]:
    return {row["document"]: sid for sid, row in reg.sources.items()}


def figures_unit(written: str) -> tuple[str, list[str]]:
    """``'万人 (10,000 persons)'`` -> ``('万人', [])``; the gloss's flags (rounded, ...) become notes."""
    unit, _, gloss = written.partition(" (")
    flags = []
    if "rounded" in gloss:
        flags.append("rounded (flagged in figures.csv)")
    if "quote omits unit" in gloss:
        flags.append("the quote omits the unit")
    return unit, flags


def figures_observations(reg: Registry) -> list[dict]:
    seeds = reg.seeds
    by_doc = _document_source(reg)
    url_source = {r["source_url"]: by_doc["figures/" + r["raw_excerpt_file"]]
                  for r in read_csv(seeds / "figures" / "figures_sources.csv")}
    indicator_of = {(r["figures_indicator"], r["unit"]): r["indicator_id"]
                    for r in read_csv(seeds / "extracts" / "figures_indicators.csv")}
    out = []
    for line, row in enumerate(read_csv(seeds / "figures" / "figures.csv"), start=2):
        unit, flags = figures_unit(row["unit"])
        source_id = url_source[row["source_url"]]
        if not flags and "rounded" in reg.sources[source_id]["reliability_note"]:
            flags.append("rounded (the source rounds its figures, per figures_sources.csv)")
        iid = indicator_of[(row["indicator"], unit)]
        out.append(_observation(reg, iid, row["year"], "CN", row["value"], unit, source_id,
                                row["quote"], flags, origin=f"figures.csv row {line}"))
    return out


def article_observations(reg: Registry) -> list[dict]:
    return extract_observations(reg, "article_figures.csv")


def extract_observations(reg: Registry, name: str) -> list[dict]:
    """National figures curated with their quotes in ``seeds/extracts/<name>`` (source_id column, or the
    seed article when there is none)."""
    out = []
    for line, row in enumerate(read_csv(reg.seeds / "extracts" / name), start=2):
        flags = [row["note"]] if row["note"] else []
        out.append(_observation(reg, row["indicator_id"], row["year"], "CN", row["value"], row["unit"],
                                row.get("source_id") or ARTICLE_SOURCE, row["quote"], flags,
                                origin=f"{name} row {line}"))
    return out


def _observation(reg: Registry, iid: str, year: str, region: str, value: str, unit: str, source_id: str,
                 quote: str, flags: list[str], origin: str) -> dict:
    indicator = reg.indicators[iid]
    conv = reg.units[unit]
    if conv["canonical_unit"] != indicator["unit"]:
        raise ValueError(f"{origin}: unit {unit!r} is {conv['canonical_unit']}, indicator {iid} is {indicator['unit']}")
    return {
        "indicator_id": iid, "year": int(year), "region": region, "value": value, "unit": unit,
        "value_normalised": normalise(value, conv["factor"]), "unit_normalised": indicator["unit"],
        "source_id": source_id, "quote": quote, "preferred": False,
        "_flags": flags, "_approx": any(w in f for f in flags for w in APPROXIMATE_WORDS),
        "_package": indicator["package"], "_origin": origin,
    }
