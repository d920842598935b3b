"""A plan's task table as CSV or XLSX, with the seed tables' columns (TT | Nhiệm vụ | Cơ quan chủ trì |
Cơ quan phối hợp | Thời gian thực hiện): read into TaskSpecs with office names resolved to codes, and
written back from TaskSpecs, CatalogueTasks or EffectiveTasks.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Iterable

from service.domain.documents.cells import csv_cell, from_csv_cell, set_xlsx
from service.domain.routing.specs import (
    CatalogueError,
    TaskSpec,
    load_office_vocabulary,
    resolve_office_names,
)
from service.domain.text import fold

TABLE_HEADERS = {  # column -> header as the seed tables write it
    "code": "TT", "title": "Nhiệm vụ", "lead": "Cơ quan chủ trì", "collaborating": "Cơ quan phối hợp",
    "timeframe": "Thời gian thực hiện", "commune_lead": "Cơ quan chủ trì cấp xã",
}
_HEADER_FIELDS = {fold(h): f for f, h in TABLE_HEADERS.items()} | {"stt": "code"}
_SUB_ITEM = re.compile(r"[a-zđ]")


def import_task_table(path: Path | str) -> list[TaskSpec]:
    """Read a task table (CSV UTF-8 with or without BOM, or XLSX); office names resolve to codes."""
    path = Path(path)
    rows = _read_rows(path)
    header_at, columns = _find_header(rows, path.name)
    tasks: list[TaskSpec] = []
    seen: dict[str, int] = {}
    parent = None
    for rowno, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
        if not any(cells.values()):
            continue
        where = f"{path.name}, row {rowno}"
        code, title = cells.get("code", ""), cells.get("title", "")
        if not code or not title:
            raise CatalogueError(f"{where}: missing {'TT' if not code else 'Nhiệm vụ'}")
        if _is_section_heading(cells):
            parent = code
            continue
        if _SUB_ITEM.fullmatch(code.lower()):  # "a", "b", … under a numbered task: "3.5.a"
            if parent is None:
                raise CatalogueError(f"{where}: sub-item '{code}' follows no numbered task")
            code = f"{parent}.{code.lower()}"
        else:
            parent = code
        if code in seen:
            raise CatalogueError(f"{where}: duplicated task code '{code}' (first in row {seen[code]})")
        seen[code] = rowno
        tasks.append(_row_task(code, title, cells, where))
    return tasks


def _row_task(code: str, title: str, cells: dict[str, str], where: str) -> TaskSpec:
    try:
        lead = resolve_office_names(cells.get("lead"))
        collaborating = resolve_office_names(cells.get("collaborating"))
        commune_lead = resolve_office_names(cells.get("commune_lead")) or None
    except CatalogueError as exc:
        raise CatalogueError(f"{where}: {exc}") from exc
    return TaskSpec(code, title, lead, collaborating, cells.get("lead") or None, cells.get("collaborating") or None,
                    cells.get("timeframe") or None, commune_lead)


def _is_section_heading(cells: dict[str, str]) -> bool:
    """'4 | CÁC NHIỆM VỤ GẮN …' rows: a bare number, an upper-case title and nothing else."""
    empty = not any(cells.get(k) for k in ("lead", "collaborating", "timeframe", "commune_lead"))
    return empty and cells["code"].isdigit() and cells["title"] == cells["title"].upper()


def _find_header(rows: list[list[str]], name: str) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row):
            f = _HEADER_FIELDS.get(fold(cell or ""))
            if f and f not in columns:
                columns[f] = i
        if "code" in columns and "title" in columns:
            if "lead" not in columns:
                raise CatalogueError(f"{name}, row {index + 1}: no '{TABLE_HEADERS['lead']}' column")
            return index, columns
    raise CatalogueError(f"{name}: no header row with '{TABLE_HEADERS['code']}' and '{TABLE_HEADERS['title']}'")


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            try:
                dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            return [[from_csv_cell(c) for c in r] for r in csv.reader(io.StringIO(text), dialect)]
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [[_cell_text(v) for v in r] for r in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path.name}: cannot read ({exc})") from exc
    raise CatalogueError(f"{path.name}: unsupported table format '{suffix}' (use .csv or .xlsx)")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    return str(value)


def export_task_table(tasks: Iterable[Any], path: Path | str) -> Path:
    """Write TaskSpecs, CatalogueTasks or EffectiveTasks as a CSV or XLSX task table (chosen by suffix)."""
    path = Path(path)
    rows = [_export_row(t) for t in tasks]
    fields = [f for f in TABLE_HEADERS if f != "commune_lead" or any(r["commune_lead"] for r in rows)]
    header = [TABLE_HEADERS[f] for f in fields]
    body = [[r[f] for f in fields] for r in rows]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([[csv_cell(v) for v in row] for row in [header, *body]])
    elif suffix == ".xlsx":
        _write_xlsx(path, header, body)
    else:
        raise CatalogueError(f"{path.name}: unsupported table format '{suffix}' (use .csv or .xlsx)")
    return path


def _export_row(task: Any) -> dict[str, str]:
    lead = task.lead if hasattr(task, "lead") else task.lead_offices
    collaborating = task.collaborating if hasattr(task, "collaborating") else task.collaborating_offices
    return {
        "code": task.code, "title": task.title,
        "lead": _office_cell(lead or [], getattr(task, "lead_text", None)),
        "collaborating": _office_cell(collaborating or [], getattr(task, "collaborating_text", None)),
        "timeframe": task.timeframe or "",
        "commune_lead": _office_cell(getattr(task, "commune_lead", None) or [], None),
    }


def _office_cell(codes: list[str], text: str | None) -> str:
    """The plan's own wording when it names exactly these offices, else the vocabulary's names."""
    if text:
        try:
            if resolve_office_names(text) == list(codes):
                return text
        except CatalogueError:
            pass
    vocabulary = load_office_vocabulary()
    unknown = [c for c in codes if c not in vocabulary]
    if unknown:
        raise CatalogueError(f"unknown office '{unknown[0]}'")
    return "; ".join(vocabulary[c].name for c in codes)


def _write_xlsx(path: Path, header: list[str], body: list[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục nhiệm vụ"
    for r, values in enumerate([header, *body], 1):
        for c, value in enumerate(values, 1):
            set_xlsx(sheet.cell(row=r, column=c), value)  # a title starting with "=" stays text
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "@"  # "4.10" stays text, never the number 4.1
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (8, 70, 30, 30, 20, 25)):
        sheet.column_dimensions[letter].width = width
    workbook.save(path)
