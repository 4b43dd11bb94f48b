"""Shared fixtures: a project copy with a release built once per session, the app, the CLI."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.web import create_app

REPO = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    """shared/ beside the repository (as CI lays it out), or beside the local repository it was cloned from."""
    candidates = [REPO.parent / "shared"]
    origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and "://" not in origin and not origin.startswith("git@"):
        candidates.append((REPO / origin).resolve().parent / "shared")
    for candidate in candidates:
        if (candidate / "real-packages").is_dir():
            return candidate
    raise RuntimeError(f"shared/real-packages is missing: looked in {', '.join(map(str, candidates))}")


REAL_PACKAGES = _shared() / "real-packages"  # ten packages by other authors, used as they are

for key in [k for k in os.environ if k.startswith("SOCSEC_")]:
    del os.environ[key]  # tests set what they need


def make_project(root: Path, packages: list[str] | None = None) -> Path:
    """Copy the repository's packages and suites (or the named ones) into ``root``."""
    for folder in ("datapackages", "expectations"):
        source = REPO / folder
        (root / folder).mkdir(parents=True, exist_ok=True)
        for item in sorted(source.iterdir()) if source.is_dir() else []:
            if item.is_dir() and (packages is None or item.name in packages):
                shutil.copytree(item, root / folder / item.name)
    return root


def socsec(root: Path, *args: str):
    """Run the real CLI against a project folder."""
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts like frictionless (header = 1, first data row = 2)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def current_release(project: Path):
    """The project's current release (read through the store, as the web does)."""
    from service.store import Store
    return Store(project / "var" / "store").current()


def released_rows(release, package: str, resource: str) -> list[dict]:
    """The rows of a released package's CSV resource ([] when the package has none of that name)."""
    path = release.path / "packages" / package / "data" / f"{resource}.csv"
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))

@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("project"))
    result = socsec(root, "release")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="session")
def app(project):
    app = create_app({"root": str(project)})
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_app(project):
    """An app over the session's release with other settings."""
    def factory(**overrides):
        app = create_app({"root": str(project), **overrides})
        app.testing = True
        return app
    return factory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(root: Path, *args: str, env: dict | None = None, ready: str = "/api/packages",
                cwd: Path | None = None):
    """A real `socsec serve` (gunicorn) over ``root``; yields its URL and stops it afterwards."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    clean["PYTHONPATH"] = str(REPO)  # this tree's code, whatever the working directory
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "--root", str(root), "serve",
                               "--port", str(port), *args], env={**clean, **(env or {})}, cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + ready, timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("socsec serve did not start")
            time.sleep(0.2)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="session")
def live_url(project):
    with live_server(project, "--workers", "2") as url:
        yield url
