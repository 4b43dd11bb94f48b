"""The HTTP API over the session's release: catalog, descriptors, downloads."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO

PACKAGES = sorted(p.name for p in (REPO / "datapackages").iterdir() if p.is_dir())


def test_catalog_lists_every_package_with_links(client):
    body = client.get("/api/packages").get_json()
    assert sorted(p["name"] for p in body["packages"]) == PACKAGES
    coverage = next(p for p in body["packages"] if p["name"] == "social-insurance-coverage")
    assert {r["name"] for r in coverage["resources"]} >= {"indicators", "sources", "observations"}
    assert all(r["rows"] > 0 for r in coverage["resources"])
    assert client.get(coverage["zip"]).status_code == 200
    for resource in coverage["resources"]:  # the catalog names the SQL table of each resource
        count = client.get("/api/sql", query_string={"sql": f"select count(*) as n from {resource['table']}"})
        assert count.get_json()["rows"] == [{"n": resource["rows"]}]


@pytest.mark.parametrize("name", PACKAGES)
def test_descriptor_declares_hash_and_bytes_of_every_served_file(client, name):
    descriptor = client.get(f"/api/packages/{name}").get_json()
    assert descriptor["name"] == name
    for resource in descriptor["resources"]:
        data = client.get(f"/api/packages/{name}/{resource['name']}.csv").data
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        assert data == (REPO / "datapackages" / name / resource["path"]).read_bytes()


def test_zip_holds_the_package_with_matching_hashes(client):
    response = client.get("/api/packages/social-insurance-coverage.zip")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    descriptor = json.loads(archive.read("social-insurance-coverage/datapackage.json"))
    assert "social-insurance-coverage/README.md" in names
    for resource in descriptor["resources"]:
        data = archive.read(f"social-insurance-coverage/{resource['path']}")
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)


def test_parquet_has_the_rows_of_the_csv(client):
    csv_rows = list(csv.DictReader(io.StringIO(
        client.get("/api/packages/social-insurance-coverage/observations.csv").data.decode())))
    table = pq.read_table(io.BytesIO(client.get(
        "/api/packages/social-insurance-coverage/observations.parquet").data))
    assert table.num_rows == len(csv_rows)
    assert table.schema.field("year").type == "int64"
    assert sorted(table.column("quote").to_pylist()) == sorted(r["quote"] for r in csv_rows)


def test_zip_supports_conditional_and_range_requests(client):
    first = client.get("/api/packages/social-insurance-coverage.zip")
    again = client.get("/api/packages/social-insurance-coverage.zip",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    part = client.get("/api/packages/social-insurance-coverage.zip", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == first.data[:10]


def test_versioned_urls_serve_the_same_release_immutably(client):
    version = client.get("/api/packages").get_json()["release"]
    current = client.get("/api/packages/social-insurance-coverage")
    pinned = client.get(f"/api/releases/{version}/packages/social-insurance-coverage")
    assert pinned.get_json() == current.get_json()
    assert "immutable" in pinned.headers["Cache-Control"]
    assert "immutable" not in current.headers["Cache-Control"]
    listing = client.get("/api/releases").get_json()
    assert listing["current"] == version and listing["releases"][0]["version"] == version


def test_release_ships_its_validation_report(client):
    report = client.get("/api/validation.json").get_json()
    assert report["valid"] is True
    assert sorted(p["name"] for p in report["packages"]) == PACKAGES
    assert all(p["expectations_run"] > 0 for p in report["packages"])
    html = client.get("/api/validation.html")
    assert b"<script" not in html.data and b"http" not in html.data.split(b"<style>")[0]


NOT_FOUND = [
    "/api/packages/no-such-package",
    "/api/packages/no-such-package.zip",
    "/api/packages/social-insurance-coverage/no-such-resource.csv",
    "/api/packages/social-insurance-coverage/no-such-resource.parquet",
    "/api/packages/no-such-package/README.md",
    "/api/releases/20990101T000000Z-00000000",
    "/api/releases/not-a-version/packages",
    "/api/no-such-endpoint",
]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_unknown_names_answer_404_in_the_one_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.get_json()
    assert body["ok"] is False and body["status"] == 404
    assert set(body["error"]) == {"code", "message", "details"}


def _observations(package: str) -> list[dict]:
    with open(REPO / "datapackages" / package / "data" / "observations.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_indicator_list_covers_the_registry_of_every_package(client):
    body = client.get("/api/indicators").get_json()
    ids = {i["id"] for i in body["indicators"]}
    published = {r["indicator_id"] for p in PACKAGES if p != "policy-milestones" for r in _observations(p)}
    assert ids == published
    csv_ids = {r["id"] for r in csv.DictReader(io.StringIO(client.get("/api/indicators.csv").data.decode()))}
    assert csv_ids == ids


def test_indicator_series_is_the_preferred_values_with_every_source_beside(client):
    rows = [r for r in _observations("social-insurance-coverage") if r["indicator_id"] == "pension_insured_total"]
    body = client.get("/api/indicators/pension_insured_total").get_json()
    assert body["indicator"]["unit"] == "persons" and body["indicator"]["name_zh"]
    assert len(body["observations"]) == len(rows)
    preferred = {(int(r["year"]), float(r["value_normalised"])) for r in rows if r["preferred"] == "true"}
    assert {(s["year"], s["value_normalised"]) for s in body["series"]} == preferred
    assert len({s["year"] for s in body["series"]}) == len(body["series"])  # one value per year
    for observation in body["observations"]:
        assert observation["quote"] and observation["source_title"] and observation["reliability"]
    flat = list(csv.DictReader(io.StringIO(client.get("/api/indicators/pension_insured_total.csv").data.decode())))
    assert sorted(r["quote"] for r in flat) == sorted(r["quote"] for r in rows)


def test_unknown_indicator_is_404(client):
    response = client.get("/api/indicators/no_such_indicator")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not-found"


def test_readme_of_every_package_is_served(client):
    for name in PACKAGES:
        response = client.get(f"/api/packages/{name}/README.md")
        assert response.status_code == 200
        assert response.data == (REPO / "datapackages" / name / "README.md").read_bytes()


def test_index_page_links_every_package_without_outside_assets(client):
    response = client.get("/")
    assert response.status_code == 200 and "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.data.decode()
    for name in PACKAGES:
        assert f"/api/packages/{name}.zip" in page
    assert "http://" not in page and "https://" not in page
