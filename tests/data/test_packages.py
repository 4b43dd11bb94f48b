"""Data tests: the packages are reproducible, traceable, complete and valid."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from service.assembly import assemble
from service.assembly.catalog import ALL_PACKAGES, INDICATOR_PACKAGES
from service.assembly.numbers import value_in_quote
from service.assembly.yearbook import SKIP_REASONS
from tests.data.test_nbs import quote_in_workbook

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
PACKAGES = ROOT / "datapackages"
TABLE_IDS = {r["table_id"] for r in json.loads((SEEDS / "nbs-yearbook" / "manifest.json").read_text("utf-8"))}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _observations(package: str) -> list[dict[str, str]]:
    return _read(PACKAGES / package / "data" / "observations.csv")


def _all_observations() -> list[tuple[str, dict[str, str]]]:
    return [(p, row) for p in INDICATOR_PACKAGES for row in _observations(p)]


def _files(base: Path) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def test_reassembling_gives_byte_identical_files(tmp_path):
    names = assemble(SEEDS, tmp_path)
    assert sorted(names) == sorted(ALL_PACKAGES)
    for name in names:
        assert _files(tmp_path / name) == _files(PACKAGES / name), name


def test_files_are_utf8_lf_without_bom():
    for name in ALL_PACKAGES:
        for rel, data in _files(PACKAGES / name).items():
            assert not data.startswith(b"\xef\xbb\xbf"), rel
            data.decode("utf-8")
        descriptor = json.loads((PACKAGES / name / "datapackage.json").read_text("utf-8"))
        assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
        assert "hash" not in json.dumps(descriptor) and '"bytes"' not in json.dumps(descriptor)


def test_every_value_appears_in_its_quote():
    bad = [(p, r["indicator_id"], r["year"], r["value"]) for p, r in _all_observations()
           if not value_in_quote(r["value"], r["quote"])]
    assert not bad


def test_every_quote_occurs_in_the_document_of_its_source():
    sources = {r["id"]: r for r in _read(SEEDS / "registry" / "sources.csv")}
    texts: dict[str, str] = {}
    figures_quotes = {r["quote"] for r in _read(SEEDS / "figures" / "figures.csv")}
    for package, row in _all_observations():
        doc = sources[row["source_id"]]["document"]
        if doc.endswith(".xlsx"):  # a workbook of the NBS copies: the quote is a row as its cells read
            assert quote_in_workbook(SEEDS / doc, row["quote"], row["note"], row["value"]), row
            continue
        text = texts.setdefault(doc, (SEEDS / doc).read_text("utf-8"))
        assert row["quote"] in text, (package, row["indicator_id"], row["year"], row["source_id"])
        if doc.startswith("figures/"):
            assert row["quote"] in figures_quotes
    article = (SEEDS / "article" / "000_7b70ea5fe3a56d93.txt").read_text("utf-8")
    for row in _read(PACKAGES / "policy-milestones" / "data" / "milestones.csv"):
        assert row["quote"] in article and row["year"] in row["quote"], row["id"]


def test_reliability_notes_are_verbatim():
    texts = "\n".join((SEEDS / p).read_text("utf-8") for p in
                      ("figures/figures_sources.csv", "figures/README.md", "nbs-yearbook/README.md",
                       "more/sources.csv", "nbs-national/sources.csv"))
    for row in _read(SEEDS / "registry" / "sources.csv"):
        assert row["reliability_note"] in texts, row["id"]
        assert (SEEDS / row["document"]).is_file(), row["id"]


def test_all_235_figures_rows_are_published():
    figures = _read(SEEDS / "figures" / "figures.csv")
    assert len(figures) == 235
    sources = {r["id"]: r["url"] for r in _read(SEEDS / "registry" / "sources.csv")}
    mapping = {(r["figures_indicator"], r["unit"]): r["indicator_id"]
               for r in _read(SEEDS / "extracts" / "figures_indicators.csv")}
    published = Counter((r["indicator_id"], r["year"], r["value"], sources[r["source_id"]])
                        for _, r in _all_observations())
    wanted = Counter((mapping[(f["indicator"], f["unit"].split(" (")[0])], f["year"], f["value"], f["source_url"])
                     for f in figures)
    assert wanted - published == Counter()


def test_all_seed_article_figures_are_published():
    article = _read(SEEDS / "extracts" / "article_figures.csv")
    text = (SEEDS / "article" / "000_7b70ea5fe3a56d93.txt").read_text("utf-8")
    published = {(r["indicator_id"], r["year"], r["value"], r["quote"]) for _, r in _all_observations()
                 if r["source_id"] == "seed-zheng"}
    expected = {"999", "300", "1.36", "1.4", "2900", "170", "80", "70", "665", "5842"}
    assert {a["value"] for a in article} == expected
    for a in article:
        assert a["quote"] in text
        assert (a["indicator_id"], a["year"], a["value"], a["quote"]) in published
    milestones = {r["year"] for r in _read(PACKAGES / "policy-milestones" / "data" / "milestones.csv")}
    assert milestones == {"1931", "1950", "1951", "1998", "2005", "2008", "2009", "2018", "2020"}


def test_every_yearbook_value_with_a_column_is_published_and_counted():
    """Every value with a column is published (labels lost or split are resolved by position, see
    test_regions.py); the rest (no column) are counted in the README."""
    regions = {r["region_as_written"]: r["iso_code"] for r in _read(SEEDS / "registry" / "regions.csv")}
    published = Counter((r["table_id"], r["region_name"], r["value"], r["quote"])
                        for r in _observations("social-insurance-by-province") if r["table_id"] in TABLE_IDS)
    total, counts, wanted = 0, Counter(), Counter()
    for path in sorted((SEEDS / "nbs-yearbook").glob("*.csv")):
        for row in _read(path):
            total += 1
            assert not row["region"].strip() or row["region"] in ("广", "西") or regions[row["region"]]
            if not row["column_header"].strip():
                counts["no-column"] += 1
            else:
                wanted[(row["table_id"], row["region"], row["value"], row["row_text"])] += 1
    assert total == 2931 and sum(wanted.values()) == 2845 and counts["no-column"] == 86
    assert wanted == published
    readme = (PACKAGES / "social-insurance-by-province" / "README.md").read_text("utf-8")
    assert f"- values in the 20 tables: {total}\n" in readme
    assert f"- published: {sum(wanted.values())}\n" in readme
    for reason, text in SKIP_REASONS.items():
        assert f"- not published, {text}: {counts[reason]}\n" in readme


def test_exactly_one_preferred_row_per_group():
    for package in INDICATOR_PACKAGES:
        groups = Counter()
        for r in _observations(package):
            groups[(r["indicator_id"], r["year"], r["region"])] += r["preferred"] == "true"
        assert set(groups.values()) == {1}, package


def test_one_indicator_id_lives_in_one_package():
    registry = {r["id"]: r["package"] for r in _read(SEEDS / "registry" / "indicators.csv")}
    for package in INDICATOR_PACKAGES:
        for r in _observations(package):
            assert registry[r["indicator_id"]] == package


def test_readme_lists_each_conflict():
    for package in INDICATOR_PACKAGES:
        readme = (PACKAGES / package / "README.md").read_text("utf-8")
        groups = Counter((r["indicator_id"], r["year"], r["region"]) for r in _observations(package))
        multi = [g for g, n in groups.items() if n > 1]
        assert f"Groups with more than one row: {len(multi)}." in readme
        for iid, year, region in multi:
            assert re.search(rf"\| `{iid}` \| {year} \| {region} \|", readme), (package, iid, year)


@pytest.mark.parametrize("package", ALL_PACKAGES)
def test_frictionless_validation(package):
    from frictionless import validate

    report = validate(PACKAGES / package / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
