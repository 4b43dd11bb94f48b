"""Pages for people: catalog, packages, indicators, provinces, SQL console, releases, in English and Chinese.

Every page is rendered on the server from the same service functions as the API (``series``, ``browse``,
``store``); scripts in /static enhance them (charts, search as you type, keyboard), under a strict CSP."""

from __future__ import annotations

from flask import Flask

from . import catalog, common, console, i18n, indicator, releases


def register(app: Flask) -> None:
    app.add_template_filter(common.number, "number")
    app.add_template_filter(common.safe_link, "safe_link")
    app.add_template_filter(common.text_lang, "text_lang")
    app.add_template_filter(i18n.unit, "unit")
    for module in (catalog, indicator, console, releases):
        app.register_blueprint(module.bp)
