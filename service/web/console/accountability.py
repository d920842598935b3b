"""Console views of issue #21: Công khai (Văn phòng approves the answers citizens allowed to publish) and
Chấm điểm (the scorecards of the offices and their heads, with the XLSX of the yearly review). Thin: the rules
live in service.domain.accountability and service.domain.people.access."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from service.domain.accountability import publication, scorecards, scoresheet
from service.domain.errors import ValidationFailed
from service.domain.people import access
from service.models.petition import Petition
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import current_user, log, login_required
from service.web.console.petition import load_petition
from service.web.csrf import check_csrf
from service.web.downloads import attachment
from service.web.session import after_commit, db_session

QUERY_KEYS = ("unit", "period", "from", "to")


@bp.app_template_global("may_publish")
def may_publish(petition: Petition) -> bool:
    """The petition page's publication buttons: the access policy decides."""
    return access.can_approve_publication(current_user(), petition)


@bp.get("/cong-khai")
@login_required("admin", "staff", "office_head", "chairperson")
def publications():
    user = current_user()
    unit_id = None if user.role == "admin" else user.unit_id
    waiting = publication.waiting(db_session(), unit_id)
    stmt = select(Petition).where(Petition.published_at.is_not(None)).order_by(Petition.published_at.desc()).limit(50)
    if unit_id is not None:
        stmt = stmt.where(Petition.unit_id == unit_id)
    shown = [(p, publication.item(db_session(), p)) for p in waiting]
    published = [(p, publication.item(db_session(), p)) for p in db_session().scalars(stmt)]
    return render_template("console/publications.html", waiting=shown, published=published,
                           may=lambda p: access.can_approve_publication(user, p))


@bp.post("/cong-khai/<code>")
@login_required("admin", "staff", "office_head")
def publication_decide(code: str):
    check_csrf()
    petition = load_petition(code)
    user = current_user()
    if request.form.get("publish") == "1":
        publication.approve(db_session(), user, petition)
        after_commit(flash, f"Đã công khai câu trả lời đơn {petition.code}.", "success")
    else:
        publication.withdraw(db_session(), user, petition)
        after_commit(flash, f"Đã gỡ câu trả lời đơn {petition.code} khỏi trang Công khai.", "success")
    return redirect(url_for("console.publications"))


def _args() -> dict[str, str]:
    return {k: request.args[k].strip() for k in QUERY_KEYS if request.args.get(k, "").strip()}


@bp.get("/cham-diem")
@login_required("admin", "inspector", "chairperson")
def scorecards_page():
    user, args = current_user(), _args()
    error, cards = None, None
    try:
        cards = scorecards.scorecards_for(db_session(), user, unit=args.get("unit"), period=args.get("period"),
                                          first=args.get("from"), last=args.get("to"))
    except ValidationFailed as err:
        error = err
    units = []
    if access.sees_every_unit(user):
        units = db_session().execute(select(Unit.code, Unit.name).order_by(Unit.kind != "city", Unit.name)).all()
    return render_template("console/scorecards.html", cards=cards, error=error, args=args, units=units,
                           xlsx_url=url_for("console.scorecards_xlsx", **args)), (422 if error else 200)


@bp.get("/cham-diem/tai-excel")
@login_required("admin", "inspector", "chairperson")
def scorecards_xlsx():
    args = _args()
    cards = scorecards.scorecards_for(db_session(), current_user(), unit=args.get("unit"), period=args.get("period"),
                                      first=args.get("from"), last=args.get("to"))
    log("export", object_type="scorecards", object_id=cards["unit"]["code"], period=cards["period"]["code"],
        format="xlsx")
    return attachment(scoresheet.workbook(cards), scoresheet.XLSX_TYPE, scoresheet.filename(cards))
