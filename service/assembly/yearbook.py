"""Observations from the NBS / CLSY by-province tables under ``seeds/nbs-yearbook``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .csvio import read_csv
from .numbers import normalise
from .registry import Registry

SKIP_REASONS = {
    "no-region": "region label absent from the stored text",
    "unresolved-region": "region label fragmentary or not an ISO 3166-2:CN subdivision (see regions.csv)",
    "no-column": "column cannot be told (blank cells invisible in the stored text): empty column_header",
}


@dataclass
class YearbookResult:
    observations: list[dict] = field(default_factory=list)
    total: int = 0
    skipped: Counter = field(default_factory=Counter)            # reason -> count
    skipped_by_table: Counter = field(default_factory=Counter)   # (table_id, reason) -> count
    published_by_table: Counter = field(default_factory=Counter)
    tables: list[str] = field(default_factory=list)              # csv stems in order


def skip_reason(row: dict[str, str], reg: Registry) -> str | None:
    """Why a yearbook value cannot be published as regional data (None: it is published)."""
    if not row["region"].strip():
        return "no-region"
    if not reg.regions[row["region"]]["iso_code"]:
        return "unresolved-region"
    if not row["column_header"].strip():
        return "no-column"
    return None


def yearbook_observations(reg: Registry) -> YearbookResult:
    base = reg.seeds / "nbs-yearbook"
    columns = {(r["table_id"], r["column_header"]): r for r in read_csv(reg.seeds / "extracts" / "yearbook_columns.csv")}
    by_doc = {row["document"]: sid for sid, row in reg.sources.items()}
    result = YearbookResult()
    for path in sorted(base.glob("*.csv")):
        result.tables.append(path.stem)
        source_id = by_doc[f"nbs-yearbook/raw/{path.stem}.txt"]
        for line, row in enumerate(read_csv(path), start=2):
            result.total += 1
            reason = skip_reason(row, reg)
            if reason:
                result.skipped[reason] += 1
                result.skipped_by_table[(row["table_id"], reason)] += 1
                continue
            col = columns[(row["table_id"], row["column_header"])]
            result.published_by_table[row["table_id"]] += 1
            result.observations.append(_observation(reg, row, col, source_id, f"{path.name} row {line}"))
    return result


def _observation(reg: Registry, row: dict, col: dict, source_id: str, origin: str) -> dict:
    indicator = reg.indicators[col["indicator_id"]]
    conv = reg.units[row["unit"]]
    if conv["canonical_unit"] != indicator["unit"]:
        raise ValueError(f"{origin}: unit {row['unit']!r} does not fit indicator {indicator['id']}")
    flags = []
    _, _, rest = row["note"].partition("; ")
    if rest:
        flags.append(rest)
    if col["note"]:
        flags.append(col["note"])
    return {
        "indicator_id": indicator["id"], "year": int(col["data_year"] or row["data_year"]),
        "region": reg.regions[row["region"]]["iso_code"], "region_name": row["region"],
        "value": row["value"], "unit": row["unit"],
        "value_normalised": normalise(row["value"], conv["factor"]), "unit_normalised": indicator["unit"],
        "source_id": source_id, "table_id": row["table_id"], "quote": row["row_text"], "preferred": False,
        "_flags": flags, "_approx": False, "_package": indicator["package"], "_origin": origin,
    }
