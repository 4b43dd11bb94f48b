"""The newer sources (seeds/more, the NHSA openings): stored verbatim, published with their quotes, gaps listed."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

from service.assembly.catalog import INDICATOR_PACKAGES
from service.assembly.numbers import value_in_quote
from service.assembly.table_checks import UNALLOCATED_2024, UNSTATED_2024

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
PACKAGES = ROOT / "datapackages"
MORE = SEEDS / "more"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _published() -> list[dict[str, str]]:
    return [r for p in INDICATOR_PACKAGES for r in _read(PACKAGES / p / "data" / "observations.csv")]


def test_raw_documents_are_the_stored_text_byte_for_byte():
    docs = sorted((MORE / "raw" / "json").glob("*.json"))
    assert len(docs) == 9
    for path in docs:
        excerpt = json.loads(path.read_text("utf-8"))["excerpt"]
        assert (MORE / "raw" / f"{path.stem}.txt").read_bytes() == excerpt.encode("utf-8"), path.stem


def test_every_value_with_a_year_is_published_with_its_row_and_the_rest_listed():
    published = Counter((r["source_id"], r.get("table_id"), r["year"], r["value"], r["quote"]) for r in _published())
    wanted, no_year, total = Counter(), [], 0
    for path in sorted((MORE / "tables").glob("*.csv")):
        for row in _read(path):
            total += 1
            if not row["data_year"]:
                no_year.append((path.stem, row))
                continue
            value = row["value"].replace(",", "")
            assert value_in_quote(value, row["row_text"])
            assert row["row_text"] in (MORE / "raw" / f"{path.stem}.txt").read_text("utf-8")
            wanted[(path.stem, row["table_id"], row["data_year"], value, row["row_text"])] += 1
    assert total == 591 and len(no_year) == 17 and sum(wanted.values()) == 574
    assert wanted - published == Counter()
    readmes = "".join((PACKAGES / p / "README.md").read_text("utf-8") for p in INDICATOR_PACKAGES)
    for stem, row in no_year:
        assert f"| `{stem}` | {row['column_header'].replace('|', '/')} | {row['value']} |" in readmes


def test_every_nhsa_figure_is_published_and_the_preference_rule_chooses():
    rows = _published()
    keys = {(r["indicator_id"], r["year"], r["value"], r["source_id"], r["quote"]) for r in rows}
    figures = _read(SEEDS / "extracts" / "nhsa_figures.csv")
    assert len(figures) >= 60
    for f in figures:
        text = (MORE / "raw" / f"{f['source_id']}.txt").read_text("utf-8")
        assert f["quote"] in text and value_in_quote(f["value"], f["quote"]), f
        assert (f["indicator_id"], f["year"], f["value"], f["source_id"], f["quote"]) in keys
    # 2020 insured: the official express report wins over the reposts the catalog had; all rows are kept
    group = [r for r in rows if r["indicator_id"] == "medical_basic_insured_total" and r["year"] == "2020"]
    assert {r["source_id"] for r in group} >= {"nhsa-2020-kuaibao", "crntt-2020", "52js-2020"}
    assert [r["source_id"] for r in group if r["preferred"] == "true"] == ["nhsa-2020-kuaibao"]


def test_2024_provinces_plus_unallocated_equal_national():
    rows = [r for r in _published() if r["source_id"] == "liubigfatty-csy2025-t24-26-27"]
    national = {r["indicator_id"]: Decimal(r["value"]) for r in rows if r["region"] == "CN"}
    assert len(national) == 11
    for iid, total in national.items():
        provinces = [Decimal(r["value"]) for r in rows if r["indicator_id"] == iid and r["region"] != "CN"]
        assert len(provinces) == 31
        gap = total - sum(provinces)
        if iid in UNALLOCATED_2024:
            assert abs(gap - Decimal(UNALLOCATED_2024[iid])) <= Decimal("0.05") * 33, iid
        elif iid in UNSTATED_2024:
            assert gap >= 0, iid
        else:
            assert abs(gap) <= Decimal("0.05") * 32, iid


def test_unallocated_remainders_are_the_ones_the_sources_readme_states():
    readme = (MORE / "README.md").read_text("utf-8")
    assert "41.1 万人 of retirees and 427.1 亿元 of expenditure are not allocated" in readme
    assert sorted(UNALLOCATED_2024.values()) == ["41.1", "427.1"]


def test_dibao_average_is_sum_over_count():
    rows = [r for r in _published() if r["source_id"] == "fjliren-2015q3-rural-dibao-std"]
    by = {(r["region"], r["indicator_id"]): Decimal(r["value"]) for r in rows}
    regions = {r["region"] for r in rows}
    assert len(regions) == 31
    for region in regions:
        average = by[(region, "prov_dibao_rural_avg_standard_annual")]
        total = by[(region, "prov_dibao_rural_standard_county_sum")]
        count = by[(region, "prov_dibao_rural_standard_counties")]
        assert abs(average - total / count) <= Decimal("0.005"), region
