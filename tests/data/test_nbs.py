"""The NBS database copies (seeds/nbs-national): stored byte for byte, every labelled non-zero value published or
listed with its reason, every quote traced to its file (a CSV line, or a workbook row and cell), the unit of each
published series established against the catalog, the newer crawl preferred."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from service.assembly.catalog import INDICATOR_PACKAGES
from service.assembly.nbs import copy_of
from service.assembly.numbers import value_in_quote

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
NBS = SEEDS / "nbs-national"
SHARED = ROOT.parent / "shared" / "sources" / "nbs-national"
PACKAGES = ROOT / "datapackages"
CELL = re.compile(r"cell ([A-Z]+)(\d+) of the workbook's sheet")


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sources() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in _read(SEEDS / "registry" / "sources.csv") if r["document"].startswith("nbs-national/")}


def _published() -> list[dict[str, str]]:
    nbs = _sources()
    return [r for p in INDICATOR_PACKAGES for r in _read(PACKAGES / p / "data" / "observations.csv")
            if r["source_id"] in nbs]


_BOOKS: dict[Path, object] = {}


def workbook_row(document: Path, cell_name: str) -> tuple[list[str], object]:
    """The row of ``cell_name`` in the workbook's sheet as its cells read, and that cell's value."""
    if document not in _BOOKS:
        _BOOKS[document] = openpyxl.load_workbook(document, read_only=False).worksheets[0]
    sheet = _BOOKS[document]
    column, row = re.fullmatch(r"([A-Z]+)(\d+)", cell_name).groups()
    cells = [c.value for c in sheet[int(row)]]
    return cells, sheet[cell_name].value


def quote_in_workbook(document: Path, quote: str, note: str, value: str) -> bool:
    """The quote is the row of the cell the note names, cell by cell, and that cell holds the value."""
    cell_name = "".join(CELL.search(note).groups())
    cells, held = workbook_row(document, cell_name)
    while cells and cells[-1] is None:  # the sheet is wider than this row: its empty cells end it
        cells = cells[:-1]
    written = quote.split(",")
    if len(written) != len(cells):
        return False
    for text, read in zip(written, cells):
        if read is None:
            if text:
                return False
        elif isinstance(read, str):
            if text != read:
                return False
        elif Decimal(text) != Decimal(repr(read)) and float(text) != read:
            return False
    return float(value) == held


def test_seeds_are_the_shared_copies_byte_for_byte():
    if not SHARED.is_dir():
        pytest.skip("shared/ is not beside the project")  # CI has it; a lone clone may not
    ours = sorted(p.relative_to(NBS) for p in NBS.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file())
    assert ours == theirs
    for rel in ours:
        assert (NBS / rel).read_bytes() == (SHARED / rel).read_bytes(), rel


def test_raw_texts_are_the_manifest_bytes():
    for entry in _read(NBS / "raw" / "manifest.csv"):
        text = (NBS / "raw" / f"{entry['id']}.txt").read_bytes()
        assert hashlib.sha256(text).hexdigest() == entry["text_sha256"], entry["id"]
        assert json.loads((NBS / "raw" / "json" / f"{entry['id']}.json").read_text("utf-8"))["text"].encode() == text


def test_every_labelled_non_zero_value_is_published_or_listed():
    """3,127 distinct values (one copy, one label, one year, one region); each published, or its series listed."""
    sources = _sources()
    wanted: dict[tuple, str] = {}
    for sid in sources:
        for row in _read(NBS / "tables" / f"{sid}.csv"):
            if Decimal(row["value"]) != 0:
                wanted.setdefault((copy_of(sid), row["column_header"], row["data_year"], row["region"]), row["value"])
    assert len(wanted) == 3127
    published = _published()
    readmes = "".join((PACKAGES / p / "README.md").read_text("utf-8") for p in INDICATOR_PACKAGES)
    got = {(copy_of(r["source_id"]), r["year"], r["value"]) for r in published}
    listed_series = re.findall(r"\| (\S+) / (\S+) \| .*? \| no: unit not established \|", readmes)
    listed_labels = set(re.findall(r"- `[a-z0-9-]+` (\S+): \d+ value\(s\); not published", readmes))
    missing = []
    for (copy, label, year, _region), value in wanted.items():
        if (copy, year, value) in got or label in listed_labels or any(label == s[1] for s in listed_series):
            continue
        missing.append((copy, label, year, value))
    assert not missing
    assert len(published) >= 2500  # most values are published: their series' units were established


def test_zero_fund_values_and_unlabelled_files_are_listed_not_published():
    published = _published()
    assert not [r for r in published if Decimal(r["value"]) == 0]
    assert not [r for r in published if "unlabelled" in r["source_id"]]
    funds = (PACKAGES / "social-insurance-funds" / "README.md").read_text("utf-8")
    assert funds.count("`0.0` in 1989-1992") >= 10
    provinces = (PACKAGES / "social-insurance-by-province" / "README.md").read_text("utf-8")
    assert "andreadyx-prov-medicare-unlabelled" in provinces and "andreadyx-prov-live-medicare-unlabelled" in provinces


def test_every_quote_is_its_row_and_every_value_is_in_its_quote():
    sources = _sources()
    checked = Counter()
    for row in _published():
        document = SEEDS / sources[row["source_id"]]["document"]
        assert value_in_quote(row["value"], row["quote"]), row
        if document.suffix == ".xlsx":
            assert quote_in_workbook(document, row["quote"], row["note"], row["value"]), row
            checked["xlsx"] += 1
        else:
            assert row["quote"] + "\n" in document.read_text("utf-8"), row
            checked["csv"] += 1
    assert checked["xlsx"] > 500 and checked["csv"] > 1500


def test_a_wrong_cell_or_row_is_caught():
    """The workbook check could fail: another row, another cell or another value is refused."""
    row = next(r for r in _published() if r["source_id"] == "zhuang1234-nbs-urban-pension" and r["year"] == "2015")
    document = SEEDS / _sources()[row["source_id"]]["document"]
    assert quote_in_workbook(document, row["quote"], row["note"], row["value"])
    other = row["quote"].replace("2015年", "2016年")
    assert not quote_in_workbook(document, other, row["note"], row["value"])
    assert not quote_in_workbook(document, row["quote"], row["note"], str(float(row["value"]) + 1))


def test_float_artefacts_are_kept_as_written_and_normalised_at_the_series_precision():
    rows = [r for r in _published() if len(r["value"].replace(".", "").lstrip("0")) >= 16]
    assert rows
    for r in rows:
        assert "normalised from" in r["note"]
    retirees = next(r for r in rows if r["value"] == "9141.924999999999")
    assert retirees["value_normalised"] == "91419250"


def test_units_are_established_against_the_catalog_and_said_in_the_note():
    for row in _published():
        assert "not written in the NBS file: established by the series" in row["note"], row
    funds = (PACKAGES / "social-insurance-funds" / "README.md").read_text("utf-8")
    assert "| 亿元 | 2004, 2005, 2008, 2010, 2011, 2012, 2013, 2014 | 8 of 8 | yes |" in funds


def test_the_newer_crawl_is_preferred_where_the_crawls_differ():
    rows = [r for r in _published() if r["region"] == "CN"]
    groups: dict[tuple, dict[str, dict]] = {}
    for r in rows:
        groups.setdefault((r["indicator_id"], r["year"]), {})[copy_of(r["source_id"])] = r
    differing = [g for g in groups.values()
                 if {"yiyuezhuo", "zhuang1234"} <= set(g) and Decimal(g["yiyuezhuo"]["value"]) != Decimal(g["zhuang1234"]["value"])
                 and abs(Decimal(g["yiyuezhuo"]["value"]) - Decimal(g["zhuang1234"]["value"])) > Decimal("0.001")]
    # the dibao counts of 2013-2014 that NBS later rounded (the wubao parts are not published), and the 2016
    # crawl's 209.1 for the 2023 crawl's 209.1019 (unemployment benefit recipients, 2010)
    assert len(differing) == 5
    for g in differing:
        assert g["yiyuezhuo"]["preferred"] == "false" and g["zhuang1234"]["preferred"] == "true"
        assert "newer copy of the database (retrieved 2023-08-13)" in g["yiyuezhuo"]["note"]
    dibao = groups[("dibao_urban_recipients", "2013")]
    assert dibao["zhuang1234"]["value"] == "2064" and dibao["yiyuezhuo"]["value"] == "2064.19"


def test_the_long_pension_series_runs_1989_to_2022():
    rows = _read(PACKAGES / "social-insurance-coverage" / "data" / "observations.csv")
    years = {int(r["year"]) for r in rows if r["indicator_id"] == "pension_urban_employee_insured"
             and r["region"] == "CN" and r["preferred"] == "true"}
    assert set(range(1989, 2023)) <= years


def test_by_province_values_carry_iso_codes_and_2013_2016():
    rows = [r for r in _published() if r["source_id"].startswith("andreadyx")]
    assert {r["region"] for r in rows} >= {"CN-BJ", "CN-NM", "CN-XJ"}
    assert {"2013", "2014", "2015", "2016"} <= {r["year"] for r in rows}
    assert all(r["region"].startswith("CN-") for r in rows)
