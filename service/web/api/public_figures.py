"""Open figures without an account (issue #21): GET /api/v1/public/stats?unit=…&period=…|from=…&to=…
and GET /api/v1/public/answers?unit=…; both read the accountability domain and show no one's identity."""
from __future__ import annotations

from flask import jsonify, request

from service.domain.accountability import publication, stats
from service.web.api import bp
from service.web.security import limiter, public_limit
from service.web.session import db_session


def _public(body, max_age: int = 300):
    response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/public/stats")
@limiter.limit(public_limit)
def public_stats():
    args = request.args
    return _public(stats.public_stats(db_session(), unit=args.get("unit"), period=args.get("period"),
                                      first=args.get("from"), last=args.get("to")))


@bp.get("/public/answers")
@limiter.limit(public_limit)
def public_answers():
    args = request.args
    unit = stats.unit_for(db_session(), args.get("unit"))
    try:
        limit = max(1, min(int(args.get("limit", 50)), 200))
    except ValueError:
        limit = 50
    items = publication.published(db_session(), unit, limit=limit)
    return _public({"unit": unit.code if unit else stats.CITY, "items": items})
