"""Replicas on real servers: Debian's nginx serves a store as the origin; two `socsec serve --origin`
replicas (two gunicorn workers each) pull from it, behind a second nginx as the load balancer.

A new release published to the origin reaches both replicas within two poll intervals, and a client
reading through the balancer sees the old release, then the new one, never going back on one replica,
never an answer mixing two. A corrupt file, a missing file, the origin down: the replicas keep serving
what they had, /healthz says why, the next good pull succeeds. `socsec pull` killed at random moments
leaves the store as it was."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service.store import MANIFEST, Store, verify
from service.web import create_app
from service.web.releases import release_for
from tests.conftest import REPO, free_port, live_server

sys.path.insert(0, str(REPO / "bench"))
import scale_nginx

POLL = 1.5  # seconds between two polls of CURRENT


def publish(store_dir: Path, version: str, *, corrupt: str | None = None, omit: str | None = None) -> str:
    """A new release on the origin, as an operator's sync does it: the release's files first, CURRENT last.
    It is the current one with NOTES.md changed; ``corrupt`` or ``omit`` spoil one file after the manifest."""
    store = Store(store_dir)
    target = store.releases_dir / version
    shutil.copytree(store.current().path, target)
    notes = target / "NOTES.md"
    notes.write_bytes(notes.read_bytes() + f"\n{version}\n".encode())
    manifest = json.loads((target / MANIFEST).read_text())
    for entry in manifest["files"]:
        if entry["path"] == "NOTES.md":
            entry.update(bytes=notes.stat().st_size, sha256=hashlib.sha256(notes.read_bytes()).hexdigest())
    (target / MANIFEST).write_text(json.dumps(manifest))
    spoiled = corrupt or omit
    if spoiled:  # the good copy is held aside for ``repair``
        shutil.copyfile(target / spoiled, target.parent / f"{version}-{Path(spoiled).name}.held")
    if corrupt:
        data = bytearray((target / corrupt).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (target / corrupt).write_bytes(bytes(data))
    if omit:
        (target / omit).unlink()
    (store_dir / "CURRENT").write_text(version + "\n")
    return version


def repair(store_dir: Path, version: str, path: str) -> None:
    """Put back the file ``publish`` spoiled."""
    target = store_dir / "releases" / version / path
    held = store_dir / "releases" / f"{version}-{Path(path).name}.held"
    held.rename(target)


def get_json(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def health(url: str) -> tuple[int, dict]:
    status, _, body = get_json(url + "/healthz")
    return status, body


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.1f} s: {what}")
        time.sleep(0.1)


def serves(url: str, version: str) -> bool:
    status, body = health(url)
    return status == 200 and body["release"] == version


@pytest.fixture(scope="module")
def cluster(project, tmp_path_factory):
    """(origin nginx, origin store, replica URLs, balancer URL, replica stores)."""
    scratch = tmp_path_factory.mktemp("replicas")
    store_dir = scratch / "origin-store"
    shutil.copytree(project / "var" / "store", store_dir, ignore=shutil.ignore_patterns(".lock"))
    with contextlib.ExitStack() as stack:
        origin = stack.enter_context(scale_nginx.origin(scratch / "nginx-origin", free_port(), store_dir))
        roots = [scratch / f"replica-{i}" for i in (1, 2)]
        urls = [stack.enter_context(live_server(root, "--workers", "2", "--origin", origin.url, "--poll-seconds",
                                                str(POLL), ready="/healthz")) for root in roots]
        balancer = stack.enter_context(scale_nginx.balancer(scratch / "nginx-lb", free_port(),
                                                            [u.removeprefix("http://") for u in urls]))
        yield origin, store_dir, urls, balancer, [Store(r / "var" / "store") for r in roots]


def reader(balancer: str, stop: threading.Event, seen: list) -> None:
    """Reads the catalog through the balancer until told to stop: (upstream, header release, body release)."""
    while not stop.is_set():
        status, headers, body = get_json(balancer + "/api/packages")
        if status == 200:
            seen.append((headers.get("X-Upstream"), headers.get("X-Socsec-Release"), body["release"]))


def test_replicas_start_empty_and_serve_the_origins_release(cluster):
    origin, store_dir, urls, balancer, stores = cluster
    version = Store(store_dir).current_version()
    for url, store in zip(urls, stores):
        status, body = health(url)
        assert status == 200 and body["release"] == version and body["verified"] is True
        assert body["replica"]["origin"] == origin.url and body["replica"]["pending"] is None
        assert verify(store.current()) == []
    assert get_json(balancer + "/api/packages")[2]["release"] == version
    log = origin.prefix / "access.log"  # later polls ask with If-None-Match, and nginx answers 304
    wait_for(lambda: '"GET /CURRENT HTTP/1.1" 304' in log.read_text(), 2 * POLL + 1, "a 304 for CURRENT")


def test_a_new_release_reaches_both_replicas_in_order(cluster):
    origin, store_dir, urls, balancer, stores = cluster
    old = Store(store_dir).current_version()
    stop, seen = threading.Event(), []
    thread = threading.Thread(target=reader, args=(balancer, stop, seen))
    thread.start()
    try:
        time.sleep(0.5)
        new = publish(store_dir, "29990101T000000Z-00000001")
        published = time.monotonic()
        for url in urls:
            wait_for(lambda u=url: serves(u, new), 2 * POLL, f"{url} serves {new}")
        switched = time.monotonic() - published
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(15)
    assert switched <= 2 * POLL
    assert all(header == body for _, header, body in seen), "an answer mixed two releases"
    by_upstream: dict[str, list[str]] = {}
    for upstream, _, version in seen:
        by_upstream.setdefault(upstream, []).append(version)
    assert len(by_upstream) == 2
    for versions in by_upstream.values():
        assert versions[0] == old and versions[-1] == new
        assert versions == sorted(versions), "a replica went back to the old release"


@pytest.mark.parametrize("fault", ["corrupt", "missing"])
def test_a_bad_file_on_the_origin_keeps_the_release_served(cluster, fault):
    origin, store_dir, urls, balancer, stores = cluster
    before = Store(store_dir).current_version()
    version = f"29990102T00000{'1' if fault == 'corrupt' else '2'}Z-00000002"
    spoiled = "NOTES.md"  # the file that changed: the one file a replica has to download
    publish(store_dir, version, **({"corrupt": spoiled} if fault == "corrupt" else {"omit": spoiled}))
    reason = "sha256 differs from the manifest" if fault == "corrupt" else "the origin answered 404"
    for url in urls:
        body = wait_for(lambda u=url: _pending(u, version), 2 * POLL + 1, f"{url} says why {version} is pending")
        assert body["release"] == before and spoiled in body["replica"]["reason"]
        assert reason in body["replica"]["reason"] and body["replica"]["state"] == "pull-failed"
    assert {get_json(balancer + "/api/packages")[2]["release"] for _ in range(6)} == {before}
    repair(store_dir, version, spoiled)
    for url in urls:
        wait_for(lambda u=url: serves(u, version), 2 * POLL + 1, f"{url} serves {version} once repaired")
    for store in stores:
        assert not list(store.root.glob(".pull-*")) and verify(store.current()) == []


def _pending(url: str, version: str) -> dict | None:
    status, body = health(url)
    replica = body.get("replica") or {}
    return body if status == 200 and replica.get("pending") == version and replica.get("state") == "pull-failed" \
        else None


def _in_state(url: str, state: str) -> dict | None:
    status, body = health(url)
    return body if status == 200 and body["replica"]["state"] == state else None


def _waiting(url: str) -> dict | None:
    """The 503 of a replica without a release, once its poller has said why."""
    status, body = health(url)
    return body if status == 503 and body["error"]["details"].get("replica", {}).get("reason") else None


def test_the_origin_down_for_a_while(cluster, tmp_path):
    origin, store_dir, urls, balancer, _ = cluster
    before = Store(store_dir).current_version()
    origin.stop()
    try:
        for url in urls:
            body = wait_for(lambda u=url: _in_state(u, "origin-unreachable"), 2 * POLL + 1,
                            f"{url} says the origin is unreachable")
            assert body["release"] == before and "cannot be reached" in body["replica"]["reason"]
        assert get_json(balancer + "/api/packages")[2]["release"] == before
        # a replica started empty while the origin is down: 503, and why
        with live_server(tmp_path / "late", "--workers", "1", "--origin", origin.url, "--poll-seconds",
                         str(POLL), ready="/api/openapi.json") as late:
            body = wait_for(lambda: _waiting(late), 2 * POLL + 1, "the empty replica says why it has no release")
            assert body["error"]["code"] == "no-release" and "cannot be reached" in body["error"]["message"]
            new = publish(store_dir, "29990103T000000Z-00000003")
            origin.start()
            for url in [*urls, late]:
                wait_for(lambda u=url: serves(u, new), 2 * POLL + 1, f"{url} serves {new} once the origin is back")
    finally:
        if origin.process.poll() is not None:
            origin.start()


def test_one_request_reads_one_release(cluster, tmp_path):
    _, _, _, _, stores = cluster
    versions = stores[0].versions()
    root = tmp_path / "copy"
    shutil.copytree(stores[0].root, root / "var" / "store", ignore=shutil.ignore_patterns(".*"))
    store = Store(root / "var" / "store")
    store.switch(versions[0])
    app = create_app({"root": str(root)})
    with app.test_request_context("/api/packages"):
        first = release_for(None).version
        store.switch(versions[-1])  # a release switched in the middle of a request
        assert release_for(None).version == first == versions[0]
    response = app.test_client().get("/api/packages")
    assert response.headers["X-Socsec-Release"] == response.get_json()["release"] == versions[-1]


def poller_pid(store: Store) -> int | None:
    """The process holding the replica's poller lock (from /proc/locks)."""
    inode = (store.root / ".poller.lock").stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and "->" not in parts and parts[5].endswith(f":{inode}"):
            return int(parts[4])
    return None


def test_the_polling_worker_killed_at_random_moments(cluster):
    """SIGKILL of the worker that polls, at a random moment after a release is published: the replica
    keeps serving (its other worker, gunicorn starts a new one), another worker takes the poller lock,
    and the release is pulled."""
    origin, store_dir, urls, balancer, stores = cluster
    rng = random.Random(1818)
    for round_ in range(3):
        before = stores[0].current_version()
        new = publish(store_dir, f"29990104T00000{round_}Z-0000000{round_}")
        time.sleep(rng.uniform(0, POLL))
        pid = wait_for(lambda: poller_pid(stores[0]), 2 * POLL, "a worker holds the poller lock")
        os.kill(pid, signal.SIGKILL)
        status, body = health(urls[0])
        assert status == 200 and body["release"] in (before, new)
        wait_for(lambda v=new: serves(urls[0], v), 4 * POLL + 2, f"{urls[0]} serves {new} after a kill")
        assert verify(stores[0].current()) == []
        # the release may have been pulled before the kill: another worker takes the lock at its next try
        wait_for(lambda p=pid: poller_pid(stores[0]) not in (None, p), 2 * POLL + 2, "another worker polls")


def _killed_pulls(origin_url: str, announced: str, root: Path, kills: int) -> int:
    """Pulls into an empty store killed at random moments; each leaves no release or a verified one.
    Returns how many were killed before they finished."""
    store = Store(root / "var" / "store")
    rng = random.Random(18)
    command = [sys.executable, "-m", "service.cli", "--root", str(root), "pull", origin_url, "--jobs", "2"]
    started = time.monotonic()  # one whole pull first: the kills fall within its duration on this machine
    subprocess.run(command, cwd=REPO, capture_output=True, timeout=120, check=True)
    whole = time.monotonic() - started
    shutil.rmtree(store.releases_dir)
    store.pointer.unlink()
    killed = 0
    for _ in range(kills):
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 0.9) * whole)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed += process.returncode == -signal.SIGKILL
        assert store.current_version() in (None, announced)
        if store.current_version() is not None:  # it finished: check it, then start again from nothing
            assert verify(store.current()) == [], "a killed pull left a current release that does not verify"
            shutil.rmtree(store.releases_dir)
            store.pointer.unlink()
        else:
            assert all(verify(store.release(v)) == [] for v in store.versions())
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert store.current_version() == announced and verify(store.current()) == []
    assert not list(store.root.glob(".pull-*"))
    return killed


@pytest.mark.parametrize("kills", [pytest.param(5, id="5-kills"),
                                   pytest.param(30, id="30-kills", marks=pytest.mark.slow)])
def test_a_pull_killed_at_random_moments_leaves_the_store_as_it_was(cluster, tmp_path, kills):
    origin, store_dir, _, _, _ = cluster
    killed = _killed_pulls(origin.url, Store(store_dir).current_version(), tmp_path / "killed", kills)
    assert killed >= kills // 2
