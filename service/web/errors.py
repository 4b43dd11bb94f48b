"""One JSON error shape for every endpoint: {"ok": false, "error": {code, message, details}, "status"}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import ServiceError

log = logging.getLogger(__name__)


def error_response(code: str, message: str, status: int, details: dict | None = None):
    body = {"ok": False, "error": {"code": code, "message": message, "details": details or {}},
            "status": status}
    response = jsonify(body)
    response.status_code = status
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        response = error_response(exc.code, exc.message, exc.status, exc.details)
        if exc.status == 503:
            response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "-")
        response = error_response(code, exc.description or exc.name, exc.code or 500)
        for name, value in exc.get_headers():  # Allow on 405, Content-Range on 416, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response("internal-error", "the server failed to answer; the error was logged", 500)
