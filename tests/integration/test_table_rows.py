"""Rows without SQL: /api/packages/<name>/<resource>.json with filters, sorts and keyset pages."""

from __future__ import annotations

import pytest

TABLE = "/api/packages/social-insurance-by-province/observations.json"
SQL_TABLE = "social_insurance_by_province.observations"
KEY = ("indicator_id", "year", "region", "source_id")


def _sql(client, text: str) -> list[dict]:
    body = client.get("/api/sql", query_string={"sql": text}).get_json()
    assert body["truncated"] is False, body
    return body["rows"]


def _walk(client, url: str) -> list[dict]:
    rows, pages = [], 0
    while url:
        body = client.get(url).get_json()
        assert body["ok"] is True, body
        rows += body["rows"]
        url, pages = body["next_url"], pages + 1
    return rows, pages


@pytest.mark.parametrize("sort", ["", "&_sort=year", "&_sort_desc=year", "&_sort=value", "&_sort_desc=note",
                                  "&_sort=region"])
def test_pages_walk_the_whole_table_once_in_order(client, sort):
    count = _sql(client, f"select count(*) as n from {SQL_TABLE}")[0]["n"]
    rows, pages = _walk(client, f"{TABLE}?_size=400{sort}")
    assert len(rows) == count and pages == -(-count // 400)
    assert len({tuple(r[k] for k in KEY) for r in rows}) == count  # every row once
    column = sort.split("=")[1] if sort else None
    if column:
        values = [r[column] for r in rows]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse="desc" in sort)
        assert values[len(present):] == [None] * (len(values) - len(present))  # nulls last
    else:  # the primary key's order
        keys = [tuple(r[k] for k in KEY) for r in rows]
        assert keys == sorted(keys)


def test_equality_filters_match_sql(client):
    body = client.get(TABLE, query_string={"year": "2010", "region": "CN-BJ", "_size": "1000"}).get_json()
    expected = _sql(client, f"select count(*) as n from {SQL_TABLE} where year = 2010 and region = 'CN-BJ'")
    assert len(body["rows"]) == expected[0]["n"] > 0
    assert {(r["year"], r["region"]) for r in body["rows"]} == {(2010, "CN-BJ")}
    both = client.get(f"{TABLE}?region=CN-BJ&region=CN-SH&year=2010&_size=1000").get_json()["rows"]
    assert {r["region"] for r in both} == {"CN-BJ", "CN-SH"}  # a repeated filter is a choice


def test_next_token_is_stable_and_keeps_filters(client):
    first = client.get(f"{TABLE}?region=CN-GD&_size=5&_sort_desc=value").get_json()
    again = client.get(f"{TABLE}?region=CN-GD&_size=5&_sort_desc=value").get_json()
    assert first["next"] == again["next"] and first["rows"] == again["rows"]
    second = client.get(first["next_url"]).get_json()
    assert all(r["region"] == "CN-GD" for r in second["rows"])
    assert first["rows"][-1]["value"] >= second["rows"][0]["value"]


def test_arrays_shape_and_columns(client):
    body = client.get(f"{TABLE}?_size=2&_shape=arrays").get_json()
    assert body["columns"][:3] == ["indicator_id", "year", "region"]
    assert len(body["types"]) == len(body["columns"]) and all(len(r) == len(body["columns"]) for r in body["rows"])


@pytest.mark.parametrize("query,parameter", [
    ("year=abc", "year"), ("no_such_column=1", "no_such_column"), ("_size=0", "_size"),
    ("_size=-3", "_size"), ("_size=1001", "_size"), ("_next=garbage", "_next"), ("_sort=nope", "_sort"),
    ("_bogus=1", "_bogus"), ("_sort=year&_sort_desc=year", "_sort_desc"), ("_shape=xml", "_shape"),
    ("_next=WyJ4Il0", "_next"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"{TABLE}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad-parameter" and error["details"]["parameter"] == parameter


def test_unknown_package_or_table_is_404(client):
    assert client.get("/api/packages/nope/observations.json").status_code == 404
    assert client.get("/api/packages/social-insurance-by-province/nope.json").status_code == 404


def test_versioned_table_pages(client):
    version = client.get("/api/releases").get_json()["current"]
    response = client.get(f"/api/releases/{version}/packages/benefit-levels/observations.json")
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert response.get_json()["release"] == version
