"""Release notes: rows added, removed and changed per resource against the previous release.

Compared in DuckDB between the new warehouse and the previous one (attached
read-only). With a primary key, a row is matched by its key: added, removed,
or changed when any cell differs. Without one, rows are compared whole
(added and removed only).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .catalog import Package, snake
from .introspection import CATALOG_SCHEMA
from .warehouse import quote_ident


def diff_releases(new_db: Path, old_db: Path | None, packages: list[Package]) -> dict:
    con = duckdb.connect(str(new_db), read_only=True)
    try:
        if old_db is not None:
            con.execute(f"ATTACH '{old_db.as_posix()}' AS prev (READ_ONLY)")
        old_tables = _tables(con, "prev") if old_db is not None else set()
        changes: dict[str, dict] = {}
        for package in packages:
            entry = changes.setdefault(package.name, {})
            for resource in package.resources:
                if resource.path:
                    key = (snake(package.name), snake(resource.name))
                    entry[resource.name] = _diff_table(con, key, key in old_tables, resource.primary_key)
        for schema, table in sorted(old_tables - _tables(con, None)):
            changes.setdefault(schema, {})[table] = {"status": "removed"}
        return changes
    finally:
        con.close()


def _tables(con, catalog: str | None) -> set[tuple[str, str]]:
    where = f"database_name = '{catalog}'" if catalog else "database_name = current_database()"
    return {(s, t) for s, t in con.execute(
        f"SELECT schema_name, table_name FROM duckdb_tables() WHERE {where}").fetchall()
        if s != CATALOG_SCHEMA}


def _diff_table(con, key: tuple[str, str], existed: bool, primary_key: list[str]) -> dict:
    new = f"{quote_ident(key[0])}.{quote_ident(key[1])}"
    rows = con.execute(f"SELECT count(*) FROM {new}").fetchone()[0]
    if not existed:
        return {"status": "new", "rows": rows, "added": rows, "removed": 0, "changed": 0}
    old = f"prev.{new}"
    same_columns = _columns(con, new) == _columns(con, old)
    if primary_key and same_columns:
        using = ", ".join(quote_ident(k) for k in primary_key)
        added = con.execute(f"SELECT count(*) FROM {new} ANTI JOIN {old} USING ({using})").fetchone()[0]
        removed = con.execute(f"SELECT count(*) FROM {old} ANTI JOIN {new} USING ({using})").fetchone()[0]
        differing = con.execute(f"SELECT count(*) FROM (SELECT * FROM {new} EXCEPT SELECT * FROM {old})"
                                ).fetchone()[0]
        changed = differing - added
    elif same_columns:
        added = con.execute(f"SELECT count(*) FROM (SELECT * FROM {new} EXCEPT ALL SELECT * FROM {old})"
                            ).fetchone()[0]
        removed = con.execute(f"SELECT count(*) FROM (SELECT * FROM {old} EXCEPT ALL SELECT * FROM {new})"
                              ).fetchone()[0]
        changed = None
    else:
        return {"status": "schema-changed", "rows": rows}
    status = "unchanged" if not (added or removed or changed) else "changed"
    return {"status": status, "rows": rows, "added": added, "removed": removed, "changed": changed}


def _columns(con, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


def render_notes(version: str, previous: str | None, changes: dict) -> str:
    lines = [f"# Release {version}", ""]
    lines.append(f"Compared with release {previous}." if previous else "The first release.")
    lines.append("")
    lines.append("| package | resource | status | rows | added | removed | changed |")
    lines.append("| --- | --- | --- | ---: | ---: | ---: | ---: |")
    for package, resources in sorted(changes.items()):
        for resource, c in sorted(resources.items()):
            cells = [c.get(k) for k in ("rows", "added", "removed", "changed")]
            shown = ["" if v is None else str(v) for v in cells]
            lines.append(f"| {package} | {resource} | {c['status']} | " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n"
