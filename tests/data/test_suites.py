"""Every expectation suite passes on the real data, and each rule catches its breakage."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from service.validation.runner import validate_all

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "datapackages"
SUITES = ROOT / "expectations"
PACKAGE_NAMES = sorted(p.name for p in SUITES.iterdir() if p.is_dir())


def run_suites(packages: Path, package: str) -> dict[str, list[int | None]]:
    """Validate one package with the engine; {failed check: [rows]} of its expectation findings."""
    report = validate_all(packages, SUITES, only=[package])
    failed: dict[str, list[int | None]] = {}
    for finding in report.findings:  # structure findings too: a schema constraint may see it first
        failed.setdefault(finding.check or finding.code, []).append(finding.row)
    return failed


@pytest.mark.parametrize("package", PACKAGE_NAMES)
def test_suites_pass_on_real_data(package):
    report = validate_all(PACKAGES, SUITES, only=[package])
    assert report.findings == []
    assert report.packages[0].expectations_run >= 10


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "datapackages"
    shutil.copytree(PACKAGES, target)
    return target


def _load(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _save(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _pick(rows: list[dict], package_dir: Path, rule: str) -> int:
    """Index of a row suited to the breakage."""
    _, indicators = _load(package_dir / "data" / "indicators.csv")
    ind = {r["id"]: r for r in indicators}
    pref = {(r["indicator_id"], int(r["year"]), r["region"]): r for r in rows if r["preferred"] == "true"}
    for i, r in enumerate(rows):
        key = (r["indicator_id"], int(r["year"]), r["region"])
        if rule == "part" and r["preferred"] == "true" and (ind[r["indicator_id"]]["parent_id"], key[1], key[2]) in pref:
            return i
        if rule == "yoy" and r["preferred"] == "true" and ind[r["indicator_id"]]["yoy_max_change_pct"] \
                and (key[0], key[1] - 1, key[2]) in pref:
            return i
        if rule == "not-preferred" and r["preferred"] == "false":
            return i
        if rule == "percent" and r["unit_normalised"] == "percent":
            return i
        if rule == "national" and r["region"] == "CN" and r["indicator_id"] == "prov_pension_urban_employee_insured" \
                and r["year"] == "2010":
            return i
        if rule == "national-2024" and r["region"] == "CN" and r["source_id"] == "liubigfatty-csy2025-t24-26-27" \
                and r["indicator_id"] == "prov_pension_urban_rural_resident_insured":
            return i
        if rule == "dibao-average" and r["indicator_id"] == "prov_dibao_rural_avg_standard_annual":
            return i
        if rule.startswith("nbs:") and r["source_id"].startswith(("yiyuezhuo", "zhuang1234", "andreadyx")) \
                and f"{r['indicator_id']}/{r['year']}/{r['region']}" == rule[4:]:
            return i
    if rule == "any":
        return 3
    raise AssertionError(f"no row for {rule}")


def _mutate_parent(rows, i, package_dir):
    _, indicators = _load(package_dir / "data" / "indicators.csv")
    parent = {r["id"]: r["parent_id"] for r in indicators}[rows[i]["indicator_id"]]
    total = next(r for r in rows if r["indicator_id"] == parent and r["year"] == rows[i]["year"]
                 and r["region"] == rows[i]["region"] and r["preferred"] == "true")
    rows[i]["value_normalised"] = str(float(total["value_normalised"]) * 2)


def _set(**changes):
    def mutate(rows, i, _):
        rows[i].update(changes)
    return mutate


def _scale(factor):
    def mutate(rows, i, _):
        rows[i]["value_normalised"] = str(float(rows[i]["value_normalised"]) * factor)
    return mutate


CASES = [
    ("value-not-in-quote", "social-insurance-coverage", "any", _set(value="987654.321"), "value-in-quote"),
    ("wrong-normalised", "social-insurance-funds", "any", _scale(2), "value-normalised-is-value-times-factor"),
    ("part-above-total", "social-insurance-coverage", "part", _mutate_parent, "part-within-total"),
    ("yoy-jump", "social-assistance", "yoy", _scale(10), "yoy-change-within-bound"),
    ("ratio-150", "benefit-levels", "percent", _set(value="150", value_normalised="150"), "ratio-within-0-100"),
    ("negative-count", "social-insurance-coverage", "any", _set(value="-5", value_normalised="-50000"), "non-negative"),
    ("year-1900", "social-insurance-funds", "any", _set(year="1900"), "year-in-range"),
    ("wrong-unit", "social-assistance", "any", _set(unit_normalised="households" ), "unit-normalised-is-indicator-unit"),
    ("unknown-source", "benefit-levels", "any", _set(source_id="no-such-source"), "source-known"),
    ("two-preferred", "social-insurance-coverage", "not-preferred", _set(preferred="true"), "one-preferred-per-group"),
    ("province-part-above-total", "social-insurance-by-province", "part", _mutate_parent, "part-within-total"),
    ("national-disagrees", "social-insurance-by-province", "national", _scale(1.5),
     "national-total-agrees-with-figures"),
    ("provinces-miss-national-2024", "social-insurance-by-province", "national-2024", _set(value="54830.2"),
     "provinces-plus-unallocated-equal-national"),
    ("dibao-average-off", "social-assistance-by-province", "dibao-average", _set(value="9999.99"),
     "dibao-average-is-sum-over-count"),
    ("nbs-identity-broken", "social-insurance-coverage", "nbs:pension_urban_employee_insured/2000/CN", _scale(1.001),
     "identity-pension_urban_employee_insured"),
    ("nbs-medical-identity-broken", "social-insurance-coverage", "nbs:medical_urban_employee_insured/2005/CN",
     _scale(1.001), "identity-medical_urban_employee_insured"),
    ("nbs-province-identity-broken", "social-insurance-by-province", "nbs:prov_pension_urban_employee_insured/2015/CN-GD",
     _scale(1.001), "identity-prov_pension_urban_employee_insured"),
    ("nbs-disagrees-without-a-note", "social-insurance-coverage", "nbs:work_injury_insured/2012/CN", _scale(1.001),
     "nbs-agrees-with-other-sources-or-says-why"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_catches_breakage(case, tmp_path):
    _, package, rule, mutate, expectation = case
    packages = _copy(tmp_path)
    path = packages / package / "data" / "observations.csv"
    header, rows = _load(path)
    if rule == "any" and rows[3]["unit_normalised"] == "households":
        rule = "percent"
    i = _pick(rows, packages / package, rule)
    mutate(rows, i, packages / package)
    _save(path, header, rows)
    failed = run_suites(packages, package)
    assert i + 2 in failed[expectation]


def test_the_long_pension_series_must_have_every_year(tmp_path):
    packages = _copy(tmp_path)
    path = packages / "social-insurance-coverage" / "data" / "observations.csv"
    header, rows = _load(path)
    rows = [r for r in rows if not (r["indicator_id"] == "pension_urban_employee_insured" and r["year"] == "1995")]
    _save(path, header, rows)
    failed = run_suites(packages, "social-insurance-coverage")
    assert "long-pension-series" in failed


def test_milestone_year_must_be_in_quote(tmp_path):
    packages = _copy(tmp_path)
    path = packages / "policy-milestones" / "data" / "milestones.csv"
    header, rows = _load(path)
    rows[4]["year"] = "1932"
    _save(path, header, rows)
    failed = run_suites(packages, "policy-milestones")
    assert 6 in failed["year-in-quote"]


def test_coverage_must_agree_with_the_observations(tmp_path):
    packages = _copy(tmp_path)
    path = packages / "social-insurance-coverage" / "data" / "coverage.csv"
    header, rows = _load(path)
    i = next(i for i, r in enumerate(rows) if r["covered"] == "true")
    rows[i].update(covered="false", observations="0", sources="0", regions="0")
    _save(path, header, rows)
    failed = run_suites(packages, "social-insurance-coverage")
    assert i + 2 in failed["counts-match-observations"]
