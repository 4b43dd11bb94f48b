"""What every browser test checks: the page stayed on this server, loaded cleanly, and broke no CSP rule."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

# records every Content-Security-Policy violation the page reports (injected by Playwright, not by the page)
WATCH_CSP = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def api(base: str, path: str, **params) -> dict:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def watch(page) -> None:
    page.add_init_script(WATCH_CSP)


def assert_clean(page, base: str) -> None:
    """No request left the server, none failed, no console error, no CSP violation."""
    outside = [u for u in page.requests_seen if not (u.startswith((base, "data:", "blob:")))]
    assert outside == []
    assert page.failures_seen == []
    errors = [text for kind, text in page.console_messages_seen if kind == "error"]
    assert errors == [], page.url  # a CSP refusal, a failed asset or a script error shows up here
    assert page.evaluate("window.__violations") == []


def preferred(base: str, indicator_id: str, region: str = "CN") -> list[dict]:
    """The preferred series of one region, from the API the page must agree with."""
    data = api(base, f"/api/indicators/{indicator_id}")
    return sorted((p for p in data["series"] if p["region"] == region), key=lambda p: p["year"])


def navigate(page, target) -> None:
    """Click a link or button (a selector or a locator) and wait for the page it loads."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()
