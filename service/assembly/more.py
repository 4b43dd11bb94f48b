"""Observations from the tables under ``seeds/more/tables`` (CSY2025 by region, provincial yearbooks,
the 2015 Q3 rural dibao standards); values without a year are left out and listed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .csvio import read_csv
from .numbers import normalise
from .registry import Registry

NO_UNIT = "count (no unit written)"


@dataclass
class MoreResult:
    observations: list[dict] = field(default_factory=list)
    total: Counter = field(default_factory=Counter)          # source_id -> values in its table
    no_year: list[dict] = field(default_factory=list)        # rows left out: no year can be told


def more_observations(reg: Registry) -> MoreResult:
    columns = {(r["source_id"], r["table_id"], r["column_header"]): r
               for r in read_csv(reg.seeds / "extracts" / "more_columns.csv")}
    result = MoreResult()
    for sid in sorted({key[0] for key in columns}):
        for line, row in enumerate(read_csv(reg.seeds / "more" / "tables" / f"{sid}.csv"), start=2):
            result.total[sid] += 1
            if not row["data_year"].strip():
                result.no_year.append({**row, "source_id": sid})
                continue
            col = columns[(sid, row["table_id"], row["column_header"])]
            result.observations.append(_observation(reg, row, col, sid, f"more/tables/{sid}.csv row {line}"))
    return result


def _observation(reg: Registry, row: dict, col: dict, source_id: str, origin: str) -> dict:
    indicator = reg.indicators[col["indicator_id"]]
    unit = row["unit"] or NO_UNIT
    conv = reg.units[unit]
    if conv["canonical_unit"] != indicator["unit"]:
        raise ValueError(f"{origin}: unit {unit!r} does not fit indicator {indicator['id']}")
    value = row["value"].replace(",", "")
    flags = [f for f in (col["note"], row["note"]) if f]
    if value != row["value"]:
        flags.append(f"value written {row['value']} (thousands separators removed)")
    if col["region"]:
        region = col["region"]
    else:
        region = reg.regions[row["region"]]["iso_code"]
    return {
        "indicator_id": indicator["id"], "year": int(row["data_year"]), "region": region,
        "region_name": row["region"], "value": value, "unit": unit,
        "value_normalised": normalise(value, conv["factor"]), "unit_normalised": indicator["unit"],
        "source_id": source_id, "table_id": row["table_id"], "quote": row["row_text"], "preferred": False,
        "_flags": flags, "_approx": False, "_package": indicator["package"], "_origin": origin,
    }
