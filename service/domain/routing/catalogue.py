"""Task catalogues of the plans in the database: loading the plan files, and the tasks a unit carries out.

`sync_catalogues` upserts the plans of `config/catalogue/*.yaml` (read and validated by `specs`),
`import_plan_table` a CSV/XLSX task table (read by `tables`), and `effective_catalogue` tells which
tasks a unit carries out and which of its offices leads each one.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain import reference
from service.domain.routing.specs import (
    CatalogueError,
    TaskSpec,
    load_office_vocabulary,
    read_catalogue_dir,
)
from service.domain.routing.subjects import same_task
from service.domain.routing.tables import import_task_table
from service.models.catalogue import CatalogueTask, Plan
from service.models.unit import Unit

logger = logging.getLogger(__name__)

# Tasks every commune carries out, led by its Văn phòng HĐND và UBND (domain.md).
VAN_PHONG = "van_phong"
CORE_TASKS = ("4.3", "4.4", "4.5")


@dataclass
class EffectiveTask:
    code: str
    title: str
    lead_offices: list[str]
    collaborating_offices: list[str]
    timeframe: str | None
    plan_code: str
    source: str  # "unit": the unit's own plan; "city": inherited from the city plan
    origin: str | None = None  # the task's own `source` note (e.g. taken from the city's list 3177/QĐ-UBND)


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
                           commune_lead_offices=list(spec.commune_lead) if spec.commune_lead else None,
                           source=spec.source)
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

def effective_catalogue(session: Session, unit: Unit, *, shared: bool = False) -> list[EffectiveTask]:
    """The tasks a unit carries out: its own plan's, and the city's on the subjects its plan is silent on
    (with the commune office that leads each); 4.3-4.5 always, led by Văn phòng HĐND và UBND.

    Cached per process; the cache key includes the plans' revision stamp (`_revision`, itself read once per
    `reference.TTL`), so a sync or an import is seen at once by this process and within the TTL by the others.
    `shared=True`: the cached tasks themselves, for a caller that only reads them (routing, on every petition);
    others get copies they may change."""
    key = (reference.database_of(session), unit.id, _revision(session))
    tasks = _EFFECTIVE_CACHE.get(key)
    if tasks is None:
        tasks = _build_effective(session, unit)
        if len(_EFFECTIVE_CACHE) > 1024:
            _EFFECTIVE_CACHE.clear()
        _EFFECTIVE_CACHE[key] = tasks
    if shared:
        return tasks
    return [replace(t, lead_offices=list(t.lead_offices), collaborating_offices=list(t.collaborating_offices))
            for t in tasks]


_EFFECTIVE_CACHE: dict[tuple, list[EffectiveTask]] = {}


def task_id(session: Session, plan_code: str | None, task_code: str | None) -> int | None:
    """A plan's task id by the codes (cached reference data); None when either is missing."""
    if not (plan_code and task_code):
        return None
    return reference.cached(session, "task_id", (plan_code, task_code), lambda: session.scalar(
        select(CatalogueTask.id).join(Plan).where(Plan.code == plan_code, CatalogueTask.code == task_code)))


def task_code(session: Session, task_id: int | None) -> str | None:
    """A catalogue task's code by its id (cached reference data)."""
    if task_id is None:
        return None
    return reference.cached(session, "task_code", task_id, lambda: session.scalar(
        select(CatalogueTask.code).where(CatalogueTask.id == task_id)))


def _revision(session: Session) -> tuple:
    """The plans' stamp, read once per `reference.TTL` (at once again after this process changes a plan)."""
    return reference.cached(session, "plans_revision", None, lambda: tuple(
        session.execute(select(func.count(Plan.id), func.max(Plan.updated_at))).one()))


def _build_effective(session: Session, unit: Unit) -> list[EffectiveTask]:
    own = _latest_plan(session, select(Plan).where(Plan.unit_id == unit.id))
    city = _latest_plan(session, select(Plan).join(Unit, Plan.unit_id == Unit.id).where(Unit.kind == "city"))
    if unit.kind == "city":
        return [_effective(t, own, "unit", t.lead_offices) for t in own.tasks] if own else []
    tasks = [_effective(t, own, "unit", t.lead_offices) for t in own.tasks] if own else []
    if city:
        # Merged by meaning, not by number (plans number differently): a city task is left out when one of the
        # unit's tasks names the same subject of the same field (subjects.same_task).
        mine = [t.title for t in tasks]
        tasks += [_effective(t, city, "city", _commune_lead(t)) for t in city.tasks
                  if not any(same_task(title, t.title) for title in mine)]
    return _with_core_tasks(tasks)


def _effective(task: CatalogueTask, plan: Plan, source: str, lead: list[str]) -> EffectiveTask:
    return EffectiveTask(task.code, task.title, list(lead), list(task.collaborating_offices or []), task.timeframe,
                         plan.code, source, task.source)


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
