"""One error hierarchy for everything socsec raises on purpose.

Validation problems are *findings* in a report (see ``validation.report``),
not exceptions: exceptions are for what cannot be done at all.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error socsec raises on purpose.

    ``code`` is kebab-case and stable; ``status`` is the HTTP status the web
    layer answers with; ``details`` is JSON-serialisable context.
    """

    code = "service-error"
    status = 500

    def __init__(self, message: str, *, details: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class ConfigError(ServiceError):
    code = "config-error"


class NotFound(ServiceError):
    code = "not-found"
    status = 404


class PackageError(ServiceError):
    """A package cannot be read at all (no descriptor, unreadable descriptor)."""

    code = "package-error"
    status = 400


class SuiteError(ServiceError):
    """An expectation suite cannot be loaded."""

    code = "suite-error"
    status = 400


class ReleaseError(ServiceError):
    code = "release-error"
    status = 409


class ValidationFailed(ReleaseError):
    """Release refused because validation found problems."""

    code = "validation-failed"


class ReleaseLocked(ReleaseError):
    code = "release-locked"


class PullFailed(ReleaseError):
    """`socsec pull` could not bring the origin's release in; the local store is as it was."""

    code = "pull-failed"
    status = 502


class StoreError(ServiceError):
    code = "store-error"


class NoRelease(StoreError):
    code = "no-release"
    status = 503


class ReleaseCorrupt(StoreError):
    """The release no longer matches its manifest (bit rot, a changed file): it is not served."""

    code = "release-corrupt"
    status = 503


class QueryError(ServiceError):
    """A query was refused or failed; the message is safe to show."""

    code = "invalid-sql"
    status = 400


class QueryTimeout(QueryError):
    code = "query-timeout"
    status = 400


class QueryBusy(QueryError):
    """Too many queries are running at once in this process; the client may retry."""

    code = "too-many-queries"
    status = 503


class HeavyBusy(QueryBusy):
    """A query outlived the short budget and the heavy class of this process is full; retry later."""

    code = "too-many-heavy-queries"


class QueryCancelled(QueryError):
    """The client went away; the query was interrupted (nobody reads this answer)."""

    code = "query-cancelled"
    status = 499
