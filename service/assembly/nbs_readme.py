"""The README section on the NBS database copies: what each package publishes from them, how each series' unit
was established, what was left out and why, the identities and the named jumps."""

from __future__ import annotations

from .nbs import NbsResult
from .nbs_checks import yoy_exceptions
from .registry import Registry
from .tables_readme import cell

UNLABELLED = ("`andreadyx-prov-medicare-unlabelled` (data/medicare.csv, 217 values) and "
              "`andreadyx-prov-live-medicare-unlabelled` (data/live_medicare.csv, 217 values): no file, note or code "
              "of their repository names the indicator; their size suggests medical insurance participants, but that "
              "is a guess, so none of their values is published")


def _package_of(label: str, source_id: str) -> str:
    """Where a series that is not published would have gone: by its label's kind."""
    if source_id.startswith("andreadyx"):
        return "social-insurance-by-province"
    if source_id.endswith(("social-assistance", "medical-assistance")):
        return "social-assistance"
    money = any(w in label for w in ("基金", "结余", "支出", "收入", "金额"))
    return "social-insurance-funds" if money else "social-insurance-coverage"


def _years(years: list[int]) -> str:
    ys = sorted(set(years))
    return "" if not ys else str(ys[0]) if len(ys) == 1 else f"{ys[0]}-{ys[-1]}"


def nbs_section(reg: Registry, package: str, rows: list[dict], nbs: NbsResult) -> list[str]:
    mine = [s for s in nbs.series if any(reg.indicators[i]["package"] == package for i in s.indicators)]
    left = [u for u in nbs.unmapped if _package_of(u[1], u[0]) == package]
    zeros = {k: v for k, v in nbs.zeros.items() if _package_of(k[1], k[0]) == package}
    if not (mine or left or zeros or package == "social-insurance-by-province"):
        return []
    published = [r for r in rows if r["source_id"] in {s for one in mine for s in one.source_ids}]
    out = ["## The NBS database copies (seeds/nbs-national)", "",
           "Copies of the National Bureau of Statistics' online database (annual national data; by-province tables "
           "for 2007-2016) made by three third parties (reliability `official-data-copy`, rank 3: below the "
           "official bulletins and yearbooks, above the news reports). Each value is published as written (a "
           "workbook's binary-float artefact such as `9141.924999999999` included: its `value_normalised` is "
           "rounded to the precision of the series, and the note says so), with its row as the quote: a CSV line as "
           "written, or a workbook row as its cells read (label and values, the cell named in the note). Where the "
           "2016 and 2023 crawls differ, both rows are kept and the newer crawl is preferred.", "",
           f"- rows published here: {len(published)} ({sum(1 for r in published if r['preferred'])} preferred)", ""]
    if mine:
        out += ["### Series and how their unit was established", "",
                "The NBS files write no unit. A series (one column of one NBS table, in every copy) gets the unit its "
                "label implies only where its values agree with figures already in the catalog for the same "
                "indicator, year and region (bulletins, yearbook tables and news reports, whose units are "
                "written; for a national series also the national rows of the yearbook tables of the comparable "
                "by-province indicator), within the rounding of the less precise of the two. A series with nothing "
                "to compare against is not published. Every disagreement is named in the note of the NBS row "
                "(`differs from <source>`), and `socsec validate` holds each NBS value to this at every release.", "",
                "| NBS table / label | indicator(s) | copies | years | unit | years compared | years agreeing | "
                "published |", "|---|---|---|---|---|---|---|---|"]
        for s in sorted(mine, key=lambda s: (s.indicators[0], s.table_id, s.label)):
            compared = ", ".join(str(y) for y in sorted(s.compared)) or "none"
            out.append(f"| {cell(s.table_id)} / {cell(s.label)} | {', '.join(f'`{i}`' for i in s.indicators)} | "
                       f"{', '.join(sorted({x.split('-', 1)[0] for x in s.source_ids}))} | {_years(s.years)} | "
                       f"{s.unit} | {compared} | {len(s.agreeing_years)} of {len(s.compared)} | "
                       f"{'yes' if s.established else 'no: unit not established'} |")
        out.append("")
    if left or zeros or package == "social-insurance-by-province":
        out += ["### Not published", ""]
        out += [f"- `{sid}` {label}: {n} value(s); {why}" for sid, label, why, n in sorted(left)]
        out += [f"- `{sid}` {label}: `0.0` in {_years(ys)} ({len(ys)} values): no scheme or no data in those "
                "years, not a measured zero" for (sid, label), ys in sorted(zeros.items())]
        if package == "social-insurance-by-province":
            out.append(f"- {UNLABELLED}")
        out.append("")
    jumps = [e for e in yoy_exceptions(reg.seeds) if reg.indicators[e["indicator_id"]]["package"] == package]
    if jumps:
        out += ["### Named jumps (exceptions to the year-over-year bounds)", "",
                "| indicator | region | years | why |", "|---|---|---|---|"]
        out += [f"| `{e['indicator_id']}` | {e['region']} | {_years([int(e['from_year']), int(e['to_year'])])} | "
                f"{cell(e['reason'])} |" for e in jumps]
        out.append("")
    return out
