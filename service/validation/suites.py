"""Great Expectations suites: loading, checking and running them.

A suite is a GX 1.x ExpectationSuite JSON file at
``expectations/<package>/<resource>.json``. It runs on GX's SQLite data
source over the tables of ``tables.py`` (GX's SQL source does not work with
duckdb-engine in 1.24; SQLite does). GX drops or rejects what it does not
know, so socsec checks each suite first: an unknown expectation type or a
column the resource lacks makes a ``suite-error`` finding, never a silently
smaller suite.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ..catalog import Package, snake
from .report import Finding
from .tables import ROW_COLUMN

MAX_ROWS_PER_CHECK = 50  # findings listed per failed expectation; the note gives the total
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)


@dataclass
class Suite:
    resource: str
    path: Path
    expectations: list[dict]


def suite_paths(expectations_dir: Path, package: str) -> dict[str, Path]:
    folder = expectations_dir / package
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json"))}


def read_suite(path: Path, package: Package) -> tuple[Suite | None, list[Finding]]:
    """Parse and check one suite file; a broken suite gives findings and no Suite."""
    resource = path.stem

    def error(note: str, field: str | None = None, check: str | None = None) -> Finding:
        return Finding(code="suite-error", package=package.name, resource=resource, field=field,
                       check=check, note=f"{path.name}: {note}")

    try:
        data = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, [error(f"not valid JSON ({exc})")]
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        return None, [error("a suite is an object with an 'expectations' list")]
    names = {r.name: r for r in package.resources}
    if resource not in names:
        return None, [error(f"no resource named {resource!r} in the package")]
    columns = set(names[resource].field_names) | {ROW_COLUMN}
    findings = []
    for index, item in enumerate(data["expectations"]):
        findings += _check_expectation(index, item, columns, error)
    if findings:
        return None, findings
    findings += _check_types(data["expectations"], error)
    return (None if findings else Suite(resource, path, data["expectations"])), findings


def _check_expectation(index, item, columns, error) -> list[Finding]:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        return [error(f"expectation #{index + 1} has no 'type'")]
    name = check_name(item)
    kwargs = item.get("kwargs") or {}
    missing = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs and kwargs[k] not in columns]
    for key in _COLUMN_LIST_KWARGS:
        missing += [c for c in kwargs.get(key) or [] if c not in columns]
    return [error(f"expectation #{index + 1} ({name}) names column {c!r}, which the resource does not have",
                  field=c, check=name) for c in missing]


def _check_types(expectations: list[dict], error) -> list[Finding]:
    from great_expectations.expectations.registry import get_expectation_impl
    from great_expectations.exceptions import ExpectationNotFoundError

    findings = []
    for index, item in enumerate(expectations):
        try:
            get_expectation_impl(item["type"])
        except ExpectationNotFoundError:
            findings.append(error(f"expectation #{index + 1} has unknown type {item['type']!r}",
                                  check=item["type"]))
    return findings


def check_name(item: dict) -> str:
    return (item.get("meta") or {}).get("name") or item["type"]


def referenced_packages(suites: list[Suite], others: list[str]) -> list[str]:
    """Other packages whose tables a suite names (``<package_snake>__<resource>``)."""
    text = "\n".join(json.dumps(s.expectations) for s in suites)
    return [name for name in others if re.search(rf"\b{re.escape(snake(name))}__\w", text)]


def run_suites(package: str, db_path: Path, suites: list[Suite]) -> tuple[list[Finding], int]:
    """Run every suite on the SQLite file; returns findings and the number of expectations run."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_sqlite("socsec", connection_string=f"sqlite:///{db_path}")
    findings: list[Finding] = []
    count = 0
    for suite in suites:
        asset = source.add_table_asset(suite.resource, table_name=snake(suite.resource))
        batch = asset.add_batch_definition_whole_table("all").get_batch()
        gx_suite = gx.ExpectationSuite(name=f"{package}.{suite.resource}", expectations=suite.expectations)
        result = batch.validate(gx_suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [ROW_COLUMN]})
        for outcome in result.results:
            count += 1
            if not outcome.success:
                findings += _findings(package, suite.resource, outcome)
    return findings, count


def _findings(package: str, resource: str, outcome) -> list[Finding]:
    config = outcome.expectation_config
    name = check_name({"type": config.type, "meta": config.meta})
    column = config.kwargs.get("column")
    base = dict(package=package, resource=resource, check=name)
    message = _exception_message(outcome.exception_info)
    if message:
        return [Finding(code="expectation-error", field=column, note=f"{name} could not run: {message}", **base)]
    result = outcome.result or {}
    description = ((config.meta or {}).get("description") or config.description or config.type).rstrip(". ")
    rows = _failed_rows(result)
    if not rows:
        observed = result.get("observed_value")
        note = f"{description} (observed: {observed})" if observed is not None else description
        return [Finding(code="expectation-failed", field=column, note=note, **base)]
    total = len(rows)
    shown = rows[:MAX_ROWS_PER_CHECK]
    suffix = f" [{total} rows fail; first {len(shown)} listed]" if total > len(shown) else ""
    return [Finding(code="expectation-failed", row=row, field=column,
                    note=f"{description}; got {_short(value)}{suffix}", **base) for row, value in shown]


def _short(value: object, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failed_rows(result: dict) -> list[tuple[int | None, object]]:
    details = result.get("details") or {}
    if "unexpected_rows" in details:
        return [(r.get(ROW_COLUMN), {k: v for k, v in r.items() if k != ROW_COLUMN})
                for r in details["unexpected_rows"]]
    indexed = result.get("unexpected_index_list") or []
    return [(r.get(ROW_COLUMN), {k: v for k, v in r.items() if k != ROW_COLUMN}) for r in indexed]


def _exception_message(info) -> str | None:
    if not info:
        return None
    if "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return (value.get("exception_message") or "").split("\n[SQL:")[0]
    return None
