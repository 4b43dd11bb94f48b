"""Exactly one preferred row per (indicator_id, year, region), by a stated rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from .numbers import significant_digits
from .registry import Registry

RULE = (
    "Where several rows give the same indicator, year and region, exactly one is marked preferred: "
    "(1) the source with the lowest reliability_rank (1 = official ... 7 = low credibility); "
    "(2) on a tie, the newer copy of a database (sources.retrieved, the date the copy was made: the NBS "
    "database as crawled in 2023 over its 2016 crawl, which NBS has since revised); "
    "(3) then a figure not flagged as rounded or approximate ('about', 'around', 'more than', 'rounded') "
    "over one that is; (4) then the figure written with more significant digits; "
    "(5) then, as the documented last tie-break, the alphabetically first source_id. All rows are kept."
)


def _key(row: dict, reg: Registry) -> tuple:
    source = reg.sources[row["source_id"]]
    retrieved = date.fromisoformat(source["retrieved"]).toordinal() if source.get("retrieved") else 0
    return (int(source["reliability_rank"]), -retrieved, row["_approx"], -significant_digits(row["value"]),
            row["source_id"])


def _reason(winner: dict, loser: dict, reg: Registry) -> str:
    kw, kl = _key(winner, reg), _key(loser, reg)
    if kw[0] != kl[0]:
        return f"reliability rank {kw[0]} vs {kl[0]}"
    if kw[1] != kl[1]:
        return "newer copy of the database (retrieved " + reg.sources[winner["source_id"]]["retrieved"] + ")"
    if kw[2] != kl[2]:
        return "unrounded vs rounded/approximate"
    if kw[3] != kl[3]:
        return f"{-kw[3]} vs {-kl[3]} significant digits"
    return "tie on rank, rounding and digits: alphabetical source_id"


def mark_preferred(rows: list[dict], reg: Registry) -> list[list[dict]]:
    """Set ``preferred`` and explain it in ``_pref``; return the groups with more than one row."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["indicator_id"], row["year"], row["region"])].append(row)
    conflicts = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda r: _key(r, reg))
        winner = group[0]
        winner["preferred"] = True
        winner["_pref"] = ""
        if len(group) == 1:
            continue
        conflicts.append(group)
        others = ", ".join(f"{r['source_id']} ({r['value']} {r['unit']})" for r in group[1:])
        winner["_pref"] = f"preferred over {others}: {_reason(winner, group[1], reg)}"
        for loser in group[1:]:
            same = "same value; " if loser["value_normalised"] == winner["value_normalised"] else ""
            loser["_pref"] = (f"not preferred: {same}{winner['source_id']} ({winner['value']} {winner['unit']}) "
                              f"wins by {_reason(winner, loser, reg)}")
    for row in rows:
        row["note"] = "; ".join([*row["_flags"], *([row["_pref"]] if row["_pref"] else [])])
    return conflicts
