#!/usr/bin/env python3
"""Deterministic generator of a tabular data package for tests and benchmarks.

``generate(path, rows, dirty=False, seed=0)`` writes ``datapackage.json`` and
CSV files under ``path`` and returns the descriptor. The same arguments always
give the same bytes.

Resources: ``regions`` (small lookup table), ``people`` (``rows`` rows: every
field type the validator checks, a primary key, a foreign key to ``regions``
and a self-reference; with ``patterns=True`` its string fields carry pattern
constraints). With ``dirty=True`` errors of every kind are sprinkled
at fixed rows, and three more resources hold file-level problems: ``labels``
(header mismatch, swapped columns, ragged rows), ``empty`` (header only) and
``broken`` (wrong hash and bytes, BOM, invalid UTF-8 late in the file).

CLI: ``python bench/generate.py DIR --rows N [--dirty] [--seed S]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import random

REGIONS = 50
STATUSES = ["new", "active", "closed"]
FIRST = ["Ann", "Bob", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jo"]
LAST = ["Smith", "Jones", "Brown", "Lee", "Khan", "Novak", "Rossi", "Silva"]


def _field(name, type_, **extra):
    return {"name": name, "type": type_, **extra}


# pattern constraints for the string fields of ``people`` (``patterns=True``); the dirty rows break some
PEOPLE_PATTERNS = {"name": r"[A-Z][a-z]+(, | )[A-Z][a-z]+", "status": "(new|active|closed)"}


def people_schema(patterns: bool = False) -> dict:
    schema = {
        "fields": [
            _field("id", "integer", constraints={"required": True}),
            _field("region_id", "integer"),
            _field("name", "string", constraints={"required": True, "maxLength": 40}),
            _field("age", "integer", constraints={"minimum": 0, "maximum": 120}),
            _field("score", "number"),
            _field("active", "boolean"),
            _field("born", "date"),
            _field("updated", "datetime"),
            _field("wake", "time"),
            _field("since", "year"),
            _field("period", "yearmonth"),
            _field("status", "string", constraints={"enum": STATUSES}),
            _field("parent_id", "integer"),
        ],
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["region_id"], "reference": {"resource": "regions", "fields": ["region_id"]}},
            {"fields": ["parent_id"], "reference": {"resource": "", "fields": ["id"]}},
        ],
    }
    for item in schema["fields"] if patterns else []:
        if item["name"] in PEOPLE_PATTERNS:
            item["constraints"] = dict(item.get("constraints", {}), pattern=PEOPLE_PATTERNS[item["name"]])
    return schema


def regions_schema() -> dict:
    return {
        "fields": [
            _field("region_id", "integer"),
            _field("name", "string", constraints={"unique": True}),
            _field("code", "string", constraints={"pattern": "[A-Z]{3}", "minLength": 3}),
        ],
        "primaryKey": ["region_id"],
    }


def _people_row(i: int, rnd: random.Random) -> list[str]:
    name = f"{FIRST[i % len(FIRST)]} {LAST[(i // 10) % len(LAST)]}"
    if i % 97 == 0:
        name = f'"{LAST[i % len(LAST)]}, {FIRST[i % len(FIRST)]}"'  # quoted, with a comma
    day = 1 + i % 28
    return [
        str(i),
        str(1 + i % REGIONS),
        name,
        str(rnd.randrange(0, 100)),
        f"{rnd.random() * 1000:.3f}",
        "true" if i % 3 else "false",
        f"{1940 + i % 60}-{1 + i % 12:02d}-{day:02d}",
        f"2024-{1 + i % 12:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
        f"{i % 24:02d}:{(i * 3) % 60:02d}:00",
        str(1990 + i % 30),
        f"{2000 + i % 20}-{1 + i % 12:02d}",
        STATUSES[i % 3] if i % 11 else "",
        str(i - 1) if i % 5 and i > 1 else "",
    ]


# row index (1-based data row) -> mutation of the cell list; rows are chosen so
# that each problem is isolated and its position is known
def _dirty_people(rows: int) -> dict[int, callable]:
    def setcell(col, value):
        def mutate(cells):
            cells[col] = value
            return cells
        return mutate

    plan = {
        3: setcell(3, "abc"),            # type-error integer
        5: setcell(4, "1.5.2"),          # type-error number
        7: setcell(5, "yes"),            # type-error boolean
        9: setcell(6, "2020-02-30"),     # type-error date
        11: setcell(7, "2020-01-01"),    # type-error datetime
        13: setcell(8, "25:00:00"),      # type-error time
        15: setcell(9, "20x4"),          # type-error year
        17: setcell(10, "2020-13"),      # type-error yearmonth
        19: setcell(3, "150"),           # constraint maximum
        21: setcell(3, "-1"),            # constraint minimum
        23: setcell(2, ""),              # constraint required
        25: setcell(2, "x" * 41),        # constraint maxLength
        27: setcell(11, "bogus"),        # constraint enum
        29: lambda c: c + ["extra", "more"],   # extra-cell x2
        31: lambda c: c[:5],             # missing-cell (ragged)
        33: lambda c: [],                # blank line
        35: lambda c: [""] * len(c),     # blank row (all cells empty)
        37: setcell(0, "36"),            # primary-key duplicate (row 36's id... see below)
        39: setcell(0, "0038"),          # primary-key duplicate, typed ("0038" == 38)
        41: setcell(1, "999"),           # foreign-key to regions
        43: setcell(12, "99999999"),     # foreign-key self-reference
        45: setcell(0, "x1"),            # type-error in the primary key
        47: setcell(3, " 42 "),          # valid: integers are stripped
        49: setcell(4, "1e3"),           # valid: number with exponent
        51: lambda c: c[:2] + ['"multi\nline, name"'] + c[3:],  # quoted newline
        53: lambda c: [],                # second blank line, after a multi-line record
        55: setcell(6, "2020-1-5"),      # valid: strptime accepts one-digit month/day
        57: setcell(5, "TRUE"),          # valid boolean
        59: setcell(4, "NaN"),           # valid number
    }
    # a steady trickle of errors through the whole file (for limit_errors)
    for r in range(100, rows + 1, max(rows // 50, 100)):
        plan.setdefault(r, setcell(3, "n/a"))
    return {r: f for r, f in plan.items() if r <= rows}


def _write_people(path: pathlib.Path, rows: int, dirty: bool, seed: int) -> None:
    rnd = random.Random(seed)
    plan = _dirty_people(rows) if dirty else {}
    header = ",".join(f["name"] for f in people_schema()["fields"])
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        buf = []
        for i in range(1, rows + 1):
            cells = _people_row(i, rnd)
            if i in plan:
                cells = plan[i](cells)
            buf.append(",".join(cells) + "\n")
            if len(buf) >= 10000:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))


def _write_regions(path: pathlib.Path, dirty: bool) -> None:
    lines = ["region_id,name,code"]
    for r in range(1, REGIONS + 1):
        code = "".join(chr(65 + (r * k) % 26) for k in (1, 3, 7))
        lines.append(f"{r},Region {r},{code}")
    if dirty:
        lines[5] = "5,Region 4,EEE"      # unique-error on name (row 6)
        lines[7] = "7,Region 7,ab"       # pattern + minLength (row 8)
        lines.append("3,Region 3b,CCC")  # primary-key duplicate (last row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_dirty_extras(base: pathlib.Path) -> list[dict]:
    # header: swapped columns, blank label, duplicate label, one extra label
    (base / "labels.csv").write_text(
        "b,a,,a,c,e\n1,2,3,4,5,6\n1,2\n1,2,3,4,5,6,7\n\n,,,,,\n", encoding="utf-8")
    (base / "short.csv").write_text("a\n1,2,3\n4\n", encoding="utf-8")
    (base / "empty.csv").write_text("a,b\n", encoding="utf-8")
    data = b"\xef\xbb\xbfa,b\n" + b"".join(b"%d,x%d\n" % (i, i) for i in range(1, 3000))
    data += b"9,caf\xe9\n" + b"10,y\n" * 10      # invalid UTF-8 after 8 KiB
    (base / "broken.csv").write_bytes(data)
    (base / "bom.csv").write_bytes(b"\xef\xbb\xbfa,b\n1,2\nx,3\n")
    (base / "hashed.csv").write_bytes(b"a,b\n1,2\n")
    two = {"fields": [_field("a", "integer"), _field("b", "string")]}
    six = {"fields": [_field(n, "integer") for n in "abcdf"]}
    return [
        {"name": "labels", "path": "labels.csv", "schema": six},
        {"name": "short", "path": "short.csv",
         "schema": {"fields": [_field(n, "integer") for n in "abc"]}},
        {"name": "empty", "path": "empty.csv", "schema": two},
        {"name": "broken", "path": "broken.csv", "encoding": "utf-8", "schema": two},
        {"name": "bom", "path": "bom.csv", "encoding": "utf-8", "schema": two},
        {"name": "hashed", "path": "hashed.csv", "schema": two, "bytes": 99,
         "hash": "sha256:" + hashlib.sha256(b"other").hexdigest()},
        {"name": "hashed-md5", "path": "hashed.csv", "schema": two,
         "hash": hashlib.md5(b"other").hexdigest()},
    ]


def generate(path, rows: int, dirty: bool = False, seed: int = 0, patterns: bool = False) -> dict:
    """Write the package under ``path`` (created) and return its descriptor (``patterns``: the
    string fields of ``people`` carry pattern constraints)."""
    base = pathlib.Path(path)
    base.mkdir(parents=True, exist_ok=True)
    _write_regions(base / "regions.csv", dirty)
    _write_people(base / "people.csv", rows, dirty, seed)
    resources = [
        {"name": "regions", "path": "regions.csv", "schema": regions_schema()},
        {"name": "people", "path": "people.csv", "schema": people_schema(patterns)},
    ]
    if dirty:
        resources += _write_dirty_extras(base)
    descriptor = {"name": "bench-dirty" if dirty else "bench", "resources": resources}
    (base / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    return descriptor


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--patterns", action="store_true", help="pattern constraints on people's strings")
    args = parser.parse_args(argv)
    generate(args.path, args.rows, dirty=args.dirty, seed=args.seed, patterns=args.patterns)


if __name__ == "__main__":
    main()
