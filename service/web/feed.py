"""The feed of releases: `/releases.atom`, Atom 1.0 (RFC 4287), newest release first.

Each entry is one release: its version, date, the packages it changed with the rows added, removed
and changed (from the release's ``changes.json``), a link to its notes (the release page) and the
pinned downloads of the packages it changed (``rel="enclosure"``, with their sizes). Served with an
ETag of its bytes, so a reader that polls gets 304 until a release comes out.
"""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree

from flask import Blueprint, Response, request

from .. import browse
from .releases import release_for, store

bp = Blueprint("feed", __name__)

ATOM = "http://www.w3.org/2005/Atom"
MIMETYPE = "application/atom+xml"
TITLE = "socsec releases: China social security statistics"
AUTHOR = "socsec project"
COUNTS = ("added", "removed", "changed")


@bp.get("/releases.atom")
def releases_atom():
    release_for(None)  # the one error shape when there is no release, or the current one is corrupt
    body = atom_feed(browse.history(store()), request.host_url.rstrip("/"))
    response = Response(body, mimetype=MIMETYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)


def atom_feed(history: list[dict], base_url: str) -> bytes:
    """The Atom document of ``history`` (``browse.history``: releases newest first)."""
    ElementTree.register_namespace("", ATOM)
    feed = _element(None, "feed", attrib={"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    _element(feed, "id", f"{base_url}/releases.atom")
    _element(feed, "title", TITLE)
    _element(feed, "subtitle", "Every release of the open data packages: what changed, with pinned downloads.")
    _element(feed, "updated", _date(history[0]["created"]) if history else "1970-01-01T00:00:00Z")
    _element(_element(feed, "author"), "name", AUTHOR)
    _link(feed, f"{base_url}/releases.atom", "self", MIMETYPE)
    _link(feed, f"{base_url}/releases", "alternate", "text/html")
    _element(feed, "generator", "socsec")
    for item in history:
        _entry(feed, item, base_url)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed, item: dict, base_url: str) -> None:
    version = item["version"]
    changed = changed_packages(item["changes"])
    entry = _element(feed, "entry")
    _element(entry, "id", f"{base_url}/api/releases/{version}")
    _element(entry, "title", f"Release {version}: " + (", ".join(changed) if changed else "no data changed"))
    _element(entry, "published", _date(item["created"]))
    _element(entry, "updated", _date(item["created"]))
    _link(entry, f"{base_url}/releases/{version}", "alternate", "text/html", "release notes")
    _link(entry, f"{base_url}/api/releases/{version}", "related", "application/json", "release metadata")
    _link(entry, f"{base_url}/api/releases/{version}/catalog.jsonld", "related", "application/ld+json",
          "catalog (DCAT)")
    sizes = {f["path"]: f.get("bytes") for f in browse.manifest(store().release(version))}
    for name in changed:
        path = f"zips/{name}.zip"
        if path in sizes:
            _link(entry, f"{base_url}/api/releases/{version}/packages/{name}.zip", "enclosure", "application/zip",
                  f"{name} (zip)", sizes[path])
    for name in changed:
        _element(entry, "category", attrib={"term": name})
    _element(entry, "summary", summary(version, item["changes"]))


def changed_packages(changes: dict) -> list[str]:
    """The packages with any resource new, removed or changed, by name."""
    return sorted(name for name, resources in changes.items()
                  if any(r.get("status") != "unchanged" for r in resources.values()))


def summary(version: str, changes: dict) -> str:
    """Release ``version``: per changed package, its rows added, removed and changed."""
    lines = [f"Release {version}."]
    totals = dict.fromkeys(COUNTS, 0)
    for name in changed_packages(changes):
        counts = {key: sum(int(r.get(key) or 0) for r in changes[name].values()) for key in COUNTS}
        for key in COUNTS:
            totals[key] += counts[key]
        lines.append(f"{name}: " + ", ".join(f"{counts[k]} rows {k}" for k in COUNTS))
    lines.insert(1, "In all: " + ", ".join(f"{totals[k]} rows {k}" for k in COUNTS) + ".")
    return "\n".join(lines)


def _element(parent, tag: str, text: str | None = None, attrib: dict | None = None):
    name = f"{{{ATOM}}}{tag}"
    element = ElementTree.Element(name, attrib or {}) if parent is None else ElementTree.SubElement(
        parent, name, attrib or {})
    if text is not None:
        element.text = text
    return element


def _link(parent, href: str, rel: str, kind: str, title: str | None = None, length: int | None = None) -> None:
    attrib = {"href": href, "rel": rel, "type": kind}
    if title:
        attrib["title"] = title
    if length is not None:
        attrib["length"] = str(length)
    _element(parent, "link", attrib=attrib)


def _date(created: str) -> str:
    """RFC 3339 as Atom wants it (the release's ``created`` is ISO 8601 with an offset)."""
    return created.replace("+00:00", "Z")
