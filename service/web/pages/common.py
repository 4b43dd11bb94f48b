"""What every page shares: the Content-Security-Policy, language-aware links, rendering, markdown."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from ... import browse
from . import i18n

# no inline script, no eval, no inline style: code and styles come from /static only; data travels in
# <script type="application/json"> blocks, which are never executed
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def blueprint(name: str) -> Blueprint:
    bp = Blueprint(name, __name__)
    bp.after_request(secure)  # errors keep the one JSON shape of every endpoint (service/web/errors.py)
    return bp


def secure(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def page_url(endpoint: str, **params) -> str:
    """A link to a page in the language of this one."""
    language = i18n.lang()
    if language != "en":
        params["lang"] = language
    return url_for(endpoint, **{k: v for k, v in params.items() if v is not None and v != ""})


def switch_url() -> str:
    """This page, with its state, in the other language."""
    args = {k: v for k, v in request.args.items(multi=True) if k != "lang"}
    if i18n.lang() == "en":
        args["lang"] = "zh"
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


def with_args(**changes) -> str:
    """This page with some of its URL state changed (None removes a parameter)."""
    args = {k: v for k, v in request.args.items() if k not in changes}
    args.update({k: v for k, v in changes.items() if v is not None})
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


def render(template: str, **context) -> str:
    language = i18n.lang()
    return render_template(template, lang=language, html_lang=i18n.HTML_LANG[language],
                           t=lambda key: i18n.text(key, language), page_url=page_url,
                           switch_url=switch_url(), with_args=with_args, tiles=browse.TILES,
                           not_covered=browse.NOT_COVERED, **context)


def markdown(text: str) -> Markup:
    """Markdown as HTML with every raw HTML tag escaped, no images (no outside request) and
    only safe link schemes (markdown-it refuses javascript:, vbscript:, file: and data:); headings
    one level down, under the page's own h1."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
        style = token.attrs.pop("style", None) if token.attrs else None
        if style:  # table alignment: a class, not a style attribute the CSP would refuse
            token.attrs["class"] = "align-" + str(style).split(":")[-1].strip()
    return Markup(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def number(value) -> str:
    """A figure with thousands separators and no spurious decimals."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    return str(value)


def text_lang(text: str | None) -> str:
    """The lang of a quote: zh-CN when it has Chinese characters, otherwise en."""
    return "zh-CN" if text and any("\u3400" <= ch <= "\u9fff" for ch in text) else "en"


def safe_link(url: str | None) -> str | None:
    """Only http(s) addresses become links; anything else (javascript:, data:...) is shown as text."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None
