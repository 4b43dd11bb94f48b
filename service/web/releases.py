"""Which release a request reads, and its query sandbox (one per release per process)."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

from flask import Flask, Response, current_app, g, request

from ..answers import Answer, AnswerCache
from ..integrity import require_intact
from ..limits import Gate, HeavyClass
from ..sandbox import Sandbox
from ..store import Release, Store

_SANDBOXES: OrderedDict[str, Sandbox] = OrderedDict()
_GATES: dict[tuple[int, int], Gate] = {}
_HEAVY: dict[int, HeavyClass] = {}
_CACHES: dict[int, AnswerCache] = {}
_STORES: dict = {}  # one Store per store folder and process: its pinned views share the releases it knows
_LOCK = threading.Lock()
_KEEP = 3


def settings():
    return current_app.config["SOCSEC"]


def store() -> Store:
    """The store as this request sees it: ``CURRENT`` is read once per request (at its first use), so a
    release switched meanwhile (``socsec release``, a replica's pull) is never mixed into one answer."""
    if "socsec_store" not in g:
        directory = settings().store_dir
        shared = _STORES.get(directory)
        if shared is None:
            with _LOCK:
                shared = _STORES.setdefault(directory, Store(directory))
        g.socsec_store = shared.pinned_view()
    return g.socsec_store


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


def remembered(view):
    """A GET view over one release whose answer only depends on its URL: kept in the answer cache.

    The release is still resolved (and refused if corrupt) on every request; only the work of the
    view is saved. Answers that are not 200, or that are streamed, are not kept."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cache = answer_cache()
        if cache is None or request.method != "GET":
            return view(*args, **kwargs)
        key = ("view", request.endpoint, release_for(kwargs.get("version")).version, request.full_path)
        answer = cache.get(key)
        if answer is not None:
            return Response(answer.body, mimetype=answer.mimetype,
                            headers={**answer.headers, "X-Socsec-Cache": "hit"})
        response = view(*args, **kwargs)
        if response.status_code == 200 and not response.is_streamed:
            kept = {k: v for k, v in response.headers.items() if k not in ("Content-Length", "Content-Type")}
            cache.put(key, Answer(response.get_data(), response.mimetype, kept))
        return response
    return wrapper


def _gate(size: int, wait_ms: int) -> Gate:
    """One gate per process (per size, for apps with other settings in one process, as in tests)."""
    if (size, wait_ms) not in _GATES:
        _GATES[size, wait_ms] = Gate(size, wait_ms / 1000)
    return _GATES[size, wait_ms]


def _heavy(size: int) -> HeavyClass | None:
    """One heavy class per process (per size), like the gate."""
    if size < 1:
        return None
    if size not in _HEAVY:
        _HEAVY[size] = HeavyClass(size)
    return _HEAVY[size]


def sandbox_for(release: Release) -> Sandbox:
    s = settings()
    key = (f"{release.warehouse}|{s.sql_time_limit_ms}|{s.max_returned_rows}|{s.max_sql_length}"
           f"|{s.sql_stream_time_limit_ms}|{s.max_concurrent_queries}|{s.query_wait_ms}"
           f"|{s.sql_short_budget_ms}|{s.max_heavy_queries}|{s.sql_busy_threads}")
    with _LOCK:
        if key in _SANDBOXES:
            _SANDBOXES.move_to_end(key)
            return _SANDBOXES[key]
        box = Sandbox.for_settings(release.warehouse, s, gate=_gate(s.max_concurrent_queries, s.query_wait_ms),
                                   heavy=_heavy(s.max_heavy_queries))
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
        if "socsec_store" in g and g.socsec_store.pinned_version:
            response.headers.setdefault("X-Socsec-Release", g.socsec_store.pinned_version)
        if request.path.startswith("/api/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
