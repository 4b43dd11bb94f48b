"""Configuration, read in one place.

Order of precedence: the defaults below -> an instance file (TOML, path in
``SOCSEC_CONFIG``, default ``instance/socsec.toml`` if it exists) ->
``SOCSEC_<NAME>`` environment variables -> overrides passed by code (tests).
Every setting is declared once in ``SETTINGS``; the README's settings table
is checked against it by a test.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("root", ".", "Project folder; the relative paths below are resolved against it."),
    Setting("packages_dir", "datapackages", "Folder of data packages (one folder each)."),
    Setting("expectations_dir", "expectations", "Folder of expectation suites, one folder per package."),
    Setting("store_dir", "var/store", "Release store: releases/<version>/ and the CURRENT pointer."),
    Setting("host", "127.0.0.1", "Address `socsec serve` listens on."),
    Setting("port", 8000, "Port `socsec serve` listens on."),
    Setting("workers", 2, "gunicorn worker processes for `socsec serve`."),
    Setting("threads", 8, "Threads per gunicorn worker (`gthread`): requests one process serves at once."),
    Setting("sql_time_limit_ms", 1000, "Time limit of one SQL query, in milliseconds."),
    Setting("sql_stream_time_limit_ms", 300000,
            "Time limit of one full export (`_stream=on`), in milliseconds, fetch and transfer included."),
    Setting("max_concurrent_queries", 6,
            "SQL queries (streams included) running at once per server process; more get 503 with Retry-After."),
    Setting("sql_cache_mb", 64,
            "Memory for capped SQL answers already given, per server process, in MiB (0: no cache)."),
    Setting("query_wait_ms", 100,
            "How long a query over `max_concurrent_queries` waits for a free slot before its 503, in milliseconds."),
    Setting("sql_short_budget_ms", 100,
            "A capped SQL query still running after this many milliseconds is heavy: it is run again in the "
            "heavy class (one DuckDB thread, lower CPU priority); 0: every query stays short."),
    Setting("max_heavy_queries", 1,
            "Heavy SQL queries running at once per server process; one more gets 503 "
            "`too-many-heavy-queries` with Retry-After."),
    Setting("max_returned_rows", 1000, "Row cap of one SQL answer; more rows set `truncated`."),
    Setting("sql_memory_limit", "512MB",
            "DuckDB memory limit of each of a release's DuckDB instances in a server process (the serving one, "
            "the busy one, the heavy class's)."),
    Setting("sql_threads", 2,
            "DuckDB threads of the serving connection (full exports, and capped queries when a core is idle)."),
    Setting("sql_busy_threads", 1,
            "DuckDB threads of a capped SQL query that would share the cores (another query or request of the "
            "same server process is running, or the machine has more runnable threads than cores): splitting "
            "it would only add the cost of the split; 0: always `sql_threads`."),
    Setting("max_sql_length", 20000, "Longest SQL text accepted, in characters."),
    Setting("lock_timeout_s", 0.0, "Seconds `socsec release` waits for another release to finish."),
    Setting("origin", "", "Origin a replica pulls releases from (`socsec serve --origin`): a store served "
            "over HTTP; empty: serve the local store as it is."),
    Setting("poll_seconds", 30.0,
            "How often a replica asks the origin for its `CURRENT` (`If-None-Match`), in seconds."),
    Setting("pull_jobs", 4, "Files `socsec pull` downloads at once."),
    Setting("pull_timeout_s", 30.0, "Seconds a pull waits for the origin to answer or send more bytes."),
    Setting("keep_releases", 0, "Releases a replica keeps after each pull, the current one included (0: all)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    root: Path
    packages_dir: Path
    expectations_dir: Path
    store_dir: Path
    host: str
    port: int
    workers: int
    threads: int
    sql_time_limit_ms: int
    sql_stream_time_limit_ms: int
    max_concurrent_queries: int
    query_wait_ms: int
    sql_cache_mb: int
    sql_short_budget_ms: int
    max_heavy_queries: int
    max_returned_rows: int
    sql_memory_limit: str
    sql_threads: int
    sql_busy_threads: int
    max_sql_length: int
    lock_timeout_s: float
    origin: str
    poll_seconds: float
    pull_jobs: int
    pull_timeout_s: float
    keep_releases: int


_PATHS = {"packages_dir", "expectations_dir", "store_dir"}


def _coerce(name: str, value: object) -> object:
    default = _BY_NAME[name].default
    try:
        if isinstance(default, bool):
            return str(value).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {name!r} must be a {type(default).__name__}, got {value!r}",
            details={"setting": name},
        ) from None
    return value


def load_settings(overrides: dict | None = None, env: dict | None = None) -> Settings:
    """Build the one Settings object from defaults, file, environment and overrides."""
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    config_file = Path(env.get("SOCSEC_CONFIG", "instance/socsec.toml"))
    if config_file.is_file():
        try:
            values.update(_known(tomllib.loads(config_file.read_text("utf-8")), str(config_file)))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_file}: {exc}") from None
    for s in SETTINGS:
        key = f"SOCSEC_{s.name.upper()}"
        if key in env:
            values[s.name] = env[key]
    values.update(_known(overrides or {}, "overrides"))
    values = {k: _coerce(k, v) for k, v in values.items()}
    root = Path(values["root"]).resolve()
    values["root"] = root
    for name in _PATHS:
        values[name] = (root / Path(values[name])).resolve()
    return Settings(**{f.name: values[f.name] for f in fields(Settings)})


def _known(data: dict, where: str) -> dict:
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    return dict(data)
