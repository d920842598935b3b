"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the ten fields as services, petitions as requests.

POST builds one InboundMessage and calls `intake.submit`, like every channel. GET is public: it never
shows who wrote (names, phones, e-mails are left out and masked in the text) nor what a denunciation
says or where. Answers are XML (the standard's required format) or JSON; errors are the standard's
`[{"code", "description"}]` list, in Vietnamese then English, and nothing is stored on error.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import Blueprint, g, request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from service.db import utcnow
from service.domain.codes import STEPS, categories
from service.domain.inbound import CITIZEN, Actor, InboundMessage, Location, PersonData
from service.domain.intake import operations as intake
from service.domain.intake import tracking
from service.domain.intake.validation import FieldError, check_email, clean_text, normalise_phone
from service.domain.open311 import clients
from service.domain.people import accounts
from service.domain.routing.units import CITY_CODE, find_unit
from service.models.petition import Petition
from service.models.unit import Unit
from service.models.user import User
from service.web.api.auth import user_from_bearer
from service.web.api.body import json_body
from service.web.open311_answers import (CLOSED, FORMATS, MAX_DESCRIPTION, VN_TIME, Open311Error, agency, bilingual,
                                         error_answer, render, request_json, service_json)
from service.web.open311_extras import extras, media_file, strip_html
from service.web.security import intake_limits, limiter, public_limit
from service.web.session import db_session

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
bp.register_error_handler(Exception, error_answer)  # nothing is stored on error; the answer in the standard's form

MAX_RESULTS = 1000  # "first 1000 requests returned"
DEFAULT_SPAN = dt.timedelta(days=90)  # "most recent 90 days"; also the widest range allowed
YEARS = (1970, 2100)  # dates a search may name
CITY_ALIASES = frozenset({"haiphong.gov.vn"})  # the standard suggests the jurisdiction's web domain

# ---------------------------------------------------------------- services

@bp.get("/services.<fmt>")
def list_services(fmt: str):
    fmt = _format(fmt)
    _jurisdiction(db_session(), request.args.get("jurisdiction_id"))
    return render(fmt, "services", [service_json(code, meta) for code, meta in categories().items()])


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    fmt = _format(fmt)
    _jurisdiction(db_session(), request.args.get("jurisdiction_id"))
    _service(code)
    return render(fmt, "service_definition", {"service_code": code, "attributes": []})


# ---------------------------------------------------------------- POST requests

def _trusted_client() -> bool:
    """Callers with a valid key (a client application's or a staff token) are not rate-limited."""
    try:
        return _api_user(_posted_values()) is not None or g.get("open311_client") is not None
    except Exception:  # noqa: BLE001 - the view reports bad input precisely; here it only means "not trusted"
        return False


@bp.post("/requests.<fmt>")
@limiter.limit(public_limit, exempt_when=_trusted_client)
def create_request(fmt: str):
    fmt = _format(fmt)
    values = _posted_values()
    session = db_session()
    user = _api_user(values, required=True)  # the spec: every POST carries the jurisdiction's api_key
    message = message_from_open311(session, values)
    submitted = intake.submit(session, message, _actor(user), quota=intake_limits().phone)
    answer = [{"service_request_id": submitted.petition.code, "service_notice": _notice(submitted),
               "account_id": message.channel_data.get("account_id")}]
    return render(fmt, "service_requests", answer)  # committed once answered: a failure before stores nothing


def message_from_open311(session: Session, values: Mapping[str, Any]) -> InboundMessage:
    """The Open311 POST fields as our InboundMessage; raises Open311Error (404 unknown jurisdiction or
    service, 400 listing every invalid field: service_code and a location are required by the spec)."""
    unit = _jurisdiction(session, values.get("jurisdiction_id")) or find_unit(session, CITY_CODE)
    service_code = _plain(values, "service_code")
    if service_code is None:
        raise Open311Error(400, [bilingual("Cần chọn dịch vụ (service_code).", "service_code is required.",
                                           "service_code")])
    _service(service_code)
    problems: list[str] = []

    def text(name: str, label: str, **kwargs) -> str | None:
        try:  # clean_text words its English with the label; say the Open311 field name instead
            return clean_text(values.get(name), label=label, **kwargs)
        except FieldError as err:
            problems.append(bilingual(err.message, err.message_en.replace(label, name), name))
            return None

    def check(name: str, fn) -> str | None:
        value = values.get(name)
        try:
            if value is not None and not isinstance(value, str):
                raise FieldError("Phải là chuỗi ký tự.", "must be a string.")
            return fn(value)
        except FieldError as err:
            problems.append(bilingual(err.message, err.message_en, name))
            return None

    values = {**values, "description": strip_html(values.get("description"))}  # HTML is kept as its text only
    content = text("description", "nội dung", required=True, max_chars=MAX_DESCRIPTION, multiline=True)
    address = text("address_string", "địa chỉ")
    names = [text("last_name", "họ", max_chars=100), text("first_name", "tên", max_chars=100)]
    phone, email = check("phone", normalise_phone), check("email", check_email)
    media = check("media_url", _media_url)
    lat, lon = _coordinate(values, "lat", 90, problems), _coordinate(values, "long", 180, problems)
    if (lat is None) != (lon is None) and not any(p.startswith(("lat:", "long:")) for p in problems):
        problems.append(bilingual("Cần gửi cả lat và long.", "lat and long must be sent together.", "lat/long"))
    address_id = _plain(values, "address_id")
    if lat is None and lon is None and not address and not address_id and not problems:
        problems.append(bilingual("Cần cho biết vị trí: lat và long, address_string hoặc address_id.",
                                  "A location is required: lat and long, address_string or address_id.",
                                  "lat/long/address_string/address_id"))
    if problems:
        raise Open311Error(400, problems)
    data = extras(values, _lists(), media)
    if address_id:
        data["address_id"] = address_id
    name = " ".join(n for n in names if n) or None  # Vietnamese order: family name (last_name) first
    petitioner = PersonData(name=name, phone=phone, email=email) if (name or phone or email) else None
    return InboundMessage(
        channel="api", content=f"{content}\n\nẢnh, tư liệu kèm theo: {media}" if media else content,
        unit=unit.code, category=service_code, petitioner=petitioner, anonymous=petitioner is None,
        location=Location(lat=lat, lon=lon, address=address or address_id) if (lat is not None or address or
                                                                                 address_id) else None,
        attachments=media_file(), channel_data=data)


def _posted_values() -> dict[str, Any]:
    """Form fields (the standard), a JSON object, or query parameters (as swagger.json lists them)."""
    values: dict[str, Any] = request.args.to_dict()
    if request.mimetype == "application/json":
        values.update(json_body())
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.update(request.form.to_dict())
    elif request.get_data(cache=True):
        raise Open311Error(415, [bilingual("Cần gửi dữ liệu dạng application/x-www-form-urlencoded hoặc JSON.",
                                           "Send application/x-www-form-urlencoded or JSON.")])
    return values


def _api_user(values: Mapping[str, Any], *, required: bool = False) -> User | None:
    """Who posts: a client application's api_key (`flask open311-keys create`: posts as a citizen would) or
    a staff API token (as api_key or bearer: posts as that staff user). 403 for a key we don't know, and
    for none at all when `required`."""
    if "open311_user" not in g:
        session = db_session()
        key = _plain(values, "api_key")
        client = clients.check(session, key) if key else None
        user = None if client is not None else (accounts.user_for_token(session, key) if key else user_from_bearer())
        g.open311_user, g.open311_client = user, client
    if (required or _plain(values, "api_key")) and g.open311_user is None and g.open311_client is None:
        raise Open311Error(403, [bilingual("Cần api_key hợp lệ do Văn phòng cấp (api_key sai hoặc đã bị thu hồi).",
                                           "A valid api_key issued by the office is required (missing, invalid "
                                           "or revoked api_key).", "api_key")])
    return g.open311_user


def _lists() -> dict[str, list[str]]:
    """Every value of each form field (attribute[CODE][] may repeat)."""
    return request.form.to_dict(flat=False) if request.mimetype in ("application/x-www-form-urlencoded",
                                                                    "multipart/form-data") else {}


def _actor(user: User | None) -> Actor:
    return Actor(label=user.full_name or user.username, user_id=user.id, role=user.role) if user else CITIZEN


def _coordinate(values: Mapping[str, Any], name: str, bound: int, problems: list[str]) -> float | None:
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw.strip() if isinstance(raw, str) else raw)
        if not math.isfinite(value) or not -bound <= value <= bound:
            raise ValueError
        return value
    except (TypeError, ValueError):
        problems.append(bilingual(f"Tọa độ phải là số từ -{bound} đến {bound} (WGS84).",
                                  f"must be a number between -{bound} and {bound} (WGS84).", name))
        return None


def _media_url(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 2000 or re.search(r"\s", value):
        raise FieldError("Đường dẫn ảnh, tư liệu phải là địa chỉ http(s) hợp lệ.", "must be a valid http(s) URL.")
    return value


def _notice(submitted: intake.Submitted) -> str:
    petition, first = submitted.petition, submitted.first_deadline
    receiver = agency(petition) or petition.unit.name
    notice = f"Đã tiếp nhận đơn, mã tra cứu {petition.code}. Đơn được chuyển tới {receiver}."
    if first is not None:
        due = first.due_at.astimezone(VN_TIME)
        notice += f" Hạn {STEPS.get(first.step, first.step).lower()}: {due:%H:%M} ngày {due:%d/%m/%Y}."
    if submitted.access_key:  # no phone on record: the key, given once, is what proves the petition is theirs
        notice += f" Mã truy cập để tra cứu (chỉ cấp một lần, hãy giữ kín): {submitted.access_key}."
    return notice


# ---------------------------------------------------------------- GET requests

@bp.get("/requests.<fmt>")
def list_requests(fmt: str):
    fmt = _format(fmt)
    session = db_session()
    stmt = _public_query().where(*_filters(session, request.args))
    petitions = session.scalars(stmt.order_by(Petition.received_at.desc(), Petition.id.desc())
                                .limit(MAX_RESULTS)).all()
    return render(fmt, "service_requests", [request_json(p) for p in petitions])


@bp.get("/requests/<request_id>.<fmt>")
def get_request(request_id: str, fmt: str):
    fmt = _format(fmt)
    session = db_session()
    unit = _jurisdiction(session, request.args.get("jurisdiction_id"))
    code = tracking.normalise_code(request_id)
    petition = session.scalar(_public_query().where(Petition.code == code)) if code else None
    if petition is None or (unit is not None and unit.id not in (petition.unit_id, petition.unit.parent_id)):
        raise Open311Error(404, [bilingual(f"Không tìm thấy yêu cầu {request_id}.",
                                           f"No service request {request_id}.", "service_request_id")])
    return render(fmt, "service_requests", [request_json(petition)])  # the standard answers a list of one


def _public_query():
    """Never a denunciation, listed or by id (the spec's 404, as for an unknown id): its code beside the
    date, place and office could point to who denounced (Luật Tố cáo Đ47, Đ56)."""
    return select(Petition).where(Petition.kind != "to_cao").options(selectinload(Petition.unit), selectinload(Petition.lead_office),
                                    selectinload(Petition.deadlines), selectinload(Petition.people))


def _filters(session: Session, args: Mapping[str, str]) -> list:
    """The standard's filters; service_request_id overrides all others."""
    ids = _csv(args.get("service_request_id"))
    if ids:
        return [Petition.code.in_([c for c in map(tracking.normalise_code, ids[:MAX_RESULTS]) if c])]
    clauses: list = []
    unit = _jurisdiction(session, args.get("jurisdiction_id"))
    if unit is not None:  # a jurisdiction includes the units under it (the city holds every commune)
        children = select(Unit.id).where(Unit.parent_id == unit.id)
        clauses.append(or_(Petition.unit_id == unit.id, Petition.unit_id.in_(children)))
    codes = _csv(args.get("service_code"))
    for code in codes:
        if code not in categories():
            raise Open311Error(400, [bilingual(f"Không có dịch vụ '{code}'.", f"Unknown service_code '{code}'.",
                                               "service_code")])
    if codes:
        clauses.append(Petition.category.in_(codes))
    statuses = set(_csv(args.get("status")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, [bilingual("Trạng thái chỉ có thể là open hoặc closed.",
                                           "status must be open and/or closed.", "status")])
    if statuses == {"open"}:
        clauses.append(Petition.status.not_in(sorted(CLOSED)))
    elif statuses == {"closed"}:
        clauses.append(Petition.status.in_(sorted(CLOSED)))
    start, end = _date_range(args)
    clauses += [Petition.received_at >= start, Petition.received_at <= end]
    return clauses


def _date_range(args: Mapping[str, str]) -> tuple[dt.datetime, dt.datetime]:
    start, end = _when(args.get("start_date"), "start_date"), _when(args.get("end_date"), "end_date", end=True)
    if start is None and end is None:
        end = utcnow()
    try:
        start = start or end - DEFAULT_SPAN
        end = end or start + DEFAULT_SPAN
    except OverflowError:
        raise Open311Error(400, [bilingual("Thời gian tra cứu nằm ngoài khoảng cho phép.",
                                           "The date is out of range.", "start_date/end_date")])
    if end < start:
        raise Open311Error(400, [bilingual("end_date phải sau start_date.", "end_date is before start_date.",
                                           "end_date")])
    if end - start > DEFAULT_SPAN:
        raise Open311Error(400, [bilingual("Khoảng thời gian tra cứu không được quá 90 ngày.",
                                           "start_date to end_date may not span more than 90 days.", "end_date")])
    return start, end


def _when(value: str | None, name: str, *, end: bool = False) -> dt.datetime | None:
    """A w3c date-time ('2026-01-15T08:00:00Z', '+07:00'), or a date; without a zone, Vietnam time."""
    value = (value or "").strip()
    if not value:
        return None
    value = re.sub(r"(T[\d:.]+) (\d\d:?\d\d)$", r"\1+\2", value)  # a '+' the query string turned into a space
    whole_day = re.fullmatch(r"\d{4}-\d\d-\d\d", value) is not None
    try:
        moment = dt.datetime.fromisoformat(value) if not whole_day else \
            dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
    except ValueError:
        raise Open311Error(400, [bilingual("Thời gian phải theo dạng 2026-01-15T08:00:00+07:00.",
                                           "must be a w3c date-time such as 2026-01-15T08:00:00Z.", name)])
    if not YEARS[0] <= moment.year <= YEARS[1]:  # 0001-01-01 or 9999-12-31 overflow once moved to UTC
        raise Open311Error(400, [bilingual(f"Thời gian tra cứu nằm ngoài khoảng cho phép ({YEARS[0]}–{YEARS[1]}).",
                                           f"The date is out of range ({YEARS[0]}-{YEARS[1]}).", name)])
    moment = moment if moment.tzinfo else moment.replace(tzinfo=VN_TIME)
    return moment + dt.timedelta(days=1, microseconds=-1) if whole_day and end else moment


# ---------------------------------------------------------------- shared helpers

def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, [bilingual(f"Không hỗ trợ định dạng '{fmt}' (chỉ xml, json).",
                                           f"Unsupported format '{fmt}' (xml or json only).")])
    return fmt


def _plain(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise Open311Error(400, [bilingual("Phải là chuỗi ký tự.", "must be a string.", name)])
    return (value or "").strip() or None


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _jurisdiction(session: Session, value: Any) -> Unit | None:
    """The unit named by jurisdiction_id (code, or name with or without diacritics); None when absent."""
    name = _plain({"jurisdiction_id": value}, "jurisdiction_id")
    if name is None:
        return None
    unit = find_unit(session, CITY_CODE if name.lower() in CITY_ALIASES else name)
    if unit is None:
        raise Open311Error(404, [bilingual(f"Không tìm thấy xã, phường, đặc khu '{name}'.",
                                           f"jurisdiction_id '{name}' was not found.", "jurisdiction_id")])
    return unit


def _service(code: str) -> None:
    if code not in categories():
        raise Open311Error(404, [bilingual(f"Không có dịch vụ (lĩnh vực) '{code}'.",
                                           f"service_code '{code}' was not found.", "service_code")])
