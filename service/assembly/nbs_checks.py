"""Expectations on the NBS database copies: the identities of each year, agreement with the other sources,
the named exceptions to the year-over-year bounds, and the long pension series."""

from __future__ import annotations

from pathlib import Path

from .csvio import read_csv
from .expectation import row_check

NBS_CLASS = "official-data-copy"
# (total, part, part): the database's identities, checked per copy, year and region
IDENTITIES = [
    ("pension_urban_employee_insured", "pension_urban_employee_contributing_workers",
     "pension_urban_employee_retirees_insured"),
    ("medical_urban_employee_insured", "medical_employee_insured_workers", "medical_employee_insured_retirees"),
    ("prov_pension_urban_employee_insured", "prov_pension_urban_employee_contributing_workers",
     "prov_pension_urban_employee_retirees_insured"),
]
# The bound is the rounding of the three values as written: half a unit in the last digit of each, added up
# (4 rows of the by-province export's 2010 column, written to one decimal, miss by 0.1 万人 within a bound of
# 0.15 万人; the 2016 crawl's 2007 medical parts are written to 10,000 persons: 13420.0 + 4600.0 vs 18020.2685).
LONG_SERIES = ("pension_urban_employee_insured", 1989, 2022)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def yoy_exceptions(seeds: Path = SEEDS) -> list[dict[str, str]]:
    return read_csv(seeds / "registry" / "yoy_exceptions.csv")


def yoy_exception_sql(seeds: Path = SEEDS) -> str:
    """``AND NOT (...)`` terms excluding the named jumps from the year-over-year check."""
    return "".join(f" AND NOT (b.indicator_id = '{e['indicator_id']}' AND b.region = '{e['region']}' "
                   f"AND b.year BETWEEN {int(e['from_year'])} AND {int(e['to_year'])})" for e in yoy_exceptions(seeds))


def _nbs(alias: str) -> str:
    return f"{alias}.source_id IN (SELECT id FROM sources WHERE reliability = '{NBS_CLASS}')"


def _copy(alias: str) -> str:
    return f"substr({alias}.source_id, 1, instr({alias}.source_id, '-') - 1)"


def _half_unit(alias: str, unit_alias: str) -> str:
    """Half a unit in the last digit of the value as written (%.15g), in the canonical unit."""
    text = f"printf('%.15g', {alias}.value)"
    decimals = f"(CASE WHEN instr({text}, '.') > 0 THEN length({text}) - instr({text}, '.') ELSE 0 END)"
    return f"(0.5 * {unit_alias}.factor / CAST('1e' || {decimals} AS REAL))"


def nbs_checks(package: str) -> list[dict]:
    checks = [row_check(
        "nbs-agrees-with-other-sources-or-says-why",
        "A value of the NBS database copies equals every other source's value for the same indicator, year and "
        "region within the rounding of the less precise of the two (half a unit in the last written digit), or "
        "its note says how it differs from that source ('differs from <source_id>').",
        "SELECT b._row, b.indicator_id, b.year, b.region, b.value, b.source_id, o.source_id AS other, "
        "o.value AS other_value FROM {batch} b JOIN observations o ON o.indicator_id = b.indicator_id "
        "AND o.year = b.year AND o.region = b.region JOIN units ub ON ub.unit = b.unit "
        f"JOIN units uo ON uo.unit = o.unit WHERE {_nbs('b')} AND NOT {_nbs('o')} "
        f"AND abs(b.value_normalised - o.value_normalised) > max({_half_unit('b', 'ub')}, {_half_unit('o', 'uo')}) "
        "* 1.000001 AND instr(b.note, 'differs from ' || o.source_id || ' (') = 0")]
    checks += [row_check(
        f"identity-{total}",
        f"NBS database copies: {total} = {part_a} + {part_b} for each copy, year and region, within the "
        "rounding of the three values as written (half a unit in the last digit of each, added up: 0.15 万人 "
        "for the by-province export's 2010 column, written to one decimal, where 4 rows miss by 0.1 万人).",
        f"SELECT b._row, b.year, b.region, b.source_id, b.value_normalised AS total, a.value_normalised AS part_a, "
        f"c.value_normalised AS part_b FROM {{batch}} b JOIN units ub ON ub.unit = b.unit "
        f"JOIN observations a ON a.indicator_id = '{part_a}' JOIN units ua ON ua.unit = a.unit "
        f"AND a.year = b.year AND a.region = b.region AND {_copy('a')} = {_copy('b')} "
        f"JOIN observations c ON c.indicator_id = '{part_b}' AND c.year = b.year AND c.region = b.region "
        f"AND {_copy('c')} = {_copy('b')} JOIN units uc ON uc.unit = c.unit "
        f"WHERE b.indicator_id = '{total}' AND {_nbs('b')} AND {_nbs('a')} "
        f"AND {_nbs('c')} AND abs(b.value_normalised - a.value_normalised - c.value_normalised) > "
        f"({_half_unit('b', 'ub')} + {_half_unit('a', 'ua')} + {_half_unit('c', 'uc')}) * 1.000001") for total, part_a, part_b in IDENTITIES if (total.startswith("prov_")
                                                                          == (package == "social-insurance-by-province"))]
    if package == "social-insurance-coverage":
        iid, first, last = LONG_SERIES
        checks.append(row_check(
            "long-pension-series",
            f"{iid} has a preferred national value for every year {first}-{last} (the NBS database copies).",
            f"WITH RECURSIVE y(year) AS (SELECT {first} UNION ALL SELECT year + 1 FROM y WHERE year < {last}) "
            f"SELECT y.year FROM y LEFT JOIN {{batch}} b ON b.year = y.year AND b.indicator_id = '{iid}' "
            "AND b.region = 'CN' AND b.preferred = 1 WHERE b._row IS NULL"))
    return checks
