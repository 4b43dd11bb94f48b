"""Coverage of each indicator: the years it covers, the years missing inside that range, sources per year.

Written three ways from the same rows: the ``coverage`` resource (one row per indicator and year from its
first to its last year, so gaps are rows with ``covered = false``), a summary in the descriptor, and a
years-by-indicator table in the README.
"""

from __future__ import annotations

from collections import defaultdict

GAP, OUTSIDE = "·", ""


def coverage_rows(rows: list[dict]) -> list[dict]:
    """One row per (indicator, year) from the indicator's first to its last year, sorted."""
    sources, regions, count = defaultdict(set), defaultdict(set), defaultdict(int)
    years = defaultdict(set)
    for r in rows:
        key = (r["indicator_id"], r["year"])
        sources[key].add(r["source_id"])
        regions[key].add(r["region"])
        count[key] += 1
        years[r["indicator_id"]].add(r["year"])
    out = []
    for iid in sorted(years):
        for year in range(min(years[iid]), max(years[iid]) + 1):
            key = (iid, year)
            out.append({"indicator_id": iid, "year": year, "covered": key in count,
                        "observations": count.get(key, 0), "sources": len(sources.get(key, ())),
                        "regions": len(regions.get(key, ()))})
    return out


def coverage_summary(cov: list[dict]) -> list[dict]:
    """Per indicator: first and last year, years covered, years missing inside the range."""
    by = defaultdict(list)
    for c in cov:
        by[c["indicator_id"]].append(c)
    return [{"indicator_id": iid, "first_year": cs[0]["year"], "last_year": cs[-1]["year"],
             "years_covered": sum(c["covered"] for c in cs),
             "missing_years": [c["year"] for c in cs if not c["covered"]]} for iid, cs in sorted(by.items())]


def coverage_matrix(cov: list[dict]) -> list[str]:
    """Markdown: one row per indicator, one column per year; a cell holds the number of sources that year."""
    if not cov:
        return []
    years = list(range(min(c["year"] for c in cov), max(c["year"] for c in cov) + 1))
    cells = {(c["indicator_id"], c["year"]): (str(c["sources"]) if c["covered"] else GAP) for c in cov}
    ids = sorted({c["indicator_id"] for c in cov})
    out = ["### Years by indicator", "",
           f"Each cell is the number of sources giving the indicator that year; `{GAP}` is a year missing inside "
           "the indicator's range (a gap); blank is outside its range. The same table is the `coverage` resource "
           "(`SELECT * FROM coverage WHERE NOT covered` lists the gaps).", "",
           "| indicator | " + " | ".join(str(y)[2:] if len(years) > 12 else str(y) for y in years) + " |",
           "|---|" + "---|" * len(years)]
    for iid in ids:
        out.append(f"| `{iid}` | " + " | ".join(cells.get((iid, y), OUTSIDE) for y in years) + " |")
    if len(years) > 12:
        out += ["", f"Years are written by their last two digits ({years[0]}-{years[-1]})."]
    return out + [""]
