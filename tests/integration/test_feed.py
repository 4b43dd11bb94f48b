"""The feed of releases, /releases.atom: read by feedparser from a live `socsec serve`, checked against
RFC 4287's required elements, each entry against the release's changes.json and pinned downloads."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest

from service.store import Store
from tests.conftest import edit_csv, live_server, make_project, socsec

ATOM = "{http://www.w3.org/2005/Atom}"
PACKAGES = ["benefit-levels", "policy-milestones"]


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """A project released twice: the second changes one note of benefit-levels and nothing else."""
    root = make_project(tmp_path_factory.mktemp("feed"), PACKAGES)
    assert socsec(root, "release").exit_code == 0
    edit_csv(root / "datapackages" / "benefit-levels" / "data" / "observations.csv", 2, "note", "a changed note")
    assert socsec(root, "release").exit_code == 0
    return root


@pytest.fixture(scope="module")
def served(two_releases):
    with live_server(two_releases) as url:
        yield url


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_feedparser_reads_one_entry_per_release_newest_first(served, two_releases):
    store = Store(two_releases / "var" / "store")
    feed = feedparser.parse(f"{served}/releases.atom")
    assert feed.bozo == 0 and feed.version == "atom10" and feed.status == 200
    assert feed.feed.title and feed.feed.id == f"{served}/releases.atom" and feed.feed.author == "socsec project"
    versions = list(reversed(store.versions()))
    assert [entry.id for entry in feed.entries] == [f"{served}/api/releases/{v}" for v in versions]
    assert feed.feed.updated == store.release(versions[0]).meta["created"].replace("+00:00", "Z")
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": f"{served}/releases.atom", "alternate": f"{served}/releases"}


def test_each_entry_gives_its_changes_notes_and_pinned_downloads(served, two_releases):
    store = Store(two_releases / "var" / "store")
    feed = feedparser.parse(f"{served}/releases.atom")
    for entry, version in zip(feed.entries, reversed(store.versions())):
        release = store.release(version)
        changes = json.loads((release.path / "changes.json").read_text("utf-8"))
        changed = sorted(name for name, resources in changes.items()
                         if any(r["status"] != "unchanged" for r in resources.values()))
        assert version in entry.title and entry.updated == release.meta["created"].replace("+00:00", "Z")
        assert sorted(tag.term for tag in entry.tags) == changed
        for name in changed:
            counts = [sum(r.get(key, 0) for r in changes[name].values()) for key in ("added", "removed", "changed")]
            assert f"{name}: {counts[0]} rows added, {counts[1]} rows removed, {counts[2]} rows changed" in entry.summary
        links = {(link.rel, link.href): link for link in entry.links}
        notes = f"{served}/releases/{version}"
        status, _, page = _get(notes)
        assert ("alternate", notes) in links and status == 200 and version in page.decode()
        enclosures = [link for link in entry.links if link.rel == "enclosure"]
        assert sorted(urlsplit(e.href).path for e in enclosures) == [
            f"/api/releases/{version}/packages/{name}.zip" for name in changed]
        for enclosure in enclosures:
            status, headers, data = _get(enclosure.href)
            zipped = release.path / "zips" / urlsplit(enclosure.href).path.rsplit("/", 1)[-1]
            assert status == 200 and data == zipped.read_bytes() and int(enclosure.length) == len(data)
            assert headers["Cache-Control"].endswith("immutable")
    newest, first = feed.entries
    assert [tag.term for tag in newest.tags] == ["benefit-levels"]
    assert "benefit-levels: 0 rows added, 0 rows removed, 1 rows changed" in newest.summary
    assert sorted(tag.term for tag in first.tags) == PACKAGES


def test_the_rfc_4287_required_elements(served):
    _, headers, body = _get(f"{served}/releases.atom")
    assert headers["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"

    def one(element, name: str) -> str:
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1 and (found[0].text or "").strip(), name
        return found[0].text

    for name in ("id", "title", "updated"):
        one(feed, name)
    assert one(feed.find(f"{ATOM}author"), "name")  # every entry inherits the feed's author
    assert [link.get("rel") for link in feed.findall(f"{ATOM}link")].count("self") == 1
    entries = feed.findall(f"{ATOM}entry")
    ids = [one(entry, "id") for entry in entries]
    assert len(set(ids)) == len(ids) == 2
    updated = []
    for entry in entries:
        one(entry, "title")
        one(entry, "summary")
        updated.append(datetime.fromisoformat(one(entry, "updated")))
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert len(alternates) == 1 and all(link.get("href") for link in entry.findall(f"{ATOM}link"))
    assert updated == sorted(updated, reverse=True)
    assert one(feed, "updated").replace("Z", "+00:00") == updated[0].isoformat()


def test_served_with_an_etag_and_304(served):
    status, headers, _ = _get(f"{served}/releases.atom")
    assert status == 200 and headers["ETag"]
    status, again, empty = _get(f"{served}/releases.atom", {"If-None-Match": headers["ETag"]})
    assert status == 304 and empty == b"" and again["ETag"] == headers["ETag"]
    assert feedparser.parse(f"{served}/releases.atom", etag=headers["ETag"]).status == 304
    status, _, _ = _get(f"{served}/releases.atom", {"If-None-Match": '"another"'})
    assert status == 200


@pytest.mark.parametrize("path", ["/", "/packages/benefit-levels", "/indicators/{first}", "/provinces",
                                  "/sql", "/releases", "/releases/latest"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_links_the_feed_in_its_head(client, path, lang):
    indicators = client.get("/api/indicators").get_json()["indicators"]
    page = client.get(path.format(first=indicators[0]["id"]), query_string={"lang": lang})
    assert page.status_code == 200
    head = page.get_data(as_text=True).split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head and 'href="/releases.atom"' in head


def test_the_releases_page_links_the_feed(client):
    body = client.get("/releases").get_data(as_text=True).split("<main", 1)[1]
    assert 'href="/releases.atom"' in body
    assert client.get("/releases.atom").status_code == 200
