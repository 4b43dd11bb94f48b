"""The `socsec` command: a thin click group over the library."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from .config import load_settings
from .errors import ConfigError, ServiceError, ValidationFailed


class UsageFailure(click.ClickException):
    exit_code = 2


def _settings(ctx: click.Context, *, need_packages: bool = False):
    try:
        settings = load_settings(ctx.obj or {})
    except ConfigError as exc:
        raise UsageFailure(exc.message) from None
    if need_packages and not settings.packages_dir.is_dir():
        raise UsageFailure(f"no packages folder at {settings.packages_dir} (setting `packages_dir`)")
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False), help="Project folder (default: the current one).")
@click.version_option(package_name="socsec")
@click.pass_context
def main(ctx: click.Context, root: str | None) -> None:
    """Validate, release and serve China social security data packages."""
    ctx.obj = {"root": root} if root else {}


@main.command()
@click.argument("packages", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write an HTML report here.")
@click.option("--structure-only", is_flag=True, help="Skip the expectation suites.")
@click.option("--engine", type=click.Choice(["duckdb", "frictionless"]), default="duckdb", show_default=True,
              help="Row checks compiled to DuckDB SQL, or frictionless-py's own (slower, the oracle).")
@click.pass_context
def validate(ctx: click.Context, packages: tuple[str, ...], as_json: bool, html_path: str | None,
             structure_only: bool, engine: str) -> None:
    """Check every package (or the named ones): structure, then expectation suites.

    Exits 0 when everything passes, 1 when anything fails, 2 on a usage error.
    """
    from .summary import print_report, progress_printer
    from .validation.html import render_report
    from .validation.runner import validate_all

    settings = _settings(ctx, need_packages=True)
    known = {p.name for p in settings.packages_dir.iterdir()}
    unknown = sorted(set(packages) - known)
    if unknown:
        raise UsageFailure(f"no package folder named {', '.join(unknown)} in {settings.packages_dir}")
    progress = (lambda *a: None) if as_json else progress_printer()
    report = validate_all(settings.packages_dir, settings.expectations_dir, only=list(packages) or None,
                          progress=progress, engine=engine, structure_only=structure_only)
    if html_path:
        Path(html_path).write_text(render_report(report), "utf-8")
    if as_json:
        click.echo(report.to_json())
    else:
        print_report(report)
    sys.exit(0 if report.valid else 1)


@main.command()
@click.option("--if-stale", is_flag=True, help="Only release when the packages or suites changed.")
@click.pass_context
def release(ctx: click.Context, if_stale: bool) -> None:
    """Validate everything and publish a new immutable release; refuse if anything fails."""
    from .release import is_stale, make_release
    from .summary import print_report, progress_printer
    from .validation.report import Report

    settings = _settings(ctx, need_packages=True)
    if if_stale and not is_stale(settings):
        click.echo("The current release is up to date; nothing to do.")
        return
    try:
        version = make_release(settings, progress=progress_printer())
    except ValidationFailed as exc:
        print_report(Report.from_dict(exc.details["report"]))
        raise click.ClickException(exc.message) from None
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Released {version}; it is now current.")


@main.command()
@click.pass_context
def releases(ctx: click.Context) -> None:
    """List the releases, newest first; the current one is marked with *."""
    from .store import Store

    store = Store(_settings(ctx).store_dir)
    current = store.current_version()
    versions = list(reversed(store.versions()))
    if not versions:
        click.echo("No releases yet: run `socsec release`.")
    for version in versions:
        meta = store.release(version).meta
        mark = "*" if version == current else " "
        click.echo(f"{mark} {version}  {meta['created']}  {len(meta['packages'])} packages")


@main.command()
@click.argument("version", required=False)
@click.pass_context
def verify(ctx: click.Context, version: str | None) -> None:
    """Check a release (default: the current one) against its manifest."""
    from .store import Store
    from .store import verify as verify_release

    store = Store(_settings(ctx).store_dir)
    try:
        target = store.release(version) if version else store.current()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    problems = verify_release(target)
    for problem in problems:
        click.echo(f"  {problem}")
    if problems:
        raise click.ClickException(f"release {target.version} does not match its manifest")
    click.echo(f"Release {target.version} matches its manifest.")


@main.command()
@click.argument("url")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Keep only the newest N releases (never removing the current one).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Files downloaded at once (setting `pull_jobs`).")
@click.pass_context
def pull(ctx: click.Context, url: str, keep: int | None, jobs: int | None) -> None:
    """Bring the current release of an origin (a store served over HTTP) here, verify it, switch to it.

    Exits 1, leaving the local store as it was, when a file cannot be fetched or differs from the
    manifest; the next pull resumes where this one stopped.
    """
    from .origin import Origin
    from .pull import pull as run_pull
    from .summary import pull_progress

    settings = _settings(ctx)
    if jobs:
        settings = dataclasses.replace(settings, pull_jobs=jobs)
    try:
        origin = Origin(url, settings.pull_timeout_s)
    except ConfigError as exc:
        raise UsageFailure(exc.message) from None
    try:
        with pull_progress() as progress:
            outcome = run_pull(settings, origin, keep=keep, progress=progress)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    if outcome.switched:
        click.echo(f"Pulled {outcome.version} from {origin.display}: {outcome.downloaded} file(s) downloaded "
                   f"({outcome.bytes:,} bytes), {outcome.reused} already here; it is now current.")
    else:
        click.echo(f"{outcome.version} is the origin's current release and already current here.")
    if outcome.pruned:
        click.echo(f"Removed {len(outcome.pruned)} older release(s): {', '.join(outcome.pruned)}")


@main.command()
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
@click.option("--host", default=None, help="Address to listen on (setting `host`).")
@click.option("--port", type=int, default=None, help="Port (setting `port`).")
@click.option("--workers", type=int, default=None, help="gunicorn workers (setting `workers`).")
@click.option("--threads", type=int, default=None, help="Threads per worker (setting `threads`).")
@click.option("--origin", default=None, metavar="URL",
              help="Be a replica: pull releases from this origin and follow its CURRENT (setting `origin`).")
@click.option("--poll-seconds", type=click.FloatRange(min=0.1), default=None,
              help="How often a replica asks the origin for its CURRENT (setting `poll_seconds`).")
@click.pass_context
def serve(ctx: click.Context, dev: bool, host: str | None, port: int | None, workers: int | None,
          threads: int | None, origin: str | None, poll_seconds: float | None) -> None:
    """Serve the current release over HTTP (with --origin: the origin's, pulled and verified first)."""
    from .origin import Origin

    overrides = {k: v for k, v in (("origin", origin), ("poll_seconds", poll_seconds)) if v is not None}
    ctx.obj = {**(ctx.obj or {}), **overrides}
    settings = _settings(ctx)
    host, port, workers = host or settings.host, port or settings.port, workers or settings.workers
    threads = threads or settings.threads
    if settings.origin:
        try:
            Origin(settings.origin)
        except ConfigError as exc:
            raise UsageFailure(exc.message) from None
    os.environ["SOCSEC_ROOT"] = str(settings.root)
    os.environ.update({f"SOCSEC_{k.upper()}": str(v) for k, v in overrides.items()})
    if dev:
        from .web import create_app

        create_app().run(host=host, port=port)
        return
    os.execv(sys.executable, gunicorn_argv(host, port, workers, threads))


def gunicorn_argv(host: str, port: int, workers: int, threads: int, app: str = "service.web:create_app()") -> list[str]:
    """The gunicorn command line of `socsec serve` (bench/http serves its bare route the same way)."""
    # gthread: a query that runs into the time limit holds one thread, not a whole worker; no keep-alive:
    # a gthread worker accepts connections greedily, and kept-alive ones would pin every client to it
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--worker-class", "service.web.worker.JsonErrorWorker", "--threads", str(threads), "--keep-alive", "0",
            "--limit-request-line", "8190",
            "--access-logfile", "-", app]


@main.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "ndjson", "parquet"]), default="json",
              show_default=True, help="Answer format, as /api/sql.<format> gives it.")
@click.option("--release", "version", default=None, help="Release version (default: the current one).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A $NAME parameter.")
@click.option("--all", "full", is_flag=True, help="Every row (as `_stream=on`), not at most max_returned_rows.")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Write here (default: stdout).")
@click.pass_context
def query(ctx: click.Context, sql: str, fmt: str, version: str | None, params: tuple[str, ...], full: bool,
          output) -> None:
    """Run one read-only SELECT in the same sandbox, with the same limits, as /api/sql."""
    from .querying import run_query

    settings = _settings(ctx)
    bound = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageFailure(f"--param {item!r}: give NAME=VALUE")
        bound[name] = value
    try:
        for chunk in run_query(settings, sql, fmt=fmt, version=version, params=bound, full=full):
            output.write(chunk)
    except ServiceError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from None


@main.group()
def expectations() -> None:
    """Expectation suites."""


@expectations.command("init")
@click.argument("package")
@click.option("--force", is_flag=True, help="Overwrite suites that exist.")
@click.pass_context
def expectations_init(ctx: click.Context, package: str, force: bool) -> None:
    """Write a starter suite per resource from the schema and a profile of the data."""
    import json

    from .catalog import load_package
    from .validation.profiling import starter_suite

    settings = _settings(ctx)
    folder = settings.packages_dir / package
    if not folder.is_dir():
        raise UsageFailure(f"no package folder named {package} in {settings.packages_dir}")
    try:
        loaded = load_package(folder)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    target = settings.expectations_dir / package
    target.mkdir(parents=True, exist_ok=True)
    for resource in loaded.resources:
        out = target / f"{resource.name}.json"
        if out.exists() and not force:
            click.echo(f"kept {out} (exists; --force to overwrite)")
            continue
        suite = starter_suite(loaded, resource)
        out.write_text(json.dumps(suite, indent=2, ensure_ascii=False) + "\n", "utf-8")
        click.echo(f"wrote {out}: {len(suite['expectations'])} expectations")


@main.command()
@click.pass_context
def assemble(ctx: click.Context) -> None:
    """Rebuild datapackages/ from seeds/ (the registries, extracts and sources)."""
    from .assembly import assemble as run_assembly

    settings = _settings(ctx)
    names = run_assembly(settings.root / "seeds", settings.packages_dir)
    click.echo(f"Assembled {len(names)} packages: {', '.join(names)}")


if __name__ == "__main__":
    main()
