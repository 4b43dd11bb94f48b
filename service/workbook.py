"""An Excel workbook of one package: a README sheet (text, licence, release, citation), one sheet per
resource (typed cells, header row frozen) and a list of its sources. Plain data in, one .xlsx out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

SHEET_ROWS = 1_048_575  # Excel's 1,048,576 rows per sheet, less the header
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: list[str]
    rows: list[tuple]


def sheet_names(names: list[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of ``[]:*?/\\``, unique regardless of case."""
    out, seen = [], set()
    for name in names:
        base = _SHEET_NAME.sub("_", name)[:31] or "sheet"
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{base[:31 - len(str(n)) - 1]}~{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def write_workbook(out: Path, about: list[tuple[str, str]], sheets: list[Sheet], sources: Sheet) -> None:
    """``about``: (label, text) pairs; a resource longer than a sheet is left out and said so in ``about``."""
    book = Workbook(write_only=True)
    kept = [s for s in sheets if len(s.rows) <= SHEET_ROWS]
    left_out = [("Not in this workbook", f"{s.name}: {len(s.rows):,} rows, more than a sheet holds; use its CSV")
                for s in sheets if len(s.rows) > SHEET_ROWS]
    names = sheet_names(["README", *(s.name for s in kept), "source list"])
    _write_sheet(book, names[0], ["", ""], [*about, *left_out], header=False)
    for name, sheet in zip(names[1:-1], kept):
        _write_sheet(book, name, sheet.columns, sheet.rows)
    _write_sheet(book, names[-1], sources.columns, sources.rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)


def _write_sheet(book: Workbook, name: str, columns: list[str], rows: list[tuple], header: bool = True) -> None:
    sheet = book.create_sheet(name)
    if header:
        sheet.freeze_panes = "A2"
        bold = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=_text(column))
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])


def _cell(sheet, value):
    if isinstance(value, str):
        value = _text(value)
        if value.startswith("="):  # text, never a formula
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value


def _text(value: str) -> str:
    """Control characters that the xlsx format cannot hold are dropped (they never occur in valid CSV text
    meant for people, but a cell must not break the workbook)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value
