"""The limits on running queries: the gate (how many at once) and the watchdog (how long, client gone)."""

from __future__ import annotations

import threading
import time

import duckdb
import pytest

from service.errors import QueryBusy
from service.limits import Gate, Watchdog

SLOW = "select count(*) from range(1000000000) a, range(1000) b"


def test_gate_refuses_over_its_size_and_frees_slots():
    gate = Gate(2)
    gate.enter()
    gate.enter()
    with pytest.raises(QueryBusy) as refused:
        gate.enter()
    assert refused.value.status == 503 and refused.value.details == {"max_concurrent_queries": 2}
    gate.leave()
    with gate.slot():
        with pytest.raises(QueryBusy):
            gate.enter()
    gate.enter()  # the slot of the with-block was given back


def test_gate_waits_a_bounded_moment_for_a_slot():
    gate = Gate(1, wait_s=0.5)
    gate.enter()
    threading.Timer(0.1, gate.leave).start()
    started = time.monotonic()
    gate.enter()  # got the slot freed 0.1 s later
    assert time.monotonic() - started < 0.45
    started = time.monotonic()
    with pytest.raises(QueryBusy):
        gate.enter()
    assert 0.45 <= time.monotonic() - started < 2


def test_unbounded_gate_never_refuses():
    gate = Gate(None)
    for _ in range(100):
        gate.enter()


def test_watchdogs_interrupt_each_query_at_its_own_limit():
    con = duckdb.connect()
    results: dict[float, tuple[str | None, float]] = {}

    def run(limit: float) -> None:
        cursor = con.cursor()
        started = time.monotonic()
        with Watchdog(cursor, limit) as dog:
            with pytest.raises(duckdb.InterruptException):
                cursor.execute(SLOW).fetchall()
        results[limit] = (dog.reason, time.monotonic() - started)

    threads = [threading.Thread(target=run, args=(limit,)) for limit in (0.2, 0.6, 1.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for limit, (reason, took) in results.items():
        assert reason == "timeout" and limit <= took < limit + 0.5


def test_watchdog_interrupts_when_the_client_is_gone_and_not_after_it_stopped():
    con = duckdb.connect()
    gone = threading.Event()
    cursor = con.cursor()
    threading.Timer(0.3, gone.set).start()
    started = time.monotonic()
    with Watchdog(cursor, 30, gone.is_set) as dog:
        with pytest.raises(duckdb.InterruptException):
            cursor.execute(SLOW).fetchall()
    assert dog.reason == "disconnected" and time.monotonic() - started < 1.5
    quick = con.cursor()
    with Watchdog(quick, 0.2) as finished:
        assert quick.execute("select 42").fetchall() == [(42,)]
    time.sleep(0.4)
    assert finished.reason is None  # a stopped watchdog never fires
    assert quick.execute("select 43").fetchall() == [(43,)]
