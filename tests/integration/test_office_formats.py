"""Excel workbooks and Stata files of a real release, read back by openpyxl and pandas and compared with
the released CSV value by value (Chinese text included); served with ETag and Range, named in the manifest."""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import urllib.request

import openpyxl
import pandas as pd
import pytest

from service.statafile import variable_label, variable_names
from service.store import file_digest, verify
from service.workbook import Sheet, sheet_names, write_workbook
from tests.conftest import current_release


_release = current_release


def _csv_rows(release, package: str, resource: dict) -> tuple[list[str], list[dict]]:
    path = release.path / "packages" / package / resource["path"]
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def _expected(field: dict, text: str):
    """A CSV cell as the schema types it (blank = missing)."""
    if text == "":
        return None
    kind = field.get("type", "string")
    if kind in ("integer", "year"):
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text in field.get("trueValues", ["true", "True", "TRUE", "1"])
    if kind == "date":
        return datetime.date.fromisoformat(text)
    return text


def _same(got, want) -> bool:
    if isinstance(want, datetime.date):  # a date cell reads back as a datetime at midnight
        return isinstance(got, datetime.datetime) and got == datetime.datetime.combine(want, datetime.time())
    if isinstance(want, float) or (isinstance(want, int) and not isinstance(want, bool)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == float(want)
    return got == want


def _packages(release) -> list[tuple[str, dict]]:
    return [(name, release.descriptor(name)) for name in release.packages]


def test_every_package_has_a_workbook_whose_sheets_hold_the_csv_values(project, client):
    release = _release(project)
    cjk = 0
    for name, descriptor in _packages(release):
        response = client.get(f"/api/packages/{name}.xlsx")
        assert response.status_code == 200, name
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        resources = [r for r in descriptor["resources"] if r.get("path")]
        assert book.sheetnames == sheet_names(["README", *(r["name"] for r in resources), "source list"])
        about_rows = list(book["README"].iter_rows(values_only=True))
        about = {row[0]: row[1] for row in about_rows if row[0]}
        assert about["Release"] == release.version
        assert about["Title"] == descriptor["title"] and about["标题"] == descriptor.get("title_zh", "")
        assert about["Licence"].startswith(descriptor["licenses"][0]["title"])
        readme = [row[1] or "" for row in about_rows[[r[0] for r in about_rows].index("README"):]]
        assert readme == (release.path / "packages" / name / "README.md").read_text("utf-8").splitlines()
        assert name in about["Citation"] and release.version in about["Citation"]
        for resource, sheet_name in zip(resources, book.sheetnames[1:]):
            sheet = book[sheet_name]
            assert sheet.freeze_panes == "A2", (name, resource["name"])
            header, rows = _csv_rows(release, name, resource)
            cells = list(sheet.iter_rows(values_only=True))
            assert list(cells[0]) == header
            fields = {f["name"]: f for f in resource["schema"]["fields"]}
            want = sorted((tuple(_expected(fields[c], row[c]) for c in header) for row in rows), key=repr)
            got = sorted((tuple(row) for row in cells[1:]), key=repr)
            assert len(got) == len(want), (name, resource["name"])
            by_key = {repr(tuple(map(_key, r))): r for r in got}
            for row in want:
                match = by_key.get(repr(tuple(map(_key, row))))
                assert match is not None and all(_same(g, w) for g, w in zip(match, row)), (name, row)
                cjk += sum(1 for v in row if isinstance(v, str) and any("\u4e00" <= ch <= "\u9fff" for ch in v))
            numeric = [f["name"] for f in resource["schema"]["fields"] if f.get("type") in ("integer", "number")]
            for column in numeric:  # numbers are stored as numbers, not text
                index = header.index(column)
                assert all(not isinstance(r[index], str) for r in cells[1:]), (name, column)
        _check_sources_sheet(book["source list"], release, name, descriptor)
    assert cjk > 1000  # Chinese quotes and names came through


def _key(value):
    if isinstance(value, datetime.date):  # datetime too: a date cell reads back as midnight of that day
        return value.isoformat()[:10]
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _check_sources_sheet(sheet, release, name: str, descriptor: dict) -> None:
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("title", "publisher", "link", "reliability")
    source = next((r for r in descriptor["resources"] if r["name"] == "sources"), None)
    if source is None:
        assert len(rows) - 1 == len(descriptor.get("sources", []))
        return
    _, csv_rows = _csv_rows(release, name, source)
    want = sorted((r["title"], r["publisher"], r["url"] or None, r["reliability"]) for r in csv_rows)
    assert sorted(rows[1:]) == want


def test_every_observations_resource_has_a_stata_file_with_the_csv_values(project, client):
    release = _release(project)
    checked = 0
    for name, descriptor in _packages(release):
        for resource in descriptor["resources"]:
            response = client.get(f"/api/packages/{name}/{resource['name']}.dta")
            if resource["name"] != "observations":
                assert response.status_code == 404 and response.json["error"]["code"] == "not-found"
                continue
            assert response.status_code == 200 and response.mimetype == "application/x-stata-dta"
            assert response.data.startswith(b"<stata_dta><header><release>118</release>")
            frame = pd.read_stata(io.BytesIO(response.data))
            reader = pd.io.stata.StataReader(io.BytesIO(response.data))
            labels, value_labels = reader.variable_labels(), reader.value_labels()
            header, rows = _csv_rows(release, name, resource)
            fields = {f["name"]: f for f in resource["schema"]["fields"]}
            assert list(frame.columns) == variable_names(header)
            assert labels == {v: variable_label(fields[c]) for v, c in zip(frame.columns, header)}
            assert labels["value"].startswith("Value") and all(label.isascii() for label in labels.values())
            assert value_labels["preferred"] == {0: "false", 1: "true"}
            got = sorted((tuple(_stata(v) for v in row) for row in frame.itertuples(index=False)), key=repr)
            want = sorted((tuple(_stata_expected(fields[c], row[c]) for c in header) for row in rows), key=repr)
            assert got == want, name
            checked += 1
    assert checked == 6


def _stata(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _stata_expected(field: dict, text: str):
    """Stata has no boolean (its value label reads back) and no missing string (blank)."""
    if field.get("type") == "boolean":
        return text if text else None
    value = _expected(field, text)
    if value is None:
        return "" if field.get("type", "string") not in ("integer", "number", "year") else None
    return float(value) if isinstance(value, int) else value


def test_the_new_files_are_in_the_manifest_and_verify(project):
    release = _release(project)
    files = {f["path"]: f for f in json.loads((release.path / "manifest.json").read_text())["files"]}
    for name in release.packages:
        entry = files[f"workbooks/{name}.xlsx"]
        assert entry["sha256"] == file_digest(release.path / entry["path"])
        assert entry["bytes"] == (release.path / entry["path"]).stat().st_size
    assert sum(1 for p in files if p.startswith("stata/") and p.endswith("/observations.dta")) == 6
    assert verify(release) == []


def test_catalog_links_the_workbook_and_stata_files(client):
    catalog = client.get("/api/packages").json
    for package in catalog["packages"]:
        assert client.get(package["xlsx"]).status_code == 200
        for resource in package["resources"]:
            assert ("dta" in resource) == (resource["name"] == "observations")
            if "dta" in resource:
                assert client.get(resource["dta"]).status_code == 200


@pytest.mark.parametrize("path", ["social-assistance.xlsx", "social-assistance/observations.dta"])
def test_served_with_etag_and_range_on_a_live_server(live_url, project, path):
    version = _release(project).version
    for url in (f"{live_url}/api/packages/{path}", f"{live_url}/api/releases/{version}/packages/{path}"):
        whole = urllib.request.urlopen(url).read()
        request = urllib.request.Request(url, headers={"Range": "bytes=10-109"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 206 and response.headers["ETag"]
            assert response.read() == whole[10:110]
            etag = response.headers["ETag"]
        again = urllib.request.Request(url, headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(again)
        assert caught.value.code == 304


def test_unknown_package_workbook_is_a_404_in_the_error_shape(client):
    response = client.get("/api/packages/no-such-package.xlsx")
    assert response.status_code == 404 and response.json["ok"] is False
    assert response.json["error"]["details"]["package"] == "no-such-package"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    out = tmp_path / "book.xlsx"
    write_workbook(out, [("Title", "=HYPERLINK(\"http://x\")")],
                   [Sheet("data", ["a", "b"], [("=1+1", 2), ("社保", None)])], Sheet("s", ["t"], []))
    book = openpyxl.load_workbook(out)
    assert book["data"]["A2"].value == "=1+1" and book["data"]["A2"].data_type == "s"
    assert book["data"]["A3"].value == "社保" and book["data"]["B2"].value == 2
    assert book["README"]["B1"].data_type == "s"


def test_sheet_and_variable_names_follow_the_tools_rules():
    assert sheet_names(["README", "readme", "a/b:c", "x" * 40]) == ["README", "readme~2", "a_b_c", "x" * 31]
    assert variable_names(["year", "1st", "a-b", "a_b", "v" * 40]) == ["year", "_1st", "a_b", "a_b_2", "v" * 32]
    assert len(variable_label({"title": "T", "description": "d" * 200})) == 80
    assert variable_label({"title": "名称", "description": "Chinese name."}) == "Chinese name."


def test_a_resource_longer_than_a_sheet_is_left_out_and_said_so(tmp_path, monkeypatch):
    monkeypatch.setattr("service.workbook.SHEET_ROWS", 2)
    out = tmp_path / "book.xlsx"
    write_workbook(out, [("Title", "t")], [Sheet("small", ["a"], [(1,), (2,)]), Sheet("big", ["a"], [(1,)] * 3)],
                   Sheet("s", ["t"], []))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["README", "small", "source list"]
    assert ("Not in this workbook", "big: 3 rows, more than a sheet holds; use its CSV") in [
        tuple(r) for r in book["README"].iter_rows(values_only=True)]
