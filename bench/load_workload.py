"""The mixed workload of bench/load and bench/scale: what the clients ask, how they ask it, the figures.

Clients are threads in a few processes (the GIL of one process would cap the load generator), each
with one keep-alive connection that it reopens when the server dropped it (as urllib3 does).
Every request is recorded as (kind, start, seconds, status, code, pid of the client process).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import select
import threading
import time
import urllib.parse
import urllib.request

SLOW_SQL = "select count(*) from range(1000000000000) a"  # runs into the time limit (intended)


def targets(base: str, heavy_pct: float | None = None) -> list[tuple[str, float, list[str]]]:
    """(kind, weight, URLs) over the served release: downloads, tables, series, SQL, exports, slow.

    ``heavy_pct``: the share of requests that are slow SQL, in percent (None: weight 1, about 1%)."""
    plan = _targets(base)
    if heavy_pct is None:
        return plan
    others = sum(weight for kind, weight, _ in plan if kind != "slow")
    slow = others * heavy_pct / (100 - heavy_pct)
    return [(kind, slow if kind == "slow" else weight, urls) for kind, weight, urls in plan
            if kind != "slow" or slow > 0]


def _targets(base: str) -> list[tuple[str, float, list[str]]]:
    catalog = json.load(urllib.request.urlopen(base + "/api/packages", timeout=30))
    indicators = json.load(urllib.request.urlopen(base + "/api/indicators", timeout=30))["indicators"]
    packages = [p["name"] for p in catalog["packages"]]
    files = [(p["name"], r["name"]) for p in catalog["packages"] for r in p["resources"]]
    ids = [i["id"] for i in indicators][:40]
    sql = lambda text, **params: "/api/sql?" + urllib.parse.urlencode(  # noqa: E731
        {"sql": text, **{f"_p_{k}": v for k, v in params.items()}})
    return [
        ("catalog", 10, ["/api/packages", "/api/releases", "/api/indicators"]),
        ("descriptor", 6, [f"/api/packages/{p}" for p in packages]),
        ("zip", 4, [f"/api/packages/{p}.zip" for p in packages]),
        ("csv", 8, [f"/api/packages/{p}/{r}.csv" for p, r in files]),
        ("parquet", 4, [f"/api/packages/{p}/{r}.parquet" for p, r in files]),
        ("table-page", 12, [f"/api/packages/{p}/{r}.json?_size=50" for p, r in files]),
        ("series", 14, [f"/api/indicators/{i}" for i in ids]),
        ("point-lookup", 20, [sql("select * from observations where indicator_id = $i and year = $y::INT",
                                  i=i, y=y) for i in ids for y in (2012, 2015, 2020)]),
        ("aggregate", 12, [sql("select indicator_id, count(*) as n, avg(value_normalised) as mean "
                               "from observations group by 1 order by 1"),
                           sql("select region, year, sum(value_normalised) from social_insurance_by_province."
                               "observations group by all order by all")]),
        ("stream", 3, ["/api/sql.csv?" + urllib.parse.urlencode(
            {"sql": "select * from social_insurance_by_province.observations", "_stream": "on"})]),
        ("slow", 1, [sql(SLOW_SQL)]),
    ]


class Client:
    """One keep-alive connection; reopened when the server closed it between requests."""

    def __init__(self, base: str):
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port, self.connection = parsed.hostname, parsed.port, None

    def _open(self):
        if self.connection is not None and self.connection.sock is not None:
            readable, _, _ = select.select([self.connection.sock], [], [], 0)
            if not readable:
                return self.connection
            self.connection.close()  # EOF or stray bytes: the server dropped it
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        return self.connection

    def get(self, target: str) -> tuple[int, str]:
        connection = self._open()
        try:
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            self.connection = None
            return 0, type(exc).__name__
        code = ""
        if response.status >= 400:
            try:
                code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = f"http-{response.status}"
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            self.connection = None
        return response.status, code


def _client_loop(base: str, plan, deadline: float, seed: int, out: list) -> None:
    rng = random.Random(seed)
    kinds, weights = [k for k, _, _ in plan], [w for _, w, _ in plan]
    urls = {k: u for k, _, u in plan}
    client = Client(base)
    while time.time() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.time()
        status, code = client.get(rng.choice(urls[kind]))
        out.append((kind, started, time.time() - started, status, code))


def _process(base: str, plan, deadline: float, threads: int, seed: int, queue) -> None:
    out: list = []
    workers = [threading.Thread(target=_client_loop, args=(base, plan, deadline, seed * 1000 + i, out))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(out)


def run(base: str, clients: int, seconds: float, processes: int = 4, seed: int = 7,
        heavy_pct: float | None = None) -> list[tuple]:
    """``clients`` concurrent clients for ``seconds``; every request recorded."""
    plan = targets(base, heavy_pct)
    deadline = time.time() + seconds
    queue = multiprocessing.Queue()
    per = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    procs = [multiprocessing.Process(target=_process, args=(base, plan, deadline, n, seed + i, queue))
             for i, n in enumerate(per) if n]
    for proc in procs:
        proc.start()
    records = [r for _ in procs for r in queue.get()]
    for proc in procs:
        proc.join()
    return records


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


INTENDED = {("slow", "query-timeout"), ("slow", "too-many-queries"), ("slow", "too-many-heavy-queries")}


def summary(records: list[tuple], seconds: float) -> dict:
    """Requests, answers per second, errors by kind, p50/p99 of the fast requests and per kind."""
    fast = [r for r in records if r[0] not in ("slow", "stream") and r[3] == 200]
    errors: dict[str, int] = {}
    for kind, _, _, status, code in records:
        if status != 200:
            label = f"{kind}: {code or status}" + (" (intended)" if (kind, code) in INTENDED or status == 503 else "")
            errors[label] = errors.get(label, 0) + 1
    per_kind = {}
    for kind in sorted({r[0] for r in records}):
        times = [r[2] for r in records if r[0] == kind]
        per_kind[kind] = (len(times), percentile(times, 50) * 1000, percentile(times, 99) * 1000)
    return {"requests": len(records), "per_second": len(records) / seconds, "errors": errors,
            "fast_per_second": len(fast) / seconds,
            "fast_p50_ms": percentile([r[2] for r in fast], 50) * 1000,
            "fast_p99_ms": percentile([r[2] for r in fast], 99) * 1000, "per_kind": per_kind}


def print_summary(title: str, figures: dict) -> None:
    print(f"\n{title}")
    print(f"  requests {figures['requests']:,}  ({figures['per_second']:.0f}/s)")
    print(f"  fast requests: {figures['fast_per_second']:.0f} answers/s, p50 {figures['fast_p50_ms']:.1f} ms, "
          f"p99 {figures['fast_p99_ms']:.1f} ms")
    print("  errors by kind: " + (", ".join(f"{k} x{n}" for k, n in sorted(figures["errors"].items()))
                                  or "none"))
    print(f"  {'kind':<14}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, (count, p50, p99) in figures["per_kind"].items():
        print(f"  {kind:<14}{count:>9,}{p50:>9.1f}{p99:>9.1f}")
