import json

import pytest

from service.catalog import load_package
from service.errors import PackageError
from tests.conftest import REAL_PACKAGES


def test_yml_descriptor_is_read(tmp_path):
    package = load_package(REAL_PACKAGES / "country-codes")
    assert package.descriptor_path.name == "datapackage.yml"
    assert package.resources[0].path == "data/country-codes.csv"
    assert "ISO3166-1-Alpha-2" in package.resources[0].field_names


def test_invalid_json_names_line_and_column(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"name": "x",\n  "resources": [}\n')
    with pytest.raises(PackageError) as info:
        load_package(tmp_path)
    assert info.value.details == {"file": "datapackage.json", "line": 2, "column": 17}


def test_invalid_yaml_names_the_line(tmp_path):
    (tmp_path / "datapackage.yaml").write_text("name: x\nresources:\n  - name: [unclosed\n")
    with pytest.raises(PackageError) as info:
        load_package(tmp_path)
    assert "invalid YAML at line" in info.value.message


def test_missing_descriptor(tmp_path):
    with pytest.raises(PackageError) as info:
        load_package(tmp_path)
    assert "no datapackage.json" in info.value.message


def test_schema_by_relative_path(tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps({"fields": [{"name": "a", "type": "integer"}]}))
    (tmp_path / "datapackage.json").write_text(json.dumps(
        {"name": "x", "resources": [{"name": "r", "path": "r.csv", "schema": "schema.json"}]}))
    assert load_package(tmp_path).resources[0].field_names == ["a"]
