"""SQL over HTTP: one read-only SELECT on the release's DuckDB database.

Capped answers (`max_returned_rows`, `truncated`) as JSON, CSV, NDJSON or Parquet; full exports with
``_stream=on`` (CSV, NDJSON, Parquet) streamed batch by batch under their own time limit. Answers of
versioned URLs never change, so they carry an ETag and answer 304 to ``If-None-Match``.
"""

from __future__ import annotations

import hashlib
import itertools
import json

from flask import Blueprint, Response, request

from ..answers import Answer
from ..errors import QueryError
from ..export import BATCH_ROWS, CHUNK_BYTES, MEDIA_TYPES, CappedCsv, encode
from ..formats import arrow_as_objects, jsonable, ndjson_lines, plain_objects, rows_as_objects, to_csv, to_parquet
from .client import gone_check
from .jsontext import dump_bytes, dump_plain
from .releases import answer_cache, release_for, sandbox_for

bp = Blueprint("query", __name__)

_FIRST_BYTES = CHUNK_BYTES  # one chunk of the encoders is read before answering

_SWITCH = {"on": True, "1": True, "true": True, "off": False, "0": False, "false": False, "": False}


def _params(values) -> dict:
    """`$name` parameters come as `_p_name=value` (strings)."""
    return {k[3:]: v for k, v in values.items() if k.startswith("_p_") and len(k) > 3}


def _flag(values, name: str) -> bool:
    value = values.get(name, "").lower()
    if value not in _SWITCH:
        raise QueryError(f"{name} must be 'on' or 'off', got {value!r}", code="bad-parameter",
                         details={"parameter": name})
    return _SWITCH[value]


def _shape(values) -> str:
    shape = values.get("_shape", "objects")
    if shape not in ("objects", "arrays"):
        raise QueryError("_shape must be 'objects' or 'arrays'", code="bad-parameter",
                         details={"parameter": "_shape"})
    return shape


def _etag(release: str, ext: str, text: str, params: dict, shape: str, stream: bool) -> str:
    """Weak: the same rows, though a query without ORDER BY may give them in another order."""
    key = json.dumps([release, ext, text, sorted(params.items()), shape, stream], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@bp.route("/sql", methods=["GET", "POST"], defaults={"ext": "json"})
@bp.route("/sql.<any(json, csv, ndjson, parquet):ext>", methods=["GET", "POST"])
def sql(ext: str, version: str | None = None):
    values = request.values  # the query string, and a POST's form
    text, params = values.get("sql", ""), _params(values)
    stream, shape = _flag(values, "_stream"), _shape(values)
    release = release_for(version)
    box = sandbox_for(release)
    headers = {"X-Socsec-Release": release.version}
    if version:  # a pinned release never changes: the same query gives the same answer
        tag = _etag(release.version, ext, text, params, shape, stream)
        headers["ETag"] = f'W/"{tag}"'
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
        matched = request.method == "GET" and request.if_none_match.contains_weak(tag)
        if matched and not request.if_none_match.star_tag:  # `*` only when the query has an answer
            return Response(status=304, headers=headers)
    if stream:
        response = _full_export(box, ext, text, params, headers)
        return _not_modified(response, headers) if version and matched else response
    cache = answer_cache()
    key = (release.version, ext, text, tuple(sorted(params.items())), shape, box.max_rows) if cache else None
    answer = cache.get(key) if cache else None
    headers["X-Socsec-Cache"] = "hit" if answer else "miss"
    if answer is None:
        answer = _answer(box, release.version, ext, text, params, shape)
        if cache:
            cache.put(key, answer)
    if version and matched:
        return Response(status=304, headers=headers)
    return Response(answer.body, mimetype=answer.mimetype, headers={**headers, **answer.headers})


def _not_modified(response: Response, headers: dict) -> Response:
    response.close()  # the export was started only to learn that it has an answer
    return Response(status=304, headers=headers)


# Capped answers are read as Arrow batches (when their types allow) unless the row cap keeps every
# answer below the size from which batches are the cheaper way: JSON and NDJSON pay from about 2,000
# rows (below that their objects cost as much from rows, and rows save a second binding of the query);
# CSV pays from about 500 rows, so it is always read as batches (the cap cannot tell an answer's size).
# Measured per request, in CPU time: 250 rows as JSON 2.5 ms by rows, 2.6 by Arrow; 2,049 rows 8.2 and
# 5.5; as CSV 1,001 rows 5.3 and 3.3.
_ARROW_FROM_ROWS = {"csv": 0, "json": 2048, "ndjson": 2048, "parquet": 0}


def _answer(box, version: str, ext: str, text: str, params: dict, shape: str) -> Answer:
    batches = box.max_rows + 1 > _ARROW_FROM_ROWS[ext]
    result = box.run(text, params or None, arrow=ext == "parquet", batches=batches,
                     sink=CappedCsv if ext == "csv" else None, gone=gone_check(request.environ))
    headers = {"X-Socsec-Truncated": "true" if result.truncated else "false",
               "X-Socsec-Row-Limit": str(box.max_rows)}
    if ext == "parquet":
        return Answer(to_parquet(result.table), "application/vnd.apache.parquet", headers)
    table = result.table  # Arrow when every column's values are the same in Arrow (sandbox.ARROW_TYPES)
    if ext == "csv":
        body = result.encoded if table is not None else to_csv(result.columns, result.rows).encode("utf-8")
        return Answer(body, "text/csv", headers)
    if ext == "ndjson":
        objects = (arrow_as_objects(table) if table is not None
                   else rows_as_objects(result.columns, result.rows, result.types))
        return Answer(ndjson_lines(objects).encode("utf-8"), "application/x-ndjson", headers)
    rows, plain = _json_rows(result, shape)
    body = {"ok": True, "release": version, "sql": text, "columns": result.columns, "types": result.types,
            "rows": rows, "truncated": result.truncated, "row_limit": box.max_rows,
            "elapsed_ms": result.elapsed_ms}
    return Answer((dump_plain(body) if plain else dump_bytes(body)) + b"\n", "application/json", headers)


def _json_rows(result, shape: str) -> tuple[list, bool]:
    """The answer's rows in ``shape``, and whether every value is plain JSON by its DuckDB type (then
    no encoder options apply)."""
    table = result.table
    if shape == "arrays":
        values = zip(*(c.to_pylist() for c in table.columns)) if table is not None else result.rows
        return [[jsonable(v) for v in row] for row in values], False
    if table is not None:
        return arrow_as_objects(table), False
    plain = plain_objects(result.columns, result.rows, result.types)
    return (plain, True) if plain is not None else (rows_as_objects(result.columns, result.rows), False)


def _full_export(box, ext: str, text: str, params: dict, headers: dict) -> Response:
    """Every row, streamed; the query's own errors, and any in its first MiBs, are answered (400)
    before the first byte; later ones cut the chunked transfer."""
    if ext == "json":
        raise QueryError("a full export (_stream=on) is CSV, NDJSON or Parquet: use /api/sql.csv, "
                         "/api/sql.ndjson or /api/sql.parquet", code="bad-parameter",
                         details={"parameter": "_stream"})
    if request.environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
        raise QueryError("a full export needs HTTP/1.1: its chunked transfer is what tells a cut export "
                         "from a complete one", code="bad-parameter", details={"parameter": "_stream"})
    running = box.stream(text, params or None, batch_rows=BATCH_ROWS[ext], gone=gone_check(request.environ))
    headers.update({"X-Socsec-Stream": "on", "X-Socsec-Truncated": "false",
                    "Content-Disposition": f'attachment; filename="socsec-query.{ext}"'})
    chunks = encode(ext, running.columns, running.schema, running.batches())
    head, size = [], 0
    try:  # the first MiBs are read before answering: a small export gets a Content-Length, and an
        for chunk in chunks:  # error early in a big one is answered as an error, not as a cut
            head.append(chunk)
            size += len(chunk)
            if size >= _FIRST_BYTES:
                break
        else:
            return Response(b"".join(head), content_type=MEDIA_TYPES[ext], headers=headers)
    except BaseException:
        running.close()
        raise
    response = Response(itertools.chain(head, chunks), content_type=MEDIA_TYPES[ext], headers=headers)
    response.call_on_close(running.close)  # the slot is freed even if no byte was ever sent
    return response
