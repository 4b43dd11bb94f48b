"""The pages a person sees, in a real browser: offline, under a strict CSP, in two languages."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from tests.conftest import REPO, edit_csv, make_project, socsec

from .helpers import api, assert_clean, navigate, watch

PACKAGES = sorted(p.name for p in (REPO / "datapackages").iterdir() if p.is_dir())
PAGES = ["/", "/packages/social-insurance-coverage", "/packages/social-insurance-by-province",
         "/indicators/medical_basic_insured_total", "/indicators/prov_maternity_beneficiaries?view=map",
         "/provinces", "/sql", "/sql?sql=select+1+as+one", "/releases", "/releases/latest"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_loads_cleanly_under_a_strict_csp(page, live_url, lang):
    watch(page)
    for path in PAGES:
        url = live_url + path + (("&" if "?" in path else "?") + "lang=zh" if lang == "zh" else "")
        response = page.goto(url)
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")
        assert page.locator("h1").count() == 1
        # the stylesheet applied (a CSP refusal would leave the page unstyled)
        assert page.eval_on_selector("header.site", "h => getComputedStyle(h).display") == "flex"
        assert_clean(page, live_url)


def test_csp_blocks_an_injected_inline_script(page, live_url):
    """The control for the check above: the browser really enforces the policy on these pages."""
    watch(page)
    page.goto(live_url + "/")
    ran = page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                                   document.body.append(s); return window.__ran === 1; }""")
    assert ran is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))


def test_home_lists_every_package_with_status_coverage_and_downloads(page, live_url):
    page.goto(live_url + "/")
    catalog = api(live_url, "/api/packages")
    assert page.locator("article.card").count() == len(catalog["packages"]) == len(PACKAGES)
    for entry in catalog["packages"]:
        card = page.locator(f"#pkg-{entry['name']}")
        assert card.locator(".badge.ok").count() == 1
        assert card.locator(f"a[href='{entry['zip']}']").count() == 1
        for resource in entry["resources"]:
            assert card.locator(f"a[href='{resource['csv']}']").count() == 1
            assert card.locator(f"a[href='{resource['parquet']}']").count() == 1
    years = api(live_url, "/api/sql", sql="select min(year) as a, max(year) as b from observations "
                                          "where package = 'social-insurance-by-province'")["rows"][0]
    coverage = page.locator("#pkg-social-insurance-by-province .facts").inner_text()
    assert f"{years['a']}–{years['b']}" in coverage


@pytest.mark.parametrize("typed, expected", [("养老", "pension"), ("dibao_urban", "dibao_urban_recipients"),
                                             ("households", "dibao_urban_households"),
                                             ("Maternity", "maternity_insured")])
def test_search_finds_packages_and_indicators_as_you_type(page, live_url, typed, expected):
    page.goto(live_url + "/")
    page.locator("#search").press_sequentially(typed, delay=10)
    results = page.locator("#search-results li")
    assert results.count() > 0
    hrefs = [results.nth(i).locator("a").get_attribute("href") for i in range(results.count())]
    assert any(expected in href for href in hrefs)
    assert f"q={typed}" in page.url or "q=%" in page.url  # the search is in the URL
    page.locator("#search").fill("no such thing at all")
    assert page.locator("#search-results li").count() == 0 and page.locator("#search-none").is_visible()


def test_package_page_has_schema_preview_validation_history_and_json_ld(page, live_url):
    name = "social-insurance-coverage"
    page.goto(live_url + f"/packages/{name}")
    descriptor = api(live_url, f"/api/packages/{name}")
    for resource in descriptor["resources"]:
        section = page.locator(f"#res-{resource['name']}")
        fields = section.locator("table.schema tbody tr")
        assert fields.count() == len(resource["schema"]["fields"])
        assert section.locator("table.preview thead th").count() == len(resource["schema"]["fields"])
        assert section.locator("a.sql-link").count() == 1
    assert page.locator("#readme h1, #readme h2").count() > 0  # the README rendered as HTML
    assert page.locator("#validation .badge.ok").count() == 1
    assert page.locator("#history tbody tr").count() == len(api(live_url, "/api/releases")["releases"])
    ld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert ld["@type"] == "Dataset" and ld["name"] == descriptor["title"]
    assert any(d["contentUrl"].endswith(f"/api/packages/{name}.zip") for d in ld["distribution"])


def test_download_button_fetches_a_file_whose_sha256_matches_the_descriptor(page, live_url, tmp_path):
    name = "social-insurance-coverage"
    page.goto(live_url + f"/packages/{name}")
    descriptor = api(live_url, f"/api/packages/{name}")
    resource = next(r for r in descriptor["resources"] if r["name"] == "observations")
    with page.expect_download() as info:
        page.click(f"#res-observations a[href='/api/packages/{name}/observations.csv']")
    target = tmp_path / "observations.csv"
    info.value.save_as(target)
    assert "sha256:" + hashlib.sha256(target.read_bytes()).hexdigest() == resource["hash"]
    with page.expect_download() as info:
        page.click(f"a[href='/api/packages/{name}.zip']")
    info.value.save_as(tmp_path / "package.zip")
    inside = json.loads(zipfile.ZipFile(tmp_path / "package.zip").read(f"{name}/datapackage.json"))
    assert {r["name"] for r in inside["resources"]} == {r["name"] for r in descriptor["resources"]}


def test_release_page_latest_and_pinned(page, live_url):
    releases = api(live_url, "/api/releases")
    current = releases["current"]
    page.goto(live_url + "/releases/latest")
    assert current in page.inner_text("h1")
    navigate(page, "#permalink")
    assert page.url.endswith(f"/releases/{current}")
    meta = api(live_url, f"/api/releases/{current}")
    manifest_rows = page.locator("#manifest tbody tr").count()
    assert manifest_rows > 10 and page.locator("#manifest code", has_text="warehouse.duckdb").count() == 1
    changes = page.locator("#changes-table tbody tr").count()
    assert changes == sum(len(r) for r in meta["packages"].values() for r in [r["resources"]])
    assert page.locator("#report tbody tr").count() == len(meta["packages"])


def test_language_switch_keeps_the_page_and_its_state(page, live_url, disputed):
    data = api(live_url, f"/api/indicators/{disputed}")
    years = sorted(p["year"] for p in data["series"] if p["region"] == "CN")
    first, point = years[1], years[2]
    page.goto(live_url + f"/indicators/{disputed}?view=table&from={first}")
    assert page.inner_text("#tab-table") == "Table"
    page.locator(f".point-link[data-year='{point}']").first.click()  # state changed in the page: a point chosen
    navigate(page, "#lang-switch")
    assert page.get_attribute("html", "lang") == "zh-CN"
    for part in ("view=table", f"from={first}", f"point={point}", "lang=zh"):
        assert part in page.url
    assert page.inner_text("#tab-table") == "表格"
    assert page.locator("h1 > span").first.inner_text() == data["indicator"]["name_zh"]
    assert page.locator(f"#source-{point}").is_visible()
    navigate(page, "#lang-switch")
    assert page.get_attribute("html", "lang") == "en" and "lang=" not in page.url and f"point={point}" in page.url
    assert page.locator("h1 > span").first.inner_text() == data["indicator"]["name_en"]


def test_pages_are_readable_on_a_phone(browser, live_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ("/", "/indicators/medical_basic_insured_total", "/provinces", "/sql?sql=select+*+from+observations"):
            page.goto(live_url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, path  # nothing wider than the screen: wide tables scroll in their box
    finally:
        context.close()


def test_release_validation_report_renders_offline(page, live_url):
    watch(page)
    page.goto(live_url + "/api/validation.html")
    assert "Valid: every package passed." in page.inner_text("body")
    assert page.locator("h2").count() == len(PACKAGES)
    assert page.eval_on_selector("table", "t => getComputedStyle(t).borderCollapse") == "collapse"
    assert_clean(page, live_url)


def test_failing_report_lists_every_finding_from_a_file(page, tmp_path):
    root = make_project(tmp_path, ["social-insurance-coverage"])
    data = root / "datapackages" / "social-insurance-coverage" / "data" / "observations.csv"
    edit_csv(data, 4, "year", "MMXX")
    edit_csv(data, 7, "quote", "no number here")
    out = tmp_path / "report.html"
    result = socsec(root, "validate", "--html", str(out))
    assert result.exit_code == 1
    findings = json.loads(socsec(root, "validate", "--json").output)["packages"][0]["findings"]
    page.goto(out.as_uri())
    assert page.locator("table").nth(1).locator("tr").count() == len(findings) + 1
    assert "type-error" in page.inner_text("body") and "expectation-failed" in page.inner_text("body")
    outside = [u for u in page.requests_seen if not u.startswith("file:")]
    assert outside == []
