"""A replica keeps its store on the origin's current release: one poller per store, whatever the processes.

Every server process (each gunicorn worker, or the development server) starts a poller thread when the
``origin`` setting is set; a file lock (``.poller.lock`` in the store) lets exactly one of them poll,
and another takes over within ``poll_seconds`` when that process ends (the kernel drops the lock of a
dead process). The poller pulls at once, then asks for ``CURRENT`` every ``poll_seconds`` with
``If-None-Match``; when it names another release, it pulls it (``service.pull``: every file verified,
then ``CURRENT`` switched atomically). Every process reads ``CURRENT`` once per request, so all of them
serve the new release from their next request on, as after ``socsec release``.

What the poller knows goes to ``.replica.json`` in the store (replaced atomically): the release the
origin announced, whether this replica serves it yet, and if not why. ``/healthz`` of every process
reads it.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time

from .config import Settings
from .errors import ServiceError
from .origin import Origin
from .pull import announced, pull
from .store import Store

STATUS = ".replica.json"
LOCK = ".poller.lock"
_STARTED: set[str] = set()
_GUARD = threading.Lock()


def status(store: Store) -> dict | None:
    """The poller's last word (None before its first)."""
    try:
        return json.loads((store.root / STATUS).read_text("utf-8"))
    except (OSError, ValueError):
        return None


class Poller:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.origin = Origin(settings.origin, settings.pull_timeout_s)
        self.store = Store(settings.store_dir)
        self.etag: str | None = None  # of CURRENT, kept while this replica serves what it names
        self.announced: str | None = None
        self.pulled_at: str | None = None

    def run_forever(self) -> None:
        """Wait for the poller lock, then poll until the process ends."""
        self.store.root.mkdir(parents=True, exist_ok=True)
        with open(self.store.root / LOCK, "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(self.settings.poll_seconds)
            while True:
                self.poll_once()
                time.sleep(self.settings.poll_seconds)

    def poll_once(self) -> None:
        """Ask the origin which release is current; pull it if this replica does not serve it."""
        serving = self.store.current_version()
        try:
            version, etag = announced(self.origin, self.etag if serving == self.announced else None)
        except ServiceError as exc:
            self._write("origin-unreachable", exc.message)
            return
        if version is not None:
            self.announced, self.etag = version, etag
        if self.announced == serving:
            self._write("in-sync", None)
            return
        self._write("pulling", f"pulling release {self.announced}")
        try:
            pull(self.settings, self.origin, version=self.announced)
        except ServiceError as exc:
            self._write("pull-failed", exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - the poller must outlive any one pull; say what happened
            self._write("pull-failed", f"unexpected {type(exc).__name__} while pulling: {exc}")
            return
        self.pulled_at = _now()
        self._write("in-sync", None)

    def _write(self, state: str, reason: str | None) -> None:
        data = {"origin": self.origin.display, "announced": self.announced,
                "serving": self.store.current_version(), "state": state, "reason": reason,
                "checked_at": _now(), "pulled_at": self.pulled_at, "poll_seconds": self.settings.poll_seconds}
        tmp = self.store.root / f"{STATUS}.{os.getpid()}.{threading.get_ident()}"
        tmp.write_text(json.dumps(data), "utf-8")
        os.replace(tmp, self.store.root / STATUS)


def start(settings: Settings) -> None:
    """Start this process's poller thread for the store (once), when an origin is set."""
    if not settings.origin:
        return
    poller = Poller(settings)
    with _GUARD:
        if str(settings.store_dir) in _STARTED:
            return
        _STARTED.add(str(settings.store_dir))
    threading.Thread(target=poller.run_forever, name="socsec-poller", daemon=True).start()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
