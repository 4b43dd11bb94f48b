"""The release's downloads for office and statistics tools, built from the release's own DuckDB file
(so typed exactly as SQL and Parquet are): per package an Excel workbook (``workbooks/<package>.xlsx``),
a Stata file per observations resource (``stata/<package>/<resource>.dta``), and the preferred observations
as JSON-stat 2.0 in each language (``jsonstat/<package>/observations.<lang>.json``) and as SDMX-CSV 2.0
(``sdmx/<package>/observations.csv``) with the release's SDMX-ML structure message (``sdmx/structure.xml``)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from . import jsonstat, sdmx
from .catalog import Package, snake
from .sandbox import Sandbox
from .statafile import write_dta
from .warehouse import quote_ident
from .workbook import Sheet, write_workbook

STATA_RESOURCES = ("observations",)


def workbook_path(release_dir: Path, package: str) -> Path:
    return release_dir / "workbooks" / f"{package}.xlsx"


def stata_path(release_dir: Path, package: str, resource: str) -> Path:
    return release_dir / "stata" / package / f"{resource}.dta"


def jsonstat_path(release_dir: Path, package: str, lang: str) -> Path:
    return release_dir / "jsonstat" / package / f"observations.{lang}.json"


def sdmx_path(release_dir: Path, package: str | None = None) -> Path:
    return release_dir / "sdmx" / (f"{package}/observations.csv" if package else "structure.xml")


def build_downloads(release_dir: Path, packages: list[Package], version: str, created: str) -> None:
    con = duckdb.connect(str(release_dir / "warehouse.duckdb"), read_only=True)
    try:
        for package in packages:
            tables = {r.name: _table(con, package, r.name) for r in package.resources if r.path}
            tables = {name: t for name, t in tables.items() if t is not None}
            sheets = [Sheet(name, cols, rows) for name, (cols, rows) in tables.items()]
            write_workbook(workbook_path(release_dir, package.name), _about(package, version), sheets,
                           _sources(package, tables))
            for resource in package.resources:
                if resource.name in STATA_RESOURCES and resource.name in tables:
                    columns, rows = tables[resource.name]
                    write_dta(stata_path(release_dir, package.name, resource.name),
                              resource.schema.get("fields") or [], columns, rows,
                              package.descriptor.get("title") or package.name)
    finally:
        con.close()
    _build_statistics(release_dir, packages, version, created)


def _build_statistics(release_dir: Path, packages: list[Package], version: str, created: str) -> None:
    box = Sandbox(release_dir / "warehouse.duckdb", threads=2, time_limit_ms=600_000, stream_time_limit_ms=600_000,
                  max_rows=10**9)
    try:
        indicators, regions = jsonstat.labels(box)
        flows = []
        for package in packages:
            rows = jsonstat.package_observations(box, package.name)
            if not rows:
                continue
            d = package.descriptor
            flows.append((package.name, d.get("title") or package.name, d.get("title_zh") or ""))
            _write(sdmx_path(release_dir, package.name), sdmx.data_csv(rows, package=package.name))
            for lang in jsonstat.LANGUAGES:
                title = package.descriptor.get("title_zh" if lang == "zh" else "title") or package.name
                data = jsonstat.dataset(rows, indicators, regions, lang=lang, label=title, release=version,
                                        updated=created)
                _write(jsonstat_path(release_dir, package.name, lang),
                       json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        if flows:
            _write(sdmx_path(release_dir), sdmx.structure_message(indicators, regions, flows, release=version,
                                                                  prepared=created))
    finally:
        box.close()


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")


def _table(con, package: Package, resource: str) -> tuple[list[str], list[tuple]] | None:
    name = f"{quote_ident(snake(package.name))}.{quote_ident(snake(resource))}"
    try:
        cursor = con.execute(f"SELECT * FROM {name}")
    except duckdb.CatalogException:
        return None
    return [d[0] for d in cursor.description], cursor.fetchall()


def _about(package: Package, version: str) -> list[tuple[str, str]]:
    d = package.descriptor
    title = d.get("title") or package.name
    licences = "; ".join(" ".join(x for x in (lic.get("title") or lic.get("name", ""), lic.get("path", "")) if x)
                         for lic in d.get("licenses") or [])
    readme = package.folder / "README.md"
    lines = readme.read_text("utf-8").splitlines() if readme.is_file() else []  # a cell holds 32,767 characters
    citation = (f"socsec project, {title} (data package {package.name}, version {d.get('version', '')}, "
                f"release {version}); cite the original source of any single figure as given in its source_id.")
    return [("Package", package.name), ("Title", title), ("标题", d.get("title_zh", "")),
            ("Description", d.get("description", "")), ("说明", d.get("description_zh", "")),
            ("Release", version), ("Package version", str(d.get("version", ""))), ("Licence", licences),
            ("Terms of the sources", d.get("sources_terms", "")), ("Citation", citation),
            *((("README" if i == 0 else ""), line) for i, line in enumerate(lines))]


def _sources(package: Package, tables: dict) -> Sheet:
    columns = ["title", "publisher", "link", "reliability"]
    if "sources" in tables:
        names, rows = tables["sources"]
        if {"title", "url"} <= set(names):
            pick = [names.index(c) if c in names else None for c in ("title", "publisher", "url", "reliability")]
            return Sheet("source list", columns, [tuple(r[i] if i is not None else None for i in pick) for r in rows])
    return Sheet("source list", columns, [(s.get("title"), s.get("publisher") or None, s.get("path"), None)
                                          for s in package.descriptor.get("sources") or []])
