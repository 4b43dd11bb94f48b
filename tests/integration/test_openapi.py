"""The OpenAPI 3.1 document at /api/openapi.json: valid, complete (every /api/ and /healthz rule), one error shape."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from service.web import create_app
from service.web.openapi import openapi_document, undocumented

RULE_VARIABLE = re.compile(r"<(?:([a-z]+)(?:\(([^)]*)\))?:)?(\w+)>")
ERROR_STATUSES = {"400", "404", "405", "416", "500", "503"}
# Release-bound endpoints exist under /api/releases/{version}/ too; these are about the store or the service.
NOT_VERSIONED = {"/api/releases", "/api/releases/{version}", "/api/openapi.json", "/healthz"}


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _api_rules(app) -> list[tuple[str, set[str]]]:
    """(OpenAPI path, methods) of every /api/ and /healthz rule, each `any(...)` choice on its own."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            paths = [rule.rule]
            while any("<any(" in p for p in paths):
                paths = [p[:m.start()] + choice.strip() + p[m.end():] for p in paths
                         for m in [next(m for m in RULE_VARIABLE.finditer(p) if m[1] == "any")]
                         for choice in m[2].split(",")]
            for path in paths:
                openapi_path = RULE_VARIABLE.sub(lambda m: f"{{{m[3]}}}", path)
                found.append((openapi_path, rule.methods - {"HEAD", "OPTIONS"}))
    return found


def test_every_api_rule_of_the_app_is_described(app, document):
    rules = _api_rules(app)
    assert len(rules) >= 40
    missing = [(path, method) for path, methods in rules for method in methods
               if method.lower() not in document["paths"].get(path, {})]
    assert not missing, f"endpoints not described in service/web/openapi_table.py: {missing}"
    assert undocumented(app) == []
    described = {path for path, _ in rules}
    assert set(document["paths"]) == described  # nothing described that the app does not serve


def test_an_endpoint_added_later_fails_loudly_until_described(project):
    app = create_app({"root": str(project)})
    app.add_url_rule("/api/novelty/<thing>.json", "novelty", lambda thing: thing)
    assert undocumented(app) == ["/api/novelty/{thing}.json"]
    assert "/api/novelty/{thing}.json" not in openapi_document(app)["paths"]


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_every_error_answer_is_the_one_error_shape(document):
    components = document["components"]
    error = components["schemas"]["Error"]
    assert error["required"] == ["ok", "error", "status"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "200" in responses or "308" in responses, (path, method)
            for status, answer in responses.items():
                if status in ERROR_STATUSES:
                    name = answer["$ref"].rsplit("/", 1)[1]
                    schema = components["responses"][name]["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
            if "200" in responses:
                assert "500" in responses, (path, method)
                if path != "/api/openapi.json":  # the only answer that needs no release
                    assert "503" in responses, (path, method)
    unavailable = components["responses"]["Unavailable"]
    assert unavailable["headers"]["Retry-After"]["$ref"] == "#/components/headers/Retry-After"


def test_versioned_urls_are_described_for_everything_release_bound(document):
    for path in document["paths"]:
        if path.startswith("/api/") and path not in NOT_VERSIONED and not path.startswith("/api/releases/"):
            assert "/api/releases/{version}/" + path[len("/api/"):] in document["paths"], path
    pinned = document["paths"]["/api/releases/{version}/sql.csv"]["get"]
    assert "304" in pinned["responses"] and "304" not in document["paths"]["/api/sql.csv"]["get"]["responses"]
    version = next(p for p in pinned["parameters"] if p.get("name") == "version")
    assert version["in"] == "path" and version["required"]


def _content_types(document) -> set[str]:
    return {media for item in document["paths"].values() for operation in item.values()
            for answer in operation["responses"].values() for media in answer.get("content", {})}


def test_every_format_and_parameter_is_described(document, release_names):
    assert {"application/json", "text/csv", "application/x-ndjson", "application/vnd.apache.parquet",
            "application/zip", "text/markdown", "application/ld+json", "text/html"} <= _content_types(document)
    parameters = document["components"]["parameters"]

    def query_names(path, method="get"):
        refs = [p["$ref"].rsplit("/", 1)[1] for p in document["paths"][path][method].get("parameters", [])
                if "$ref" in p]
        return {parameters[r]["name"] for r in refs}

    assert {"sql", "_shape", "sql_parameters"} <= query_names("/api/sql")
    assert {"sql", "_stream", "sql_parameters"} <= query_names("/api/releases/{version}/sql.parquet")
    assert parameters["sql_parameters"]["schema"]["propertyNames"]["pattern"].startswith("^_p_")
    rows = "/api/packages/{name}/{resource}.json"
    if rows in document["paths"]:
        assert {"_sort", "_sort_desc", "_size", "_next", "filters"} <= query_names(rows)
    post = document["paths"]["/api/sql"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in post
    name = next(p for p in document["paths"]["/api/packages/{name}.zip"]["get"]["parameters"])
    assert name["example"] in release_names  # generated requests reach real packages too


@pytest.fixture(scope="module")
def release_names(project):
    from service.store import Store

    return set(Store(project / "var" / "store").current().packages)



def test_documented_redirects_are_the_apps_redirects(document, client):
    redirects = [(path, op) for path, item in document["paths"].items() for op in item.values()
                 if "308" in op["responses"]]
    assert {"/api/sql.json", "/api/indicators.json"} <= {path for path, _ in redirects}
    for path, operation in redirects:
        url = path
        for parameter in operation.get("parameters", []):
            url = url.replace(f"{{{parameter['name']}}}", parameter["example"])
        response = client.get(url)
        assert response.status_code == 308, url
        assert response.headers["Location"].endswith(url.rsplit(".json", 1)[0]), (url, response.headers)
