"""`socsec pull URL`: bring an origin's current release into the local store, verified, then switch.

Steps: read the origin's ``CURRENT``, then that release's ``manifest.json``; take the store lock;
gather the files in a staging folder (``.pull-<version>/``): those a local release or an earlier
attempt already holds are copied or kept, the others downloaded, several at once, a partial file
resumed with ``Range``; each is checked against the manifest's size and sha256 as it arrives; then
the whole folder is verified by ``store.verify``, fsynced, renamed into ``releases/`` and ``CURRENT``
switched, as ``socsec release`` does. Any failure (a missing file, a wrong hash, a cut connection, a
full disk, a 5xx) leaves ``releases/`` and ``CURRENT`` as they were and raises ``PullFailed`` naming
each file and why; the staging folder stays, so the next pull resumes where this one stopped.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import Settings
from .errors import PullFailed
from .origin import Origin, OriginError, describe
from .store import (
    MANIFEST,
    VERSION_PATTERN,
    Release,
    Store,
    file_digest,
    fsync_dir,
    fsync_tree,
    store_lock,
    verify,
)

STAGING = ".pull-"
CHUNK = 1 << 16
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Progress:
    """Told the bytes to fetch, then each chunk as it arrives (from several threads)."""

    def start(self, total_bytes: int, files: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...


@dataclass
class Outcome:
    version: str
    switched: bool  # False when the release already was current
    downloaded: int = 0  # files fetched from the origin
    reused: int = 0  # files found locally (another release, an earlier attempt)
    bytes: int = 0  # bytes fetched
    pruned: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    path: str
    bytes: int
    sha256: str


class FileFailure(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def announced(origin: Origin, etag: str | None = None) -> tuple[str | None, str | None]:
    """The version the origin's CURRENT names and its ETag; (None, etag) when unchanged since ``etag``."""
    try:
        answer = origin.get("CURRENT", etag=etag)
        try:
            text = answer.read_all(4096)
        finally:
            answer.close()
    except (OriginError, OSError, http.client.HTTPException) as exc:
        raise _current_failed(origin, _reason(exc)) from None
    if answer.status == 304:
        return None, answer.etag
    version = text.decode("ascii", "replace").strip()
    if not VERSION_PATTERN.match(version):
        raise _current_failed(origin, f"does not name a release ({version[:40]!r})")
    return version, answer.etag


def _current_failed(origin: Origin, reason: str) -> PullFailed:
    return PullFailed(f"CURRENT at {origin.display}: {reason}; the local store is unchanged",
                      details={"origin": origin.display, "files": [{"path": "CURRENT", "reason": reason}]})


def pull(settings: Settings, origin: Origin, *, version: str | None = None, keep: int | None = None,
         progress: Progress | None = None) -> Outcome:
    """Bring ``version`` (default: the one the origin's CURRENT names) in and make it current."""
    version = version or announced(origin)[0]
    store = Store(settings.store_dir)
    keep = settings.keep_releases if keep is None else keep
    with store_lock(store, settings.lock_timeout_s):
        outcome = _bring_in(store, origin, version, settings.pull_jobs, progress or Progress())
        outcome.pruned = prune(store, keep)
    return outcome


def _bring_in(store: Store, origin: Origin, version: str, jobs: int, progress: Progress) -> Outcome:
    if store.current_version() == version:
        return Outcome(version, switched=False)
    _clean_other_staging(store, version)
    if version in store.versions():  # brought in before, not switched to (or switched away from)
        problems = verify(store.release(version))
        if problems:
            _fail(origin, version, store, [FileFailure(p.split(": ")[0], "the local copy differs from its "
                                                       "manifest: run `socsec verify`") for p in problems])
        store.switch(version)
        return Outcome(version, switched=True)
    staging = store.root / f"{STAGING}{version}"
    manifest_bytes, entries = _manifest(origin, version, store)
    try:
        staging.mkdir(parents=True, exist_ok=True)
        outcome = _gather(origin, version, entries, staging, _local_index(store), jobs, progress)
        (staging / MANIFEST).write_bytes(manifest_bytes)
        problems = verify(Release(version, staging))
        if problems:  # a file put in staging by hand, say: the release must be exactly the manifest
            shutil.rmtree(staging, ignore_errors=True)  # so the next pull starts again from nothing
            _fail(origin, version, store, [FileFailure(*p.split(": ", 1)) for p in problems])
        fsync_tree(staging)
        store.releases_dir.mkdir(exist_ok=True)
        os.rename(staging, store.releases_dir / version)
        fsync_dir(store.releases_dir)
    except FileFailure as failure:
        _fail(origin, version, store, [failure])
    except OSError as exc:
        _fail(origin, version, store, [FileFailure("(store)", _reason(exc))])
    store.switch(version)
    return outcome


def _manifest(origin: Origin, version: str, store: Store) -> tuple[bytes, list[Entry]]:
    path = f"releases/{version}/{MANIFEST}"
    try:
        answer = origin.get(path)
        try:
            data = answer.read_all()
        finally:
            answer.close()
        files = json.loads(data)["files"]
        entries = [Entry(f["path"], f["bytes"], f["sha256"]) for f in files]
    except (OriginError, OSError, http.client.HTTPException) as exc:
        _fail(origin, version, store, [FileFailure(MANIFEST, _reason(exc))])
    except (ValueError, KeyError, TypeError):
        _fail(origin, version, store, [FileFailure(MANIFEST, "not a socsec manifest (JSON with a list "
                                                   "of files, each with path, bytes and sha256)")])
    bad = [e for e in entries if not _well_formed(e)]
    if bad:
        _fail(origin, version, store, [FileFailure(str(e.path)[:200], "refused manifest entry (a path "
                                                   "outside the release, or a bad size or sha256)")
                                       for e in bad[:20]])
    return data, entries


def _well_formed(entry: Entry) -> bool:
    if not isinstance(entry.path, str) or not isinstance(entry.bytes, int) or entry.bytes < 0:
        return False
    if not isinstance(entry.sha256, str) or not _SHA256.match(entry.sha256):
        return False
    parts = PurePosixPath(entry.path).parts
    return (bool(parts) and not entry.path.startswith("/") and "\\" not in entry.path and ".." not in parts
            and "." not in parts and entry.path != MANIFEST and not entry.path.endswith(".part"))


def _local_index(store: Store) -> dict[tuple[str, int], Path]:
    """Files of the local releases by (sha256, bytes): what need not be downloaded again."""
    index = {}
    for version in store.versions():
        release = store.release(version)
        try:
            files = json.loads((release.path / MANIFEST).read_text("utf-8"))["files"]
        except (OSError, ValueError, KeyError):
            continue
        for f in files:
            index.setdefault((f.get("sha256"), f.get("bytes")), release.path / f.get("path", ""))
    return index


def _gather(origin: Origin, version: str, entries: list[Entry], staging: Path, local: dict, jobs: int,
            progress: Progress) -> Outcome:
    outcome = Outcome(version, switched=True)
    todo = []
    for entry in entries:
        if _reuse(entry, staging / entry.path, local.get((entry.sha256, entry.bytes))):
            outcome.reused += 1
        else:
            todo.append(entry)
    progress.start(sum(e.bytes for e in todo), len(todo))
    failures, lock = [], threading.Lock()

    def fetch(entry: Entry) -> None:
        try:
            fetched = _download(origin, version, entry, staging, progress)
        except FileFailure as failure:
            with lock:
                failures.append(failure)
            return
        with lock:
            outcome.downloaded += 1
            outcome.bytes += fetched

    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="pull") as pool:
        list(pool.map(fetch, todo))
    if failures:
        failures.sort(key=lambda f: f.path)
        raise _Failures(failures)
    return outcome


class _Failures(FileFailure):
    def __init__(self, failures: list[FileFailure]):
        super().__init__(failures[0].path, failures[0].reason)
        self.failures = failures


def _reuse(entry: Entry, target: Path, local: Path | None) -> bool:
    """Whether ``target`` holds the entry (already, or copied now from a local release)."""
    if target.is_file() and target.stat().st_size == entry.bytes and file_digest(target) == entry.sha256:
        return True
    if local is None or not local.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(local, part)
    if file_digest(part) != entry.sha256:  # the local copy rotted: download it instead
        part.unlink()
        return False
    os.rename(part, target)
    return True


def _download(origin: Origin, version: str, entry: Entry, staging: Path, progress: Progress) -> int:
    """Fetch one file into staging (resuming its .part); returns the bytes fetched now."""
    target = staging / entry.path
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.is_file() else 0
    if have > entry.bytes:
        have = 0
    digest = hashlib.sha256()
    if have:
        with open(part, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    before = have
    if have < entry.bytes:
        try:
            answer = origin.get(f"releases/{version}/{entry.path}", offset=have)
        except OriginError as exc:
            raise FileFailure(entry.path, str(exc)) from None
        try:
            if answer.status != 416:  # 416: nothing left to send
                if answer.status != 206 and have:  # no Range support: start again
                    before, have, digest = 0, 0, hashlib.sha256()
                with open(part, "ab" if have else "wb") as out:
                    have = _stream(answer, out, entry, have, digest, progress)
        except OSError as exc:
            raise FileFailure(entry.path, _reason(exc)) from None
        finally:
            answer.close()
    if have < entry.bytes:
        raise FileFailure(entry.path, f"the connection was cut after {have:,} of {entry.bytes:,} bytes; "
                          "the next pull resumes")
    if digest.hexdigest() != entry.sha256:
        part.unlink()
        raise FileFailure(entry.path, "sha256 differs from the manifest (the copy was discarded)")
    os.rename(part, target)
    return have - before


def _stream(answer, out, entry: Entry, have: int, digest, progress: Progress) -> int:
    """Copy the answer's body to ``out`` (hashing it); returns the bytes ``out`` then holds."""
    while True:
        try:
            chunk = answer.body.read(CHUNK)
        except (OSError, http.client.HTTPException) as exc:
            raise FileFailure(entry.path, f"the connection was cut after {have:,} of {entry.bytes:,} bytes "
                              f"({describe(exc)}); the next pull resumes") from None
        if not chunk:
            break
        if have + len(chunk) > entry.bytes:
            raise FileFailure(entry.path, f"the origin sent more than the manifest's {entry.bytes:,} bytes")
        out.write(chunk)
        digest.update(chunk)
        have += len(chunk)
        progress.advance(len(chunk))
    out.flush()
    os.fsync(out.fileno())
    return have


def prune(store: Store, keep: int) -> list[str]:
    """Remove the releases past the newest ``keep`` (0: none), never the current one; returns them."""
    if keep <= 0:
        return []
    versions = store.versions()
    kept = set(versions[-keep:]) | {store.current_version()}
    removed = [v for v in versions if v not in kept]
    for version in removed:
        doomed = store.root / f".pruned-{version}"
        os.rename(store.releases_dir / version, doomed)  # out of sight at once, then deleted
        shutil.rmtree(doomed, ignore_errors=True)
    return removed


def _clean_other_staging(store: Store, version: str) -> None:
    """Staging folders of releases the origin no longer announces, and prunes a crash interrupted."""
    for leftover in list(store.root.glob(f"{STAGING}*")) + list(store.root.glob(".pruned-*")):
        if leftover.name != f"{STAGING}{version}":
            shutil.rmtree(leftover, ignore_errors=True)


def _reason(exc: BaseException) -> str:
    if getattr(exc, "errno", None) == errno.ENOSPC:
        return "no space left on device"
    if isinstance(exc, OriginError):
        return str(exc)
    return describe(exc)


def _fail(origin: Origin, version: str, store: Store, failures: list[FileFailure]):
    failures = getattr(failures[0], "failures", failures) if len(failures) == 1 else failures
    current = store.current_version()
    listed = "; ".join(f"{f.path}: {f.reason}" for f in failures[:5])
    more = f"; and {len(failures) - 5} more" if len(failures) > 5 else ""
    raise PullFailed(f"pull of release {version} from {origin.display} failed: {listed}{more}. The local "
                     f"store is unchanged (current: {current or 'none'}); the next pull resumes",
                     details={"origin": origin.display, "version": version, "current": current,
                              "files": [{"path": f.path, "reason": f.reason} for f in failures]})
