"""Coverage in the indicators API and in the warehouse: years covered, gaps inside the range, sources per year."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from tests.conftest import REPO

GAPPY = "pension_insured_total"  # a national series with years missing inside its range (2015)


def _expected(indicator_id: str) -> dict[int, set[str]]:
    sources: dict[int, set[str]] = defaultdict(set)
    for package in (REPO / "datapackages").iterdir():
        path = package / "data" / "observations.csv"
        if path.is_file():
            with open(path, encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["indicator_id"] == indicator_id:
                        sources[int(row["year"])].add(row["source_id"])
    return sources


def test_indicator_coverage_names_years_gaps_and_sources_per_year(client):
    expected = _expected(GAPPY)
    years = sorted(expected)
    missing = [y for y in range(years[0], years[-1] + 1) if y not in expected]
    assert missing  # the example must have a gap
    body = client.get(f"/api/indicators/{GAPPY}").get_json()
    coverage = body["coverage"]
    assert (coverage["first_year"], coverage["last_year"]) == (years[0], years[-1])
    assert coverage["years"] == years and coverage["missing_years"] == missing
    per_year = {y["year"]: y for y in coverage["per_year"]}
    assert sorted(per_year) == list(range(years[0], years[-1] + 1))
    for year, entry in per_year.items():
        assert entry["covered"] == (year in expected)
        assert entry["sources"] == len(expected.get(year, ()))


def test_indicator_list_gives_years_covered_and_missing_years(client):
    listed = {i["id"]: i for i in client.get("/api/indicators").get_json()["indicators"]}
    expected = _expected(GAPPY)
    entry = listed[GAPPY]
    assert entry["years_covered"] == len(expected)
    assert entry["missing_years"] == [y for y in range(min(expected), max(expected) + 1) if y not in expected]
    assert all(i["years_covered"] == i["last_year"] - i["first_year"] + 1 - len(i["missing_years"])
               for i in listed.values())
    flat = {r["id"]: r for r in csv.DictReader(io.StringIO(client.get("/api/indicators.csv").data.decode()))}
    assert json.loads(flat[GAPPY]["missing_years"]) == entry["missing_years"]


def test_gaps_are_queryable_in_sql(client):
    sql = ("select indicator_id, list(year order by year) as gaps from main.coverage "
           f"where not covered and indicator_id = '{GAPPY}' group by indicator_id")
    body = client.get("/api/sql", query_string={"sql": sql}).get_json()
    expected = _expected(GAPPY)
    assert body["rows"] == [{"indicator_id": GAPPY,
                             "gaps": [y for y in range(min(expected), max(expected) + 1) if y not in expected]}]


def test_recent_provinces_are_in_the_api(client):
    body = client.get("/api/indicators/prov_pension_urban_rural_resident_insured").get_json()
    regions_2024 = {s["region"] for s in body["series"] if s["year"] == 2024}
    assert len(regions_2024) == 32 and "CN" in regions_2024
    assert body["coverage"]["per_year"][-1] == {"year": 2024, "covered": True, "observations": 32,
                                                "sources": 1, "regions": 32}
