"""The release as a DCAT 3 catalog in JSON-LD, for CKAN's DCAT harvester and dataset search engines.

Each package is a ``dcat:Dataset`` (titles and descriptions in English and Chinese where the descriptor
has them, licence, temporal coverage, keywords, publisher) with one ``dcat:Distribution`` per zip, per
resource file (the CSV at the path its descriptor names) and per resource Parquet: the release's
immutable download URL, the IANA media type, the byte size and the sha256 checksum of the very file
(from the descriptor for resource files, from the release's ``manifest.json`` for zips and Parquet).

It conforms to DCAT-AP 3.0.1 (no ``sh:Violation`` against its SHACL shapes, checked in a test): media types
are ``dct:MediaType``, licences ``dct:LicenseDocument``, pages ``foaf:Document``; each dataset has a contact
point, the EU data theme "Population and society", China as spatial coverage and English and Chinese as
languages; each distribution has its EU file type and availability. Every distribution is built by
``distribution()``, so one added there inherits all of it.
"""

from __future__ import annotations

import json
import mimetypes
import re
from urllib.parse import quote

from flask import Blueprint, Response, request

from ..browse import manifest
from ..store import Release
from .releases import cache_headers, release_for

bp = Blueprint("dcat", __name__)

MIMETYPE = "application/ld+json"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
IANA = "https://www.iana.org/assignments/media-types/"
MEDIA_TYPES = {"zip": "application/zip", "parquet": "application/vnd.apache.parquet",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "dta": "application/x-stata-dta", "jsonstat": "application/json",
               "sdmx.csv": "application/vnd.sdmx.data+csv"}
# release files beside each resource's Parquet: (extension of the URL, path in the release)
_RESOURCE_FILES = (("dta", "stata/{package}/{name}.dta"), ("jsonstat", "jsonstat/{package}/{name}.en.json"),
                   ("sdmx.csv", "sdmx/{package}/{name}.csv"))
EU = "http://publications.europa.eu/resource/authority/"
# IANA media type -> the EU file-type authority's code (dct:format); a type not listed gets no dct:format
FILE_TYPES = {"application/zip": "ZIP", "text/csv": "CSV", "text/tab-separated-values": "TSV",
              "application/vnd.apache.parquet": "PARQUET", "application/json": "JSON",
              "application/ld+json": "JSON_LD", "application/xml": "XML", "text/xml": "XML",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
              "application/vnd.sdmx.data+csv": "SDMX"}
# Stata's .dta has no code in the EU file-type authority: its distributions go without dct:format (a warning)
THEME = {"@id": f"{EU}data-theme/SOCI", "@type": "skos:Concept",
         "skos:prefLabel": {"@value": "Population and society", "@language": "en"}}
THEMES = {"@id": f"{EU}data-theme", "@type": "skos:ConceptScheme",
          "dct:title": {"@value": "Data theme", "@language": "en"}}
SPATIAL = {"@id": f"{EU}country/CHN", "@type": "dct:Location"}
LANGUAGES = [{"@id": f"{EU}language/{code}", "@type": "dct:LinguisticSystem"} for code in ("ENG", "ZHO")]
STABLE = {"@id": f"{EU}planned-availability/STABLE", "@type": "skos:Concept",  # a release never changes
          "skos:prefLabel": {"@value": "stable", "@language": "en"}}
CATALOG_LICENCE = "https://creativecommons.org/licenses/by/4.0/"  # the compilation's licence
CATALOG_TITLE = {"en": "socsec: China social security statistics", "zh-CN": "socsec:中国社会保障统计"}
CATALOG_DESCRIPTION = {
    "en": "Open data packages of China's social security statistics, each number with its source and "
          "verbatim quote, validated before release.",
    "zh-CN": "中国社会保障统计开放数据包,每个数字附来源与原文,发布前经过校验。",
}
PUBLISHER = "socsec project"
_CJK = re.compile(r"[\u3400-\u9fff]")
_DATE_TYPES = [(re.compile(r"^\d{4}$"), "xsd:gYear"), (re.compile(r"^\d{4}-\d{2}$"), "xsd:gYearMonth"),
               (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "xsd:date")]


@bp.get("/catalog.jsonld")
def catalog(version: str | None = None):
    release = release_for(version)
    document = catalog_document(release, request.host_url.rstrip("/"))
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return cache_headers(Response(body, mimetype=MIMETYPE), version)


def catalog_document(release: Release, base_url: str) -> dict:
    """The DCAT catalog of ``release`` as a JSON-LD document whose URLs start with ``base_url``."""
    files = {entry["path"]: entry for entry in manifest(release)}
    pinned = f"{base_url}/api/releases/{release.version}"
    created = _typed(release.meta["created"], "xsd:dateTime")
    document = {
        "@context": CONTEXT,
        "@id": f"{pinned}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _texts(CATALOG_TITLE),
        "dct:description": _texts(CATALOG_DESCRIPTION),
        "dct:publisher": _agent(base_url, PUBLISHER),
        "foaf:homepage": _document(f"{base_url}/"),
        "dct:license": _licence_document(CATALOG_LICENCE),
        "dct:language": LANGUAGES,
        "dct:spatial": SPATIAL,
        "dcat:themeTaxonomy": THEMES,
        "dcat:version": release.version,
        "dct:issued": created,
        "dct:modified": created,
        "dcat:dataset": [_dataset(release, name, base_url, files) for name in release.packages],
        "dcat:service": _sql_service(release, base_url),
    }
    if release.meta.get("previous"):
        document["dcat:previousVersion"] = {
            "@id": f"{base_url}/api/releases/{release.meta['previous']}/catalog.jsonld"}
    return document


def _sql_service(release: Release, base_url: str) -> dict:
    """SQL over HTTP on this release, described by the OpenAPI contract."""
    return {
        "@id": f"{base_url}/api/releases/{release.version}/sql",
        "@type": "dcat:DataService",
        "dct:title": _texts({"en": "SQL over the release (DuckDB, read-only)", "zh-CN": "发布数据的 SQL 查询接口"}),
        "dcat:endpointURL": {"@id": f"{base_url}/api/releases/{release.version}/sql"},
        "dcat:endpointDescription": {"@id": f"{base_url}/api/openapi.json"},
        "dct:conformsTo": {"@id": f"{base_url}/api/openapi.json", "@type": "dct:Standard"},
        "dcat:servesDataset": [{"@id": f"{base_url}/api/packages/{name}"} for name in release.packages],
        "dct:publisher": _agent(base_url, PUBLISHER),
        "dcat:contactPoint": _contact(base_url, PUBLISHER),
        "dcat:theme": THEME,
        "dcat:keyword": [_text(word) for word in ("SQL", "DuckDB", "open data", "social security")],
    }


def _dataset(release: Release, name: str, base_url: str, files: dict) -> dict:
    descriptor = release.descriptor(name)
    licence = _licence(descriptor)
    pinned = f"{base_url}/api/releases/{release.version}/packages/{name}"
    distributions = [_distribution(f"{pinned}.zip", MEDIA_TYPES["zip"], f"{name} (zip)",
                                   files[f"zips/{name}.zip"], licence)]
    if f"workbooks/{name}.xlsx" in files:
        distributions.append(_distribution(f"{pinned}.xlsx", MEDIA_TYPES["xlsx"], f"{name} (Excel)",
                                           files[f"workbooks/{name}.xlsx"], licence))
    for resource in descriptor.get("resources", []):
        distributions.extend(_resource_distributions(name, resource, pinned, files, licence))
    dataset = {
        "@id": f"{base_url}/api/packages/{name}",
        "@type": "dcat:Dataset",
        "dct:identifier": name,
        "dct:title": _texts({"en": descriptor.get("title") or name, "zh-CN": descriptor.get("title_zh")}),
        "dct:description": _texts({"en": descriptor.get("description") or descriptor.get("title") or name,
                                   "zh-CN": descriptor.get("description_zh")}),
        "dcat:keyword": [_text(word) for word in _list(descriptor.get("keywords")) if isinstance(word, str)],
        "dct:publisher": _agent(base_url, _publisher_name(descriptor)),
        "dcat:contactPoint": _contact(base_url, _publisher_name(descriptor)),
        "dcat:landingPage": _document(f"{base_url}/packages/{name}"),  # the package's page for people
        "dcat:theme": THEME,
        "dct:spatial": SPATIAL,
        "dct:language": _languages(descriptor),
        "dcat:distribution": distributions,
    }
    if descriptor.get("version"):
        dataset["dcat:version"] = str(descriptor["version"])
    if licence:
        dataset["dct:license"] = licence
    temporal = _temporal(descriptor.get("temporal"))
    if temporal:
        dataset["dct:temporal"] = temporal
    return dataset


def _resource_distributions(package: str, resource: dict, pinned: str, files: dict, licence):
    name = resource.get("name")
    if not name or not resource.get("path"):
        return
    label = resource.get("title") or name
    if resource.get("hash") and resource.get("bytes") is not None:  # the file as published, at its path
        facts = {"bytes": resource["bytes"], "sha256": str(resource["hash"]).removeprefix("sha256:")}
        mediatype = (resource.get("mediatype") or mimetypes.guess_type(resource["path"])[0]
                     or "application/octet-stream")
        yield _distribution(f"{pinned}/{quote(resource['path'])}", mediatype,
                            f"{label} ({resource.get('format') or 'file'})", facts, licence, resource)
    parquet = files.get(f"parquet/{package}/{name}.parquet")
    if parquet:
        yield _distribution(f"{pinned}/{quote(name)}.parquet", MEDIA_TYPES["parquet"], f"{label} (Parquet)",
                            parquet, licence, resource)
    for ext, path in _RESOURCE_FILES:
        found = files.get(path.format(package=package, name=name))
        if found:
            yield _distribution(f"{pinned}/{quote(name)}.{ext}", MEDIA_TYPES[ext], f"{label} ({ext})", found,
                                licence, resource)


def _distribution(url: str, mediatype: str, title: str, facts: dict, licence, resource: dict | None = None):
    """One download as a ``dcat:Distribution``; ``facts`` holds its ``bytes`` and ``sha256``."""
    return distribution(url, mediatype, facts["bytes"], facts["sha256"], title=title, licence=licence,
                        description=(resource or {}).get("description"))


def distribution(url: str, mediatype: str, size: int, sha256: str, *, title: str, licence: dict | None = None,
                 file_type: str | None = None, description: str | None = None) -> dict:
    """A ``dcat:Distribution`` that conforms to DCAT-AP: the file at ``url`` (immutable, so its
    availability is stable), its IANA ``mediatype`` and EU ``file_type`` (``dct:format``; by default the
    one ``FILE_TYPES`` gives for the media type), byte ``size`` and ``sha256``."""
    file_type = file_type or FILE_TYPES.get(mediatype)
    distribution = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dct:description": _text(description or title),
        "dcat:downloadURL": {"@id": url},
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + mediatype, "@type": "dct:MediaType"},
        "dcatap:availability": STABLE,
        "dcat:byteSize": _typed(str(size), "xsd:nonNegativeInteger"),
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": _typed(sha256, "xsd:hexBinary"),
        },
    }
    if file_type:
        distribution["dct:format"] = {"@id": f"{EU}file-type/{file_type}", "@type": "dct:MediaTypeOrExtent"}
    if licence:
        distribution["dct:license"] = licence
    return distribution


def _licence(descriptor: dict):
    """The first licence with a URL (``path``) as an IRI; licences named only are left out."""
    for licence in _list(descriptor.get("licenses")):
        if isinstance(licence, dict) and str(licence.get("path", "")).startswith(("http://", "https://")):
            return _licence_document(licence["path"])
    return None


def _licence_document(url: str) -> dict:
    return {"@id": url, "@type": "dct:LicenseDocument"}


def _document(url: str) -> dict:
    return {"@id": url, "@type": "foaf:Document"}


def _contact(base_url: str, name: str) -> dict:
    """The publisher as a ``vcard:Kind``, reached through the site's own pages."""
    return {"@type": "vcard:Kind", "vcard:fn": name, "vcard:hasURL": {"@id": f"{base_url}/"}}


def _languages(descriptor: dict) -> list[dict]:
    """English, and Chinese when the descriptor has Chinese titles or descriptions."""
    chinese = any(descriptor.get(key) for key in ("title_zh", "description_zh"))
    return LANGUAGES if chinese else LANGUAGES[:1]


def _temporal(coverage) -> dict | None:
    """A ``dct:PeriodOfTime`` from the descriptor's ``temporal: {start, end}`` (years or dates)."""
    if not isinstance(coverage, dict):
        return None
    period = {"@type": "dct:PeriodOfTime"}
    for key, prop in (("start", "dcat:startDate"), ("end", "dcat:endDate")):
        value = str(coverage.get(key, "")).strip()
        kind = next((t for pattern, t in _DATE_TYPES if pattern.match(value)), None)
        if kind:
            period[prop] = _typed(value, kind)
    return period if len(period) > 1 else None


def _publisher_name(descriptor: dict) -> str:
    """The contributor with role publisher, else the creator, else the catalog's publisher."""
    people = [c for c in _list(descriptor.get("contributors")) if isinstance(c, dict) and c.get("title")]
    for role in ("publisher", "creator"):
        for person in people:
            if role in _list(person.get("roles")) or person.get("role") == role:
                return person["title"]
    return PUBLISHER


def _agent(base_url: str, name: str) -> dict:
    agent = {"@type": "foaf:Agent", "foaf:name": name}
    if name == PUBLISHER:
        agent["@id"] = f"{base_url}/#publisher"
    return agent


def _texts(by_language: dict) -> list[dict]:
    return [{"@value": text, "@language": language} for language, text in by_language.items() if text]


def _text(text: str) -> dict:
    """A literal tagged zh-CN when it holds Chinese characters, else en."""
    return {"@value": text, "@language": "zh-CN" if _CJK.search(text) else "en"}


def _list(value) -> list:
    """A descriptor list property, or nothing when it is missing or not a list."""
    return value if isinstance(value, list) else []


def _typed(value: str, datatype: str) -> dict:
    return {"@value": value, "@type": datatype}
