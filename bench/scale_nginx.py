"""Debian's nginx for bench/scale and the replica tests, as a load balancer or as a static origin (a
release store served as files, with Range and ETag): installed with apt-get if missing, its
configuration and logs in a temporary folder, listening on loopback only."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import subprocess
import time

CONFIG = """
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$upstream_addr $upstream_response_time $status';
    access_log {prefix}/access.log upstream;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    upstream socsec {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            add_header X-Upstream $upstream_addr always;
            proxy_pass http://socsec;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering on;
        }}
    }}
}}
"""


ORIGIN_CONFIG = r"""
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    types {{ application/json json; text/plain md; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {store};
        location = /CURRENT {{ add_header Cache-Control "no-cache"; }}
        location /releases/ {{ add_header Cache-Control "public, max-age=31536000, immutable"; }}
        location ~ /\. {{ return 404; }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "--no-install-recommends", "nginx-light"], env=env)
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Nginx:
    """One nginx with its own configuration and logs under ``prefix``; it can be stopped and started again."""

    def __init__(self, prefix: pathlib.Path, config: str, port: int, **values):
        prefix.mkdir(parents=True, exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(config.format(prefix=prefix, port=port, user=user, **values))
        (prefix / "access.log").write_text("")
        self.prefix, self.url, self.process = prefix, f"http://127.0.0.1:{port}", None

    def start(self) -> None:
        self.process = subprocess.Popen([nginx_binary(), "-p", str(self.prefix), "-c",
                                         str(self.prefix / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"nginx did not start: {self.process.stderr.read().decode()[-500:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> Nginx:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def balancer(prefix: pathlib.Path, port: int, upstreams: list[str]):
    """nginx on 127.0.0.1:``port`` spreading requests over ``upstreams`` (host:port)."""
    servers = "\n".join(f"        server {u};" for u in upstreams)
    with Nginx(prefix, CONFIG, port, servers=servers) as nginx:
        yield nginx.url


def origin(prefix: pathlib.Path, port: int, store: pathlib.Path) -> Nginx:
    """nginx serving a release store as static files (not started: use it as a context manager)."""
    return Nginx(prefix, ORIGIN_CONFIG, port, store=store)


def per_upstream(prefix: pathlib.Path) -> dict[str, tuple[int, float, float]]:
    """Requests, median and p99 upstream time (ms) per upstream, from the access log."""
    times: dict[str, list[float]] = {}
    for line in (prefix / "access.log").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] != "-":
            times.setdefault(parts[0], []).append(float(parts[1].split(",")[0]) * 1000)
    result = {}
    for upstream, values in sorted(times.items()):
        values.sort()
        result[upstream] = (len(values), values[len(values) // 2], values[int(0.99 * (len(values) - 1))])
    return result
