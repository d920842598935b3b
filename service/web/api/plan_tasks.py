"""GET /api/v1/plan-tasks?unit=…: the plan's tasks of a unit with due date and status (staff: their own unit;
inspectors and admins: any); an unknown unit is a 404 (the plan asked for does not exist)."""
from __future__ import annotations

from flask import jsonify, request

from service.domain.accountability.stats import unit_for
from service.domain.errors import Forbidden, NotFound
from service.domain.people import access
from service.domain.plans import tracking
from service.models.unit import Unit
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.session import db_session


@bp.get("/plan-tasks")
def list_plan_tasks():
    user = require_staff()
    wanted = request.args.get("unit")
    unit = unit_for(db_session(), wanted, missing=NotFound) if wanted else (db_session().get(Unit, user.unit_id) if user.unit_id else None)
    if unit is None or not (access.sees_every_unit(user) or user.unit_id == unit.id):
        raise Forbidden("Bạn chỉ xem được kế hoạch của đơn vị mình.", "You may only see your own unit's plan.")
    return jsonify({"unit": {"code": unit.code, "name": unit.name}, "statuses": tracking.STATUSES,
                    "tasks": tracking.tasks(db_session(), unit)})
