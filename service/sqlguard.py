"""What an untrusted SELECT may touch, decided on the tree DuckDB itself parses.

The query is parsed by the sandbox's own (locked) DuckDB instance with
``json_serialize_sql``: parse only, nothing is bound or run. The whole tree is
walked; a node kind the walker was not written for is refused. Allowed are:

- the release's own tables and views, resolved as DuckDB resolves names
  (``t``, ``schema.t``, ``catalog.schema.t``, any case, quoted or not);
- CTE names in scope (a recursive CTE sees itself in its recursive part only);
- the table functions ``range``, ``generate_series`` and ``unnest``;
- scalar, aggregate and window functions from DuckDB's own inventory
  (``duckdb_functions()``) minus ``DENIED`` and minus those with side effects;
  a built-in macro only if its body passes the same walk.

Everything else (file readers, catalog and settings views and functions,
``FROM 'file.csv'``, variables, ``query()``...) is refused with a
``QueryError`` of code ``not-allowed`` that names what was refused.

``SHOW TABLES``, ``SHOW ALL TABLES`` and ``information_schema.schemata``,
``tables``, ``columns`` and ``views`` (unqualified or in the release's own
catalog) are pointed at the release's own copies (``introspection``): the tree
is rewritten, turned back into SQL by DuckDB, and that SQL is checked again
like any other query; it is what runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from .errors import QueryError
from .introspection import CATALOG_SCHEMA, INFORMATION_SCHEMA, SHOW

TABLE_FUNCTIONS = frozenset({"generate_series", "range", "unnest"})

# Bare words DuckDB binds as calls when no column of that name is in scope (its GetSQLValueFunction).
KEYWORD_CALLS = {
    "current_catalog": "current_catalog", "current_date": "current_date", "current_role": "current_role",
    "current_schema": "current_schema", "current_time": "get_current_time",
    "current_timestamp": "get_current_timestamp", "current_user": "current_user",
    "localtime": "current_localtime", "localtimestamp": "current_localtimestamp",
    "session_user": "session_user", "user": "user",
}

# Functions the binder handles itself, outside duckdb_functions().
BINDER_FUNCTIONS = frozenset({"unnest", "unlist"})

# Files, settings, variables, the environment, SQL run from SQL, the catalog's and the session's
# facts, logs and profiling: refused whatever DuckDB's inventory says of them.
DENIED = frozenset({
    "current_catalog", "current_database", "current_query", "current_role", "current_schema",
    "current_schemas", "current_setting", "current_user", "get_block_size", "getenv", "getvariable",
    "glob", "in_search_path", "index_key", "json_deserialize_sql", "json_serialize_plan",
    "json_serialize_sql", "parse_duckdb_log_message", "query", "query_table", "session_user",
    "sniff_csv", "txid_current", "user", "which_secret", "write_log",
})
DENIED_PREFIXES = ("__internal", "checkpoint", "disable_", "duckdb_", "enable_", "force_checkpoint",
                   "json_execute", "parquet_", "pragma_", "read_")

EXPRESSIONS = {
    "BETWEEN": {"COMPARE_BETWEEN"}, "CASE": {"CASE_EXPR"}, "CAST": {"OPERATOR_CAST"},
    "COLLATE": {"COLLATE"}, "COLUMN_REF": {"COLUMN_REF"},
    "COMPARISON": {"COMPARE_EQUAL", "COMPARE_NOTEQUAL", "COMPARE_LESSTHAN", "COMPARE_GREATERTHAN",
                   "COMPARE_LESSTHANOREQUALTO", "COMPARE_GREATERTHANOREQUALTO",
                   "COMPARE_DISTINCT_FROM", "COMPARE_NOT_DISTINCT_FROM"},
    "CONJUNCTION": {"CONJUNCTION_AND", "CONJUNCTION_OR"}, "CONSTANT": {"VALUE_CONSTANT"},
    "FUNCTION": {"FUNCTION"}, "LAMBDA": {"LAMBDA"},
    "OPERATOR": {"OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN",
                 "COMPARE_NOT_IN", "OPERATOR_COALESCE", "ARRAY_EXTRACT", "ARRAY_SLICE",
                 "STRUCT_EXTRACT", "ARRAY_CONSTRUCTOR", "OPERATOR_TRY", "GROUPING_FUNCTION"},
    "PARAMETER": {"VALUE_PARAMETER"}, "POSITIONAL_REFERENCE": {"POSITIONAL_REFERENCE"},
    "STAR": {"STAR"}, "SUBQUERY": {"SUBQUERY"}, "TYPE": {"TYPE"},
    "WINDOW": {"WINDOW_AGGREGATE", "WINDOW_ROW_NUMBER", "WINDOW_FIRST_VALUE", "WINDOW_LAST_VALUE",
               "WINDOW_NTH_VALUE", "WINDOW_RANK", "WINDOW_RANK_DENSE", "WINDOW_PERCENT_RANK",
               "WINDOW_CUME_DIST", "WINDOW_LEAD", "WINDOW_LAG", "WINDOW_NTILE", "WINDOW_FILL"},
}
QUERY_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE"})
TABLE_REFS = frozenset({"BASE_TABLE", "EMPTY", "EXPRESSION_LIST", "JOIN", "PIVOT", "SHOW_REF",
                        "SUBQUERY", "TABLE_FUNCTION"})
CLAUSES = frozenset({"ORDER_MODIFIER", "LIMIT_MODIFIER", "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER",
                     "ORDER_DEFAULT", "ASCENDING", "DESCENDING"})
SHOW_TYPES = frozenset({"DESCRIBE", "SHOW", "SUMMARY"})

_PLAIN_NAME = re.compile(r"^\w+$")
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~>-])(?:/[^\s'\"/]+){2,}/?|~(?:/[^\s'\"/]+)+/?")


LISTING = "SHOW TABLES lists what can be read, and so does /api/packages"


def refuse(kind: str, name: str, message: str) -> QueryError:
    name = scrub(name)
    return QueryError(message.format(name=name), code="not-allowed", details={"kind": kind, "name": name})


def scrub(message: str, known: dict[str, str] | None = None) -> str:
    """Replace every known server path by its label, then anything that looks like an absolute path."""
    for path, label in sorted((known or {}).items(), key=lambda item: -len(item[0])):
        if len(path) > 1:
            message = message.replace(path, label)
    return _ABSOLUTE_PATH.sub("<path>", message)


def parse(cursor, sql: str) -> dict:
    """DuckDB's own parse tree of ``sql`` (nothing bound, nothing run)."""
    text = cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]
    try:
        tree = json.loads(text)
    except RecursionError:  # Python's JSON reader recurses: about 300 levels of nested expressions
        raise QueryError("the query nests too deeply to be checked: flatten its expressions or subqueries",
                         code="not-allowed", details={"kind": "node", "name": "depth"}) from None
    if tree.get("error"):
        raise QueryError(scrub(str(tree.get("error_message") or "the query cannot be parsed")))
    return tree


class SqlGuard:
    """The allow-list of one release's DuckDB instance, read once from it."""

    def __init__(self, con):
        self._con = con
        cursor = con.cursor()
        try:
            self.catalog = cursor.execute("SELECT lower(current_database())").fetchone()[0]
            self.tables = _own_tables(cursor)
            self.foreign = _foreign_names(cursor)
            self.functions = _allowed_functions(cursor, self.foreign)
        finally:
            cursor.close()
        # releases built before socsec_catalog existed keep refusing SHOW TABLES and information_schema
        self.describes = (CATALOG_SCHEMA, "tables") in self.tables

    def check(self, sql: str) -> str:
        """Refuse ``sql`` unless everything it names is on the allow-list; returns the SQL to run
        (``sql`` itself, or the rewrite that points introspection at the release's own catalog)."""
        cursor = self._con.cursor()
        try:
            tree = parse(cursor, sql)
            walk = Walk(self.functions, self.table_allowed, self.foreign, self.redirect)
            walk.walk(tree.get("statements", []), frozenset())
            if not walk.redirected:
                return sql
            rewritten = cursor.execute("SELECT json_deserialize_sql(?)", [json.dumps(tree)]).fetchone()[0]
            Walk(self.functions, self.table_allowed, self.foreign).walk(
                parse(cursor, rewritten).get("statements", []), frozenset())
            return rewritten
        except duckdb.Error as exc:  # the parse itself failed (memory, interrupt): say so, no 500
            raise QueryError(scrub(str(exc))) from None
        finally:
            cursor.close()

    def redirect(self, catalog: str, schema: str, name: str) -> str | None:
        """The table of the release's own catalog that answers ``information_schema.<name>``, if any."""
        if self.describes and catalog.lower() in ("", self.catalog) and schema.lower() == "information_schema":
            return name.lower() if name.lower() in INFORMATION_SCHEMA else None
        return None

    def table_allowed(self, catalog: str, schema: str, name: str) -> bool:
        """Whether DuckDB resolves this name to one of the release's own tables or views."""
        catalog, schema, name = catalog.lower(), schema.lower(), name.lower()
        if catalog:
            return catalog == self.catalog and (schema or "main", name) in self.tables
        if not schema:
            return ("main", name) in self.tables
        if schema in self.foreign["catalogs"] or schema in self.foreign["schemas"]:
            return False
        return (schema, name) in self.tables or (schema == self.catalog and ("main", name) in self.tables)


class Walk:
    """One walk of a parse tree, with an explicit stack (a deep tree cannot exhaust Python's):
    raises at the first thing not allowed. Each stacked item carries the CTE names in its scope."""

    def __init__(self, functions: frozenset[str], table_allowed, foreign: dict[str, set[str]], redirect=None):
        self.functions = functions
        self.table_allowed = table_allowed
        self.foreign = foreign
        self.redirect = redirect  # (catalog, schema, name) -> a table of CATALOG_SCHEMA, or None
        self.redirected = False

    def walk(self, value, scope: frozenset[str]) -> None:
        stack = [(value, scope)]
        while stack:
            value, scope = stack.pop()
            if isinstance(value, list):
                stack.extend((item, scope) for item in reversed(value))
            elif isinstance(value, dict):
                stack.extend(reversed(self.visit(value, scope)))

    def visit(self, node: dict, scope: frozenset[str]) -> list[tuple]:
        """Check one node; return its children to walk, each with its scope."""
        if "class" in node:
            return self.expression(node, scope)
        if isinstance(node.get("type"), str):
            return self.typed(node, scope)
        if {"id", "type_info"} <= node.keys() or {"is_null", "value"} <= node.keys():
            return []  # a type or a value: leaves
        return [(v, scope) for v in node.values()]  # a plain holder

    def typed(self, node: dict, scope: frozenset[str]) -> list[tuple]:
        kind = node["type"]
        if kind in QUERY_NODES:
            return self.query(node, scope)
        if kind not in TABLE_REFS and kind not in CLAUSES:
            raise refuse("node", kind, "query construct {name} is not supported here")
        if kind == "BASE_TABLE":
            self.table(node, scope)
        elif kind == "TABLE_FUNCTION":
            return self.table_function(node, scope)
        elif kind == "SHOW_REF":
            return self.show(node)
        return [(v, scope) for k, v in node.items() if k != "type"]

    def query(self, node: dict, scope: frozenset[str]) -> list[tuple]:
        children = []
        for entry in (node.get("cte_map") or {}).get("map", []):
            name = entry["key"].lower()
            if not _PLAIN_NAME.match(name) or name in self.foreign["relations"]:
                raise refuse("cte", entry["key"], "CTE name {name} is not allowed here: choose a plain, unused name")
            children.append((entry["value"], scope))  # sees the CTEs before it, not itself
            scope = scope | {name}
        rest = [k for k in node if k not in ("cte_map", "type")]
        if node["type"] == "RECURSIVE_CTE_NODE":  # only its recursive part sees its own name
            children.append((node.get("left"), scope))
            scope = scope | {node["cte_name"].lower()}
            rest.remove("left")
        return children + [(node[k], scope) for k in rest]

    def table(self, node: dict, scope: frozenset[str]) -> None:
        catalog, schema, name = node.get("catalog_name", ""), node.get("schema_name", ""), node["table_name"]
        if not catalog and not schema and name.lower() in scope:
            return
        target = self.redirect and self.redirect(catalog, schema, name)
        if target:
            self.point(node, target, node.get("alias") or name)
        elif not self.table_allowed(catalog, schema, name):
            path = (node.get("qualified_name") or {}).get("path") or [catalog, schema, name]
            dotted = ".".join(part for part in path if part)
            raise refuse("table", dotted, "table {name} is not available here: only the release's own "
                                          f"tables and views can be read ({LISTING})")

    def point(self, node: dict, table: str, alias: str) -> None:
        """Rewrite a table reference (or a SHOW) in place to read ``CATALOG_SCHEMA.table``."""
        aliases = node.get("column_name_alias") or []
        node.clear()
        node.update({"type": "BASE_TABLE", "alias": alias, "sample": None,
                     "query_location": 18446744073709551615, "query_location_length": 0,
                     "schema_name": CATALOG_SCHEMA, "table_name": table, "column_name_alias": aliases,
                     "catalog_name": "", "at_clause": None, "qualified_name": {"path": [CATALOG_SCHEMA, table]}})
        self.redirected = True

    def show(self, node: dict) -> list[tuple]:
        """DESCRIBE, SHOW or SUMMARIZE of an own table or of a query; SHOW TABLES and SHOW ALL TABLES
        pointed at the release's own catalog; not SHOW DATABASES and the like."""
        table = SHOW.get(node.get("table_name", "")) if node.get("show_type") == "SHOW_SPECIAL" else None
        if table and self.redirect and self.redirect("", "information_schema", "tables"):
            self.point(node, table, node.get("alias") or "")
            return []
        if node.get("show_type") not in SHOW_TYPES or not (node.get("table_name") or node.get("query")):
            raise refuse("node", f"SHOW {node.get('table_name', '')}".strip(),
                         "{name} is not available here: DESCRIBE or SUMMARIZE a table or a query, "
                         f"or SHOW TABLES ({LISTING})")
        if node.get("table_name"):
            self.table(node, frozenset())
        return [(node.get("query"), frozenset())]  # bound on its own: outer CTEs are not in its scope

    def table_function(self, node: dict, scope: frozenset[str]) -> list[tuple]:
        function = node["function"]
        name = function.get("function_name", "").lower()
        if function.get("class") != "FUNCTION" or function.get("schema") or name not in TABLE_FUNCTIONS:
            raise refuse("table function", name or "?", "table function {name}() is not available here: "
                                                         "only range(), generate_series() and unnest() are; "
                                                         f"{LISTING}")
        return ([(v, scope) for k, v in function.items() if k not in ("class", "type")]
                + [(v, scope) for k, v in node.items() if k not in ("function", "type")])

    def expression(self, node: dict, scope: frozenset[str]) -> list[tuple]:
        klass, kind = node["class"], node.get("type")
        if kind not in EXPRESSIONS.get(klass, ()):
            raise refuse("node", f"{klass}/{kind}", "query construct {name} is not supported here")
        if klass == "COLUMN_REF":
            self.column(node["column_names"])
        elif klass in ("FUNCTION", "WINDOW"):
            self.function(node)
        return [(v, scope) for k, v in node.items() if k not in ("class", "type")]

    def column(self, names: list[str]) -> None:
        if len(names) == 1 and names[0].lower() in KEYWORD_CALLS:
            call = KEYWORD_CALLS[names[0].lower()]
            if call not in self.functions:
                raise refuse("keyword", names[0], "{name} is not available here (DuckDB runs it as the "
                                                  f"function {call}()); for a column of that name write t.{{name}}")

    def function(self, node: dict) -> None:
        name = node.get("function_name", "").lower()
        if name not in self.functions:
            raise refuse("function", name, "function {name}() is not available here")
        path = (node.get("qualified_name") or {}).get("path") or []
        if len(path) > 1:
            self.column(path[:-1])  # `x.upper()` is upper(x): x is a column (or a bare keyword)


def _own_tables(cursor) -> set[tuple[str, str]]:
    rows = cursor.execute(
        "SELECT lower(schema_name), lower(table_name) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND NOT temporary "
        "UNION SELECT lower(schema_name), lower(view_name) FROM duckdb_views() "
        "WHERE database_name = current_database() AND NOT temporary AND NOT internal").fetchall()
    return {(schema, name) for schema, name in rows}


def _foreign_names(cursor) -> dict[str, set[str]]:
    """Catalogs, schemas and relations outside the release: no name of theirs may pass as ours."""
    def column(sql: str) -> set[str]:
        return {row[0] for row in cursor.execute(sql).fetchall()}
    return {
        "catalogs": column("SELECT lower(database_name) FROM duckdb_databases() "
                           "WHERE database_name <> current_database()"),
        "schemas": column("SELECT lower(schema_name) FROM duckdb_schemas() "
                          "WHERE database_name <> current_database() AND schema_name <> 'main'"),
        # reachable without a schema (DuckDB's search path: main, then pg_catalog)
        "relations": column("SELECT lower(view_name) FROM duckdb_views() WHERE database_name <> current_database() "
                            "AND schema_name IN ('main', 'pg_catalog') UNION SELECT lower(table_name) "
                            "FROM duckdb_tables() WHERE database_name <> current_database()"),
    }


def denied(name: str) -> bool:
    return name in DENIED or name.startswith(DENIED_PREFIXES)


def _allowed_functions(cursor, foreign: dict[str, set[str]]) -> frozenset[str]:
    """DuckDB's scalar, aggregate and window functions minus the denied and the side-effecting, and
    its macros whose every body passes the walk (no table allowed in a body), until no more pass."""
    rows = cursor.execute(
        "SELECT lower(function_name), bool_or(has_side_effects), bool_or(function_type = 'macro'), "
        "list(json_serialize_sql('SELECT ' || macro_definition)) FILTER (WHERE function_type = 'macro') "
        "FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'window', 'macro') "
        "GROUP BY ALL").fetchall()
    allowed = {name for name, effects, macro, _ in rows if not (effects or macro or denied(name))}
    allowed |= BINDER_FUNCTIONS
    macros = {name: [json.loads(tree) for tree in trees]
              for name, effects, macro, trees in rows if macro and not (effects or denied(name))}
    while True:  # a macro may call another macro: allow until nothing more passes
        known = frozenset(allowed)
        passing = {name for name in macros.keys() - known if _passes(known, foreign, macros[name])}
        if not passing:
            return known
        allowed |= passing


def _passes(functions: frozenset[str], foreign: dict[str, set[str]], trees: list[dict]) -> bool:
    walk = Walk(functions, lambda *name: False, foreign)
    try:
        for tree in trees:
            if tree.get("error"):
                return False
            walk.walk(tree["statements"], frozenset())
    except QueryError:
        return False
    return True


def known_paths(*paths: Path | str) -> dict[str, str]:
    """Labels for the server paths a message must never show: the given ones, the temp dir, the
    Python prefix and its site-packages, the home folder, the working folder, the code's folder."""
    import site
    import sys
    import tempfile

    labelled = [(tempfile.gettempdir(), "tmp"), (sys.prefix, "python"), (sys.base_prefix, "python"),
                (Path.home(), "home"), (Path.cwd(), "cwd"), (Path(__file__).resolve().parent.parent, "code")]
    labelled += [(p, "python") for p in getattr(site, "getsitepackages", list)()]
    labelled += [(p, "release") for p in paths if p]
    known = {}
    for path, label in labelled:  # as given (maybe relative) and resolved
        known[str(path)] = known[str(Path(path).resolve())] = f"<{label}>"
    return known


INVENTORY_HEADER = """\
# The functions an untrusted SELECT may call (service/sqlguard.py), one a line, for this DuckDB.
# A test holds the guard's allowed set to this list, so a DuckDB upgrade cannot add one unseen.
# Regenerate (then read the diff before committing):
#   .venv/bin/python -m service.sqlguard > tests/unit/sql_functions_allowed.txt"""


if __name__ == "__main__":
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    print(INVENTORY_HEADER)
    print(f"# duckdb {duckdb.__version__}")
    print("\n".join(sorted(SqlGuard(con).functions)))
