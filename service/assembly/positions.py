"""Regions of yearbook rows whose label was lost or split, resolved by the row's position.

The by-region tables list their rows in one fixed national order (``seeds/registry/region_order.csv``).
A table's unlabelled rows are resolved to the region at their position only when every row that
does carry a label sits at its expected position, with at least two such anchors and one of them
in the second half of the order; a split label (``广``, ``西``) must also be part of the name of the
region at its position. A table cut short at its end is fine: positions still count from the top.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .csvio import read_csv
from .registry import Registry

FRAGMENTS = ("广", "西")
_ROW = re.compile(r"^data row (\d+) in source order")


@dataclass(frozen=True)
class Position:
    code: str | None      # resolved region code, or None
    note: str             # how it was resolved, or why not


def region_order(reg: Registry) -> list[dict[str, str]]:
    return read_csv(reg.seeds / "registry" / "region_order.csv")


def row_number(row: dict[str, str]) -> int:
    found = _ROW.match(row["note"])
    if not found:
        raise ValueError(f"{row['table_id']}: note {row['note'][:40]!r} gives no data row")
    return int(found.group(1))


def _anchors(rows: list[dict], reg: Registry, order: list[dict]) -> tuple[list[int], list[int]]:
    """(rows whose label sits where the order expects it, rows whose label does not)."""
    good, bad = set(), set()
    for row in rows:
        label = row["region"].strip()
        if not label or label in FRAGMENTS:
            continue
        n = row_number(row)
        code = reg.regions[row["region"]]["iso_code"]
        (good if n <= len(order) and order[n - 1]["iso_code"] == code else bad).add(n)
    return sorted(good), sorted(bad)


def resolve_table(rows: list[dict], reg: Registry) -> dict[int, Position]:
    """``data row number -> Position`` for the rows of one table that lack a usable label."""
    order = region_order(reg)
    good, bad = _anchors(rows, reg, order)
    half = len(order) // 2
    problem = None
    if bad:
        problem = f"labelled rows {bad} are not at their expected positions"
    elif len(good) < 2 or max(good) <= half:
        problem = (f"anchors {good}: the rule needs at least two labelled rows at their expected positions, "
                   f"one of them after position {half}")
    out: dict[int, Position] = {}
    by_number = defaultdict(list)
    for row in rows:
        by_number[row_number(row)].append(row)
    for n, group in sorted(by_number.items()):
        label = group[0]["region"].strip()
        if label and label not in FRAGMENTS:
            continue
        out[n] = _resolve_row(n, label, order, good, problem)
    return out


def _resolve_row(n: int, label: str, order: list[dict], anchors: list[int], problem: str | None) -> Position:
    if problem:
        return Position(None, f"not resolved: {problem}")
    if n > len(order):
        return Position(None, f"not resolved: data row {n} lies beyond the {len(order)} positions of the order")
    target = order[n - 1]
    how = (f"region resolved by position: data row {n} of the fixed national order is {target['name_zh']} "
           f"({target['iso_code']}); labelled rows {', '.join(map(str, anchors))} sit at their expected positions")
    if not label:
        return Position(target["iso_code"], how + "; the row's label is absent from the stored text")
    if label not in target["name_zh"]:
        return Position(None, f"not resolved: fragment {label!r} is not part of {target['name_zh']}, "
                              f"the region at position {n}")
    return Position(target["iso_code"], how + f"; the split label {label!r} is part of {target['name_zh']}")
