"""Console view: the inbox (Hộp đơn) — the petitions a user may see, filtered, nearest deadline first."""
from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from service.domain.casework import search
from service.domain.codes import CHANNELS, FLAGS, KINDS, STATUSES, STEPS, categories
from service.domain.people import access
from service.domain.routing.units import CITY_OFFICES, COMMUNE_OFFICES
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import current_user, login_required
from service.web.session import db_session

FILTER_KEYS = ("kind", "category", "status", "flag", "channel", "office", "unit", "from", "to", "overdue",
               "due_soon", "review", "mine", "q")


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
            "categories": {code: c.get("label", code) for code, c in categories().items()}, "units": units}


@bp.get("/don")
@login_required()
def inbox():
    user = current_user()
    args = _current_args()
    session = db_session()
    error, result = None, None
    try:
        filters, page = search.parse_filters(session, request.args)
        result = search.inbox_page(session, user, filters, page=page)
    except search.BadFilter as err:
        error = err
    return render_template("console/inbox.html", result=result, error=error, args=args, link=_link,
                           petition_url=petition_url, step_label=lambda code: STEPS.get(code, code or ""),
                           choices=_choices(user),
                           cross_unit=access.sees_every_unit(user)), (400 if error else 200)
