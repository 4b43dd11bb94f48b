"""Real packages written by others, taken as they are (see shared/real-packages/README.md)."""

import pytest

from service.catalog import load_package
from service.validation.structure import check_structure
from service.validation.runner import validate_all
from tests.conftest import REAL_PACKAGES

VALID = ["population", "gdp", "global-temp", "s-and-p-500-companies", "language-codes",
         "house-prices-us", "country-codes"]


@pytest.mark.parametrize("name", VALID)
def test_valid_packages_have_no_structural_findings(name):
    findings, rows = check_structure(load_package(REAL_PACKAGES / name))
    assert findings == [] and all(count > 0 for count in rows.values())


def test_flawed_packages_are_refused_with_the_right_findings(tmp_path):
    report = validate_all(REAL_PACKAGES, tmp_path)
    by_package = {p.name: {(f.code, f.resource) for f in p.findings} for p in report.packages}
    assert ("incorrect-label", "cpi") in by_package["cpi"]
    assert ("extra-cell", "co2-mm-mlo") in by_package["co2-ppm"]
    assert any(code == "blank-row" for code, _ in by_package["co2-ppm"])
    assert ("empty-resource", "gdp-uk") in by_package["gdp-uk"]
    for name in VALID:  # without suites, the only finding is the missing suite
        assert by_package[name] == {("missing-suite", None)}
