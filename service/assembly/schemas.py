"""Table Schemas of the resources (fields, keys, foreign keys)."""

from __future__ import annotations

from .registry import CANONICAL_UNITS, RELIABILITY_RANKS

ID_PATTERN = "^[a-z0-9_]+$"
REGION_PATTERN = "^CN(-[A-Z]{2}|-XPCC)?$"  # CN-XPCC: the Xinjiang Production and Construction Corps


def _f(name: str, type_: str, title: str, description: str, **constraints) -> dict:
    field = {"name": name, "type": type_, "title": title, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def indicators_schema(with_comparable: bool) -> dict:
    fields = [
        _f("id", "string", "Indicator id", "Stable snake_case identifier.", required=True, unique=True, pattern=ID_PATTERN),
        _f("name_en", "string", "Name", "English name.", required=True),
        _f("name_zh", "string", "名称", "Chinese name.", required=True),
        _f("unit", "string", "Unit", "Canonical unit of value_normalised.", required=True, enum=list(CANONICAL_UNITS)),
        _f("definition", "string", "Definition", "What is counted (English).", required=True),
        _f("definition_zh", "string", "定义", "What is counted (Chinese).", required=True),
        _f("parent_id", "string", "Part of", "The total this indicator is a part of (blank if none).", pattern=ID_PATTERN),
        _f("yoy_max_change_pct", "number", "Max year-over-year change (%)",
           "Bound on |year-over-year change| of preferred rows in percent; blank = unchecked.", minimum=0),
    ]
    if with_comparable:
        fields.append(_f("comparable_id", "string", "National counterpart",
                         "Indicator of a national package measuring the same thing (for comparing national totals).",
                         pattern=ID_PATTERN))
    fields.append(_f("notes", "string", "Notes", "Why the year-over-year bound was chosen, and other remarks."))
    fks = [{"fields": ["parent_id"], "reference": {"resource": "indicators", "fields": ["id"]}}]
    return {"fields": fields, "primaryKey": ["id"], "foreignKeys": fks}


def sources_schema() -> dict:
    return {"fields": [
        _f("id", "string", "Source id", "Slug of the source.", required=True, unique=True, pattern="^[a-z0-9-]+$"),
        _f("title", "string", "Title", "What the source is.", required=True),
        _f("publisher", "string", "Publisher", "Site or body that published the stored copy.", required=True),
        _f("url", "string", "URL", "Address of the stored page (blank if unknown)."),
        _f("reliability", "string", "Reliability", "Reliability class.", required=True, enum=list(RELIABILITY_RANKS)),
        _f("reliability_rank", "integer", "Reliability rank", "1 = best (official) ... 7 = low credibility.",
           required=True, minimum=1, maximum=7),
        _f("reliability_note", "string", "Reliability note",
           "Verbatim from figures_sources.csv or the sources' READMEs.", required=True),
        _f("document", "string", "Document", "Path, relative to seeds/, of the stored text (or workbook) the quotes come from.",
           required=True),
        _f("retrieved", "date", "Retrieved",
           "For a copy of a database: the date the copy was made (the preference rule prefers the newer copy)."),
    ], "primaryKey": ["id"]}


def units_schema() -> dict:
    return {"fields": [
        _f("unit", "string", "Unit as written", "Unit as written in the source.", required=True, unique=True),
        _f("canonical_unit", "string", "Canonical unit", "Unit after conversion.", required=True,
           enum=list(CANONICAL_UNITS)),
        _f("factor", "number", "Factor", "value x factor = value in the canonical unit (exact).", required=True,
           exclusiveMinimum=0),
        _f("note", "string", "Note", "How the unit is written in the sources."),
    ], "primaryKey": ["unit"]}


def regions_schema() -> dict:
    return {"fields": [
        _f("code", "string", "ISO 3166-2:CN code", "CN for the national total; CN-XPCC (not ISO) for the Xinjiang "
           "Production and Construction Corps, see note.", required=True, unique=True, pattern=REGION_PATTERN),
        _f("name_en", "string", "Name", "English name.", required=True),
        _f("name_zh", "string", "名称", "Chinese name.", required=True),
        _f("note", "string", "Note", "Why a code that is not an ISO 3166-2:CN code was chosen."),
    ], "primaryKey": ["code"]}


def observations_schema(by_province: bool) -> dict:
    fields = [
        _f("indicator_id", "string", "Indicator", "Id in the indicators resource.", required=True, pattern=ID_PATTERN),
        _f("year", "integer", "Year", "Year the figure refers to.", required=True, minimum=1931, maximum=2025),
        _f("region", "string", "Region", "ISO 3166-2:CN code; CN = national.", required=True, pattern=REGION_PATTERN),
    ]
    if by_province:
        fields.append(_f("region_name", "string", "Region as written",
                         "Region label exactly as in the table; blank when the stored row has none (the region "
                         "was then resolved by the row's position, or the table covers one province: see note)."))
    fields += [
        _f("value", "number", "Value", "The figure exactly as published, in unit.", required=True, minimum=0),
        _f("unit", "string", "Unit as written", "Unit as written in the source (see units).", required=True),
        _f("value_normalised", "number", "Value (canonical unit)", "value x factor, computed exactly.",
           required=True, minimum=0),
        _f("unit_normalised", "string", "Canonical unit", "Equals the indicator's unit.", required=True,
           enum=list(CANONICAL_UNITS)),
        _f("source_id", "string", "Source", "Id in the sources resource.", required=True),
    ]
    if by_province:
        fields.append(_f("table_id", "string", "Table", "Table id as written in the yearbook extract.", required=True))
    fields += [
        _f("quote", "string", "Quote", "Verbatim text of the source stating the value (for tables: the row as stored).",
           required=True),
        _f("preferred", "boolean", "Preferred", "Exactly one row per indicator, year and region is preferred.",
           required=True),
        _f("note", "string", "Note", "Rounding / approximation flags and the preference reasoning."),
    ]
    fks = [
        {"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["id"]}},
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        {"fields": ["unit"], "reference": {"resource": "units", "fields": ["unit"]}},
    ]
    if by_province:
        fks.append({"fields": ["region"], "reference": {"resource": "regions", "fields": ["code"]}})
    return {"fields": fields, "primaryKey": ["indicator_id", "year", "region", "source_id"], "foreignKeys": fks}


def coverage_schema() -> dict:
    return {"fields": [
        _f("indicator_id", "string", "Indicator", "Id in the indicators resource.", required=True, pattern=ID_PATTERN),
        _f("year", "integer", "Year", "Every year from the indicator's first to its last year with data.",
           required=True, minimum=1931, maximum=2025),
        _f("covered", "boolean", "Covered", "false: a year missing inside the indicator's range (a gap).",
           required=True),
        _f("observations", "integer", "Observations", "Rows of observations for the indicator and year.",
           required=True, minimum=0),
        _f("sources", "integer", "Sources", "Distinct sources giving the indicator that year.", required=True,
           minimum=0),
        _f("regions", "integer", "Regions", "Distinct regions with a value that year.", required=True, minimum=0),
    ], "primaryKey": ["indicator_id", "year"],
        "foreignKeys": [{"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["id"]}}]}


def milestones_schema() -> dict:
    return {"fields": [
        _f("id", "string", "Milestone id", "Year and slug.", required=True, unique=True, pattern="^[0-9]{4}-[a-z0-9-]+$"),
        _f("year", "integer", "Year", "Year of the event as stated in the quote.", required=True,
           minimum=1931, maximum=2025),
        _f("end_year", "integer", "End year", "Last year of a period, only when the source states it.",
           minimum=1931, maximum=2025),
        _f("event_en", "string", "Event", "Compiler's English summary of the quote.", required=True),
        _f("event_zh", "string", "事件", "Compiler's Chinese translation of event_en (description, not data).",
           required=True),
        _f("category", "string", "Category", "Kind of milestone.", required=True,
           enum=["legislation", "institution", "reform", "benefit-level", "crisis-response"]),
        _f("source_id", "string", "Source", "Id in the sources resource.", required=True),
        _f("quote", "string", "Quote", "Verbatim sentence or clause of the source.", required=True),
    ], "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}}]}
