"""`GET /healthz`: which release is served and whether it verifies against its manifest.

The answer comes from the check ``service.integrity`` runs once per process and release, so it is
fast after the first call; the check of the current release starts in the background when the app
is created. 200 when the current release verifies; 503 in the one error shape otherwise (no
release, still verifying, or corrupt, with the files that differ, relative to the release).
On a replica (setting ``origin``) the answer also has ``replica``: the origin, the release it announced,
``pending`` when this replica does not serve that one yet, and why (from ``service.replica``'s poller).
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify

from .. import __version__
from .. import replica as replicas
from ..errors import ServiceError
from ..integrity import check_for
from ..origin import redact
from ..store import Store
from .errors import error_response
from .releases import settings, store

bp = Blueprint("health", __name__)
WAIT_S = 0.5  # how long /healthz waits for a check under way before saying so


@bp.get("/healthz")
def healthz():
    try:
        release = store().current()
    except ServiceError as exc:
        replica = _replica(None)
        if replica is None:
            return _unhealthy(exc.code, exc.message, {})
        why = replica["reason"] or "the first pull has not finished"
        return _unhealthy(exc.code, f"no release yet: this replica serves once its first pull from "
                          f"{replica['origin']} succeeds ({why})", {"replica": replica})
    check = check_for(release, background=True)
    check.done.wait(WAIT_S)
    state = check.to_dict()
    replica = _replica(release.version)
    if replica is not None:
        state["replica"] = replica
    if state["verified"] is None:
        return _unhealthy("release-verifying", f"release {release.version} is being verified against "
                          "its manifest; ask again in a moment", state)
    if not state["verified"]:
        return _unhealthy("release-corrupt", f"release {release.version} does not match its manifest "
                          f"({len(state['problems'])} problem(s)); it is not served", state)
    response = jsonify({"ok": True, "status": 200, "socsec": __version__, **state})
    response.headers["Cache-Control"] = "no-store"
    return response


def _replica(serving: str | None) -> dict | None:
    """The poller's state as this process sees it (None when this server is not a replica)."""
    origin = settings().origin
    if not origin:
        return None
    known = replicas.status(store()) or {}
    announced = known.get("announced")
    return {"origin": known.get("origin") or redact(origin), "announced": announced,
            "pending": announced if announced and announced != serving else None,
            "state": known.get("state", "starting"), "reason": known.get("reason"),
            "checked_at": known.get("checked_at"), "pulled_at": known.get("pulled_at")}


def _unhealthy(code: str, message: str, details: dict):
    response = error_response(code, message, 503, details)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "5"
    return response


def register(app: Flask) -> None:
    """Serve /healthz, start verifying the current release in the background, and polling the origin."""
    app.register_blueprint(bp)
    replicas.start(app.config["SOCSEC"])  # a replica: this process may be the one that polls the origin
    try:
        check_for(Store(app.config["SOCSEC"].store_dir).current(), background=True)
    except ServiceError:
        pass  # no release yet: /healthz and every endpoint say so
