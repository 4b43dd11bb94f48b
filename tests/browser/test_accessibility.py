"""Every page passes axe-core (tests/browser/axe/, from npm) in Chromium, in both languages: no violation
of impact "serious" or "critical", with the pages' CSP on and every view of the indicator page shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import api, assert_clean, watch

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text("utf-8")
BLOCKING = ("serious", "critical")
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
}"""


def _pages(base: str) -> list[str]:
    """Every kind of page, each view of a national and a by-province indicator, every package."""
    packages = [entry["name"] for entry in api(base, "/api/packages")["packages"]]
    sql = ("select indicator_id from observations group by indicator_id "
           "order by count(distinct region) = 1 desc, count(*) desc, indicator_id")
    ranked = [row["indicator_id"] for row in api(base, "/api/sql", sql=sql)["rows"]]
    national, regional = ranked[0], ranked[-1]  # the longest national series; one by province
    pages = ["/", "/?q=pension", "/provinces", "/provinces?sort=value&dir=desc", "/sql",
             "/sql?sql=select+*+from+observations+limit+5", "/sql?sql=select+*+from+nowhere", "/releases",
             "/releases/latest"]
    pages += [f"/packages/{name}" for name in packages]
    pages += [f"/indicators/{national}?view={view}" for view in ("chart", "table")]
    pages += [f"/indicators/{regional}?view={view}" for view in ("chart", "table", "map")]
    return pages


def violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE)  # through the DevTools protocol: the page's CSP refuses inline scripts
    return [v for v in page.evaluate(RUN) if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_serious_or_critical_violation_on_any_page(page, live_url, lang):
    watch(page)
    found = {}
    for path in _pages(live_url):
        url = live_url + path + (("&" if "?" in path else "?") + "lang=zh" if lang == "zh" else "")
        assert page.goto(url).status == 200, path
        page.wait_for_load_state("networkidle")
        found[path] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}
    assert_clean(page, live_url)  # axe ran under the CSP and broke none of its rules


def test_axe_finds_a_violation_it_is_shown(page, live_url):
    """The control: on a page made inaccessible on purpose, the same check reports it."""
    page.goto(live_url + "/")
    page.evaluate("""() => { const img = document.createElement('img'); img.src = '/favicon.ico';
                             document.querySelector('main').append(img);
                             document.querySelector('html').removeAttribute('lang'); }""")
    assert {v["id"] for v in violations(page)} >= {"image-alt", "html-has-lang"}
