"""Released packages at standard URLs: the folder as it is, read by frictionless, its CLI and pandas over HTTP."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO

PACKAGES = sorted(p.name for p in (REPO / "datapackages").iterdir() if p.is_dir())


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _released_rows(project: Path, name: str, resource: dict) -> list[list[str]]:
    release = project / "var" / "store" / "releases"
    current = (project / "var" / "store" / "CURRENT").read_text().strip()
    with open(release / current / "packages" / name / resource["path"], encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.parametrize("name", PACKAGES)
def test_frictionless_reads_every_row_of_every_resource_by_url(live_url, project, name):
    from frictionless import Package

    url = f"{live_url}/api/packages/{name}/datapackage.json"
    package = Package(url)
    assert package.name == name
    for resource in package.resources:
        assert resource.path.startswith("data/")  # relative, resolved against the descriptor's URL
        rows = resource.read_rows()
        published = _released_rows(project, name, resource.to_descriptor())
        assert len(rows) == len(published) > 0
        first = rows[0]
        assert [("" if v is None else v) for v in first.to_list()][:1] != [None]
        assert first.cells == published[0][: len(first.cells)]


def test_frictionless_validate_passes_on_every_package_url(live_url):
    for name in PACKAGES:
        descriptor = json.loads(_get(f"{live_url}/api/packages/{name}/datapackage.json"))
        result = subprocess.run([Path(sys.executable).parent / "frictionless", "validate", "--json",
                                 f"{live_url}/api/packages/{name}/datapackage.json"],
                                capture_output=True, text=True, timeout=120)
        report = json.loads(result.stdout)
        assert result.returncode == 0 and report["valid"] is True, (name, result.stdout[:2000])
        read = {task["name"]: task["stats"] for task in report["tasks"]}  # it read every file over HTTP
        assert read.keys() == {r["name"] for r in descriptor["resources"]}
        for resource in descriptor["resources"]:
            assert "sha256:" + read[resource["name"]]["sha256"] == resource["hash"]
            assert read[resource["name"]]["bytes"] == resource["bytes"]


def test_pandas_reads_resource_csv_and_parquet_urls(live_url, project):
    catalog = json.loads(_get(live_url + "/api/packages"))
    entry = next(p for p in catalog["packages"] if p["name"] == "social-insurance-coverage")
    resource = next(r for r in entry["resources"] if r["name"] == "observations")
    from_csv = pd.read_csv(live_url + resource["csv"])
    from_parquet = pd.read_parquet(live_url + resource["parquet"])
    folder_csv = pd.read_csv(f"{live_url}/api/packages/social-insurance-coverage/data/observations.csv")
    assert len(from_csv) == len(from_parquet) == len(folder_csv) == resource["rows"]
    assert sorted(from_csv["value"].tolist()) == sorted(from_parquet["value"].tolist())


def test_catalog_gives_each_datapackage_url_and_the_folder_serves_every_resource_path(client):
    for entry in client.get("/api/packages").get_json()["packages"]:
        response = client.get(entry["datapackage"])
        assert response.status_code == 200 and response.mimetype == "application/json"
        descriptor = response.get_json()
        assert descriptor == client.get(entry["descriptor"]).get_json()  # the old URL keeps working
        folder = entry["datapackage"].rsplit("/", 1)[0]
        for resource in descriptor["resources"]:
            data = client.get(f"{folder}/{resource['path']}").data
            assert len(data) == resource["bytes"]
            assert data == client.get(f"{folder}/{resource['name']}.csv").data


def test_versioned_folder_urls_are_immutable(client):
    version = client.get("/api/releases").get_json()["current"]
    base = f"/api/releases/{version}/packages/benefit-levels"
    descriptor = client.get(f"{base}/datapackage.json")
    assert descriptor.status_code == 200 and "immutable" in descriptor.headers["Cache-Control"]
    data = client.get(f"{base}/{descriptor.get_json()['resources'][0]['path']}")
    assert data.status_code == 200 and "immutable" in data.headers["Cache-Control"]


@pytest.mark.parametrize("path", [
    "../../release.json", "data/../../../manifest.json", "%2e%2e/%2e%2e/release.json",
    "%252e%252e/release.json", "data/no-such.csv", "data", "/etc/passwd", "..%2f..%2frelease.json",
])
def test_folder_urls_never_leave_the_package(client, project, path):
    response = client.get(f"/api/packages/benefit-levels/{path}", follow_redirects=True)
    assert response.status_code == 404
    body = response.get_json()
    assert body["ok"] is False and body["error"]["code"] == "not-found"
    assert str(project) not in response.get_data(as_text=True)
