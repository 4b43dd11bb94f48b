"""The home page (catalog with search) and the package pages."""

from __future__ import annotations


from flask import request, url_for

from ... import browse
from ...catalog import snake
from ...downloads import sdmx_path, stata_path, workbook_path
from ..releases import release_for, sandbox_for, store
from .common import blueprint, markdown, render

bp = blueprint("pages_catalog")


def _report(release) -> dict[str, dict]:
    return {p["name"]: p for p in browse.validation_report(release).get("packages", [])}


@bp.get("/")
def home():
    release = release_for(None)
    box = sandbox_for(release)
    items = browse.indicators(box)
    packages = []
    for name, entry in release.packages.items():
        descriptor = release.descriptor(name)
        packages.append({"name": name, "entry": entry, "descriptor": descriptor,
                         "indicators": [i for i in items if i["package"] == name]})
    return render("home.html", release=release, packages=packages, coverage=browse.coverage(box),
                  report=_report(release), search=browse.search_index(release, items),
                  query=request.args.get("q", ""))


@bp.get("/packages/<name>")
def package(name: str):
    release = release_for(None)
    descriptor = release.descriptor(name)
    box = sandbox_for(release)
    readme = release.package_dir(name) / "README.md"
    resources = []
    for resource in descriptor.get("resources", []):
        table = f"{snake(name)}.{snake(resource['name'])}"
        resources.append({"descriptor": resource, "table": table,
                          "rows": release.packages[name]["resources"].get(resource["name"]),
                          "preview": browse.preview(box, name, resource["name"]),
                          "sql": f"SELECT * FROM {table} LIMIT 100"})
    return render("package.html", release=release, name=name, descriptor=descriptor, resources=resources,
                  readme=markdown(readme.read_text("utf-8")) if readme.is_file() else None,
                  validation=browse.validation_of(release, name),
                  history=browse.history(store(), name), jsonld=_dataset(release, name, descriptor),
                  formats=_formats(release, name, descriptor))


def _formats(release, name: str, descriptor: dict) -> dict:
    """Which of the release's workbook, Stata and statistics files this package has."""
    names = [r["name"] for r in descriptor.get("resources", [])]
    return {"xlsx": workbook_path(release.path, name).is_file(),
            "dta": {r for r in names if stata_path(release.path, name, r).is_file()},
            "stat": {"observations"} if sdmx_path(release.path, name).is_file() else set()}


def _dataset(release, name: str, descriptor: dict) -> dict:
    """schema.org Dataset: what search engines and harvesters read."""
    base = request.host_url.rstrip("/")
    dataset = {
        "@context": "https://schema.org", "@type": "Dataset", "name": descriptor.get("title", name),
        "alternateName": [v for v in (name, descriptor.get("title_zh")) if v],
        "description": descriptor.get("description", "") or descriptor.get("title", name),
        "url": base + url_for("pages_catalog.package", name=name), "identifier": name,
        "version": release.version, "dateModified": release.meta.get("created", ""),
        "keywords": descriptor.get("keywords", []), "inLanguage": ["en", "zh-CN"],
        "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": c.get("title", "")}
                    for c in descriptor.get("contributors", []) if c.get("title")],
        "license": next((lic.get("path") or lic.get("name") for lic in descriptor.get("licenses", [])), None),
        "distribution": [{"@type": "DataDownload", "encodingFormat": "application/zip",
                          "contentUrl": base + f"/api/packages/{name}.zip"}] + [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "name": r["name"],
             "contentUrl": base + f"/api/packages/{name}/{r['name']}.csv"}
            for r in descriptor.get("resources", [])],
    }
    temporal = descriptor.get("temporal") or {}
    if temporal.get("start"):
        dataset["temporalCoverage"] = f"{temporal['start']}/{temporal.get('end', '..')}"
    return {k: v for k, v in dataset.items() if v not in (None, [], "")}
