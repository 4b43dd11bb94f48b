"""The SQL console in Chromium: Ctrl+Enter, the rows, the truncated flag, errors beside the kept query."""

from __future__ import annotations

from .helpers import api, assert_clean, navigate, watch


def test_ctrl_enter_runs_the_query_and_shows_the_rows(page, live_url):
    watch(page)
    page.goto(live_url + "/sql")
    sql = "select indicator_id, year, value from observations where preferred and region = 'CN' order by 1, 2"
    page.fill("#sql", sql)
    page.focus("#sql")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    expected = api(live_url, "/api/sql", sql=sql)
    rows = page.locator("#result-table tbody tr")
    assert rows.count() == len(expected["rows"])
    assert page.locator("#result-table thead th").all_inner_texts() == expected["columns"]
    first = expected["rows"][0]
    assert rows.first.locator("td").all_inner_texts()[:2] == [first["indicator_id"], str(first["year"])]
    assert page.input_value("#sql") == sql
    assert page.locator("#truncated").count() == (1 if expected["truncated"] else 0)
    for fmt in ("sql.csv", "sql.ndjson", "sql.parquet"):
        assert page.locator(f"#sql-result a[href^='/api/{fmt}?sql=']").count() >= 1
    assert page.locator("#sql-result a[href$='_stream=on']").count() == 1
    assert_clean(page, live_url)


def test_truncated_answers_say_so(page, live_url):
    page.goto(live_url + "/sql")
    page.fill("#sql", "select * from range(5000)")
    navigate(page, "#run")
    assert page.locator("#truncated").is_visible()
    assert page.locator("#result-table tbody tr").count() == api(live_url, "/api/sql", sql="select 1")["row_limit"]


def test_a_bad_query_shows_its_error_beside_the_kept_text(page, live_url):
    watch(page)
    page.goto(live_url + "/sql")
    bad = "select nothing_here from observations where <script>"
    page.fill("#sql", bad)
    navigate(page, "#run")
    error = page.locator("#sql-error")
    assert error.is_visible() and "invalid-sql" in error.inner_text()
    assert page.input_value("#sql") == bad  # the query stays in the editor
    assert page.locator("#result-table").count() == 0
    page.fill("#sql", "drop table observations")
    navigate(page, "#run")
    assert "read-only" in page.inner_text("#sql-error")
    slow = "select sum(i) from range(50000000000) t(i)"
    page.fill("#sql", slow)
    navigate(page, "#run")  # the time limit stops it: said beside the query, which stays
    assert "query-timeout" in page.inner_text("#sql-error") and page.input_value("#sql") == slow
    assert_clean(page, live_url)


def test_examples_run_and_every_page_links_to_this_data_in_sql(page, live_url):
    page.goto(live_url + "/sql")
    examples = page.locator("a.example")
    assert examples.count() == 5
    for i in range(examples.count()):
        page.goto(live_url + "/sql")
        navigate(page, page.locator("a.example").nth(i))
        assert page.locator("#sql-error").count() == 0
        assert page.locator("#result-table tbody tr").count() > 0
    for path in ("/indicators/medical_basic_insured_total", "/packages/social-assistance"):
        page.goto(live_url + path)
        navigate(page, page.locator("a.sql-link").first)
        assert page.locator("#result-table tbody tr").count() > 0 and page.locator("#sql-error").count() == 0
