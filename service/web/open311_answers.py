"""What Open311 answers look like (GeoReport v2): XML or JSON, services and public service requests
without personal data, and errors in the standard's `[{"code", "description"}]` list, Vietnamese then
English. The views are in service/web/open311.py."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable, Mapping

from flask import Response, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from service.domain.codes import STATUSES, category_label
from service.domain.errors import DomainError, ValidationFailed
from service.domain.people import confidential, redaction
from service.domain.routing.units import COMMUNE_OFFICES
from service.domain.text import fold
from service.models.petition import Petition
from service.web.errors import HTTP_MESSAGES
from service.web.session import roll_back

logger = logging.getLogger(__name__)

FORMATS = ("json", "xml")
VN_TIME = dt.timezone(dt.timedelta(hours=7))  # Vietnam keeps UTC+7 all year
MAX_DESCRIPTION = 4000  # the standard's limit on description
CLOSED = frozenset({"answered", "closed", "returned", "guided", "transferred", "withdrawn"})
HIDDEN_DENUNCIATION = "Nội dung tố cáo được giữ bí mật"
MASK = "[đã ẩn]"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Where the intake's field names come from, in Open311 words.
FIELD_NAMES = {"content": "description", "unit": "jurisdiction_id", "category": "service_code",
               "petitioner": "first_name/last_name/phone/email", "petitioner.name": "first_name/last_name",
               "petitioner.phone": "phone", "petitioner.email": "email", "location.address": "address_string",
               "location.lat": "lat", "location.lon": "long"}

# What each field covers, for people choosing a service (domain.md, "typical content").
SERVICE_DESCRIPTIONS = {
    "dat_dai": "Bồi thường, hỗ trợ, tái định cư, giải phóng mặt bằng, tranh chấp đất đai, cấp giấy chứng nhận "
               "quyền sử dụng đất.",
    "xay_dung_nha_o": "Xây dựng trái phép, giấy phép xây dựng, nhà ở xã hội, chung cư cũ.",
    "moi_truong": "Ô nhiễm, rác thải, mùi, khói bụi, sản xuất nông nghiệp, nông thôn mới.",
    "ha_tang_giao_thong": "Đường sá, thoát nước, chiếu sáng, cấp nước, điện, quy hoạch.",
    "doanh_nghiep": "Vướng mắc của doanh nghiệp, khu công nghiệp, khu kinh tế.",
    "thu_tuc_hanh_chinh": "Hồ sơ chậm hoặc thất lạc, thu phí ngoài quy định, dịch vụ công trực tuyến, hộ tịch, "
                          "chứng thực, một cửa.",
    "can_bo_cong_vu": "Nhũng nhiễu, hách dịch, tiêu cực, tham nhũng, sai phạm của cán bộ, công chức.",
    "chinh_sach_xa_hoi": "Chế độ người có công, hộ nghèo, trợ cấp xã hội, trường học, y tế.",
    "an_ninh_trat_tu": "Tiếng ồn, karaoke, gây rối, lấn chiếm vỉa hè, bán hàng rong, trật tự công cộng.",
    "khac": "Các nội dung khác.",
}
MAX_KEYWORDS = 10  # the first of the classifier's keywords (config/categories.yaml) are the plainest synonyms


class Open311Error(Exception):
    """An answer in the standard's error format: HTTP status and one description per problem."""

    def __init__(self, status: int, descriptions: Iterable[str]):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)


def bilingual(vi: str, en: str, field: str | None = None) -> str:
    return f"{field}: {vi} / {en}" if field else f"{vi} / {en}"


def service_json(code: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """One field as an Open311 service; the group is the commune office that leads it."""
    keywords = [str(k) for k in (meta.get("keywords") or [])[:MAX_KEYWORDS]] or [meta["label"]]
    return {"service_code": code, "service_name": meta["label"],
            "description": SERVICE_DESCRIPTIONS.get(code, meta["label"]), "metadata": False, "type": "realtime",
            "keywords": ", ".join(keywords),
            "group": COMMUNE_OFFICES.get(meta.get("lead_office") or "", meta.get("lead_office"))}


# Only reports and recommendations are published as text: a denunciation names the accused and its
# place can point to the denouncer (Luật Tố cáo Đ47, Đ56); a complaint concerns the writer's own rights
# and is full of personal details (NĐ 154/2026 Đ12 k2 asks receivers to keep every petitioner's data secret).
PUBLIC_TEXT_KINDS = {"phan_anh", "kien_nghi"}
HIDDEN_COMPLAINT = "Nội dung khiếu nại được giữ kín để bảo vệ thông tin cá nhân của người khiếu nại."


def request_json(p: Petition) -> dict[str, Any]:
    """A petition as a public service request: no personal data; denunciation and complaint texts withheld."""
    secret = p.kind == "to_cao"  # even a self-disclosed denouncer's letter names the accused
    closed = p.status in CLOSED
    due = [d.due_at for d in p.deadlines if d.met_at is None and d.cancelled_at is None]
    return {
        "service_request_id": p.code, "status": "closed" if closed else "open",
        "status_notes": STATUSES.get(p.status, p.status), "service_name": category_label(p.category),
        "service_code": p.category, "description": (HIDDEN_DENUNCIATION if secret else _public_text(p) if p.kind in PUBLIC_TEXT_KINDS
                        else HIDDEN_COMPLAINT),
        "agency_responsible": agency(p), "service_notice": None,
        "requested_datetime": w3c(p.received_at),
        "updated_datetime": w3c(p.closed_at if closed and p.closed_at else p.updated_at),
        "expected_datetime": w3c(min(due)) if due and not closed else None,
        "address": _address(p, secret), "address_id": None, "zipcode": None,
        "lat": None if secret else p.latitude, "long": None if secret else p.longitude,
        "media_url": (p.channel_data or {}).get("media_url") if p.kind in PUBLIC_TEXT_KINDS else None,
    }


def _public_text(p: Petition) -> str:
    """The redacted content derived at intake (service.domain.people.redaction): no name, with or without diacritics
    or an honorific, no phone however written, no e-mail, ID number or house address; one mask for them all."""
    text = confidential.redacted_content(p)
    for placeholder in redaction.PLACEHOLDERS:
        text = text.replace(placeholder, MASK)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"


def agency(p: Petition) -> str | None:
    office = p.lead_office
    if office is None:
        return None
    unit = office.unit
    return office.name if fold(unit.short_name) in fold(office.name) else f"{office.name}, {unit.name}"


def _address(p: Petition, secret: bool) -> str:
    parts = [] if secret or not p.place else [p.place]
    for unit in (p.unit, p.unit.parent):
        if unit is not None and not any(fold(unit.short_name) in fold(part) for part in parts):
            parts.append(unit.name)
    return ", ".join(parts)


def w3c(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(VN_TIME).isoformat(timespec="seconds") if moment else None


def render(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    if fmt == "json":
        return Response(json.dumps(data, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_element(root, data), encoding="unicode")
    return Response(body.encode("utf-8"), status=status, content_type="text/xml; charset=utf-8")


_ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format"}


def _element(tag: str, value: Any) -> ET.Element:
    """The standard's XML shape: lists hold singular items, null is an empty element."""
    element = ET.Element(tag)
    if isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        element.extend(_element(_ITEM_TAGS[tag], item) for item in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _XML_INVALID.sub("", str(value))
    return element


def error_answer(exc: Exception) -> Response:
    """Any failure under /open311/ in the standard's format, rolling back what the request flushed.

    Also usable by the app's handlers for routing errors (unknown path, wrong method), which never reach
    a blueprint's handlers."""
    roll_back()  # nothing of a failed request is stored
    status, descriptions = _describe(exc)
    fmt = (request.view_args or {}).get("fmt") or request.path.rpartition(".")[2]
    return render(fmt if fmt in FORMATS else "json", "errors",
                  [{"code": status, "description": d} for d in descriptions], status)


def _describe(exc: Exception) -> tuple[int, list[str]]:
    if isinstance(exc, Open311Error):
        return exc.status, exc.descriptions
    if isinstance(exc, ValidationFailed):  # the standard answers 400 for invalid input
        english = _english_by_field(exc.message_en)
        return 400, [bilingual("; ".join(vi), english.get(field, "invalid value."), FIELD_NAMES.get(field, field))
                     for field, vi in exc.fields.items()] or [bilingual(exc.message, exc.message_en)]
    if isinstance(exc, DomainError):
        return exc.http_status, [bilingual(exc.message, exc.message_en)]
    if isinstance(exc, HTTPException):
        status = exc.code or 500
    elif isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        status = 503
    else:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        status = 500
    _, vi, en = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400 if status < 500 else 500])
    return status, [bilingual(vi, en)]


def _english_by_field(message_en: str) -> dict[str, str]:
    """intake words its English as 'Invalid fields: name: message; …'; without that shape, nothing."""
    prefix = "Invalid fields: "
    if not message_en.startswith(prefix):
        return {}
    return dict(part.split(": ", 1) for part in message_en[len(prefix):].split("; ") if ": " in part)


def open311_error(status: int, message: str | None, message_en: str | None) -> Response:
    """Errors the app raises outside this blueprint's views (unknown path, wrong method), in Open311 form."""
    from service.web.errors import error_body

    error = error_body(status, message=message, message_en=message_en)["error"]
    fmt = request.path.rpartition(".")[2]
    return render(fmt if fmt in FORMATS else "json", "errors",
                  [{"code": status, "description": bilingual(error["message"], error["message_en"])}], status)
