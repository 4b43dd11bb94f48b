"""Observations from the copies of the NBS database under ``seeds/nbs-national`` (national series 1989-2022,
by-province tables 2007-2016).

The NBS files write no unit. Each series (one column of one NBS table: the same column in both crawls of
the database) is published with the unit its label
implies (``seeds/registry/nbs_labels.csv``) only where its values agree with figures already in the catalog
for the same indicator, year and region, within the rounding of the less precise of the two; a series with no
such figure is left out and listed. Every disagreement must carry a curated note
(``seeds/registry/nbs_disagreements.csv``); a missing or unused note stops the assembly.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .csvio import read_csv
from .numbers import normalise, significant_digits
from .registry import Registry

NBS_DIR = "nbs-national"
ARTEFACT_DIGITS = 16  # a token this long is a binary-float artefact of the xlsx writer (9141.924999999999)
_CELL_NAME = re.compile(r"cell ([A-Z]+\d+)")
_CELL = re.compile(r'<c r="([A-Z]+)\d+"[^>]*>(?:<is><t>(.*?)</t></is>|<v>(.*?)</v>)</c>')


@dataclass
class Series:
    """One column of one NBS table (in every copy of the database), with the evidence for its unit."""
    table_id: str
    label: str
    unit: str
    indicators: list[str]
    source_ids: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    compared: dict[int, list[tuple[str, str, str, bool]]] = field(default_factory=dict)  # year -> (source, value, unit, agrees)

    @property
    def agreeing_years(self) -> list[int]:
        return sorted(y for y, checks in self.compared.items() if any(c[3] for c in checks))

    @property
    def established(self) -> bool:
        return bool(self.agreeing_years)


@dataclass
class NbsResult:
    observations: list[dict] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    unmapped: list[tuple[str, str, str, int]] = field(default_factory=list)   # (source, label, reason, values)
    zeros: dict[tuple[str, str], list[int]] = field(default_factory=dict)     # (source, label) -> years of 0.0
    duplicates: int = 0                                                       # same value, same copy, second table
    candidates: int = 0                                                       # distinct labelled non-zero values


def nbs_sources(reg: Registry) -> list[str]:
    """The registered NBS documents, in the order their tables first appear in the label table."""
    order = {t: i for i, t in enumerate(dict.fromkeys(r["table_id"] for r in _labels(reg)))}
    ids = [s for s, row in reg.sources.items() if row["document"].startswith(NBS_DIR + "/")]
    first = {s: order[read_csv(_table_path(reg, s))[0]["table_id"]] for s in ids}
    return sorted(ids, key=lambda s: (first[s], s))


def copy_of(source_id: str) -> str:
    """``yiyuezhuo-nbs-si-funds`` -> ``yiyuezhuo``: the third party whose crawl the document is."""
    return source_id.split("-", 1)[0]


def _labels(reg: Registry) -> list[dict]:
    return read_csv(reg.seeds / "registry" / "nbs_labels.csv")


def _table_path(reg: Registry, source_id: str):
    return reg.seeds / NBS_DIR / "tables" / f"{source_id}.csv"


def _in_years(spec: str, year: int) -> bool:
    low, _, high = spec.partition("..")
    return (not low or year >= int(low)) and (not high or year <= int(high))


def _mapping(labels: list[dict], table_id: str, label: str, year: int) -> dict:
    for row in labels:
        if row["table_id"] == table_id and row["column_header"] == label and _in_years(row["years"], year):
            return row
    raise ValueError(f"nbs_labels.csv maps no indicator to {table_id} / {label} for {year}")


def xlsx_quote(row_text: str) -> str:
    """The worksheet row as its cells read: ``2010年,19402.3383,...`` (labels decoded, empty cells kept)."""
    cells = {col: html.unescape(text or number) for col, text, number in _CELL.findall(row_text)}
    last = max(_column_number(c) for c in cells)
    return ",".join(cells.get(_column_letters(n), "") for n in range(1, last + 1))


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _decimals(value: str) -> int:
    return len(value.split(".", 1)[1]) if "." in value else 0


def half_unit(value: str, factor: str) -> Decimal:
    """Half a unit in the last written digit, in the canonical unit: the rounding a written value carries."""
    return Decimal(factor) * Decimal(1).scaleb(-_decimals(value)) / 2


def nbs_observations(reg: Registry, catalog: list[dict]) -> NbsResult:
    """NBS rows whose series' unit is established against ``catalog`` (the observations of all other sources)."""
    result = NbsResult()
    series, rows_of = _read_candidates(reg, result)
    _round_artefacts(rows_of)
    index = _catalog_index(reg, catalog)
    for one in series.values():
        rows = [obs for sid in one.source_ids for obs in rows_of[(sid, one.label)]]
        for obs in rows:
            checks = [(c["source_id"], c["value"], c["unit"], _agree(obs, c, reg)) for c in index.get(_where(obs), [])]
            if checks:
                one.compared.setdefault(obs["year"], []).extend(checks)
                obs["_checks"] = checks
        result.series.append(one)
        if one.established:
            note = (f"unit {one.unit} not written in the NBS file: established by the series {one.label} of "
                    f"{one.table_id} agreeing with catalog figures in {len(one.agreeing_years)} of the "
                    f"{len(one.compared)} years compared (package README)")
            for obs in rows:
                obs["_flags"].insert(0, note)
                result.observations.append(obs)
    _explain_disagreements(reg, result.observations)
    return result


def _read_candidates(reg: Registry, result: NbsResult) -> tuple[dict, dict]:
    """Every labelled non-zero value once per copy, as an observation of its series (unit not yet established);
    zeros, unmapped labels and second listings are counted in ``result``."""
    labels = _labels(reg)
    seen: dict[tuple, tuple[str, str]] = {}
    series: dict[tuple[str, str], Series] = {}   # (table_id, label)
    rows_of: dict[tuple[str, str], list[dict]] = defaultdict(list)
    unmapped: dict[tuple[str, str], list] = {}
    for sid in nbs_sources(reg):
        for line, row in enumerate(read_csv(_table_path(reg, sid)), start=2):
            year, label = int(row["data_year"]), row["column_header"]
            if Decimal(row["value"]) == 0:
                result.zeros.setdefault((sid, label), []).append(year)
                continue
            key = (copy_of(sid), label, year, row["region"])
            if key in seen:
                _second_listing(seen[key], sid, row, rows_of)
                result.duplicates += 1
                continue
            seen[key] = (sid, row["value"])
            result.candidates += 1
            mapping = _mapping(labels, row["table_id"], label, year)
            if not mapping["indicator_id"]:
                unmapped.setdefault((sid, label), [mapping["note"], 0])[1] += 1
                continue
            one = series.setdefault((row["table_id"], label), Series(row["table_id"], label, mapping["unit"], []))
            if mapping["unit"] != one.unit:
                raise ValueError(f"nbs_labels.csv: two units for {row['table_id']} / {label}")
            for listed, item in ((one.indicators, mapping["indicator_id"]), (one.source_ids, sid)):
                if item not in listed:
                    listed.append(item)
            one.years.append(year)
            rows_of[(sid, label)].append(_observation(reg, sid, row, mapping, line))
    result.unmapped = [(s, label, why, n) for (s, label), (why, n) in unmapped.items()]
    return series, rows_of


def _second_listing(first: tuple[str, str], sid: str, row: dict, rows_of: dict) -> None:
    """A value the copy lists again in another table: the same value, named in the first row's note."""
    first_sid, first_value = first
    label, year = row["column_header"], int(row["data_year"])
    if Decimal(first_value) != Decimal(row["value"]):
        raise ValueError(f"{sid} {label} {year}: {row['value']} differs from {first_sid} {first_value}")
    for obs in rows_of[(first_sid, label)]:
        if obs["year"] == year and obs["region_name"] == row["region"]:
            obs["_flags"].append(f"also in {sid} with the same value")


def _observation(reg: Registry, sid: str, row: dict, mapping: dict, line: int) -> dict:
    indicator = reg.indicators[mapping["indicator_id"]]
    unit = mapping["unit"]
    if reg.units[unit]["canonical_unit"] != indicator["unit"]:
        raise ValueError(f"nbs_labels.csv: unit {unit!r} does not fit indicator {indicator['id']}")
    xlsx = row["row_text"].startswith("<row")
    region = reg.regions[row["region"]]["iso_code"] if row["region"] else "CN"
    flags = [mapping["note"]] if mapping["note"] else []
    if xlsx:
        flags.append(f"cell {_CELL_NAME.search(row['note']).group(1)} of the workbook's sheet")
    return {
        "indicator_id": indicator["id"], "year": int(row["data_year"]), "region": region,
        "region_name": row["region"], "value": row["value"], "unit": unit,
        "value_normalised": normalise(row["value"], reg.units[unit]["factor"]), "unit_normalised": indicator["unit"],
        "source_id": sid, "table_id": row["table_id"], "label": row["column_header"],
        "quote": xlsx_quote(row["row_text"]) if xlsx else row["row_text"], "preferred": False,
        "_flags": flags, "_approx": False, "_package": indicator["package"],
        "_origin": f"{NBS_DIR}/tables/{sid}.csv row {line}",
    }


def _round_artefacts(rows_of: dict) -> None:
    """``9141.924999999999`` -> normalised from ``9141.925``: the precision of the series' other values."""
    for rows in rows_of.values():
        plain = [_decimals(r["value"]) for r in rows if significant_digits(r["value"]) < ARTEFACT_DIGITS]
        for r in rows:
            if significant_digits(r["value"]) < ARTEFACT_DIGITS:
                continue
            places = max(plain)
            rounded = Decimal(r["value"]).quantize(Decimal(1).scaleb(-places))
            if abs(rounded - Decimal(r["value"])) > Decimal("1e-9") * abs(rounded):
                raise ValueError(f"{r['_origin']}: {r['value']} is not a float artefact of a {places}-decimal value")
            text = format(rounded.normalize(), "f")
            factor = Decimal(r["value_normalised"]) / Decimal(r["value"])
            r["value_normalised"] = normalise(text, format(factor.normalize(), "f"))
            r["_rounded"] = text
            r["_flags"].append(f"value as the workbook stored it; normalised from {text}, the series' precision "
                               f"({places} decimals)")


def _catalog_index(reg: Registry, catalog: list[dict]) -> dict[tuple, list[dict]]:
    index: dict[tuple, list[dict]] = defaultdict(list)
    for c in catalog:
        index[(c["indicator_id"], c["year"], c["region"])].append(c)
        comparable = reg.indicators[c["indicator_id"]]["comparable_id"]
        if comparable and c["region"] == "CN":
            index[(comparable, c["year"], "CN")].append(c)
    return index


def _where(obs: dict) -> tuple:
    return (obs["indicator_id"], obs["year"], obs["region"])


def _agree(obs: dict, other: dict, reg: Registry) -> bool:
    """Equal within the rounding of the less precise of the two written values."""
    mine = obs.get("_rounded", obs["value"])
    bound = max(half_unit(mine, reg.units[obs["unit"]]["factor"]),
                half_unit(other["value"].replace(",", ""), reg.units[other["unit"]]["factor"]))
    return abs(Decimal(obs["value_normalised"]) - Decimal(other["value_normalised"])) <= bound


def _explain_disagreements(reg: Registry, rows: list[dict]) -> None:
    notes = {(n["indicator_id"], int(n["year"]), n["region"], n["other_source_id"]): n["note"]
             for n in read_csv(reg.seeds / "registry" / "nbs_disagreements.csv")}
    used, missing = set(), []
    for obs in rows:
        for source, value, unit, agrees in obs.get("_checks", []):
            if agrees:
                continue
            key = (obs["indicator_id"], obs["year"], obs["region"], source)
            if key not in notes:
                missing.append(f"{key} NBS {obs['value']} vs {value} {unit} ({obs['source_id']})")
                continue
            used.add(key)
            obs["_flags"].append(f"differs from {source} ({value} {unit}): {notes[key]}")
    if missing:
        raise ValueError("NBS values that disagree with the catalog need a note in nbs_disagreements.csv:\n  "
                         + "\n  ".join(sorted(set(missing))))
    if set(notes) - used:
        raise ValueError(f"nbs_disagreements.csv notes no disagreement: {sorted(set(notes) - used)}")
