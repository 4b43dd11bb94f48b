"""Builds an immutable release and switches to it atomically.

Steps: take the store lock; validate every package (refuse on any
finding); build the release in a staging folder on the same filesystem
(packages with hash and bytes, zips, Parquet, DuckDB, workbooks, Stata files, report,
manifest);
fsync; rename into ``releases/``; switch ``CURRENT``. A crash at any
moment leaves the previous release current and intact.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .catalog import Package, load_package, package_folders
from .changes import diff_releases, render_notes
from .config import Settings
from .downloads import build_downloads
from .errors import ReleaseError, ValidationFailed
from .packaging import copy_package, write_zip
from .store import MANIFEST, RELEASE_META, Store, file_digest, fsync_dir, fsync_tree, store_lock
from .validation.html import render_report
from .validation.runner import Progress, quiet, validate_all
from .warehouse import build_warehouse

BUILD_FORMAT = 3  # bump when the release layout changes, so --if-stale rebuilds


def content_digest(packages_dir: Path, expectations_dir: Path) -> str:
    """sha256 over every file of the packages and suites, and the build format."""
    digest = hashlib.sha256(f"socsec-build-{BUILD_FORMAT}\n".encode())
    for base, label in ((packages_dir, "datapackages"), (expectations_dir, "expectations")):
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(f"{label}/{path.relative_to(base).as_posix()}\n".encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


def is_stale(settings: Settings) -> bool:
    store = Store(settings.store_dir)
    if store.current_version() is None:
        return True
    return store.current().meta.get("digest") != content_digest(settings.packages_dir, settings.expectations_dir)


def make_release(settings: Settings, *, progress: Progress = quiet) -> str:
    """Validate, build and switch to a new release; returns its version.

    The packages and suites are first copied into a snapshot; what is validated is what is
    published, whatever happens to the working folders meanwhile."""
    store = Store(settings.store_dir)
    with store_lock(store, settings.lock_timeout_s):
        _clean_staging(store)
        snapshot = store.root / f".staging-input-{os.getpid()}"
        try:
            packages_dir, expectations_dir = _snapshot(settings, snapshot)
            return _release(store, packages_dir, expectations_dir, progress)
        except Exception as exc:
            if _out_of_space(exc):
                raise ReleaseError("no space left on device while writing the release; nothing was "
                                   "published and the current release is unchanged") from None
            raise
        finally:
            _clean_staging(store)  # the snapshot, and a staging folder a failure left behind


def _out_of_space(exc: Exception) -> bool:
    """ENOSPC from Python, pyarrow (an OSError) or DuckDB (its own error, same words)."""
    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left on device" in str(exc)


def _snapshot(settings: Settings, target: Path) -> tuple[Path, Path]:
    packages_dir, expectations_dir = target / "datapackages", target / "expectations"
    shutil.copytree(settings.packages_dir, packages_dir, symlinks=True)
    if settings.expectations_dir.is_dir():
        shutil.copytree(settings.expectations_dir, expectations_dir, symlinks=True)
    return packages_dir, expectations_dir


def _release(store: Store, packages_dir: Path, expectations_dir: Path, progress: Progress) -> str:
    digest = content_digest(packages_dir, expectations_dir)
    report = validate_all(packages_dir, expectations_dir, progress=progress)
    if not report.valid:
        raise ValidationFailed(f"validation found {len(report.findings)} problem(s); nothing was published",
                               details={"report": report.to_dict()})
    packages = [load_package(f) for f in package_folders(packages_dir)]
    now = _next_moment(store)
    version = f"{now:%Y%m%dT%H%M%SZ}-{digest[:8]}"
    staging = store.root / f".staging-{version}-{os.getpid()}"
    staging.mkdir(parents=True)
    previous = store.current_version()
    previous_db = store.release(previous).warehouse if previous else None
    _build(staging, packages, report, previous_db, version=version, digest=digest, created=now,
           previous=previous)
    _write_manifest(staging)
    fsync_tree(staging)
    store.releases_dir.mkdir(exist_ok=True)
    os.rename(staging, store.releases_dir / version)
    fsync_dir(store.releases_dir)
    store.switch(version)
    return version


def _next_moment(store: Store) -> datetime:
    """A time whose second is after every existing release's, so versions sort by age."""
    latest = max((v[:16] for v in store.versions()), default="")
    while True:
        now = datetime.now(UTC)
        if f"{now:%Y%m%dT%H%M%SZ}" > latest:
            return now
        time.sleep(0.1)


def _build(staging: Path, packages: list[Package], report, previous_db: Path | None, **meta) -> dict:
    entries = {}
    for package in packages:
        target = staging / "packages" / package.name
        descriptor = copy_package(package, target)
        write_zip(target, staging / "zips" / f"{package.name}.zip")
        entries[package.name] = {"title": descriptor.get("title") or package.name,
                                 "title_zh": descriptor.get("title_zh", ""),
                                 "description": descriptor.get("description", ""),
                                 "resources": {}}
    counts = build_warehouse(staging / "warehouse.duckdb", packages, parquet_dir=staging / "parquet")
    for name, resources in counts.items():
        entries[name]["resources"] = resources
    build_downloads(staging, packages, meta["version"], meta["created"].isoformat(timespec="seconds"))
    changes = diff_releases(staging / "warehouse.duckdb", previous_db, packages)
    (staging / "changes.json").write_text(json.dumps(changes, indent=2, ensure_ascii=False), "utf-8")
    (staging / "NOTES.md").write_text(render_notes(meta["version"], meta["previous"], changes), "utf-8")
    (staging / "validation.json").write_text(report.to_json(), "utf-8")
    (staging / "validation.html").write_text(render_report(report, title=f"Release {meta['version']}"), "utf-8")
    meta = dict(meta, created=meta["created"].isoformat(timespec="seconds"), socsec=__version__,
                packages=entries)
    (staging / RELEASE_META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
    return meta


def _write_manifest(staging: Path) -> None:
    files = [{"path": p.relative_to(staging).as_posix(), "bytes": p.stat().st_size, "sha256": file_digest(p)}
             for p in sorted(staging.rglob("*")) if p.is_file()]
    (staging / MANIFEST).write_text(json.dumps({"files": files}, indent=2), "utf-8")


def _clean_staging(store: Store) -> None:
    for leftover in store.root.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
