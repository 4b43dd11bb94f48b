"""Downloads: the catalog, descriptors, zips, CSV and Parquet of each resource."""

from __future__ import annotations

from flask import Blueprint, jsonify, send_file, url_for

from ..catalog import snake
from ..errors import NotFound
from .releases import cache_headers, release_for

bp = Blueprint("packages", __name__)


def _links(bp_name: str, version: str | None, **kwargs) -> str:
    return url_for(bp_name, version=version, **kwargs) if version else url_for(bp_name, **kwargs)


@bp.get("/packages")
def catalog(version: str | None = None):
    release = release_for(version)
    prefix = "versioned_packages" if version else "packages"
    items = []
    for name, entry in release.packages.items():
        items.append({
            "name": name, "title": entry["title"], "description": entry.get("description", ""),
            "descriptor": _links(f"{prefix}.descriptor", version, name=name),
            "zip": _links(f"{prefix}.package_zip", version, name=name),
            "readme": _links(f"{prefix}.readme", version, name=name),
            "resources": [{
                "name": resource, "rows": rows, "table": f"{snake(name)}.{snake(resource)}",
                "csv": _links(f"{prefix}.resource_file", version, name=name, resource=resource, ext="csv"),
                "parquet": _links(f"{prefix}.resource_file", version, name=name, resource=resource,
                                  ext="parquet"),
            } for resource, rows in entry["resources"].items()],
        })
    return cache_headers(jsonify({"release": release.version, "packages": items}), version)


@bp.get("/packages/<name>")
def descriptor(name: str, version: str | None = None):
    release = release_for(version)
    return cache_headers(jsonify(release.descriptor(name)), version)


@bp.get("/packages/<name>.zip")
def package_zip(name: str, version: str | None = None):
    release = release_for(version)
    release.package_dir(name)
    response = send_file(release.path / "zips" / f"{name}.zip", mimetype="application/zip",
                         as_attachment=True, download_name=f"{name}-{release.version}.zip", conditional=True)
    return cache_headers(response, version)


@bp.get("/packages/<name>/README.md", endpoint="readme")
def readme(name: str, version: str | None = None):
    path = release_for(version).package_dir(name) / "README.md"
    if not path.is_file():
        raise NotFound(f"package {name!r} has no README", details={"package": name})
    response = send_file(path, mimetype="text/markdown; charset=utf-8", conditional=True)
    return cache_headers(response, version)


@bp.get("/packages/<name>/<resource>.<any(csv, parquet):ext>")
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
    else:
        path, mimetype = release.path / "parquet" / name / f"{resource}.parquet", "application/vnd.apache.parquet"
    response = send_file(path, mimetype=mimetype, conditional=True,
                         download_name=f"{name}-{resource}.{ext}")
    return cache_headers(response, version)
