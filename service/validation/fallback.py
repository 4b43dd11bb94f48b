"""One resource checked by frictionless-py itself, its errors as findings.

Used for the resources whose descriptor asks for something the DuckDB fast
path does not implement (``fastpath.gaps``), for those holding cells only
Python can judge, and for ``--engine frictionless``. The resource is validated
inside its package, so foreign keys to other resources resolve as they would
in ``frictionless validate``.
"""

from __future__ import annotations

import copy
import pathlib

from .report import Finding


def frictionless_check(package: str, resource: dict, base: pathlib.Path, resources: dict[str, dict],
                       limit_errors: int, descriptor: dict | None = None) -> tuple[list[Finding], int, bool]:
    """(findings, data rows, stopped at the limit) from frictionless for one resource; ``descriptor``:
    the package's (its profile decides how frictionless reads the resources), else a bare one."""
    import frictionless
    from frictionless import system

    name = resource.get("name")
    if descriptor is None:
        others = [r for n, r in resources.items() if n != name]
        descriptor = {"name": "package", "resources": [resource, *others]}
    descriptor = copy.deepcopy(descriptor)
    try:
        with system.use_context(trusted=False):
            bundle = frictionless.Package(descriptor, basepath=str(base))
            report = bundle.get_resource(name).validate(limit_errors=limit_errors)
    except frictionless.FrictionlessException as exc:
        return [Finding(code=exc.error.type, package=package, resource=name, note=exc.error.note)], 0, False
    task = report.tasks[0] if report.tasks else None
    errors = list(report.errors) + (list(task.errors) if task else [])
    findings = [to_finding(package, name, error) for error in errors]
    rows = ((task.stats or {}).get("rows") or 0) if task else 0
    if rows == 0 and not findings and task and task.labels:
        findings.append(Finding(code="empty-resource", package=package, resource=name,
                                note="the resource has a header and no data rows"))
    partial = bool(task and any("error limit" in w for w in task.warnings))
    return findings, rows, partial


def to_finding(package: str, resource: str | None, error) -> Finding:
    """A frictionless error as a finding (an extra label or cell has no field: its position is in the note)."""
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None) or None
    return Finding(code=error.type, package=package, resource=resource, row=row, field=field,
                   note=error.note or error.message)
