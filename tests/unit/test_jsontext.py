"""JSON answers by orjson mean exactly what Python's encoder with Flask's defaults meant."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import random
import uuid

import pytest
from flask import Flask
from flask.json.provider import _default

from service.web.jsontext import JSONProvider, dump_bytes, dump_plain


def _python(obj) -> bytes:
    return json.dumps(obj, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclasses.dataclass
class Point:
    x: int
    label: str


def _value(rnd: random.Random, depth: int = 0):
    kinds = ["none", "bool", "int", "float", "str"] + (["list", "dict"] if depth < 3 else [])
    kind = rnd.choice(kinds)
    if kind == "none":
        return None
    if kind == "bool":
        return rnd.random() < 0.5
    if kind == "int":
        return rnd.choice([0, -1, 7, 2**53 + 1, -(2**63), 2**63 - 1, rnd.randint(-10**9, 10**9)])
    if kind == "float":
        return rnd.choice([0.1, -2.5, 1e-7, 123456.789, 1e300, rnd.random() * 1e4])
    if kind == "str":
        return rnd.choice(["", "养老保险", "a\"b\\c", "line\nbreak", "\u2028", "emoji 😀", "<script>"])
    if kind == "list":
        return [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    return {rnd.choice(["k", "名", "a b", "x"]) + str(i): _value(rnd, depth + 1) for i in range(rnd.randint(0, 4))}


@pytest.mark.parametrize("seed", range(200))
def test_same_json_as_pythons_encoder(seed):
    value = _value(random.Random(seed))
    ours = dump_bytes(value)
    assert json.loads(ours) == json.loads(_python(value))
    assert ours.decode("utf-8") == ours.decode("utf-8").encode("utf-8").decode("utf-8")  # valid UTF-8, unescaped
    assert json.loads(dump_bytes(value, pretty=True)) == json.loads(ours)


@pytest.mark.parametrize("seed", range(100))
def test_plain_values_give_the_same_bytes_either_way(seed):
    value = _value(random.Random(seed))  # str keys, None, bools, 64-bit ints, finite floats, strs, lists
    assert dump_plain(value) == dump_bytes(value)


def test_a_value_that_is_not_plain_after_all_takes_the_general_path():
    for odd in ({"sum": 2**64 + 5}, {1: "int key"}):  # what orjson refuses without the options
        assert dump_plain(odd) == dump_bytes(odd)


def test_keys_keep_their_order_and_are_not_escaped():
    assert dump_bytes({"z": 1, "养老": 2, "a": [1, 2]}) == '{"z":1,"养老":2,"a":[1,2]}'.encode()


def test_values_orjson_refuses_fall_back_to_pythons_encoder():
    big = {"sum": 2**64 + 5, "neg": -(2**70)}  # a HUGEINT sum from DuckDB
    assert dump_bytes(big) == _python(big)


def test_flask_defaults_still_apply():
    when = {"date": dt.date(2024, 2, 29), "at": dt.datetime(2024, 2, 29, 12, 30, tzinfo=dt.UTC),
            "d": decimal.Decimal("1.10"), "u": uuid.UUID(int=5), "p": Point(1, "a")}
    assert json.loads(dump_bytes(when)) == json.loads(_python(when))
    assert json.loads(dump_bytes(when))["date"] == "Thu, 29 Feb 2024 00:00:00 GMT"  # Flask's HTTP date
    assert json.loads(dump_bytes({1: "int key", 2.5: "float key"})) == {"1": "int key", "2.5": "float key"}


def test_jsonify_answers_compact_or_pretty_in_debug():
    app = Flask(__name__)
    app.json = JSONProvider(app)
    with app.app_context():
        assert app.json.response({"a": [1, "二"]}).get_data() == '{"a":[1,"二"]}\n'.encode()
        app.debug = True
        assert app.json.response({"a": 1}).get_data() == b'{\n  "a": 1\n}\n'
