"""A released package whose every text is hostile: the pages show it as text and run none of it."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import live_server, make_project, socsec

from .helpers import assert_clean, watch

SCRIPT = "<script>window.__xss = 1; alert(1)</script>"
IMG = '<img src=x onerror="window.__xss = 2; alert(2)">'
JS_LINK = "javascript:window.__xss = 3; alert(3)"
EVIL = f"{SCRIPT} {IMG} {JS_LINK}"
NAME = "hostile-package"
INDICATOR = "hostile_indicator"


def _write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _field(name, kind="string"):
    return {"name": name, "type": kind, "description": EVIL, "title": IMG}


def _hostile_package(folder):
    (folder / "data").mkdir(parents=True)
    _write_csv(folder / "data" / "indicators.csv", [
        ["id", "name_en", "name_zh", "unit", "definition"],
        [INDICATOR, f"Hostile {SCRIPT}", f"恶意 {IMG}", f"persons {SCRIPT}", EVIL]])
    _write_csv(folder / "data" / "sources.csv", [
        ["id", "title", "publisher", "url", "reliability", "reliability_rank"],
        ["evil-source", f"Source {SCRIPT}", f"Publisher {IMG}", JS_LINK, f"official {IMG}", "1"],
        ["other-source", f"Other {IMG}", "Other publisher", "javascript:alert(4)", "low", "6"]])
    rows = [["indicator_id", "year", "region", "value", "unit", "value_normalised", "unit_normalised",
             "source_id", "quote", "preferred", "note"]]
    for year in (2018, 2019, 2020):
        for region in ("CN", "CN-BJ", "CN-SH"):
            value = year - 2000 + len(region)
            rows.append([INDICATOR, year, region, value, f"万人 {IMG}", value * 10000, "persons", "evil-source",
                         f"{value} {SCRIPT} {IMG}", "true", EVIL])
    rows.append([INDICATOR, 2019, "CN", 99, "万人", 990000, "persons", "other-source", f"99 {IMG}", "false", EVIL])
    _write_csv(folder / "data" / "observations.csv", rows)
    resources = {
        "indicators": [_field("id"), _field("name_en"), _field("name_zh"), _field("unit"), _field("definition")],
        "sources": [_field("id"), _field("title"), _field("publisher"), _field("url"), _field("reliability"),
                    _field("reliability_rank", "integer")],
        "observations": [_field("indicator_id"), _field("year", "integer"), _field("region"),
                         _field("value", "number"), _field("unit"), _field("value_normalised", "number"),
                         _field("unit_normalised"), _field("source_id"), _field("quote"),
                         _field("preferred", "boolean"), _field("note")],
    }
    descriptor = {
        "name": NAME, "title": f"Hostile {SCRIPT}", "title_zh": f"恶意 {IMG}", "description": EVIL,
        "description_zh": EVIL, "keywords": [SCRIPT], "licenses": [{"name": IMG, "path": JS_LINK}],
        "contributors": [{"title": SCRIPT}],
        "resources": [{"name": name, "path": f"data/{name}.csv", "title": SCRIPT, "description": EVIL,
                       "format": "csv", "schema": {"fields": fields}} for name, fields in resources.items()],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    (folder / "README.md").write_text(
        f"# Hostile\n\n{SCRIPT}\n\n{IMG}\n\n[click me]({JS_LINK})\n\n<a href=\"{JS_LINK}\">raw link</a>\n\n"
        f"![image](http://example.invalid/x.png)\n", "utf-8")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("hostile"), [])
    _hostile_package(root / "datapackages" / NAME)
    assert socsec(root, "expectations", "init", NAME).exit_code == 0
    result = socsec(root, "release")
    assert result.exit_code == 0, result.output
    with live_server(root, "--workers", "1") as url:
        yield url


PAGES = ["/", "/?q=%3Cscript%3E", f"/packages/{NAME}", f"/indicators/{INDICATOR}?point=2019",
         f"/indicators/{INDICATOR}?view=table&lang=zh", f"/indicators/{INDICATOR}?view=map",
         "/provinces", "/sql?sql=select+*+from+observations", "/sql?sql=select+%27%3Cscript%3Ealert(1)%3C/script%3E%27+x+from",
         "/releases/latest"]


def test_hostile_texts_show_as_text_and_run_nothing(page, hostile_url):
    watch(page)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in PAGES:
        response = page.goto(hostile_url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img").count() == 0, path  # no <img> made from data (the pages have none)
        assert page.locator("a[href^='javascript:' i], [onerror], [onclick]").count() == 0, path
        scripts = page.locator("script").evaluate_all("s => s.map(x => [x.type, x.getAttribute('src')])")
        assert all(kind in ("application/json", "application/ld+json") or src == "/static/app.js"
                   for kind, src in scripts), path
        assert_clean(page, hostile_url)
    assert dialogs == []


def test_hostile_texts_are_visible_as_written(page, hostile_url):
    page.goto(hostile_url + "/")
    assert f"Hostile {SCRIPT}" in page.inner_text(f"#pkg-{NAME} h3")
    page.locator("#search").press_sequentially("<img", delay=5)  # search results are built with textContent
    assert page.locator("#search-results li").count() >= 1 and IMG in page.inner_text("#search-results")
    assert page.locator("img").count() == 0
    page.goto(hostile_url + f"/packages/{NAME}")
    assert SCRIPT in page.inner_text("#readme") and IMG in page.inner_text("#readme")
    links = page.locator("#readme a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert links == ["http://example.invalid/x.png"]  # the image as a plain link; no javascript: link at all
    assert json.loads(page.locator("script[type='application/ld+json']").text_content())["name"] == f"Hostile {SCRIPT}"
    page.goto(hostile_url + f"/indicators/{INDICATOR}")
    page.locator("#chart .marker[data-year='2019']").click()
    panel = page.locator("#source-2019")
    assert f"{SCRIPT} {IMG}" in panel.locator("blockquote").first.inner_text()
    assert JS_LINK in panel.locator(".unlinked").inner_text()  # the javascript: address is text, not a link
    assert panel.locator("ul.others li").count() == 2  # the disagreeing source is listed too
    assert page.evaluate("window.__xss") is None
