"""The release's downloads for office and statistics tools, built from the release's own DuckDB file
(so typed exactly as SQL and Parquet are): per package an Excel workbook (``workbooks/<package>.xlsx``)
and a Stata file per observations resource (``stata/<package>/<resource>.dta``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .catalog import Package, snake
from .statafile import write_dta
from .warehouse import quote_ident
from .workbook import Sheet, write_workbook

STATA_RESOURCES = ("observations",)


def workbook_path(release_dir: Path, package: str) -> Path:
    return release_dir / "workbooks" / f"{package}.xlsx"


def stata_path(release_dir: Path, package: str, resource: str) -> Path:
    return release_dir / "stata" / package / f"{resource}.dta"


def build_downloads(release_dir: Path, packages: list[Package], version: str) -> None:
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
    lines = readme.read_text("utf-8").splitlines() if readme.is_file() else []
    return [("Package", package.name), ("Title", title), ("标题", d.get("title_zh", "")),
            ("Description", d.get("description", "")), ("说明", d.get("description_zh", "")),
            ("Release", version), ("Package version", str(d.get("version", ""))), ("Licence", licences),
            ("Terms of the sources", d.get("sources_terms", "")),
            ("Citation", f"socsec project, {title} (data package {package.name}, version {d.get('version', '')}, "
                         f"release {version}); cite the original source of any single figure as given in its "
                         "source_id."),
            *((("README" if i == 0 else ""), line) for i, line in enumerate(lines))]  # a cell holds 32,767 characters


def _sources(package: Package, tables: dict) -> Sheet:
    columns = ["title", "publisher", "link", "reliability"]
    if "sources" in tables:
        names, rows = tables["sources"]
        if {"title", "url"} <= set(names):
            pick = [names.index(c) if c in names else None for c in ("title", "publisher", "url", "reliability")]
            return Sheet("source list", columns, [tuple(r[i] if i is not None else None for i in pick) for r in rows])
    return Sheet("source list", columns, [(s.get("title"), s.get("publisher") or None, s.get("path"), None)
                                          for s in package.descriptor.get("sources") or []])
