"""The plan files (Kế hoạch, Danh mục nhiệm vụ) and the office vocabulary, read and validated.

`config/catalogue/*.yaml` holds one curated plan per file and `offices.yaml` the office vocabulary.
This module reads them into specs (`read_catalogue_dir`, `read_plan_file`) and resolves the office
names a table cell writes to the vocabulary's codes (`resolve_office_names`). It touches no database:
`catalogue` loads the specs, `tables` reads and writes them as CSV or XLSX.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from service.domain.text import fold

CATALOGUE_DIR = Path(__file__).resolve().parents[3] / "config" / "catalogue"
OFFICES_FILE = CATALOGUE_DIR / "offices.yaml"
CITY_UNIT_CODE = "31"
LEVELS = ("commune", "city", "other")

# Words that join office names in a table cell and name no office ("Sở Nội vụ tổng hợp, theo dõi
# chung; đề nghị … phối hợp thực hiện", "… cấp xã có liên quan", "Phòng Kinh tế đặc khu").
CONNECTORS = (
    "va", "cac", "co lien quan", "lien quan", "de nghi", "phoi hop thuc hien", "phoi hop", "tong hop",
    "theo doi chung", "theo doi", "tham muu", "don doc", "thu truong", "tren dia ban", "thuoc",
    "thuoc uy ban nhan dan thanh pho", "dac khu", "phuong", "xa", "thanh pho",
)

PLAN_KEYS = {"code", "unit", "title", "source_document", "period", "tasks"}
REQUIRED_PLAN_KEYS = ("code", "unit", "title", "source_document", "tasks")
TASK_KEYS = {"code", "title", "lead", "lead_text", "collaborating", "collaborating_text", "timeframe", "commune_lead",
             "source"}
REQUIRED_TASK_KEYS = ("code", "title", "lead")


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
    source: str | None = None  # where a task comes from when not from the plan's own text (e.g. the city's list)


@dataclass
class PlanSpec:
    code: str
    unit: str
    title: str
    source_document: str
    period: str | None
    tasks: list[TaskSpec]
    path: Path | None = None


# --- office vocabulary -----------------------------------------------------------------------------

def load_office_vocabulary(path: Path | str | None = None) -> dict[str, OfficeSpec]:
    """The offices of `offices.yaml` by code."""
    path = Path(path or OFFICES_FILE).resolve()
    return dict(_vocabulary(path, _stamp(path)))


def _stamp(path: Path) -> int:
    """The file's modification time: the caches below are read again when the file changes."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=8)
def _vocabulary(path: Path, _mtime: int = 0) -> dict[str, OfficeSpec]:
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
def _cached_matcher(path: Path, mtime: int = 0) -> dict[tuple[str, ...], str | None]:
    return _matcher(path, _vocabulary(path, mtime))


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
    vocabulary_file = Path(vocabulary_path or OFFICES_FILE).resolve()
    table = _cached_matcher(vocabulary_file, _stamp(vocabulary_file))
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
                    lists["commune_lead"], _text(raw.get("source")))


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
