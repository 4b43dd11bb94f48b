"""The SQL allow-list, checked on DuckDB's own parse tree, over a warehouse built from the repository's
packages: analytical SQL keeps working, everything else is refused by name, and no path leaks."""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

from service.catalog import load_catalog
from service.errors import QueryError
from service.introspection import INFORMATION_SCHEMA
from service.sandbox import Sandbox
from service.sqlguard import Walk, scrub
from service.warehouse import build_warehouse
from tests.conftest import REPO

COVERAGE = "social_insurance_coverage.observations"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    db = tmp_path_factory.mktemp("guard") / "warehouse.duckdb"
    build_warehouse(db, load_catalog(REPO / "datapackages"))
    sandbox = Sandbox(db, max_rows=5000)
    yield sandbox
    sandbox.close()


def _csv(package: str, resource: str) -> list[dict]:
    with open(REPO / "datapackages" / package / "data" / f"{resource}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# Analytical SQL that must keep working: each is run through the guard and compared with the same SQL run
# unchecked (run_trusted); every one must return rows.
LEGIT = [
    f"select indicator_id, year, value from {COVERAGE} order by all",
    (f"select o.indicator_id, i.name_en, count(*) n from {COVERAGE} o join social_insurance_coverage.indicators i "
     "on i.id = o.indicator_id group by all order by all"),
    f"select * from {COVERAGE} o left join social_insurance_coverage.sources s on s.id = o.source_id order by all",
    "select package, count(*) from observations group by package order by package",
    "select count(*) from main.observations",
    'select count(*) from "Social_Insurance_Coverage"."OBSERVATIONS"',
    "select count(*) from warehouse.social_insurance_coverage.observations",
    "select count(*) from warehouse.observations",
    (f"select indicator_id, year, value, lag(value) over (partition by indicator_id order by year) prev, "
     f"row_number() over w rn, avg(value) over (w rows between 1 preceding and current row) "
     f"from {COVERAGE} window w as (partition by indicator_id order by year, source_id) order by all"),
    (f"select indicator_id, year, value from {COVERAGE} "
     "qualify row_number() over (partition by indicator_id order by year desc, source_id) = 1 order by all"),
    (f"with latest as (select indicator_id, max(year) y from {COVERAGE} group by 1), "
     f"picked as (select o.* from {COVERAGE} o join latest l on l.indicator_id = o.indicator_id and o.year = l.y) "
     "select indicator_id, y from latest join picked using (indicator_id) order by all"),
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select n from r order by n",
    "with observations as (select 1 as x) select * from observations",
    "with tables as (select 1 as x), columns as (select 2 as y) select * from tables, columns",
    "select t.user from (select 'u' as user) t",
    "select * from (with a as (select 2 as x) select x from a) t, (with a as (select 3 as y) select y from a) u",
    (f"select * from (select indicator_id, year, value from {COVERAGE} where indicator_id like '%insured%') "
     "pivot (count(*) for year in (2015, 2020)) order by all"),
    ("pivot (select indicator_id, year from social_insurance_coverage.observations) on year in (2015, 2020) "
     "using count(*) order by all"),
    "unpivot (select 'a' k, 1 x, 2 y) on x, y into name col value v order by all",
    ("select [x * 2 for x in range(4) if x > 0], list_transform([1, 2], lambda x: x + 1), {'a': 1, 'b': [2]}.b, "
     "[1, 2, 3][2:], list_sum([1, 2]), list_filter([1, 2, 3], lambda x: x % 2 = 1), "
     "struct_pack(k := 1), map {'k': 2}['k'], list_reduce([1, 2, 3], lambda a, b: a + b)"),
    ("select upper(name_en), lower(name_zh), length(name_zh), left(name_en, 3), concat_ws('/', code, name_zh), "
     "regexp_matches(code, '^CN-[A-Z]{2}$'), regexp_replace(code, 'CN-', ''), regexp_extract(name_en, '^(\\w+)', 1), "
     "split_part(code, '-', 2), name_en.lower(), code || '!' from social_insurance_by_province.regions order by all"),
    ("select make_date(2020, 1, 31) + interval 1 month, date_trunc('year', date '2021-05-06'), "
     "strftime(date '2020-02-29', '%Y/%m'), date_diff('day', date '2020-01-01', date '2021-01-01'), "
     "extract(year from date '2020-01-01'), date_add(date '2020-01-01', interval 1 day), "
     "current_date >= date '2020-01-01', nullif(1, 1), if(true, 'y', 'n')"),
    "select sum(range), count(*) from range(10)",
    "select * from generate_series(1, 3) g(n), unnest(['a', 'b']) u(s) order by all",
    "select unnest(generate_series(1, 3)) as n order by n",
    (f"select indicator_id from {COVERAGE} where year in (select year from social_insurance_funds.observations) "
     f"and exists (select 1 from social_insurance_coverage.indicators i where i.id = indicator_id) order by all"),
    ("select id from social_insurance_coverage.indicators union select id from social_insurance_funds.indicators "
     "except select 'no such id' intersect select id from social_insurance_coverage.indicators order by all"),
    (f"select count(*) filter (where value > 0), string_agg(distinct unit, ',' order by unit), median(value), "
     f"quantile_cont(value, 0.9), arg_max(indicator_id, value) from {COVERAGE}"),
    f"select indicator_id, year, sum(value) from {COVERAGE} group by rollup (indicator_id, year) order by all",
    f"select * exclude (quote, note) replace (round(value, 1) as value) from {COVERAGE} order by all",
    f"select columns('^(indicator_id|year)$') from {COVERAGE} order by all",
    f"select cast(year as varchar) || '-01', try_cast(unit as integer), value::decimal(18, 2) from {COVERAGE}",
    f"select case when value > 1000 then 'big' else 'small' end, coalesce(note, '') from {COVERAGE} order by all",
    f"describe {COVERAGE}",
    "summarize social_insurance_coverage.units",
    "show social_insurance_coverage.units",
    "select * from (describe observations) where column_type = 'DOUBLE' order by all",
    f"select distinct on (indicator_id) indicator_id, year from {COVERAGE} order by indicator_id, year desc",
    "select 1 as one, 'x' as \"quoted name\", 2.5::double as d",
    "values (1, 'a'), (2, 'b')",
    "from social_insurance_coverage.units select unit order by unit",
]


@pytest.mark.parametrize("sql", LEGIT)
def test_analytical_queries_keep_working(box, sql):
    checked = box.run(sql)
    assert checked.rows, "an analytical query that returns rows"
    assert checked.rows == box.run_trusted(sql).rows


def test_analytical_results_are_right(box):
    rows = _csv("social-insurance-coverage", "observations")
    by_year = {}
    for r in rows:
        by_year[int(r["year"])] = by_year.get(int(r["year"]), 0) + 1
    got = box.run(f"select year, count(*) from {COVERAGE} group by all order by year").rows
    assert got == sorted(by_year.items())
    assert box.run("with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) "
                   "select list(n order by n) from r").rows == [([1, 2, 3, 4, 5],)]
    assert box.run("select sum(range) from range(10)").rows == [(45,)]
    assert box.run("with observations as (select 7 as x) select x from observations").rows == [(7,)]
    regions = {r["code"] for r in _csv("social-insurance-by-province", "regions")}
    got = box.run("select code from social_insurance_by_province.regions "
                  "where regexp_matches(code, '^CN(-[A-Z]{2})?$') order by code").rows
    assert [c for (c,) in got] == sorted(c for c in regions if c == "CN" or (len(c) == 5 and c[2] == "-"))


def test_named_parameters_pass(box):
    expected = sum(1 for r in _csv("social-insurance-coverage", "observations") if r["year"] == "2020")
    assert box.run(f"select count(*) from {COVERAGE} where year = $y", {"y": 2020}).rows == [(expected,)]


# What must be refused, with the kind and name the error reports.
HOSTILE = [
    ("select * from read_csv('/etc/passwd')", "table function", "read_csv"),
    ("select * from read_csv_auto('/etc/passwd')", "table function", "read_csv_auto"),
    ("SELECT * FROM READ_PARQUET('x.parquet')", "table function", "read_parquet"),
    ("select * from parquet_scan('x.parquet')", "table function", "parquet_scan"),
    ("select * from read_json('x.json')", "table function", "read_json"),
    ("select * from read_json_auto('x.json')", "table function", "read_json_auto"),
    ("select * from read_ndjson_objects('x.json')", "table function", "read_ndjson_objects"),
    ("from read_text('/etc/hostname')", "table function", "read_text"),
    ("select * from read_blob('/etc/hostname')", "table function", "read_blob"),
    ("select * from glob('/*')", "table function", "glob"),
    ("select * from sniff_csv('/etc/passwd')", "table function", "sniff_csv"),
    ("select * from parquet_metadata('x.parquet')", "table function", "parquet_metadata"),
    ("select * from parquet_schema('x.parquet')", "table function", "parquet_schema"),
    ('select * from "read_csv"(\'/etc/passwd\')', "table function", "read_csv"),
    ("select read_text('/etc/passwd')", "function", "read_text"),
    ("select * from read_csv", "table", "read_csv"),
    ("select * from '/etc/passwd'", "table", "<path>"),
    ("select * from 'data.csv'", "table", "data.csv"),
    ('select * from "/etc/passwd"', "table", "<path>"),
    ("select * from 'file:///etc/passwd'", "table", "file://<path>"),
    ("describe '/etc/passwd'", "table", "<path>"),
    ("select * from duckdb_settings()", "table function", "duckdb_settings"),
    ("select * from Duckdb_Settings()", "table function", "duckdb_settings"),
    ("select * from duckdb_settings", "table", "duckdb_settings"),
    ("select * from duckdb_databases", "table", "duckdb_databases"),
    ("select * from duckdb_databases()", "table function", "duckdb_databases"),
    ("select * from duckdb_extensions()", "table function", "duckdb_extensions"),
    ("select * from duckdb_secrets()", "table function", "duckdb_secrets"),
    ("select * from duckdb_memory()", "table function", "duckdb_memory"),
    ("select * from duckdb_temporary_files()", "table function", "duckdb_temporary_files"),
    ("select * from duckdb_variables()", "table function", "duckdb_variables"),
    ("select * from duckdb_tables", "table", "duckdb_tables"),
    ("select * from main.duckdb_databases", "table", "main.duckdb_databases"),
    ("select * from system.main.duckdb_settings", "table", "system.main.duckdb_settings"),
    ('select * from "System"."Main"."DUCKDB_DATABASES"', "table", "System.Main.DUCKDB_DATABASES"),
    ("select * from pragma_database_list", "table", "pragma_database_list"),
    ("select * from pragma_database_list()", "table function", "pragma_database_list"),
    ("select * from pragma_table_info('observations')", "table function", "pragma_table_info"),
    ("select * from pragma_version()", "table function", "pragma_version"),
    ("select * from pg_catalog.pg_settings", "table", "pg_catalog.pg_settings"),
    ("select * from pg_settings", "table", "pg_settings"),
    ('select * from "PG_CATALOG"."PG_DATABASE"', "table", "PG_CATALOG.PG_DATABASE"),
    ("select * from system.information_schema.tables", "table", "system.information_schema.tables"),
    ('select * from "SYSTEM"."INFORMATION_SCHEMA"."COLUMNS"', "table", "SYSTEM.INFORMATION_SCHEMA.COLUMNS"),
    ("select * from temp.information_schema.schemata", "table", "temp.information_schema.schemata"),
    ("select * from memory.information_schema.views", "table", "memory.information_schema.views"),
    ("select * from information_schema.key_column_usage", "table", "information_schema.key_column_usage"),
    ("select * from information_schema.table_constraints", "table", "information_schema.table_constraints"),
    ("select * from main.information_schema.tables", "table", "main.information_schema.tables"),
    ("with tables as (select 1) select * from main.tables", "table", "main.tables"),
    ("select * from socsec_catalog.nothing", "table", "socsec_catalog.nothing"),
    ("select * from sqlite_master", "table", "sqlite_master"),
    ("select * from temp.main.t", "table", "temp.main.t"),
    ("summarize pg_catalog.pg_settings", "table", "pg_catalog.pg_settings"),
    ("show databases", "node", 'SHOW "databases"'),
    ("show schemas", "node", 'SHOW "schemas"'),
    ("show tables from social_insurance_coverage", "node", "SHOW"),
    ("show duckdb_settings", "table", "duckdb_settings"),
    ('show "x.csv"', "table", "x.csv"),
    ("select current_setting('temp_directory')", "function", "current_setting"),
    ("select getvariable('v')", "function", "getvariable"),
    ("select getenv('HOME')", "function", "getenv"),
    ("select * from query('select 1')", "table function", "query"),
    ("select * from query_table('observations')", "table function", "query_table"),
    ("select json_serialize_plan('select 1')", "function", "json_serialize_plan"),
    ("select * from json_execute_serialized_sql('{}')", "table function", "json_execute_serialized_sql"),
    ("select current_catalog", "keyword", "current_catalog"),
    ("select current_schema", "keyword", "current_schema"),
    ("select user", "keyword", "user"),
    ("select USER", "keyword", "USER"),
    ("select current_user", "keyword", "current_user"),
    ("select session_user", "keyword", "session_user"),
    ("select current_role", "keyword", "current_role"),
    ("select current_user.upper()", "keyword", "current_user"),
    ("select upper(user)", "keyword", "user"),
    ("select current_database()", "function", "current_database"),
    ("select current_schemas(true)", "function", "current_schemas"),
    ("select pg_get_viewdef(1)", "function", "pg_get_viewdef"),
    ("select format_type(23, null)", "function", "format_type"),
    ("select get_block_size('warehouse')", "function", "get_block_size"),
    ("select pg_sleep(1)", "function", "pg_sleep"),
    ("select sleep_ms(1)", "function", "sleep_ms"),
    ("select random()", "function", "random"),
    ("select which_secret('s3://x', 's3')", "function", "which_secret"),
    ("select 1 where exists (select * from duckdb_settings())", "table function", "duckdb_settings"),
    ("select list_transform([1], lambda x: current_setting('threads'))", "function", "current_setting"),
    ("select * from range(3) where (select count(*) from pg_catalog.pg_tables) > 0", "table",
     "pg_catalog.pg_tables"),
    (f"select * from {COVERAGE}, lateral read_csv('/etc/passwd')", "table function", "read_csv"),
    ("select * from (with a as (select 1) select * from a), a", "table", "a"),
    ("with recursive a as (select * from a) select * from a", "table", "a"),
    ('with "x.csv" as (select 1) select * from "x.csv"', "cte", "x.csv"),
    ("with duckdb_tables as (select 1) select * from duckdb_tables", "cte", "duckdb_tables"),
]


@pytest.mark.parametrize("sql,kind,name", HOSTILE)
def test_hostile_queries_are_refused_by_name(box, sql, kind, name):
    with pytest.raises(QueryError) as info:
        box.check(sql)
    error = info.value
    assert error.code == "not-allowed" and error.status == 400
    assert error.details == {"kind": kind, "name": name}
    assert name in error.message


@pytest.mark.parametrize("sql", [sql for sql, _, _ in HOSTILE])
def test_hostile_queries_answer_400_without_a_server_path(client, project, sql):
    response = client.get("/api/sql", query_string={"sql": sql})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "not-allowed"
    for path in (str(project), str(REPO), tempfile.gettempdir() + "/", sys.prefix, str(Path.home()) + "/"):
        assert path not in body


def test_macros_are_allowed_only_when_their_bodies_are(box):
    functions = box._guard.functions
    assert {"nullif", "list_sum", "date_add", "split_part", "generate_subscripts", "pg_typeof"} <= functions
    assert not {"pg_get_viewdef", "format_type", "get_block_size", "current_catalog", "user", "pg_sleep"} & functions
    assert not {f for f in functions if f.startswith(("read_", "duckdb_", "pragma_", "parquet_"))}


def test_allowed_functions_are_pinned(box):
    pinned = {line for line in (REPO / "tests/unit/sql_functions_allowed.txt").read_text().splitlines()
              if line and not line.startswith("# ")}
    assert box._guard.functions == pinned, (
        "DuckDB's inventory changed: regenerate tests/unit/sql_functions_allowed.txt "
        "(see its header) and review every added name")


@pytest.mark.parametrize("tree", [
    {"class": "NEW_EXPRESSION", "type": "NEW_EXPRESSION"},
    {"class": "OPERATOR", "type": "OPERATOR_NEW"},
    {"type": "NEW_TABLE_REF", "table_name": "observations"},
    {"type": "SELECT_NODE", "select_list": [{"class": "DEFAULT", "type": "VALUE_DEFAULT"}]},
])
def test_unknown_node_kinds_are_refused(box, tree):
    walk = Walk(box._guard.functions, box._guard.table_allowed, box._guard.foreign)
    with pytest.raises(QueryError) as info:
        walk.walk(tree, frozenset())
    assert info.value.code == "not-allowed" and info.value.details["kind"] == "node"


def test_errors_are_scrubbed_of_every_server_path(box):
    folder = box.db_path.parent
    with pytest.raises(QueryError) as info:
        box.run_trusted(f"select * from read_csv('{folder}/nothing.csv')")
    assert str(folder) not in info.value.message and "<release>" in info.value.message
    message = scrub(f"at {sys.prefix}/lib/x.py and /srv/data/secret.csv near 'a/b' and 3/4 of ~/notes/x",
                    {sys.prefix: "<python>"})
    assert message == "at <python>/lib/x.py and <path> near 'a/b' and 3/4 of <path>"


def test_guard_costs_about_a_millisecond(box):
    sql = LEGIT[8]
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        box._guard.check(sql)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(f"guard check median {median:.2f} ms")
    assert median < 20


def _inventory(box, sql: str) -> list[tuple]:
    return box.run_trusted(sql).rows


def test_every_other_table_function_is_refused(box):
    names = [n for (n,) in _inventory(box, "select distinct function_name from duckdb_functions() "
                                           "where function_type in ('table', 'table_macro') order by 1")]
    assert len(names) > 50
    for name in names:
        if name in ("range", "generate_series", "unnest"):
            continue
        for sql in (f"select * from {name}()", f'select * from "{name.upper()}"(\'x\')',
                    f"select * from range(1), {name}('/etc/passwd')"):
            with pytest.raises(QueryError) as info:
                box.check(sql)
            assert info.value.code == "not-allowed" and info.value.details["name"] == name


def test_every_system_view_is_refused_however_spelled(box):
    views = _inventory(box, "select database_name, schema_name, view_name from duckdb_views() "
                            "where database_name <> current_database() union all "
                            "select database_name, schema_name, table_name from duckdb_tables() "
                            "where database_name <> current_database()")
    assert len(views) > 40
    for catalog, schema, view in views:
        spellings = [f"{schema}.{view}", f"{catalog}.{schema}.{view}", f'"{schema.upper()}"."{view.upper()}"',
                     f"main.{view}", f"warehouse.{view}", view]
        if schema == "information_schema" and view in INFORMATION_SCHEMA:  # answered by the release's own copy
            spellings = spellings[1:2] + spellings[3:]
        for name in spellings:
            with pytest.raises(QueryError) as info:
                box.check(f"select * from {name}")
            assert info.value.code == "not-allowed" and info.value.details["kind"] == "table"


def test_every_denied_or_side_effecting_function_is_refused(box):
    names = {n for (n,) in _inventory(box, "select distinct lower(function_name) from duckdb_functions() "
                                           "where function_type in ('scalar', 'aggregate', 'macro')")}
    refused = names - box._guard.functions
    assert {"current_setting", "getvariable", "random", "current_database"} <= refused
    for name in refused:
        with pytest.raises(QueryError) as info:
            box.check(f'select "{name}"(1)')
        assert info.value.details == {"kind": "function", "name": name}


def test_pivot_without_its_values_is_refused_with_a_hint(box):
    with pytest.raises(QueryError) as info:
        box.check("pivot observations on year using count(*)")
    assert "IN (...)" in info.value.message


@pytest.mark.parametrize("path", ["/api/sql.csv", "/api/sql.ndjson", "/api/sql.parquet"])
@pytest.mark.parametrize("stream", ["", "on"])
def test_every_format_refuses_the_same(client, path, stream):
    response = client.get(path, query_string={"sql": "select * from pg_catalog.pg_settings", "_stream": stream})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"kind": "table", "name": "pg_catalog.pg_settings"}


def test_deep_queries_are_checked_or_refused_never_crash(box):
    chain = "select " + " + ".join(["1"] * 250)
    assert box.run(chain).rows == [(250,)]
    nested = "select " + "abs(" * 600 + "-1" + ")" * 600
    with pytest.raises(QueryError) as info:
        box.check(nested)
    assert info.value.code == "not-allowed" and info.value.details == {"kind": "node", "name": "depth"}
