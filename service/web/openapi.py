"""The OpenAPI 3.1 contract at `/api/openapi.json`, generated from the app's own URL rules.

Every rule under ``/api/`` and ``/healthz`` becomes one path per format (``<any(csv, parquet):ext>``
expands), with its path parameters taken from the rule; what the rule cannot say (summary, query
parameters, answers) comes from ``OPERATIONS`` in ``openapi_table``, keyed by the rule's shape with the
versioned prefix ``/api/releases/<version>`` removed and parameter names blanked. A rule the table does
not describe is left out of the document and listed by ``undocumented(app)``; a test fails on it, so an
endpoint added later cannot be forgotten.
"""

from __future__ import annotations

import copy
import re

from flask import Blueprint, Flask, current_app, jsonify

from .. import __version__
from ..errors import ServiceError
from ..series import has_indicators
from .openapi_table import COMPONENTS, OPERATIONS, PATH_PARAMETERS, Operation
from .releases import release_for, sandbox_for, settings

bp = Blueprint("openapi", __name__)

VERSIONED = "/api/releases/<version>/"
_VARIABLE = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(openapi_document(current_app, _examples(), row_limit=settings().max_returned_rows))
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def openapi_document(app: Flask, examples: dict | None = None, row_limit: int | None = None) -> dict:
    """The OpenAPI 3.1 document of every described ``/api/`` and ``/healthz`` rule of ``app``.

    ``examples`` gives path parameters real values (``name``, ``version``...); ``row_limit`` bounds ``_size``."""
    paths: dict[str, dict] = {}
    for rule, path, key, versioned, canonical in _concrete_rules(app):
        operation = OPERATIONS.get(key)
        if operation is None:
            continue
        item = paths.setdefault(path, {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # Flask adds those two to every rule
            item[method.lower()] = (_redirect(operation, method, path, rule, canonical, examples or {})
                                    if canonical else
                                    _operation(operation, method, path, rule, versioned, examples or {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "socsec HTTP API", "version": __version__,
                 "description": "China's social security statistics: data packages, SQL over the release's "
                                "DuckDB database, indicators, release history, DCAT catalog. Every error "
                                "has one shape (`Error`). Every release-bound URL also exists under "
                                "`/api/releases/{version}/...`, immutable."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": _components(row_limit),
    }


def _components(row_limit: int | None) -> dict:
    components = copy.deepcopy(COMPONENTS)
    if row_limit:
        components["parameters"]["_size"]["schema"]["maximum"] = row_limit
    return components


def undocumented(app: Flask) -> list[str]:
    """The ``/api/`` and ``/healthz`` paths of ``app`` that ``OPERATIONS`` does not describe."""
    return sorted({path for _, path, key, *_ in _concrete_rules(app) if key not in OPERATIONS})


def planned(app: Flask) -> list[str]:
    """Described shapes no rule of ``app`` has yet (endpoints being built elsewhere)."""
    return sorted(set(OPERATIONS) - {key for _, _, key, *_ in _concrete_rules(app)})


def _concrete_rules(app: Flask):
    """(rule, OpenAPI path, table key, versioned, canonical) for each format of each API rule.

    ``canonical`` is the path Werkzeug redirects to (308) when the chosen format is another rule's
    default (``/api/sql.json`` -> ``/api/sql``), else None."""
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        for concrete, chosen in _expand(rule.rule):
            versioned = concrete.startswith(VERSIONED)
            unversioned = "/api/" + concrete[len(VERSIONED):] if versioned else concrete
            key = _VARIABLE.sub("{}", unversioned)
            target = _redirect_target(app, rule, chosen)
            yield (rule, _openapi_path(concrete), key, versioned,
                   _openapi_path(target.rule) if target else None)


def _redirect_target(app: Flask, rule, chosen: dict):
    """The rule Werkzeug redirects to when ``chosen`` are its defaults (as ``MapAdapter.match`` decides)."""
    if not app.url_map.redirect_defaults:
        return None
    unknown = object()  # the other variables: equal to no default
    values = {name: chosen.get(name, unknown) for name in rule.arguments}
    for other in app.url_map.iter_rules(rule.endpoint):
        if other is rule:
            return None
        if other.provides_defaults_for(rule) and other.suitable_for(values, "GET"):
            return other
    return None


def _openapi_path(rule: str) -> str:
    return _VARIABLE.sub(lambda m: f"{{{m['name']}}}", rule)


def _expand(rule: str, chosen: dict | None = None) -> list[tuple[str, dict]]:
    """``/sql.<any(json, csv):ext>`` -> (``/sql.json``, {ext: json}), (``/sql.csv``, {ext: csv})."""
    chosen = chosen or {}
    match = next((m for m in _VARIABLE.finditer(rule) if m["converter"] == "any"), None)
    if match is None:
        return [(rule, chosen)]
    choices = [c.strip().strip("'\"") for c in match["args"].split(",")]
    return [out for c in choices
            for out in _expand(rule[:match.start()] + c + rule[match.end():], {**chosen, match["name"]: c})]


def _operation(operation: Operation, method: str, path: str, rule, versioned: bool, examples: dict) -> dict:
    parameters = _path_parameters(rule, path, examples)
    body = {
        "operationId": _operation_id(method, path),
        "summary": operation.summary,
        "description": operation.description + (" Pinned to one release: immutable." if versioned else ""),
        "tags": [operation.tag],
        "responses": _responses(operation, path, versioned),
    }
    sql_tagged = versioned and path.split("/")[-1].split(".")[0] == "sql"  # versioned SQL answers have ETags
    headers = ("If-None-Match",) if operation.files or sql_tagged else ()
    query = [{"$ref": f"#/components/parameters/{name}"} for name in operation.query + headers]
    if method == "POST":
        body["requestBody"] = {"required": False, "content": {"application/x-www-form-urlencoded": {
            "schema": {"$ref": f"#/components/schemas/{operation.form}"}}}}
    else:
        parameters += query
    if parameters:
        body["parameters"] = parameters
    return body


def _operation_id(method: str, path: str) -> str:
    """``GET /api/releases/{version}/sql.csv`` -> ``get_api_releases_version_sql_csv``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{method} {path}").strip("_").lower()


def _redirect(operation: Operation, method: str, path: str, rule, canonical: str, examples: dict) -> dict:
    """An alias of a default format: a permanent redirect to the canonical URL (method kept)."""
    body = {"operationId": _operation_id(method, path),
            "summary": f"{operation.summary} (redirects to {canonical})",
            "description": f"The same as `{canonical}`, whose default format this names: a 308 redirect there.",
            "tags": [operation.tag],
            "responses": {"308": {"$ref": "#/components/responses/Redirect"}}}
    parameters = _path_parameters(rule, path, examples)
    for parameter in parameters:  # the redirect comes before any name is looked up
        parameter["schema"] = {"type": "string", "pattern": "^[^/]+$"}
    if parameters:
        body["parameters"] = parameters
    return body


def _path_parameters(rule, path: str, examples: dict) -> list[dict]:
    return [_path_parameter(m, examples) for m in _VARIABLE.finditer(_expand(rule.rule)[0][0])
            if f"{{{m['name']}}}" in path]


def _path_parameter(match: re.Match, examples: dict) -> dict:
    name = match["name"]
    parameter = {"name": name, "in": "path", "required": True, **PATH_PARAMETERS.get(name, {
        "description": name, "schema": {"type": "string", "pattern": "^[^/]+$"}})}
    if match["converter"] == "path":
        parameter["schema"] = {"type": "string", "pattern": "^[^/].*$"}
    if examples.get(name):
        parameter["example"] = examples[name]
    return parameter


def _responses(operation: Operation, path: str, versioned: bool) -> dict:
    ext = path.rsplit("/", 1)[-1].rpartition(".")[2] if "." in path.rsplit("/", 1)[-1] else "json"
    content = operation.content(ext)
    ok = {"description": operation.ok, "content": content}
    if operation.headers:
        ok["headers"] = {h: {"$ref": f"#/components/headers/{h}"} for h in operation.headers}
    responses = {"200": ok}
    if operation.files:
        responses["206"] = {"description": "The byte range asked for with `Range`.", "content": content}
    if operation.files or (versioned and operation.etag_when_versioned):
        responses["304"] = {"$ref": "#/components/responses/NotModified"}
    for status in operation.errors:
        responses[status] = {"$ref": f"#/components/responses/{COMPONENT_OF_STATUS[status]}"}
    return responses


COMPONENT_OF_STATUS = {"400": "BadRequest", "404": "NotFound", "405": "MethodNotAllowed",
                       "416": "RangeNotSatisfiable", "500": "InternalError", "503": "Unavailable"}


def _examples() -> dict:
    """Real names of the current release, so generated requests also reach real answers."""
    try:
        release = release_for(None)
    except ServiceError:
        return {}
    name, entry = next(iter(release.packages.items()), (None, {}))
    resource = next(iter(entry.get("resources", {})), None)
    return {"version": release.version, "name": name, "resource": resource,
            "file": _resource_path(release, name, resource) if resource else None,
            "indicator_id": _first_indicator(release)}


def _resource_path(release, name: str, resource: str) -> str | None:
    descriptor = release.descriptor(name)
    return next((r.get("path") for r in descriptor.get("resources", []) if r.get("name") == resource), None)


def _first_indicator(release) -> str | None:
    try:
        box = sandbox_for(release)
        if not has_indicators(box):
            return None
        result = box.run_trusted("SELECT min(o.indicator_id) FROM main.observations o JOIN main.indicators i "
                                 "ON i.id = o.indicator_id AND i.package = o.package")
    except ServiceError:
        return None
    return str(result.rows[0][0]) if result.rows and result.rows[0][0] is not None else None
