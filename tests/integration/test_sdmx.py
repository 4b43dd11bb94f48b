"""SDMX of a real release, read by sdmx1 (a standard SDMX client): the SDMX-ML structure message parses
into the data structure, code lists (English and Chinese names) and dataflows, and the SDMX-CSV 2.0 data
read against it give every preferred value of the released CSV with its attributes."""

from __future__ import annotations

import io
import urllib.request

import pytest
import sdmx

from tests.conftest import current_release, released_rows


_release = current_release
_read = released_rows


@pytest.fixture(scope="module")
def structure(app):
    response = app.test_client().get("/api/sdmx/structure.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return sdmx.read_sdmx(io.BytesIO(response.data), format="XML")


def test_structure_message_has_the_dsd_and_code_lists_in_both_languages(project, structure):
    release = _release(project)
    dsd = structure.structure["DSD_SOCSEC"]
    assert [d.id for d in dsd.dimensions.components] == ["INDICATOR", "REF_AREA", "TIME_PERIOD"]
    assert [m.id for m in dsd.measures.components] == ["OBS_VALUE"]
    assert [a.id for a in dsd.attributes.components] == ["UNIT", "SOURCE_ID", "RELIABILITY", "PREFERRED", "NOTE"]
    assert dsd.dimensions.get("INDICATOR").local_representation.enumerated.id == "CL_INDICATOR"
    indicators = structure.codelist["CL_INDICATOR"]
    regions = structure.codelist["CL_REF_AREA"]
    for name in release.packages:
        for row in _read(release, name, "indicators"):
            names = indicators[row["id"]].name.localizations
            assert names == {"en": row["name_en"], "zh": row["name_zh"]}
        for row in _read(release, name, "regions"):
            assert regions[row["code"]].name.localizations == {"en": row["name_en"], "zh": row["name_zh"]}
    assert regions["CN"].name.localizations["zh"] == "全国"
    flows = {f.id for f in structure.dataflow.values()}
    assert flows == {"DF_" + n.upper().replace("-", "_") for n in release.packages if _read(release, n, "observations")}


def _compare(message, preferred: list[dict], sources: dict) -> None:
    observations = [o for ds in message.data for o in ds.obs]
    got = {}
    for o in observations:
        key = (o.dimension["INDICATOR"].value, o.dimension["REF_AREA"].value, o.dimension["TIME_PERIOD"].value)
        attrs = {k: v.value for k, v in o.attached_attribute.items()}
        got[key] = (float(o.value), attrs)
    assert len(got) == len(observations) == len(preferred)
    for row in preferred:
        value, attrs = got[row["indicator_id"], row["region"], row["year"]]
        assert value == float(row["value_normalised"])
        assert attrs == {"UNIT": row["unit_normalised"], "SOURCE_ID": row["source_id"],
                         "RELIABILITY": sources[row["source_id"]], "PREFERRED": "true", "NOTE": row["note"]}


def test_every_package_sdmx_csv_reads_against_its_dataflow(project, client, structure):
    release = _release(project)
    checked = 0
    for name in release.packages:
        response = client.get(f"/api/packages/{name}/observations.sdmx.csv")
        rows = _read(release, name, "observations")
        if not rows:
            assert response.status_code == 404
            continue
        assert response.status_code == 200 and response.mimetype == "application/vnd.sdmx.data+csv"
        flow = structure.dataflow["DF_" + name.upper().replace("-", "_")]
        message = sdmx.read_sdmx(io.BytesIO(response.data), format="csv", structure=flow)
        sources = {r["id"]: r["reliability"] for r in _read(release, name, "sources")}
        _compare(message, [r for r in rows if r["preferred"] == "true"], sources)
        frame = sdmx.to_pandas(message.data[0])  # and into pandas, as a user would
        assert len(frame) == sum(1 for r in rows if r["preferred"] == "true")
        checked += 1
    assert checked == 6


def test_indicator_sdmx_csv_reads_against_the_dsd_and_is_kept_per_release(project, client, structure):
    release = _release(project)
    dsd = structure.structure["DSD_SOCSEC"]
    for name, indicator in (("social-assistance", "dibao_rural_avg_standard"),
                            ("social-insurance-by-province", None)):
        rows = [r for r in _read(release, name, "observations") if r["preferred"] == "true"]
        indicator = indicator or max({r["indicator_id"] for r in rows},
                                     key=lambda i: sum(r["indicator_id"] == i for r in rows))
        response = client.get(f"/api/indicators/{indicator}.sdmx.csv")
        assert response.status_code == 200
        message = sdmx.read_sdmx(io.BytesIO(response.data), format="csv", structure=dsd)
        sources = {r["id"]: r["reliability"] for r in _read(release, name, "sources")}
        _compare(message, [r for r in rows if r["indicator_id"] == indicator], sources)
        assert client.get(f"/api/indicators/{indicator}.sdmx.csv").headers["X-Socsec-Cache"] == "hit"
    assert client.get("/api/indicators/no_such.sdmx.csv").status_code == 404


def test_sdmx_files_are_served_with_etag_and_range(live_url, project):
    version = _release(project).version
    for path in ("sdmx/structure.xml", "packages/social-assistance/observations.sdmx.csv"):
        url = f"{live_url}/api/releases/{version}/{path}"
        whole = urllib.request.urlopen(url).read()
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Range": "bytes=5-54"})) as response:
            assert response.status == 206 and response.headers["ETag"] and response.read() == whole[5:55]
