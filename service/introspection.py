"""SQL that describes the release: what ``SHOW TABLES`` and ``information_schema`` answer.

DuckDB's own introspection shows its whole instance: the system catalog, other
databases, settings. So at release the warehouse gets one more schema,
``socsec_catalog``, holding copies of ``information_schema.schemata``,
``tables``, ``columns`` and ``views`` and of ``SHOW TABLES`` / ``SHOW ALL
TABLES`` cut to the release's own schemas (computed once, by DuckDB itself);
the query guard (``sqlguard``) points those names at these tables.
"""

from __future__ import annotations

from .errors import ReleaseError

CATALOG_SCHEMA = "socsec_catalog"
# information_schema.<view> -> CATALOG_SCHEMA.<view>, with the columns that name its catalog and schema
INFORMATION_SCHEMA = {"schemata": ("catalog_name", "schema_name"), "tables": ("table_catalog", "table_schema"),
                      "columns": ("table_catalog", "table_schema"), "views": ("table_catalog", "table_schema")}
# SHOW TABLES and SHOW ALL TABLES (as DuckDB parses them) -> the table of CATALOG_SCHEMA that answers them
SHOW = {'"tables"': "show_tables", "__show_tables_expanded": "show_all_tables"}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def describe_release(con) -> None:
    """Write ``socsec_catalog``: DuckDB's own introspection, cut to this database's own schemas."""
    own = (f"{{column}} = current_database() AND {{schema}} NOT IN ({_quote(CATALOG_SCHEMA)}, "
           "'information_schema', 'pg_catalog')")
    if con.execute(f"SELECT count(*) FROM duckdb_schemas() WHERE schema_name = {_quote(CATALOG_SCHEMA)} "
                   "AND database_name = current_database()").fetchone()[0]:
        raise ReleaseError(f"a package's SQL schema is named {CATALOG_SCHEMA}, which the release keeps for its "
                           "own catalog: rename the package; nothing was published")
    con.execute(f"CREATE SCHEMA {CATALOG_SCHEMA}")
    for name, (catalog, schema) in INFORMATION_SCHEMA.items():
        where = own.format(column=catalog, schema=schema)
        order = " ORDER BY table_schema, table_name, ordinal_position" if name == "columns" else " ORDER BY ALL"
        con.execute(f"CREATE TABLE {CATALOG_SCHEMA}.{name} AS "
                    f"SELECT * FROM information_schema.{name} WHERE {where}{order}")
    con.execute(f"CREATE TABLE {CATALOG_SCHEMA}.show_tables AS SELECT * FROM (SHOW TABLES) ORDER BY ALL")
    where = own.format(column='"database"', schema='"schema"')
    con.execute(f"CREATE TABLE {CATALOG_SCHEMA}.show_all_tables AS "
                f"SELECT * FROM (SHOW ALL TABLES) WHERE {where} ORDER BY ALL")
