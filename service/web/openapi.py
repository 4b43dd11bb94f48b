"""The OpenAPI 3.1 contract of the HTTP API at `/api/openapi.json` (being written)."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi_json():
    return jsonify({"openapi": "3.1.0", "info": {"title": "socsec", "version": "0.1.0"}, "paths": {}})
