"""gunicorn's threaded worker, answering the errors gunicorn itself finds (a request line or a header
too long, a malformed request) in the one JSON error shape instead of gunicorn's HTML page."""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

_HINTS = {414: "the request line is too long: send long SQL in a POST body",
          431: "a request header is too long or there are too many headers"}


class _Capture:
    """Stands in for the client socket while gunicorn writes its error page; keeps the bytes."""

    def __init__(self, sock):
        self._sock, self.data = sock, b""

    def sendall(self, data) -> None:
        self.data += bytes(data)

    def send(self, data) -> int:
        self.data += bytes(data)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def json_error(page: bytes) -> bytes:
    """gunicorn's error page (status line, headers, HTML) rewritten as the one JSON error shape."""
    status_line = page.split(b"\r\n", 1)[0].decode("latin-1")
    _, status, reason = (status_line.split(" ", 2) + ["", ""])[:3]
    code = int(status) if status.isdigit() else 400
    message = _HINTS.get(code, reason or "bad request")
    body = json.dumps({"ok": False, "error": {"code": reason.lower().replace(" ", "-") or "bad-request",
                                              "message": message, "details": {}}, "status": code}).encode()
    head = (f"HTTP/1.1 {code} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JsonErrorWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        capture = _Capture(client)
        super().handle_error(req, capture, addr, exc)
        if capture.data:
            try:
                util.write_nonblock(client, json_error(capture.data))
            except OSError:
                self.log.debug("Failed to send error message.")
