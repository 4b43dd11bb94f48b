"""Debian's Chromium driven by Playwright (the live server `live_url` is in tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records console messages and every request it makes."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.console_messages_seen = []
    page.requests_seen = []
    page.failures_seen = []
    page.on("console", lambda m: page.console_messages_seen.append((m.type, m.text)))
    page.on("pageerror", lambda e: page.console_messages_seen.append(("error", str(e))))
    page.on("request", lambda r: page.requests_seen.append(r.url))
    page.on("requestfailed", lambda r: page.failures_seen.append((r.url, r.failure)))
    page.on("response", lambda r: r.status >= 400 and page.failures_seen.append((r.url, r.status)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def disputed(live_url) -> str:
    """A national indicator with sources that disagree in some year (the longest such series), by the API."""
    from .helpers import api

    sql = ("select indicator_id, count(distinct year) as years from observations where region = 'CN' "
           "and indicator_id in (select indicator_id from observations where region = 'CN' "
           "group by indicator_id, year having count(distinct value_normalised) > 1) "
           "group by indicator_id order by years desc, indicator_id limit 1")
    rows = api(live_url, "/api/sql", sql=sql)["rows"]
    assert rows and rows[0]["years"] >= 4, "the release has no national series where sources disagree"
    return rows[0]["indicator_id"]
