"""Timing over loopback HTTP: one request, medians, throughput at a fixed concurrency, a streamed export."""

from __future__ import annotations

import collections
import http.client
import statistics
import threading
import time
from dataclasses import dataclass

from http_servers import Server, memory_kib


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    ms: float


class Client:
    """One keep-alive connection (http.client reconnects by itself when a server closes it)."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers=headers or {})
            response = self.conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, ConnectionError):
            self.conn.close()  # a stale keep-alive socket: once more on a fresh one
            self.conn.request("GET", path, headers=headers or {})
            response = self.conn.getresponse()
            body = response.read()
        ms = (time.perf_counter() - started) * 1000
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body, ms)

    def close(self) -> None:
        self.conn.close()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def alternate(calls: dict[str, callable], n: int, warmup: int = 1) -> dict[str, list[float]]:
    """Call each in turn ``n`` times (after ``warmup`` calls each); milliseconds per call, by name."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    out = {name: [] for name in calls}
    for _ in range(n):
        for name, call in calls.items():
            out[name].append(call())
    return out


def throughput(port: int, path: str, *, concurrency: int, seconds: float, max_requests: int,
               headers: dict | None = None, expect: int = 200) -> tuple[int, int, float]:
    """``concurrency`` threads ask ``path`` until ``seconds`` pass or ``max_requests`` are sent;
    returns (answers ``expect``, a count of other answers and failures by status or error, elapsed seconds)."""
    done, failed = [0], collections.Counter()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        client = Client(port, timeout=10)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if done[0] + sum(failed.values()) >= max_requests:
                        return
                try:
                    outcome = client.get(path, headers).status
                except OSError as exc:
                    outcome = type(exc).__name__
                with lock:
                    if outcome == expect:
                        done[0] += 1
                    else:
                        failed[outcome] += 1
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0], failed, time.perf_counter() - started


@dataclass
class Export:
    seconds: float
    bytes: int
    lines: int
    status: int
    complete: bool        # False when the chunked transfer was cut (the server aborted it)
    peak_rss_mib: float   # the highest VmRSS sampled in any worker during the export
    peak_hwm_mib: float   # the highest VmHWM (kernel's peak) of any worker after it


def streamed_export(server: Server, path: str) -> Export:
    """Download ``path`` in 1 MiB reads while sampling the workers' memory every 20 ms."""
    peak, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            for pid in server.workers():
                peak[0] = max(peak[0], memory_kib(pid).get("VmRSS", 0))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    started = time.perf_counter()
    size = lines = 0
    complete = True
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        while chunk := response.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    except http.client.IncompleteRead:
        complete = False
    finally:
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        conn.close()
    hwm = max(memory_kib(pid).get("VmHWM", 0) for pid in server.workers())
    return Export(seconds, size, lines, response.status, complete, peak[0] / 1024, hwm / 1024)
