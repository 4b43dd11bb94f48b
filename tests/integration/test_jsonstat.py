"""JSON-stat 2.0 of a real release: validated against the format's JSON Schema, read by pyjstat, every
value compared with the released CSV's preferred rows (source, reliability and note too), in both languages."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import jsonschema
import pytest
from pyjstat import pyjstat

from tests.conftest import current_release, released_rows

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "json-stat-2.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


_release = current_release
_read = released_rows


def _indicator_packages(release) -> list[str]:
    return [name for name in release.packages if _read(release, name, "observations")]


def _check(data: dict, preferred: list[dict], sources: dict, names: dict, regions: dict, lang: str) -> None:
    VALIDATOR.validate(data)
    frame = pyjstat.Dataset.read(json.dumps(data)).write("dataframe", naming="id")
    got = {(r.indicator, r.region, r.year): r.value for r in frame.itertuples() if r.value == r.value}
    want = {(r["indicator_id"], r["region"], r["year"]): float(r["value_normalised"]) for r in preferred}
    assert got == want
    index = {key: n for n, key in enumerate((i, c, y) for i in data["dimension"]["indicator"]["category"]["index"]
                                            for c in data["dimension"]["region"]["category"]["index"]
                                            for y in data["dimension"]["year"]["category"]["index"])}
    details = data["extension"]["socsec"]["observations"]
    for row in preferred:
        n = str(index[row["indicator_id"], row["region"], row["year"]])
        reliability = sources[row["source_id"]]
        assert details[n] == {"source_id": row["source_id"], "reliability": reliability, "note": row["note"]}
        assert data["status"][n] == reliability
    assert len(details) == len(preferred)
    key = "name_zh" if lang == "zh" else "name_en"
    labels = data["dimension"]["indicator"]["category"]["label"]
    assert labels == {i: names[i][key] for i in labels}
    units = data["dimension"]["indicator"]["category"]["unit"]
    assert {i: u["label"] for i, u in units.items()} == {i: names[i]["unit"] for i in units}
    for code, label in data["dimension"]["region"]["category"]["label"].items():
        if code in regions:
            assert label == regions[code][key]
    assert data["role"] == {"metric": ["indicator"], "geo": ["region"], "time": ["year"]}


def _registry(release, name: str) -> tuple[dict, dict, dict]:
    sources = {r["id"]: r["reliability"] for r in _read(release, name, "sources")}
    names = {r["id"]: r for r in _read(release, name, "indicators")}
    regions = {r["code"]: r for r in _read(release, name, "regions")}
    return sources, names, regions


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_package_observations_as_jsonstat_hold_every_preferred_value(project, client, lang):
    release = _release(project)
    packages = _indicator_packages(release)
    assert len(packages) == 6
    for name in packages:
        response = client.get(f"/api/packages/{name}/observations.jsonstat?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "application/json"
        data = response.get_json()
        preferred = [r for r in _read(release, name, "observations") if r["preferred"] == "true"]
        _check(data, preferred, *_registry(release, name), lang)
        title = release.descriptor(name)["title_zh" if lang == "zh" else "title"]
        assert data["label"] == title and data["extension"]["socsec"]["release"] == release.version
        assert data["updated"] == release.meta["created"]


def test_every_indicator_as_jsonstat_is_built_once_per_release(project, client):
    release = _release(project)
    checked = 0
    for name in _indicator_packages(release):
        sources, names, regions = _registry(release, name)
        rows = [r for r in _read(release, name, "observations") if r["preferred"] == "true"]
        for indicator in sorted({r["indicator_id"] for r in rows}):
            lang = "zh" if checked % 2 else "en"
            url = f"/api/indicators/{indicator}.jsonstat?lang={lang}"
            response = client.get(url)
            assert response.status_code == 200, (indicator, response.get_json())
            data = response.get_json()
            _check(data, [r for r in rows if r["indicator_id"] == indicator], sources, names, regions, lang)
            assert data["label"] == names[indicator]["name_zh" if lang == "zh" else "name_en"]
            again = client.get(url)
            assert again.headers["X-Socsec-Cache"] == "hit" and again.data == response.data
            checked += 1
    assert checked > 150


def test_catalog_links_the_jsonstat_of_observations(client):
    for package in client.get("/api/packages").json["packages"]:
        for resource in package["resources"]:
            if "jsonstat" in resource:
                assert resource["name"] == "observations"
                assert client.get(resource["jsonstat"]).status_code == 200


@pytest.mark.parametrize("url, status, code", [
    ("/api/packages/social-assistance/observations.jsonstat?lang=fr", 400, "bad-parameter"),
    ("/api/indicators/dibao_recipients_total.jsonstat?lang=de", 400, "bad-parameter"),
    ("/api/packages/social-assistance/sources.jsonstat", 404, "not-found"),
    ("/api/packages/policy-milestones/milestones.jsonstat", 404, "not-found"),
    ("/api/indicators/no_such_indicator.jsonstat", 404, "not-found"),
])
def test_bad_requests_get_a_clear_error(client, url, status, code):
    response = client.get(url)
    assert response.status_code == status and response.json["error"]["code"] == code
    assert response.json["ok"] is False


def test_package_jsonstat_is_in_the_manifest_and_served_with_etag_and_range(live_url, project):
    release = _release(project)
    files = {f["path"] for f in json.loads((release.path / "manifest.json").read_text())["files"]}
    assert {f"jsonstat/social-assistance/observations.{lang}.json" for lang in ("en", "zh")} <= files
    url = f"{live_url}/api/releases/{release.version}/packages/social-assistance/observations.jsonstat?lang=zh"
    whole = urllib.request.urlopen(url).read()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=0-99"})) as response:
        assert response.status == 206 and response.headers["ETag"] and response.read() == whole[:100]
    assert "低保" in whole.decode("utf-8")


def test_an_indicator_over_the_row_cap_is_refused_clearly(make_app):
    client = make_app(max_returned_rows=2, sql_cache_mb=0).test_client()  # the indicator has 3 values
    response = client.get("/api/indicators/dibao_rural_avg_standard.jsonstat")
    assert response.status_code == 400 and response.json["error"]["code"] == "too-many-values"
    assert response.json["error"]["details"] == {"key": "dibao_rural_avg_standard", "row_limit": 2}
    assert client.get("/api/packages/social-assistance/observations.jsonstat").status_code == 200
