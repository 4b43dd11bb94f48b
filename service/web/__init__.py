"""The Flask application: download and query endpoints over the release store."""

from __future__ import annotations

from flask import Flask

from ..config import load_settings
from ..limits import REQUESTS
from .jsontext import JSONProvider


def create_app(overrides: dict | None = None) -> Flask:
    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config["SOCSEC"] = settings
    app.json = JSONProvider(app)
    app.wsgi_app = REQUESTS.wrap(app.wsgi_app)  # the sandbox asks whether it serves other requests

    from . import errors, health, home, indicators, packages, pages, query, releases

    errors.register(app)
    releases.register(app)
    health.register(app)
    app.register_blueprint(home.bp)
    pages.register(app)
    app.register_blueprint(packages.bp, url_prefix="/api")
    app.register_blueprint(packages.bp, url_prefix="/api/releases/<version>", name="versioned_packages")
    app.register_blueprint(query.bp, url_prefix="/api")
    app.register_blueprint(query.bp, url_prefix="/api/releases/<version>", name="versioned_query")
    app.register_blueprint(indicators.bp, url_prefix="/api")
    app.register_blueprint(indicators.bp, url_prefix="/api/releases/<version>", name="versioned_indicators")
    from . import dcat, feed, openapi

    app.register_blueprint(dcat.bp, url_prefix="/api")
    app.register_blueprint(dcat.bp, url_prefix="/api/releases/<version>", name="versioned_dcat")
    app.register_blueprint(openapi.bp, url_prefix="/api")
    app.register_blueprint(feed.bp)
    return app
