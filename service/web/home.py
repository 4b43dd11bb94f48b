"""The favicon, the release history and the validation reports (the pages for people are in pages/)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_file

from .releases import cache_headers, release_for, store

bp = Blueprint("home", __name__)


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")


@bp.get("/api/releases")
def releases():
    current = store().current_version()
    items = []
    for version in reversed(store().versions()):
        meta = store().release(version).meta
        items.append({"version": version, "created": meta["created"], "current": version == current,
                      "previous": meta.get("previous"), "packages": sorted(meta["packages"]),
                      "url": f"/api/releases/{version}"})
    return jsonify({"current": current, "releases": items})


@bp.get("/api/releases/<version>")
def release(version: str):
    meta = release_for(version).meta
    return cache_headers(jsonify(meta), version)


@bp.get("/api/validation.<any(json, html):ext>", defaults={"version": None})
@bp.get("/api/releases/<version>/validation.<any(json, html):ext>")
def validation(ext: str, version: str | None):
    path = release_for(version).path / f"validation.{ext}"
    mimetype = "application/json" if ext == "json" else "text/html; charset=utf-8"
    response = send_file(path, mimetype=mimetype, conditional=True)
    if ext == "html":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return cache_headers(response, version)
