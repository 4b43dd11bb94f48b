"""Great Expectations (1.x) suites checking the packages, one per resource, as JSON.

Each resource is loaded as an SQLite table named after it (plus ``_row``, the CSV row
number); other packages' tables are ``<package_with_underscores>__<resource>``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .catalog import INDICATOR_PACKAGES, REGIONAL_PACKAGES
from .registry import CANONICAL_UNITS, RELIABILITY_RANKS
from .expectation import expectation as _e, not_null as _not_null, row_check as _rows
from .schemas import REGION_PATTERN
from .nbs_checks import nbs_checks, yoy_exception_sql
from .table_checks import dibao_average_checks, province_2024_checks

PART_TOLERANCE = 0.01      # rounded totals ('9.4亿人', '967 million') are up to ~0.6% off
NATIONAL_TOLERANCE = 0.005  # yearbook national rows vs bulletin figures rounded to 万人 / 亿元
KNOWN_NATIONAL_DISAGREEMENTS: list[tuple[str, int]] = []  # (indicator_id, year) pairs excluded, see README


def observations_suite(package: str) -> dict:
    ex = _not_null("indicator_id", "year", "region", "value", "unit", "value_normalised", "unit_normalised",
                   "source_id", "quote", "preferred")
    ex += [
        _e("expect_column_values_to_match_regex", "region-code", "region is an ISO 3166-2:CN code (CN = national).",
           column="region", regex=REGION_PATTERN),
        _rows("value-in-quote", "The value, written as %.15g (so 6305.0 -> 6305, 0.40 -> 0.4), occurs in the quote "
              "once thousands separators are removed (1,326,620,800 -> 1326620800; 2,900 -> 2900); a value the NBS "
              "workbooks stored with a binary-float artefact (9141.924999999999) is found as %.16g or %.17g. Units "
              "such as 万人/億元/billion are never converted in the value, so no other written form is needed.",
              "SELECT b._row, b.indicator_id, b.year, b.value, b.quote FROM {batch} b "
              "WHERE instr(replace(b.quote, ',', ''), printf('%.15g', b.value)) = 0 "
              "AND instr(b.quote, printf('%.16g', b.value)) = 0 AND instr(b.quote, printf('%.17g', b.value)) = 0"),
        _rows("value-normalised-is-value-times-factor", "value_normalised = value x units.factor of the row's unit "
              "(relative tolerance 1e-9); the unit must exist in units.",
              "SELECT b._row, b.value, b.unit, b.value_normalised, u.factor FROM {batch} b "
              "LEFT JOIN units u ON u.unit = b.unit WHERE u.unit IS NULL "
              "OR abs(b.value * u.factor - b.value_normalised) > 1e-9 * abs(b.value_normalised)"),
        _rows("unit-normalised-is-indicator-unit", "unit_normalised equals the indicator's unit and the canonical "
              "unit of the row's unit as written.",
              "SELECT b._row, b.indicator_id, b.unit, b.unit_normalised, i.unit AS indicator_unit FROM {batch} b "
              "LEFT JOIN indicators i ON i.id = b.indicator_id LEFT JOIN units u ON u.unit = b.unit "
              "WHERE i.id IS NULL OR u.unit IS NULL OR b.unit_normalised IS NOT i.unit "
              "OR b.unit_normalised IS NOT u.canonical_unit"),
        _rows("indicator-known", "indicator_id exists in indicators.",
              "SELECT b._row, b.indicator_id FROM {batch} b LEFT JOIN indicators i ON i.id = b.indicator_id "
              "WHERE i.id IS NULL"),
        _rows("source-known", "source_id exists in sources.",
              "SELECT b._row, b.source_id FROM {batch} b LEFT JOIN sources s ON s.id = b.source_id WHERE s.id IS NULL"),
        _rows("part-within-total", "A part never exceeds its total (indicators.parent_id) for the same year and "
              f"region, comparing preferred rows, with a tolerance of {PART_TOLERANCE:.0%} of the total for the "
              "sources' rounding (e.g. 8.4亿人 or 967 million against parts given to the 万人). Sums of parts are "
              "not checked: the yearbook itself breaks some sum identities (CSY2006 23-39 national row: 17487.0 vs "
              "staff + retirees 17487.9), which are listed in the README.",
              "SELECT b._row, b.indicator_id, b.year, b.region, b.value_normalised, t.indicator_id AS total_id, "
              "t.value_normalised AS total FROM {batch} b JOIN indicators i ON i.id = b.indicator_id "
              "JOIN observations t ON t.indicator_id = i.parent_id AND t.year = b.year AND t.region = b.region "
              f"AND t.preferred = 1 WHERE b.preferred = 1 AND b.value_normalised > t.value_normalised * {1 + PART_TOLERANCE}"),
        _rows("yoy-change-within-bound", "|year-over-year change| of preferred rows in consecutive years (same "
              "indicator and region) stays within indicators.yoy_max_change_pct percent (blank = unchecked), "
              "except the jumps named with their scheme change in seeds/registry/yoy_exceptions.csv (listed in "
              "the package README).",
              "SELECT b._row, b.indicator_id, b.year, b.region, b.value_normalised, p.value_normalised AS previous, "
              "i.yoy_max_change_pct FROM {batch} b JOIN indicators i ON i.id = b.indicator_id "
              "JOIN observations p ON p.indicator_id = b.indicator_id AND p.region = b.region "
              "AND p.year = b.year - 1 AND p.preferred = 1 WHERE b.preferred = 1 "
              "AND i.yoy_max_change_pct IS NOT NULL "
              "AND abs(b.value_normalised - p.value_normalised) * 100 > i.yoy_max_change_pct * abs(p.value_normalised)"
              + yoy_exception_sql()),
        _rows("ratio-within-0-100", "Percentages lie between 0 and 100.",
              "SELECT b._row, b.indicator_id, b.value FROM {batch} b WHERE b.unit_normalised = 'percent' "
              "AND (b.value < 0 OR b.value > 100)"),
        _rows("non-negative", "Counts, money amounts and ratios are never negative.",
              "SELECT b._row, b.indicator_id, b.value, b.value_normalised FROM {batch} b "
              "WHERE b.value < 0 OR b.value_normalised < 0"),
        _rows("year-in-range", "year lies within 1931-2025.",
              "SELECT b._row, b.year FROM {batch} b WHERE b.year IS NULL OR b.year < 1931 OR b.year > 2025"),
        _rows("one-preferred-per-group", "Exactly one row is preferred per (indicator_id, year, region).",
              "SELECT b._row, b.indicator_id, b.year, b.region, b.preferred FROM {batch} b JOIN "
              "(SELECT indicator_id, year, region FROM observations GROUP BY indicator_id, year, region "
              "HAVING sum(CASE WHEN preferred = 1 THEN 1 ELSE 0 END) <> 1) g ON g.indicator_id = b.indicator_id "
              "AND g.year = b.year AND g.region = b.region"),
    ]
    ex += nbs_checks(package)
    if package in REGIONAL_PACKAGES:
        ex.append(_rows("region-known", "region exists in regions.",
                        "SELECT b._row, b.region FROM {batch} b LEFT JOIN regions r ON r.code = b.region "
                        "WHERE r.code IS NULL"))
    if package == "social-assistance-by-province":
        ex += dibao_average_checks()
    if package == "social-insurance-by-province":
        ex += province_2024_checks()
        ex += [
            _rows("national-total-agrees-with-figures", "Yearbook national rows (region CN) agree within "
                  f"{NATIONAL_TOLERANCE:.1%} with every figure of the national packages for the comparable "
                  "indicator (indicators.comparable_id) and year; the bulletins round to 万人 / 亿元. Known genuine "
                  "disagreements would be excluded here by (indicator, year) and listed in the README: none.",
                  "SELECT b._row, b.indicator_id, b.year, b.value_normalised, f.source_id AS national_source, "
                  "f.value_normalised AS national FROM {batch} b JOIN indicators i ON i.id = b.indicator_id "
                  "JOIN (SELECT indicator_id, year, region, value_normalised, source_id "
                  "FROM social_insurance_coverage__observations UNION ALL "
                  "SELECT indicator_id, year, region, value_normalised, source_id "
                  "FROM social_insurance_funds__observations) f ON f.indicator_id = i.comparable_id "
                  "AND f.year = b.year AND f.region = b.region WHERE b.region = 'CN' "
                  f"AND abs(b.value_normalised - f.value_normalised) > {NATIONAL_TOLERANCE} * abs(f.value_normalised)"
                  + "".join(f" AND NOT (b.indicator_id = '{i}' AND b.year = {y})" for i, y in KNOWN_NATIONAL_DISAGREEMENTS)),
        ]
    return {"name": f"{package}.observations", "expectations": ex}


def indicators_suite(package: str) -> dict:
    return {"name": f"{package}.indicators", "expectations": [
        *_not_null("id", "name_en", "name_zh", "unit", "definition", "definition_zh"),
        _e("expect_column_values_to_be_unique", "id-unique", "Indicator ids are unique.", column="id"),
        _e("expect_column_values_to_match_regex", "id-format", "Ids are snake_case.", column="id", regex="^[a-z0-9_]+$"),
        _e("expect_column_values_to_be_in_set", "unit-canonical", "Units are canonical.", column="unit",
           value_set=list(CANONICAL_UNITS)),
        _e("expect_column_values_to_be_between", "yoy-bound-range", "YoY bounds are between 0 and 1000 percent.",
           column="yoy_max_change_pct", min_value=0, max_value=1000),
        _rows("parent-known", "parent_id, when given, is an indicator of this package.",
              "SELECT b._row, b.id, b.parent_id FROM {batch} b LEFT JOIN indicators p ON p.id = b.parent_id "
              "WHERE b.parent_id IS NOT NULL AND p.id IS NULL"),
        _rows("parent-same-unit", "A part has the unit of its total.",
              "SELECT b._row, b.id, b.unit, p.unit AS parent_unit FROM {batch} b JOIN indicators p "
              "ON p.id = b.parent_id WHERE b.unit <> p.unit"),
    ]}


def sources_suite(package: str) -> dict:
    case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in RELIABILITY_RANKS.items())
    return {"name": f"{package}.sources", "expectations": [
        *_not_null("id", "title", "publisher", "reliability", "reliability_rank", "reliability_note", "document"),
        _e("expect_column_values_to_be_unique", "id-unique", "Source ids are unique.", column="id"),
        _e("expect_column_values_to_be_in_set", "reliability-class", "Reliability is one of the seven classes.",
           column="reliability", value_set=list(RELIABILITY_RANKS)),
        _e("expect_column_values_to_be_between", "rank-range", "Ranks run from 1 (best) to 7.",
           column="reliability_rank", min_value=1, max_value=7),
        _rows("rank-matches-class", "reliability_rank is the rank of the reliability class.",
              f"SELECT b._row, b.id, b.reliability, b.reliability_rank FROM {{batch}} b "
              f"WHERE b.reliability_rank IS NOT (CASE b.reliability {case} END)"),
    ]}


def units_suite(package: str) -> dict:
    return {"name": f"{package}.units", "expectations": [
        *_not_null("unit", "canonical_unit", "factor"),
        _e("expect_column_values_to_be_unique", "unit-unique", "Each written unit appears once.", column="unit"),
        _e("expect_column_values_to_be_in_set", "canonical-unit", "Canonical units only.", column="canonical_unit",
           value_set=list(CANONICAL_UNITS)),
        _rows("factor-positive", "Factors are positive.", "SELECT b._row, b.unit, b.factor FROM {batch} b WHERE b.factor <= 0"),
    ]}


def regions_suite(package: str) -> dict:
    return {"name": f"{package}.regions", "expectations": [
        *_not_null("code", "name_en", "name_zh"),
        _e("expect_column_values_to_be_unique", "code-unique", "Codes are unique.", column="code"),
        _e("expect_column_values_to_match_regex", "code-format", "ISO 3166-2:CN codes (and CN-XPCC, see note).",
           column="code", regex=REGION_PATTERN),
    ]}


def coverage_suite(package: str) -> dict:
    return {"name": f"{package}.coverage", "expectations": [
        *_not_null("indicator_id", "year", "covered", "observations", "sources", "regions"),
        _rows("covered-iff-observations", "A year is covered exactly when it has observations, with at least one "
              "source and region.",
              "SELECT b._row, b.indicator_id, b.year, b.covered, b.observations FROM {batch} b "
              "WHERE (b.covered = 1) <> (b.observations > 0) OR (b.covered = 1 AND (b.sources < 1 OR b.regions < 1))"),
        _rows("counts-match-observations", "observations, sources and regions are those of the observations "
              "resource for the indicator and year.",
              "SELECT b._row, b.indicator_id, b.year, b.observations, o.n FROM {batch} b LEFT JOIN "
              "(SELECT indicator_id, year, count(*) AS n, count(DISTINCT source_id) AS s, count(DISTINCT region) AS r "
              "FROM observations GROUP BY indicator_id, year) o ON o.indicator_id = b.indicator_id AND o.year = b.year "
              "WHERE b.observations <> coalesce(o.n, 0) OR b.sources <> coalesce(o.s, 0) OR b.regions <> coalesce(o.r, 0)"),
        _rows("every-year-in-range", "Every (indicator, year) of the observations has its coverage row, and the "
              "rows of an indicator run without a hole from its first to its last year.",
              "SELECT b._row, b.indicator_id, b.year FROM {batch} b JOIN (SELECT indicator_id, min(year) AS lo, "
              "max(year) AS hi, count(*) AS n FROM {batch} GROUP BY indicator_id) g ON g.indicator_id = b.indicator_id "
              "WHERE g.n <> g.hi - g.lo + 1 OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.indicator_id = "
              "b.indicator_id AND o.year = g.lo) OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.indicator_id = "
              "b.indicator_id AND o.year = g.hi)"),
    ]}


def milestones_suite() -> dict:
    return {"name": "policy-milestones.milestones", "expectations": [
        *_not_null("id", "year", "event_en", "event_zh", "category", "source_id", "quote"),
        _e("expect_column_values_to_be_unique", "id-unique", "Milestone ids are unique.", column="id"),
        _e("expect_table_row_count_to_be_between", "row-count", "The nine dated milestones of the seed article.",
           min_value=9, max_value=20),
        _rows("year-in-range", "year (and end_year) lie within 1931-2025.",
              "SELECT b._row, b.year FROM {batch} b WHERE b.year IS NULL OR b.year < 1931 OR b.year > 2025 "
              "OR b.end_year < b.year OR b.end_year > 2025"),
        _rows("year-in-quote", "The year occurs in the quote.",
              "SELECT b._row, b.year, b.quote FROM {batch} b WHERE instr(b.quote, CAST(b.year AS TEXT)) = 0"),
        _rows("source-known", "source_id exists in sources.",
              "SELECT b._row, b.source_id FROM {batch} b LEFT JOIN sources s ON s.id = b.source_id WHERE s.id IS NULL"),
    ]}


def all_suites() -> dict[str, dict]:
    """``'<package>/<resource>.json' -> suite``."""
    out = {}
    for pkg in INDICATOR_PACKAGES:
        out[f"{pkg}/observations.json"] = observations_suite(pkg)
        out[f"{pkg}/indicators.json"] = indicators_suite(pkg)
        out[f"{pkg}/sources.json"] = sources_suite(pkg)
        out[f"{pkg}/units.json"] = units_suite(pkg)
        out[f"{pkg}/coverage.json"] = coverage_suite(pkg)
    for pkg in REGIONAL_PACKAGES:
        out[f"{pkg}/regions.json"] = regions_suite(pkg)
    out["policy-milestones/milestones.json"] = milestones_suite()
    out["policy-milestones/sources.json"] = sources_suite("policy-milestones")
    return out


def write_suites(expectations_dir: Path) -> list[Path]:
    paths = []
    for rel, suite in sorted(all_suites().items()):
        path = Path(expectations_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((json.dumps(suite, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        paths.append(path)
    return paths
