"""The pages a person sees, in a real browser: offline, under a strict CSP, with working downloads."""

from __future__ import annotations

import json
import zipfile

from tests.conftest import REPO, edit_csv, make_project, socsec

PACKAGES = sorted(p.name for p in (REPO / "datapackages").iterdir() if p.is_dir())


def _only_local(page, base: str) -> None:
    outside = [u for u in page.requests_seen if not (u.startswith(base) or u.startswith("data:")
                                                     or u.startswith("file:"))]
    assert outside == []
    errors = [text for kind, text in page.console_messages_seen if kind == "error"]
    assert errors == []  # a CSP violation or a failed asset shows up here


def test_index_lists_every_package_with_styles_under_the_csp(page, live_url, tmp_path):
    response = page.goto(live_url + "/")
    assert response.status == 200 and "default-src 'none'" in response.headers["content-security-policy"]
    assert page.inner_text("h1") == "socsec"
    rows = page.locator("table tr").count()
    assert rows == len(PACKAGES) + 1
    for name in PACKAGES:
        assert page.locator(f"code:text-is('{name}')").count() == 1
    assert page.eval_on_selector("table", "t => getComputedStyle(t).borderCollapse") == "collapse"
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    _only_local(page, live_url)


def test_zip_link_downloads_the_validated_package(page, live_url, tmp_path):
    page.goto(live_url + "/")
    with page.expect_download() as info:
        page.click("a[href='/api/packages/social-insurance-coverage.zip']")
    target = tmp_path / "coverage.zip"
    info.value.save_as(target)
    archive = zipfile.ZipFile(target)
    descriptor = json.loads(archive.read("social-insurance-coverage/datapackage.json"))
    assert {r["name"] for r in descriptor["resources"]} >= {"indicators", "sources", "observations"}


def test_release_validation_report_renders_offline(page, live_url):
    page.goto(live_url + "/api/validation.html")
    assert "Valid: every package passed." in page.inner_text("body")
    assert page.locator("h2").count() == len(PACKAGES)
    assert page.eval_on_selector("table", "t => getComputedStyle(t).borderCollapse") == "collapse"
    _only_local(page, live_url)


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
    _only_local(page, out.as_uri())
