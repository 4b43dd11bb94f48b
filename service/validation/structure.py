"""Structure checks of one package, as findings.

Two engines give the same findings (the differential tests hold them to it):
``duckdb`` (default) checks the descriptor with frictionless and every row
with SQL compiled by ``tabular``; ``frictionless`` runs frictionless-py's own
row-by-row validation, the oracle, slower by an order of magnitude.
"""

from __future__ import annotations

from collections.abc import Callable

from ..catalog import Package
from .report import Finding
from .tabular import check_resource

LIMIT_ERRORS = 1000  # per resource, as frictionless; the note of the report says when it was reached


def _descriptor(package: Package) -> dict:
    descriptor = dict(package.descriptor)
    descriptor["resources"] = [dict(r.descriptor, schema=r.schema) for r in package.resources]
    return descriptor


def check_structure(package: Package, engine: str = "duckdb",
                    done: Callable[[str, int, bool], None] = lambda name, rows, partial: None
                    ) -> tuple[list[Finding], dict[str, int]]:
    """Findings and data row counts per resource; ``done(resource, rows, partial)`` is called after
    each resource, ``partial`` when it stopped at LIMIT_ERRORS findings."""
    import frictionless

    descriptor = _descriptor(package)
    errors = frictionless.Package.validate_descriptor(descriptor).errors
    if errors:
        return [Finding(code=e.type, package=package.name, note=e.note or e.message) for e in errors], {}
    if engine == "frictionless":
        findings, rows = _frictionless(package, descriptor)
        for name, count in rows.items():
            done(name, count, sum(1 for f in findings if f.resource == name) >= LIMIT_ERRORS)
        return findings, rows
    findings: list[Finding] = []
    rows: dict[str, int] = {}
    by_name = {r["name"]: r for r in descriptor["resources"] if r.get("name")}
    for raw in descriptor["resources"]:
        check = check_resource(package.name, raw, package.folder, resources=by_name, limit_errors=LIMIT_ERRORS)
        findings += check.findings
        rows[raw.get("name")] = check.rows
        done(raw.get("name"), check.rows, check.partial)
    return findings, rows


def _frictionless(package: Package, descriptor: dict) -> tuple[list[Finding], dict[str, int]]:
    import frictionless
    from frictionless import system

    try:
        with system.use_context(trusted=False):
            report = frictionless.Package(descriptor, basepath=str(package.folder)).validate(
                limit_errors=LIMIT_ERRORS)
    except frictionless.FrictionlessException as exc:
        return [Finding(code=exc.error.type, package=package.name, note=exc.error.note)], {}
    findings = [Finding(code=e.type, package=package.name, note=e.note or e.message) for e in report.errors]
    rows: dict[str, int] = {}
    for task in report.tasks:
        rows[task.name] = (task.stats or {}).get("rows") or 0
        findings += [_finding(package.name, task.name, e) for e in task.errors]
        if rows[task.name] == 0 and not task.errors:
            findings.append(Finding(code="empty-resource", package=package.name, resource=task.name,
                                    note="the resource has a header but no data rows"))
    return findings, rows


def _finding(package: str, resource: str, error) -> Finding:
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None  # an extra label has none: its label is in the note
    return Finding(code=error.type, package=package, resource=resource, row=row,
                   field=field, note=error.message)
