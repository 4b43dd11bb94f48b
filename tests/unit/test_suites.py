"""Suites are checked before they run: GX must not silently drop or skip an expectation."""

import json
import shutil

from service.validation.runner import validate_all
from tests.conftest import REAL_PACKAGES


def _project(tmp_path, expectations):
    shutil.copytree(REAL_PACKAGES / "population", tmp_path / "datapackages" / "population")
    folder = tmp_path / "expectations" / "population"
    folder.mkdir(parents=True)
    (folder / "population.json").write_text(json.dumps({"name": "p", "expectations": expectations}))
    return validate_all(tmp_path / "datapackages", tmp_path / "expectations")


def test_passing_suite_runs_every_expectation(tmp_path):
    report = _project(tmp_path, [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "Value"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "Year", "min_value": 1960}},
    ])
    assert report.valid and report.packages[0].expectations_run == 2


def test_unknown_expectation_type_refuses_the_suite(tmp_path):
    report = _project(tmp_path, [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "Value"}},
        {"type": "expect_values_to_be_lovely", "kwargs": {"column": "Value"}},
    ])
    [finding] = report.findings
    assert (finding.code, finding.resource, finding.check) == ("suite-error", "population",
                                                               "expect_values_to_be_lovely")
    assert report.packages[0].expectations_run == 0


def test_suite_for_a_missing_column_is_refused(tmp_path):
    report = _project(tmp_path, [{"type": "expect_column_values_to_not_be_null",
                                  "kwargs": {"column": "Populace"}}])
    [finding] = report.findings
    assert (finding.code, finding.field) == ("suite-error", "Populace")


def test_failed_expectation_names_rows(tmp_path):
    report = _project(tmp_path, [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "Year", "max_value": 1960},
         "meta": {"name": "early-years-only"}},
        {"type": "unexpected_rows_expectation", "meta": {"name": "no-aruba"},
         "kwargs": {"unexpected_rows_query": "SELECT * FROM {batch} WHERE \"Country Code\" = 'ABW'"}},
    ])
    years = [f for f in report.findings if f.check == "early-years-only"]
    aruba = [f for f in report.findings if f.check == "no-aruba"]
    assert years[0].code == "expectation-failed" and years[0].field == "Year" and years[0].row == 3
    assert [f.row for f in aruba][:3] == [2, 3, 4]


def test_broken_sql_is_an_expectation_error(tmp_path):
    report = _project(tmp_path, [{"type": "unexpected_rows_expectation",
                                  "kwargs": {"unexpected_rows_query": "SELECT * FROM {batch} WHERE nope = 1"}}])
    [finding] = report.findings
    assert finding.code == "expectation-error" and "nope" in finding.note
