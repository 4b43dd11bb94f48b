"""Readable terminal output of a validation report, a progress line per resource, a pull's progress bar."""

from __future__ import annotations

import contextlib
import sys
import threading

import click

from .validation.report import Report

MAX_LISTED = 200


BAR = 24


def progress_printer(stream=None):
    """A progress bar per package on standard error: one step per resource, one for the suites.

    On a terminal the bar is redrawn in place; elsewhere (CI logs) each step is one line."""
    stream = stream or click.get_text_stream("stderr")
    tty = stream.isatty()

    def progress(package: str, step: int, steps: int, label: str) -> None:
        filled = BAR * step // max(steps, 1)
        line = f"{package:<32} [{'#' * filled}{'.' * (BAR - filled)}] {step}/{steps} {label}"
        if tty:
            stream.write("\r\033[K" + line + ("\n" if step == steps else ""))
        else:
            stream.write(line + "\n")
        stream.flush()
    return progress


def engines(package) -> str:
    """``; structure by duckdb (3), frictionless (1)``: which engine judged how many resources."""
    counts: dict[str, int] = {}
    for r in package.resources:
        if r.engine:
            counts[r.engine] = counts.get(r.engine, 0) + 1
    if not counts:
        return ""
    return "; structure by " + ", ".join(f"{name} ({n})" for name, n in counts.items())


def print_report(report: Report) -> None:
    for p in report.packages:
        mark = click.style("PASS", fg="green") if p.valid else click.style("FAIL", fg="red")
        rows = sum(r.rows or 0 for r in p.resources)
        partial = [r.name for r in p.resources if r.partial]
        more = f" (checks of {', '.join(partial)} stopped at the finding limit)" if partial else ""
        click.echo(f"{mark} {p.name}: {len(p.resources)} resources, {rows} rows, "
                   f"{p.expectations_run} expectations, {len(p.findings)} findings{more}{engines(p)}")
        for r in p.resources:
            if r.fallback:
                click.echo(f"  {r.name}: checked by frictionless ({r.fallback})")
    findings = report.findings
    for f in findings[:MAX_LISTED]:
        check = f" [{f.check}]" if f.check else ""
        click.echo(f"  {f.code}{check} at {f.place}: {f.note}")
    if len(findings) > MAX_LISTED:
        click.echo(f"  ... and {len(findings) - MAX_LISTED} more (use --json or --html for all)")
    verdict = "valid" if report.valid else "INVALID"
    click.echo(f"{len(report.packages)} packages, {len(findings)} findings: {verdict}",
               file=sys.stdout)


class _PullBar:
    """`socsec pull`'s bar: bytes to fetch, advanced from the download threads."""

    def __init__(self, stream):
        self.stream, self.bar, self.lock = stream, None, threading.Lock()

    def start(self, total_bytes: int, files: int) -> None:
        if total_bytes and self.stream.isatty():
            self.bar = click.progressbar(length=total_bytes, label=f"{files} file(s)", file=self.stream,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()

    def advance(self, nbytes: int) -> None:
        if self.bar is not None:
            with self.lock:
                self.bar.update(nbytes)


@contextlib.contextmanager
def pull_progress(stream=None):
    """A progress bar on standard error when it is a terminal; nothing elsewhere (CI logs)."""
    bar = _PullBar(stream or click.get_text_stream("stderr"))
    try:
        yield bar
    finally:
        if bar.bar is not None:
            bar.bar.__exit__(None, None, None)
