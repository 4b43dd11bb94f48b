"""Packages written by others, dropped under datapackages/: starter suites, release, serving, notes."""

from __future__ import annotations

import json
import shutil

import pytest

from service.store import Store
from service.web import create_app
from tests.conftest import REAL_PACKAGES, edit_csv, socsec

from tests.unit.test_real_packages import VALID

DROP_IN = VALID + ["population-yaml"]


@pytest.fixture(scope="module")
def dropped(tmp_path_factory):
    """Every valid real package as it is, and population once more with a datapackage.yaml descriptor."""
    import yaml

    root = tmp_path_factory.mktemp("dropin")
    for name in VALID:
        shutil.copytree(REAL_PACKAGES / name, root / "datapackages" / name)
    yaml_copy = root / "datapackages" / "population-yaml"
    shutil.copytree(REAL_PACKAGES / "population", yaml_copy)
    descriptor = json.loads((yaml_copy / "datapackage.json").read_text("utf-8"))
    (yaml_copy / "datapackage.json").unlink()
    (yaml_copy / "datapackage.yaml").write_text(yaml.safe_dump(dict(descriptor, name="population-yaml")))
    return root


def test_release_without_suites_says_which_command_to_run(dropped):
    result = socsec(dropped, "release")
    assert result.exit_code == 1
    for name in DROP_IN:
        assert f"socsec expectations init {name}" in result.output


def test_starter_suites_pass_on_their_data_and_the_packages_are_served(dropped):
    for name in DROP_IN:
        result = socsec(dropped, "expectations", "init", name)
        assert result.exit_code == 0 and "wrote" in result.output
    suite = json.loads((dropped / "expectations" / "population" / "population.json").read_text())
    kinds = {e["type"] for e in suite["expectations"]}
    assert {"expect_table_row_count_to_be_between", "expect_column_values_to_not_be_null",
            "expect_column_values_to_be_between"} <= kinds
    assert socsec(dropped, "expectations", "init", "population").output.startswith("kept")

    result = socsec(dropped, "release")
    assert result.exit_code == 0, result.output
    client = create_app({"root": str(dropped)}).test_client()
    assert sorted(p["name"] for p in client.get("/api/packages").get_json()["packages"]) == sorted(DROP_IN)
    codes = client.get("/api/packages/country-codes").get_json()  # a YAML descriptor, served as JSON
    assert codes["resources"][0]["hash"].startswith("sha256:")
    body = client.get("/api/sql", query_string={
        "sql": 'select count(*) as n from population.population where "Year" = 2000'}).get_json()
    assert body["rows"][0]["n"] > 200
    same = client.get("/api/sql", query_string={
        "sql": "select count(*) as n from population_yaml.population"}).get_json()
    assert same["rows"][0]["n"] == 17195
    both = client.get("/api/sql", query_string={  # the main view unites same-named resources
        "sql": "select package, count(*) as n from population group by package order by package"}).get_json()
    assert both["rows"] == [{"package": "population", "n": 17195}, {"package": "population-yaml", "n": 17195}]


def test_starter_suite_catches_an_out_of_profile_value(dropped):
    edit_csv(dropped / "datapackages" / "population" / "data" / "population.csv", 5, "Year", "1066")
    report = json.loads(socsec(dropped, "validate", "--json", "population").output)
    [finding] = report["packages"][0]["findings"]
    assert (finding["code"], finding["row"], finding["field"], finding["check"]) == (
        "expectation-failed", 5, "Year", "Year-range")
    shutil.copyfile(REAL_PACKAGES / "population" / "data" / "population.csv",
                    dropped / "datapackages" / "population" / "data" / "population.csv")


def test_release_notes_count_rows_added_removed_and_changed(dropped):
    store = Store(dropped / "var" / "store")
    path = dropped / "datapackages" / "s-and-p-500-companies" / "data" / "constituents.csv"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    edit_csv(path, 3, "Security", lines[2].split(",")[1] + " Renamed")  # changed
    text = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(text[:4] + text[5:]), "utf-8")  # row 5 removed
    assert socsec(dropped, "release").exit_code == 0
    changes = json.loads((store.current().path / "changes.json").read_text())
    constituents = changes["s-and-p-500-companies"]["constituents"]
    # no primary key: rows are compared whole, so the renamed row counts as one removed and one added
    assert (constituents["added"], constituents["removed"], constituents["changed"]) == (1, 2, None)
    assert changes["population"]["population"]["status"] == "unchanged"
    notes = (store.current().path / "NOTES.md").read_text()
    assert f"Compared with release {store.current().meta['previous']}" in notes


def test_headerless_latin1_package_is_released_with_every_row(tmp_path):
    folder = tmp_path / "datapackages" / "towns"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "towns.csv").write_bytes("Zürich,1\nGenève,2\nBiel/Bienne,3\n".encode("latin-1"))
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "towns", "resources": [{
            "name": "towns", "path": "data/towns.csv", "encoding": "latin-1", "dialect": {"header": False},
            "schema": {"fields": [{"name": "town", "type": "string"}, {"name": "rank", "type": "integer"}],
                       "primaryKey": ["rank"]}}]}))
    assert socsec(tmp_path, "expectations", "init", "towns").exit_code == 0
    result = socsec(tmp_path, "release")
    assert result.exit_code == 0, result.output
    client = create_app({"root": str(tmp_path)}).test_client()
    body = client.get("/api/sql", query_string={"sql": "select town, rank from towns.towns order by rank"})
    assert body.get_json()["rows"] == [{"town": "Zürich", "rank": 1}, {"town": "Genève", "rank": 2},
                                       {"town": "Biel/Bienne", "rank": 3}]
