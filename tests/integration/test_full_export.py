"""Full exports (`_stream=on`), the bound on queries at once, cancellation, ETags, and `socsec query`."""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta

import pyarrow.parquet as pq
import pytest

from tests.conftest import live_server, socsec

ROWS = "select range as i, 'r' || range as s, range / 4 as f, DATE '2020-01-01' + range::INT % 999 as d from range(5000)"


@pytest.mark.parametrize("ext", ["csv", "ndjson", "parquet"])
def test_stream_returns_every_row_past_the_row_cap(make_app, ext):
    client = make_app(max_returned_rows=10).test_client()
    capped = client.get(f"/api/sql.{ext}", query_string={"sql": ROWS})
    assert capped.headers["X-Socsec-Truncated"] == "true"
    response = client.get(f"/api/sql.{ext}", query_string={"sql": ROWS, "_stream": "on"})
    assert response.status_code == 200 and response.headers["X-Socsec-Stream"] == "on"
    assert "attachment" in response.headers["Content-Disposition"]
    if ext == "csv":
        lines = response.data.decode().splitlines()
        assert lines[0] == "i,s,f,d" and len(lines) == 5001
        rows = list(csv.reader(lines))
        assert rows[4] == ["3", "r3", "0.75", "2020-01-04"] and rows[5000][:2] == ["4999", "r4999"]
    elif ext == "ndjson":
        rows = [json.loads(line) for line in response.data.decode().splitlines()]
        assert len(rows) == 5000 and rows[4999] == {"i": 4999, "s": "r4999", "f": 1249.75,
                                                 "d": str(date(2020, 1, 1) + timedelta(4999 % 999))}
    else:
        table = pq.read_table(io.BytesIO(response.data))
        assert table.num_rows == 5000 and str(table.schema.field("d").type) == "date32[day]"
        assert table.column("i").to_pylist() == list(range(5000))


def test_small_exports_are_whole_and_early_failures_are_answered_as_errors(make_app):
    client = make_app(sql_stream_time_limit_ms=300).test_client()
    small = client.get("/api/sql.ndjson", query_string={"sql": ROWS, "_stream": "on"})
    assert small.status_code == 200 and int(small.headers["Content-Length"]) == len(small.data)
    slow = client.get("/api/sql.csv", query_string={"sql": "select count(*) from range(100000000000)",
                                                     "_stream": "on"})
    assert slow.status_code == 400 and slow.get_json()["error"]["code"] == "query-timeout"


def test_stream_of_nested_values_falls_back_to_the_row_encoder(client):
    response = client.get("/api/sql.csv", query_string={
        "sql": "select [1, 2] as l, {'a': 1} as st, 1.5::DOUBLE as x, NULL as n", "_stream": "on"})
    assert response.data.decode().splitlines() == ["l,st,x,n", '"[1, 2]","{""a"": 1}",1.5,']


@pytest.mark.parametrize("query,code", [
    ({"sql": "select 1", "_stream": "on"}, "bad-parameter"),  # JSON has no full export
    ({"sql": "select 1", "_stream": "maybe"}, "bad-parameter"),
])
def test_bad_stream_requests_are_400(client, query, code):
    response = client.get("/api/sql", query_string=query)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code


def test_stream_refuses_http_1_0(client):
    response = client.get("/api/sql.csv", query_string={"sql": "select 1", "_stream": "on"},
                          environ_overrides={"SERVER_PROTOCOL": "HTTP/1.0"})
    assert response.status_code == 400 and "HTTP/1.1" in response.get_json()["error"]["message"]


def test_stream_query_errors_are_answered_before_any_byte(client):
    response = client.get("/api/sql.csv", query_string={"sql": "select * from no_such_table", "_stream": "on"})
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_a_stream_holds_a_slot_and_the_query_over_the_bound_gets_503(make_app):
    app = make_app(max_concurrent_queries=1)
    client = app.test_client()
    big = "select range as i, repeat('x', 100) as pad from range(10000000)"  # past the first MiBs
    held = client.get("/api/sql.csv", query_string={"sql": big, "_stream": "on"}, buffered=False)
    try:
        busy = client.get("/api/sql", query_string={"sql": "select 'not cached yet' as x"})
        assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0
        assert busy.get_json()["error"]["code"] == "too-many-queries"
    finally:
        held.close()  # closing the response frees the slot, even though nothing was read
    assert client.get("/api/sql", query_string={"sql": "select 1"}).status_code == 200


def test_stream_cut_by_its_time_limit_never_looks_complete(project):
    sql = "select range as i, repeat('x', 50) as pad from range(10000000000)"
    with live_server(project, "--workers", "1", env={"SOCSEC_SQL_STREAM_TIME_LIMIT_MS": "1500"}) as url:
        for ext in ("csv", "parquet"):
            query = urllib.parse.urlencode({"sql": sql, "_stream": "on"})
            with urllib.request.urlopen(f"{url}/api/sql.{ext}?{query}", timeout=30) as response:
                assert response.status == 200 and response.headers["Transfer-Encoding"] == "chunked"
                with pytest.raises(http.client.IncompleteRead):
                    response.read()  # the chunked transfer was aborted: no terminating chunk
        # and the server is fine afterwards
        assert json.load(urllib.request.urlopen(f"{url}/api/sql?sql=select+2+as+x"))["rows"] == [{"x": 2}]


def _send(url: str, path: str) -> socket.socket:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    return sock


@pytest.mark.parametrize("sql", [
    "select count(*) from range(100000000000) a",  # computes for long before any row
    "select range as i, repeat('x', 100) as pad from range(100000000000)",  # rows pour out
])
def test_client_gone_interrupts_its_query_and_frees_the_worker(project, sql):
    env = {"SOCSEC_SQL_STREAM_TIME_LIMIT_MS": "120000", "SOCSEC_MAX_CONCURRENT_QUERIES": "1"}
    with live_server(project, "--workers", "1", env=env) as url:
        path = "/api/sql.csv?" + urllib.parse.urlencode({"sql": sql, "_stream": "on"})
        sock = _send(url, path)
        time.sleep(1.0)
        sock.close()
        started = time.monotonic()
        answer = None
        while time.monotonic() - started < 10:
            try:
                with urllib.request.urlopen(f"{url}/api/sql?sql=select+1+as+x", timeout=5) as response:
                    answer = json.load(response)
                    break
            except urllib.error.HTTPError as exc:  # 503 while the slot is still held
                assert exc.code == 503
                time.sleep(0.1)
        took = time.monotonic() - started
        assert answer is not None and answer["rows"] == [{"x": 1}]
        assert took < 5, f"the worker was busy for {took:.1f} s after its client left"


def test_versioned_sql_answers_carry_an_etag_and_answer_304(client):
    version = client.get("/api/releases").get_json()["current"]
    url, query = f"/api/releases/{version}/sql.csv", {"sql": "select $x as a", "_p_x": "1"}
    first = client.get(url, query_string=query)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"') and "immutable" in first.headers["Cache-Control"]
    again = client.get(url, query_string=query, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(url, query_string={**query, "_p_x": "2"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag  # parameters are part of the tag
    json_tag = client.get(f"/api/releases/{version}/sql", query_string=query).headers["ETag"]
    assert json_tag != tag  # so is the format
    assert "ETag" not in client.get("/api/sql.csv", query_string=query).headers  # current may change


def test_query_command_runs_the_same_sandbox(project, tmp_path):
    result = socsec(project, "query", "select count(*) as n from social_insurance_coverage.observations")
    assert result.exit_code == 0
    n = json.loads(result.output)["rows"][0]["n"]
    web = socsec(project, "query", "select year from social_insurance_coverage.observations where year = $y::INT",
                 "--format", "csv", "--param", "y=2020")
    assert web.exit_code == 0 and set(web.output.splitlines()[1:]) == {"2020"} and n > 0
    out = tmp_path / "all.parquet"
    full = socsec(project, "query", "select * from range(2500)", "--format", "parquet", "--all", "-o", str(out))
    assert full.exit_code == 0 and pq.read_table(out).num_rows == 2500
    capped = socsec(project, "query", "select * from range(2500)", "--format", "ndjson")
    assert len(capped.output.splitlines()) == 1000


@pytest.mark.parametrize("args,code", [
    (["select * from read_csv('/etc/passwd')"], 1), (["select 1", "--release", "20990101T000000Z-deadbeef"], 1),
    (["select 1", "--param", "novalue"], 2), (["select 1", "--format", "xml"], 2),
])
def test_query_command_errors(project, args, code):
    result = socsec(project, "query", *args)
    assert result.exit_code == code and str(project) not in result.output


def test_slots_free_up_after_many_concurrent_queries(make_app):
    app = make_app(max_concurrent_queries=2)
    statuses: list[int] = []

    def ask():
        statuses.append(app.test_client().get("/api/sql", query_string={
            "sql": "select count(*) from range(3000000)"}).status_code)
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {200, 503} and 200 in statuses
    assert app.test_client().get("/api/sql", query_string={"sql": "select 1"}).status_code == 200


def test_capped_answers_are_cached_per_release_query_and_format(make_app):
    client = make_app(sql_cache_mb=1).test_client()
    query = {"sql": "select $n::INT * 2 as twice", "_p_n": "21"}
    first, again = client.get("/api/sql", query_string=query), client.get("/api/sql", query_string=query)
    assert first.headers["X-Socsec-Cache"] == "miss" and again.headers["X-Socsec-Cache"] == "hit"
    assert first.data == again.data and again.get_json()["rows"] == [{"twice": 42}]
    other = client.get("/api/sql", query_string={**query, "_p_n": "5"})
    assert other.headers["X-Socsec-Cache"] == "miss" and other.get_json()["rows"] == [{"twice": 10}]
    as_csv = client.get("/api/sql.csv", query_string=query)
    assert as_csv.headers["X-Socsec-Cache"] == "miss" and as_csv.data == b"twice\n42\n"
    assert client.get("/api/sql.csv", query_string=query).headers["X-Socsec-Truncated"] == "false"
    off = make_app(sql_cache_mb=0).test_client()
    assert off.get("/api/sql", query_string=query).headers["X-Socsec-Cache"] == "miss"
    assert off.get("/api/sql", query_string=query).headers["X-Socsec-Cache"] == "miss"


def test_answer_cache_keeps_to_its_size():
    from service.answers import Answer, AnswerCache

    cache = AnswerCache(1000)
    for i in range(30):
        cache.put(("k", i), Answer(b"x" * 100, "text/plain", {}))
    kept = [i for i in range(30) if cache.get(("k", i))]
    assert kept == list(range(20, 30))  # the least recently used went first, 1000 bytes at most
    cache.put(("big",), Answer(b"x" * 200, "text/plain", {}))
    assert cache.get(("big",)) is None  # over an eighth of the cache: not kept


def test_if_none_match_star_is_304_only_for_a_query_with_an_answer(client):
    version = client.get("/api/releases").get_json()["current"]
    star = {"If-None-Match": "*"}
    good = client.get(f"/api/releases/{version}/sql", query_string={"sql": "select 7 as seven"}, headers=star)
    assert good.status_code == 304
    bad = client.get(f"/api/releases/{version}/sql", query_string={"sql": "selec broken"}, headers=star)
    assert bad.status_code == 400 and bad.get_json()["ok"] is False
    export = client.get(f"/api/releases/{version}/sql.csv", query_string={"sql": ROWS, "_stream": "on"},
                        headers=star)
    assert export.status_code == 304
