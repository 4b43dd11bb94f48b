"""The two servers under test, started as their users start them, and the benchmark's own Datasette venv.

socsec: ``socsec --root <project> serve --port P`` (gunicorn, the real CLI).
Datasette 0.65: ``datasette serve <copy>.db --immutable`` from ``var/bench/datasette-venv``,
a venv the benchmark creates itself; nothing of Datasette enters socsec's environment.
"""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DATASETTE = "datasette==0.65.*"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def datasette_venv(cache: pathlib.Path, log=print) -> pathlib.Path:
    """The venv's ``datasette`` executable; created with ``python -m venv`` + pip on first use."""
    venv = cache / "datasette-venv"
    exe = venv / "bin" / "datasette"
    if exe.exists():
        return exe
    log(f"creating {venv} and installing {DATASETTE} (first run only)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    found = subprocess.run(pip + ["index", "versions", "datasette"], capture_output=True, text=True, check=False)
    if "0.65." not in found.stdout:
        raise SystemExit(f"datasette 0.65 is not on the package index:\n{found.stdout}{found.stderr}")
    subprocess.run(pip + ["install", "--quiet", DATASETTE], check=True)
    return exe


class Server:
    """One server process; ``first_answer_s`` is the time from start to its first successful answer."""

    def __init__(self, name: str, argv: list[str], port: int, probe: str, env: dict | None = None):
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs; a pipe could fill and block it
        started = time.perf_counter()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
                                     start_new_session=True)
        self.first_answer_s = self._wait(probe, started)

    def _wait(self, probe: str, started: float, limit_s: float = 120.0) -> float:
        while time.perf_counter() - started < limit_s:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.proc.returncode}): "
                                 f"{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + probe, timeout=5) as answer:
                    if answer.status == 200:
                        answer.read()
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.01)
        self.stop()
        raise SystemExit(f"{self.name} did not answer {probe} within {limit_s:.0f} s")

    def workers(self) -> list[int]:
        """Pids of the master's children (gunicorn's workers), or the process itself."""
        try:
            children = pathlib.Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            children = []
        return [int(c) for c in children] or [self.proc.pid]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the master and its workers
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of one process, in KiB."""
    out = {}
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


def start_socsec(root: pathlib.Path, *, rows_cap: int, time_limit_ms: int, workers: int | None = None,
                 cache_mb: int = 0) -> Server:
    """socsec with its answer cache off (``cache_mb=0``: every answer computed) unless asked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    env.update(SOCSEC_MAX_RETURNED_ROWS=str(rows_cap), SOCSEC_SQL_TIME_LIMIT_MS=str(time_limit_ms),
               SOCSEC_SQL_CACHE_MB=str(cache_mb))
    port = free_port()
    argv = [str(pathlib.Path(sys.executable).parent / "socsec"), "--root", str(root), "serve", "--port", str(port)]
    if workers:
        argv += ["--workers", str(workers)]
    return Server("socsec", argv, port, "/api/sql?sql=select+1", env)


def start_bare(root: pathlib.Path, floor_db: pathlib.Path, *, rows: int, rows_cap: int, time_limit_ms: int) -> Server:
    """``http_bare``: the floor's Q1 code behind socsec's server stack (gunicorn as `socsec serve` runs it,
    with its default workers and threads, socsec's app), with no SQL layer."""
    from service.cli import gunicorn_argv
    from service.config import load_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    env.update(SOCSEC_ROOT=str(root), SOCSEC_MAX_RETURNED_ROWS=str(rows_cap),
               SOCSEC_SQL_TIME_LIMIT_MS=str(time_limit_ms), SOCSEC_SQL_CACHE_MB="0",
               PYTHONPATH=os.pathsep.join([str(pathlib.Path(__file__).resolve().parent), env.get("PYTHONPATH", "")]))
    settings = load_settings({"root": str(root)}, env={})
    port = free_port()
    app = f"http_bare:make(floor_db={str(floor_db)!r}, rows={int(rows)}, rows_cap={int(rows_cap)})"
    argv = gunicorn_argv("127.0.0.1", port, settings.workers, settings.threads, app=app)
    return Server("socsec bare", argv, port, "/healthz", env)


def start_datasette(exe: pathlib.Path, db: pathlib.Path, *, rows_cap: int, time_limit_ms: int) -> Server:
    port = free_port()
    argv = [str(exe), "serve", "--immutable", str(db), "--port", str(port),
            "--setting", "max_returned_rows", str(rows_cap), "--setting", "sql_time_limit_ms", str(time_limit_ms)]
    return Server("datasette", argv, port, f"/{db.stem}.json?sql=select+1")
