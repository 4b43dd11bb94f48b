"""Downloads: the catalog, descriptors, zips, workbooks, CSV, Parquet and Stata files of each resource,
JSON-stat and SDMX of the observations."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, jsonify, request, send_file, url_for
from werkzeug.security import safe_join

from ..catalog import snake
from ..downloads import jsonstat_path, sdmx_path, stata_path, workbook_path
from ..errors import NotFound
from ..jsonstat import MEDIA_TYPE as JSONSTAT
from ..rows import read_page
from ..formats import jsonable, rows_as_objects
from .releases import cache_headers, release_for, remembered, sandbox_for
from .tablequery import rows_request, stat_lang

_MEDIA = {".csv": "text/csv", ".json": "application/json", ".md": "text/markdown", ".txt": "text/plain",
          ".yaml": "application/yaml", ".yml": "application/yaml", ".parquet": "application/vnd.apache.parquet",
          ".tsv": "text/tab-separated-values"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DTA = "application/x-stata-dta"
SDMX_CSV = "application/vnd.sdmx.data+csv; version=2.0.0"

bp = Blueprint("packages", __name__)


def _links(bp_name: str, version: str | None, **kwargs) -> str:
    return url_for(bp_name, version=version, **kwargs) if version else url_for(bp_name, **kwargs)


@bp.get("/packages")
@remembered
def catalog(version: str | None = None):
    release = release_for(version)
    prefix = "versioned_packages" if version else "packages"
    items = [_entry(prefix, version, name, entry, release.path) for name, entry in release.packages.items()]
    return cache_headers(jsonify({"release": release.version, "packages": items}), version)


def _entry(prefix: str, version: str | None, name: str, entry: dict, path: Path) -> dict:
    link = lambda endpoint, **kw: _links(f"{prefix}.{endpoint}", version, name=name, **kw)  # noqa: E731
    return {
        "name": name, "title": entry["title"], "description": entry.get("description", ""),
        "datapackage": link("package_descriptor"), "descriptor": link("descriptor"),
        "zip": link("package_zip"), "readme": link("readme"),
        **({"xlsx": link("package_xlsx")} if workbook_path(path, name).is_file() else {}),
        "resources": [{
            "name": resource, "rows": rows, "table": f"{snake(name)}.{snake(resource)}",
            "json": link("resource_rows", resource=resource),
            "csv": link("resource_file", resource=resource, ext="csv"),
            "parquet": link("resource_file", resource=resource, ext="parquet"),
            **({"dta": link("resource_file", resource=resource, ext="dta")}
               if stata_path(path, name, resource).is_file() else {}),
            **({"jsonstat": link("resource_file", resource=resource, ext="jsonstat"),
                "sdmx": link("resource_sdmx", resource=resource),
                "sdmx_structure": _links(f"{prefix}.sdmx_structure", version)}
               if resource == "observations" and jsonstat_path(path, name, "en").is_file() else {}),
        } for resource, rows in entry["resources"].items()],
    }


@bp.get("/packages/<name>")
def descriptor(name: str, version: str | None = None):
    release = release_for(version)
    return cache_headers(jsonify(release.descriptor(name)), version)


@bp.get("/packages/<name>/datapackage.json", endpoint="package_descriptor")
def package_descriptor(name: str, version: str | None = None):
    """The descriptor inside its folder, so that its resource paths resolve against this URL."""
    path = release_for(version).package_dir(name) / "datapackage.json"
    return cache_headers(send_file(path, mimetype="application/json", conditional=True), version)


@bp.get("/packages/<name>/<path:file>", endpoint="package_file")
def package_file(name: str, file: str, version: str | None = None):
    """Any file of the released package folder at its path (``data/observations.csv``)."""
    folder = release_for(version).package_dir(name)
    path = safe_join(str(folder), file)
    if path is None or not Path(path).is_file():
        raise NotFound(f"package {name!r} has no file {file!r}", details={"package": name, "file": file})
    mimetype = _MEDIA.get(Path(path).suffix.lower(), "application/octet-stream")
    return cache_headers(send_file(path, mimetype=mimetype, conditional=True), version)


@bp.get("/packages/<name>/<resource>.json", endpoint="resource_rows")
@remembered
def resource_rows(name: str, resource: str, version: str | None = None):
    """Rows without SQL: ``?column=value`` filters, ``_sort``/``_sort_desc``, ``_size``, ``_next``."""
    release = release_for(version)
    found = release.descriptor(name)
    match = next((r for r in found.get("resources", []) if r.get("name") == resource), None)
    if match is None or resource not in release.packages[name]["resources"]:
        raise NotFound(f"package {name!r} has no table {resource!r}", details={"package": name, "resource": resource})
    ask = rows_request(request.args)
    pk = (match.get("schema") or {}).get("primaryKey") or []
    page = read_page(sandbox_for(release), snake(name), snake(resource), [pk] if isinstance(pk, str) else pk, ask)
    shape = request.args.get("_shape", "objects")
    rows = (rows_as_objects(page.columns, page.rows) if shape != "arrays"
            else [[jsonable(v) for v in row] for row in page.rows])
    next_url = None
    if page.next:
        args = request.args.to_dict(flat=False) | {"_next": [page.next]}
        next_url = request.base_url + "?" + urlencode(args, doseq=True)
    return cache_headers(jsonify({"ok": True, "release": release.version, "package": name, "resource": resource,
                                  "table": f"{snake(name)}.{snake(resource)}", "columns": page.columns,
                                  "types": page.types, "rows": rows, "next": page.next,
                                  "next_url": next_url}), version)


@bp.get("/packages/<name>.zip")
def package_zip(name: str, version: str | None = None):
    release = release_for(version)
    release.package_dir(name)
    response = send_file(release.path / "zips" / f"{name}.zip", mimetype="application/zip",
                         as_attachment=True, download_name=f"{name}-{release.version}.zip", conditional=True)
    return cache_headers(response, version)


@bp.get("/packages/<name>.xlsx")
def package_xlsx(name: str, version: str | None = None):
    """The package as one Excel workbook: README, one sheet per resource, its sources."""
    release = release_for(version)
    release.package_dir(name)
    path = workbook_path(release.path, name)
    if not path.is_file():
        raise NotFound(f"release {release.version} has no workbook of {name!r} (it predates workbooks)",
                       details={"package": name, "release": release.version})
    response = send_file(path, mimetype=XLSX, as_attachment=True,
                         download_name=f"{name}-{release.version}.xlsx", conditional=True)
    return cache_headers(response, version)


@bp.get("/sdmx/structure.xml")
def sdmx_structure(version: str | None = None):
    """The release's SDMX-ML 2.1 structure message: code lists, concepts, the DSD, a dataflow per package."""
    release = release_for(version)
    path = sdmx_path(release.path)
    if not path.is_file():
        raise NotFound(f"release {release.version} has no SDMX structure (it has no indicator package, or "
                       "predates SDMX)", details={"release": release.version})
    return cache_headers(send_file(path, mimetype="application/xml", conditional=True), version)


@bp.get("/packages/<name>/<resource>.sdmx.csv")
def resource_sdmx(name: str, resource: str, version: str | None = None):
    """The preferred observations as SDMX-CSV 2.0 (structure: ``/api/sdmx/structure.xml``)."""
    release = release_for(version)
    release.package_dir(name)
    path = sdmx_path(release.path, name)
    if resource != "observations" or not path.is_file():
        raise NotFound(f"resource {resource!r} of {name!r} has no SDMX data (only observations resources of "
                       "indicator packages do)", details={"package": name, "resource": resource})
    return cache_headers(send_file(path, mimetype=SDMX_CSV, conditional=True,
                                   download_name=f"{name}-{resource}.sdmx.csv"), version)


@bp.get("/packages/<name>/README.md", endpoint="readme")
def readme(name: str, version: str | None = None):
    path = release_for(version).package_dir(name) / "README.md"
    if not path.is_file():
        raise NotFound(f"package {name!r} has no README", details={"package": name})
    response = send_file(path, mimetype="text/markdown; charset=utf-8", conditional=True)
    return cache_headers(response, version)


@bp.get("/packages/<name>/<resource>.<any(csv, parquet, dta, jsonstat):ext>")
def resource_file(name: str, resource: str, ext: str, version: str | None = None):
    release = release_for(version)
    folder = release.package_dir(name)
    descriptor = release.descriptor(name)
    match = next((r for r in descriptor.get("resources", []) if r.get("name") == resource), None)
    if match is None or not match.get("path"):
        raise NotFound(f"package {name!r} has no resource {resource!r}",
                       details={"package": name, "resource": resource})
    if ext == "csv":
        path, mimetype = folder / match["path"], "text/csv; charset=utf-8"
    elif ext == "jsonstat":
        path, mimetype = jsonstat_path(release.path, name, stat_lang()), JSONSTAT
        if resource != "observations" or not path.is_file():
            raise NotFound(f"resource {resource!r} of {name!r} has no JSON-stat dataset (only observations "
                           "resources of indicator packages do)", details={"package": name, "resource": resource})
    elif ext == "dta":
        path, mimetype = stata_path(release.path, name, resource), DTA
        if not path.is_file():
            raise NotFound(f"resource {resource!r} of {name!r} has no Stata file (only observations resources do)",
                           details={"package": name, "resource": resource})
    else:
        path, mimetype = release.path / "parquet" / name / f"{resource}.parquet", "application/vnd.apache.parquet"
    response = send_file(path, mimetype=mimetype, conditional=True,
                         download_name=f"{name}-{resource}.{ext}")
    return cache_headers(response, version)
