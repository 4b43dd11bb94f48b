"""JSON Schemas of the API's JSON answers (OpenAPI 3.1 uses JSON Schema 2020-12 as it is)."""

from __future__ import annotations

_string, _integer, _boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_nullable_string = {"type": ["string", "null"]}


def _object(required: dict, optional: dict | None = None) -> dict:
    """An object with these required properties; others may be added later without breaking clients."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


_ERROR = _object({
    "ok": {"const": False},
    "error": _object({"code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9'-]*$"}, "message": _string,
                      "details": {"type": "object"}}),
    "status": {"type": "integer", "minimum": 400, "maximum": 599},
})
_RESOURCE_LINKS = _object({"name": _string}, {"rows": _integer, "table": _string, "csv": _string,
                                              "parquet": _string, "dta": _string,
                                              "jsonstat": _string})
_PACKAGE_LINKS = _object({"name": _string, "title": _string, "resources": _array(_RESOURCE_LINKS)},
                         {"description": _string, "descriptor": _string, "zip": _string, "xlsx": _string,
                          "readme": _string})
_RELEASE_ITEM = _object({"version": _string, "created": _string, "current": _boolean,
                         "previous": _nullable_string, "packages": _array(_string)}, {"url": _string})

SCHEMAS = {
    "Error": _ERROR,
    "SqlResult": _object({
        "ok": {"const": True}, "release": _string, "sql": _string, "columns": _array(_string),
        "types": _array(_string), "rows": _array({"type": ["object", "array"]}), "truncated": _boolean,
        "row_limit": _integer}, {"elapsed_ms": {"type": "number"}}),
    "SqlForm": {"type": "object", "required": ["sql"], "properties": {
        "sql": {"type": "string", "minLength": 1}, "_shape": {"type": "string", "enum": ["objects", "arrays"]},
        "_stream": {"type": "string", "enum": ["on", "off"]}}, "additionalProperties": _string,
        "examples": [{"sql": "select indicator_id, year, value from observations where preferred limit 5"},
                     {"sql": "select count(*) as n from observations where year = $y", "_p_y": "2020"}]},
    "Catalog": _object({"release": _string, "packages": _array(_PACKAGE_LINKS)}),
    "Descriptor": _object({"resources": _array(_object({"name": _string}, {
        "path": _string, "hash": _string, "bytes": _integer, "schema": {"type": "object"}}))},
        {"name": _string, "title": _string, "licenses": _array({"type": "object"})}),
    "Rows": _object({"ok": {"const": True}, "release": _string, "package": _string, "resource": _string,
                     "columns": _array(_string), "rows": _array({"type": "object"}),
                     "next": _nullable_string, "next_url": _nullable_string}),
    "Indicators": _object({"release": _string, "indicators": _array(_object({"id": _string}))}),
    "Indicator": _object({"release": _string, "indicator": _object({"id": _string}),
                          "series": _array({"type": "object"}), "observations": _array({"type": "object"})}),
    "Releases": _object({"current": _nullable_string, "releases": _array(_RELEASE_ITEM)}),
    "Release": _object({"version": _string, "created": _string, "previous": _nullable_string,
                        "packages": {"type": "object", "additionalProperties": _object({"title": _string})}}),
    "ValidationReport": _object({"valid": _boolean, "packages": _array(_object({"name": _string}))}),
    "DcatCatalog": _object({"@context": {"type": "object"}, "@id": _string, "@type": {"const": "dcat:Catalog"},
                            "dcat:dataset": _array(_object({"@id": _string, "@type": {"const": "dcat:Dataset"}}))}),
    "JsonStat": _object({"version": {"const": "2.0"}, "class": {"const": "dataset"}, "id": _array(_string),
                         "size": _array(_integer), "dimension": {"type": "object"},
                         "value": _array({"type": ["number", "null"]})},
                        {"label": _string, "role": {"type": "object"}, "status": {"type": "object"},
                         "extension": {"type": "object"}}),
    "OpenApi": _object({"openapi": {"type": "string", "pattern": "^3\\.1\\."}, "info": {"type": "object"},
                        "paths": {"type": "object"}}),
    "Health": _object({"ok": {"const": True}, "release": _string, "verified": {"const": True}},
                      {"problems": _array(_string),
                       "replica": _object({"origin": _string, "announced": _nullable_string,
                                           "pending": _nullable_string, "state": _string,
                                           "reason": _nullable_string})}),
}
