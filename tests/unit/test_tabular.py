"""Differential tests: service.validation.tabular against frictionless 5.21.

frictionless is the oracle: for each package the multiset of (code, row,
field) from ``check_resource`` must equal frictionless' flattened report,
except ``empty-resource`` (ours only). Focused tests pin each bad input to
its code and position.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import pathlib

import pytest

from service.validation.tabular import check_resource

ROOT = pathlib.Path(__file__).resolve().parents[2]
from tests.conftest import REAL_PACKAGES as REAL
OURS_ONLY = {"empty-resource"}

frictionless = pytest.importorskip("frictionless")


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_descriptor(base: pathlib.Path) -> tuple[dict, pathlib.Path]:
    path = base / "datapackage.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8")), path
    import yaml

    path = base / "datapackage.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")), path


def ours(base: pathlib.Path, **options) -> dict[str, collections.Counter]:
    descriptor, _ = load_descriptor(base)
    resources = {r["name"]: r for r in descriptor["resources"]}
    out = {}
    for resource in descriptor["resources"]:
        check = check_resource(descriptor.get("name", ""), resource, base, resources=resources, **options)
        out[resource["name"]] = collections.Counter(
            (f.code, f.row, f.field) for f in check.findings if f.code not in OURS_ONLY)
    return out


def theirs(base: pathlib.Path, **options) -> dict[str, collections.Counter]:
    _, path = load_descriptor(base)
    report = frictionless.validate(str(path), **options)
    out = {}
    for task in report.tasks:
        out[task.name] = collections.Counter(
            (e.type, getattr(e, "row_number", None), getattr(e, "field_name", None) or None)
            for e in task.errors)
    return out


def assert_same(base: pathlib.Path, **options) -> dict[str, collections.Counter]:
    mine, oracle = ours(base, **options), theirs(base, **options)
    for name, found in mine.items():
        expected = oracle.get(name, collections.Counter())
        assert found == expected, (name, found - expected, expected - found)
    return mine


# -- differential -----------------------------------------------------------

def test_generated_dirty_package_matches_frictionless(tmp_path):
    _generator().generate(tmp_path, 3000, dirty=True, seed=7)
    found = assert_same(tmp_path)
    codes = {code for counter in found.values() for code, _, _ in counter}
    assert codes >= {"type-error", "constraint-error", "extra-cell", "missing-cell", "blank-row",
                     "primary-key", "foreign-key", "unique-error", "extra-label", "missing-label",
                     "blank-label", "duplicate-label", "incorrect-label", "encoding-error",
                     "hash-count", "byte-count"}


def test_generated_clean_package_is_valid(tmp_path):
    _generator().generate(tmp_path, 2000, dirty=False)
    assert all(not counter for counter in ours(tmp_path).values())


def test_limit_errors_matches_frictionless(tmp_path):
    _generator().generate(tmp_path, 3000, dirty=True, seed=1)
    assert_same(tmp_path, limit_errors=25)


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.iterdir() if p.is_dir()))
def test_real_package_matches_frictionless(name):
    assert_same(REAL / name)


# -- focused ----------------------------------------------------------------

def make(tmp_path, data: bytes | str, fields, name="t", **resource):
    if isinstance(data, str):
        data = data.encode("utf-8")
    (tmp_path / f"{name}.csv").write_bytes(data)
    schema = resource.pop("schema", {})
    descriptor = {"name": name, "path": f"{name}.csv",
                  "schema": {"fields": [{"name": f[0], "type": f[1], **(f[2] if len(f) > 2 else {})}
                                        for f in fields], **schema}, **resource}
    package = tmp_path / "datapackage.json"
    old = json.loads(package.read_text()) if package.exists() else {"name": "p", "resources": []}
    old["resources"] = [r for r in old["resources"] if r["name"] != name] + [descriptor]
    package.write_text(json.dumps(old))
    return descriptor


def check(tmp_path, descriptor, **options):
    package = json.loads((tmp_path / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    return check_resource("p", descriptor, tmp_path, resources=resources, **options)


def triples(result):
    return [(f.code, f.row, f.field) for f in result.findings]


def test_blank_lines_count_as_rows(tmp_path):
    d = make(tmp_path, "a,b\n1,x\n\n2,y\nz,w\n", [("a", "integer"), ("b", "string")])
    assert triples(check(tmp_path, d)) == [("blank-row", 3, None), ("type-error", 5, "a")]
    assert check(tmp_path, d).rows == 4
    assert_same(tmp_path)


def test_ragged_rows(tmp_path):
    d = make(tmp_path, "a,b,c\n1,2\n1,2,3,4\n", [("a", "integer"), ("b", "integer"),
                                               ("c", "integer", {"constraints": {"required": True}})])
    assert triples(check(tmp_path, d)) == [
        ("constraint-error", 2, "c"), ("missing-cell", 2, "c"), ("extra-cell", 3, None)]
    assert_same(tmp_path)


def test_bom_is_accepted(tmp_path):
    d = make(tmp_path, b"\xef\xbb\xbfa,b\n1,2\n", [("a", "integer"), ("b", "integer")], encoding="utf-8")
    assert triples(check(tmp_path, d)) == []
    assert_same(tmp_path)


def test_invalid_utf8(tmp_path):
    data = b"a\n" + b"1\n" * 6000 + b"\xff\n" + b"x\n" * 10
    d = make(tmp_path, data, [("a", "integer")], encoding="utf-8")
    assert ("encoding-error", None, None) in triples(check(tmp_path, d))
    assert_same(tmp_path)


@pytest.mark.parametrize("kind,good,bad", [
    ("integer", [" 42 ", "+1", "1_000", "-0"], ["1.0", "1e3", "x", "0x1"]),
    ("number", ["1.5", "1e3", ".5", "NaN", "-inf", " 2 "], ["1,5", "1.2.3", "e3", "x"]),
    ("boolean", ["true", "False", "1", "0"], ["yes", " true", "t"]),
    ("date", ["2020-01-31", "2020-1-5"], ["2020-02-30", "20200101", "2020-01-01T00:00:00"]),
    ("datetime", ["2020-01-01T10:00:00", "2020-01-01T10:00:00Z", "2020-01-01 10:00:00+01:00"],
     ["2020-01-01", "2020-01-01T25:00:00", "x"]),
    ("time", ["10:00:00", "23:59:59.5", "10:00:00Z"], ["10:00", "24:01:00", "x"]),
    ("year", ["2020", "0999"], ["20", "20201", "x"]),
    ("yearmonth", ["2020-01", "2020-12", "2020-1"], ["2020-13", "2020", "2020-01-01"]),
])
def test_types_match_frictionless(tmp_path, kind, good, bad):
    values = good + bad
    data = "v\n" + "".join(f'"{v}"\n' for v in values)
    d = make(tmp_path, data, [("v", kind)])
    errors = {row for code, row, _ in triples(check(tmp_path, d)) if code == "type-error"}
    assert errors == set(range(2 + len(good), 2 + len(values)))
    assert_same(tmp_path)


def test_number_options(tmp_path):
    d = make(tmp_path, 'v\n"1 000,5"\n"2,5"\n"1.5"\n',
             [("v", "number", {"groupChar": " ", "decimalChar": ","})])
    assert triples(check(tmp_path, d)) == [("type-error", 4, "v")]
    assert_same(tmp_path)


def test_constraints(tmp_path):
    fields = [("n", "integer", {"constraints": {"minimum": 1, "maximum": 5}}),
              ("s", "string", {"constraints": {"minLength": 2, "maxLength": 3, "pattern": "[a-z]+",
                                               "enum": ["ab", "abc", "ABC"]}})]
    d = make(tmp_path, "n,s\n0,ab\n6,abc\n3,a\n3,ABC\n3,abcd\n", fields)
    assert triples(check(tmp_path, d)) == [
        ("constraint-error", 2, "n"), ("constraint-error", 3, "n"),
        ("constraint-error", 4, "s"), ("constraint-error", 4, "s"),  # minLength, enum
        ("constraint-error", 5, "s"),                                # pattern
        ("constraint-error", 6, "s"), ("constraint-error", 6, "s")]  # maxLength, enum
    assert_same(tmp_path)


def test_unique_and_composite_primary_key(tmp_path):
    fields = [("a", "integer"), ("b", "string"), ("u", "string", {"constraints": {"unique": True}})]
    d = make(tmp_path, "a,b,u\n1,x,p\n1,y,q\n01,x,p\n,,\n2,,\n2,,r\n", fields,
             schema={"primaryKey": ["a", "b"]})
    assert triples(check(tmp_path, d)) == [
        ("unique-error", 4, "u"), ("primary-key", 4, None), ("blank-row", 5, None),
        ("primary-key", 5, None), ("primary-key", 7, None)]
    assert_same(tmp_path)


def test_wrong_type_in_primary_key(tmp_path):
    d = make(tmp_path, "id\n1\nx\n", [("id", "integer")], schema={"primaryKey": ["id"]})
    assert triples(check(tmp_path, d)) == [("type-error", 3, "id"), ("primary-key", 3, None)]
    assert_same(tmp_path)


def test_foreign_keys(tmp_path):
    make(tmp_path, "id,name\n1,a\n2,b\n", [("id", "integer"), ("name", "string")], name="ref")
    fk = [{"fields": ["ref"], "reference": {"resource": "ref", "fields": ["id"]}},
          {"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}]
    d = make(tmp_path, "id,ref,parent\n1,1,\n2,3,1\n3,,9\n4,02,3\n",
             [("id", "integer"), ("ref", "integer"), ("parent", "integer")], name="t",
             schema={"foreignKeys": fk})
    assert triples(check(tmp_path, d)) == [("foreign-key", 3, None), ("foreign-key", 4, None)]
    assert_same(tmp_path)


def test_foreign_key_to_unknown_resource(tmp_path):
    fk = [{"fields": ["a"], "reference": {"resource": "nope", "fields": ["id"]}}]
    d = make(tmp_path, "a\n1\n", [("a", "integer")], schema={"foreignKeys": fk})
    assert triples(check(tmp_path, d)) == [("resource-error", None, None)]


def test_labels(tmp_path):
    d = make(tmp_path, "b,a,,a,e\n1,2,3,4,5\n", [("a", "integer"), ("b", "integer"),
                                                ("c", "integer"), ("d", "integer")])
    assert triples(check(tmp_path, d)) == [
        ("extra-label", None, None), ("incorrect-label", None, "a"), ("incorrect-label", None, "b"),
        ("blank-label", None, "c"), ("duplicate-label", None, "d")]
    make(tmp_path, "a\n1\n", [("a", "integer"), ("b", "integer")], name="m")
    assert_same(tmp_path)


def test_hash_and_bytes(tmp_path):
    data = b"a\n1\n"
    good = make(tmp_path, data, [("a", "integer")], hash=hashlib.md5(data).hexdigest(), bytes=len(data))
    assert triples(check(tmp_path, good)) == []
    bad = make(tmp_path, data, [("a", "integer")], name="u", bytes=3,
               hash="sha256:" + hashlib.sha256(b"x").hexdigest())
    assert triples(check(tmp_path, bad)) == [("hash-count", None, None), ("byte-count", None, None)]
    assert_same(tmp_path)


def test_empty_resource_is_ours(tmp_path):
    d = make(tmp_path, "a,b\n", [("a", "integer"), ("b", "string")])
    result = check(tmp_path, d)
    assert triples(result) == [("empty-resource", None, None)] and result.rows == 0
    assert_same(tmp_path)


def test_descriptor_problems(tmp_path):
    base = {"schema": {"fields": [{"name": "a", "type": "integer"}]}}
    for path in ("../x.csv", "/etc/passwd"):
        result = check_resource("p", {"name": "x", "path": path, **base}, tmp_path)
        assert triples(result) == [("resource-error", None, None)]
    result = check_resource("p", {"name": "x", "path": "missing.csv", **base}, tmp_path)
    assert triples(result) == [("scheme-error", None, None)]
    (tmp_path / "x.csv").write_text("a\n1\n")
    bad = {"name": "x", "path": "x.csv", "schema": {"fields": [{"name": "a", "type": "foo"}]}}
    assert triples(check_resource("p", bad, tmp_path)) == [("field-error", None, "a")]


def test_limit_errors_marks_partial(tmp_path):
    d = make(tmp_path, "a\n" + "x\n" * 50, [("a", "integer")], bytes=1)
    result = check(tmp_path, d, limit_errors=10)
    assert result.partial and len(result.findings) == 10
    assert [f.row for f in result.findings] == list(range(2, 12))
    assert_same(tmp_path, limit_errors=10)


def test_header_row_detection(tmp_path):
    # frictionless skips leading rows narrower than the sample's average width
    d = make(tmp_path, "title\na,b,c\n1,2,3\n4,5,6\n7,8,x\n",
             [("a", "integer"), ("b", "integer"), ("c", "integer")])
    assert triples(check(tmp_path, d)) == [("type-error", 5, "c")]
    assert_same(tmp_path)
