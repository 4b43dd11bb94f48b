"""``datapackage.json`` (Data Package v2) for one package."""

from __future__ import annotations

from .catalog import CATALOG, CONTRIBUTORS, LICENSE, SOURCES_TERMS, VERSION

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def resource(name: str, schema: dict, title: str, description: str) -> dict:
    return {
        "name": name,
        "path": f"data/{name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": title,
        "description": description,
        "schema": schema,
    }


def package_descriptor(name: str, resources: list[dict], years: list[int], sources: list[dict]) -> dict:
    meta = CATALOG[name]
    return {
        "$schema": PROFILE,
        "name": name,
        "title": meta["title"],
        "title_zh": meta["title_zh"],
        "description": meta["description"],
        "description_zh": meta["description_zh"],
        "version": VERSION,
        "keywords": meta["keywords"],
        "licenses": [LICENSE],
        "sources_terms": SOURCES_TERMS,
        "temporal": {"start": str(min(years)), "end": str(max(years))},
        "contributors": CONTRIBUTORS,
        "sources": [{"title": s["title"], "path": s["url"]} if s["url"] else {"title": s["title"]} for s in sources],
        "resources": resources,
    }
