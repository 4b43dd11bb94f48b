"""A Stata .dta file (format 118: UTF-8, strL) of one resource, with English variable labels from its
schema and value labels for its boolean columns. Plain data in, one file out (pandas writes it)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_NAME = re.compile(r"[^A-Za-z0-9_]")
_STR_BYTES = 2045  # longest fixed-width string of format 118; longer ones go to strL
BOOL_LABELS = {0: "false", 1: "true"}


def variable_names(columns: list[str]) -> list[str]:
    """Stata's rules: letters, digits and _, not starting with a digit, at most 32 characters, unique."""
    out, seen = [], set()
    for column in columns:
        base = _NAME.sub("_", column)[:32] or "v"
        if base[0].isdigit():
            base = ("_" + base)[:32]
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base[:32 - len(str(n)) - 1]}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def variable_label(field: dict) -> str:
    """The field's English title and description, within Stata's 80 characters."""
    title, description = field.get("title") or "", field.get("description") or ""
    parts = [p for p in (title if title.isascii() else "", description) if p]
    label = ": ".join(parts) or field.get("name", "")
    return label if len(label) <= 80 else label[:77] + "..."


def write_dta(out: Path, fields: list[dict], columns: list[str], rows: list[tuple], data_label: str) -> None:
    names = variable_names(columns)
    by_name = {f.get("name"): f for f in fields}
    frame = pd.DataFrame({name: _column(by_name.get(column, {}), [r[i] for r in rows])
                          for i, (name, column) in enumerate(zip(names, columns))})
    labels = {name: variable_label(by_name.get(column, {"name": column})) for name, column in zip(names, columns)}
    value_labels = {name: BOOL_LABELS for name, column in zip(names, columns)
                    if by_name.get(column, {}).get("type") == "boolean" and frame[name].dtype.kind == "i"}
    strl = [name for name in names if frame[name].dtype == object
            and max((len(v.encode("utf-8")) for v in frame[name]), default=0) > _STR_BYTES]
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_stata(out, write_index=False, version=118, variable_labels=labels, value_labels=value_labels or None,
                   convert_strl=strl or None, data_label=data_label[:80])


def _column(field: dict, values: list) -> pd.Series:
    """Numbers as numbers (missing: Stata's missing), booleans as 0/1, anything else as text ('' if missing)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        if len(present) == len(values):
            return pd.Series([int(v) for v in values], dtype="int8")
        return pd.Series([float(v) if v is not None else None for v in values], dtype="float64")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if len(present) == len(values) and all(-2_147_483_647 <= v <= 2_147_483_620 for v in values):
            return pd.Series(values, dtype="int32")
        return pd.Series(values, dtype="float64")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="float64")
    return pd.Series(["" if v is None else str(v) for v in values], dtype=object)
