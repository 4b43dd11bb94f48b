"""An origin: a release store's copy served over plain HTTP (a web server, a bucket, a CDN).

Nothing runs socsec there: it serves ``CURRENT`` and ``releases/<version>/...`` as files, with
``Range`` and ``ETag`` if it can. A URL may carry credentials (``https://user:secret@host/store``
or a token in the query); they are sent (Basic auth, the query on every request) but never shown:
messages and logs use ``Origin.display``, which has neither.
"""

from __future__ import annotations

import base64
import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from .errors import ConfigError


@dataclass(frozen=True)
class Answer:
    """One answer of the origin: status, headers we use, and the open response (None when there is no body)."""

    status: int
    etag: str | None
    length: int | None
    body: http.client.HTTPResponse | None = field(default=None, repr=False)

    def read_all(self, limit: int = 1 << 24) -> bytes:
        data = self.body.read(limit + 1) if self.body else b""
        if len(data) > limit:
            raise OriginError(f"answer longer than {limit} bytes")
        return data

    def close(self) -> None:
        if self.body is not None:
            self.body.close()


class OriginError(Exception):
    """The origin could not give a file: the reason, in words, without the URL's secrets."""


def redact(url: str) -> str:
    """``url`` without user, password and query values (``?token=***``)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = "&".join(f"{key}=***" for key, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class Origin:
    def __init__(self, url: str, timeout_s: float = 30.0):
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"origin {redact(url)!r} is not an http(s) URL",
                              details={"origin": redact(url)})
        self.base = urllib.parse.urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2],
                                             parts.path.rstrip("/") + "/", "", ""))
        self.query = parts.query
        self.auth = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.display = redact(url).rstrip("/")
        self.timeout_s = timeout_s

    def url(self, path: str) -> str:
        full = urllib.parse.urljoin(self.base, urllib.parse.quote(path))
        return f"{full}?{self.query}" if self.query else full

    def get(self, path: str, *, offset: int = 0, etag: str | None = None) -> Answer:
        """GET ``path`` (from byte ``offset``; conditional on ``etag``). 304 comes back as an answer;
        any other status outside 2xx, and any network failure, raises OriginError."""
        request = urllib.request.Request(self.url(path), headers={"Accept-Encoding": "identity"})
        if self.auth:  # not carried over a redirect, which may lead to another host
            request.add_unredirected_header("Authorization", self.auth)
        if offset:
            request.add_header("Range", f"bytes={offset}-")
        if etag:
            request.add_header("If-None-Match", etag)
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout_s)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                return Answer(304, exc.headers.get("ETag") or etag, None)
            if exc.code == 416 and offset:
                return Answer(416, None, None)
            raise OriginError(f"the origin answered {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise OriginError(f"the origin cannot be reached ({describe(exc)})") from None
        length = response.headers.get("Content-Length")
        return Answer(response.status, response.headers.get("ETag"),
                      int(length) if length and length.isdigit() else None, response)


def describe(exc: BaseException) -> str:
    """A network failure in words, without a URL."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        exc = reason
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text
