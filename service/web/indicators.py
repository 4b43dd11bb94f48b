"""Indicators: the registry entry and its series, from the release's DuckDB views."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("indicators", __name__)
