"""A capped query that would share the cores runs on the sandbox's busy instance (fewer DuckDB threads):
the same answers and errors as on the root, chosen only when another query or request of the process is
running or the machine has no idle core."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import duckdb
import pytest

from service import limits
from service.catalog import load_catalog
from service.errors import QueryError, QueryTimeout
from service.limits import REQUESTS, Gate, HeavyClass, cores_shared
from service.sandbox import Sandbox
from service.warehouse import build_warehouse
from service.web import create_app
from tests.conftest import REPO

SLOW = "select count(*) from range(1000000000000) a"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    db = tmp_path_factory.mktemp("busy") / "warehouse.duckdb"
    build_warehouse(db, load_catalog(REPO / "datapackages"))
    sandbox = Sandbox(db, threads=2, busy_threads=1, max_rows=50, time_limit_ms=3000, gate=Gate(4),
                      short_budget_ms=1000, heavy=HeavyClass(1))
    yield sandbox
    sandbox.close()


def test_the_busy_instance_has_its_own_threads_and_is_locked(box):
    cursor = box.busy.cursor()
    try:
        assert cursor.execute("select current_setting('threads')").fetchone()[0] == 1
        assert box.root.cursor().execute("select current_setting('threads')").fetchone()[0] == 2
        for sql in ("SET threads = 4", "select * from read_csv('/etc/passwd')", "SET enable_external_access = true"):
            with pytest.raises(duckdb.Error):
                cursor.execute(sql)
    finally:
        cursor.close()


def test_no_busy_instance_when_it_would_have_as_many_threads(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    for threads, busy in ((1, 1), (2, 2), (2, 0), (2, -1)):
        sandbox = Sandbox(db, threads=threads, busy_threads=busy)
        assert sandbox.busy is None, (threads, busy)
        sandbox.close()


CORPUS = [
    ("select * from indicators order by all limit 7", None),
    ("select count(*), min(id), max(id) from main.indicators", None),
    ("select table_schema, table_name from information_schema.tables order by 1, 2", None),
    ("select table_name from warehouse.information_schema.tables where table_schema = $s order by 1", {"s": "main"}),
    ("show tables", None),
    ("show all tables", None),
    ("describe indicators", None),
    ("select version()", None),
    ("select current_database(), current_schema()", None),
    ("select * from (values (1, 'a'), (2, null)) v(x, y) where x = $x", {"x": "2"}),
    ("select 1 / 0 as r, 'a' || null as s, [1, 2] as l, {'k': 1} as st", None),
    ("select no_such_column from indicators", None),
    ("select * from no_such_table", None),
    ("select * from warehouse.main.no_such_table", None),
    ("select cast('x' as integer)", None),
    ("select $missing", None),
    ("select * from indicators where id = $id", {"id": "nothing"}),
]


def _outcome(box, instance, sql, params):
    try:
        result = box._execute(box.check(sql), params, instance=instance)
        return ("answer", result.columns, result.types, result.rows, result.truncated)
    except QueryError as exc:
        return ("error", exc.code, exc.message)


@pytest.mark.parametrize("sql,params", CORPUS)
def test_the_root_and_the_busy_instance_answer_alike(box, sql, params):
    root = _outcome(box, box.root, sql, params)
    assert root == _outcome(box, box.busy, sql, params)
    assert root == _outcome(box, box.busy, sql, params)  # again, on the kept cursor


def _spied(box):
    chosen = []
    real = box._execute

    def spy(*args, **kwargs):
        chosen.append(kwargs.get("instance"))
        return real(*args, **kwargs)

    box._execute = spy
    return chosen


def test_a_query_beside_a_running_one_runs_on_the_busy_instance(box, monkeypatch):
    monkeypatch.setattr(limits, "_RUNNABLE", lambda: 1)  # a machine with idle cores
    quick = Sandbox(box.db_path, threads=2, busy_threads=1, time_limit_ms=500, gate=Gate(4))
    chosen = _spied(quick)
    outcomes = []
    try:
        quick.run("select 1")
        assert chosen == [quick.root]  # alone
        slow = threading.Thread(target=lambda: outcomes.append(pytest.raises(QueryTimeout, quick.run, SLOW)))
        slow.start()
        while quick.gate.running < 1:
            time.sleep(0.005)
        quick.run("select 2")
        assert chosen[-1] is quick.busy and len(chosen) == 3
        slow.join()
        assert len(outcomes) == 1 and quick.gate.running == 0
    finally:
        quick.close()


def test_a_query_during_another_request_of_the_process_runs_on_the_busy_instance(box, monkeypatch):
    monkeypatch.setattr(limits, "_RUNNABLE", lambda: 1)
    chosen = _spied(box)
    try:
        with pytest.MonkeyPatch.context() as m:
            m.setattr(REQUESTS, "_marks", [None])  # this request only
            box.run("select 3")
            m.setattr(REQUESTS, "_marks", [None, None])  # and another one
            box.run("select 4")
        assert chosen == [box.root, box.busy]
    finally:
        del box._execute


def _spin(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_a_machine_with_more_runnable_threads_than_cores_shares_its_cores():
    assert limits._RUNNABLE() >= 1  # the caller is runnable
    spinners = [multiprocessing.get_context("spawn").Process(target=_spin, args=(20,)) for _ in range(limits._CORES)]
    for p in spinners:
        p.start()
    try:
        time.sleep(1.0)  # the spinners have started
        seen = []
        for _ in range(20):
            seen.append(limits.cores_shared(Gate(None), None))  # the spinners and the caller
            time.sleep(0.01)
        assert sum(seen) >= 15, seen  # the scheduler may catch a spinner between two slices
    finally:
        for p in spinners:
            p.terminate()
            p.join()


def test_the_app_counts_its_requests_in_flight(tmp_path):
    app = create_app({"root": str(tmp_path)})
    app.add_url_rule("/probe/in-flight", "probe", lambda: str(len(REQUESTS)))
    before = len(REQUESTS)
    assert app.test_client().get("/probe/in-flight").text == str(before + 1)
    assert len(REQUESTS) == before
    assert app.test_client().get("/no/such/page").status_code == 404
    assert len(REQUESTS) == before  # an error answer is counted out too
