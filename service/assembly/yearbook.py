"""Observations from the NBS / CLSY by-province tables under ``seeds/nbs-yearbook``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .csvio import read_csv
from .numbers import normalise
from .positions import Position, resolve_table, row_number
from .registry import Registry

SKIP_REASONS = {
    "no-region": "region label absent from the stored text and not resolvable by position",
    "unresolved-region": "region label split (广 / 西) and not resolvable by position",
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
    resolved: Counter = field(default_factory=Counter)           # table_id -> values resolved by position
    left_out: list[tuple[str, int, str]] = field(default_factory=list)  # (table_id, data row, why) unresolved


def skip_reason(row: dict[str, str], position: Position | None) -> str | None:
    """Why a yearbook value cannot be published as regional data (None: it is published)."""
    if position is not None and position.code is None:
        return "unresolved-region" if row["region"].strip() else "no-region"
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
        rows = read_csv(path)
        positions = resolve_table(rows, reg)
        for line, row in enumerate(rows, start=2):
            result.total += 1
            position = positions.get(row_number(row))
            reason = skip_reason(row, position)
            if position is not None and position.code is None and (row["table_id"], row_number(row),
                                                                   position.note) not in result.left_out:
                result.left_out.append((row["table_id"], row_number(row), position.note))
            if reason:
                result.skipped[reason] += 1
                result.skipped_by_table[(row["table_id"], reason)] += 1
                continue
            col = columns[(row["table_id"], row["column_header"])]
            result.published_by_table[row["table_id"]] += 1
            if position is not None:
                result.resolved[row["table_id"]] += 1
            result.observations.append(_observation(reg, row, col, source_id, f"{path.name} row {line}", position))
    return result


def _observation(reg: Registry, row: dict, col: dict, source_id: str, origin: str,
                 position: Position | None) -> dict:
    indicator = reg.indicators[col["indicator_id"]]
    conv = reg.units[row["unit"]]
    if conv["canonical_unit"] != indicator["unit"]:
        raise ValueError(f"{origin}: unit {row['unit']!r} does not fit indicator {indicator['id']}")
    flags = [position.note] if position is not None else []
    _, _, rest = row["note"].partition("; ")
    if rest:
        flags.append(rest)
    if col["note"]:
        flags.append(col["note"])
    return {
        "indicator_id": indicator["id"], "year": int(col["data_year"] or row["data_year"]),
        "region": position.code if position is not None else reg.regions[row["region"]]["iso_code"],
        "region_name": row["region"],
        "value": row["value"], "unit": row["unit"],
        "value_normalised": normalise(row["value"], conv["factor"]), "unit_normalised": indicator["unit"],
        "source_id": source_id, "table_id": row["table_id"], "quote": row["row_text"], "preferred": False,
        "_flags": flags, "_approx": False, "_package": indicator["package"], "_origin": origin,
    }
