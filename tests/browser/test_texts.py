"""Both languages have every text; the templates use no key the catalog lacks (no browser needed)."""

from __future__ import annotations

import re
from pathlib import Path

from service.web.pages import i18n
from service.web.pages.common import markdown, safe_link

TEMPLATES = Path(i18n.__file__).resolve().parent.parent / "templates"


def test_every_text_exists_in_english_and_chinese():
    for key, (en, zh) in i18n.TEXTS.items():
        assert en.strip() and zh.strip(), key
        assert en.count("{") == zh.count("{"), key  # the same placeholders
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), key


def test_templates_use_only_known_keys():
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*\)""", template.read_text("utf-8")))
    assert used and used <= set(i18n.TEXTS)


def test_markdown_escapes_html_and_refuses_unsafe_links():
    html = markdown("# T\n\n<script>x()</script> [a](javascript:x()) [b](https://example.org) ![i](http://e/i.png)")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="https://example.org"' in html
    assert "<img" not in html and "<h2>T</h2>" in html  # headings one level down, images as links
    table = markdown("| a | b |\n| --- | ---: |\n| 1 | 2 |")
    assert "style=" not in table and 'class="align-right"' in table  # no inline style for the CSP to refuse


def test_only_http_addresses_become_links():
    assert safe_link("https://www.gov.cn/x") == "https://www.gov.cn/x"
    for bad in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil", "", None):
        assert safe_link(bad) is None
