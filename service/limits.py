"""Limits on running queries: how many at once (``Gate``) and for how long (``Watchdog``).

A ``Gate`` refuses the query over its size at once (503 with Retry-After at the web layer) instead of
queueing it: a queue behind slow queries is what makes every fast request slow. A ``Watchdog`` is one
thread per running query that interrupts its cursor when the time limit passes or, when it is given a
way to tell, when the client has gone away.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from .errors import QueryBusy


class Gate:
    """At most ``size`` queries at once in this process (``None``: no bound)."""

    def __init__(self, size: int | None):
        if size is not None and size < 1:
            raise ValueError("a gate needs at least one slot")
        self.size = size
        self._slots = threading.BoundedSemaphore(size) if size else None

    def enter(self) -> None:
        if self._slots is not None and not self._slots.acquire(blocking=False):
            raise QueryBusy(f"{self.size} queries are running in this server process, the most it runs at once; "
                            "try again in a moment", details={"max_concurrent_queries": self.size})

    def leave(self) -> None:
        if self._slots is not None:
            self._slots.release()

    @contextlib.contextmanager
    def slot(self):
        self.enter()
        try:
            yield
        finally:
            self.leave()


class Watchdog:
    """Interrupts ``cursor`` after ``limit_s`` seconds, or as soon as ``gone()`` says the client left.

    ``reason`` tells afterwards why it fired (``"timeout"``, ``"disconnected"``) or ``None``."""

    POLL_S = 0.05

    def __init__(self, cursor, limit_s: float, gone: Callable[[], bool] | None = None):
        self.cursor, self.limit_s, self.gone = cursor, limit_s, gone
        self.reason: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="socsec-watchdog", daemon=True)

    def __enter__(self) -> Watchdog:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._done.set()

    def _watch(self) -> None:
        deadline = self.started + self.limit_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._fire("timeout")
            step = min(left, self.POLL_S) if self.gone else left
            if self._done.wait(step):
                return
            if self.gone and self.gone():
                return self._fire("disconnected")

    def _fire(self, reason: str) -> None:
        if self._done.is_set():
            return
        self.reason = reason
        try:
            self.cursor.interrupt()
        except Exception:  # noqa: BLE001 - the cursor may be closed already; nothing left to stop
            pass
