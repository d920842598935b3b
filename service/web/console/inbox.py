"""Console view: the inbox (Hộp đơn) — the petitions a user may see, filtered, nearest deadline first."""
from __future__ import annotations

import math

from flask import render_template, request, session as cookie, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from service.domain.casework import bulk, paging, params, search
from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, STEPS, categories
from service.domain.people import access
from service.domain.routing.units import CITY_OFFICES, COMMUNE_OFFICES
from service.models.unit import Office, Unit
from service.models.user import User
from service.web.console import bp
from service.web.console.auth import current_user, login_required
from service.web.session import db_session

FILTER_KEYS = ("kind", "category", "status", "flag", "channel", "office", "unit", "from", "to", "overdue",
               "due_soon", "review", "mine", "q", "per_page")
ADVANCED = ("category", "flag", "channel", "unit", "from", "to", "overdue", "due_soon", "review")  # folded away
PER_PAGE_CHOICES = (20, 50, 100)
BULK_ROLES = ("admin", "staff", "office_head")


def petition_url(code: str) -> str:
    """The petition page, or its contract path while that view is not registered yet."""
    try:
        return url_for("console.petition", code=code)
    except BuildError:
        return f"/can-bo/don/{code}"


def _current_args() -> dict[str, str]:
    return {k: request.args[k].strip() for k in FILTER_KEYS if request.args.get(k, "").strip()}


def _link(args: dict[str, str], **changes: str | int | None) -> str:
    """This inbox with `args`, changed; None removes a key. Paging restarts unless a page is given."""
    merged = {**args, "page": None, **changes}
    return url_for("console.inbox", **{k: v for k, v in merged.items() if v not in (None, "")})


def _choices(user) -> dict:
    units = []
    if access.sees_every_unit(user):
        units = db_session().execute(select(Unit.code, Unit.name).order_by(Unit.kind != "city", Unit.name)).all()
    offices = dict(COMMUNE_OFFICES)
    if access.sees_every_unit(user) or (user.unit is not None and user.unit.kind == "city"):
        offices.update(CITY_OFFICES)
    return {"kinds": KINDS, "statuses": STATUSES, "flags": FLAGS, "channels": CHANNELS, "offices": offices,
            "categories": {code: c.get("label", code) for code, c in categories().items()}, "units": units,
            "per_page": PER_PAGE_CHOICES}


def _bulk_choices(user) -> dict:
    """Who a bulk action may assign to and route to: the staff and offices of the user's unit (each petition
    is checked again by the policy: bulk.run skips what the user may not do)."""
    if user.role not in BULK_ROLES or user.unit_id is None:
        return {"users": [], "offices": []}
    s = db_session()
    users = s.execute(select(User.id, User.full_name, User.username, Office.name).join(Office, User.office_id == Office.id)
                      .where(User.unit_id == user.unit_id, User.active.is_(True),
                             User.role.in_(access.HANDLING_ROLES))
                      .order_by(Office.name, User.full_name, User.username)).all()
    if not access.triages_unit(user):  # a head assigns within their office
        users = [u for u in users if u[3] == (user.office.name if user.office else None)]
    offices = s.execute(select(Office.code, Office.name).where(Office.unit_id == user.unit_id)
                        .order_by(Office.name)).all()
    return {"users": users, "offices": offices}


def _per_page() -> int:
    value = request.args.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PER_PAGE_CHOICES else search.PER_PAGE


@bp.get("/don")
@login_required()
def inbox():
    user = current_user()
    args = _current_args()
    session = db_session()
    error, result = None, None
    try:
        filters, page = params.parse_filters(session, request.args)
        after = paging.decode(request.args.get("after"))  # "Trang sau" starts where this page ended (issue #19)
        result = search.inbox_page(session, user, filters, page=page, per_page=_per_page(), after=after)
    except search.BadFilter as err:
        error = err
    extra = {"assignees": {}, "read": set(), "pages": None}
    if result is not None:
        ids = {row.petition.assignee_id for row in result.rows} - {None}
        extra["assignees"] = {uid: full or name for uid, full, name in session.execute(
            select(User.id, User.full_name, User.username).where(User.id.in_(ids)))} if ids else {}
        extra["read"] = bulk.read_ids(session, user, [row.petition.id for row in result.rows])
        if result.total is not None:
            extra["pages"] = max(1, math.ceil(result.total / result.per_page))
    return render_template("console/inbox.html", result=result, error=error, args=args, link=_link, **extra,
                           advanced_open=any(k in args for k in ADVANCED), bulk=_bulk_choices(user)
                           if user.role in BULK_ROLES else None,
                           undo=bulk.undoable(session, user, cookie.get("bulk_undo")),
                           petition_url=petition_url, step_label=lambda code: STEPS.get(code, code or ""),
                           choices=_choices(user),
                           cross_unit=access.sees_every_unit(user)), (400 if error else 200)
