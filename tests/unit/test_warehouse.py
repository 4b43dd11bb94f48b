"""The release's DuckDB file: small row groups, sorted by the primary key, the file's own catalog name."""

from __future__ import annotations

import json
import random

import duckdb
import pytest

from service.catalog import load_package
from service.warehouse import ROW_GROUP_ROWS, build_warehouse

ROWS = 3 * ROW_GROUP_ROWS + 1234


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pkg") / "lookup-test"
    (folder / "data").mkdir(parents=True)
    keys = [(f"I{i:03d}", f"R{r:02d}", y) for i in range(ROWS // 400 + 1) for r in range(20) for y in range(20)][:ROWS]
    random.Random(7).shuffle(keys)  # the CSV is out of order: the table is sorted by the key
    lines = ["indicator_id,region_code,year,value"] + [f"{i},{r},{2000 + y},{n}" for n, (i, r, y) in enumerate(keys)]
    (folder / "data" / "obs.csv").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "lookup-test", "resources": [{
            "name": "obs", "path": "data/obs.csv", "format": "csv",
            "schema": {"fields": [{"name": "indicator_id", "type": "string"}, {"name": "region_code", "type": "string"},
                                  {"name": "year", "type": "integer"}, {"name": "value", "type": "integer"}],
                       "primaryKey": ["indicator_id", "region_code", "year"]}}]}), "utf-8")
    db = folder.parent / "warehouse.duckdb"
    counts = build_warehouse(db, [load_package(folder)])
    return db, counts


def test_row_groups_hold_at_most_the_set_rows(warehouse):
    db, counts = warehouse
    assert counts == {"lookup-test": {"obs": ROWS}}
    con = duckdb.connect(str(db), read_only=True)
    try:
        groups = con.execute("select count(distinct row_group_id) from pragma_storage_info('lookup_test.obs')"
                             ).fetchone()[0]
        assert groups == -(-ROWS // ROW_GROUP_ROWS) == 4  # not the one group DuckDB's default would make
        lookup = "select * from lookup_test.obs where indicator_id = 'I050' and region_code = 'R03'"
        assert len(con.execute(lookup).fetchall()) == 20
        plan = con.execute("explain analyze " + lookup).fetchall()[0][1]
        assert "Row Groups Scanned: 1 / 4" in plan  # a key lookup reads one group of four
    finally:
        con.close()


def test_table_is_sorted_by_key_under_the_files_own_catalog(warehouse):
    db, _ = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = con.execute("select indicator_id, region_code, year from warehouse.lookup_test.obs").fetchall()
        assert keys == sorted(keys) and len(keys) == ROWS
        assert con.execute("select count(*) from main.obs").fetchone()[0] == ROWS  # the union view
        assert con.execute("select current_database()").fetchone()[0] == "warehouse"
    finally:
        con.close()
