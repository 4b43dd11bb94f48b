"""The package and indicator pages, in both languages, link the workbook, Stata, JSON-stat and SDMX files,
and every such link answers."""

from __future__ import annotations

import re

import pytest

FORMATS = re.compile(r'href="(/api/[^"]+\.(?:xlsx|dta|sdmx\.csv|xml|jsonstat(?:\?lang=\w+)?))"')


def _links(html: str) -> set[str]:
    return set(FORMATS.findall(html))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_package_page_links_every_new_download(client, lang):
    html = client.get(f"/packages/social-assistance?lang={lang}").get_data(as_text=True)
    assert _links(html) == {"/api/packages/social-assistance.xlsx",
                            "/api/packages/social-assistance/observations.dta",
                            f"/api/packages/social-assistance/observations.jsonstat?lang={lang}",
                            "/api/packages/social-assistance/observations.sdmx.csv",
                            "/api/sdmx/structure.xml"}
    assert ("Excel 工作簿" in html) == (lang == "zh")
    for url in _links(html):
        assert client.get(url).status_code == 200, url


def test_package_without_observations_links_only_its_workbook(client):
    html = client.get("/packages/policy-milestones").get_data(as_text=True)
    assert _links(html) == {"/api/packages/policy-milestones.xlsx"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_indicator_page_links_jsonstat_sdmx_and_the_workbook(client, lang):
    html = client.get(f"/indicators/dibao_rural_avg_standard?lang={lang}").get_data(as_text=True)
    assert _links(html) == {"/api/packages/social-assistance.xlsx",
                            f"/api/indicators/dibao_rural_avg_standard.jsonstat?lang={lang}",
                            "/api/indicators/dibao_rural_avg_standard.sdmx.csv", "/api/sdmx/structure.xml"}
    for url in _links(html):
        assert client.get(url).status_code == 200, url
