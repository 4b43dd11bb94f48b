#!/usr/bin/env python3
"""Where socsec spends its time on bench/http's queries, beyond the floor: cProfile in-process.

Runs each query through ``create_app(...).test_client()`` (no socket, no gunicorn) on the release
bench/http built, next to the floor, and prints per query: the floor, the in-process request, the
sandbox's own time (``elapsed_ms``), and the functions that take the most time.

    .venv/bin/python bench/http_profile.py [--rows N] [--requests N] [--top N] [--threads N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pathlib
import pstats
import shutil
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import http_data
import http_queries


def median_ms(call, n: int) -> float:
    call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def profile(call, n: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--threads", type=int, default=None, help="SOCSEC_SQL_THREADS for the app")
    parser.add_argument("--cache", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args(argv)
    from service.web import create_app

    root = http_data.released_project(pathlib.Path(args.cache).resolve(), args.rows)
    overrides = {"root": str(root)}
    if args.threads:
        overrides["sql_threads"] = args.threads
    client = create_app(overrides).test_client()
    copy = root.parent / "floor-copy.duckdb"  # DuckDB refuses a second configuration of one file per process
    if not copy.exists():
        shutil.copyfile(http_data.warehouse(root), copy)
    floor = http_queries.Floor(copy, 1000)
    for q in http_queries.queries(args.rows):
        path = http_queries.socsec_path(q, stream=True)
        n = max(3, args.requests // 3) if q.name == "Q2" else args.requests

        def request(path=path):
            answer = client.get(path)
            assert answer.status_code == 200, answer.data[:300]
            return answer.get_data()

        floor_ms = median_ms(lambda q=q: floor.run(q), n)
        app_ms = median_ms(request, n)
        sandbox = client.get(path).get_json()["elapsed_ms"] if q.fmt == "json" else None
        print(f"\n== {q.name} {q.what}: floor {floor_ms:.1f} ms, in-process request {app_ms:.1f} ms "
              f"({app_ms / floor_ms:.2f}x)" + (f", sandbox elapsed_ms {sandbox:.1f}" if sandbox else ""))
        print(profile(request, n, args.top))
    floor.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
