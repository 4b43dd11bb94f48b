"""Whether a release still matches its manifest, checked once per process and release.

A release is immutable, so hashing it once is enough: the first request that reads a release
(or the background check started when the app is created) runs ``store.verify``; every later
request and ``/healthz`` reuse the answer. A release that does not match is refused: its files
and its SQL answer 503 ``release-corrupt`` instead of serving corrupt data. Problems name files
relative to the release folder, never a server path.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from .errors import ReleaseCorrupt, ServiceError
from .store import Release, verify

@dataclass
class Check:
    """One release's verification: started once, finished once, read many times."""

    version: str
    done: threading.Event = field(default_factory=threading.Event)
    problems: list[str] = field(default_factory=list)
    checked_at: float | None = None
    seconds: float | None = None

    @property
    def intact(self) -> bool | None:
        return (not self.problems) if self.done.is_set() else None

    def run(self, release: Release) -> None:
        started = time.perf_counter()
        try:
            self.problems = verify(release)
        except (OSError, ValueError, KeyError, ServiceError) as exc:  # unreadable or malformed manifest
            self.problems = [f"{release.version}: the manifest cannot be read ({type(exc).__name__})"]
        self.seconds = round(time.perf_counter() - started, 3)
        self.checked_at = time.time()
        self.done.set()

    def to_dict(self) -> dict:
        return {"release": self.version, "verified": self.intact, "problems": list(self.problems),
                "checked_at": _iso(self.checked_at), "seconds": self.seconds}


_CHECKS: dict[str, Check] = {}
_LOCK = threading.Lock()


def check_for(release: Release, *, background: bool = False) -> Check:
    """The release's check, started if it was not (in a thread when ``background``)."""
    key = str(release.path)
    with _LOCK:
        check = _CHECKS.get(key)
        if check is not None:
            return check
        check = _CHECKS[key] = Check(release.version)
    if background:
        threading.Thread(target=check.run, args=(release,), name=f"verify-{release.version}",
                         daemon=True).start()
    else:
        check.run(release)
    return check


def require_intact(release: Release) -> None:
    """Wait for the release's check (run it on first use); refuse a release that failed it."""
    check = check_for(release)
    check.done.wait()
    if check.problems:
        raise ReleaseCorrupt(
            f"release {release.version} does not match its manifest ({len(check.problems)} problem(s)); "
            "it is not served until it is republished or repaired: run `socsec verify`",
            details={"release": release.version, "problems": check.problems[:20]})


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
