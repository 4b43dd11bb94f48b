"""The query sandbox on a small DuckDB file built by the warehouse."""

from pathlib import Path

import duckdb
import pytest

from service.errors import QueryError, QueryTimeout
from service.sandbox import Sandbox


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
