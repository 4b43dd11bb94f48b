"""Reads query strings: a table page's (``/api/packages/<name>/<resource>.json``) into a rows.Request, and
the ``lang`` of statistics formats."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MultiDict

from ..errors import QueryError
from ..rows import DEFAULT_SIZE, Request

_OWN = {"_sort", "_sort_desc", "_size", "_next", "_shape"}


def rows_request(args: MultiDict) -> Request:
    unknown = sorted(k for k in args if k.startswith("_") and k not in _OWN)
    if unknown:
        raise QueryError(f"unknown parameter {unknown[0]!r}; table pages take {', '.join(sorted(_OWN))} "
                         "and column=value filters", code="bad-parameter", details={"parameter": unknown[0]})
    if "_sort" in args and "_sort_desc" in args:
        raise QueryError("give _sort or _sort_desc, not both", code="bad-parameter",
                         details={"parameter": "_sort_desc"})
    if args.get("_shape", "objects") not in ("objects", "arrays"):
        raise QueryError("_shape must be 'objects' or 'arrays'", code="bad-parameter",
                         details={"parameter": "_shape"})
    size = args.get("_size", str(DEFAULT_SIZE))
    if not size.isdigit():
        raise QueryError(f"_size must be a whole number, got {size!r}", code="bad-parameter",
                         details={"parameter": "_size"})
    filters = {k: args.getlist(k) for k in args if not k.startswith("_")}
    return Request(filters=filters, sort=args.get("_sort") or args.get("_sort_desc"),
                   descending="_sort_desc" in args, size=int(size), after=args.get("_next") or None)


def stat_lang() -> str:
    """``lang`` of a JSON-stat or SDMX answer: ``en`` (the default) or ``zh``, as the pages take it."""
    lang = request.args.get("lang", "en")
    if lang not in ("en", "zh"):
        raise QueryError(f"lang must be 'en' or 'zh', got {lang!r}", code="bad-parameter",
                         details={"parameter": "lang"})
    return lang
