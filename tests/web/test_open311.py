"""Open311 GeoReport v2: every JSON answer checked against the published JSON Schemas (copied into tests/data/open311),
every XML answer parsed; POST stores exactly one petition or nothing; GET never shows who wrote."""
from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select

from service.db import utcnow
from service.domain.codes import categories
from service.domain.inbound import Location, PersonData
from service.domain.people import accounts
from service.models.event import Event
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Unit
from service.web import open311
from tests.factories import builder

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "open311"  # copied from the Open311 project
BASE = "/open311/v2"
NAM_DO_SON = "Phường Nam Đồ Sơn"
VN = dt.timezone(dt.timedelta(hours=7))

# The standard's error answer (wiki GeoReport_v2, "Errors"); the shared folder has no schema for it.
ERRORS_SCHEMA = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["code", "description"],
              "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}},
}


# ---------------------------------------------------------------- schema plumbing

@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    if not SCHEMA_DIR.is_dir():
        pytest.fail(f"The Open311 JSON Schemas are missing: expected the folder {SCHEMA_DIR} "
                    "(tests/data/open311, with services.json, request.json, swagger.json …).")
    loaded = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.json")}
    for name in ("services.json", "service.json", "service-definition.json", "requests.json", "request.json",
                 "swagger.json"):
        assert name in loaded, f"{SCHEMA_DIR / name} is missing"
    # swagger 2.0 cannot say "or null"; the folder's schemas make optional fields nullable, and so do we.
    response = loaded["swagger.json"]["definitions"]["RequestResponse"]
    loaded["post-response.json"] = {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["service_request_id"],
        "properties": {k: {"anyOf": [{k2: v2 for k2, v2 in v.items() if k2 != "format"}, {"type": "null"}]}
                       for k, v in response["properties"].items()}}}
    loaded["errors.json"] = ERRORS_SCHEMA
    return loaded


@pytest.fixture(scope="module")
def valid(schemas):
    """valid(schema_name, instance): validates, with formats (date-time) checked."""
    registry = Registry().with_resources((name, DRAFT202012.create_resource(s)) for name, s in schemas.items())
    checker = Draft202012Validator.FORMAT_CHECKER
    assert "date-time" in checker.checkers, "install rfc3339-validator so that date-time is checked"

    def check(name: str, instance):
        errors = list(Draft202012Validator(schemas[name], registry=registry, format_checker=checker)
                      .iter_errors(instance))
        assert not errors, f"{name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        return instance

    return check


def xml_of(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def error_of(response, valid, status: int) -> list[dict]:
    assert response.status_code == status, response.data
    body = valid("errors.json", response.get_json())
    assert all(e["code"] == status for e in body)
    assert all(" / " in e["description"] for e in body), "Vietnamese, then English"
    return body


def count(session, model=Petition) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


submit = builder(kind="phan_anh", category="moi_truong", unit=NAM_DO_SON, petitioner=None, commit=True)


KEY = "o311_khoa-thu-cua-ung-dung"  # the api_key of a client application (flask open311-keys create)


@pytest.fixture(autouse=True)
def client_key(session):
    """A client application holding KEY, as `flask open311-keys create` issues it (its sha256 stored)."""
    from service.domain.open311.clients import digest
    from service.models.open311 import Open311Client

    session.add(Open311Client(name="Ứng dụng thử", key_hash=digest(KEY)))
    session.commit()


FORM = {"api_key": KEY, "service_code": "ha_tang_giao_thong", "description": "Đèn đường ngõ 12 phố Vạn Lý bị hỏng 2 tuần nay.",
        "lat": "20.7123", "long": "106.7891", "address_string": "Ngõ 12 phố Vạn Lý",
        "first_name": "Văn An", "last_name": "Nguyễn", "phone": "+84 912 345 678", "email": "an.nguyen@example.com"}


# ---------------------------------------------------------------- services

def test_services_lists_the_ten_fields(client, valid):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and response.content_type == "application/json; charset=utf-8"
    services = valid("services.json", response.get_json())
    assert [s["service_code"] for s in services] == list(categories())
    dat_dai = services[0]
    assert dat_dai["service_name"] == "Đất đai, bồi thường, tái định cư"
    assert dat_dai["metadata"] is False and dat_dai["type"] == "realtime"
    assert dat_dai["group"] == "Phòng Kinh tế" and dat_dai["description"].startswith("Bồi thường")
    synonyms = categories()["dat_dai"].get("keywords") or [dat_dai["service_name"]]
    assert dat_dai["keywords"].split(", ")[0] == synonyms[0]
    for service in services:
        valid("service.json", service)


def test_services_xml_follows_the_standard(client):
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    items = root.findall("service")
    assert len(items) == 10
    assert {i.findtext("service_code") for i in items} == set(categories())
    for item in items:
        assert item.findtext("metadata") == "false" and item.findtext("type") == "realtime"
        assert item.findtext("service_name") == categories()[item.findtext("service_code")]["label"]


def test_service_definition_is_valid_in_both_formats(client, valid):
    body = valid("service-definition.json", client.get(f"{BASE}/services/moi_truong.json").get_json())
    assert body == {"service_code": "moi_truong", "attributes": []}
    root = xml_of(client.get(f"{BASE}/services/moi_truong.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "moi_truong"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


def test_unknown_service_or_format_or_jurisdiction_is_404(client, valid):
    error_of(client.get(f"{BASE}/services/khong_co.json"), valid, 404)
    root = xml_of(client.get(f"{BASE}/services/khong_co.xml"))
    assert root.tag == "errors" and root.find("error").findtext("code") == "404"
    assert "service_code" in root.find("error").findtext("description")
    error_of(client.get(f"{BASE}/services.csv"), valid, 404)
    error_of(client.get(f"{BASE}/services.json?jurisdiction_id=Atlantis"), valid, 404)


# ---------------------------------------------------------------- POST requests

@pytest.mark.parametrize("jurisdiction", ["Nam Đồ Sơn", "nam do son", "Phuong Nam Do Son", NAM_DO_SON, "code"])
def test_post_stores_one_petition_in_the_named_unit(client, session, valid, jurisdiction):
    if jurisdiction == "code":
        jurisdiction = session.scalar(select(Unit.code).where(Unit.name == NAM_DO_SON))
    before = count(session)
    response = client.post(f"{BASE}/requests.json", data={**FORM, "jurisdiction_id": jurisdiction})
    assert response.status_code == 200, response.data
    [answer] = valid("post-response.json", response.get_json())
    assert answer["account_id"] is None and answer["service_request_id"] in answer["service_notice"]
    assert count(session) == before + 1
    petition = session.scalar(select(Petition).where(Petition.code == answer["service_request_id"]))
    assert petition.unit.name == NAM_DO_SON and petition.channel == "api"
    assert petition.category == "ha_tang_giao_thong" and petition.content == FORM["description"]
    assert (petition.latitude, petition.longitude, petition.place) == (20.7123, 106.7891, "Ngõ 12 phố Vạn Lý")
    [person] = petition.people
    assert (person.name, person.phone, person.email) == ("Nguyễn Văn An", "0912345678", "an.nguyen@example.com")


def test_post_without_jurisdiction_goes_to_the_city(client, session, valid, reports):
    response = client.post(f"{BASE}/requests.json", data={"api_key": KEY, "service_code": "ha_tang_giao_thong",
                                                          "address_string": "Cầu Rào",
                                                          "description": "Cần sửa cầu Rào, mặt cầu bị lún."})
    [answer] = valid("post-response.json", response.get_json())
    petition = session.scalar(select(Petition).where(Petition.code == answer["service_request_id"]))
    assert petition.unit.code == "31" and petition.anonymous and petition.people == []


def test_post_accepts_json_and_answers_xml(client, session):
    response = client.post(f"{BASE}/requests.xml", json={**FORM, "lat": 20.7, "long": 106.8,
                                                          "jurisdiction_id": "Kim Thành"})
    root = xml_of(response)
    assert response.status_code == 200 and root.tag == "service_requests"
    request = root.find("request")
    code = request.findtext("service_request_id")
    assert code and "Đã tiếp nhận" in request.findtext("service_notice")
    assert request.find("account_id") is not None and request.findtext("account_id") == ""
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.unit.name == "Xã Kim Thành" and (petition.latitude, petition.longitude) == (20.7, 106.8)


def test_post_keeps_media_url_in_the_content(client, session):
    response = client.post(f"{BASE}/requests.json", data={**FORM, "media_url": "https://anh.example.vn/den.jpg"})
    petition = session.scalar(select(Petition).where(Petition.code == response.get_json()[0]["service_request_id"]))
    assert petition.content.endswith("https://anh.example.vn/den.jpg")


@pytest.mark.parametrize("change, status, field", [
    ({"jurisdiction_id": "Xã Không Có"}, 404, "jurisdiction_id"),
    ({"service_code": "duong_pho"}, 404, "service_code"),
    ({"description": "   "}, 400, "description"),
    ({"description": None}, 400, "description"),
    ({"description": "x" * 4001}, 400, "description"),
    ({"long": None}, 400, "lat/long"),
    ({"lat": "bắc"}, 400, "lat"),
    ({"long": "200"}, 400, "long"),
    ({"phone": "12345"}, 400, "phone"),
    ({"email": "khong-phai-email"}, 400, "email"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"api_key": "tds_khong_ton_tai"}, 403, "api_key"),
])
def test_post_errors_store_nothing(client, session, valid, change, status, field):
    data = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    before = (count(session), count(session, Person), count(session, Event))
    errors = error_of(client.post(f"{BASE}/requests.json", data=data), valid, status)
    assert any(e["description"].startswith(field) for e in errors), errors
    assert (count(session), count(session, Person), count(session, Event)) == before


def test_post_errors_come_in_xml_too(client, session):
    response = client.post(f"{BASE}/requests.xml", data={**FORM, "description": ""})
    assert response.status_code == 400
    root = xml_of(response)
    assert root.tag == "errors" and root.find("error").findtext("code") == "400"
    assert root.find("error").findtext("description").startswith("description: Cần nhập nội dung")
    assert count(session) == 0


@pytest.mark.parametrize("kwargs, status", [
    ({"data": b"description=x", "content_type": "text/plain"}, 415),
    ({"data": b"{not json", "content_type": "application/json"}, 400),
    ({"data": b"[1, 2]", "content_type": "application/json"}, 400),
])
def test_malformed_bodies_are_refused(client, session, valid, kwargs, status):
    error_of(client.post(f"{BASE}/requests.json", **kwargs), valid, status)
    assert count(session) == 0


def test_intake_rules_come_back_as_400_with_the_open311_field(client, session, valid, monkeypatch):
    """A complaint needs the complainant's name and contact (Luật Khiếu nại Đ8): intake's rule, Open311's words."""
    mapped = open311.message_from_open311
    monkeypatch.setattr(open311, "message_from_open311", lambda s, v: replace(mapped(s, v), kind="khieu_nai"))
    response = client.post(f"{BASE}/requests.json", data={"api_key": KEY, "service_code": "dat_dai",
                                                          "address_string": "Thôn 3",
                                                          "description": "Tôi khiếu nại quyết định thu hồi đất."})
    [error] = error_of(response, valid, 400)
    assert error["description"].startswith("first_name/last_name/phone/email: Đơn khiếu nại cần ghi rõ họ tên")
    assert error["description"].endswith("/ A complaint needs the complainant's name and an address or phone.")
    assert count(session) == 0


def test_a_failure_after_intake_stores_nothing(client, session, valid, monkeypatch):
    def broken(submitted):
        raise RuntimeError("boom")

    monkeypatch.setattr(open311, "_notice", broken)
    error_of(client.post(f"{BASE}/requests.json", data=FORM), valid, 500)
    assert count(session) == 0 and count(session, Event) == 0


def test_valid_api_key_submits_as_that_staff_user(client, session, valid):
    accounts.create_user(session, username="open311app", password="mat-khau-dai-123", role="admin",
                         full_name="Ứng dụng Open311")
    token = accounts.create_token(session, "open311app")
    session.commit()
    response = client.post(f"{BASE}/requests.json", data={**FORM, "api_key": token})
    [answer] = valid("post-response.json", response.get_json())
    petition = session.scalar(select(Petition).where(Petition.code == answer["service_request_id"]))
    received = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "received"))
    assert received.actor_label == "Ứng dụng Open311"


def test_post_without_a_valid_key_is_rate_limited_and_a_client_application_is_not(make_app, session, valid):
    """Guessing keys is limited per address; a client application posts for many citizens from one server."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="2 per minute").test_client()
    for _ in range(2):
        error_of(client.post(f"{BASE}/requests.json", data={**FORM, "api_key": "o311_doan-bua"}), valid, 403)
    error_of(client.post(f"{BASE}/requests.json", data={**FORM, "api_key": "o311_doan-bua"}), valid, 429)
    for _ in range(3):
        assert client.post(f"{BASE}/requests.json", data=FORM).status_code == 200
    assert count(session) == 3
    assert client.get(f"{BASE}/requests.json").status_code == 200  # reading is not limited


# ---------------------------------------------------------------- GET requests

@pytest.fixture
def reports(monkeypatch):
    """POSTed petitions are reports (phản ánh): what GET shows must not hang on the classifier's reading."""
    mapped = open311.message_from_open311
    monkeypatch.setattr(open311, "message_from_open311", lambda s, v: replace(mapped(s, v), kind="phan_anh"))


def _posted(client, **change) -> str:
    response = client.post(f"{BASE}/requests.json", data={**FORM, "jurisdiction_id": NAM_DO_SON, **change})
    assert response.status_code == 200, response.data
    return response.get_json()[0]["service_request_id"]


def test_get_request_shows_no_personal_data(client, session, valid, reports):
    description = ("Đèn đường hỏng trước nhà tôi, Nguyễn Văn An, gọi 0912.345.678 hoặc viết an.nguyen@example.com; "
                   "người làm chứng số 0987 654 321, CCCD 031234567890.")
    code = _posted(client, description=description)
    response = client.get(f"{BASE}/requests/{code}.json")
    assert response.status_code == 200
    body = valid("requests.json", response.get_json())
    [request] = body
    valid("request.json", request)
    xml = client.get(f"{BASE}/requests/{code.lower().replace('-', '')}.xml").data.decode("utf-8")
    for text in (response.data.decode("utf-8"), xml):
        for secret in ("Nguyễn Văn An", "Văn An", "912", "0987", "an.nguyen", "example.com", "031234567890"):
            assert secret not in text
    assert request["description"].startswith("Đèn đường hỏng trước nhà tôi, [đã ẩn], gọi [đã ẩn]")
    assert request["status"] == "open" and request["status_notes"] in ("Đã tiếp nhận", "Đã phân loại")
    assert request["service_code"] == "ha_tang_giao_thong" and request["service_name"] == "Hạ tầng, giao thông"
    assert request["address"] == f"Ngõ 12 phố Vạn Lý, {NAM_DO_SON}, Thành phố Hải Phòng"
    assert (request["lat"], request["long"]) == (20.7123, 106.7891)
    assert request["agency_responsible"].endswith(NAM_DO_SON)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    first_due = min(d.due_at for d in petition.deadlines)
    assert request["expected_datetime"] == first_due.astimezone(VN).isoformat(timespec="seconds")
    assert request["requested_datetime"].endswith("+07:00")


def test_denunciation_is_never_listed_nor_shown(client, session, valid):
    # Issue #14: a denunciation used to be listed with its text withheld; its code alone was an oracle.
    petition = submit(session, "Tố cáo ông Trần Văn Bình, cán bộ địa chính, nhận 20 triệu đồng để làm sổ đỏ.",
                      kind="to_cao", category="can_bo_cong_vu",
                      petitioner=PersonData(name="Lê Thị Cúc", phone="0987654321", address="Số 3 Lý Thánh Tông"),
                      location=Location(lat=20.71, lon=106.79, address="Nhà văn hóa tổ dân phố 5"))
    single = client.get(f"{BASE}/requests/{petition.code}.json")
    listed = client.get(f"{BASE}/requests.json")
    assert single.status_code == 404
    assert [r for r in valid("requests.json", listed.get_json()) if r["service_request_id"] == petition.code] == []
    assert client.get(f"{BASE}/requests/{petition.code}.xml").status_code == 404
    for response in (single, listed, client.get(f"{BASE}/requests.xml")):
        text = response.data.decode("utf-8")
        for secret in ("Trần Văn Bình", "20 triệu", "Lê Thị Cúc", "0987654321", "Lý Thánh Tông", "Nhà văn hóa", "20.71"):
            assert secret not in text


def test_xml_escapes_what_people_write(client, session, reports):
    tricky = 'Xe tải <10 tấn> & "xe ben" đỗ \'trái phép\' ]]> trên đường'
    code = _posted(client, description=tricky, phone="", email="", first_name="", last_name="")
    root = xml_of(client.get(f"{BASE}/requests.xml?service_request_id={code}"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("description") == tricky
    assert [child.tag for child in request] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url"]


def test_unknown_request_is_404(client, valid):
    error_of(client.get(f"{BASE}/requests/ABCD-EFGH-J.json"), valid, 404)
    assert xml_of(client.get(f"{BASE}/requests/ABCD-EFGH-J.xml")).tag == "errors"


def test_answered_petition_is_closed(client, session, valid):
    petition = submit(session, "Rác thải đổ trộm ven sông Đa Độ.")
    petition.status = "answered"
    session.commit()
    [request] = valid("requests.json", client.get(f"{BASE}/requests/{petition.code}.json").get_json())
    assert request["status"] == "closed" and request["status_notes"] == "Đã trả lời"
    assert request["expected_datetime"] is None


@pytest.fixture
def several(session):
    """Five petitions: fields, units, statuses and ages that the filters tell apart."""
    now = utcnow()
    rows = {
        "road": submit(session, "Ổ gà trên đường 353.", category="ha_tang_giao_thong"),
        "waste": submit(session, "Bãi rác tự phát ở chợ.", category="moi_truong"),
        "closed": submit(session, "Hồ sơ đất chậm trả.", category="thu_tuc_hanh_chinh"),
        "kim_thanh": submit(session, "Trường học xuống cấp.", category="chinh_sach_xa_hoi", unit="Kim Thành"),
        "old": submit(session, "Ô nhiễm khói lò gạch.", category="moi_truong"),
    }
    rows["closed"].status = "closed"
    rows["closed"].closed_at = now
    rows["old"].received_at = now - dt.timedelta(days=100)
    rows["waste"].received_at = now - dt.timedelta(days=20)
    session.commit()
    return {name: p.code for name, p in rows.items()}


def _codes(client, valid, query: str = "") -> set[str]:
    response = client.get(f"{BASE}/requests.json{query}")
    assert response.status_code == 200, response.data
    return {r["service_request_id"] for r in valid("requests.json", response.get_json())}


def test_requests_default_to_the_last_90_days(client, valid, several):
    assert _codes(client, valid) == {several[k] for k in ("road", "waste", "closed", "kim_thanh")}


def test_requests_filters(client, valid, several):
    s = several
    assert _codes(client, valid, "?service_code=moi_truong") == {s["waste"]}
    assert _codes(client, valid, "?service_code=moi_truong,ha_tang_giao_thong") == {s["waste"], s["road"]}
    assert _codes(client, valid, "?status=closed") == {s["closed"]}
    assert _codes(client, valid, "?status=open") == {s["road"], s["waste"], s["kim_thanh"]}
    assert _codes(client, valid, "?status=open,closed") == _codes(client, valid)
    assert _codes(client, valid, "?jurisdiction_id=xa kim thanh") == {s["kim_thanh"]}
    assert _codes(client, valid, "?jurisdiction_id=31") == _codes(client, valid)  # the city holds its communes


def _ago(days: int, zone=dt.timezone.utc) -> str:
    moment = (utcnow() - dt.timedelta(days=days)).astimezone(zone)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if zone is dt.timezone.utc else moment.isoformat(timespec="seconds")


def test_requests_date_ranges(client, valid, several):
    s, recent = several, {several[k] for k in ("road", "waste", "closed", "kim_thanh")}
    assert _codes(client, valid, f"?start_date={_ago(101)}") == {s["old"], s["waste"]}  # start + 90 days
    assert _codes(client, valid, f"?end_date={_ago(50)}") == {s["old"]}  # end - 90 days
    until = _ago(15, VN)
    assert _codes(client, valid, f"?end_date={until.replace('+', '%2B')}") == {s["old"], s["waste"]}
    assert _codes(client, valid, f"?start_date={_ago(101)}&end_date={until.replace('+', '%2B')}") == {s["old"],
                                                                                                     s["waste"]}
    assert _codes(client, valid, f"?start_date={_ago(101)}&end_date={until}") == {s["old"], s["waste"]}  # '+' as ' '
    day = (utcnow() - dt.timedelta(days=25)).astimezone(VN).date().isoformat()
    assert _codes(client, valid, f"?start_date={day}") == recent
    assert _codes(client, valid, f"?start_date={_ago(30)}&end_date={_ago(-1)}") == recent


def test_service_request_id_overrides_every_other_filter(client, valid, several):
    query = f"?service_request_id={several['old']},{several['road'].lower()},NOPE-NOPE-X&status=closed"
    assert _codes(client, valid, query) == {several["old"], several["road"]}


def test_requests_are_capped(client, valid, several, monkeypatch):
    monkeypatch.setattr(open311, "MAX_RESULTS", 2)
    assert len(_codes(client, valid)) == 2


@pytest.mark.parametrize("query, status", [
    ("?status=pending", 400),
    ("?service_code=duong_pho", 400),
    ("?start_date=hôm-qua", 400),
    ("?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),  # more than 90 days
    ("?start_date=2026-03-01&end_date=2026-02-01", 400),
    ("?start_date=9999-12-31", 400),
    ("?end_date=0001-01-01T00:00:00Z", 400),
    ("?jurisdiction_id=Atlantis", 404),
])
def test_bad_filters_are_refused(client, valid, query, status):
    error_of(client.get(f"{BASE}/requests.json{query}"), valid, status)


def test_empty_list_is_valid_in_both_formats(client, valid):
    assert valid("requests.json", client.get(f"{BASE}/requests.json").get_json()) == []
    root = xml_of(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and len(root) == 0


def test_unknown_path_and_wrong_method_answer_in_open311_format(client):
    missing = client.get("/open311/v2/nothing.json")
    assert missing.status_code == 404
    assert missing.get_json()[0]["code"] == 404 and "Không tìm thấy" in missing.get_json()[0]["description"]
    wrong = client.put("/open311/v2/requests.json")
    assert wrong.status_code == 405 and wrong.get_json()[0]["code"] == 405


def test_complaint_text_is_not_published(client, session):
    from service.domain.inbound import CITIZEN, InboundMessage, PersonData
    from service.domain.intake import operations as intake

    complaint = intake.submit(session, InboundMessage(consent=True,
        channel="web", unit="11914", kind="khieu_nai",
        content="Tôi khiếu nại quyết định xử phạt số 12/QĐ-XPHC vì không đúng quy định.",
        petitioner=PersonData(name="Nguyễn An", phone="0912345678", address="Cát Bà")), CITIZEN).petition
    report = intake.submit(session, InboundMessage(
        channel="web", unit="11914", kind="phan_anh", content="Đèn đường Hà Sen hỏng."), CITIZEN).petition
    session.commit()
    hidden = client.get(f"/open311/v2/requests/{complaint.code}.json").get_json()[0]
    assert "12/QĐ-XPHC" not in hidden["description"] and "khiếu nại" in hidden["description"]
    shown = client.get(f"/open311/v2/requests/{report.code}.json").get_json()[0]
    assert "Hà Sen" in shown["description"]
