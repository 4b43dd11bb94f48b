"""Readable terminal output of a validation report, and a progress line per resource."""

from __future__ import annotations

import sys

import click

from .validation.report import Report

MAX_LISTED = 200


def progress_printer():
    def progress(package: str, resource: str, stage: str) -> None:
        if stage == "structure-done":
            click.echo(f"  checked {package}/{resource}", err=True)
        elif stage == "expectations":
            click.echo(f"  running expectation suites of {package}", err=True)
    return progress


def print_report(report: Report) -> None:
    for p in report.packages:
        mark = click.style("PASS", fg="green") if p.valid else click.style("FAIL", fg="red")
        rows = sum(r.rows or 0 for r in p.resources)
        click.echo(f"{mark} {p.name}: {len(p.resources)} resources, {rows} rows, "
                   f"{p.expectations_run} expectations, {len(p.findings)} findings")
    findings = report.findings
    for f in findings[:MAX_LISTED]:
        check = f" [{f.check}]" if f.check else ""
        click.echo(f"  {f.code}{check} at {f.place}: {f.note}")
    if len(findings) > MAX_LISTED:
        click.echo(f"  ... and {len(findings) - MAX_LISTED} more (use --json or --html for all)")
    verdict = "valid" if report.valid else "INVALID"
    click.echo(f"{len(report.packages)} packages, {len(findings)} findings: {verdict}",
               file=sys.stdout)
