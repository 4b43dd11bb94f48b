"""README sections about the tables: the yearbook's published and unpublished values, the newer tables
(values without a year, identities, the unallocated remainder) and the NHSA figures left out."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from .registry import Registry
from .table_checks import CSY2025, UNALLOCATED_2024
from .yearbook import SKIP_REASONS

NHSA_UNPUBLISHED = [
    "## NHSA bulletin figures not published as observations", "",
    "The openings of the NHSA bulletins (2019, 2020, 2021) and of the 2020 express report "
    "(`seeds/more/raw/nhsa-*.txt`) give every level they state as an observation (`seeds/extracts/nhsa_figures.csv`). "
    "Left out, because they are changes or shares computed from levels published beside them, not levels: the "
    "changes on the previous year (比上年增加 / 增长 / 增幅 / 降幅 / 同比), the shares of the three kinds of insured and "
    "of the two account arrangements in all insured employees (占参保总人数的 ...%), and the ratio of insured "
    "workers to retirees (在职退休比). The 2020 bulletin's opening stops before its pooling-only (单建统筹) figure.", ""]


def cell(text: str) -> str:
    """A text as one Markdown table cell."""
    return text.replace("|", "/").replace("\n", " ")


def yearbook_section(reg: Registry, rows: list[dict], yb) -> list[str]:
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
        out.append(f"| {tid}: {cell(t['title'])} | {t['data_year']} | {t['values']} | "
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
            "(在岗职工) 580.4 + retirees (退休人员) 219.7 = 800.1 (published as is); the table's retirees column sums "
            "to 5525.1 against its national row 5526.9, 1.8 apart, beyond the rounding; its other columns sum to "
            "their national rows within it.",
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




def more_section(reg: Registry, package: str, rows: list[dict], more) -> list[str]:
    sources = sorted({r["source_id"] for r in rows if r["source_id"] in more.total})
    if not sources:
        return []
    out = ["## Newer tables (seeds/more): published and left out", "",
           "| source | values | published | without a year (left out) |", "|---|---|---|---|"]
    for sid in sources:
        published = sum(1 for r in rows if r["source_id"] == sid)
        missing = sum(1 for r in more.no_year if r["source_id"] == sid)
        out.append(f"| `{sid}` | {more.total[sid]} | {published} | {missing} |")
    left = [r for r in more.no_year if r["source_id"] in sources]
    if left:
        out += ["", f"Values without a year ({len(left)}): their rows have fewer values than the table has year "
                "columns and the empty cell cannot be told, so none is published.", "",
                "| source | column | value | row as stored |", "|---|---|---|---|"]
        out += [f"| `{r['source_id']}` | {cell(r['column_header'])} | {r['value']} | {cell(r['row_text'].strip())} |"
                for r in left]
    if CSY2025 in sources:
        out += _remainders(rows)
    out += ["", "- Single-province tables (Fujian, Qinghai) write no region in their rows: the region comes from "
            "the yearbook the table belongs to, and `region_name` is blank.",
            "- None of these tables covers Hong Kong, Macau or Taiwan; the by-region tables list the 31 provinces "
            "of the mainland (and a national row in CSY2025 24-26 / 24-27).", ""]
    return out


def _remainders(rows: list[dict]) -> list[str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    national: dict[str, str] = {}
    for r in rows:
        if r["source_id"] != CSY2025:
            continue
        if r["region"] == "CN":
            national[r["indicator_id"]] = r["value"]
        else:
            sums[r["indicator_id"]] += Decimal(r["value"])
    out = ["", "### CSY2025 24-26 / 24-27 (2024): national row, provinces and the unallocated remainder", "",
           "The transcription notes that some 2024 figures are not allocated to any region. The suite checks that "
           "the 31 provinces plus the unallocated remainder equal the national row within the rounding (0.05 per "
           "value): where the remainder is stated (retirees 41.1 万人, expenditure 427.1 亿元, per "
           "`seeds/more/README.md`) it is used; elsewhere in 24-26 the remainder is not stated and the check is that "
           "it is not negative; in 24-27 there is none.", "",
           "| indicator | national | sum of 31 provinces | national - provinces | stated remainder |",
           "|---|---|---|---|---|"]
    for iid in sorted(national):
        gap = Decimal(national[iid]) - sums[iid]
        out.append(f"| `{iid}` | {national[iid]} | {sums[iid]} | {gap} | {UNALLOCATED_2024.get(iid, '')} |")
    out += ["", "- 24-26, Zhejiang: 参保职工合计 3631.3 vs 职工 2605.4 + 离退休(职)人员 1027.7 = 3633.1 (-1.8) in the "
            "transcription itself; published as is.",
            "- No national 2024 pension figure is in the national packages yet: the national row is checked against "
            "them (`national-total-agrees-with-figures`) as soon as one is.", ""]
    return out
