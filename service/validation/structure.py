"""Structure checks of one package with frictionless, as findings."""

from __future__ import annotations

import frictionless
from frictionless import system

from ..catalog import Package
from .report import Finding

# frictionless stops after this many errors per resource and marks the report partial
LIMIT_ERRORS = 1000


def check_structure(package: Package) -> tuple[list[Finding], dict[str, int]]:
    """Validate every resource of ``package``; returns findings and row counts."""
    descriptor = dict(package.descriptor)
    descriptor["resources"] = [dict(r.descriptor, schema=r.schema) for r in package.resources]
    try:
        with system.use_context(trusted=False):
            fpackage = frictionless.Package(descriptor, basepath=str(package.folder))
            report = fpackage.validate(limit_errors=LIMIT_ERRORS)
    except frictionless.FrictionlessException as exc:
        error = exc.error
        return [Finding(code=error.type, package=package.name, note=error.note or error.message)], {}
    findings: list[Finding] = []
    rows: dict[str, int] = {}
    for error in report.errors:
        findings.append(Finding(code=error.type, package=package.name, note=error.note or error.message))
    for task in report.tasks:
        rows[task.name] = (task.stats or {}).get("rows") or 0
        for error in task.errors:
            findings.append(_finding(package.name, task.name, error))
    return findings, rows


def _finding(package: str, resource: str, error) -> Finding:
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or getattr(error, "label", None)
    if not field:
        number = getattr(error, "field_number", None)
        field = f"#{number}" if number else None
    return Finding(code=error.type, package=package, resource=resource, row=row,
                   field=field, note=error.note or error.message)
