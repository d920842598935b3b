"""Routing: (unit, kind, category, content) -> catalogue task, lead office, collaborating offices.

The rules, in order (each decision names the rule that decided, in Vietnamese):
1. low classification confidence: Văn phòng HĐND và UBND classifies it again (task 4.4);
2. a denunciation naming an official: Văn phòng HĐND và UBND, never the accused's own office, and
   the inspectors are told; an accused chairperson or Văn phòng itself sends it up to the city;
3. a matter the city catalogue gives to a city department (social housing, industrial zones,
   land of religious bodies): the city (unit 31) and that department;
4. otherwise the field table of domain.md (config/categories.yaml) and the unit's catalogue task.
Staff corrections go through `reroute`, which keeps the correction as training data.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from service.domain.classification import model as classify
from service.domain.classification.normalise import (
    Rules,
    accused,
    classifier_text,
    find,
    load_rules,
    names_official_misconduct,
)
from service.domain.codes import KINDS, categories, category_label
from service.domain.errors import ValidationFailed
from service.domain.events import record
from service.domain.inbound import Actor
from service.domain.matters import titles as matter_titles
from service.domain.notifications import outbox as notify
from service.domain.people import confidential
from service.domain.routing import catalogue, specs, units
from service.domain.routing.units import CITY_CODE, find_unit, office_of
from service.models.petition import Petition
from service.models.unit import Office, Unit

logger = logging.getLogger(__name__)

GENERAL_TASK = "4.4"  # receiving and resolving petitions: every unit has it, Văn phòng leads it
CITY_VAN_PHONG = "vp_ubnd_tp"
INSPECTORS = "thanh_tra_tp"


@dataclass
class RoutingDecision:
    office_code: str
    task_code: str | None
    plan_code: str | None = None
    collaborating_offices: list[str] = field(default_factory=list)
    notify_inspectors: bool = False
    explanation: str = ""
    unit_code: str | None = None  # set when the petition belongs to another unit: "31", the city
    rule: str = "field"  # review | denunciation | denunciation_up | city_matter | field | staff


def route(session: Session, unit: Unit, kind: str, category: str, content: str = "",
          needs_review: bool = False) -> RoutingDecision:
    folded = classifier_text(content or "")
    rules = load_rules()
    is_city = unit.kind == "city"
    if needs_review:
        office = CITY_VAN_PHONG if is_city else "van_phong"
        return _decide(session, unit, office, GENERAL_TASK, "review",
                       "Quy tắc độ tin cậy thấp: phân loại tự động chưa chắc chắn nên chuyển "
                       f"{_office_name(office)} phân loại lại")
    if kind == "to_cao" and (category == "can_bo_cong_vu" or names_official_misconduct(folded, rules)):
        accused_leader = accused(rules.unit_leaders, folded, rules)
        if accused_leader and not is_city:
            city = find_unit(session, CITY_CODE)
            return _decide(session, city, CITY_VAN_PHONG, GENERAL_TASK, "denunciation_up",
                           f"Quy tắc tố cáo cán bộ: đơn tố cáo người đứng đầu hoặc Văn phòng của {unit.name} "
                           f"(«{accused_leader[0].shown}») nên chuyển lên {_office_name(CITY_VAN_PHONG)}, không giao "
                           "cho chính cơ quan bị tố cáo; Thanh tra thành phố được báo",
                           notify_inspectors=True, from_unit=unit)
        office = CITY_VAN_PHONG if is_city else "van_phong"
        return _decide(session, unit, office, GENERAL_TASK, "denunciation",
                       "Quy tắc tố cáo cán bộ: đơn tố cáo cán bộ, công chức giao "
                       f"{_office_name(office)} xử lý, không giao cho cơ quan của người bị tố cáo; "
                       "Thanh tra thành phố được báo", notify_inspectors=True)
    matter = _city_matter(rules, category, folded)
    if matter is not None:
        city = unit if is_city else find_unit(session, CITY_CODE)
        return _decide(session, city, matter["office"], matter.get("task"), "city_matter",
                       f"Quy tắc thẩm quyền thành phố: việc «{matter['name']}» do danh mục nhiệm vụ của thành phố "
                       f"giao {_office_name(matter['office'])} chủ trì nên chuyển lên thành phố", from_unit=unit,
                       exact_task=True)
    row = categories().get(category) or categories()["khac"]
    office = row.get("city_office", CITY_VAN_PHONG) if is_city else row["lead_office"]
    return _decide(session, unit, office, row.get("task"), "field",
                   f"Quy tắc lĩnh vực: lĩnh vực {category_label(category)} do {_office_name(office)} chủ trì "
                   "(bảng lĩnh vực)", category=category)


def _city_matter(rules: Rules, category: str, folded: str) -> dict | None:
    for matter in rules.city_matters:
        if category in (matter.get("categories") or ()) and find(matter["keywords"], folded):
            if not matter["requires"] or find(matter["requires"], folded):
                return matter
    return None


def _decide(session: Session, unit: Unit, office: str, task_code: str | None, rule: str, why: str, *,
            notify_inspectors: bool = False, from_unit: Unit | None = None,
            exact_task: bool = False, category: str | None = None) -> RoutingDecision:
    """Find the unit's catalogue task, keep the collaborating offices the unit has, and explain."""
    task = _task(session, unit, task_code, exact_task, category, office) if task_code else None
    unit_offices = set(units.unit_offices(session, unit.id))
    collaborating = []
    if task is not None:
        collaborating = [c for c in dict.fromkeys([*task.lead_offices, *task.collaborating_offices])
                         if c != office and c in unit_offices]
    explanation = why
    if task is not None:
        explanation += f"; nhiệm vụ {task.code} «{_short(task.title)}» của kế hoạch {task.plan_code}"
    elif task_code is None:
        explanation += "; lĩnh vực này không gắn nhiệm vụ nào trong danh mục"
    if collaborating:
        explanation += "; phối hợp: " + ", ".join(_office_name(c) for c in collaborating)
    moved = from_unit is not None and from_unit.id != unit.id
    if moved:
        direction = "lên" if unit.kind == "city" else "sang"
        explanation += f"; chuyển từ {from_unit.name} {direction} {unit.name} (mã {unit.code})"
    return RoutingDecision(office, task.code if task else None, task.plan_code if task else None, collaborating,
                           notify_inspectors, explanation + ".", unit.code if moved else None, rule)


def _task(session: Session, unit: Unit, code: str, exact: bool, category: str | None = None,
          office: str | None = None) -> catalogue.EffectiveTask | None:
    """The plan's own task for the field, never a guess from words of task titles (issue #17):
    1. a task of the unit's catalogue that declares the field (plans curated with `fields`);
    2. the field's task (its number in the field table) in the unit's own plan, when that office leads it
       there; then the same task inherited from the city plan, when that office leads it at commune level;
    3. otherwise 4.4, the task every unit has for receiving and resolving petitions."""
    tasks = catalogue.effective_catalogue(session, unit, shared=True)  # read only
    by_code = {t.code: t for t in tasks}
    if exact or code in catalogue.CORE_TASKS:
        return by_code.get(code) or by_code.get(GENERAL_TASK)
    ordered = sorted(tasks, key=lambda t: t.source != "unit")  # the unit's own plan first
    if category:
        for t in ordered:
            if category in (getattr(t, "fields", None) or getattr(t, "categories", None) or ()):
                return t
    for t in ordered:
        if t.code == code and (office is None or office in t.lead_offices):
            return t
    return by_code.get(GENERAL_TASK)


def _short(title: str, limit: int = 90) -> str:
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + "…"


def _office_name(code: str) -> str:
    spec = specs.load_office_vocabulary().get(code)
    return spec.name if spec else code


# --- staff re-routing ------------------------------------------------------------------------------

def reroute(session: Session, petition: Petition, actor: Actor, *, kind: str | None = None,
            category: str | None = None, office_code: str | None = None, unit: Unit | str | None = None,
            reason: str | None = None) -> RoutingDecision:
    """Staff correct the kind or field, change the office, or transfer to another unit or the city.

    A corrected kind / field is kept as training data (classify.record_correction, event
    "reclassified"); the new routing is written to the petition with an event "rerouted".
    """
    if not (reason or "").strip():
        raise ValidationFailed("Cần ghi lý do chuyển, sửa phân loại.", "A reason is required.",
                               fields={"reason": ["Cần ghi lý do."]})
    if kind is not None and kind not in KINDS:
        raise ValidationFailed("Loại đơn không hợp lệ.", "Unknown kind.", fields={"kind": ["Không hợp lệ."]})
    if category is not None and category not in categories():
        raise ValidationFailed("Lĩnh vực không hợp lệ.", "Unknown category.", fields={"category": ["Không hợp lệ."]})
    requested = _target_unit(session, petition, unit, office_code)
    before = dict(petition.routing or {}, unit=petition.unit.code if petition.unit else None)
    old_kind = petition.kind
    classify.record_correction(session, petition, kind, category, actor, reason)
    if petition.kind != old_kind:  # a denunciation now (or no longer): its redacted and searchable texts change
        confidential.derive(petition)
        matter_titles.retitle_if_derived(session, petition)

    if office_code:  # the office staff name wins, in the unit they chose (the city for a city department)
        target = requested
        decision = _decide(session, target, office_code, GENERAL_TASK, "staff",
                           f"Cán bộ chỉ định {_office_name(office_code)} chủ trì: {reason.strip()}",
                           notify_inspectors=petition.kind == "to_cao" and petition.category == "can_bo_cong_vu",
                           from_unit=petition.unit)
    else:
        decision = route(session, requested, petition.kind, petition.category, petition.content)
        target = find_unit(session, decision.unit_code) if decision.unit_code else requested
        decision.explanation = f"Cán bộ chuyển, sửa phân loại ({reason.strip()}). {decision.explanation}"
        if target.id != petition.unit_id and decision.unit_code is None:
            decision.unit_code = target.code
    office = office_of(session, target, decision.office_code)
    if office is None:
        raise ValidationFailed(f"{target.name} không có phòng ban “{decision.office_code}”.",
                               f"Unit {target.code} has no office '{decision.office_code}'.",
                               fields={"office": ["Không có phòng ban này."]})
    _apply(session, petition, target, office, decision)
    event = record(session, petition, "rerouted", actor, reason=reason.strip(),
                   data={"from": before, "to": petition.routing})
    session.flush()
    _notify(session, petition, office, decision, f"rerouted:{event.id}")
    return decision


def _target_unit(session: Session, petition: Petition, unit: Unit | str | None, office_code: str | None) -> Unit:
    if isinstance(unit, Unit):
        return unit
    if unit is not None:
        found = find_unit(session, unit)
        if found is None:
            raise ValidationFailed(f"Không tìm thấy xã, phường, đặc khu “{unit}”.", f"Unknown unit '{unit}'.",
                                   fields={"unit": ["Không tìm thấy."]})
        return found
    vocabulary = specs.load_office_vocabulary()
    if office_code and office_code in vocabulary and vocabulary[office_code].level == "city":
        return find_unit(session, CITY_CODE)  # a city department named: the petition goes to the city
    return petition.unit


def _apply(session: Session, petition: Petition, unit: Unit, office: Office, decision: RoutingDecision) -> None:
    petition.unit_id = unit.id
    petition.unit = unit
    petition.lead_office_id = office.id
    petition.lead_office = office
    for deadline in petition.deadlines:  # each step carries the lead office (Deadline.office_id)
        deadline.office_id = office.id
    petition.collaborating_office_codes = decision.collaborating_offices
    petition.task_id = catalogue.task_id(session, decision.plan_code, decision.task_code)
    petition.needs_review = False
    petition.routing = {"office": decision.office_code, "task": decision.task_code, "plan": decision.plan_code,
                        "collaborating": decision.collaborating_offices,
                        "notify_inspectors": decision.notify_inspectors, "explanation": decision.explanation,
                        "unit": unit.code, "rule": decision.rule}


def _notify(session: Session, petition: Petition, office: Office, decision: RoutingDecision, key: str) -> None:
    """Tell the new lead office (and the inspectors of a denunciation of an official) on their console."""
    text = f"Đơn {petition.code} được chuyển đến {office.name}: {decision.explanation}"
    notify.enqueue_office_notice(session, office, text, key, petition=petition)
    if decision.notify_inspectors:
        city = find_unit(session, CITY_CODE)
        inspectors = office_of(session, city, INSPECTORS) if city else None
        if inspectors is not None:
            notify.enqueue_office_notice(session, inspectors, f"Đơn tố cáo {petition.code} nêu cán bộ, công chức: "
                                         f"{decision.explanation}", f"{key}:inspectors", petition=petition)
