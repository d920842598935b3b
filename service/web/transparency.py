"""Public accountability pages without an account (issue #21): /cong-khai (figures per office, each chart with
its table), /cong-khai/tra-loi (published answers) and /cong-khai/<unit>/feed.atom (the unit's Atom feed for
the commune portal). Thin: the figures and the redaction live in service.domain.accountability."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from service.db import utcnow
from service.domain.accountability import publication
from service.domain.errors import NotFound, ValidationFailed
from service.domain.reports import periods
from service.models.unit import Unit
from service.web import charts, formatting, public_cache
from service.web.security import limiter, public_limit
from service.web.session import db_session

bp = Blueprint("transparency", __name__)
formatting.register(bp)
UNIT_GROUPS = (("phuong", "Phường"), ("xa", "Xã"), ("dac_khu", "Đặc khu"))


def _groups() -> list[tuple[str, list[Unit]]]:
    units = db_session().scalars(select(Unit).order_by(Unit.name)).all()
    return [(label, [u for u in units if u.kind == kind]) for kind, label in UNIT_GROUPS]


def _period_choices() -> list[periods.Period]:
    year = periods.reporting_year(utcnow().astimezone(periods.VN_TZ).date())
    return [p for y in (year, year - 1) for p in periods.presets(y)]


@bp.get("/cong-khai")
@limiter.limit(public_limit)
def figures_page():
    args = request.args
    error = None
    try:
        figures = public_cache.public_stats({"unit": args.get("unit"), "period": args.get("period")})
    except ValidationFailed as err:
        error, figures = err.message, public_cache.public_stats({})
    rows = [r for r in figures["offices"] if r["received"] or r["answered"] or r["open_now"]]
    return render_template("public/figures.html", figures=figures, rows=rows, groups=_groups(), error=error,
                           choices=_period_choices(), on_time_chart=charts.bars(rows, "on_time_rate", percent=True),
                           satisfaction_chart=charts.bars(rows, "satisfaction_avg", scale=5)), (422 if error else 200)


@bp.get("/cong-khai/tra-loi")
@limiter.limit(public_limit)
def answers_page():
    unit = None
    code = (request.args.get("unit") or "").strip()
    if code:
        unit = db_session().scalar(select(Unit).where(Unit.code == code))
    items = publication.published(db_session(), unit, limit=50)
    return render_template("public/published_answers.html", items=items, unit=unit, groups=_groups())


@bp.get("/cong-khai/<unit_code>/feed.atom")
@limiter.limit(public_limit)
def feed(unit_code: str):
    unit = db_session().scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound(f"Không có đơn vị hành chính mã {unit_code}.", f"No unit with code {unit_code}.")
    items = publication.published(db_session(), unit, limit=50)
    body = render_template("public/feed.atom.xml", unit=unit, items=items, updated=(
        items[0]["published_at"] if items else utcnow().isoformat()),
        self_url=url_for("transparency.feed", unit_code=unit.code, _external=True),
        page_url=url_for("transparency.answers_page", unit=unit.code, _external=True))
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "public, max-age=600"})


@bp.app_template_filter("pct")
def pct(value: float | None) -> str:
    """0.875 → "87,5%" (Vietnamese decimal comma); None → "—"."""
    if value is None:
        return "—"
    return f"{100 * value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


@bp.app_template_filter("vn_day")
def vn_day(iso: str | None) -> str:
    """"2026-12-14" → "14/12/2026"."""
    if not iso:
        return "—"
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"
