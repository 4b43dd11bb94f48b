"""Expectations on the identities of particular tables: the 2024 provinces plus the unallocated remainder
equal the national row (CSY2025 24-26 / 24-27); the 2015 Q3 dibao average = sum / count per province."""

from __future__ import annotations

from .expectation import row_check

CSY2025 = "liubigfatty-csy2025-t24-26-27"
HALF_UNIT = 0.05  # the tables give one decimal: each value is within 0.05 of the unrounded figure
# Stated in the transcription (outside its stored excerpt; quoted by seeds/more/README.md): 41.1 万人 of retirees
# and 427.1 亿元 of expenditure are not allocated to any region.
UNALLOCATED_2024 = {
    "prov_pension_urban_employee_retirees_insured": "41.1",
    "prov_pension_urban_employee_fund_expenditure": "427.1",
}
# Table 24-26 columns whose remainder is not stated: the remainder must then be non-negative.
UNSTATED_2024 = ["prov_pension_urban_employee_insured", "prov_pension_urban_employee_contributing_workers",
                 "prov_pension_urban_employee_fund_revenue", "prov_pension_urban_employee_fund_balance"]


def _remainders_sql() -> str:
    stated = [f"SELECT '{i}' AS indicator_id, {v} AS remainder, 1 AS stated" for i, v in UNALLOCATED_2024.items()]
    unstated = [f"SELECT '{i}', NULL, 0" for i in UNSTATED_2024]
    return " UNION ALL ".join(stated + unstated)


def province_2024_checks() -> list[dict]:
    return [row_check(
        "provinces-plus-unallocated-equal-national",
        "CSY2025 24-26 / 24-27 (2024, source liubigfatty-csy2025-t24-26-27): every national row has all 31 "
        "provinces, and national = sum of the provinces + the unallocated remainder, within 0.05 per value "
        "summed. The remainder is the stated one (retirees 41.1 万人, expenditure 427.1 亿元); for the other 24-26 "
        "columns it is not stated and must not be negative; 24-27 has none.",
        "SELECT b._row, b.indicator_id, b.value AS national, s.total AS provinces, s.n, u.remainder "
        "FROM {batch} b "
        "LEFT JOIN (SELECT indicator_id, year, source_id, sum(value) AS total, count(*) AS n FROM observations "
        "WHERE region <> 'CN' GROUP BY indicator_id, year, source_id) s ON s.indicator_id = b.indicator_id "
        "AND s.year = b.year AND s.source_id = b.source_id "
        f"LEFT JOIN ({_remainders_sql()}) u ON u.indicator_id = b.indicator_id "
        f"WHERE b.region = 'CN' AND b.source_id = '{CSY2025}' AND (s.n IS NULL OR s.n <> 31 OR CASE "
        f"WHEN u.stated = 1 THEN abs(b.value - s.total - u.remainder) > {HALF_UNIT} * (s.n + 2) "
        f"WHEN u.stated = 0 THEN b.value - s.total < -{HALF_UNIT} * (s.n + 1) "
        f"ELSE abs(b.value - s.total) > {HALF_UNIT} * (s.n + 1) END)")]


def dibao_average_checks() -> list[dict]:
    return [row_check(
        "dibao-average-is-sum-over-count",
        "2015 Q3 rural dibao standards: per province, the average standard equals the sum of the county "
        "standards divided by the number of counties (within 0.005: the average is given to the fen), and "
        "each average has its sum and count.",
        "SELECT b._row, b.region, b.value AS average, s.value AS county_sum, c.value AS counties FROM {batch} b "
        "LEFT JOIN observations s ON s.indicator_id = 'prov_dibao_rural_standard_county_sum' AND s.year = b.year "
        "AND s.region = b.region AND s.source_id = b.source_id "
        "LEFT JOIN observations c ON c.indicator_id = 'prov_dibao_rural_standard_counties' AND c.year = b.year "
        "AND c.region = b.region AND c.source_id = b.source_id "
        "WHERE b.indicator_id = 'prov_dibao_rural_avg_standard_annual' AND (s.value IS NULL OR c.value IS NULL "
        "OR c.value = 0 OR abs(b.value - s.value / c.value) > 0.005)")]
