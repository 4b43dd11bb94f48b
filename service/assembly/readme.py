"""README.md of each package: what, where from, coverage, citation, licence, gaps and conflicts."""

from __future__ import annotations

from collections import defaultdict

from .catalog import CATALOG, LICENSE, SOURCES_TERMS, REGIONAL_PACKAGES, VERSION
from .coverage import coverage_matrix, coverage_summary
from .preference import RULE
from .registry import Registry
from .nbs_readme import nbs_section
from .tables_readme import NHSA_UNPUBLISHED, cell, more_section, yearbook_section

DIBAO_NOTE = ("All dibao (minimum living guarantee) standards, including the seed article's 2020 figures "
              "(665 yuan per person per month urban, 5842 per person per year rural), are published in "
              "**social-assistance** only; one indicator id lives in exactly one package.")
ARTICLE_UNPUBLISHED = [
    ("'nearly 20% of the world's total population'", "a share of world population, not a social security statistic"),
    ("'financial subsidies of more than 2/3 of the financing scale' (residents' medical insurance)",
     "a fraction without a year; kept out rather than turned into a percentage"),
    ("'increased for 17 consecutive years' (since 2005)", "a count of years: published as the 2005 milestone in policy-milestones"),
    ("'After more than 20 years', 'five-level ... service network'", "descriptive counts, not statistics"),
]


def _head(name: str) -> list[str]:
    meta = CATALOG[name]
    return [f"# {meta['title']}", "", f"**{meta['title_zh']}**", "", meta["description"], "", meta["description_zh"], ""]


def _cite(name: str) -> list[str]:
    meta = CATALOG[name]
    return ["## How to cite", "",
            f"socsec project, *{meta['title']}* (data package `{name}`, version {VERSION}), compiled from the "
            "sources listed below; cite the original source of any single figure as given in its `source_id`.", "",
            "## Licence", "", f"Compilation: [{LICENSE['name']}]({LICENSE['path']}). {SOURCES_TERMS}", ""]


def _sources(sources: list[dict]) -> list[str]:
    out = ["## Sources", "", "| id | what | reliability (rank) | note as given |", "|---|---|---|---|"]
    for s in sources:
        out.append(f"| `{s['id']}` | {cell(s['title'])} | {s['reliability']} ({s['reliability_rank']}) | "
                   f"{cell(s['reliability_note'])} |")
    return out + ["", "Reliability classes map the notes of `figures_sources.csv` and the yearbook README onto "
                  "official (1), official-repost (2), official-data-copy (3: the copies of the NBS database), "
                  "reputable-news (4, incl. the UNICEF atlas), secondary-news (5, incl. foreign-language news), "
                  "secondary-repost (6, incl. translations, the unverified CLSY host and the seed article's English "
                  "repost), low (7). The newer sources (`seeds/more/sources.csv`): "
                  "official for the provincial statistics bureaus and nhsa.gov.cn, official-repost for the county "
                  "government's repost, secondary-repost for the third party's transcription of CSY2025, the "
                  "unofficial dibao host and the private and WeChat reposts.", ""]


def _coverage(reg: Registry, rows: list[dict], ind_ids: list[str], cov: list[dict]) -> list[str]:
    years = defaultdict(set)
    count = defaultdict(int)
    for r in rows:
        years[r["indicator_id"]].add(r["year"])
        count[r["indicator_id"]] += 1
    pref = sum(1 for r in rows if r["preferred"])
    all_years = sorted({r["year"] for r in rows})
    out = ["## Coverage", "",
           f"- observations: {len(rows)} rows ({pref} preferred), {len(years)} indicators with data, "
           f"years {all_years[0]}-{all_years[-1]}",
           f"- regions: {', '.join(sorted({r['region'] for r in rows}))}", "",
           "| indicator | unit | years with data | years missing inside the range | rows |", "|---|---|---|---|---|"]
    missing = {s["indicator_id"]: s["missing_years"] for s in coverage_summary(cov)}
    for iid in ind_ids:
        ys = sorted(years.get(iid, ()))
        shown = ", ".join(str(y) for y in ys) if ys else "none (listed as the total of a part)"
        gaps = ", ".join(map(str, missing.get(iid, []))) or "none"
        out.append(f"| `{iid}` {reg.indicators[iid]['name_en']} | {reg.indicators[iid]['unit']} | {shown} | "
                   f"{gaps if ys else ''} | {count.get(iid, 0)} |")
    out += ["", "Years not listed are gaps: nothing was filled in, interpolated or converted between "
            "monthly and annual forms.", ""]
    return out + coverage_matrix(cov)


def _conflicts(conflicts: list) -> list[str]:
    out = ["## Preferred rows and conflicts", "", RULE, "", f"Groups with more than one row: {len(conflicts)}.", ""]
    if conflicts:
        out += ["| indicator | year | region | rows (source: value unit) | preferred | why |", "|---|---|---|---|---|---|"]
    for g in conflicts:
        vals = "; ".join(f"{r['source_id']}: {r['value']} {r['unit']}" for r in g)
        differ = len({r["value_normalised"] for r in g}) > 1
        why = g[0]["_pref"].split(": ", 1)[-1]
        out.append(f"| `{g[0]['indicator_id']}` | {g[0]['year']} | {g[0]['region']} | {vals}"
                   f"{' (values differ)' if differ else ' (same value)'} | {g[0]['source_id']} | {why} |")
    return out + [""]


def indicator_readme(name: str, reg: Registry, rows: list[dict], ind_ids: list[str], sources: list[dict],
                     conflicts: list, tables: tuple, cov: list[dict]) -> str:
    yb, more, nbs = tables
    regional = name in REGIONAL_PACKAGES
    out = _head(name)
    out += ["## Files", "", "- `data/observations.csv`: one row per figure per source (value as published, unit as "
            "written, exact normalised value, verbatim quote, preferred flag, note)",
            "- `data/indicators.csv`, `data/sources.csv`, `data/units.csv`: the registry rows used"
            + (", `data/regions.csv`: ISO 3166-2:CN codes" if regional else ""),
            "- `data/coverage.csv`: per indicator, every year from its first to its last: covered or a gap, and how "
            "many observations, sources and regions (also summarised as `coverage` in `datapackage.json`)", "",
            "Produced by `python -m service.assembly` from `seeds/` (never edited by hand).", ""]
    if name in ("social-assistance", "benefit-levels"):
        out += [DIBAO_NOTE, ""]
    out += _coverage(reg, rows, ind_ids, cov)
    out += _conflicts(conflicts)
    if name == "social-insurance-by-province":
        out += yearbook_section(reg, rows, yb)
    if regional:
        out += more_section(reg, name, rows, more)
    out += nbs_section(reg, name, rows, nbs)
    if name in ("social-insurance-coverage", "social-insurance-funds"):
        out += NHSA_UNPUBLISHED
    if name == "social-insurance-coverage":
        out += ["## Seed article figures not published as observations", ""]
        out += [f"- {what}: {why}" for what, why in ARTICLE_UNPUBLISHED] + [""]
    out += _sources(sources)
    out += _cite(name)
    return "\n".join(out)


def milestones_readme(reg: Registry, rows: list[dict], sources: list[dict]) -> str:
    out = _head("policy-milestones")
    out += ["## Files", "", "- `data/milestones.csv`: id, year, end_year, event_en, event_zh, category, source_id, quote",
            "- `data/sources.csv`: the seed article", "",
            "## Coverage", "", f"- milestones: {len(rows)}, years {rows[0]['year']}-{rows[-1]['year']}", ""]
    out += [f"- {r['year']}: {r['event_en']}" for r in rows]
    out += ["", "`event_en` is the compiler's summary and `event_zh` its translation (description, not data); "
            "`quote` is the article's sentence verbatim (an English machine translation, wording kept). "
            "`end_year` is left blank: the article says 'increased for 17 consecutive years' since 2005 but "
            "states no end year, and none is computed.", ""]
    out += _sources(sources)
    out += _cite("policy-milestones")
    return "\n".join(out)
