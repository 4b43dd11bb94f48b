"""Hostile requests against a live `socsec serve` (gunicorn), grouped by what they try.

Every request must get a 4xx in the one error shape, must not reveal a server path, must not write
anything (the project, the store, the server's working and temporary folders are listed before
and after), and the server must still answer a normal query afterwards. Resource exhaustion is
stopped by the time, memory or size limit while a second client keeps getting answers in under a
second.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.store import Store
from service.web import create_app
from tests.conftest import REPO, live_server

PACKAGE = "social-insurance-coverage"
NORMAL = "/api/sql?sql=" + urllib.parse.quote("select count(*) as n from observations")


@dataclass(frozen=True)
class Case:
    group: str
    method: str
    target: str            # the raw request target, sent as it is
    body: bytes | None = None
    headers: tuple = ()
    shape: bool = True     # False only where gunicorn itself refuses before the app sees anything

    @property
    def id(self) -> str:
        return f"{self.group}:{self.method}:{self.target[:70]}"


# --- SQL: every case is sent as GET (URL-encoded) and as a POSTed form -------------------------

READ_FILES = [
    "select * from read_csv('/etc/passwd')", "select * from read_csv_auto('/etc/passwd')",
    "select * from read_csv(['/etc/passwd'])", "select * from read_parquet('/etc/passwd')",
    "select * from parquet_scan('x.parquet')", "select * from read_json('/etc/passwd')",
    "select * from read_json_auto('/etc/passwd')", "select * from read_ndjson('/etc/passwd')",
    "select * from read_text('/etc/passwd')", "select * from read_blob('/etc/passwd')",
    "select * from parquet_metadata('x.parquet')", "select * from parquet_schema('x.parquet')",
    "select * from sniff_csv('/etc/passwd')", "select * from glob('/*')", "select * from glob('**')",
    "select * from '/etc/passwd'", "select * from '../../../../etc/passwd'",
    "select * from 'var/store/**/*.csv'", "select * from '*.duckdb'", "from read_text('warehouse.duckdb')",
    "select * from \"/etc/passwd\"", "select * from READ_CSV('/etc/hostname')",
    "select * from query_table('observations')", "select * from read_text('../' || 'CURRENT')",
]
WRITE_FILES = [
    "copy (select 1) to 'hostile.csv'", "copy observations to '/tmp/socsec-hostile.parquet' (format parquet)",
    "export database 'hostile-export'", "copy (select * from observations) to 'hostile.json'",
    "select 1; copy (select 1) to 'hostile2.csv'",
]
CATALOG_AND_STATE = [
    "attach ':memory:' as m", "attach 'hostile.db' as h", "detach warehouse", "use memory",
    "install httpfs", "load httpfs", "force install json", "set threads = 8", "reset threads",
    "set enable_external_access = true", "pragma database_list", "pragma show_tables",
    "call pragma_database_list()", "create temp table t as select 1", "create table t(a int)",
    "create view v as select 1", "create temp macro m() as 1", "create sequence s",
    "create secret (type s3, key_id 'x', secret 'y')", "create schema s", "create type t as int",
    "set variable x = 1", "prepare p as select 1", "execute p", "checkpoint", "vacuum", "analyze",
    "insert into observations select * from observations", "delete from observations",
    "drop table observations", "begin transaction", "update observations set value = 0",
]
HIDDEN_STATEMENTS = [
    "select 1; select 2", "select 1;\nattach ':memory:' as m", "select 1 -- c\n; set threads=4",
    "select 1 /* ; */ ; pragma database_list", "select 1;\t\x0b\x0ccheckpoint",
    "select 1\u00a0; create temp table t as select 1", "select 'a;'; set variable x=1",
    "select $$;$$; detach warehouse", "SeLeCt 1;InStAlL httpfs", "with a as (select 1) select * from a; use memory",
]
LEAKS = [
    "select * from duckdb_settings()", "select * from duckdb_settings", "select * from main.duckdb_settings()",
    "select * from system.main.duckdb_settings()", "select * from \"duckdb_settings\"()",
    "select * from DuckDB_Databases()", "select * from duckdb_databases", "select path from duckdb_databases()",
    "select * from duckdb_extensions()", "select * from duckdb_secrets()", "select * from duckdb_variables()",
    "select * from duckdb_memory()", "select * from duckdb_temporary_files()", "select * from duckdb_logs",
    "select current_setting('temp_directory')", "select current_setting('home_directory')",
    "select getenv('HOME')", "select getvariable('x')", "select * from pragma_database_list",
    "select * from pragma_database_list()", "select * from pragma_database_size()",
    "select * from pragma_metadata_info()", "select * from pragma_storage_info('observations')",
    "select * from which_secret('s3://x/y', 's3')", "select * from pg_catalog.pg_settings",
    "select * from duckdb_settings() where name like '%dir%'", "select * from system.information_schema.schemata",
    "select (select list(path) from duckdb_databases())", "select * from \"system\".\"main\".\"duckdb_databases\"",
]
EXHAUST = [
    "select count(*) from range(10000000000000)",
    "select sum(a.range * b.range) from range(1000000) a, range(1000000) b",
    "with recursive r(n) as (select 1 union all select n + 1 from r) select max(n) from r",
    "select length(string_agg(repeat('x', 1000000), '')) from range(100000)",
    "select length(repeat('x', 600000000))",  # one string larger than the memory limit
    "select list(range) from range(1000000000)",
    "select " + "(" * 3000 + "1" + ")" * 3000,
    "select 1 where " + " and ".join(["1 = 1"] * 4000),
]
BIG_SQL = "select 1 where " + "1=1 and " * 1_300_000 + "true"  # about 10 MB


def _sql_cases(group: str, statements: list[str], version: str) -> list[Case]:
    endpoints = ["/api/sql", "/api/sql.csv", "/api/sql.ndjson", "/api/sql.parquet", f"/api/releases/{version}/sql"]
    cases = []
    for i, sql in enumerate(statements):
        endpoint = endpoints[i % len(endpoints)]
        cases.append(Case(group, "GET", endpoint + "?" + urllib.parse.urlencode({"sql": sql})))
        cases.append(Case(group, "POST", endpoint, urllib.parse.urlencode({"sql": sql}).encode(),
                          (("Content-Type", "application/x-www-form-urlencoded"),)))
    return cases


# --- HTTP: path traversal on every route with a path parameter, odd requests ------------------

TRAVERSALS = ["../../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "%252e%252e%252fetc%252fpasswd", "..%5c..%5cwarehouse.duckdb", "%00", "..", "%2e%2e"]


def _traversal_cases(version: str) -> list[Case]:
    app = create_app({"root": str(REPO / "nowhere")})
    valid = {"version": version, "name": PACKAGE, "resource": "observations", "file": "data/observations.csv",
             "filename": "app.css", "indicator": "pension-insured", "indicator_id": "pension-insured"}
    cases = []
    for rule in app.url_map.iter_rules():
        arguments = [a for a in re.findall(r"<(?:([\w]+)(?:\([^)]*\))?:)?(\w+)>", rule.rule) if a[0] != "any"]
        for _converter, target in arguments:
            for payload in TRAVERSALS:
                url = rule.rule
                for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
                    if converter == "any":
                        # the last choice: the first is often a default that redirects to a shorter URL
                        choices = re.search(rf"<any\(([^)]*)\):{name}>", rule.rule).group(1)
                        choice = choices.split(",")[-1].strip("'\" ")
                    else:
                        choice = payload if name == target else valid.get(name, "zzz")
                    url = re.sub(rf"<[^>]*\b{name}>", choice, url, count=1)
                cases.append(Case("path-traversal", "GET", url))
    return cases


def _http_cases(version: str) -> list[Case]:
    form = (("Content-Type", "application/x-www-form-urlencoded"),)
    as_json = (("Content-Type", "application/json"),)
    cases = [Case("unknown", "GET", target) for target in (
        "/api/releases/20990101T000000Z-deadbeef", "/api/releases/20990101T000000Z-deadbeef/packages",
        "/api/releases/latest/packages", "/api/releases/CURRENT/packages", "/api/releases/manifest.json",
        f"/api/releases/{version}x/sql?sql=select+1", "/api/packages/no-such-package",
        "/api/packages/no-such-package.zip", f"/api/packages/{PACKAGE}/no-such.csv",
        f"/api/packages/{PACKAGE}/observations.exe", "/api/indicators/no-such-indicator",
        "/api/no-such-endpoint", "/api/packages/.hidden", "/api/releases/.staging-x/packages")]
    cases += [Case("malformed-query", "GET", target) for target in (
        "/api/sql", "/api/sql?sql=", "/api/sql?sql=%", "/api/sql?sql=%zz", "/api/sql?sql=%ff%fe%00",
        "/api/sql?sql=select+1&_shape=bogus", "/api/sql?sql=select+1&_stream=maybe",
        "/api/sql?sql[]=select+1", "/api/sql?sql=select+$x&_p_y=1", "/api/sql?sql=select+1&_p_=1&_p_x",
        "/api/sql?sql=select+$x::int&_p_x=notanumber", "/api/sql?&&&==&sql=select+nope",
        "/api/sql?sql=" + "%20" * 2000)]
    cases += [
        Case("bodies", "POST", "/api/sql", b'{"sql": "select 1"}', as_json),
        Case("bodies", "POST", "/api/sql", b'{"sql": ', as_json),
        Case("bodies", "POST", "/api/sql", b"sql=%zz%", form),
        Case("bodies", "POST", "/api/sql", b"sql=copy+(select+1)+to+'hostile3.csv'", form),
        Case("bodies", "POST", "/api/sql", b"\xff\xfe\x00sql=1", form),
        Case("bodies", "POST", "/api/sql", b"--x\r\nnot multipart", (("Content-Type", "multipart/form-data; boundary=x"),)),
        Case("bodies", "POST", "/api/sql.csv", urllib.parse.urlencode({"sql": BIG_SQL}).encode(), form),
    ]
    for method, target in (("PUT", "/api/packages"), ("DELETE", f"/api/packages/{PACKAGE}"), ("PATCH", "/api/sql"),
                           ("POST", "/api/packages"), ("PUT", "/healthz"), ("DELETE", "/api/releases"),
                           ("POST", f"/api/packages/{PACKAGE}/observations.csv"), ("TRACE", "/api/sql")):
        cases.append(Case("wrong-method", method, target))
    # answered by gunicorn itself, before the app: socsec's worker writes them in the one shape too
    cases += [Case("oversized-headers", "GET", NORMAL, headers=(("X-Big", "x" * 20000),)),
              Case("oversized-headers", "GET", NORMAL, headers=tuple((f"X-H{i}", "y") for i in range(200))),
              Case("oversized-headers", "GET", "/api/sql?sql=" + "1" * 10000)]
    return cases


# --- the live server and the checks --------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_server(project, tmp_path_factory):
    """A live server whose working and temporary folders are its own, so they can be listed."""
    private = tmp_path_factory.mktemp("hostile")
    (private / "tmp").mkdir()
    with live_server(project, "--workers", "2", cwd=private, env={"TMPDIR": str(private / "tmp")}) as url:
        yield url, private


def _send(url: str, case: Case, timeout: float = 30) -> tuple[int, bytes]:
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.putrequest(case.method, case.target, skip_accept_encoding=True)
        for name, value in case.headers:
            connection.putheader(name, value)
        if case.body is not None:
            connection.putheader("Content-Length", str(len(case.body)))
        connection.endheaders(case.body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _listing(*folders: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for folder in folders
            for p in folder.rglob("*") if p.exists()}


def _secrets(project: Path, private: Path) -> list[str]:
    return [str(project), str(private), str(REPO), sys.prefix, str(Path.home()) + "/"]


def _check(case: Case, status: int, body: bytes, secrets: list[str]) -> None:
    assert 400 <= status < 500, (case.id, status, body[:300])
    text = body.decode("utf-8", "replace")
    for secret in secrets:
        assert secret not in text, (case.id, "server path in the answer")
    assert "root:x:0:0" not in text
    if case.shape and (case.target.startswith("/api/") or case.target.startswith("/healthz")):
        answer = json.loads(body)
        assert answer["ok"] is False and answer["status"] == status, case.id
        assert set(answer["error"]) == {"code", "message", "details"}, case.id


def _corpus(project: Path) -> list[Case]:
    version = Store(project / "var" / "store").current_version()
    cases = []
    for group, statements in (("read-files", READ_FILES), ("write-files", WRITE_FILES),
                              ("catalog-and-state", CATALOG_AND_STATE), ("hidden-statements", HIDDEN_STATEMENTS),
                              ("leak-server-facts", LEAKS)):
        cases += _sql_cases(group, statements, version)
    return cases + _http_cases(version) + _traversal_cases(version)


def _run_group(url: str, cases: list[Case], secrets: list[str]) -> dict:
    outcomes, failures = {}, []
    for case in cases:
        status, body = _send(url, case)
        try:
            _check(case, status, body, secrets)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{case.id} -> {status} {body[:160]!r} ({exc})")
        code = (json.loads(body).get("error", {}).get("code", f"http-{status}") if body.startswith(b"{")
                else f"http-{status}")
        outcomes[code] = outcomes.get(code, 0) + 1
    return {"outcomes": outcomes, "failures": failures}


GROUPS = ["read-files", "write-files", "catalog-and-state", "hidden-statements", "leak-server-facts",
          "unknown", "malformed-query", "bodies", "wrong-method", "oversized-headers", "path-traversal"]


def test_the_corpus_is_large_and_covers_every_group(project):
    cases = _corpus(project)
    assert len(cases) >= 80
    assert {c.group for c in cases} == set(GROUPS)


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_requests_are_refused_and_change_nothing(hostile_server, project, group):
    url, private = hostile_server
    cases = [c for c in _corpus(project) if c.group == group]
    before = _listing(project, private)
    result = _run_group(url, cases, _secrets(project, private))
    assert _listing(project, private) == before, "something was written"
    assert not list(Path("/tmp").glob("socsec-hostile*"))
    status, body = _send(url, Case("normal", "GET", NORMAL))
    assert status == 200 and json.loads(body)["rows"][0]["n"] > 0
    print(f"{group}: {len(cases)} requests, outcomes {result['outcomes']}")
    assert result["failures"] == [], "\n".join(result["failures"])


@pytest.mark.parametrize("sql", EXHAUST + [BIG_SQL], ids=[f"exhaust-{i}" for i in range(len(EXHAUST) + 1)])
def test_resource_exhaustion_is_stopped_while_others_are_served(hostile_server, project, sql):
    url, private = hostile_server
    before = _listing(project, private)
    case = Case("exhaust", "POST", "/api/sql", urllib.parse.urlencode({"sql": sql}).encode(),
                (("Content-Type", "application/x-www-form-urlencoded"),))
    answer = {}
    attacker = threading.Thread(target=lambda: answer.update(zip(("status", "body"), _send(url, case))))
    started = time.monotonic()
    attacker.start()
    latencies = []
    while attacker.is_alive() or not latencies:
        began = time.monotonic()
        status, body = _send(url, Case("normal", "GET", NORMAL))
        latencies.append(time.monotonic() - began)
        assert status == 200, body[:200]
        time.sleep(0.05)
    attacker.join()
    _check(case, answer["status"], answer["body"], _secrets(project, private))
    assert time.monotonic() - started < 10
    assert max(latencies) < 1.0, latencies
    assert _listing(project, private) == before
