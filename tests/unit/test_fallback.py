"""Fall back, never differ; never crash.

Resources the fast path cannot judge exactly are judged by frictionless (and
the report says so, in JSON, HTML and the terminal summary); cells only
Python's readers judge send their resource to frictionless too; an unexpected
error while checking one resource becomes a ``check-error`` finding and the
run goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.validation import structure
from service.validation.html import render_report
from service.validation.runner import validate_all
from service.validation.structure import error_note
from tests.conftest import socsec
from tests.unit.test_dialects import assert_same

INT = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]


def package(root: Path, name: str, resources: list[tuple[str, str, dict]]) -> Path:
    """datapackages/<name>/ with one CSV per (resource, text, extra descriptor)."""
    folder = root / "datapackages" / name
    folder.mkdir(parents=True)
    (root / "expectations").mkdir(exist_ok=True)
    descriptors = []
    for resource, text, extra in resources:
        (folder / f"{resource}.csv").write_text(text, "utf-8")
        descriptors.append({"name": resource, "path": f"{resource}.csv", "schema": {"fields": INT}, **extra})
    (folder / "datapackage.json").write_text(json.dumps({"name": name, "resources": descriptors}), "utf-8")
    return folder


def one(tmp_path: Path, text: str | bytes, fields: list[dict], **extra) -> dict:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (tmp_path / "t.csv").write_bytes(data)
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": fields}, **extra}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    return resource


@pytest.fixture
def mixed(tmp_path) -> Path:
    package(tmp_path, "mixed", [
        ("plain", "id,name\n1,a\nx,b\n", {}),
        ("commented", "# a comment\nid,name\n1,a\n2,b\ny,c\n", {"dialect": {"commentChar": "#"}}),
    ])
    return tmp_path


def test_report_says_which_engine_judged_each_resource(mixed):
    report = validate_all(mixed / "datapackages", mixed / "expectations", structure_only=True)
    stats = {r.name: r for r in report.packages[0].resources}
    assert (stats["plain"].engine, stats["commented"].engine) == ("duckdb", "frictionless")
    assert stats["plain"].fallback == "" and "commentChar" in stats["commented"].fallback
    found = {(f.code, f.resource, f.row, f.field) for f in report.findings}
    assert found == {("type-error", "plain", 3, "id"), ("type-error", "commented", 5, "id")}
    data = json.loads(report.to_json())
    engines = {r["name"]: r["engine"] for r in data["packages"][0]["resources"]}
    assert engines == {"plain": "duckdb", "commented": "frictionless"}
    html = render_report(report)
    assert "plain (2, <span class=engine>duckdb</span>)" in html
    assert "commented (3, <span class=engine>frictionless</span>) <small>(dialect commentChar)</small>" in html


def test_terminal_summary_names_engines_and_fallbacks(mixed):
    result = socsec(mixed, "validate", "--structure-only", "mixed")
    assert result.exit_code == 1
    assert "structure by duckdb (1), frictionless (1)" in result.output
    assert "commented: checked by frictionless (dialect commentChar)" in result.output


def test_engine_frictionless_judges_everything(mixed):
    report = validate_all(mixed / "datapackages", mixed / "expectations", structure_only=True,
                          engine="frictionless")
    assert {r.engine for r in report.packages[0].resources} == {"frictionless"}
    assert len(report.findings) == 2


def test_an_error_in_one_resource_is_contained(tmp_path, monkeypatch):
    package(tmp_path, "first", [("broken", "id,name\n1,a\n", {}), ("fine", "id,name\nz,a\n", {})])
    package(tmp_path, "second", [("other", "id,name\nq,a\n", {})])
    real = structure.check_resource

    def flaky(package_name, resource, folder, **options):
        if resource["name"] == "broken":
            raise RuntimeError(f"cannot parse {folder / 'broken.csv'} near /srv/secret/tmp/x.csv")
        return real(package_name, resource, folder, **options)

    monkeypatch.setattr(structure, "check_resource", flaky)
    report = validate_all(tmp_path / "datapackages", tmp_path / "expectations", structure_only=True)
    found = {(f.code, f.package, f.resource, f.row) for f in report.findings}
    assert found == {("check-error", "first", "broken", None), ("type-error", "first", "fine", 2),
                     ("type-error", "second", "other", 2)}
    [error] = [f for f in report.findings if f.code == "check-error"]
    assert error.note == "RuntimeError: cannot parse broken.csv near x.csv"
    assert str(tmp_path) not in error.note

    result = socsec(tmp_path, "validate", "--structure-only", "--json")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "check-error" in result.output


def test_an_error_outside_the_resources_is_contained(tmp_path, monkeypatch):
    package(tmp_path, "first", [("a", "id,name\n1,a\n", {})])
    package(tmp_path, "second", [("b", "id,name\nq,a\n", {})])
    from service.validation import runner

    real = runner.check_structure

    def failing(pkg, *args, **kwargs):
        if pkg.name == "first":
            raise MemoryError("no room")
        return real(pkg, *args, **kwargs)

    monkeypatch.setattr(runner, "check_structure", failing)
    result = socsec(tmp_path, "validate", "--structure-only", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    findings = {(f["code"], f["package"], f["note"]) for p in data["packages"] for f in p["findings"]}
    assert ("check-error", "first", "MemoryError: no room") in findings
    assert any(code == "type-error" and pkg == "second" for code, pkg, _ in findings)


def test_error_note_keeps_no_server_path(tmp_path):
    error = FileNotFoundError(f"[Errno 2] No such file: '{tmp_path}/data/x.csv' (from /usr/lib/thing.so)")
    assert error_note(error, tmp_path) == "FileNotFoundError: [Errno 2] No such file: 'data/x.csv' (from thing.so)"


def test_a_line_duckdb_cannot_read_goes_to_frictionless(tmp_path):
    resource = one(tmp_path, "id,name\n1," + "a" * 2_200_000 + "\nx,b\n", INT)
    found, check = assert_same(tmp_path, resource, "frictionless")
    assert "DuckDB" in check.reason and set(found) == {("type-error", 3, "id")}


@pytest.mark.parametrize("cells,field", [
    (["12", "\u0661\u0662", "x"], {"name": "v", "type": "integer"}),            # Arabic-Indic digits
    (["1.5", "\uff11.5", "y"], {"name": "v", "type": "number"}),                # full-width digit
    (["2020-01-02", "\u0662020-01-02"], {"name": "v", "type": "date"}),
    (["0b6c2a0e-6d8f-4c9f-9a4b-0c1b2a3d4e5f", "{0b6c2a0e-6d8f-4c9f-9a4b-0c1b2a3d4e5f}",
      "0b6c2a0e6d8f4c9f9a4b0c1b2a3d4e5f", "nope"], {"name": "v", "type": "string", "format": "uuid"}),
])
def test_cells_only_python_reads_go_to_frictionless(tmp_path, cells, field):
    resource = one(tmp_path, "v\n" + "\n".join(cells) + "\n", [field])
    _, check = assert_same(tmp_path, resource, "frictionless")
    assert "record" in check.reason


def test_long_decimals_in_a_key_go_to_frictionless(tmp_path):
    text = "v\n12345678901234567890.1\n12345678901234567890.2\n1.5\n1.50\n"
    resource = one(tmp_path, text, [{"name": "v", "type": "number"}], )
    resource["schema"]["primaryKey"] = ["v"]
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    found, _ = assert_same(tmp_path, resource, "frictionless")
    assert set(found) == {("primary-key", 5, None)}  # 1.50 repeats 1.5; the long ones differ


def test_plain_decimals_in_a_key_stay_on_the_fast_path(tmp_path):
    resource = one(tmp_path, "v\n1.5\n2\n1.50\n", [{"name": "v", "type": "number"}])
    resource["schema"]["primaryKey"] = ["v"]
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == {("primary-key", 4, None)}


def test_pattern_means_what_python_means(tmp_path):
    # Python's \d takes any Unicode digit, \w any letter; "$" matches before a final newline
    rows = ["123,\u00e9t\u00e9", "\u0661\u0662,ab", '"12\n",x', "12a,a-b"]
    fields = [{"name": "v", "type": "string", "constraints": {"pattern": r"\d+"}},
              {"name": "w", "type": "string", "constraints": {"pattern": r"\w+"}}]
    resource = one(tmp_path, "v,w\n" + "\n".join(rows) + "\n", fields)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == {("constraint-error", 5, "v"), ("constraint-error", 5, "w")}


def test_pattern_is_anchored_as_frictionless_anchors_it(tmp_path):
    # frictionless compiles "^" + pattern + "$" and calls match(): "ax" passes (as "^a"), "xb" fails
    fields = [{"name": "v", "type": "string", "constraints": {"pattern": "a|b"}}]
    resource = one(tmp_path, "v\na\nax\nxb\nxa\n", fields)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == {("constraint-error", 4, "v"), ("constraint-error", 5, "v")}


def test_undeclared_latin1_is_read_as_frictionless_reads_it(tmp_path):
    text = "id,name\n" + "".join(f"{i},caf\u00e9 {i}\n" for i in range(1, 200)) + "x,\u00e9t\u00e9\n"
    fields = [{"name": "id", "type": "integer"},
              {"name": "name", "type": "string", "constraints": {"maxLength": 8}}]
    resource = one(tmp_path, text.encode("cp1252"), fields)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert ("type-error", 201, "id") in found


@pytest.mark.parametrize("descriptor,reason", [
    ({"dialect": {"headerRows": [1, 2]}}, "headerRows"),
    ({"dialect": {"escapeChar": "\\"}}, "escapeChar"),
    ({"dialect": {"commentRows": [3]}}, "commentRows"),
    ({"schema": {"fields": INT, "fieldsMatch": "subset"}}, "fieldsMatch"),
    ({"schema": {"fields": [{"name": "id", "type": "geopoint"}]}}, "geopoint"),
    ({"schema": {"fields": [{"name": "id", "type": "date", "format": "any"}]}}, "format"),
    ({"schema": {"fields": [{"name": "id", "type": "string", "format": "email"}]}}, "email"),
    ({"schema": {"fields": [{"name": "id", "type": "datetime"}], "primaryKey": ["id"]}}, "key"),
])
def test_what_the_fast_path_lacks_is_named(tmp_path, descriptor, reason):
    resource = one(tmp_path, "id,name\n1,a\n2,b\n", INT, **descriptor)
    _, check = assert_same(tmp_path, resource, "frictionless")
    assert reason in check.reason


def test_frictionless_judges_a_resource_inside_its_own_package_descriptor(tmp_path):
    # the package's profile (Data Package v2 here) decides how frictionless reads its resources
    from tests.conftest import make_project

    # (benefit-levels: every cell of it is one DuckDB judges exactly; the NBS workbooks' 16-digit floats send
    # the observations of social-insurance-funds to frictionless on the duckdb engine too)
    root = make_project(tmp_path, ["benefit-levels"])
    reports = [validate_all(root / "datapackages", root / "expectations", structure_only=True, engine=engine)
               for engine in ("duckdb", "frictionless")]
    assert [{r.engine for r in report.packages[0].resources} for report in reports] == [{"duckdb"}, {"frictionless"}]
    assert reports[0].findings == reports[1].findings == []
