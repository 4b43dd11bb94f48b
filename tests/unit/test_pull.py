"""`socsec pull` against a small real HTTP origin (Python's http.server, with Range and ETag, and
faults on demand): what arrives is what was released, and any failure leaves the store as it was."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from service.store import MANIFEST, Store, verify
from service.summary import pull_progress
from tests.conftest import socsec
from tests.integration.test_faults import _fill_leaving, _folder_bytes, _mount_tmpfs

NEW_VERSION = "29990101T000000Z-0000beef"


class Origin(http.server.ThreadingHTTPServer):
    """Serves a folder with Range, ETag and If-None-Match; ``faults`` maps a path to what goes wrong."""

    daemon_threads = True

    def __init__(self, folder: Path):
        super().__init__(("127.0.0.1", 0), Handler)
        self.folder, self.faults, self.seen = folder, {}, []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0].lstrip("/")
        self.server.seen.append((path, dict(self.headers)))
        fault = self.server.faults.get(path)
        file = self.server.folder / path
        if fault == 503 or not file.is_file():
            status = 503 if fault == 503 else 404
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = file.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start = 0
        if self.headers.get("Range", "").startswith("bytes="):
            start = int(self.headers["Range"][6:].rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        if fault == "cut":  # announce the whole length, send half, close the connection
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def origin(project, tmp_path):
    """A copy of the session's store, served over HTTP."""
    folder = tmp_path / "origin"
    shutil.copytree(project / "var" / "store", folder, ignore=shutil.ignore_patterns(".lock"))
    server = Origin(folder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def publish(origin: Origin, version: str = NEW_VERSION, change: str = "NOTES.md") -> str:
    """A new release on the origin: the current one with one file changed, its manifest updated."""
    store = Store(origin.folder)
    source = store.current()
    target = store.releases_dir / version
    shutil.copytree(source.path, target)
    (target / change).write_bytes((target / change).read_bytes() + b"\nchanged\n")
    manifest = json.loads((target / MANIFEST).read_text())
    for entry in manifest["files"]:
        if entry["path"] == change:
            data = (target / change).read_bytes()
            entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    (target / MANIFEST).write_text(json.dumps(manifest))
    (origin.folder / "CURRENT").write_text(version + "\n")
    return version


def replica(tmp_path: Path) -> tuple[Path, Store]:
    root = tmp_path / "replica"
    root.mkdir(exist_ok=True)
    return root, Store(root / "var" / "store")


def fetched(origin: Origin, version: str) -> list[str]:
    prefix = f"releases/{version}/"
    return [path[len(prefix):] for path, _ in origin.seen if path.startswith(prefix)]


def test_pull_brings_the_current_release_verified(origin, tmp_path):
    root, store = replica(tmp_path)
    version = Store(origin.folder).current_version()
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 0, result.output
    assert f"Pulled {version}" in result.output and "it is now current" in result.output
    assert store.current_version() == version and verify(store.current()) == []
    files = json.loads((origin.folder / "releases" / version / MANIFEST).read_text())["files"]
    assert sorted(fetched(origin, version)) == sorted([MANIFEST] + [f["path"] for f in files])
    again = socsec(root, "pull", origin.url)
    assert again.exit_code == 0 and "already current here" in again.output
    assert not list(store.root.glob(".pull-*"))


def test_a_new_release_downloads_only_what_changed(origin, tmp_path):
    root, store = replica(tmp_path)
    assert socsec(root, "pull", origin.url).exit_code == 0
    old = store.current_version()
    publish(origin)
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 0, result.output
    assert "1 file(s) downloaded" in result.output
    assert sorted(fetched(origin, NEW_VERSION)) == ["NOTES.md", MANIFEST]
    assert store.current_version() == NEW_VERSION and store.versions() == [old, NEW_VERSION]
    assert verify(store.current()) == []


@pytest.mark.parametrize("fault, reason", [
    ("corrupt", "sha256 differs from the manifest"),
    ("missing", "the origin answered 404"),
    (503, "the origin answered 503"),
])
def test_a_bad_file_leaves_the_store_as_it_was(origin, tmp_path, fault, reason):
    root, store = replica(tmp_path)
    assert socsec(root, "pull", origin.url).exit_code == 0
    old, versions = store.current_version(), store.versions()
    publish(origin)
    bad = origin.folder / "releases" / NEW_VERSION / "NOTES.md"
    good = bad.read_bytes()
    if fault == "corrupt":
        bad.write_bytes(good.replace(b"changed", b"chanGed"))
    elif fault == "missing":
        bad.unlink()
    else:
        origin.faults[f"releases/{NEW_VERSION}/NOTES.md"] = fault
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 1
    assert f"NOTES.md: {reason}" in result.output and f"current: {old}" in result.output
    assert store.current_version() == old and store.versions() == versions
    bad.write_bytes(good)
    origin.faults.clear()
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 0, result.output
    assert store.current_version() == NEW_VERSION and verify(store.current()) == []


def test_the_origin_down_or_failing_changes_nothing(origin, tmp_path):
    root, store = replica(tmp_path)
    origin.faults["CURRENT"] = 503
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 1 and "CURRENT at" in result.output and "503" in result.output
    assert store.current_version() is None and store.versions() == []
    result = socsec(root, "pull", "http://127.0.0.1:9/")
    assert result.exit_code == 1 and "cannot be reached" in result.output


def test_a_cut_connection_resumes_with_range(origin, tmp_path):
    root, store = replica(tmp_path)
    version = Store(origin.folder).current_version()
    origin.faults[f"releases/{version}/warehouse.duckdb"] = "cut"
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 1
    assert "warehouse.duckdb: the connection was cut after" in result.output
    assert store.current_version() is None and store.versions() == []
    part = store.root / f".pull-{version}" / "warehouse.duckdb.part"
    size = (origin.folder / "releases" / version / "warehouse.duckdb").stat().st_size
    assert 0 < part.stat().st_size < size
    kept = part.stat().st_size
    origin.faults.clear()
    origin.seen.clear()
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 0, result.output
    ranges = [h.get("Range") for p, h in origin.seen if p.endswith("warehouse.duckdb")]
    assert ranges == [f"bytes={kept}-"]
    assert fetched(origin, version) == [MANIFEST, "warehouse.duckdb"]  # the other files were kept
    assert verify(store.current()) == [] and not part.exists()


def test_keep_prunes_older_releases_but_never_the_current(origin, tmp_path):
    root, store = replica(tmp_path)
    first = Store(origin.folder).current_version()
    assert socsec(root, "pull", origin.url).exit_code == 0
    publish(origin, "29990101T000000Z-0000beef")
    publish(origin, "29990102T000000Z-0000cafe", change="changes.json")
    assert socsec(root, "pull", origin.url).exit_code == 0
    assert store.versions() == [first, "29990102T000000Z-0000cafe"]
    result = socsec(root, "pull", origin.url, "--keep", "1")
    assert result.exit_code == 0 and f"Removed 1 older release(s): {first}" in result.output
    assert store.versions() == ["29990102T000000Z-0000cafe"] == [store.current_version()]


def test_credentials_are_sent_but_never_shown(origin, tmp_path):
    root, _ = replica(tmp_path)
    origin.faults["CURRENT"] = 503
    url = origin.url.replace("http://", "http://reader:s3cret-pw@") + "/?token=s3cret-token"
    result = socsec(root, "pull", url)
    assert result.exit_code == 1 and "s3cret" not in result.output
    assert "?token=***" in result.output
    origin.faults.clear()
    result = socsec(root, "pull", url)
    assert result.exit_code == 0 and "s3cret" not in result.output
    assert all(h.get("Authorization") == "Basic cmVhZGVyOnMzY3JldC1wdw==" for _, h in origin.seen)


def test_a_manifest_path_outside_the_release_is_refused(origin, tmp_path):
    root, store = replica(tmp_path)
    version = publish(origin)
    manifest_file = origin.folder / "releases" / version / MANIFEST
    manifest = json.loads(manifest_file.read_text())
    manifest["files"].append({"path": "../../CURRENT", "bytes": 1, "sha256": "0" * 64})
    manifest_file.write_text(json.dumps(manifest))
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 1 and "refused manifest entry" in result.output
    assert store.current_version() is None and not (root / "var" / "CURRENT").exists()


def test_a_full_disk_leaves_the_store_as_it_was(origin, tmp_path):
    root, store = replica(tmp_path)
    store_bytes = _folder_bytes(origin.folder)
    _mount_tmpfs(store.root, f"{3 * store_bytes // (1 << 20) + 8}m")
    try:
        assert socsec(root, "pull", origin.url).exit_code == 0
        old = store.current_version()
        publish(origin, change="warehouse.duckdb")
        filler = _fill_leaving(store.root, 1 << 20)  # the changed warehouse does not fit
        result = socsec(root, "pull", origin.url)
        assert result.exit_code == 1 and "no space left on device" in result.output
        assert store.current_version() == old and verify(store.current()) == []
        filler.unlink()
        result = socsec(root, "pull", origin.url)
        assert result.exit_code == 0, result.output
        assert store.current_version() == NEW_VERSION and verify(store.current()) == []
    finally:
        subprocess.run(["umount", "-l", str(store.root)], check=False)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_counts_the_bytes_on_a_terminal_only():
    screen = Terminal()
    with pull_progress(screen) as bar:
        bar.start(2048, 3)
        for _ in range(4):
            bar.advance(512)
    assert "3 file(s)" in screen.getvalue() and "2048/2048" in screen.getvalue()
    log = io.StringIO()  # not a terminal (CI logs): nothing
    with pull_progress(log) as bar:
        bar.start(2048, 3)
        bar.advance(2048)
    assert log.getvalue() == ""


def test_a_stray_file_in_staging_is_refused_then_started_over(origin, tmp_path):
    root, store = replica(tmp_path)
    version = Store(origin.folder).current_version()
    stray = store.root / f".pull-{version}" / "packages" / "stray.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("not released\n")
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 1 and "packages/stray.txt: not in the manifest" in result.output
    assert store.current_version() is None and store.versions() == []
    result = socsec(root, "pull", origin.url)
    assert result.exit_code == 0, result.output
    assert verify(store.current()) == [] and not (store.current().path / "packages" / "stray.txt").exists()


@pytest.mark.parametrize("command", [["pull", "ftp://reader:s3cret@host/store"],
                                     ["serve", "--origin", "file:///srv/store?token=s3cret"]])
def test_an_origin_that_is_not_http_is_a_usage_error(tmp_path, command):
    result = socsec(tmp_path, *command)
    assert result.exit_code == 2 and "is not an http(s) URL" in result.output and "s3cret" not in result.output
