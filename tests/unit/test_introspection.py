"""SQL that describes itself: SHOW TABLES, SHOW ALL TABLES, DESCRIBE, information_schema and version()
answer with the release's own tables, views and columns, exactly, and nothing of DuckDB's own catalog,
other databases, settings or server paths; the ways around it stay refused."""

from __future__ import annotations

import dataclasses
import tempfile

import duckdb
import pytest

from service.catalog import load_catalog, snake
from service.errors import QueryError, ReleaseError
from service.sandbox import Sandbox
from service.warehouse import build_warehouse
from tests.conftest import REPO

PACKAGES = load_catalog(REPO / "datapackages")
# what the release holds, from the descriptors (not from DuckDB): schema -> table -> column names
OWN = {snake(p.name): {snake(r.name): [f["name"] for f in r.schema.get("fields", [])]
                       for r in p.resources if r.path} for p in PACKAGES}
VIEWS = sorted({table for tables in OWN.values() for table in tables})  # main: one view per resource name


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    db = tmp_path_factory.mktemp("introspection") / "warehouse.duckdb"
    build_warehouse(db, PACKAGES)
    sandbox = Sandbox(db, max_rows=5000)
    yield sandbox
    sandbox.close()


def _rows(box, sql: str, params: dict | None = None) -> list[tuple]:
    return box.run(sql, params).rows


def _own_relations() -> set[tuple[str, str, str]]:
    tables = {(schema, table, "BASE TABLE") for schema, tables in OWN.items() for table in tables}
    return tables | {("main", view, "VIEW") for view in VIEWS}


def test_show_tables_lists_the_main_views(box):
    assert [name for (name,) in _rows(box, "show tables")] == VIEWS
    assert [name for (name,) in _rows(box, "SHOW TABLES")] == VIEWS


def test_show_all_tables_lists_every_own_table_with_its_columns(box):
    result = box.run("show all tables")
    assert result.columns == ["database", "schema", "name", "column_names", "column_types", "temporary"]
    got = {(schema, name): columns for database, schema, name, columns, _, temporary in result.rows
           if database == "warehouse" and not temporary}
    assert len(got) == len(result.rows)
    assert {(schema, name) for schema, name, _ in _own_relations()} == set(got)
    for schema, tables in OWN.items():
        for table, columns in tables.items():
            assert got[(schema, table)] == columns


def test_information_schema_tables_is_the_release_exactly(box):
    rows = _rows(box, "select table_catalog, table_schema, table_name, table_type from information_schema.tables")
    assert {catalog for catalog, *_ in rows} == {"warehouse"}
    assert sorted(row[1:] for row in rows) == sorted(_own_relations())


def test_information_schema_schemata_and_views(box):
    schemata = _rows(box, "select catalog_name, schema_name from information_schema.schemata order by 2")
    assert schemata == [("warehouse", name) for name in sorted({"main", *OWN})]
    views = _rows(box, "select table_schema, table_name, view_definition from information_schema.views order by 2")
    assert [(schema, name) for schema, name, _ in views] == [("main", view) for view in VIEWS]
    for _, name, definition in views:
        assert definition.startswith(f"CREATE VIEW {name} AS") and "/" not in definition.replace("//", "")


def test_information_schema_columns_in_order(box):
    rows = _rows(box, "select table_schema, table_name, column_name, ordinal_position, data_type "
                      "from information_schema.columns order by table_schema, table_name, ordinal_position")
    got: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, _, _ in rows:
        got.setdefault((schema, table), []).append(column)
    assert {key for key in got if key[0] != "main"} == {(s, t) for s, tables in OWN.items() for t in tables}
    for schema, tables in OWN.items():
        for table, columns in tables.items():
            assert got[(schema, table)] == columns
    for view in VIEWS:  # a view is the union by name of its packages' tables, with `package` first
        owners = [tables[view] for tables in OWN.values() if view in tables]
        assert got[("main", view)][0] == "package"
        assert set(got[("main", view)][1:]) == {c for columns in owners for c in columns}


def test_describe_keeps_working(box):
    for schema, tables in OWN.items():
        for table, columns in tables.items():
            assert [row[0] for row in _rows(box, f'describe "{schema}"."{table}"')] == columns
    described = [row[0] for row in _rows(box, "describe information_schema.tables")]
    assert described[:3] == ["table_catalog", "table_schema", "table_name"]


@pytest.mark.parametrize("sql", [
    "select table_name from INFORMATION_SCHEMA.TABLES where table_schema = 'main' order by 1",
    'select table_name from "information_schema"."tables" where table_schema = \'main\' order by 1',
    "select table_name from warehouse.information_schema.tables where table_schema = 'main' order by 1",
    "select t.table_name from information_schema.tables t where t.table_schema = 'main' order by 1",
    "select tables.table_name from information_schema.tables where tables.table_schema = 'main' order by 1",
    ("with tables as (select 'not this' as table_name, 'main' as table_schema) "
     "select table_name from information_schema.tables where table_schema = 'main' order by 1"),
    "select name from (show tables) order by 1",
    "select name from (show all tables) where schema = 'main' order by 1",
    "select table_name from information_schema.tables where table_schema = $s order by 1",
])
def test_every_spelling_answers_the_main_views(box, sql):
    params = {"s": "main"} if "$s" in sql else None
    assert [name for (name,) in _rows(box, sql, params)] == VIEWS


def test_nothing_of_duckdb_other_databases_or_paths_appears(box):
    text = repr([_rows(box, sql) for sql in (
        "show tables", "show all tables", "select * from information_schema.schemata",
        "select * from information_schema.tables", "select * from information_schema.columns",
        "select * from information_schema.views")])
    for word in ("system", "temp", "memory", "pg_catalog", "information_schema", "socsec_catalog", "duckdb_",
                 tempfile.gettempdir(), str(REPO), str(box.db_path.parent)):
        assert word not in text


def test_version_answers(box):
    assert _rows(box, "select version()") == [(f"v{duckdb.__version__}",)]


@pytest.mark.parametrize("sql,name", [
    ("select * from system.information_schema.tables", "system.information_schema.tables"),
    ("select * from temp.information_schema.columns", "temp.information_schema.columns"),
    ("select * from information_schema.character_sets", "information_schema.character_sets"),
    ("select * from pg_catalog.pg_tables", "pg_catalog.pg_tables"),
    ("select * from duckdb_tables", "duckdb_tables"),
    ("select * from duckdb_tables()", "duckdb_tables"),
    ("select * from pragma_show_tables()", "pragma_show_tables"),
    ("show databases", 'SHOW "databases"'),
])
def test_a_refused_name_says_how_to_list_what_can_be_read(box, sql, name):
    with pytest.raises(QueryError) as info:
        box.check(sql)
    assert info.value.code == "not-allowed" and info.value.details["name"] == name
    assert "SHOW TABLES" in info.value.message and "/api/packages" in info.value.message


def test_the_rewrite_is_checked_again_and_names_only_the_release(box):
    runs = box.check("select * from information_schema.tables, (show tables)")
    assert "socsec_catalog" in runs and "information_schema" not in runs.lower()
    assert box.check(runs) == runs  # passes the guard unchanged, like any query on the release's own tables


def test_a_release_without_its_catalog_keeps_refusing(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, [p for p in PACKAGES if p.name == "benefit-levels"])
    con = duckdb.connect(str(db))
    con.execute("DROP SCHEMA socsec_catalog CASCADE")
    con.close()
    box = Sandbox(db)
    try:
        for sql in ("show tables", "select * from information_schema.tables"):
            with pytest.raises(QueryError) as info:
                box.check(sql)
            assert info.value.code == "not-allowed"
    finally:
        box.close()


def test_a_package_cannot_take_the_catalog_schema(tmp_path):
    [package] = [p for p in PACKAGES if p.name == "benefit-levels"]
    with pytest.raises(ReleaseError) as info:
        build_warehouse(tmp_path / "warehouse.duckdb", [dataclasses.replace(package, name="socsec-catalog")])
    assert "socsec_catalog" in info.value.message
