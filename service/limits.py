"""Limits on running queries: how many at once (``Gate``), for how long (``Watchdog``), and how many heavy
ones (``HeavyClass``).

A ``Gate`` lets a query wait a moment for a free slot (``wait_s``), then refuses it (503 with
Retry-After at the web layer): a bounded wait, never a queue that grows behind slow queries. A
``Watchdog`` interrupts a running query's cursor when its time limit passes or, when it is given a way
to tell, when its client has gone away. One thread per process watches every running query (a heap of
deadlines), so a query costs a heap push rather than a thread of its own.

Parallel only when a core is idle (``cores_shared``): a query that starts while the process serves other
requests or queries, or while the machine has more runnable threads than cores, is not split across
DuckDB threads (the sandbox runs it on an instance with fewer); ``Requests`` counts the requests in flight.

Short queries first: every query starts in the short class; one that outlives the short budget is
interrupted and run again in the ``HeavyClass`` (when the class is full at that moment, the query is given
three budgets more in the short class first: a short query slowed by a busy machine still ends there): at most ``size`` at once per process, each on a thread
of the class's own at a lower CPU priority (``nice`` 10), against a DuckDB instance with one thread
(``sandbox``), so that heavy queries take the CPU short ones leave. A query over the bound is answered
503 ``too-many-heavy-queries`` at once, never queued.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from .errors import HeavyBusy, QueryBusy


class Gate:
    """At most ``size`` queries at once in this process (``None``: no bound); ``running`` counts the
    queries inside it."""

    def __init__(self, size: int | None, wait_s: float = 0.0):
        if size is not None and size < 1:
            raise ValueError("a gate needs at least one slot")
        self.size, self.wait_s = size, wait_s
        self._slots = threading.BoundedSemaphore(size) if size else None
        self._count = threading.Lock()
        self.running = 0

    def enter(self) -> None:
        if self._slots is not None:
            got = self._slots.acquire(timeout=self.wait_s) if self.wait_s > 0 else self._slots.acquire(False)
            if not got:
                raise QueryBusy(f"{self.size} queries are running in this server process, the most it runs at "
                                "once; try again in a moment", details={"max_concurrent_queries": self.size})
        with self._count:
            self.running += 1

    def leave(self) -> None:
        with self._count:
            self.running -= 1
        if self._slots is not None:
            self._slots.release()

    @contextlib.contextmanager
    def slot(self):
        self.enter()
        try:
            yield
        finally:
            self.leave()


class Requests:
    """The requests this process is working on: the web layer's WSGI entry counts them (``wrap``).
    A list's append and pop are atomic under the interpreter lock, so counting takes no lock of its own.
    A streamed answer counts until its view returns (a running export holds a slot of the ``Gate``)."""

    def __init__(self):
        self._marks: list = []

    def __len__(self) -> int:
        return len(self._marks)

    def wrap(self, wsgi_app: Callable) -> Callable:
        marks = self._marks

        def counted(environ, start_response):
            marks.append(None)
            try:
                return wsgi_app(environ, start_response)
            finally:
                marks.pop()
        return counted


REQUESTS = Requests()  # this process's


class _Runnable:
    """The machine's count of runnable threads now, the caller included (Linux: ``/proc/loadavg``'s
    fourth field, read with one ``pread`` on a descriptor kept open per process); None where it cannot
    be read."""

    def __init__(self):
        self._fd: tuple[int, int] | None = None  # (pid, descriptor)
        self._lock = threading.Lock()

    def __call__(self) -> int | None:
        try:
            opened = self._fd
            if opened is None or opened[0] != os.getpid():  # a forked worker opens its own
                with self._lock:
                    if self._fd is None or self._fd[0] != os.getpid():
                        self._fd = (os.getpid(), os.open("/proc/loadavg", os.O_RDONLY | os.O_CLOEXEC))
                    opened = self._fd
            return int(os.pread(opened[1], 128, 0).split()[3].split(b"/")[0])
        except (OSError, ValueError, IndexError):
            return None


_RUNNABLE = _Runnable()
_CORES = os.cpu_count() or 1  # /proc/loadavg counts the whole machine's threads


def cores_shared(gate: Gate, heavy: HeavyClass | None) -> bool:
    """Whether a query starting now shares the cores: another query of this process is running (heavy
    ones included), or another request, or the machine has more runnable threads than cores (the
    caller included; unknown counts as idle).

    Why more than the cores, not as many: a request brings runnable threads of its own for a moment
    (the gunicorn thread that handed it over, its client before it waits for the answer). Measured at
    the start of each query on 2 cores: one client asking Q2 and Q3 in turn saw 1 or 2, never more;
    8 clients asking Q1 at once saw 3 to 14 where the process was otherwise idle, never fewer."""
    if gate.running > 1 or len(REQUESTS) > 1 or (heavy is not None and heavy.running):
        return True
    runnable = _RUNNABLE()
    return runnable is not None and runnable > _CORES


class HeavyClass:
    """At most ``size`` heavy queries at once in this process, each run on a thread of the class's own
    pool whose CPU priority is lowered (Linux sets it per thread)."""

    NICE = 10

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("the heavy class needs at least one slot")
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._pool: tuple[int, ThreadPoolExecutor] | None = None
        self._lock = threading.Lock()
        self.running = 0

    def full(self) -> bool:
        return self.running >= self.size

    def run(self, job: Callable):
        """``job()`` on a heavy thread, its result or its error; 503 when the class is full."""
        if not self._slots.acquire(False):
            raise HeavyBusy(f"this query ran past the short budget and {self.size} heavy "
                            f"{'query is' if self.size == 1 else 'queries are'} running in this server "
                            "process, the most it runs at once; try again in a moment",
                            details={"max_heavy_queries": self.size})
        with self._lock:
            self.running += 1
        try:
            return self._executor().submit(job).result()
        finally:
            with self._lock:
                self.running -= 1
            self._slots.release()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:  # a forked worker makes its own threads
            if self._pool is None or self._pool[0] != os.getpid():
                self._pool = (os.getpid(), ThreadPoolExecutor(self.size, thread_name_prefix="socsec-heavy",
                                                              initializer=_lower_priority, initargs=(self.NICE,)))
            return self._pool[1]


def _lower_priority(nice: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # Linux: the thread's own priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class Watchdog:
    """Interrupts ``cursor`` after ``limit_s`` seconds, or as soon as ``gone()`` says the client left.

    ``reason`` tells afterwards why it fired (``"timeout"``, ``"disconnected"``) or ``None``."""

    def __init__(self, cursor, limit_s: float, gone: Callable[[], bool] | None = None,
                 extend: Callable[[], float | None] | None = None):
        self.cursor, self.limit_s, self.gone = cursor, limit_s, gone
        self.extend = extend  # asked once at the deadline: seconds more, or None to fire
        self.reason: str | None = None
        self.done = False
        self._lock = threading.Lock()  # once stop() returns, no interrupt reaches the cursor

    def start(self) -> Watchdog:
        self.deadline = time.monotonic() + self.limit_s
        _WATCHER.add(self)
        return self

    __enter__ = start

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """After this, the cursor is the caller's again (it may serve another query): never interrupted."""
        with self._lock:
            self.done = True  # the watcher drops it at its next look

    def fire(self, reason: str) -> None:
        if reason == "timeout" and self.extend is not None:
            more, self.extend = self.extend(), None
            if more:
                self.deadline = time.monotonic() + more
                _WATCHER.add(self)
                return
        with self._lock:
            if self.done:
                return
            self.reason = reason
            with contextlib.suppress(Exception):  # the cursor may be closed already: nothing left to stop
                self.cursor.interrupt()


class _Watcher:
    """The one thread that wakes at the next deadline, or every ``POLL_S`` while a query has a client
    to look at, and interrupts what is over its time or whose client has left."""

    POLL_S = 0.05

    def __init__(self):
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._polled: set[Watchdog] = set()
        self._count = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = None

    def add(self, dog: Watchdog) -> None:
        """Wakes the thread only when it must look sooner than it would: a fast query costs a heap push."""
        with self._wake:
            self._start()
            sooner = not self._heap or dog.deadline < self._heap[0][0]
            heapq.heappush(self._heap, (dog.deadline, next(self._count), dog))
            if dog.gone:
                sooner = sooner or not self._polled
                self._polled.add(dog)
            if sooner:
                self._wake.notify()

    def _start(self) -> None:
        import os

        if self._thread is None or self._pid != os.getpid():  # a forked worker needs its own thread
            self._heap, self._polled, self._pid = [], set(), os.getpid()
            self._thread = threading.Thread(target=self._run, name="socsec-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                self._polled = {d for d in self._polled if not d.done}
                now = time.monotonic()
                due = []
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap)[2])
                polled = list(self._polled)
                wait = self._heap[0][0] - now if self._heap else None
                if polled:
                    wait = self.POLL_S if wait is None else min(wait, self.POLL_S)
                if not due and not polled:
                    self._wake.wait(wait)
                    continue
            for dog in due:
                dog.fire("timeout")
            for dog in polled:
                if not dog.done and dog.gone():
                    dog.fire("disconnected")
            with self._wake:
                self._wake.wait(wait if not due else 0)


_WATCHER = _Watcher()
