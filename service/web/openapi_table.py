"""What the URL rules cannot say about each endpoint: summaries, query parameters, answers, schemas.

``OPERATIONS`` is keyed by the rule's shape without the versioned prefix and with parameter names
blanked (``/api/packages/{}/{}.csv``); ``openapi.py`` turns it into the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .openapi_schemas import SCHEMAS

SCHEMA = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": SCHEMA + name}


_text = {"type": "string"}
_binary = {"type": "string", "contentMediaType": "application/octet-stream"}
FORMATS = {
    "csv": {"text/csv": {"schema": _text}},
    "ndjson": {"application/x-ndjson": {"schema": _text}},
    "parquet": {"application/vnd.apache.parquet": {"schema": _binary}},
    "zip": {"application/zip": {"schema": _binary}},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": _binary}},
    "dta": {"application/x-stata-dta": {"schema": _binary}},
    "jsonstat": {"application/json": {"schema": {"$ref": "#/components/schemas/JsonStat"}}},
    "md": {"text/markdown": {"schema": _text}},
    "html": {"text/html": {"schema": _text}},
    "jsonld": {"application/ld+json": {"schema": _ref("DcatCatalog")}},
}
_SDMX_CSV = {"application/vnd.sdmx.data+csv; version=2.0.0": {"schema": _text}}
PAGE_ERRORS = ("404", "500", "503")
SQL_ERRORS = ("400", "404", "500", "503")
FILE_ERRORS = ("404", "416", "500", "503")
FILE_ERRORS_400 = ("400", *FILE_ERRORS)


@dataclass(frozen=True)
class Operation:
    tag: str
    summary: str
    description: str
    ok: str
    schema: str | None = None  # component schema of the JSON answer
    query: tuple[str, ...] = ()
    form: str | None = None  # component schema of a POST form
    headers: tuple[str, ...] = ()
    files: bool = False  # served as a file: ETag, 304, Range, 206
    etag_when_versioned: bool = False
    errors: tuple[str, ...] = PAGE_ERRORS
    media: dict = field(default_factory=dict)  # fixed content, whatever the extension

    def content(self, ext: str) -> dict:
        if self.media:
            return self.media
        if ext == "json":
            return {"application/json": {"schema": _ref(self.schema) if self.schema else {"type": "object"}}}
        return FORMATS[ext]


def _sql(fmt: str, extra: str = "") -> Operation:
    query = ("sql", "_shape", "sql_parameters") if fmt == "JSON" else ("sql", "sql_parameters", "_stream")
    return Operation(
        "sql", f"One read-only SELECT, answered as {fmt}",
        f"Runs one SELECT on the release's DuckDB database (read-only, time-limited, at most `max_returned_rows` "
        f"rows; `X-Socsec-Truncated: true` when the cap cut it). `$name` parameters come as `_p_name=value`.{extra}",
        f"The result as {fmt}.", schema="SqlResult", query=query, form="SqlForm",
        headers=("X-Socsec-Release", "X-Socsec-Truncated", "X-Socsec-Row-Limit", "ETag"),
        etag_when_versioned=True, errors=SQL_ERRORS)


_EXPORT = (" With `_stream=on` the complete result, streamed under its own time limit; an export cut part-way "
           "ends without the final chunk, so it never looks complete.")
_JSON_SQL = _sql("JSON")
_INDICATORS = Operation("indicators", "The indicators", "Every indicator of the release's registry with the "
                        "years and sources it has.", "The indicators.", schema="Indicators")
_INDICATOR = Operation("indicators", "One indicator and its series", "The registry entry, the preferred "
                       "series and every observation beside it, with its source and quote.", "The indicator.",
                       schema="Indicator")
_DESCRIPTOR = Operation("packages", "A package's datapackage.json", "The released Frictionless descriptor, "
                        "with `hash` and `bytes` for every resource.", "The descriptor.", schema="Descriptor")
_VALIDATION = Operation("releases", "The validation report", "The release gate's report: Frictionless "
                        "structure checks and Great Expectations suites, per package and resource.",
                        "The report.", schema="ValidationReport", files=True, errors=FILE_ERRORS)

OPERATIONS: dict[str, Operation] = {
    "/api/packages": Operation("packages", "The catalog", "Every package of the release with its resources, "
                               "row counts, SQL table names and download links.", "The catalog.",
                               schema="Catalog"),
    "/api/packages/{}": _DESCRIPTOR,
    "/api/packages/{}/datapackage.json": _DESCRIPTOR,
    "/api/packages/{}.zip": Operation("packages", "A package as a zip", "The validated package: descriptor, "
                                      "data and README.", "The zip.", files=True, errors=FILE_ERRORS),
    "/api/packages/{}.xlsx": Operation("packages", "A package as an Excel workbook", "A README sheet (the "
                                       "README's text, the licence, the release and a citation), one sheet per "
                                       "resource (numbers as numbers, header row frozen) and a sheet of its "
                                       "sources.", "The workbook.", files=True, errors=FILE_ERRORS),
    "/api/packages/{}/{}.dta": Operation("packages", "An observations resource as a Stata file", "Stata format "
                                         "118 (UTF-8), with English variable labels from the schema and value "
                                         "labels for booleans; only observations resources have one.",
                                         "The .dta file.", files=True, errors=FILE_ERRORS),
    "/api/packages/{}/{}.jsonstat": Operation(
        "statistics", "Preferred observations as JSON-stat 2.0", "The package's preferred observations as one "
        "JSON-stat 2.0 dataset, built at release: dimensions indicator (role metric, unit per category), region "
        "(geo) and year (time); each value's source reliability as its `status`; source id, reliability and "
        "note in `extension.socsec.observations` by value index. `lang=zh` gives Chinese labels. Only "
        "observations resources have one.", "The dataset.", query=("lang",), files=True, errors=FILE_ERRORS_400),
    "/api/packages/{}/{}.sdmx.csv": Operation(
        "statistics", "Preferred observations as SDMX-CSV 2.0", "The package's preferred observations as "
        "SDMX-CSV 2.0 against its dataflow (`DF_<PACKAGE>`) in `/api/sdmx/structure.xml`, built at release: "
        "dimensions INDICATOR, REF_AREA, TIME_PERIOD; measure OBS_VALUE (the canonical unit); attributes UNIT, "
        "SOURCE_ID, RELIABILITY, PREFERRED, NOTE. Only observations resources have one.", "The data.",
        files=True, errors=FILE_ERRORS, media=_SDMX_CSV),
    "/api/sdmx/structure.xml": Operation(
        "statistics", "The SDMX-ML 2.1 structure message", "The release's data structure definition "
        "(`DSD_SOCSEC`), its concept scheme, the code lists of indicators and regions with English and Chinese "
        "names, and one dataflow per indicator package.", "The structure message.", files=True,
        errors=FILE_ERRORS, media={"application/xml": {"schema": _text}}),
    "/api/packages/{}/README.md": Operation("packages", "A package's README", "The package's README "
                                            "(Markdown).", "The README.", files=True, errors=FILE_ERRORS),
    "/api/packages/{}/{}.csv": Operation("packages", "One resource as CSV", "The resource's CSV as released.",
                                         "The CSV.", files=True, errors=FILE_ERRORS),
    "/api/packages/{}/{}.parquet": Operation("packages", "One resource as Parquet", "The resource as Parquet "
                                             "(column types kept).", "The Parquet file.", files=True,
                                             errors=FILE_ERRORS),
    "/api/packages/{}/{}": Operation(
        "packages", "A file of the package folder", "Any file at the path the descriptor names "
        "(`data/observations.csv`), so that the descriptor's relative paths resolve.", "The file.", files=True,
        errors=FILE_ERRORS, media={"*/*": {"schema": _binary}}),
    "/api/packages/{}/{}.json": Operation(
        "packages", "Rows of one resource, without SQL", "Equality filters per column (`?year=2020`), `_sort` "
        "or `_sort_desc`, `_size` rows a page and keyset pagination on the primary key (`_next`).",
        "One page of rows.", schema="Rows", query=("_sort", "_sort_desc", "_size", "_next", "filters"),
        errors=SQL_ERRORS),
    "/api/sql": _JSON_SQL,
    "/api/sql.json": _JSON_SQL,
    "/api/sql.csv": _sql("CSV", _EXPORT),
    "/api/sql.ndjson": _sql("NDJSON", _EXPORT),
    "/api/sql.parquet": _sql("Parquet", _EXPORT),
    "/api/indicators": _INDICATORS,
    "/api/indicators.json": _INDICATORS,
    "/api/indicators.csv": _INDICATORS,
    "/api/indicators/{}": _INDICATOR,
    "/api/indicators/{}.json": _INDICATOR,
    "/api/indicators/{}.csv": _INDICATOR,
    "/api/indicators/{}.sdmx.csv": Operation(
        "statistics", "One indicator as SDMX-CSV 2.0", "The indicator's preferred values in every region as "
        "SDMX-CSV 2.0 against `DSD_SOCSEC` in `/api/sdmx/structure.xml`; built on request and kept per release.",
        "The data.", errors=SQL_ERRORS, media=_SDMX_CSV),
    "/api/indicators/{}.jsonstat": Operation(
        "statistics", "One indicator as JSON-stat 2.0", "The indicator's preferred values in every region as "
        "one JSON-stat 2.0 dataset (as a package's `observations.jsonstat`); built on request and kept per "
        "release. `lang=zh` gives Chinese labels.", "The dataset.", query=("lang",), errors=SQL_ERRORS),
    "/api/releases": Operation("releases", "The release history", "Every release, newest first, and which is "
                               "current.", "The releases.", schema="Releases"),
    "/api/releases/{}": Operation("releases", "One release's metadata", "Version, creation time, previous "
                                  "release, packages and their resources' row counts.", "The release.",
                                  schema="Release"),
    "/api/validation.json": _VALIDATION,
    "/api/validation.html": _VALIDATION,
    "/api/catalog.jsonld": Operation("catalog", "The DCAT 3 catalog (JSON-LD)", "Each package a "
                                     "`dcat:Dataset`, one `dcat:Distribution` per zip, CSV and Parquet with "
                                     "download URL, media type, byte size and sha256.", "The catalog."),
    "/api/openapi.json": Operation("service", "This document", "The OpenAPI 3.1 contract of the HTTP API.",
                                   "The OpenAPI document.", schema="OpenApi", errors=("500",)),
    "/healthz": Operation("service", "Health", "The release served and whether it verifies against its "
                          "manifest; 503 (with `Retry-After`) while it is being verified, when it does not, or "
                          "when there is none. On a replica (`socsec serve --origin`), `replica` says which release the origin "
                          "announced, `pending` when this replica does not serve it yet, and why.", "Healthy.",
                          schema="Health", errors=("500", "503")),
}

PATH_PARAMETERS = {
    "version": {"description": "A release version, as listed by `/api/releases`.",
                "schema": {"type": "string", "pattern": "^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$"}},
    "name": {"description": "A package name.", "schema": {"type": "string", "pattern": "^[^/]+$"}},
    "resource": {"description": "A resource name of the package.", "schema": {"type": "string", "pattern": "^[^/]+$"}},
    "indicator_id": {"description": "An indicator id of the registry.",
                     "schema": {"type": "string", "pattern": "^[^/]+$"}},
    "file": {"description": "A path inside the package folder, as the descriptor names it.",
             "schema": {"type": "string", "pattern": "^[^/].*$"}},
}



def _free(pattern: str) -> dict:
    """A free-form query object (``style: form``, exploded): names matching ``pattern``, string values."""
    return {"type": "object", "propertyNames": {"pattern": pattern}, "additionalProperties": {"type": "string"}}


def _error_response(text: str, **extra) -> dict:
    return {"description": text, "content": {"application/json": {"schema": _ref("Error")}}, **extra}

_SQL_EXAMPLES = {
    "coverage": {"value": "select indicator_id, year, value, unit from observations where preferred "
                          "order by indicator_id, year limit 20"},
    "count": {"value": "select count(*) as n from observations"},
}

COMPONENTS = {
    "parameters": {
        "sql": {"name": "sql", "in": "query", "required": True, "description": "One SELECT statement.",
                "schema": {"type": "string", "minLength": 1}, "examples": _SQL_EXAMPLES},
        "_shape": {"name": "_shape", "in": "query", "description": "Rows as objects (default) or arrays.",
                   "schema": {"type": "string", "enum": ["objects", "arrays"]}},
        "_stream": {"name": "_stream", "in": "query", "description": "`on`: the full result, streamed.",
                    "schema": {"type": "string",
                               "pattern": "^([oO][nN]|[oO][fF][fF]|[tT][rR][uU][eE]|[fF][aA][lL][sS][eE]|1|0)?$"}},
        "sql_parameters": {"name": "sql_parameters", "in": "query", "style": "form", "explode": True,
                           "description": "`_p_<name>=<value>` binds DuckDB's `$name`.",
                           "schema": _free("^_p_[A-Za-z_][A-Za-z0-9_]*$")},
        "_sort": {"name": "_sort", "in": "query", "description": "Sort by this column, ascending.",
                  "schema": {"type": "string"}},
        "_sort_desc": {"name": "_sort_desc", "in": "query", "description": "Sort by this column, descending.",
                       "schema": {"type": "string"}},
        "_size": {"name": "_size", "in": "query", "description": "Rows a page (at most `max_returned_rows`).",
                  "schema": {"type": "integer", "minimum": 1}},
        "_next": {"name": "_next", "in": "query", "description": "The `next` token of the previous page.",
                  "schema": {"type": "string"}},
        "lang": {"name": "lang", "in": "query", "description": "Labels in English (`en`, the default) or "
                 "Chinese (`zh`).", "schema": {"type": "string", "enum": ["en", "zh"]}},
        "If-None-Match": {"name": "If-None-Match", "in": "header", "description": "ETags the client holds: "
                          "304 when one matches.", "schema": {"type": "string"}},
        "filters": {"name": "filters", "in": "query", "style": "form", "explode": True,
                    "description": "`<column>=<value>`: rows whose column equals the value.",
                    "schema": _free("^[A-Za-z0-9][^=&]*$")},
    },
    "headers": {
        "X-Socsec-Release": {"description": "The release that answered.", "schema": {"type": "string"}},
        "X-Socsec-Truncated": {"description": "Whether the row cap cut the answer.",
                               "schema": {"type": "string", "enum": ["true", "false"]}},
        "X-Socsec-Row-Limit": {"description": "The row cap.", "schema": {"type": "string", "pattern": "^[0-9]+$"}},
        "ETag": {"description": "Versioned URLs only: the answer's tag, for `If-None-Match`.",
                 "schema": {"type": "string"}},
        "Retry-After": {"description": "Seconds to wait before asking again.",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    },
    "responses": {
        "BadRequest": _error_response("Bad input: bad or refused SQL (`invalid-sql`), a query over the time "
                                      "limit (`query-timeout`), a bad parameter (`bad-parameter`), an indicator "
                                      "with more values than one answer holds (`too-many-values`)."),
        "NotFound": _error_response("No such release, package, resource, indicator or file (`not-found`)."),
        "MethodNotAllowed": _error_response("The method is not allowed here."),
        "RangeNotSatisfiable": _error_response("The `Range` asked for is outside the file."),
        "InternalError": _error_response("The server failed (`internal-error`); the error was logged."),
        "Unavailable": _error_response(
            "No release yet (`no-release`), too many queries at once (`too-many-queries`), a query past the "
            "short budget while the heavy class is full (`too-many-heavy-queries`), or the release does "
            "not verify; ask again after `Retry-After` seconds.",
            headers={"Retry-After": {"$ref": "#/components/headers/Retry-After"}}),
        "Redirect": {"description": "Permanent redirect to the canonical URL of this format (method kept).",
                     "headers": {"Location": {"description": "The canonical URL.", "required": True,
                                              "schema": {"type": "string"}}}},
        "NotModified": {"description": "Unchanged since the `If-None-Match` / `If-Modified-Since` given.",
                        "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}},
    },
    "schemas": SCHEMAS,
}
