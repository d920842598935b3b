"""Task catalogues of the plans (Kế hoạch, Danh mục nhiệm vụ): YAML files, the database and task tables.

`config/catalogue/*.yaml` holds one curated plan per file and `offices.yaml` the office vocabulary.
This module validates and loads them (`sync_catalogues`), tells which tasks a unit carries out and
which of its offices leads each one (`effective_catalogue`), and reads and writes a plan's task
table as CSV or XLSX with the seed tables' columns (TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối
hợp | Thời gian thực hiện).
"""
from __future__ import annotations

import csv
import functools
import io
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.documents.cells import csv_cell, from_csv_cell, set_xlsx
from service.domain.text import fold
from service.models.catalogue import CatalogueTask, Plan
from service.models.unit import Unit

logger = logging.getLogger(__name__)

CATALOGUE_DIR = Path(__file__).resolve().parents[3] / "config" / "catalogue"
OFFICES_FILE = CATALOGUE_DIR / "offices.yaml"
CITY_UNIT_CODE = "31"
LEVELS = ("commune", "city", "other")
# Tasks every commune carries out, led by its Văn phòng HĐND và UBND (domain.md).
VAN_PHONG = "van_phong"
CORE_TASKS = ("4.3", "4.4", "4.5")

# Words that join office names in a table cell and name no office ("Sở Nội vụ tổng hợp, theo dõi
# chung; đề nghị … phối hợp thực hiện", "… cấp xã có liên quan", "Phòng Kinh tế đặc khu").
CONNECTORS = (
    "va", "cac", "co lien quan", "lien quan", "de nghi", "phoi hop thuc hien", "phoi hop", "tong hop",
    "theo doi chung", "theo doi", "tham muu", "don doc", "thu truong", "tren dia ban", "thuoc",
    "thuoc uy ban nhan dan thanh pho", "dac khu", "phuong", "xa", "thanh pho",
)

PLAN_KEYS = {"code", "unit", "title", "source_document", "period", "tasks"}
REQUIRED_PLAN_KEYS = ("code", "unit", "title", "source_document", "tasks")
TASK_KEYS = {"code", "title", "lead", "lead_text", "collaborating", "collaborating_text", "timeframe", "commune_lead"}
REQUIRED_TASK_KEYS = ("code", "title", "lead")

TABLE_HEADERS = {  # column -> header as the seed tables write it
    "code": "TT", "title": "Nhiệm vụ", "lead": "Cơ quan chủ trì", "collaborating": "Cơ quan phối hợp",
    "timeframe": "Thời gian thực hiện", "commune_lead": "Cơ quan chủ trì cấp xã",
}
_HEADER_FIELDS = {fold(h): f for f, h in TABLE_HEADERS.items()} | {"stt": "code"}
_SUB_ITEM = re.compile(r"[a-zđ]")


class CatalogueError(ValueError):
    """A plan file, the office vocabulary or a task table is invalid; the message names the file and row."""


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    level: str  # commune | city | other
    aliases: tuple[str, ...] = ()


@dataclass
class TaskSpec:
    code: str  # TT, e.g. "4.4"
    title: str
    lead: list[str] = field(default_factory=list)
    collaborating: list[str] = field(default_factory=list)
    lead_text: str | None = None
    collaborating_text: str | None = None
    timeframe: str | None = None
    commune_lead: list[str] | None = None  # city plan only: who leads the task inside a commune


@dataclass
class PlanSpec:
    code: str
    unit: str
    title: str
    source_document: str
    period: str | None
    tasks: list[TaskSpec]
    path: Path | None = None


@dataclass
class EffectiveTask:
    code: str
    title: str
    lead_offices: list[str]
    collaborating_offices: list[str]
    timeframe: str | None
    plan_code: str
    source: str  # "unit": the unit's own plan; "city": inherited from the city plan


# --- office vocabulary -----------------------------------------------------------------------------

def load_office_vocabulary(path: Path | str | None = None) -> dict[str, OfficeSpec]:
    """The offices of `offices.yaml` by code."""
    return dict(_vocabulary(Path(path or OFFICES_FILE).resolve()))


@functools.lru_cache(maxsize=8)
def _vocabulary(path: Path) -> dict[str, OfficeSpec]:
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: expected a mapping of office codes")
    offices = {}
    for code, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("name") or entry.get("level") not in LEVELS:
            raise CatalogueError(f"{path.name}, office {code}: needs a name and a level in {LEVELS}")
        offices[str(code)] = OfficeSpec(str(code), entry["name"], entry["level"], tuple(entry.get("aliases") or ()))
    _matcher(path, offices)  # fails early on an alias shared by two offices
    return offices


@functools.lru_cache(maxsize=8)
def _cached_matcher(path: Path) -> dict[tuple[str, ...], str | None]:
    return _matcher(path, _vocabulary(path))


def _matcher(path: Path, offices: dict[str, OfficeSpec]) -> dict[tuple[str, ...], str | None]:
    """Folded word sequences -> office code (None for connecting words)."""
    table: dict[tuple[str, ...], str | None] = {tuple(fold(c).split()): None for c in CONNECTORS}
    for office in offices.values():
        for alias in (office.code, office.name, *office.aliases):
            words = tuple(fold(alias).split())
            bare = words[1:] if words[:1] == ("cac",) else words
            for key in {bare, ("cac", *bare)}:  # "các" before a name is optional
                if table.get(key, office.code) != office.code:
                    raise CatalogueError(f"{path.name}: alias '{alias}' names both {table[key]} and {office.code}")
                table[key] = office.code
    return table


def resolve_office_names(text: str | None, vocabulary_path: Path | str | None = None) -> list[str]:
    """Every office a cell names, in order: 'Sở Tài chính; UBND cấp xã liên quan' -> [so_tai_chinh, ubnd_cap_xa]."""
    table = _cached_matcher(Path(vocabulary_path or OFFICES_FILE).resolve())
    words = fold(text or "").split()
    longest = max(len(k) for k in table)
    # best[i]: the reading of words[i:] with the fewest unknown words, then the fewest pieces.
    best: list[tuple[int, int, list[tuple[str | None, str | None]]]] = [(0, 0, [])] * (len(words) + 1)
    for i in range(len(words) - 1, -1, -1):
        unknown, pieces, rest = best[i + 1]
        options = [(unknown + 1, pieces + 1, [(None, words[i]), *rest])]
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i:i + size])
            if key in table:
                unknown, pieces, rest = best[i + size]
                options.append((unknown, pieces + 1, [(table[key], None), *rest]))
        best[i] = min(options, key=lambda o: (o[0], o[1]))
    missing = [word for code, word in best[0][2] if word]
    if missing:
        raise CatalogueError(f"unknown office name '{' '.join(missing)}' in '{text}'")
    return list(dict.fromkeys(code for code, _ in best[0][2] if code))


def resolve_office_name(name: str, vocabulary_path: Path | str | None = None) -> str:
    """One office name, with or without diacritics, to its code: 'Văn phòng HĐND - UBND xã' -> 'van_phong'."""
    codes = resolve_office_names(name, vocabulary_path)
    if len(codes) != 1:
        raise CatalogueError(f"'{name}' names {len(codes)} offices, expected one")
    return codes[0]


# --- plan files ----------------------------------------------------------------------------------

def read_plan_file(path: Path | str) -> PlanSpec:
    """One plan YAML file, validated against the office vocabulary beside it (or the default one)."""
    path = Path(path)
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: expected a mapping with the plan's keys")
    _check_keys(data, PLAN_KEYS, REQUIRED_PLAN_KEYS, path.name)
    unit = str(data["unit"]).strip() if data["unit"] is not None else ""
    if not unit:
        raise CatalogueError(f"{path.name}: the unit code is empty")
    if not isinstance(data["tasks"], list) or not data["tasks"]:
        raise CatalogueError(f"{path.name}: 'tasks' must be a non-empty list")
    vocabulary = load_office_vocabulary(_vocabulary_beside(path))
    tasks, seen = [], set()
    for index, raw in enumerate(data["tasks"], start=1):
        task = _task_spec(raw, index, path.name, vocabulary, is_city=unit == CITY_UNIT_CODE)
        if task.code in seen:
            raise CatalogueError(f"{path.name}, task {task.code}: duplicated task code")
        seen.add(task.code)
        tasks.append(task)
    period = data.get("period")
    return PlanSpec(str(data["code"]), unit, str(data["title"]), str(data["source_document"]),
                    None if period is None else str(period), tasks, path)


def _task_spec(raw: Any, index: int, file: str, vocabulary: dict[str, OfficeSpec], *, is_city: bool) -> TaskSpec:
    where = f"{file}, task {raw.get('code') if isinstance(raw, dict) and raw.get('code') else '#' + str(index)}"
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a mapping")
    _check_keys(raw, TASK_KEYS, REQUIRED_TASK_KEYS, where)
    if not isinstance(raw["code"], str) or not raw["code"].strip():
        # An unquoted 4.10 reads as the number 4.1: task codes must be quoted strings.
        raise CatalogueError(f"{where}: the task code must be a quoted string, got {raw['code']!r}")
    if not _text(raw["title"]):
        raise CatalogueError(f"{where}: the title is empty")
    lists = {}
    for key in ("lead", "collaborating", "commune_lead"):
        value = raw.get(key)
        if value is None:
            lists[key] = None if key == "commune_lead" else []
            continue
        if not isinstance(value, list):
            raise CatalogueError(f"{where}: '{key}' must be a list of office codes")
        for code in value:
            if code not in vocabulary:
                raise CatalogueError(f"{where}: unknown office '{code}'")
            if key == "commune_lead" and vocabulary[code].level != "commune":
                raise CatalogueError(f"{where}: commune_lead '{code}' is not a commune office")
        lists[key] = [str(c) for c in value]
    if lists["commune_lead"] is not None and not is_city:
        raise CatalogueError(f"{where}: commune_lead belongs to the city plan only")
    return TaskSpec(raw["code"].strip(), str(_text(raw["title"])), lists["lead"], lists["collaborating"],
                    _text(raw.get("lead_text")), _text(raw.get("collaborating_text")), _text(raw.get("timeframe")),
                    lists["commune_lead"])


def read_catalogue_dir(directory: Path | str | None = None) -> list[PlanSpec]:
    """Every plan file of the directory (all *.yaml but offices.yaml), in file-name order."""
    directory = Path(directory or CATALOGUE_DIR)
    plans, codes = [], {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == OFFICES_FILE.name:
            continue
        plan = read_plan_file(path)
        if plan.code in codes:
            raise CatalogueError(f"{path.name}: plan code '{plan.code}' is also used by {codes[plan.code]}")
        codes[plan.code] = path.name
        plans.append(plan)
    return plans


def _vocabulary_beside(path: Path) -> Path:
    beside = path.parent / OFFICES_FILE.name
    return beside if beside.exists() else OFFICES_FILE


def _load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except OSError as exc:
        raise CatalogueError(f"{path.name}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: invalid YAML ({exc})") from exc


def _check_keys(data: dict, allowed: set[str], required: Iterable[str], where: str) -> None:
    for key in required:
        if key not in data:
            raise CatalogueError(f"{where}: missing key '{key}'")
    extra = sorted(set(map(str, data)) - allowed)
    if extra:
        raise CatalogueError(f"{where}: unknown key '{extra[0]}'")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- database ------------------------------------------------------------------------------------

def sync_catalogues(session: Session, directory: Path | str | None = None) -> int:
    """Upsert every plan and task of the directory by (plan code, task code); returns the number of tasks.

    Idempotent: a second run writes nothing. Tasks no longer in a file are kept (petitions may refer to them).
    """
    tasks = changed = 0
    for spec in read_catalogue_dir(directory):
        unit = _unit(session, spec.unit, spec.path.name if spec.path else spec.code)
        changed += _upsert_plan(session, spec.code, unit, spec.title, spec.source_document, spec.period, spec.tasks,
                                complete=True)
        tasks += len(spec.tasks)
    session.flush()
    logger.info("Catalogues synced: %s tasks, %s rows written", tasks, changed)
    return tasks


def import_plan_table(session: Session, plan_code: str, unit_code: str, title: str, path: Path | str) -> int:
    """Import a CSV/XLSX task table into a new or existing plan (tasks upserted by TT); returns the task count."""
    path = Path(path)
    tasks = import_task_table(path)
    unit = _unit(session, unit_code, path.name)
    existing = session.scalar(select(Plan).where(Plan.code == plan_code))
    _upsert_plan(session, plan_code, unit, title, path.name, existing.period if existing else None, tasks,
                 complete=False)
    session.flush()
    return len(tasks)


def _unit(session: Session, code: str, where: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == str(code)))
    if unit is None:
        raise CatalogueError(f"{where}: unknown unit '{code}'")
    return unit


def _upsert_plan(session: Session, code: str, unit: Unit, title: str, source: str, period: str | None,
                 tasks: list[TaskSpec], *, complete: bool) -> int:
    """Insert or update the plan and its tasks; returns the rows written."""
    plan = session.scalar(select(Plan).where(Plan.code == code))
    changed = 0
    if plan is None:
        plan = Plan(code=code)
        session.add(plan)
    changed += _assign(plan, unit_id=unit.id, title=title, source_document=source, period=period)
    if plan.updated_at is None:
        plan.updated_at = utcnow()
    session.flush()
    existing = {t.code: t for t in session.scalars(select(CatalogueTask).where(CatalogueTask.plan_id == plan.id))}
    for position, spec in enumerate(tasks):
        row = existing.pop(spec.code, None)
        if row is None:
            row = CatalogueTask(plan_id=plan.id, code=spec.code)
            session.add(row)
        changed += _assign(row, title=spec.title, lead_offices=list(spec.lead),
                           collaborating_offices=list(spec.collaborating), lead_text=spec.lead_text,
                           collaborating_text=spec.collaborating_text, timeframe=spec.timeframe, position=position,
                           commune_lead_offices=list(spec.commune_lead) if spec.commune_lead else None)
    if changed:
        plan.updated_at = utcnow()  # invalidates every process's cached effective catalogues
    if complete and existing:
        # Tasks may be referenced by routed petitions: keep them, and say so.
        logger.warning("Plan %s: tasks %s are no longer in its file and were kept", code, sorted(existing))
    return changed


def _assign(row: Any, **values: Any) -> int:
    """Set the values that differ; 1 if the row is new or changed."""
    dirty = row.id is None
    for attr, value in values.items():
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            dirty = True
    return int(dirty)


# --- effective catalogue -------------------------------------------------------------------------

def effective_catalogue(session: Session, unit: Unit) -> list[EffectiveTask]:
    """The tasks a unit carries out: its own plan's where its plan has them, the city's otherwise
    (with the commune office that leads each); 4.3-4.5 always, led by Văn phòng HĐND và UBND.

    Cached per process; the cache key includes the plans' revision stamp, so a sync or an import
    is seen at once by every worker."""
    key = (str(session.get_bind().url), unit.id, _revision(session))
    tasks = _EFFECTIVE_CACHE.get(key)
    if tasks is None:
        tasks = _build_effective(session, unit)
        if len(_EFFECTIVE_CACHE) > 1024:
            _EFFECTIVE_CACHE.clear()
        _EFFECTIVE_CACHE[key] = tasks
    return [replace(t, lead_offices=list(t.lead_offices), collaborating_offices=list(t.collaborating_offices))
            for t in tasks]


_EFFECTIVE_CACHE: dict[tuple, list[EffectiveTask]] = {}


def _revision(session: Session) -> tuple:
    return tuple(session.execute(select(func.count(Plan.id), func.max(Plan.updated_at))).one())


def _build_effective(session: Session, unit: Unit) -> list[EffectiveTask]:
    own = _latest_plan(session, select(Plan).where(Plan.unit_id == unit.id))
    city = _latest_plan(session, select(Plan).join(Unit, Plan.unit_id == Unit.id).where(Unit.kind == "city"))
    if unit.kind == "city":
        return [_effective(t, own, "unit", t.lead_offices) for t in own.tasks] if own else []
    tasks = [_effective(t, own, "unit", t.lead_offices) for t in own.tasks] if own else []
    have = {t.code for t in tasks}
    if city:
        tasks += [_effective(t, city, "city", _commune_lead(t)) for t in city.tasks if t.code not in have]
    return _with_core_tasks(tasks)


def _effective(task: CatalogueTask, plan: Plan, source: str, lead: list[str]) -> EffectiveTask:
    return EffectiveTask(task.code, task.title, list(lead), list(task.collaborating_offices or []), task.timeframe,
                         plan.code, source)


def _commune_lead(task: CatalogueTask) -> list[str]:
    if task.commune_lead_offices:
        return list(task.commune_lead_offices)
    vocabulary = load_office_vocabulary()
    return [c for c in task.lead_offices or [] if c in vocabulary and vocabulary[c].level == "commune"] or [VAN_PHONG]


def _with_core_tasks(tasks: list[EffectiveTask]) -> list[EffectiveTask]:
    """Tasks 4.3-4.5 are in every commune's catalogue and Văn phòng HĐND và UBND leads them."""
    for task in tasks:
        if task.code in CORE_TASKS and VAN_PHONG not in task.lead_offices:
            task.lead_offices.insert(0, VAN_PHONG)
    return tasks


def _latest_plan(session: Session, stmt: Any) -> Plan | None:
    plans = session.scalars(stmt).all()
    return max(plans, key=lambda p: (max(map(int, re.findall(r"\b\d{4}\b", p.period or "")), default=0), p.id),
               default=None)


# --- task tables (CSV, XLSX) ---------------------------------------------------------------------

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
