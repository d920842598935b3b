"""Reference data: units, each unit's effective task catalogue, the fields."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from service.domain.codes import categories
from service.domain.errors import NotFound
from service.domain.routing import catalogue
from service.models.unit import Unit
from service.web.api import bp
from service.web.session import db_session


@bp.get("/units")
def list_units():
    session = db_session()
    units = session.scalars(select(Unit).order_by(Unit.kind != "city", Unit.name)).all()
    by_id = {u.id: u for u in units}
    return jsonify([
        {"code": u.code, "name": u.name, "kind": u.kind, "remote": u.remote,
         "parent": by_id[u.parent_id].code if u.parent_id in by_id else None}
        for u in units
    ])


@bp.get("/units/<code>/tasks")
def unit_tasks(code: str):
    session = db_session()
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không có đơn vị hành chính mã {code}.", f"No unit with code {code}.")
    tasks = catalogue.effective_catalogue(session, unit)
    return jsonify({
        "unit": {"code": unit.code, "name": unit.name},
        "tasks": [
            {"code": t.code, "title": t.title, "lead_offices": t.lead_offices,
             "collaborating_offices": t.collaborating_offices, "timeframe": t.timeframe,
             "plan": t.plan_code, "source": t.source}
            for t in tasks
        ],
    })


@bp.get("/categories")
def list_categories():
    return jsonify([
        {"code": code, "label": data["label"], "lead_office": data["lead_office"], "task": data.get("task")}
        for code, data in categories().items()
    ])
