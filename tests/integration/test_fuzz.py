"""Fuzzing the SQL and table endpoints with hypothesis: never a 5xx, never later than the time limit + 1 s.

The text is SQL-like: DuckDB's own keywords, the release's table and column names, literals and
punctuation, in random order; parameters and options are random too. Bounded in count (a larger run
is behind the `slow` marker). The OpenAPI contract is fuzzed separately by schemathesis.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from service.store import Store

LIMIT_S = 1.0  # the app fixture keeps the default sql_time_limit_ms = 1000
PUNCTUATION = ["(", ")", ",", ";", "*", "=", "<", ">", "'", '"', "--", "/*", "*/", ".", "::", "$x", "||", "%"]
LITERALS = ["0", "1", "-1", "2020", "1e308", "'a'", "''", "NULL", "true", "'CN-BJ'", "99999999999999999999"]
FAST = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LONG = settings(FAST, max_examples=2000)


def _names(project) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """DuckDB's keywords, the release's tables and columns, and each package's resources."""
    release = Store(project / "var" / "store").current()
    with duckdb.connect(":memory:") as con:  # keywords are DuckDB's, not the file's
        keywords = [k for (k,) in con.execute("select keyword_name from duckdb_keywords()").fetchall()]
    # the release's file is read in a child process: in this one, the sandboxes hold it with their config
    script = ("import duckdb, json, sys; con = duckdb.connect(sys.argv[1], read_only=True); print(json.dumps("
              "con.execute(\"select table_schema, table_name, column_name from information_schema.columns "
              "where table_catalog = current_database()\").fetchall()))")
    tables = json.loads(subprocess.run([sys.executable, "-c", script, str(release.warehouse)], check=True,
                                       capture_output=True, text=True).stdout)
    names = sorted({n for schema, table, column in tables for n in (schema, table, column, f"{schema}.{table}")})
    resources = {name: list(entry["resources"]) for name, entry in release.packages.items()}
    return keywords, names, resources


@pytest.fixture(scope="module")
def vocabulary(project):
    return _names(project)


def _sql_text(vocabulary):
    keywords, names, _ = vocabulary
    token = st.one_of(st.sampled_from(keywords), st.sampled_from(names), st.sampled_from(PUNCTUATION),
                      st.sampled_from(LITERALS), st.text(max_size=6))
    words = st.lists(token, min_size=1, max_size=25).map(" ".join)
    shaped = st.tuples(st.sampled_from(["select", "SELECT *", "with x as (select 1)", "select count(*)"]),
                       st.sampled_from(["from", "FROM"]), st.sampled_from(names), words).map(" ".join)
    return st.one_of(words, shaped)


def _timed(client, url: str, data: dict | None = None):
    started = time.monotonic()
    response = client.post(url, data=data) if data is not None else client.get(url)
    response.get_data()  # a streamed answer is read to its end
    return response, time.monotonic() - started


def _check(response, elapsed: float, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.get_data()[:300])
    assert elapsed < LIMIT_S + 1, (what, elapsed)


def _sql_case(client, vocabulary, data) -> None:
    sql = data.draw(_sql_text(vocabulary), label="sql")
    endpoint = data.draw(st.sampled_from(["/api/sql", "/api/sql.csv", "/api/sql.ndjson", "/api/sql.parquet"]))
    query = {"sql": sql}
    for name in data.draw(st.lists(st.sampled_from(["x", "y", "year", ""]), max_size=3, unique=True)):
        query[f"_p_{name}"] = data.draw(st.one_of(st.sampled_from(LITERALS), st.text(max_size=8)))
    if data.draw(st.booleans()):
        query["_shape"] = data.draw(st.sampled_from(["objects", "arrays", "array", "", "x"]))
    if data.draw(st.booleans()):
        query[data.draw(st.sampled_from(["_stream", "_size", "_next"]))] = data.draw(st.text(max_size=5))
    if data.draw(st.booleans()):
        response, elapsed = _timed(client, endpoint, query)
    else:
        response, elapsed = _timed(client, endpoint + "?" + urllib.parse.urlencode(query))
    _check(response, elapsed, sql)


def _table_case(client, vocabulary, data) -> None:
    _, names, resources = vocabulary
    package = data.draw(st.one_of(st.sampled_from(sorted(resources)), st.text(min_size=1, max_size=10)))
    resource = data.draw(st.one_of(st.sampled_from(resources.get(package) or ["observations"]),
                                   st.text(min_size=1, max_size=10)))
    query = {}
    for _ in range(data.draw(st.integers(0, 4))):
        key = data.draw(st.one_of(st.sampled_from(names), st.sampled_from(["_sort", "_sort_desc", "_size",
                                                                           "_next", "_shape"])))
        query[key] = data.draw(st.one_of(st.sampled_from(names + LITERALS), st.text(max_size=12),
                                         st.integers(-5, 10**6).map(str)))
    path = "/api/packages/{}/{}.json".format(urllib.parse.quote(package, safe=""),
                                             urllib.parse.quote(resource, safe=""))
    response, elapsed = _timed(client, path + "?" + urllib.parse.urlencode(query))
    _check(response, elapsed, (path, query))


@FAST
@given(data=st.data())
def test_sql_endpoint_survives_random_sql(client, vocabulary, data):
    _sql_case(client, vocabulary, data)


@FAST
@given(data=st.data())
def test_table_endpoints_survive_random_parameters(client, vocabulary, data):
    _table_case(client, vocabulary, data)


@pytest.mark.slow
@LONG
@given(data=st.data())
def test_sql_endpoint_survives_a_long_fuzz(client, vocabulary, data):
    _sql_case(client, vocabulary, data)


@pytest.mark.slow
@LONG
@given(data=st.data())
def test_table_endpoints_survive_a_long_fuzz(client, vocabulary, data):
    _table_case(client, vocabulary, data)
