"""README.md of each package: what, where from, coverage, citation, licence, gaps and conflicts."""

from __future__ import annotations

import json
from collections import defaultdict

from .catalog import CATALOG, LICENSE, SOURCES_TERMS, VERSION
from .preference import RULE
from .registry import Registry
from .yearbook import SKIP_REASONS

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
        out.append(f"| `{s['id']}` | {_cell(s['title'])} | {s['reliability']} ({s['reliability_rank']}) | "
                   f"{_cell(s['reliability_note'])} |")
    return out + ["", "Reliability classes map the notes of `figures_sources.csv` and the yearbook README onto "
                  "official (1), official-repost (2), reputable-news (3, incl. the UNICEF atlas), secondary-news "
                  "(4, incl. foreign-language news), secondary-repost (5, incl. translations, the unverified "
                  "CLSY host and the seed article's English repost), low (6).", ""]


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _coverage(reg: Registry, rows: list[dict], ind_ids: list[str]) -> list[str]:
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
           "| indicator | unit | years with data | rows |", "|---|---|---|---|"]
    for iid in ind_ids:
        ys = sorted(years.get(iid, ()))
        shown = ", ".join(str(y) for y in ys) if ys else "none (listed as the total of a part)"
        out.append(f"| `{iid}` {reg.indicators[iid]['name_en']} | {reg.indicators[iid]['unit']} | {shown} | "
                   f"{count.get(iid, 0)} |")
    out += ["", "Years not listed are gaps: nothing was filled in, interpolated or converted between "
            "monthly and annual forms.", ""]
    return out


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
                     conflicts: list, yb) -> str:
    out = _head(name)
    out += ["## Files", "", "- `data/observations.csv`: one row per figure per source (value as published, unit as "
            "written, exact normalised value, verbatim quote, preferred flag, note)",
            "- `data/indicators.csv`, `data/sources.csv`, `data/units.csv`: the registry rows used"
            + (", `data/regions.csv`: ISO 3166-2:CN codes" if yb else ""), "",
            "Produced by `python -m service.assembly` from `seeds/` (never edited by hand).", ""]
    if name in ("social-assistance", "benefit-levels"):
        out += [DIBAO_NOTE, ""]
    out += _coverage(reg, rows, ind_ids)
    out += _conflicts(conflicts)
    if yb is not None:
        out += _yearbook_section(reg, rows, yb)
    if name == "social-insurance-coverage":
        out += ["## Seed article figures not published as observations", ""]
        out += [f"- {what}: {why}" for what, why in ARTICLE_UNPUBLISHED] + [""]
    out += _sources(sources)
    out += _cite(name)
    return "\n".join(out)


def _yearbook_section(reg: Registry, rows: list[dict], yb) -> list[str]:
    manifest = {t["table_id"]: t for t in json.loads((reg.seeds / "nbs-yearbook" / "manifest.json").read_text("utf-8"))}
    published = len(yb.observations)
    out = ["## Yearbook values: published and not published", "",
           f"- values in the {len(yb.tables)} tables: {yb.total}",
           f"- published: {published}"]
    for reason, text in SKIP_REASONS.items():
        out.append(f"- not published, {text}: {yb.skipped.get(reason, 0)}")
    out += ["", "| table | data year | values | published | not published | completeness |", "|---|---|---|---|---|---|"]
    for tid, t in sorted(manifest.items()):
        skipped = sum(n for (t2, _), n in yb.skipped_by_table.items() if t2 == tid)
        remarks = []
        if t.get("partial_rows"):
            remarks.append("stored excerpt stops partway: last stored row cut off, later rows missing")
        if t.get("dropped"):
            remarks.append(f"incomplete final tokens dropped: {', '.join(t['dropped'])}")
        if t.get("empty_rows"):
            remarks.append(f"rows without values: {', '.join(t['empty_rows'])}")
        regions = len({r['region'] for r in rows if r['table_id'] == tid})
        remarks.append(f"{regions} regions published (of national + 31 provinces, + the XPCC in CLSY 10-9)")
        out.append(f"| {tid}: {_cell(t['title'])} | {t['data_year']} | {t['values']} | "
                   f"{yb.published_by_table.get(tid, 0)} | {skipped} | {'; '.join(remarks)} |")
    out += ["", "### Lost and split region labels, resolved by position", "",
            "The by-region tables list their rows in one fixed national order (`seeds/registry/region_order.csv`; "
            "every labelled row of the twenty tables sits at its position in it). A row whose label was lost, or "
            "split to 广 / 西, is given the region at its position only when every labelled row of its table sits at "
            "its expected position, with at least two such anchors and one of them after position 16; a split "
            "label must be part of that region's name. Each resolved row's note says how it was resolved.", "",
            "| table | values resolved by position |", "|---|---|"]
    out += [f"| {tid} | {n} |" for tid, n in sorted(yb.resolved.items())]
    out += ["", "Rows left out by the rule: " + (", ".join(f"{t} data row {n} ({why})" for t, n, why in yb.left_out)
                                                 if yb.left_out else "none") + ".", "",
            "- CSY2006 23-39 stops after data row 23 (Chongqing): it cannot be summed against its national row.",
            "- Agricultural Census 5-6-6, data rows 27 and 30: fewer values than columns, so no value has a column "
            "(counted under 'no column' above).",
            "- CLSY 10-9: the Xinjiang Production and Construction Corps has no ISO 3166-2 code; its row is published "
            "with the code CN-XPCC (see the regions resource), not folded into Xinjiang (CN-XJ).",
            "",
            "### Identities that do not hold in the source itself", "",
            "- CSY2006 23-39, national row: total 17487.0 vs staff + retirees 17487.9 (published as is; the "
            "parts-within-total expectation checks each part against the total, so it passes).",
            "- CSY2010 22-48, data row 4 (Hebei, resolved by position): urban employees (城镇职工) 802.1 vs staff "
            "(在岗职工) 580.4 + retirees (退休人员) 219.7 = 800.1 (published as is).",
            "",
            "### Data years", "",
            "- CLSY 10-25 (2001-2010): the year is taken from each column header.",
            "- Agricultural Census tables: no data year in the stored text; 2006, the reference year of the Second "
            "National Agricultural Census, is assigned by the compiler (see each row's note). Treat with care.",
            "",
            "### National totals vs the national packages", "",
            "Rows with region CN here and figures in social-insurance-coverage / social-insurance-funds for the "
            "same indicator (via `comparable_id`) and year are both kept. The expectation "
            "`national-total-agrees-with-figures` checks they agree within 0.5%; no known disagreement is excluded.",
            ""]
    return out


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
