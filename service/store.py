"""The release store: immutable release folders and the pointer to the current one.

Layout under ``store_dir``::

    releases/<version>/   one folder per release, never changed once renamed into place
    CURRENT               the current version's name (replaced atomically)
    .lock                 held while a release is built or pulled
    .staging-*            a release being built (left over only by a crash; removed by the next release)

The web layer reads releases only through this module.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import NoRelease, NotFound, ReleaseLocked

VERSION_PATTERN = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")
MANIFEST = "manifest.json"
RELEASE_META = "release.json"


@dataclass(frozen=True)
class Release:
    version: str
    path: Path

    @cached_property
    def meta(self) -> dict:
        return json.loads((self.path / RELEASE_META).read_text("utf-8"))

    @property
    def packages(self) -> dict[str, dict]:
        return self.meta["packages"]

    def package_dir(self, name: str) -> Path:
        if name not in self.packages:
            raise NotFound(f"no package named {name!r} in release {self.version}",
                           details={"package": name, "release": self.version})
        return self.path / "packages" / name

    def descriptor(self, name: str) -> dict:
        return json.loads((self.package_dir(name) / "datapackage.json").read_text("utf-8"))

    @cached_property
    def warehouse(self) -> Path:
        return self.path / "warehouse.duckdb"


class Store:
    def __init__(self, root: Path, *, pinned: bool = False):
        """``pinned``: read ``CURRENT`` once, at the first call, and keep that answer (one web request)."""
        self.root = root
        self.releases_dir = root / "releases"
        self.pointer = root / "CURRENT"
        self.pinned = pinned
        self.pinned_version: str | None = None
        self._releases_text, self._pointer_text = str(self.releases_dir), str(self.pointer)
        self._known: dict[str, Release] = {}  # releases seen, shared with the pinned views

    def pinned_view(self) -> Store:
        """A view of this store that reads ``CURRENT`` once (one web request); it shares what this one
        has learnt (the release objects, whose files never change), not what it read of ``CURRENT``."""
        view = copy.copy(self)  # shallow: the same dict of releases
        view.pinned, view.pinned_version = True, None
        return view

    def versions(self) -> list[str]:
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir()
                      if VERSION_PATTERN.match(p.name) and (p / MANIFEST).is_file())

    def release(self, version: str) -> Release:
        """The release, if its folder holds a manifest now (a pruned release is gone at once, and forgotten)."""
        if not VERSION_PATTERN.match(version) or not os.path.isfile(f"{self._releases_text}/{version}/{MANIFEST}"):
            self._known.pop(version, None)
            raise NotFound(f"no release {version!r}", details={"release": version})
        known = self._known.get(version)
        if known is None:
            known = self._known.setdefault(version, Release(version, self.releases_dir / version))
        return known

    def current_version(self) -> str | None:
        if self.pinned and self.pinned_version:
            return self.pinned_version
        try:
            version = _read_small(self._pointer_text).decode("ascii").strip() or None
        except FileNotFoundError:
            return None
        if self.pinned:
            self.pinned_version = version
        return version

    def current(self) -> Release:
        version = self.current_version()
        if version is None:
            raise NoRelease("no release has been published yet: run `socsec release`")
        return self.release(version)

    def switch(self, version: str) -> None:
        """Point CURRENT at ``version`` atomically (write, fsync, rename, fsync the folder)."""
        self.release(version)
        tmp = self.root / f".CURRENT.{os.getpid()}"
        with open(tmp, "w", encoding="ascii") as handle:
            handle.write(version + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        fsync_dir(self.root)


def _read_small(path: str) -> bytes:
    """A small file's bytes, read without Python's file objects (``CURRENT``, on every web request)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        parts = []
        while chunk := os.read(fd, 4096):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


@contextlib.contextmanager
def store_lock(store: Store, timeout_s: float):
    """Held while a release is built (`socsec release`) or brought in (`socsec pull`)."""
    store.root.mkdir(parents=True, exist_ok=True)
    handle = open(store.root / ".lock", "a+")
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ReleaseLocked("another `socsec release` is running on this store (or a `socsec pull`); "
                                        "try again when it has finished") from None
                time.sleep(0.1)
        yield
    finally:
        handle.close()


def fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        else:
            fsync_dir(path)
    fsync_dir(root)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(release: Release) -> list[str]:
    """Problems found comparing a release folder with its manifest (empty when intact)."""
    manifest = json.loads((release.path / MANIFEST).read_text("utf-8"))
    problems = []
    listed = set()
    for entry in manifest["files"]:
        listed.add(entry["path"])
        path = release.path / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['path']}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif file_digest(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 differs from the manifest")
    for path in release.path.rglob("*"):
        rel = path.relative_to(release.path).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in listed:
            problems.append(f"{rel}: not in the manifest")
    return problems
