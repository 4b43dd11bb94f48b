"""bench/http's bare route, not part of socsec: the floor's own Q1 code (``http_queries.Floor``: DuckDB
in-process on a copy of the release's file, JSON rows as objects with orjson) answered from inside
socsec's server stack (gunicorn with `socsec serve`'s command line, socsec's Flask app and its hooks)
with no SQL layer at all: no parameters read, no statement checks, no limits, no watchdog.

What it answers a second is what any SQL layer could reach on this stack and machine: the part of the
gap to the ceiling that is not socsec's SQL layer but DuckDB and gunicorn sharing one process.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import http_queries  # noqa: E402
from flask import Blueprint, Response  # noqa: E402

from service.web import create_app  # noqa: E402

PATH = "/bench/bare-q1"


def make(floor_db: str, rows: int, rows_cap: int):
    """The socsec app (its settings from the environment, as `socsec serve` gives them) and the bare route."""
    floor = http_queries.Floor(pathlib.Path(floor_db), rows_cap)  # opened in each worker (no preload)
    q1 = http_queries.queries(rows)[0]
    bare = Blueprint("bench_bare", __name__)

    @bare.route(PATH)
    def bare_q1():
        return Response(floor.run(q1), mimetype="application/json")

    app = create_app()
    app.register_blueprint(bare)
    return app
