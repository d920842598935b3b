"""Console view: Báo cáo — choose a unit and a legal period (or a range), read the tables and charts, and
download the XLSX in one click. The figures come from service.domain.reports.queries, the same as API v1."""
from __future__ import annotations

import datetime as dt

from flask import render_template, request, url_for
from sqlalchemy import select

from service.domain.deadlines.calendar import VN_TZ
from service.domain.documents import spreadsheets
from service.domain.errors import ValidationFailed
from service.domain.people import access
from service.domain.reports import periods as report_periods
from service.domain.reports import queries as domain_reports
from service.domain.reports.tables import tables
from service.models.unit import Unit
from service.web.console import bp
from service.web.console.auth import current_user, log, login_required
from service.web.console.report_charts import charts
from service.web.downloads import attachment
from service.web.session import db_session

QUERY_KEYS = ("unit", "period", "from", "to")
# Seed plans: reports before 01/6 (6 months), 01/9 (9 months) and 01/12 (year).
SUBMIT_BEFORE = {"6m": "trước 01/6", "9m": "trước 01/9", "year": "trước 01/12"}


def _args() -> dict[str, str]:
    return {k: request.args[k].strip() for k in QUERY_KEYS if request.args.get(k, "").strip()}


def _report(user, args: dict[str, str]) -> dict:
    return domain_reports.report_for(db_session(), user, unit=args.get("unit"), period=args.get("period"),
                                     first=args.get("from"), last=args.get("to"))


def _presets(args: dict[str, str]) -> list[dict]:
    """The legal periods of this reporting year and the last, newest first, with one-click links."""
    year = report_periods.reporting_year(dt.datetime.now(VN_TZ).date())
    unit = {"unit": args["unit"]} if args.get("unit") else {}
    rows = []
    for y in (year, year - 1):
        for p in report_periods.presets(y):
            kind = p.code.split("-", 1)[1]
            rows.append({"period": p, "submit": SUBMIT_BEFORE.get(kind, ""),
                         "view": url_for("console.reports", period=p.code, **unit),
                         "xlsx": url_for("console.report_xlsx", period=p.code, **unit)})
    return rows


def _shown(report: dict | None) -> dict:
    """The report's dates for people: first and last day counted, and the last day the figures cover."""
    if report is None:
        return {}
    as_of = dt.datetime.fromisoformat(report["as_of"]).astimezone(VN_TZ) - dt.timedelta(microseconds=1)
    return {"first": dt.date.fromisoformat(report["period"]["from"]), "last": dt.date.fromisoformat(
        report["period"]["to"]), "as_of": as_of.date()}


@bp.get("/bao-cao")
@login_required()
def reports():
    user = current_user()
    args = _args()
    error, report = None, None
    try:
        report = _report(user, args)
    except ValidationFailed as err:
        error = err
    units = []
    if access.sees_every_unit(user):
        units = db_session().execute(select(Unit.code, Unit.name).order_by(Unit.kind != "city", Unit.name)).all()
    return render_template("console/reports.html", args=args, error=error, report=report, shown=_shown(report),
                           tables=tables(report) if report else [], charts=charts(report) if report else [],
                           presets=_presets(args), units=units, city_wide=access.sees_every_unit(user),
                           xlsx_url=url_for("console.report_xlsx", **args)), (422 if error else 200)


@bp.get("/bao-cao/tai-excel")
@login_required()
def report_xlsx():
    user = current_user()
    report = _report(user, _args())
    log("export", object_type="report", object_id=report["unit"]["code"], period=report["period"]["code"],
        date_from=report["period"]["from"], date_to=report["period"]["to"], format="xlsx")
    return attachment(spreadsheets.workbook(report), spreadsheets.XLSX_TYPE, spreadsheets.filename(report))
