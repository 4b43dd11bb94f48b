"""Structure checks of one package, as findings.

Every resource is judged by one of two engines, with the same findings (the
differential tests hold them to it): ``duckdb``, the fast path compiled by
``tabular``, whenever it implements all the resource declares, else
``frictionless``, frictionless-py's own row-by-row validation (the oracle,
slower by an order of magnitude; ``--engine frictionless`` uses it for all).
An unexpected error while checking one resource is contained: it becomes a
``check-error`` finding on that resource and the other resources are checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..catalog import Package
from .report import Finding
from .tabular import ResourceCheck, check_resource

LIMIT_ERRORS = 1000  # per resource, as frictionless; the note of the report says when it was reached

# done(resource, rows, partial, engine, reason): called after each resource
Done = Callable[[str, int, bool, str, str], None]


def _descriptor(package: Package) -> dict:
    descriptor = dict(package.descriptor)
    descriptor["resources"] = [dict(r.descriptor, schema=r.schema) for r in package.resources]
    return descriptor


def check_structure(package: Package, engine: str = "duckdb",
                    done: Done = lambda name, rows, partial, engine, reason: None
                    ) -> tuple[list[Finding], dict[str, int]]:
    """Findings and data row counts per resource; ``done`` is told after each resource how many rows
    it has, whether its checks stopped at LIMIT_ERRORS findings and which engine judged it (why)."""
    import frictionless

    descriptor = _descriptor(package)
    errors = frictionless.Package.validate_descriptor(descriptor).errors
    if errors:
        return [Finding(code=e.type, package=package.name, note=e.note or e.message) for e in errors], {}
    findings: list[Finding] = []
    rows: dict[str, int] = {}
    by_name = {r["name"]: r for r in descriptor["resources"] if r.get("name")}
    for raw in descriptor["resources"]:
        check = contained_check(package.name, raw, package.folder, by_name, engine, descriptor)
        findings += check.findings
        rows[raw.get("name")] = check.rows
        done(raw.get("name"), check.rows, check.partial, check.engine, check.reason)
    return findings, rows


def contained_check(package: str, resource: dict, folder: Path, resources: dict[str, dict],
                    engine: str, descriptor: dict | None = None) -> ResourceCheck:
    """``check_resource``, with any unexpected error turned into a ``check-error`` finding."""
    try:
        return check_resource(package, resource, folder, resources=resources, limit_errors=LIMIT_ERRORS,
                              engine=engine, descriptor=descriptor)
    except Exception as error:  # noqa: BLE001 -- contained: one broken resource must not stop the others
        note = error_note(error, folder)
        return ResourceCheck([Finding(code="check-error", package=package, resource=resource.get("name"),
                                      note=note)], engine=engine, reason="")


def error_note(error: BaseException, folder: Path | None = None) -> str:
    """``Class: message`` without any server path (a path keeps only its last part)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if folder is not None:
        for prefix in {str(folder.resolve()), str(folder)}:
            text = text.replace(prefix + "/", "").replace(prefix, folder.name)
    text = re.sub(r"(?<![\w.:/])(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+", "", text)
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__
