"""Pattern constraints: RE2 (DuckDB's regexp_full_match) where it means what Python's re means.

Each pattern of the RE2 corpus is judged by both paths on the same cells (the
Python path is ``sqlchecks.py_pattern``, frictionless' own rule); the verdicts
must be identical. The Python-only corpus must be routed to Python, and a
resource whose pattern is Python-only still gets frictionless' findings.
"""

from __future__ import annotations

import random

import duckdb
import pytest

from service.validation import sqlchecks as sq
from service.validation.patterns import re2_form
from tests.unit.test_dialects import assert_same
from tests.unit.test_fallback import one

# patterns that RE2 judges (on any cells / on printable-ASCII cells only)
RE2_ANY = [
    "", "a", "abc", "[A-Z]{3}", "[a-z]+", "a|b", "(a|b)c", "ab|ac", "x{,3}", "x{2}", "x{2,}", "x{1,3}?",
    "a*?b", ".", ".*", ".+x", "[^a]", "[^a-c]+", "[.]", r"\.", r"\$", r"a\|b", r"\x41", r"\u00e9+",
    "caf\u00e9", "[\u00e0-\u00ff]+", "\U0001F600?", "(?:new|active|closed)", "((a)(b))?c", "(?P<x>a)+",
    "x|yz|w", "ab|a|", "|a", "[-a]", "[a-]", r"[\]]", r"[\\]", r"\n", "[\t ]+", "(|a)b", "a{0}", "(a*)*", "(a|ab)(c|bcd)(d*)",
    "[0-9]{4}-[0-9]{2}", r"\(x\)", "[^\n]*", "[-+]?[0-9]*[.]?[0-9]+",
]
RE2_ASCII = [r"\d+", r"\w+", r"\s", r"\D", r"\W*", r"\S+", r"[\d.]+", r"[^\d]+", r"[a\D]", r"[^\D]",
             r"[^\W\d]+", r"\d{3}-\d{4}", r"[\w.-]+@[\w.-]+", r"[\s,]*", r"[^\d\s]"]
# constructs whose meaning differs in RE2, or that RE2 lacks
PYTHON_ONLY = [
    r"(a)\1", r"(?P<x>a)(?P=x)", "(?=a)a", "(?!b)a", "(?<=a)b", "(?<!a)b", "a*+", "a++", "a?+", "(?>a)",
    "(?i)abc", "(?i:a)b", "(?s).", "(?x)a b", "(?m)a", "(?a)\\w", r"a\Z", r"\Aa", "a$", "^a", r"\ba",
    r"a\B", "a|^b", "a$|b", "(a)?(?(1)b|c)", "x{1001}", "[\ud800]", "a{2000,}",
    "(", "[a", "a)", "*", "a\\",  # Python refuses these, or the pattern breaks the "^...$" frame
]
ALPHABET = ["a", "b", "c", "x", "y", "z", "A", "Z", "0", "1", "9", "_", "-", ".", " ", "\t", "\n", "$",
            "|", "(", ")", "]", "\\", ",", "@", "\u00e9", "\u00e0", "\U0001F600", "\u0661", "\u00a0"]
ASCII_ALPHABET = [c for c in ALPHABET if c.isascii() and (c.isprintable() or c in "\t\n")]


def cells(alphabet: list[str], seed: int, count: int = 300) -> list[str]:
    rnd = random.Random(seed)
    out = ["", "\n", "a\n", "abc", "abc\n", "new", "AAA", "x" * 5, "12-34", "1234-56", "(x)", "caf\u00e9"]
    for _ in range(count):
        out.append("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6))))
    return [c for c in out if alphabet is ALPHABET or all(ch in alphabet or ch.isascii() for ch in c)]


def duckdb_verdicts(con, pattern_form: str, values: list[str]) -> list[bool]:
    con.execute("CREATE OR REPLACE TABLE cells AS SELECT unnest($1::VARCHAR[]) AS c, "
                "generate_subscripts($1::VARCHAR[], 1) AS i", [values])
    rows = con.execute(f"SELECT regexp_full_match(c, {sq.lit(pattern_form)}) FROM cells ORDER BY i").fetchall()
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize("pattern", RE2_ANY)
def test_re2_and_python_agree_on_any_cells(con, pattern):
    form = re2_form(pattern, ascii_cells=False)
    assert form is not None, pattern
    values = cells(ALPHABET, hash(pattern) & 0xFFFF) + [pattern, pattern + "\n", pattern * 2]
    assert duckdb_verdicts(con, form, values) == [sq.py_pattern(v, pattern) for v in values]


@pytest.mark.parametrize("pattern", RE2_ASCII)
def test_unicode_classes_run_in_re2_only_over_ascii_cells(con, pattern):
    assert re2_form(pattern, ascii_cells=False) is None  # \d, \s, \w are Unicode in Python
    form = re2_form(pattern, ascii_cells=True)
    assert form is not None, pattern
    values = [v for v in cells(ASCII_ALPHABET, len(pattern)) if v.isascii()]
    values += ["123", "1 2", "a_b", "x@y.z", "\t", " , ", "12\n"]
    assert duckdb_verdicts(con, form, values) == [sq.py_pattern(v, pattern) for v in values]


@pytest.mark.parametrize("pattern", PYTHON_ONLY)
def test_python_only_constructs_stay_with_python(pattern):
    assert re2_form(pattern, ascii_cells=True) is None
    assert sq.pattern_violated("c1", pattern, ascii_cells=True).startswith("NOT py_pattern(")


def test_the_split_is_visible_in_the_row_query():
    assert sq.pattern_violated("c1", "[A-Z]{3}", ascii_cells=False).startswith("NOT regexp_full_match(c1, ")
    assert "py_pattern" in sq.pattern_violated("c1", r"(a)\1", ascii_cells=False)


def test_a_python_only_pattern_still_gets_frictionless_findings(tmp_path):
    # a backreference, a lookahead and a Unicode class over non-ASCII cells: Python judges each
    rows = ["aa,ab,\u0661\u0662", "ab,ba,12", "bb,ac,x1"]
    fields = [{"name": "v", "type": "string", "constraints": {"pattern": r"(\w)\1"}},
              {"name": "w", "type": "string", "constraints": {"pattern": r"(?=a)\w+"}},
              {"name": "d", "type": "string", "constraints": {"pattern": r"\d+"}}]
    resource = one(tmp_path, "v,w,d\n" + "\n".join(rows) + "\n", fields)
    found, check = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == {("constraint-error", 3, "v"), ("constraint-error", 3, "w"),
                          ("constraint-error", 4, "d")}


def test_re2_patterns_give_frictionless_findings_in_a_resource(tmp_path):
    rows = ["ABC,12-3,new", "AB,123,old", "abc,,active", '"ABC\n",9-9,closed']  # "$" takes a final newline
    fields = [{"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{3}"}},
              {"name": "num", "type": "string", "constraints": {"pattern": r"\d+(-\d)?"}},
              {"name": "status", "type": "string", "constraints": {"pattern": "new|active|closed"}}]
    resource = one(tmp_path, "code,num,status\n" + "\n".join(rows) + "\n", fields)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == {("constraint-error", 3, "code"), ("constraint-error", 4, "code"),
                          ("constraint-error", 3, "status")}
