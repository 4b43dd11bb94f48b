"""Short queries first: a query past the short budget moves to the heavy class, which is bounded."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import duckdb
import pytest

from service.errors import HeavyBusy, QueryTimeout
from service.limits import HeavyClass
from service.sandbox import Sandbox

SLOW = "select count(*) from range(1000000000000) a"  # runs into any time limit
# a fraction of a second: past a 50 ms budget, well within 5 s on one thread
HEAVY = "select count(distinct (a.range * 7919 + b.range) % 1000003) from range(2000) a, range(1000) b"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("heavy") / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema pkg")
    con.execute("create table pkg.t as select range as i, 'row ' || range as s from range(1000)")
    con.execute("create table t as select range as i from range(10)")
    con.close()
    return path


def box_for(db: Path, **options) -> Sandbox:
    return Sandbox(db, threads=2, time_limit_ms=options.pop("time_limit_ms", 5000), short_budget_ms=50,
                   heavy=HeavyClass(1), **options)


def test_a_query_past_the_budget_is_answered_from_the_heavy_class(db):
    box = box_for(db)
    try:
        seen = {}
        real = box._execute

        def spy(*args, **kwargs):
            seen.setdefault("heavy", []).append(kwargs.get("instance") is box.heavy_instance)
            return real(*args, **kwargs)

        box._execute = spy
        assert box.run(HEAVY).rows == duckdb.sql(HEAVY).fetchall()
        assert seen["heavy"] == [False, True]  # started short, ran again heavy
        # the heavy instance names the file's tables as the root does, schemas included
        assert box._execute("select count(*) from pkg.t", None, instance=box.heavy_instance).rows == [(1000,)]
        assert box.run("select i from t order by i limit 3").rows == [(0,), (1,), (2,)]
    finally:
        box.close()


def test_the_heavy_instance_has_one_thread_and_is_locked(db):
    box = box_for(db)
    try:
        cursor = box.heavy_instance.cursor()
        assert cursor.execute("select current_setting('threads')").fetchone()[0] == 1
        with pytest.raises(duckdb.Error):
            cursor.execute("SET threads = 4")
        with pytest.raises(duckdb.Error):
            cursor.execute("select * from read_csv('/etc/passwd')")
        cursor.close()
    finally:
        box.close()


def test_one_heavy_query_at_a_time_the_next_is_refused_at_once(db):
    box = box_for(db, time_limit_ms=1500)
    outcomes, started = [], time.monotonic()

    def slow():
        try:
            box.run(SLOW)
            outcomes.append("answered")
        except (HeavyBusy, QueryTimeout) as exc:
            outcomes.append((type(exc).__name__, time.monotonic() - started, getattr(exc, "code", "")))

    try:
        first = threading.Thread(target=slow)
        first.start()
        time.sleep(0.6)  # the first is in the heavy class by now
        others = [threading.Thread(target=slow) for _ in range(2)]
        for thread in others:
            thread.start()
        fast_started = time.monotonic()
        assert box.run("select count(*) from pkg.t").rows == [(1000,)]  # short queries still answered
        assert time.monotonic() - fast_started < 0.5
        for thread in others + [first]:
            thread.join()
    finally:
        box.close()
    busy = [o for o in outcomes if o[0] == "HeavyBusy"]
    assert len(busy) == 2 and all(o[2] == "too-many-heavy-queries" and o[1] < 1.2 for o in busy), outcomes
    assert [o[0] for o in outcomes if o[0] != "HeavyBusy"] == ["QueryTimeout"]


def test_heavy_threads_run_at_a_lower_priority():
    heavy = HeavyClass(1)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert heavy.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())) == base + HeavyClass.NICE
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # the caller's is unchanged


def test_without_a_heavy_class_every_query_stays_short(db):
    box = Sandbox(db, threads=2, time_limit_ms=300, short_budget_ms=50)
    try:
        assert box.short_budget_ms == 0
        with pytest.raises(QueryTimeout):
            box.run(SLOW)
    finally:
        box.close()


def test_the_web_answer_over_the_heavy_bound_is_503_with_retry_after(make_app):
    app = make_app(sql_short_budget_ms=50, max_heavy_queries=1, sql_time_limit_ms=1500)
    client = app.test_client()
    answers = []
    thread = threading.Thread(target=lambda: answers.append(client.get("/api/sql", query_string={"sql": SLOW})))
    thread.start()
    time.sleep(0.6)
    busy = app.test_client().get("/api/sql", query_string={"sql": SLOW + " where a.range > 1"})
    thread.join()
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) > 0, busy.get_data()
    assert busy.get_json()["error"]["code"] == "too-many-heavy-queries"
    assert busy.get_json()["error"]["details"] == {"max_heavy_queries": 1}
    assert answers[0].status_code == 400 and answers[0].get_json()["error"]["code"] == "query-timeout"


@pytest.mark.parametrize("more", [None, 0.4])
def test_a_watchdog_asks_once_for_more_time(more):
    from service.limits import Watchdog

    con = duckdb.connect()
    asked = []
    started = time.monotonic()
    with pytest.raises(duckdb.InterruptException):
        with Watchdog(con, 0.1, extend=lambda: asked.append(1) or more):
            con.execute(SLOW).fetchall()
    took = time.monotonic() - started
    con.close()
    assert asked == [1]  # once, at the first deadline
    assert (0.45 <= took < 3) if more else (took < 0.45), took


def test_a_query_that_was_heavy_starts_in_the_heavy_class_next_time(db):
    box = box_for(db, time_limit_ms=800)
    calls = []
    real = box._execute

    def spy(*args, **kwargs):
        calls.append(kwargs.get("instance") is box.heavy_instance)
        return real(*args, **kwargs)

    box._execute = spy
    try:
        for _ in range(2):
            with pytest.raises(QueryTimeout):
                box.run(SLOW)
        assert calls == [False, True, True]  # short then heavy; the second time heavy at once
        quick = "select count(*) from pkg.t"
        box._heavy_seen[(quick, ())] = True  # wrongly taken for heavy: it ends within the budget there
        assert box.run(quick).rows == [(1000,)] and calls[-1] is True
        assert (quick, ()) not in box._heavy_seen  # so it is forgotten, and starts short next time
        assert box.run(quick).rows == [(1000,)] and calls[-1] is False
    finally:
        box.close()


def test_a_csv_encoded_while_read_starts_again_with_the_query_in_the_heavy_class(db):
    """An encoder slow enough to take the query past the short budget between two batches: the
    first attempt's encoder is cancelled, and the answer is the heavy attempt's, whole and in order."""
    from service.export import CappedCsv
    from service.formats import to_csv

    sql = "select range as i, range * 2 as j from range(100000) order by i"
    made = []

    class Slow(CappedCsv):
        def __init__(self, schema):
            super().__init__(schema)
            self.cancelled = False
            made.append(self)

        def add(self, batch):
            time.sleep(0.08)  # past the 50 ms budget after the first batch
            super().add(batch)

        def cancel(self):
            self.cancelled = True
            super().cancel()

    box = box_for(db, max_rows=15000)
    try:
        result = box.run(sql, batches=True, sink=Slow)
    finally:
        box.close()
    assert [encoder.cancelled for encoder in made] == [True, False]
    rows = duckdb.sql(sql).fetchall()[:15000]
    assert result.truncated and result.encoded == to_csv(["i", "j"], rows).encode("utf-8")
