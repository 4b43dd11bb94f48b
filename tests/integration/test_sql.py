"""SQL over HTTP: rows, formats, the row cap, the time limit and what is refused."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import REPO


def _csv_rows(package: str, resource: str) -> list[dict]:
    with open(REPO / "datapackages" / package / "data" / f"{resource}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_select_returns_rows_as_objects(client):
    response = client.get("/api/sql", query_string={
        "sql": "select count(*) as n from social_insurance_coverage.observations"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["columns"] == ["n"]
    assert body["rows"] == [{"n": len(_csv_rows("social-insurance-coverage", "observations"))}]
    assert body["truncated"] is False


def test_values_round_trip_through_sql(client):
    expected = {(r["indicator_id"], int(r["year"]), r["source_id"]): float(r["value"])
                for r in _csv_rows("social-insurance-coverage", "observations")}
    body = client.get("/api/sql", query_string={
        "sql": "select indicator_id, year, source_id, value from social_insurance_coverage.observations",
        "_shape": "arrays"}).get_json()
    got = {(i, y, s): v for i, y, s, v in body["rows"]}
    assert got == expected


def test_named_parameters(client):
    body = client.get("/api/sql", query_string={
        "sql": "select count(*) as n from social_insurance_coverage.observations where year = $year::INT",
        "_p_year": "2020"}).get_json()
    expected = sum(1 for r in _csv_rows("social-insurance-coverage", "observations") if r["year"] == "2020")
    assert body["rows"][0]["n"] == expected > 0


@pytest.mark.parametrize("limit,rows,truncated", [(5, 5, True), (7, 7, False), (10, 7, False)])
def test_row_cap_sets_truncated(make_app, limit, rows, truncated):
    client = make_app(max_returned_rows=limit).test_client()
    response = client.get("/api/sql", query_string={"sql": "select * from range(7)"})
    body = response.get_json()
    assert len(body["rows"]) == rows and body["truncated"] is truncated
    assert response.headers["X-Socsec-Truncated"] == str(truncated).lower()


def test_csv_and_ndjson_formats_say_when_truncated(make_app):
    client = make_app(max_returned_rows=3).test_client()
    response = client.get("/api/sql.csv", query_string={"sql": "select range as i from range(10)"})
    assert response.mimetype == "text/csv"
    assert response.data.decode().splitlines() == ["i", "0", "1", "2"]
    assert response.headers["X-Socsec-Truncated"] == "true"
    lines = client.get("/api/sql.ndjson", query_string={"sql": "select 1 as a, 'x' as b"}).data.decode()
    assert [json.loads(line) for line in lines.splitlines()] == [{"a": 1, "b": "x"}]


@pytest.mark.parametrize("ext", ["json", "ndjson", "csv"])
def test_answers_read_as_rows_or_as_arrow_batches_are_the_same_bytes(make_app, ext):
    """A row cap under 2,048 answers JSON and NDJSON from rows, a larger one from Arrow batches (CSV
    always from batches when the types allow): the bytes of the rows are the same either way."""
    sql = ("select indicator_id, year, value, source_id from social_insurance_coverage.observations "
           "order by indicator_id, year, source_id")
    bodies = []
    for cap in (1000, 5000):
        response = make_app(max_returned_rows=cap, sql_cache_mb=0).test_client().get(
            "/api/sql" if ext == "json" else f"/api/sql.{ext}", query_string={"sql": sql})
        assert response.status_code == 200
        body = response.data
        if ext == "json":  # the rows' bytes: the whole body but for the cap and the time taken
            body = re.sub(rb'"(row_limit|elapsed_ms)":[0-9.]+', b"", body)
        bodies.append(body)
    assert bodies[0] == bodies[1] and bodies[0].count(b"\n" if ext != "json" else b"indicator_id") > 20


@pytest.mark.parametrize("limit,rows,truncated", [(5, 5, True), (50, 20, False)])
def test_parquet_answer_keeps_types_and_says_when_truncated(make_app, limit, rows, truncated):
    import pyarrow.parquet as pq

    client = make_app(max_returned_rows=limit).test_client()
    response = client.get("/api/sql.parquet", query_string={
        "sql": "select range as i, 'r' || range as s, DATE '2020-01-01' + range::INT as d from range(20)"})
    assert response.status_code == 200 and response.mimetype == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.data))
    assert table.num_rows == rows and table.column_names == ["i", "s", "d"]
    assert str(table.schema.field("d").type) == "date32[day]" and table.column("i").to_pylist()[:3] == [0, 1, 2]
    assert response.headers["X-Socsec-Truncated"] == str(truncated).lower()


def test_slow_query_is_interrupted_at_the_time_limit(make_app):
    client = make_app(sql_time_limit_ms=200).test_client()
    response = client.get("/api/sql", query_string={
        "sql": "select count(*) from range(1000000000) a, range(1000) b"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "query-timeout"


REFUSED = [
    ("drop table social_insurance_coverage.observations", "read-only"),
    ("delete from social_insurance_coverage.observations", "read-only"),
    ("insert into social_insurance_coverage.sources values (1)", "read-only"),
    ("create table t as select 1", "read-only"),
    ("copy (select 1) to '/tmp/socsec-escape.csv'", "read-only"),
    ("attach '/tmp/other.duckdb' as o", "read-only"),
    ("install httpfs", "read-only"),
    ("set enable_external_access = true", "read-only"),
    ("pragma database_list", "read-only"),
    ("select 1; select 2", "invalid-sql"),
    ("select * from read_csv('/etc/passwd')", "not-allowed"),
    ("select * from duckdb_settings()", "not-allowed"),
    ("select * from 'file:///etc/passwd'", "not-allowed"),
    ("select * from pg_catalog.pg_settings", "not-allowed"),
    ("select current_setting('temp_directory')", "not-allowed"),
    ("select * from system.main.duckdb_databases", "not-allowed"),
    ("select current_catalog", "not-allowed"),
    ("selec 1", "invalid-sql"),
    ("select * from no_such_table", "not-allowed"),
    ("", "invalid-sql"),
]


@pytest.mark.parametrize("sql,code", REFUSED)
def test_refused_queries_answer_400_with_a_code(client, sql, code):
    response = client.get("/api/sql", query_string={"sql": sql})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["error"]["code"] == code
    assert "/tmp/pytest" not in body["error"]["message"] and "var/store" not in body["error"]["message"]


def test_post_is_accepted_like_get(client):
    response = client.post("/api/sql", data={"sql": "select 41 + 1 as answer"})
    assert response.get_json()["rows"] == [{"answer": 42}]


def test_sql_describes_the_release_on_a_live_server(live_url):
    """SHOW TABLES and information_schema through `socsec serve`: the release's own tables, nothing else."""
    import urllib.error
    import urllib.parse
    import urllib.request

    def get(path: str, sql: str):
        url = f"{live_url}{path}?" + urllib.parse.urlencode({"sql": sql})
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    packages = json.loads(urllib.request.urlopen(f"{live_url}/api/packages", timeout=10).read())["packages"]
    resources = sorted({r["name"].replace("-", "_") for p in packages for r in p["resources"]})
    status, body = get("/api/sql", "show tables")
    assert status == 200 and [row["name"] for row in json.loads(body)["rows"]] == resources
    status, body = get("/api/sql.csv", "select distinct table_schema from information_schema.columns order by 1")
    schemas = sorted({"main", *(p["name"].replace("-", "_") for p in packages)})
    assert status == 200 and body.split() == ["table_schema", *schemas]
    status, body = get("/api/sql", "select version() as v")
    assert status == 200 and json.loads(body)["rows"][0]["v"].startswith("v")
    status, body = get("/api/sql", "select * from system.information_schema.tables")
    error = json.loads(body)["error"]
    assert status == 400 and error["code"] == "not-allowed"
    assert "SHOW TABLES" in error["message"] and "/api/packages" in error["message"]
