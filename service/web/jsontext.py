"""JSON answers as bytes: orjson where it can (a 250-row SQL answer in about a tenth of the time),
Python's encoder where it cannot (integers beyond 64 bits). Dates, dataclasses and anything else
orjson does not take natively go through Flask's own ``default``, so answers mean what they meant."""

from __future__ import annotations

import json

import orjson
from flask.json.provider import DefaultJSONProvider, _default

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dump_bytes(obj, *, pretty: bool = False) -> bytes:
    """Compact (or indented) UTF-8 JSON of ``obj``; insertion order kept, nothing escaped to ASCII."""
    try:
        return orjson.dumps(obj, default=_default, option=_OPTIONS | (orjson.OPT_INDENT_2 if pretty else 0))
    except TypeError:  # orjson.JSONEncodeError is one: a value orjson refuses, such as 2**64
        text = json.dumps(obj, default=_default, ensure_ascii=False,
                          **({"indent": 2} if pretty else {"separators": (",", ":")}))
        return text.encode("utf-8")


def dump_plain(obj) -> bytes:
    """``dump_bytes`` of an object that holds nothing but str keys, None, bools, ints within 64 bits,
    finite floats, strs, lists and dicts (the same bytes, without the options' checks)."""
    try:
        return orjson.dumps(obj)
    except TypeError:  # not so plain after all (a str orjson refuses): the general path decides
        return dump_bytes(obj)


class JSONProvider(DefaultJSONProvider):
    """Flask's provider with ``jsonify`` answered by ``dump_bytes``."""

    ensure_ascii = False
    sort_keys = False

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        pretty = (self.compact is None and self._app.debug) or self.compact is False
        return self._app.response_class(dump_bytes(obj, pretty=pretty) + b"\n", mimetype=self.mimetype)
