"""Minimal stand-in for the engine's suite runner, used only by the data tests.

Loads every resource of a package (and of the other packages, as
``<package_with_underscores>__<resource>``) into SQLite, typed by the schema, with
``_row`` = CSV row number (header = 1), then runs a GX 1.x suite on one table.
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import warnings
from pathlib import Path

SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def _convert(text: str, type_: str):
    if text == "":
        return None
    if type_ == "integer":
        return int(text)
    if type_ == "number":
        return float(text)
    if type_ == "boolean":
        return 1 if text == "true" else 0
    return text


def load_package(conn: sqlite3.Connection, pkg_dir: Path, prefix: str = "") -> None:
    descriptor = json.loads((pkg_dir / "datapackage.json").read_text("utf-8"))
    for res in descriptor["resources"]:
        fields = res["schema"]["fields"]
        table = prefix + res["name"]
        cols = ", ".join(f'"{f["name"]}" {SQL_TYPES.get(f["type"], "TEXT")}' for f in fields)
        conn.execute(f'CREATE TABLE "{table}" (_row INTEGER, {cols})')
        with open(pkg_dir / res["path"], encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows = [[n, *(_convert(v, f["type"]) for v, f in zip(rec, fields))]
                    for n, rec in enumerate(reader, start=2)]
        marks = ", ".join("?" * (len(fields) + 1))
        conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
    conn.commit()


def build_db(db_path: Path, packages_dir: Path, package: str) -> None:
    conn = sqlite3.connect(db_path)
    load_package(conn, packages_dir / package)
    for other in sorted(p for p in packages_dir.iterdir() if (p / "datapackage.json").exists()):
        load_package(conn, other, prefix=other.name.replace("-", "_") + "__")
    conn.close()


def run_suite(packages_dir: Path, package: str, resource: str, suite_path: Path, db_path: Path) -> dict:
    """``{meta name: {"success": bool, "rows": [_row, ...]}}`` for every expectation of the suite."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    build_db(db_path, packages_dir, package)
    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_sqlite("s", connection_string=f"sqlite:///{db_path}")
    asset = ds.add_table_asset(resource, table_name=resource)
    batch = asset.add_batch_definition_whole_table("all").get_batch()
    suite = gx.ExpectationSuite(**json.loads(Path(suite_path).read_text("utf-8")))
    res = batch.validate(suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row"]})
    out = {}
    for r in res.results:
        name = r.expectation_config.meta["name"]
        details = r.result.get("details", {}) or {}
        rows = [u["_row"] for u in details.get("unexpected_rows", []) if "_row" in u]
        rows += [u["_row"] for u in r.result.get("unexpected_index_list", []) or [] if isinstance(u, dict)]
        out[name] = {"success": bool(r.success), "rows": sorted(rows), "result": r.result}
    return out
