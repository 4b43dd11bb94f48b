"""Which release a request reads, and its query sandbox (one per release per process)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Flask, current_app, request

from ..answers import AnswerCache
from ..integrity import require_intact
from ..limits import Gate
from ..sandbox import Sandbox
from ..store import Release, Store

_SANDBOXES: OrderedDict[str, Sandbox] = OrderedDict()
_GATES: dict[tuple[int, int], Gate] = {}
_CACHES: dict[int, AnswerCache] = {}
_LOCK = threading.Lock()
_KEEP = 3


def settings():
    return current_app.config["SOCSEC"]


def store() -> Store:
    return Store(settings().store_dir)


def release_for(version: str | None) -> Release:
    """The release of a versioned URL, or the current one; refused (503) if it fails its manifest."""
    release = store().release(version) if version else store().current()
    require_intact(release)  # hashed once per process and release, then cached
    return release


def answer_cache() -> AnswerCache | None:
    """The process's cache of capped SQL answers (None when `sql_cache_mb` is 0)."""
    size = settings().sql_cache_mb
    if size <= 0:
        return None
    with _LOCK:
        if size not in _CACHES:
            _CACHES[size] = AnswerCache(size * 1024 * 1024)
        return _CACHES[size]


def _gate(size: int, wait_ms: int) -> Gate:
    """One gate per process (per size, for apps with other settings in one process, as in tests)."""
    if (size, wait_ms) not in _GATES:
        _GATES[size, wait_ms] = Gate(size, wait_ms / 1000)
    return _GATES[size, wait_ms]


def sandbox_for(release: Release) -> Sandbox:
    s = settings()
    key = (f"{release.warehouse}|{s.sql_time_limit_ms}|{s.max_returned_rows}|{s.max_sql_length}"
           f"|{s.sql_stream_time_limit_ms}|{s.max_concurrent_queries}|{s.query_wait_ms}")
    with _LOCK:
        if key in _SANDBOXES:
            _SANDBOXES.move_to_end(key)
            return _SANDBOXES[key]
        box = Sandbox(release.warehouse, memory_limit=s.sql_memory_limit, threads=s.sql_threads,
                      time_limit_ms=s.sql_time_limit_ms, max_rows=s.max_returned_rows,
                      max_sql_length=s.max_sql_length, stream_time_limit_ms=s.sql_stream_time_limit_ms,
                      gate=_gate(s.max_concurrent_queries, s.query_wait_ms))
        _SANDBOXES[key] = box
        while len(_SANDBOXES) > _KEEP:
            _SANDBOXES.popitem(last=False)[1].close()
        return box


def cache_headers(response, version: str | None):
    """Versioned URLs never change; current ones may change at the next release."""
    if response.status_code == 200:
        response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if version
                                             else "public, max-age=60")
    return response


def register(app: Flask) -> None:
    @app.after_request
    def headers(response):
        if request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
