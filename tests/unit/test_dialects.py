"""Differential tests over a generated corpus of CSV dialects, wide and long tables.

Each variant writes the same table (with planted errors: a bad integer, a
negative score, a short and a long row, a blank line, a duplicate key, a
missing name) in one dialect, declares it, and compares ``check_resource``
(the fast path, or frictionless where the fast path does not implement the
dialect) with ``frictionless validate``: the (code, row, field) multisets must
be identical. Each variant also says which engine must judge it, so a dialect
option the fast path implements cannot silently fall back.
"""

from __future__ import annotations

import collections
import json
import pathlib

import pytest

from service.validation.tabular import check_resource

frictionless = pytest.importorskip("frictionless")

FIELDS = [{"name": "id", "type": "integer", "constraints": {"required": True}},
          {"name": "name", "type": "string", "constraints": {"required": True}},
          {"name": "score", "type": "number", "constraints": {"minimum": 0}},
          {"name": "day", "type": "date"},
          {"name": "flag", "type": "boolean"},
          {"name": "note", "type": "string"}]
NOTES = ["plain", "with, comma", 'say "hi"', "semi;colon", "pipe|bar", "tab\there", "it's", "multi\nline"]


def table(rows: int, seed: int = 0) -> list[list[str] | None]:
    """Header and rows; None is a blank line. Planted errors every 97 rows."""
    out: list[list[str] | None] = [[f["name"] for f in FIELDS]]
    for n in range(1, rows + 1):
        k = (n + seed) % 97
        row = [str(n), f"name {n}", f"{(n * 7) % 1000 / 10}", f"2020-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
               "true" if n % 2 else "false", NOTES[n % len(NOTES)]]
        if k == 5:
            row[0] = "x"                    # type-error
        elif k == 11:
            row[2] = "-1"                   # constraint-error (minimum)
        elif k == 17:
            row = row[:4]                   # missing-cell
        elif k == 23:
            row = row + ["extra"]           # extra-cell
        elif k == 29:
            out.append(None)                # blank-row
        elif k == 31:
            row[0] = str(n - 1)             # primary-key duplicate
        elif k == 37:
            row[1] = ""                     # required
        out.append(row)
    return out


def needs_quotes(cell: str, delimiter: str, quote: str) -> bool:
    return any(c in cell for c in (delimiter, quote, "\n", "\r")) if quote else False


def encode(cell: str, delimiter: str, quote: str, escape: str | None) -> str:
    if escape:
        cell = cell.replace(escape, escape * 2).replace(quote, escape + quote)
        return f"{quote}{cell}{quote}" if needs_quotes(cell, delimiter, "\0") else cell
    if not needs_quotes(cell, delimiter, quote):
        return cell
    return quote + cell.replace(quote, quote * 2) + quote


def write(path: pathlib.Path, rows, *, delimiter=",", quote='"', escape=None, newline="\n",
          space="", before: list[str] = (), comments: dict[int, str] | None = None, header=True) -> None:
    """Write rows in a dialect; ``space`` goes after each delimiter ("unquoted": only before plain cells)."""
    lines = list(before)
    for index, row in enumerate(rows if header else rows[1:]):
        if comments and len(lines) + 1 in comments:
            lines.append(comments[len(lines) + 1])
        if row is None:
            lines.append("")
            continue
        cells = [encode(c, delimiter, quote, escape) for c in row]
        if not quote:
            cells = [c.replace(delimiter, " ").replace("\n", " ") for c in cells]
        text = cells[0]
        for cell in cells[1:]:
            pad = " " if space == "all" or (space == "unquoted" and not cell.startswith(quote or "\0")) else ""
            text += delimiter + pad + cell
        lines.append(text)
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))


# name: (dialect, writer options, resource extras, engine that must judge it)
VARIANTS = {
    "default": ({}, {}, {}, "duckdb"),
    "semicolon": ({"delimiter": ";"}, {"delimiter": ";"}, {}, "duckdb"),
    "tab": ({"delimiter": "\t"}, {"delimiter": "\t"}, {}, "duckdb"),
    "pipe-sniffed": ({}, {"delimiter": "|"}, {}, "duckdb"),
    "tsv-format": ({}, {"delimiter": "\t"}, {"format": "tsv", "path": "t.tsv"}, "duckdb"),
    "single-quote": ({"quoteChar": "'"}, {"quote": "'"}, {}, "duckdb"),
    "no-quoting": ({"quoteChar": ""}, {"quote": ""}, {}, "frictionless"),
    "double-quote-off": ({"doubleQuote": False}, {}, {}, "duckdb"),
    "escape-char": ({"escapeChar": "\\", "doubleQuote": False}, {"escape": "\\"}, {}, "frictionless"),
    "skip-space": ({"skipInitialSpace": True}, {"space": "unquoted"}, {}, "duckdb"),
    "skip-space-quoted": ({"skipInitialSpace": True}, {"space": "all"}, {}, "frictionless"),
    "skip-space-sniffed": ({}, {"space": "unquoted"}, {}, "duckdb"),
    "spaces-kept": ({"skipInitialSpace": False}, {"space": "unquoted"}, {}, "duckdb"),
    "crlf": ({"lineTerminator": "\r\n"}, {"newline": "\r\n"}, {}, "duckdb"),
    "cr": ({"lineTerminator": "\r"}, {"newline": "\r"}, {}, "duckdb"),
    "header-off": ({"header": False}, {"header": False}, {}, "duckdb"),
    "header-row-3": ({"headerRows": [3]}, {"before": ["title of the table", "source: generated"]}, {}, "duckdb"),
    "header-guessed": ({}, {"before": ["title"]}, {}, "duckdb"),
    "header-rows-1-2": ({"headerRows": [1, 2]}, {"before": ["group,group,group,group,group,group"]}, {},
                        "frictionless"),
    "comment-char": ({"commentChar": "#"}, {"comments": {1: "# generated", 9: "# note", 40: "#x,y"}}, {},
                     "frictionless"),
    "comment-rows": ({"commentRows": [2]}, {"before": ["id,name"], "header": True}, {}, "frictionless"),
    "header-case": ({"headerCase": False}, {}, {}, "frictionless"),
    "v2-csv-control": ({"csv": {"delimiter": ";"}}, {"delimiter": ";"}, {}, "duckdb"),
    "combined-fast": ({"delimiter": ";", "quoteChar": "'", "skipInitialSpace": True, "headerRows": [2],
                       "lineTerminator": "\r\n"},
                      {"delimiter": ";", "quote": "'", "space": "unquoted", "newline": "\r\n", "before": ["t"]},
                      {}, "duckdb"),
    "combined-header-off": ({"header": False, "delimiter": "\t", "lineTerminator": "\r\n"},
                            {"header": False, "delimiter": "\t", "newline": "\r\n"}, {}, "duckdb"),
    "combined-fallback": ({"delimiter": "|", "commentChar": "#", "escapeChar": "\\", "doubleQuote": False},
                          {"delimiter": "|", "escape": "\\", "comments": {5: "# c"}}, {}, "frictionless"),
}


def build(base: pathlib.Path, variant: str, rows: int) -> dict:
    dialect, options, extra, _ = VARIANTS[variant]
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": FIELDS, "primaryKey": ["id"]}, **extra}
    if dialect:
        resource["dialect"] = dialect
    options = dict(options)
    if variant == "comment-rows":  # row 2 is junk that the declared comment row hides
        options.pop("header")
        before = options.pop("before")
        write(base / resource["path"], table(rows), **options)
        lines = (base / resource["path"]).read_text().split("\n")
        (base / resource["path"]).write_text("\n".join(lines[:1] + before + lines[1:]))
    else:
        write(base / resource["path"], table(rows), **options)
    (base / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    return resource


def ours(base: pathlib.Path, resource: dict, **options):
    check = check_resource("p", resource, base, **options)
    found = collections.Counter((f.code, f.row, f.field) for f in check.findings if f.code != "empty-resource")
    return found, check


def theirs(base: pathlib.Path, **options) -> collections.Counter:
    report = frictionless.validate(str(base / "datapackage.json"), **options)
    return collections.Counter((e.type, getattr(e, "row_number", None), getattr(e, "field_name", None) or None)
                               for task in report.tasks for e in task.errors)


def assert_same(base: pathlib.Path, resource: dict, engine: str | None = None):
    found, check = ours(base, resource)
    expected = theirs(base)
    assert found == expected, (found - expected, expected - found, check.reason)
    if engine:
        assert check.engine == engine, check.reason
    return found, check


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dialect_variant_matches_frictionless(tmp_path, variant):
    found, _ = assert_same(tmp_path, build(tmp_path, variant, 120), VARIANTS[variant][3])
    if variant == "no-quoting":  # frictionless 5.21 passes quoteChar "" to Python's csv, which refuses
        # an empty quotechar since 3.11 (python/cpython#28833): both engines report its source-error
        assert set(found) == {("source-error", None, None)}
    else:
        assert sum(found.values()) >= 7  # the planted errors are found (the corpus is not trivially valid)


def test_fallback_reason_names_the_option(tmp_path):
    _, check = ours(tmp_path, build(tmp_path, "comment-char", 20))
    assert check.engine == "frictionless" and "commentChar" in check.reason
    _, check = ours(tmp_path, build(tmp_path, "skip-space-quoted", 20))
    assert "skipInitialSpace" in check.reason


@pytest.mark.parametrize("variant", ["default", "combined-fast", "skip-space-sniffed", "header-off"])
def test_long_table_matches_frictionless(tmp_path, variant):
    found, check = assert_same(tmp_path, build(tmp_path, variant, 12_000), "duckdb")
    assert check.rows >= 12_000 and sum(found.values()) > 700


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_long_dialect_variant_matches_frictionless(tmp_path, variant):
    assert_same(tmp_path, build(tmp_path, variant, 60_000), VARIANTS[variant][3])


def wide(base: pathlib.Path, columns: int, rows: int, *, labels_extra: int = 0) -> tuple[dict, set]:
    """A table of ``columns`` fields (integers, numbers with a bound, strings); planted errors."""
    kinds = [("integer", {}), ("number", {"constraints": {"minimum": 0}}), ("string", {})]
    fields = [{"name": f"f{i}", "type": kinds[i % 3][0], **kinds[i % 3][1]} for i in range(columns)]
    planted = set()
    lines = [",".join([f["name"] for f in fields] + [f"x{i}" for i in range(labels_extra)])]
    for n in range(2, rows + 2):
        cells = [str(n * i) if i % 3 == 0 else (f"{n}.5" if i % 3 == 1 else f"s{n}") for i in range(columns)]
        if n % 4 == 0:
            col = (n * 37) % columns
            if col % 3 != 2:
                cells[col] = "bad"
                planted.add(("type-error", n, f"f{col}"))
        if n == 3:
            cells = cells[:-1]
            planted.add(("missing-cell", n, f"f{columns - 1}"))
        lines.append(",".join(cells + ["e"] * labels_extra))
    (base / "w.csv").write_text("\n".join(lines) + "\n")
    resource = {"name": "w", "path": "w.csv", "schema": {"fields": fields}}
    (base / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    return resource, planted


def test_wide_table_of_1000_columns_matches_frictionless(tmp_path):
    resource, planted = wide(tmp_path, 1000, 30)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == planted


def test_wide_header_over_a_narrow_schema_matches_frictionless(tmp_path):
    resource, _ = wide(tmp_path, 5, 20, labels_extra=900)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert found[("extra-label", None, None)] == 900


def test_wide_table_of_10000_columns_is_checked(tmp_path):
    resource, planted = wide(tmp_path, 10_000, 6)
    found, check = ours(tmp_path, resource)
    assert check.engine == "duckdb" and set(found) == planted


@pytest.mark.slow
def test_wide_table_of_10000_columns_matches_frictionless(tmp_path):
    resource, planted = wide(tmp_path, 10_000, 12)
    found, _ = assert_same(tmp_path, resource, "duckdb")
    assert set(found) == planted


# odd files, each wrapped with the schema and dialect frictionless infers for it (as a new user would)
ODD_FILES = {
    "empty": b"",
    "header-only": b"a,b\n",
    "no-final-newline": b"a,b\n1,2",
    "unbalanced-quote": b'a,b\n1,"2\n3,4\n',
    "spaces-only-line": b"a,b\n1,2\n   \n3,4\n",
    "mixed-line-ends": b"a,b\r\n1,2\n3,4\r5,6\r\n",
    "quoted-crlf": b'a,b\r\n1,"x\r\ny"\r\n2,z\r\n',
    "trailing-delimiter": b"a,b,\n1,2,\n3,4,\n",
    "nul-byte": b"a,b\n1,\x002\n",
    "bom-semicolon": b"\xef\xbb\xbfa;b\n1;2\n3;4\n",
    "latin-1": "a,b\ncaf\xe9,1\nna\xefve,2\n".encode("latin-1"),
    "utf-16": "a,b\n1,2\n".encode("utf-16"),
    "quotes-inside": b'a,b\n1,x"y"z\n2,"p"q\n',
    "one-column": b"a\n1\n\n2\n",
    "title-rows": b"Report\n\na,b,c\n1,2,3\n4,5,6\n",
    "ragged": b"a,b,c\n1,2\n1,2,3,4,5\n1\n",
    "sniffed-space": b'a, b\n1, 2\n3, "4,5"\n',
    "cr-only-quoted": b'a,b\r1,"x\ry"\r',
    "only-blank-lines": b"\n\n\n",
    "duplicate-header": b"a,a,b\n1,2,3\n",
    "numbers": b"n,m\n1,2.5\n 3 ,1e5\n1_000,NaN\n",
    "blank-first-line": b"\na,b\n1,2\n",
    "two-blank-lines-first": b"\n\na,b\n1,2\n",
    "quoted-newline-header": b'"a\nx",b\n1,2\n',
    "blank-lines-at-end": b"a,b\n1,2\n\n\n\n",
    "crlf-blank": b"a,b\r\n\r\n1,2\r\n",
    "long-integer": b"n\n123456789012345678901234567890123456789012\n",
    "backslash-quote": b'a,b\n1,"x\\"y"\n',
}


@pytest.mark.parametrize("name", sorted(ODD_FILES))
def test_odd_file_with_inferred_descriptor_matches_frictionless(tmp_path, name):
    (tmp_path / "t.csv").write_bytes(ODD_FILES[name])
    inferred = frictionless.describe(str(tmp_path / "t.csv")).to_descriptor()
    resource = {k: v for k, v in inferred.items() if k in ("schema", "dialect", "encoding", "format")}
    resource.update(name="t", path="t.csv")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    assert_same(tmp_path, resource)


@pytest.mark.parametrize("seed", range(6))
def test_invalid_utf8_anywhere_matches_frictionless(tmp_path, seed):
    # frictionless decodes 8 KiB chunks and keeps the rows completed before the bad one: the fast path
    # reproduces it wherever the bad byte falls (short and long files, declared or detected encoding)
    import random

    rng = random.Random(seed)
    lines = ["a,b"] + [f"{i},{'x' * rng.randint(0, 40)}{'é' if rng.random() < 0.1 else ''}"
                       for i in range(rng.choice([50, 3000, 20000]))]
    data = ("\n".join(lines) + "\n").encode()
    cut = rng.randint(0, len(data) - 1)
    (tmp_path / "t.csv").write_bytes(data[:cut] + b"\xff" + data[cut:])
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", "type": "integer"},
                                                                    {"name": "b", "type": "string"}]}}
    if seed % 2:
        resource["encoding"] = "utf-8"
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [resource]}))
    assert_same(tmp_path, resource)
