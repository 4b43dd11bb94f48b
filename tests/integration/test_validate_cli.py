"""`socsec validate` on bad input: each problem has its code and position, and the exit code says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REAL_PACKAGES, edit_csv, make_project, socsec

COVERAGE = "social-insurance-coverage"


def _report(root: Path, *args: str, exit_code: int = 1) -> list[dict]:
    result = socsec(root, "validate", "--json", *args)
    assert result.exit_code == exit_code, result.output
    return [f for p in json.loads(result.output)["packages"] for f in p["findings"]]


def _codes(findings: list[dict]) -> set[tuple]:
    return {(f["code"], f["resource"], f["row"], f["field"]) for f in findings}


@pytest.fixture
def coverage(tmp_path) -> Path:
    return make_project(tmp_path, [COVERAGE])


def _descriptor(root: Path) -> Path:
    return root / "datapackages" / COVERAGE / "datapackage.json"


def _edit_descriptor(root: Path, change) -> None:
    path = _descriptor(root)
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data), "utf-8")


def _observations_resource(data: dict) -> dict:
    return next(r for r in data["resources"] if r["name"] == "observations")


def test_invalid_json_descriptor(coverage):
    _descriptor(coverage).write_text('{"name": "x", "resources": [\n', "utf-8")
    [finding] = _report(coverage)
    assert finding["code"] == "package-error" and "line 2" in finding["note"]


def test_invalid_yaml_descriptor(coverage):
    _descriptor(coverage).unlink()
    (_descriptor(coverage).parent / "datapackage.yaml").write_text("name: x\nresources: [\n", "utf-8")
    [finding] = _report(coverage)
    assert finding["code"] == "package-error" and "YAML" in finding["note"]


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd"])
def test_unsafe_paths_are_refused(coverage, path):
    _edit_descriptor(coverage, lambda d: _observations_resource(d).update(path=path))
    findings = _report(coverage)
    assert [f["code"] for f in findings] == ["resource-error"] and "not safe" in findings[0]["note"]


def test_unknown_field_type(coverage):
    _edit_descriptor(coverage, lambda d: _observations_resource(d)["schema"]["fields"][1].update(type="yearish"))
    [finding] = _report(coverage)
    assert finding["code"] == "field-error" and "yearish" in finding["note"]


def test_symbolic_link_to_outside_is_refused(coverage, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("unit,canonical_unit,factor,note\nx,persons,1,\n", "utf-8")
    units = coverage / "datapackages" / COVERAGE / "data" / "units.csv"
    units.unlink()
    units.symlink_to(secret)
    findings = _report(coverage)
    assert [(f["code"], f["note"]) for f in findings] == [
        ("package-error", "data/units.csv is a symbolic link; a package holds regular files only")]
    assert socsec(coverage, "release").exit_code == 1


def test_missing_file(coverage):
    (coverage / "datapackages" / COVERAGE / "data" / "units.csv").unlink()
    findings = _report(coverage)
    assert ("scheme-error", "units", None, None) in _codes(findings)


def test_wrong_declared_hash_and_bytes(coverage):
    def declare(d):
        resource = next(r for r in d["resources"] if r["name"] == "units")
        resource.update(hash="sha256:" + "0" * 64, bytes=12)
    _edit_descriptor(coverage, declare)
    codes = {f["code"] for f in _report(coverage) if f["resource"] == "units"}
    assert codes == {"hash-count", "byte-count"}


def test_row_level_problems_are_located(coverage):
    data = coverage / "datapackages" / COVERAGE / "data" / "observations.csv"
    edit_csv(data, 4, "year", "MMXX")
    edit_csv(data, 6, "preferred", "perhaps")
    findings = _codes(_report(coverage))
    assert ("type-error", "observations", 4, "year") in findings
    assert ("type-error", "observations", 6, "preferred") in findings


def test_swapped_columns_give_incorrect_labels(coverage):
    path = coverage / "datapackages" / COVERAGE / "data" / "units.csv"
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    header[0], header[1] = header[1], header[0]
    path.write_text("\n".join([",".join(header), *lines[1:]]) + "\n", "utf-8")
    findings = _codes(_report(coverage))
    assert {("incorrect-label", "units", None, header[1]), ("incorrect-label", "units", None, header[0])} <= findings


def test_blank_rows_and_a_bom(coverage):
    path = coverage / "datapackages" / COVERAGE / "data" / "units.csv"
    text = path.read_text("utf-8").splitlines()
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join([text[0], text[1], ",,,", *text[2:]]) + "\n").encode())
    findings = _codes(_report(coverage))
    assert ("blank-row", "units", 3, None) in findings
    assert not any(code == "incorrect-label" for code, *_ in findings)  # the BOM is not part of a label


def test_latin1_bytes_in_a_utf8_file(coverage):
    path = coverage / "datapackages" / COVERAGE / "data" / "sources.csv"
    path.write_bytes(path.read_bytes() + b"x,caf\xe9,p,u,official,1,n,d\n")
    findings = _report(coverage)
    assert "encoding-error" in {f["code"] for f in findings if f["resource"] == "sources"}


def test_empty_resource(coverage):
    path = coverage / "datapackages" / COVERAGE / "data" / "units.csv"
    path.write_text(path.read_text("utf-8").splitlines()[0] + "\n", "utf-8")
    assert ("empty-resource", "units", None, None) in _codes(_report(coverage))


def test_both_engines_agree_on_real_flawed_packages(tmp_path):
    for name in ("cpi", "co2-ppm", "gdp-uk"):
        shutil.copytree(REAL_PACKAGES / name, tmp_path / "datapackages" / name)
    fast = _codes(_report(tmp_path, "--structure-only"))
    slow = _codes(_report(tmp_path, "--structure-only", "--engine", "frictionless"))
    assert fast == slow and len(fast) > 5


def test_suite_with_unknown_expectation_is_refused(coverage):
    suite = coverage / "expectations" / COVERAGE / "observations.json"
    data = json.loads(suite.read_text("utf-8"))
    data["expectations"].append({"type": "expect_column_values_to_be_pretty", "kwargs": {"column": "value"}})
    suite.write_text(json.dumps(data), "utf-8")
    findings = _report(coverage)
    assert [(f["code"], f["resource"], f["check"]) for f in findings] == [
        ("suite-error", "observations", "expect_column_values_to_be_pretty")]


def test_suite_for_a_missing_column_is_refused(coverage):
    suite = coverage / "expectations" / COVERAGE / "observations.json"
    data = json.loads(suite.read_text("utf-8"))
    data["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "valeur"}})
    suite.write_text(json.dumps(data), "utf-8")
    [finding] = _report(coverage)
    assert (finding["code"], finding["field"]) == ("suite-error", "valeur")


def test_html_report_is_self_contained(coverage, tmp_path):
    edit_csv(coverage / "datapackages" / COVERAGE / "data" / "observations.csv", 4, "year", "MMXX")
    out = tmp_path / "report.html"
    result = socsec(coverage, "validate", "--html", str(out))
    assert result.exit_code == 1
    html = out.read_text("utf-8")
    assert "type-error" in html and "<script" not in html
    assert "src=" not in html and "href='http" not in html and 'href="http' not in html


def test_finding_limit_is_reported(coverage):
    path = coverage / "datapackages" / COVERAGE / "data" / "units.csv"
    header = path.read_text("utf-8").splitlines()[0]
    path.write_text(header + "\n" + "x,persons,not-a-number,\n" * 1200, "utf-8")
    result = socsec(coverage, "validate", "--json", "--structure-only")
    package = json.loads(result.output)["packages"][0]
    units = next(r for r in package["resources"] if r["name"] == "units")
    assert units["partial"] is True
    assert sum(1 for f in package["findings"] if f["resource"] == "units") == 1000
    assert "stopped at the finding limit" in socsec(coverage, "validate", "--structure-only").output


def test_multipart_resource_is_refused_rather_than_half_published(coverage):
    _edit_descriptor(coverage, lambda d: _observations_resource(d).update(
        path=["data/observations.csv", "data/observations.csv"]))
    [finding] = _report(coverage)
    assert (finding["code"], finding["resource"]) == ("resource-error", "observations")
    assert "multipart" in finding["note"]
