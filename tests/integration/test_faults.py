"""Faults in the store: bit rot, a full disk, releases while the server is busy.

Each test works on its own copy of the session's store, so nothing here touches the shared release.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service import integrity
from service.store import Store, verify
from service.web import create_app
from tests.conftest import live_server, socsec
from tests.integration.test_release import _wait_until_locked

PACKAGE = "social-insurance-coverage"
ROTTEN = f"packages/{PACKAGE}/data/observations.csv"


def _copy_store(project: Path, root: Path) -> Store:
    shutil.copytree(project / "var" / "store", root / "var" / "store", dirs_exist_ok=True)
    return Store(root / "var" / "store")


def _copy_project(project: Path, root: Path) -> Path:
    """The session project's packages and suites (valid: they were released), without its store."""
    for folder in ("datapackages", "expectations"):
        shutil.copytree(project / folder, root / folder)
    return root


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def rotten(project, tmp_path) -> tuple[Path, Store]:
    store = _copy_store(project, tmp_path)
    _flip_a_byte(store.current().path / ROTTEN)
    return tmp_path, store


def _assert_refused(response, root: Path, version: str) -> dict:
    body = response.get_json()
    assert response.status_code == 503, (response.request.path, response.status_code)
    assert body["ok"] is False and body["status"] == 503 and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "release-corrupt"
    assert str(root) not in response.get_data(as_text=True)
    assert body["error"]["details"]["release"] == version
    assert any(p.startswith(ROTTEN) for p in body["error"]["details"]["problems"])
    return body


def test_bit_rot_is_found_by_verify(rotten):
    root, store = rotten
    result = socsec(root, "verify")
    assert result.exit_code == 1
    assert f"{ROTTEN}: sha256 differs from the manifest" in result.output
    assert "does not match its manifest" in result.output


def test_bit_rot_release_is_refused_not_served(rotten):
    root, store = rotten
    version = store.current_version()
    client = create_app({"root": str(root)}).test_client()
    urls = [f"/api/packages/{PACKAGE}/observations.csv", f"/api/packages/{PACKAGE}/observations.parquet",
            f"/api/packages/{PACKAGE}.zip", f"/api/packages/{PACKAGE}", "/api/packages",
            "/api/sql?sql=select+count(*)+from+observations", "/api/sql.csv?sql=select+1",
            f"/api/releases/{version}/packages/{PACKAGE}/observations.csv",
            f"/api/releases/{version}/sql?sql=select+1", "/api/indicators"]
    for url in urls:
        _assert_refused(client.get(url), root, version)
    health = _assert_refused(client.get("/healthz"), root, version)
    assert health["error"]["details"]["verified"] is False
    assert "does not match its manifest" in health["error"]["message"]
    assert client.get("/api/releases").status_code == 200  # the history itself still answers


def test_healthz_names_the_intact_release_it_serves(project, tmp_path):
    store = _copy_store(project, tmp_path)
    client = create_app({"root": str(tmp_path)}).test_client()
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["ok"] is True and body["release"] == store.current_version() and body["verified"] is True
    assert body["problems"] == [] and response.headers["Cache-Control"] == "no-store"
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_healthz_with_no_release_is_503_in_the_one_shape(tmp_path):
    response = create_app({"root": str(tmp_path)}).test_client().get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and body["error"]["code"] == "no-release"
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_a_release_is_verified_once_per_process_not_per_request(project, tmp_path, monkeypatch):
    store = _copy_store(project, tmp_path)
    version = store.current_version()
    calls = []
    real_verify = integrity.verify

    def counting(release):
        calls.append(release.version)
        time.sleep(0.2)  # a slow (large) release: concurrent first requests must share one check
        return real_verify(release)
    monkeypatch.setattr(integrity, "verify", counting)
    app = create_app({"root": str(tmp_path)})
    urls = ["/api/packages", f"/api/packages/{PACKAGE}/observations.csv", "/api/sql?sql=select+1",
            f"/api/releases/{version}/packages", "/healthz"] * 6
    statuses = []

    def get(url):
        statuses.append(app.test_client().get(url).status_code)
    threads = [threading.Thread(target=get, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(urls)
    assert calls == [version]
    started = time.perf_counter()
    for _ in range(20):
        assert app.test_client().get("/healthz").status_code == 200
    assert (time.perf_counter() - started) / 20 < 0.05  # cached: no hashing per call
    assert calls == [version]


# --- a full disk ------------------------------------------------------------------------------

def _mount_tmpfs(target: Path, size: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI and this machine run tests as root)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): {done.stderr.strip()}")


def _folder_bytes(*folders: Path) -> int:
    return sum(p.stat().st_size for folder in folders for p in folder.rglob("*") if p.is_file())


def _fill_leaving(folder: Path, free_bytes: int) -> Path:
    stats = os.statvfs(folder)
    filler = folder / "filler.bin"
    with open(filler, "wb") as handle:
        handle.truncate(0)
        remaining = stats.f_bavail * stats.f_frsize - free_bytes
        chunk = b"\0" * (1 << 20)
        while remaining > 0:
            remaining -= handle.write(chunk[:min(len(chunk), remaining)])
    return filler


def test_release_into_a_full_disk_fails_cleanly(project, tmp_path):
    root = _copy_project(project, tmp_path / "project")
    store_dir = root / "var" / "store"
    store_bytes = _folder_bytes(project / "var" / "store")
    _mount_tmpfs(store_dir, f"{3 * store_bytes // (1 << 20) + 16}m")  # room for two more releases
    try:
        store = _copy_store(project, root)
        before, versions = store.current_version(), store.versions()
        snapshot = _folder_bytes(root / "datapackages", root / "expectations")
        filler = _fill_leaving(store_dir, snapshot + (1 << 20))  # the snapshot fits, the release does not
        (root / "datapackages" / PACKAGE / "README.md").write_text("changed\n", "utf-8")
        result = socsec(root, "release")
        assert result.exit_code == 1
        assert "no space left on device while writing the release" in result.output
        assert "current release is unchanged" in result.output
        assert store.current_version() == before and store.versions() == versions
        assert verify(store.current()) == []
        assert not list(store_dir.glob(".staging-*")) and not list(store_dir.glob(".CURRENT.*"))
        filler.unlink()  # space again: the next release succeeds and leaves nothing behind
        result = socsec(root, "release")
        assert result.exit_code == 0, result.output
        assert store.current_version() != before and len(store.versions()) == len(versions) + 1
        assert verify(store.current()) == [] and not list(store_dir.glob(".staging-*"))
    finally:
        subprocess.run(["umount", "-l", str(store_dir)], check=False)


# --- releases while the server is busy ---------------------------------------------------------

def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _reader(url: str, seen: list, failures: list, stop: threading.Event, pause: float) -> None:
    """Catalog version, README and /healthz, again and again: never an error, never going back."""
    import json

    latest = ""
    while not stop.is_set():
        for path in ("/api/packages", f"/api/packages/{PACKAGE}/README.md", "/healthz"):
            status, body = _get(url + path)
            if status != 200:
                failures.append((path, status, body[:200]))
                continue
            if path == "/api/packages" or path == "/healthz":
                version = json.loads(body)["release"]
                if version < latest:
                    failures.append((path, "went back", version, latest))
                latest = max(latest, version)
                seen.append(version)
            else:
                seen.append(body.decode())
        time.sleep(pause)


def _release_while_serving(project: Path, root: Path, readers: int, pause: float, lock_timeouts: list[str]):
    """Start `readers` clients on a live server, run one `socsec release` per lock timeout at once."""
    _copy_project(project, root)
    store = _copy_store(project, root)
    (root / "datapackages" / PACKAGE / "README.md").write_text("new readme\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    command = [sys.executable, "-m", "service.cli", "--root", str(root), "release"]
    with live_server(root, "--workers", "2") as url:
        seen, failures, stop = [], [], threading.Event()
        threads = [threading.Thread(target=_reader, args=(url, seen, failures, stop, pause))
                   for _ in range(readers)]
        for thread in threads:
            thread.start()
        releases = []
        for timeout in lock_timeouts:  # each starts once the one before holds the lock
            if releases:
                _wait_until_locked(store)
            releases.append(subprocess.Popen(command, env=dict(env, SOCSEC_LOCK_TIMEOUT_S=timeout), text=True,
                                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        outputs = [(p.wait(300), p.stdout.read()) for p in releases]
        time.sleep(1.0)  # readers see the last switch
        stop.set()
        for thread in threads:
            thread.join()
    return store, outputs, seen, failures


def _assert_never_half_switched(store: Store, first: str, old_readme: str, seen: list, failures: list):
    versions = store.versions()
    assert versions[0] == first and store.current_version() == versions[-1]
    assert all(verify(store.release(v)) == [] for v in versions)
    assert failures == []
    assert set(seen) <= {*versions, old_readme, "new readme\n"}
    assert {first, versions[-1], old_readme, "new readme\n"} <= set(seen)
    assert len(seen) > 50


def test_a_release_during_serving_never_shows_a_half_switched_store(project, tmp_path):
    """Readers on a live server while two `socsec release` start at once: one publishes, one is refused."""
    first = Store(project / "var" / "store").current()
    old_readme = (first.path / "packages" / PACKAGE / "README.md").read_text("utf-8")
    store, outputs, seen, failures = _release_while_serving(project, tmp_path, 2, 0.01, ["30", "0"])
    codes = sorted(code for code, _ in outputs)
    assert codes == [0, 1], outputs
    assert any("another `socsec release` is running" in out for code, out in outputs if code == 1)
    assert len(store.versions()) == 2
    _assert_never_half_switched(store, first.version, old_readme, seen, failures)


@pytest.mark.slow
def test_two_releases_during_heavy_serving_never_show_a_half_switched_store(project, tmp_path):
    """Six readers without pause; both releases wait for the lock and publish one after the other."""
    first = Store(project / "var" / "store").current()
    old_readme = (first.path / "packages" / PACKAGE / "README.md").read_text("utf-8")
    store, outputs, seen, failures = _release_while_serving(project, tmp_path, 6, 0.0, ["120", "120"])
    assert [code for code, _ in outputs] == [0, 0], outputs
    assert len(store.versions()) == 3
    _assert_never_half_switched(store, first.version, old_readme, seen, failures)
