"""Building blocks of the expectation suites: one expectation, a custom-SQL row check, not-null checks."""

from __future__ import annotations


def expectation(type_: str, name: str, description: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"name": name, "description": description}}


def row_check(name: str, description: str, query: str) -> dict:
    query = " ".join(query.split())
    if " JOIN " not in query:
        # GX aliases {batch} itself ("AS subselect") when the query has no JOIN: no alias of our own then
        query = query.replace("FROM {batch} b ", "FROM {batch} ").replace("b.", "")
    return expectation("unexpected_rows_expectation", name, description, unexpected_rows_query=query)


def not_null(*cols: str) -> list[dict]:
    return [expectation("expect_column_values_to_not_be_null", f"{c}-not-null", f"{c} is always given.", column=c) for c in cols]
