"""The query sandbox on a small DuckDB file built by the warehouse."""

import time
from pathlib import Path

import duckdb
import pytest

from service.errors import QueryError, QueryTimeout
from service.sandbox import Sandbox, _Instance


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select range as i, 'row ' || range as s from range(100)")
    con.close()
    return path


def test_rows_columns_and_cap(db):
    box = Sandbox(db, max_rows=10)
    result = box.run("select i, s from t order by i")
    assert result.columns == ["i", "s"] and len(result.rows) == 10 and result.truncated
    assert result.rows[3] == (3, "row 3")
    assert not box.run("select * from t where i < 10").truncated


def test_timeout_interrupts(db):
    box = Sandbox(db, time_limit_ms=100)
    with pytest.raises(QueryTimeout):
        box.run("select count(*) from range(10000000000)")
    assert box.run("select 1 as one").rows == [(1,)]  # the root connection still works


def test_database_stays_read_only_and_unchanged(db):
    box = Sandbox(db)
    for sql in ("create temp table x as select 1", "update t set i = 0", "checkpoint", "set variable v = 1"):
        with pytest.raises(QueryError) as info:
            box.run(sql)
        assert info.value.code == "read-only"
    assert box.run("select count(*), sum(i) from t").rows == [(100, 4950)]


def test_errors_never_show_the_server_path(db):
    box = Sandbox(db)
    with pytest.raises(QueryError) as info:
        box.run(f"select * from '{db.parent}/nothing.csv'")
    assert str(db.parent) not in info.value.message


def test_too_long_sql_is_refused(db):
    box = Sandbox(db, max_sql_length=20)
    with pytest.raises(QueryError) as info:
        box.run("select 1 as a, 2 as b, 3 as c")
    assert "limit is 20" in info.value.message


def test_a_cursor_serves_the_next_query_only_after_a_clean_end(db):
    box = Sandbox(db, max_rows=10, time_limit_ms=100)
    box.run("select i from t where i < 5")
    assert len(box.root._idle) == 1  # read to its end: kept
    kept = box.root._idle[0]
    box.run("select i from t where i < 7")
    assert box.root._idle == [kept]  # and used again
    box.run("select i from t")  # truncated: its result was not read to the end
    assert box.root._idle == []
    with pytest.raises(QueryError):
        box.run("select no_such_column from t")
    with pytest.raises(QueryTimeout):
        box.run("select count(*) from range(10000000000)")
    assert box.root._idle == []  # an error or an interrupt: closed, not kept
    box.close()
    assert box.root._idle == []


def test_no_interrupt_reaches_the_next_query_on_a_kept_cursor(db):
    """Queries that end about when their time limit passes, each followed by a quick one on the kept
    cursor: the watchdog's interrupt never lands on the quick query."""
    box = Sandbox(db, time_limit_ms=30, max_rows=5)
    # sizes calibrated on this machine, from about 0.5x to 1.7x the time limit (a fixed size ends always
    # in time on a fast machine and never on a slow one)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        box.run("select count(*) from range(2000000) where range % 7 = 1")
        timings.append(time.perf_counter() - started)
    rows_at_limit = int(2_000_000 * 0.030 / sorted(timings)[1])
    timed_out = 0
    for n in range(150):
        size = int(rows_at_limit * (0.5 + 1.2 * (n % 60) / 60))
        try:
            box.run(f"select count(*) from range({size}) where range % 7 = {n % 7}")
        except QueryTimeout:
            timed_out += 1
        for _ in range(3):
            assert box.run("select i from t where i < 3").rows == [(0,), (1,), (2,)]
    assert 0 < timed_out < 150  # around the limit: some ended in time, some did not
    box.close()


def test_threads_never_share_a_cursor(db):
    import threading

    box = Sandbox(db, max_rows=200)
    wrong = []

    def ask(k):
        for _ in range(60):
            rows = box.run(f"select i, s from t where i % 8 = {k} order by i").rows
            if rows != [(i, f"row {i}") for i in range(k, 100, 8)]:
                wrong.append((k, rows[:3]))

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert 1 <= len(box.root._idle) <= _Instance.IDLE_CURSORS
    box.close()
