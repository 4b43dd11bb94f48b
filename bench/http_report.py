"""The benchmark's output: every figure, every ratio, every target met or NOT met."""

from __future__ import annotations

import http_gil
from http_timing import median_ms

# query -> the most socsec's median may be, as a multiple of the floor's
FLOOR_TARGETS = {"Q2": 1.3, "Q3": 1.5, "Q4": 1.3, "Q5": 1.3}
THROUGHPUT_TARGET = 3.0   # socsec's Q1 requests per second, as a multiple of Datasette's
CEILING_SHARE = 0.85      # socsec's Q1 requests per second, as a share of the ceiling measured in the run
EXPORT_RSS_MIB = 300
FIRST_ANSWER_S = 2.0


def _ms(value) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _ratio(a, b) -> str:
    return "-" if a is None or b is None or not b else f"{a / b:.2f}x"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def _status_note(statuses: dict) -> str:
    bad = {name: sorted(s - {200}) for name, s in statuses.items() if s - {200}}
    return "; ".join(f"{name} answered {codes}" for name, codes in bad.items())


def print_report(context: dict, figures: list[dict], rates: dict, export) -> int:
    print(f"bench/http: {context['rows']:,} rows; row cap {context['row_cap']}, time limit "
          f"{context['time_limit_ms']} ms on both servers; {context['cores']} cores; "
          f"floor = DuckDB in-process, threads={context['floor_threads']}")
    print()
    header = (f"{'query':<42}{'socsec ms':>10}{'datasette':>11}{'floor ms':>10}"
              f"{'socsec/floor':>14}{'ds/socsec':>11}{'socsec 304':>12}  answers")
    print(header)
    targets = []
    for fig in figures:
        q, samples = fig["query"], fig["samples"]
        ours, floor = median_ms(samples["socsec"]), median_ms(samples["floor"])
        theirs = median_ms(samples["datasette"]) if "datasette" in samples else None
        label = f"{q.name} {q.what}"
        print(f"{label[:41]:<42}{_ms(ours):>10}{_ms(theirs):>11}{_ms(floor):>10}{_ratio(ours, floor):>14}"
              f"{_ratio(theirs, ours):>11}{_ms(fig['cached']):>12}  {fig['agree']}")
        note = _status_note(fig["statuses"])
        if note:
            print(f"{'':<4}{note}")
        if q.name in FLOOR_TARGETS:
            limit = FLOOR_TARGETS[q.name]
            targets.append((f"{q.name} median <= {limit}x floor", f"{ours / floor:.2f}x", ours / floor <= limit))
    print(f"\nmedians of {len(figures[0]['samples']['socsec'])} requests per server "
          f"(Q2: {len(figures[1]['samples']['socsec'])}), the servers and the floor in turn; "
          "'socsec 304' = a repeat on the versioned URL with If-None-Match")
    if not context["stream"]:
        print("Q4 socsec: no _stream support, so from a second `socsec serve` with the row cap raised to the table")
    print()
    ours = rates["socsec"]["rate"]
    theirs = rates["datasette"]["rate"] if "datasette" in rates else None
    print(f"Q1 throughput at concurrency {context['concurrency']}: socsec {ours:,.0f} req/s"
          + (f", datasette {theirs:,.0f} req/s, ratio {ours / theirs:.2f}x" if theirs else "")
          + (f"; socsec cached (304 on the versioned URL) {rates['socsec 304']['rate']:,.0f} req/s"
             if "socsec 304" in rates else "")
          + (f"; socsec answer cache (sql_cache_mb=64) {rates['socsec cached']['rate']:,.0f} req/s"
             + (f", {rates['socsec cached']['rate'] / theirs:.2f}x datasette" if theirs else "")
             if "socsec cached" in rates else "")
          + "".join(f"; {name} not answered as expected: {dict(r['failed'])}" for name, r in rates.items()
                    if r["failed"]))
    _print_ceiling(context, rates, theirs)
    targets.append((f"Q1 throughput >= {THROUGHPUT_TARGET:.0f}x datasette", _ratio(ours, theirs),
                    None if theirs is None else ours / theirs >= THROUGHPUT_TARGET))
    targets.append(_ceiling_target(rates))
    targets.append(_export_line(context, export))
    first = context["first_answer"]
    print("first answer after start: " + ", ".join(f"{name} {s:.2f} s" for name, s in first.items()))
    targets.append((f"socsec serve first answer < {FIRST_ANSWER_S:.0f} s", f"{first['socsec']:.2f} s",
                    first["socsec"] < FIRST_ANSWER_S))
    print("\ntarget" + " " * 38 + "figure      verdict")
    for name, figure, ok in targets:
        print(f"{name:<44}{figure:<12}{_verdict(ok)}")
    return 0


def _print_ceiling(context: dict, rates: dict, theirs: float | None) -> None:
    """What any DuckDB-behind-gunicorn-and-Flask server could reach on this machine: the floor's Q1
    (DuckDB in-process, no HTTP, in as many processes as socsec has workers) and /healthz (HTTP, no
    query) spend the same cores, so together they allow at most 1 / (1/floor + 1/healthz) a second."""
    if "floor" not in rates or "socsec /healthz" not in rates:
        return
    floor, http = rates["floor"]["rate"], rates["socsec /healthz"]["rate"]
    ceiling = 1 / (1 / floor + 1 / http)
    print(f"Q1 ceiling at concurrency {context['concurrency']}: floor (DuckDB in-process, no HTTP) {floor:,.0f} q/s, "
          f"socsec /healthz (HTTP, no query) {http:,.0f} req/s; together at most {ceiling:,.0f} req/s"
          + (f" = {ceiling / theirs:.2f}x datasette" if theirs else "")
          + f"; socsec reaches {rates['socsec']['rate'] / ceiling:.1%} of it")
    if "socsec bare" in rates:  # the floor's code inside socsec's server: what a SQL layer costing nothing reaches
        bare = rates["socsec bare"]["rate"]
        print(f"Q1 bare route (the floor's Q1 code inside socsec's gunicorn and Flask, no SQL layer; "
              f"bench/http_bare.py): {bare:,.0f} req/s = {bare / ceiling:.0%} of the ceiling; "
              f"socsec reaches {rates['socsec']['rate'] / bare:.0%} of the bare route")
    if context.get("lock"):  # why the bare route too stays below the ceiling
        print(http_gil.describe(context["lock"]))


def _ceiling_target(rates: dict) -> tuple:
    if "floor" not in rates or "socsec /healthz" not in rates:
        return (f"Q1 throughput >= {CEILING_SHARE:.0%} of ceiling", "-", None)
    ceiling = 1 / (1 / rates["floor"]["rate"] + 1 / rates["socsec /healthz"]["rate"])
    share = rates["socsec"]["rate"] / ceiling
    # one decimal: a share just under the target must not print as the target itself
    return (f"Q1 throughput >= {CEILING_SHARE:.0%} of ceiling", f"{share:.1%}", share >= CEILING_SHARE)


def _export_line(context: dict, export) -> tuple:
    label = f"export worker peak RSS < {EXPORT_RSS_MIB} MB"
    if export is None:
        print(f"streamed export of {context['rows']:,} rows (select * as CSV): n/a (no _stream support)")
        return label, "n/a", None
    rows = export.lines - 1
    whole = export.status == 200 and export.complete and rows == context["rows"]
    print(f"streamed export of {context['rows']:,} rows (select * as CSV, _stream=on): {export.seconds:.2f} s, "
          f"{export.bytes / 1e6:,.1f} MB, {rows:,} rows{'' if whole else ' INCOMPLETE'} (status {export.status}); "
          f"worker peak RSS {export.peak_hwm_mib:,.0f} MiB (VmHWM; {export.peak_rss_mib:,.0f} MiB sampled)")
    return label, f"{export.peak_hwm_mib:,.0f} MiB", whole and export.peak_hwm_mib < EXPORT_RSS_MIB
