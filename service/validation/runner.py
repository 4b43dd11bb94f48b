"""Validates packages: structure first, then the expectation suites; one Report."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..catalog import Package, load_package, package_folders
from ..errors import ServiceError
from .report import Finding, PackageResult, Report, ResourceStats
from .structure import LIMIT_ERRORS, check_structure, error_note
from .suites import Suite, read_suite, referenced_packages, run_suites, suite_paths
from .tables import cross_package_prefix, load_package_tables

# structure findings after which the tables cannot be loaded for the suites; after any other
# (a bad cell, a broken key) the suites still run, so one report shows every problem
UNLOADABLE = {"package-error", "scheme-error", "encoding-error", "format-error", "source-error",
              "resource-error", "schema-error", "field-error", "general-error", "check-error"}

# progress(package, step, steps, label): step of steps done for the package (its resources, then
# its suites); label names what was just done
Progress = Callable[[str, int, int, str], None]


def quiet(package: str, step: int, steps: int, label: str) -> None:
    return None


def validate_all(packages_dir: Path, expectations_dir: Path, *, only: list[str] | None = None,
                 progress: Progress = quiet, engine: str = "duckdb", structure_only: bool = False) -> Report:
    """Validate every package folder (or the named ones) and return one report."""
    everything: dict[str, Package] = {}
    report = Report()
    for folder in package_folders(packages_dir):
        if only and folder.name not in only:
            try:  # still loaded: a suite may compare with another package
                everything[folder.name] = load_package(folder)
            except ServiceError:
                pass
            continue
        result = PackageResult(name=folder.name, path=f"{packages_dir.name}/{folder.name}")  # no server path
        report.packages.append(result)
        try:
            everything[folder.name] = load_package(folder)
        except ServiceError as exc:
            result.findings.append(Finding(code=exc.code, package=folder.name, note=exc.message))
    for result in report.packages:
        if result.name in everything:
            started = time.perf_counter()
            try:
                _validate_package(everything[result.name], expectations_dir, result, everything, progress,
                                  engine, structure_only)
            except Exception as error:  # noqa: BLE001 -- contained: the other packages are still validated
                result.findings.append(Finding(code="check-error", package=result.name,
                                               note=error_note(error, packages_dir / result.name)))
            result.seconds = time.perf_counter() - started
    return report


def _validate_package(package: Package, expectations_dir: Path, result: PackageResult,
                      everything: dict[str, Package], progress: Progress, engine: str,
                      structure_only: bool) -> None:
    steps = len(package.resources) + (0 if structure_only else 1)
    progress(package.name, 0, steps, "descriptor")

    def done(resource: str, rows: int, partial: bool, engine: str, reason: str) -> None:
        result.resources.append(ResourceStats(name=resource, rows=rows, partial=partial, engine=engine,
                                              fallback=reason))
        stopped = f" (stopped at {LIMIT_ERRORS} findings)" if partial else ""
        progress(package.name, len(result.resources), steps, f"{resource}: {rows} rows{stopped}, {engine}")

    refused = _unsupported(package)
    if refused:
        result.findings += refused
        return
    findings, _ = check_structure(package, engine, done)
    result.findings += findings
    if not structure_only:
        _check_meaning(package, expectations_dir, result, everything, progress,
                       loadable=not any(f.code in UNLOADABLE for f in findings))
    for stats in result.resources:
        stats.findings = sum(1 for f in result.findings if f.resource == stats.name)
    progress(package.name, steps, steps, f"{result.expectations_run} expectations, {len(result.findings)} findings")


def _unsupported(package: Package) -> list[Finding]:
    """What socsec refuses before any check: links (they could publish a file from outside the
    package) and multipart resources (publishing only a part would lose data)."""
    findings = [Finding(code="package-error", package=package.name,
                        note=f"{link} is a symbolic link; a package holds regular files only")
                for link in symbolic_links(package.folder)]
    for resource in package.resources:
        path = resource.descriptor.get("path")
        if isinstance(path, list) and len(path) > 1:
            findings.append(Finding(code="resource-error", package=package.name, resource=resource.name,
                                    note="a multipart path is not supported: join the parts into one file"))
    return findings


def symbolic_links(folder: Path) -> list[str]:
    links = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            if os.path.islink(os.path.join(top, name)):
                links.append(os.path.relpath(os.path.join(top, name), folder))
    return sorted(links)


def _check_meaning(package: Package, expectations_dir: Path, result: PackageResult,
                   everything: dict[str, Package], progress: Progress, loadable: bool) -> None:
    """Run the package's expectation suites, after checking each of them."""
    paths = suite_paths(expectations_dir, package.name)
    if not paths:
        result.findings.append(Finding(
            code="missing-suite", package=package.name,
            note=f"no expectation suite in expectations/{package.name}/: "
                 f"run `socsec expectations init {package.name}` and edit what it writes"))
        return
    suites: list[Suite] = []
    for path in paths.values():
        suite, problems = read_suite(path, package)
        result.findings += problems
        if suite:
            suites.append(suite)
    if len(suites) < len(paths) or not loadable:
        return  # every suite must be intact, and the tables loadable
    others = [n for n in everything if n != package.name]
    with tempfile.TemporaryDirectory(prefix="socsec-gx-") as tmp:
        db_path = Path(tmp) / "tables.sqlite"
        with sqlite3.connect(db_path) as db:
            load_package_tables(db, package)
            for other in referenced_packages(suites, others):
                load_package_tables(db, everything[other], prefix=cross_package_prefix(other))
        db.close()
        found, count = run_suites(package.name, db_path, suites)
    result.findings += found
    result.expectations_run = count
