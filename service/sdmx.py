"""SDMX: preferred observations as SDMX-CSV 2.0, described by one SDMX-ML 2.1 structure message per
release (code lists of indicators and regions in English and Chinese, a concept scheme, the data
structure definition and one dataflow per package). Plain data in, text out."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree as ET

AGENCY, VERSION, DSD = "SOCSEC", "1.0", "DSD_SOCSEC"
MESSAGE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STRUCTURE = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COMMON = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DIMENSIONS = ("INDICATOR", "REF_AREA")
ATTRIBUTES = ("UNIT", "SOURCE_ID", "RELIABILITY", "PREFERRED", "NOTE")
COLUMNS = ("STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES)
CONCEPTS = {
    "INDICATOR": ("Indicator", "指标"), "REF_AREA": ("Region (ISO 3166-2:CN; CN = national)", "地区"),
    "TIME_PERIOD": ("Year", "年份"), "OBS_VALUE": ("Value in the indicator's canonical unit", "数值(标准单位)"),
    "UNIT": ("Canonical unit", "标准单位"), "SOURCE_ID": ("Source id", "来源编号"),
    "RELIABILITY": ("Reliability of the source", "来源可靠性"), "PREFERRED": ("Preferred value", "首选值"),
    "NOTE": ("Note", "备注"),
}
CODELISTS = {"INDICATOR": ("CL_INDICATOR", "Indicators", "指标"), "REF_AREA": ("CL_REF_AREA", "Regions", "地区")}

for prefix, uri in (("mes", MESSAGE), ("str", STRUCTURE), ("com", COMMON)):
    ET.register_namespace(prefix, uri)


def dataflow_id(package: str) -> str:
    return "DF_" + re.sub(r"[^A-Za-z0-9_]", "_", package).upper()


def data_csv(rows: list[dict], *, package: str | None = None) -> str:
    """SDMX-CSV 2.0 of preferred rows: against the package's dataflow, or the data structure itself."""
    kind, ident = (("dataflow", dataflow_id(package)) if package else ("datastructure", DSD))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([kind, f"{AGENCY}:{ident}({VERSION})", "I", r["indicator_id"], r["region"], r["year"],
                         _number(r["value_normalised"]), r["unit_normalised"], r["source_id"],
                         r.get("reliability") or "", "true", r.get("note") or ""])
    return out.getvalue()


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e17 else repr(float(value))


def structure_message(indicators: dict, regions: dict, packages: list[tuple[str, str, str]], *, release: str,
                      prepared: str) -> bytes:
    """``packages``: (name, English title, Chinese title); ``prepared``: an ISO date-time."""
    root = ET.Element(f"{{{MESSAGE}}}Structure")
    header = _sub(root, MESSAGE, "Header")
    _sub(header, MESSAGE, "ID").text = "SOCSEC_" + re.sub(r"[^A-Za-z0-9_]", "_", release)
    _sub(header, MESSAGE, "Test").text = "false"
    _sub(header, MESSAGE, "Prepared").text = prepared
    _sub(header, MESSAGE, "Sender", id=AGENCY)
    structures = _sub(root, MESSAGE, "Structures")
    flows = _sub(structures, STRUCTURE, "Dataflows")
    for name, title, title_zh in packages:
        flow = _maintainable(flows, "Dataflow", dataflow_id(name), title, title_zh)
        _ref(_sub(flow, STRUCTURE, "Structure"), DSD, "datastructure", "DataStructure")
    lists = _sub(structures, STRUCTURE, "Codelists")
    for concept, items in (("INDICATOR", indicators), ("REF_AREA", regions)):
        ident, en, zh = CODELISTS[concept]
        codelist = _maintainable(lists, "Codelist", ident, en, zh)
        for code, entry in items.items():
            item = _sub(codelist, STRUCTURE, "Code", id=code)
            _names(item, entry.get("name_en") or code, entry.get("name_zh") or "")
    scheme = _maintainable(_sub(structures, STRUCTURE, "Concepts"), "ConceptScheme", "CS_SOCSEC",
                           "socsec concepts", "socsec 概念")
    for concept, (en, zh) in CONCEPTS.items():
        _names(_sub(scheme, STRUCTURE, "Concept", id=concept), en, zh)
    _data_structure(_sub(structures, STRUCTURE, "DataStructures"))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _data_structure(parent) -> None:
    dsd = _maintainable(parent, "DataStructure", DSD, "socsec observations", "socsec 观测值")
    components = _sub(dsd, STRUCTURE, "DataStructureComponents")
    dims = _sub(components, STRUCTURE, "DimensionList", id="DimensionDescriptor")
    for position, concept in enumerate(DIMENSIONS, start=1):
        dim = _sub(dims, STRUCTURE, "Dimension", id=concept, position=str(position))
        _concept(dim, concept)
        enum = _sub(_sub(dim, STRUCTURE, "LocalRepresentation"), STRUCTURE, "Enumeration")
        _ref(enum, CODELISTS[concept][0], "codelist", "Codelist")
    time = _sub(dims, STRUCTURE, "TimeDimension", id="TIME_PERIOD", position=str(len(DIMENSIONS) + 1))
    _concept(time, "TIME_PERIOD")
    _sub(_sub(time, STRUCTURE, "LocalRepresentation"), STRUCTURE, "TextFormat", textType="ObservationalTimePeriod")
    attributes = _sub(components, STRUCTURE, "AttributeList", id="AttributeDescriptor")
    for concept in ATTRIBUTES:
        attribute = _sub(attributes, STRUCTURE, "Attribute", id=concept, assignmentStatus="Conditional")
        _concept(attribute, concept)
        measure = _sub(_sub(attribute, STRUCTURE, "AttributeRelationship"), STRUCTURE, "PrimaryMeasure")
        ET.SubElement(measure, "Ref", {"id": "OBS_VALUE"})
    measures = _sub(components, STRUCTURE, "MeasureList", id="MeasureDescriptor")
    _concept(_sub(measures, STRUCTURE, "PrimaryMeasure", id="OBS_VALUE"), "OBS_VALUE")


def _sub(parent, namespace: str, tag: str, **attrs):
    return ET.SubElement(parent, f"{{{namespace}}}{tag}", attrs)


def _names(element, en: str, zh: str) -> None:
    for lang, text in (("en", en), ("zh", zh)):
        if text:
            _sub(element, COMMON, "Name", **{XML_LANG: lang}).text = text


def _maintainable(parent, tag: str, ident: str, en: str, zh: str):
    element = _sub(parent, STRUCTURE, tag, id=ident, agencyID=AGENCY, version=VERSION)
    _names(element, en, zh)
    return element


def _ref(parent, ident: str, package: str, cls: str, **extra) -> None:
    ET.SubElement(parent, "Ref", {"id": ident, "version": VERSION, "agencyID": AGENCY, "package": package,
                                  "class": cls, **extra})


def _concept(parent, concept: str) -> None:
    identity = _sub(parent, STRUCTURE, "ConceptIdentity")
    ET.SubElement(identity, "Ref", {"id": concept, "maintainableParentID": "CS_SOCSEC",
                                    "maintainableParentVersion": VERSION, "agencyID": AGENCY,
                                    "package": "conceptscheme", "class": "Concept"})
