"""Helpers of bench/load and bench/scale: a project with a release, a live `socsec serve`, its workers."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_project(repo: pathlib.Path, target: pathlib.Path) -> pathlib.Path:
    """A copy of the repository's packages and suites under ``target``, released once."""
    if not (target / "var" / "store" / "CURRENT").is_file():
        shutil.rmtree(target, ignore_errors=True)
        for folder in ("datapackages", "expectations"):
            shutil.copytree(repo / folder, target / folder)
        done = subprocess.run([sys.executable, "-m", "service.cli", "--root", str(target), "release"],
                              cwd=repo, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"cannot release the packages for the benchmark:\n{done.stderr[-2000:]}")
    return target


def wait_ready(url: str, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline or (process and process.poll() is not None):
                raise RuntimeError(f"{url} did not become ready")
            time.sleep(0.2)


@contextlib.contextmanager
def serve(root: pathlib.Path, *args: str, port: int | None = None):
    """`socsec serve` over ``root`` on loopback; yields (url, pid of the gunicorn master)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    env["PYTHONPATH"] = str(pathlib.Path(__file__).resolve().parent.parent)
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "--root", str(root), "serve",
                               "--host", "127.0.0.1", "--port", str(port), *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        yield url, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


def workers(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    try:
        children = pathlib.Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

