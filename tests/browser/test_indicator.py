"""The indicator page and the provinces page against `/api/indicators/<id>`, in Chromium."""

from __future__ import annotations

import csv
import io

from .helpers import api, assert_clean, navigate, preferred, watch


def _regional(base: str) -> tuple[str, int, list[str]]:
    """The by-province indicator with most values, its latest year and that year's regions, from the API."""
    items = [i for i in api(base, "/api/indicators")["indicators"] if i["id"].startswith("prov_")]
    chosen = max(items, key=lambda i: (i["observations"], i["id"]))["id"]
    series = [p for p in api(base, f"/api/indicators/{chosen}")["series"] if p["region"] != "CN"]
    year = max(p["year"] for p in series)
    return chosen, year, sorted(p["region"] for p in series if p["year"] == year)


def test_chart_has_one_point_per_year_of_the_preferred_series(page, live_url, disputed):
    watch(page)
    page.goto(live_url + f"/indicators/{disputed}")
    series = preferred(live_url, disputed)
    markers = page.locator("#chart .marker")
    assert markers.count() == len(series) > 3
    assert [int(markers.nth(i).get_attribute("data-year")) for i in range(markers.count())] == [
        p["year"] for p in series]
    assert page.locator("#chart canvas").count() >= 1  # uPlot drew the line
    assert f"{len(series)}" in page.inner_text("#chart-alt")  # the text alternative
    package = api(live_url, f"/api/indicators/{disputed}")["observations"][0]["package"]
    coverage = api(live_url, f"/api/packages/{package}").get("coverage", [])
    entry = next((c for c in coverage if c.get("indicator_id") == disputed), None)
    if entry:  # the descriptor's coverage, when the package has one, is said on the page
        assert f"{entry['first_year']}–{entry['last_year']}" in page.inner_text("#coverage")
    assert_clean(page, live_url)


def test_clicking_a_point_shows_its_source_and_quote_in_the_panel(page, live_url, disputed):
    page.goto(live_url + f"/indicators/{disputed}")
    observations = api(live_url, f"/api/indicators/{disputed}")["observations"]
    disputed = sorted({o["year"] for o in observations if o["region"] == "CN" and not o["preferred"]
                       and o["value_normalised"] != next(p["value_normalised"] for p in observations
                                                         if p["year"] == o["year"] and p["preferred"]
                                                         and p["region"] == "CN")})
    year = disputed[0]
    chosen = next(o for o in observations if o["year"] == year and o["preferred"] and o["region"] == "CN")
    marker = page.locator(f"#chart .marker[data-year='{year}']")
    assert "disagree" in marker.get_attribute("class")
    marker.click()
    panel = page.locator(f"#source-{year}")
    assert panel.is_visible() and page.locator("#source-panel .source:visible").count() == 1
    assert chosen["quote"] in panel.locator("blockquote").first.inner_text()
    assert chosen["source_publisher"] in panel.inner_text()
    # a year where sources disagree lists every value, each with its quote
    others = [o for o in observations if o["year"] == year and o["region"] == "CN"]
    assert panel.locator("ul.others li").count() == len(others)
    assert f"point={year}" in page.url


def test_keyboard_focus_and_arrows_show_each_points_quote(page, live_url, disputed):
    page.goto(live_url + f"/indicators/{disputed}")
    series = preferred(live_url, disputed)
    quotes = {o["year"]: o["quote"] for o in api(live_url, f"/api/indicators/{disputed}")["observations"]
              if o["region"] == "CN" and o["preferred"]}
    page.focus("#tab-chart")
    page.keyboard.press("Tab")  # from the view tabs straight to the first point
    first = series[0]["year"]
    assert page.evaluate("document.activeElement.dataset.year") == str(first)
    assert quotes[first] in page.locator(f"#source-{first} blockquote").first.inner_text()
    page.keyboard.press("ArrowRight")
    second = series[1]["year"]
    assert page.evaluate("document.activeElement.dataset.year") == str(second)
    assert page.locator(f"#source-{second}").is_visible() and not page.locator(f"#source-{first}").is_visible()
    assert quotes[second] in page.locator(f"#source-{second} blockquote").first.inner_text()


def test_table_view_lists_the_same_values_as_the_api(page, live_url, disputed):
    page.goto(live_url + f"/indicators/{disputed}")
    page.click("#tab-table")
    assert "view=table" in page.url and page.locator("#panel-table").is_visible()
    assert not page.locator("#panel-chart").is_visible()
    rows = page.locator("#series-table tbody tr")
    shown = [(int(rows.nth(i).get_attribute("data-year")), float(rows.nth(i).get_attribute("data-value")))
             for i in range(rows.count())]
    assert shown == [(p["year"], p["value_normalised"]) for p in preferred(live_url, disputed)]
    sources = rows.locator("td:nth-child(4)").all_inner_texts()
    assert all(p["source_id"] in text for p, text in zip(preferred(live_url, disputed), sources))


def test_downloads_hold_exactly_what_is_shown(page, live_url, disputed, tmp_path):
    years = [p["year"] for p in preferred(live_url, disputed)]
    first, last = years[1], years[-2]
    page.goto(live_url + f"/indicators/{disputed}?from={first}&to={last}")
    expected = [p for p in preferred(live_url, disputed) if first <= p["year"] <= last]
    assert page.locator("#chart .marker").count() == len(expected)
    with page.expect_download() as info:
        page.click(".shown-download[data-format='csv']")
    info.value.save_as(tmp_path / "shown.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "shown.csv").read_text("utf-8"))))
    assert [(int(r["year"]), float(r["value_normalised"]), r["source_id"]) for r in rows] == [
        (p["year"], p["value_normalised"], p["source_id"]) for p in expected]
    with page.expect_download() as info:
        page.click(".shown-download[data-format='json']")
    info.value.save_as(tmp_path / "shown.json")
    import json
    points = json.loads((tmp_path / "shown.json").read_text("utf-8"))["points"]
    assert [p["year"] for p in points] == [p["year"] for p in expected]


def test_map_view_and_provinces_page_show_every_region_of_the_chosen_year(page, live_url):
    watch(page)
    chosen, year, regions = _regional(live_url)
    page.goto(live_url + f"/indicators/{chosen}?view=map&year={year}")
    tiles = page.locator("#panel-map .tile[data-value]")
    assert sorted(tiles.nth(i).get_attribute("data-region") for i in range(tiles.count())) == [
        r for r in regions if page.locator(f"#panel-map .tile[data-region='{r}']").count()]
    page.goto(live_url + f"/provinces?indicator={chosen}&year={year}")
    rows = page.locator("#province-table tbody tr")
    assert sorted(rows.nth(i).get_attribute("data-region") for i in range(rows.count())) == regions
    values = [float(v) for v in rows.evaluate_all("rs => rs.map(r => r.children[1].textContent.replace(/,/g, ''))")]
    assert values == sorted(values, reverse=True)  # sorted by value, highest first
    navigate(page, "#province-table thead th:first-child a")  # sort by region
    codes = [page.locator("#province-table tbody tr").nth(i).get_attribute("data-region") for i in range(rows.count())]
    assert codes == sorted(codes)
    assert "Hong Kong, Macau and Taiwan are not covered" in page.inner_text(".note")
    assert page.locator(".tile.uncovered").count() == 3
    other = api(live_url, f"/api/indicators/{chosen}")["series"]
    earlier = min(p["year"] for p in other if p["region"] != "CN")
    page.select_option("#year-select", str(earlier))  # the year control reloads with the new year
    page.wait_for_url(f"**year={earlier}**")
    assert rows.count() == len({p["region"] for p in other if p["year"] == earlier and p["region"] != "CN"})
    assert_clean(page, live_url)


def test_region_and_years_are_view_state_in_the_url(page, live_url):
    chosen, _year, regions = _regional(live_url)
    region = regions[0]
    page.goto(live_url + f"/indicators/{chosen}")
    page.select_option("select[name=region]", region)  # the controls reload the page with the new state
    page.wait_for_url(f"**region={region}**")
    series = preferred(live_url, chosen, region)
    assert page.locator("#chart .marker").count() == len(series) > 0
    page.select_option("select[name=from]", str(series[-1]["year"]))
    page.wait_for_url(f"**from={series[-1]['year']}**")
    assert "region=" + region in page.url and page.locator("#chart .marker").count() == 1
