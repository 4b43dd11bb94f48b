"""The DCAT 3 catalog at /api/catalog.jsonld, parsed with rdflib and checked against the release's files,
and against the SHACL shapes of DCAT-AP 3.0.1 with pyshacl."""

from __future__ import annotations

import hashlib
import json
import shutil
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from service.store import Store
from service.web import create_app
from tests.conftest import REAL_PACKAGES, socsec

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's own XSD object warns under pytest collection
IANA = "https://www.iana.org/assignments/media-types/"
HOST = "data.example.org"
SH = Namespace("http://www.w3.org/ns/shacl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
SHAPES = REAL_PACKAGES.parent / "standards" / "dcat-ap"  # DCAT-AP 3.0.1: shapes, ranges, recommended


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in ("shapes.ttl", "range.ttl", "shapes_recommended.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def _results(graph: Graph, shapes: Graph) -> dict[str, list[str]]:
    """pyshacl's results by severity (Violation, Warning, Info), each as 'path: message'."""
    from pyshacl import validate

    _, report, _ = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    found: dict[str, list[str]] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        found.setdefault(severity, []).append(
            f"{report.value(result, SH.resultPath)}: {report.value(result, SH.resultMessage)}")
    return found


def _graph(client, url: str) -> Graph:
    response = client.get(url, base_url=f"https://{HOST}")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    return Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def _one(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def _by_language(graph: Graph, subject, predicate) -> dict[str, str]:
    values = list(graph.objects(subject, predicate))
    assert all(isinstance(v, Literal) for v in values)
    return {v.language: str(v) for v in values}


@pytest.fixture(scope="module")
def release(project):
    return Store(project / "var" / "store").current()


@pytest.fixture(scope="module")
def graph(app, release):
    return _graph(app.test_client(), "/api/catalog.jsonld")


def _datasets(graph: Graph) -> dict[str, URIRef]:
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert all((d, RDF.type, DCAT.Dataset) in graph for d in datasets)
    return {str(_one(graph, d, DCT.identifier)): d for d in datasets}


def test_catalog_names_the_release_its_dates_and_publisher(graph, release):
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    assert _one(graph, catalog, DCAT.version) == Literal(release.version)
    for prop in (DCT.issued, DCT.modified):
        assert _one(graph, catalog, prop) == Literal(release.meta["created"], datatype=XSD.dateTime)
    assert set(_by_language(graph, catalog, DCT.title)) == {"en", "zh-CN"}
    assert set(_by_language(graph, catalog, DCT.description)) == {"en", "zh-CN"}
    publisher = _one(graph, catalog, DCT.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph and _one(graph, publisher, FOAF.name)


def test_catalog_conforms_to_dcat_ap_3(graph, shapes):
    results = _results(graph, shapes)
    assert results.get("Violation", []) == []
    # what is left are recommendations the data cannot give: a bounding box and centroid of China, the
    # publisher's and the licence's dct:type; and dct:format of the Stata files, which the EU file-type
    # authority has no code for
    warnings = [w for w in results.get("Warning", []) if not (w.startswith(str(DCT["format"])) and ".dta>" in w)]
    assert len(warnings) <= 4, warnings


def test_recommended_properties_are_given(graph, release):
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    assert _one(graph, catalog, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (_one(graph, catalog, FOAF.homepage), RDF.type, FOAF.Document) in graph
    assert _one(graph, catalog, DCAT.themeTaxonomy) == URIRef(f"{EU}data-theme")
    languages = {URIRef(f"{EU}language/ENG"), URIRef(f"{EU}language/ZHO")}
    assert set(graph.objects(catalog, DCT.language)) == languages
    for dataset in _datasets(graph).values():
        assert _one(graph, dataset, DCAT.theme) == URIRef(f"{EU}data-theme/SOCI")
        assert _one(graph, dataset, DCT.spatial) == URIRef(f"{EU}country/CHN")
        assert set(graph.objects(dataset, DCT.language)) == languages
        contact = _one(graph, dataset, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Kind) in graph and _one(graph, contact, VCARD.fn)
        assert (_one(graph, dataset, DCT.license), RDF.type, DCT.LicenseDocument) in graph
        for url, distribution in _distributions(graph, dataset).items():
            kind = "sdmx.csv" if url.endswith(".sdmx.csv") else url.rsplit(".", 1)[-1]
            code = {"zip": "ZIP", "csv": "CSV", "parquet": "PARQUET", "xlsx": "XLSX", "jsonstat": "JSON",
                    "sdmx.csv": "SDMX", "dta": None}[kind]
            formats = list(graph.objects(distribution, DCT["format"]))
            assert formats == ([URIRef(f"{EU}file-type/{code}")] if code else []), url
            assert _one(graph, distribution, DCATAP.availability) == URIRef(f"{EU}planned-availability/STABLE")
            assert (_one(graph, distribution, DCAT.mediaType), RDF.type, DCT.MediaType) in graph
            assert _one(graph, distribution, DCT.description)


def test_sql_service_serves_every_dataset_and_names_its_contract(graph, release, client):
    [catalog] = graph.subjects(RDF.type, DCAT.Catalog)
    service = _one(graph, catalog, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert set(graph.objects(service, DCAT.servesDataset)) == set(_datasets(graph).values())
    endpoint = urlsplit(str(_one(graph, service, DCAT.endpointURL))).path
    answer = client.get(endpoint, query_string={"sql": "select 1 as one"})
    assert answer.status_code == 200 and answer.get_json()["release"] == release.version
    contract = client.get(urlsplit(str(_one(graph, service, DCAT.endpointDescription))).path).get_json()
    assert endpoint.replace(release.version, "{version}") in contract["paths"]


def test_every_package_is_a_bilingual_dataset_with_licence_period_keywords_publisher(graph, release, client):
    datasets = _datasets(graph)
    assert sorted(datasets) == sorted(release.packages)
    for name, dataset in datasets.items():
        descriptor = release.descriptor(name)
        assert _by_language(graph, dataset, DCT.title) == {"en": descriptor["title"], "zh-CN": descriptor["title_zh"]}
        assert _by_language(graph, dataset, DCT.description) == {
            "en": descriptor["description"], "zh-CN": descriptor["description_zh"]}
        assert _one(graph, dataset, DCT.license) == URIRef(descriptor["licenses"][0]["path"])
        period = _one(graph, dataset, DCT.temporal)
        assert (period, RDF.type, DCT.PeriodOfTime) in graph
        assert _one(graph, period, DCAT.startDate) == Literal(descriptor["temporal"]["start"], datatype=XSD.gYear)
        assert _one(graph, period, DCAT.endDate) == Literal(descriptor["temporal"]["end"], datatype=XSD.gYear)
        keywords = list(graph.objects(dataset, DCAT.keyword))
        assert sorted(map(str, keywords)) == sorted(descriptor["keywords"])
        assert {k.language for k in keywords} == {"en", "zh-CN"}  # Chinese keywords tagged as such
        publisher = _one(graph, dataset, DCT.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in graph
        assert str(_one(graph, publisher, FOAF.name)) == descriptor["contributors"][0]["title"]
        landing = str(_one(graph, dataset, DCAT.landingPage))
        page = client.get(urlsplit(landing).path)
        assert page.status_code == 200 and page.mimetype == "text/html" and name in page.get_data(as_text=True)


def _distributions(graph: Graph, dataset) -> dict[str, URIRef]:
    """Distributions by download URL path relative to the release, e.g. ``packages/x/observations.csv``."""
    found = {}
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        url = str(_one(graph, distribution, DCAT.downloadURL))
        found[url] = distribution
    return found


def test_one_distribution_per_file_with_real_sizes_and_checksums(graph, release, client):
    pinned = f"https://{HOST}/api/releases/{release.version}/packages/"
    for name, dataset in _datasets(graph).items():
        descriptor = release.descriptor(name)
        folder = release.package_dir(name)
        expected = {f"{pinned}{name}.zip": ("application/zip", release.path / "zips" / f"{name}.zip")}
        for resource in descriptor["resources"]:
            expected[f"{pinned}{name}/{resource['path']}"] = ("text/csv", folder / resource["path"])
            expected[f"{pinned}{name}/{resource['name']}.parquet"] = (
                "application/vnd.apache.parquet", release.path / "parquet" / name / f"{resource['name']}.parquet")
        expected.update(_office_and_statistics_files(release, name, pinned))
        distributions = _distributions(graph, dataset)
        assert sorted(distributions) == sorted(expected)
        for url, (mediatype, path) in expected.items():
            _check_distribution(graph, distributions[url], url, mediatype, path.read_bytes(), client)


def _office_and_statistics_files(release, name: str, pinned: str) -> dict:
    """The workbook, and for an observations resource its Stata, JSON-stat (English) and SDMX-CSV files."""
    files = {f"{pinned}{name}.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                      release.path / "workbooks" / f"{name}.xlsx")}
    if (release.path / "sdmx" / name / "observations.csv").is_file():
        files.update({
            f"{pinned}{name}/observations.dta": ("application/x-stata-dta",
                                                 release.path / "stata" / name / "observations.dta"),
            f"{pinned}{name}/observations.jsonstat": ("application/json",
                                                      release.path / "jsonstat" / name / "observations.en.json"),
            f"{pinned}{name}/observations.sdmx.csv": ("application/vnd.sdmx.data+csv",
                                                      release.path / "sdmx" / name / "observations.csv")})
    return files


def _check_distribution(graph, distribution, url, mediatype, data: bytes, client):
    assert _one(graph, distribution, DCAT.mediaType) == URIRef(IANA + mediatype)
    size = _one(graph, distribution, DCAT.byteSize)
    assert size.datatype == XSD.nonNegativeInteger and size.toPython() == len(data)
    checksum = _one(graph, distribution, SPDX.checksum)
    assert (checksum, RDF.type, SPDX.Checksum) in graph
    assert _one(graph, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(_one(graph, checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
    assert _one(graph, distribution, DCT.title)
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200 and response.data == data, url
    assert response.headers["Cache-Control"].endswith("immutable")


def test_csv_figures_match_the_descriptor(graph, release):
    for name, dataset in _datasets(graph).items():
        distributions = _distributions(graph, dataset)
        for resource in release.descriptor(name)["resources"]:
            [csv] = [d for url, d in distributions.items() if url.endswith(f"/{name}/{resource['path']}")]
            assert _one(graph, csv, DCAT.byteSize).toPython() == resource["bytes"]
            checksum = _one(graph, csv, SPDX.checksum)
            assert f"sha256:{_one(graph, checksum, SPDX.checksumValue)}" == resource["hash"]


def test_versioned_catalog_is_the_same_graph_and_urls_follow_the_host(app, release, graph):
    client = app.test_client()
    pinned = _graph(client, f"/api/releases/{release.version}/catalog.jsonld")
    assert isomorphic(pinned, graph)
    assert client.get(f"/api/releases/{release.version}/catalog.jsonld").headers["Cache-Control"].endswith(
        "immutable")
    plain = Graph().parse(data=client.get("/api/catalog.jsonld").get_data(as_text=True), format="json-ld")
    urls = {str(o) for o in plain.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith(f"http://localhost/api/releases/{release.version}/") for u in urls)


def test_unknown_release_answers_the_error_shape(client):
    response = client.get("/api/releases/20000101T000000Z-00000000/catalog.jsonld")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not-found"


def test_drop_in_package_without_chinese_or_coverage_falls_back(tmp_path, shapes):
    """A package of another author: English only, no keywords, no temporal coverage, no contributors."""
    shutil.copytree(REAL_PACKAGES / "language-codes", tmp_path / "datapackages" / "language-codes")
    assert socsec(tmp_path, "expectations", "init", "language-codes").exit_code == 0
    assert socsec(tmp_path, "release").exit_code == 0
    client = create_app({"root": str(tmp_path)}).test_client()
    graph = _graph(client, "/api/catalog.jsonld")
    descriptor = json.loads((REAL_PACKAGES / "language-codes" / "datapackage.json").read_text("utf-8"))
    dataset = _datasets(graph)["language-codes"]
    assert _by_language(graph, dataset, DCT.title) == {"en": descriptor["title"]}
    assert _by_language(graph, dataset, DCT.description) == {"en": descriptor["description"]}
    assert _one(graph, dataset, DCT.license) == URIRef(descriptor["licenses"][0]["path"])
    assert not list(graph.objects(dataset, DCT.temporal)) and not list(graph.objects(dataset, DCAT.keyword))
    assert str(_one(graph, _one(graph, dataset, DCT.publisher), FOAF.name)) == "socsec project"
    assert len(_distributions(graph, dataset)) == 2 + 2 * len(descriptor["resources"])  # zip, xlsx
    assert set(graph.objects(dataset, DCT.language)) == {URIRef(f"{EU}language/ENG")}
    assert _results(graph, shapes).get("Violation", []) == []
