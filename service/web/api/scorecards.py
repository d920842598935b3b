"""POST /api/v1/petitions/<code>/publication (Văn phòng publishes an answer) and GET /api/v1/scorecards?unit=…&period=…|from=…&to=…&format=json|xlsx: the offices' and heads' scorecards
(the unit's chairperson, inspectors, administrators: `access.can_see_scorecards`)."""
from __future__ import annotations

from flask import Response, jsonify, request
from sqlalchemy import select

from service.domain.accountability import publication, scorecards, scoresheet
from service.domain.errors import NotFound, ValidationFailed
from service.domain.intake.tracking import normalise_code
from service.domain.people import access, audit
from service.models.petition import Petition
from service.web.api import bp
from service.web.api.auth import require_staff
from service.web.api.reports import refuse_unknown
from service.web.downloads import attachment
from service.web.session import db_session


def xlsx_response(cards: dict) -> Response:
    return attachment(scoresheet.workbook(cards), scoresheet.XLSX_TYPE, scoresheet.filename(cards))


@bp.get("/scorecards")
def get_scorecards():
    user = require_staff()
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "xlsx"):
        raise ValidationFailed("Định dạng phải là json hoặc xlsx.", "format must be json or xlsx.",
                               fields={"format": ["Chọn json hoặc xlsx."]})
    args = request.args
    refuse_unknown(args)
    cards = scorecards.scorecards_for(db_session(), user, unit=args.get("unit"), period=args.get("period"),
                                      first=args.get("from"), last=args.get("to"), missing_unit=NotFound)
    audit.record(db_session(), "export" if fmt == "xlsx" else "view", user=user, object_type="scorecards",
                 object_id=cards["unit"]["code"], ip=request.remote_addr, period=cards["period"]["code"], format=fmt)
    if fmt == "xlsx":
        return xlsx_response(cards)
    response = jsonify(cards)
    response.headers["Cache-Control"] = "no-store"
    return response



@bp.post("/petitions/<code>/publication")
def decide_publication(code: str):
    """Văn phòng publishes ({"publish": true}) or withdraws ({"publish": false}) an answer the citizen
    allowed to publish (`access.can_approve_publication`)."""
    user = require_staff()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("publish"), bool):
        raise ValidationFailed("Cần trường “publish” là true hoặc false.", "'publish' must be true or false.",
                               fields={"publish": ["Phải là true hoặc false."]})
    petition = db_session().scalar(select(Petition).where(Petition.code == (normalise_code(code) or code)))
    if petition is None or not access.can_view(user, petition):
        raise access.not_found(code)
    if body["publish"]:
        publication.approve(db_session(), user, petition)
    else:
        publication.withdraw(db_session(), user, petition)
    return jsonify({"code": petition.code, "published": petition.published_at is not None,
                    "published_at": petition.published_at.isoformat() if petition.published_at else None})
