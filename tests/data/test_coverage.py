"""Coverage says where the gaps are: the resource, the descriptor summary and the README table agree with
the observations."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from service.assembly.catalog import INDICATOR_PACKAGES

PACKAGES = Path(__file__).resolve().parents[2] / "datapackages"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("package", INDICATOR_PACKAGES)
def test_coverage_resource_is_every_year_of_every_indicator_range(package):
    observations = _read(PACKAGES / package / "data" / "observations.csv")
    years, sources = defaultdict(set), defaultdict(set)
    for r in observations:
        years[r["indicator_id"]].add(int(r["year"]))
        sources[(r["indicator_id"], int(r["year"]))].add(r["source_id"])
    expected = {}
    for iid, ys in years.items():
        for y in range(min(ys), max(ys) + 1):
            expected[(iid, y)] = (y in ys, len(sources.get((iid, y), ())))
    coverage = {(r["indicator_id"], int(r["year"])): (r["covered"] == "true", int(r["sources"]))
                for r in _read(PACKAGES / package / "data" / "coverage.csv")}
    assert coverage == expected


@pytest.mark.parametrize("package", INDICATOR_PACKAGES)
def test_descriptor_and_readme_name_the_gaps(package):
    coverage = _read(PACKAGES / package / "data" / "coverage.csv")
    gaps = defaultdict(list)
    for r in coverage:
        if r["covered"] == "false":
            gaps[r["indicator_id"]].append(int(r["year"]))
    descriptor = json.loads((PACKAGES / package / "datapackage.json").read_text("utf-8"))
    summary = {s["indicator_id"]: s for s in descriptor["coverage"]}
    assert set(summary) == {r["indicator_id"] for r in coverage}
    for iid, s in summary.items():
        assert s["missing_years"] == gaps.get(iid, [])
        assert s["years_covered"] == s["last_year"] - s["first_year"] + 1 - len(s["missing_years"])
    assert "coverage" in {r["name"] for r in descriptor["resources"]}
    readme = (PACKAGES / package / "README.md").read_text("utf-8")
    matrix = readme.split("### Years by indicator", 1)[1].split("\n## ", 1)[0].splitlines()
    for iid in summary:
        row = next(line for line in matrix if line.startswith(f"| `{iid}` | "))
        assert row.count("·") == len(gaps.get(iid, [])), iid


def test_some_package_has_gaps_and_recent_provinces():
    coverage = _read(PACKAGES / "social-insurance-by-province" / "data" / "coverage.csv")
    assert any(r["covered"] == "false" for r in coverage)
    recent = [r for r in coverage if r["year"] == "2024" and r["covered"] == "true"]
    assert recent and max(int(r["regions"]) for r in recent) == 32
