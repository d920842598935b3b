"""API v1 dialogues: create and read, the 7-day notice rule, public registrations, roles, DOCX and PDF."""
from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from docx import Document
from sqlalchemy import func, select

from service.db import utcnow
from service.domain.documents.administrative import docx_text
from service.domain.people.access import HIDDEN_DENOUNCER
from service.models import AuditEntry, Deadline, DialogueRegistration, Petition
from service.models.unit import Unit
from tests import factories
from tests.domain.test_dialogue import DENOUNCER, DENOUNCER_PHONE, OPEN, UNIT, known_data
from tests.helpers import vn_today

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def token(session, username, role="staff", unit=UNIT, office="van_phong") -> dict[str, str]:
    return factories.bearer(session, username, role, unit, office)


def day(days_ahead: int) -> str:
    return (vn_today() + dt.timedelta(days=days_ahead)).isoformat()


def create(client, headers, days_ahead=14, **extra):
    body = {"unit": UNIT, "date": day(days_ahead), "time": "14:00", "place": "Hội trường UBND phường",
            "topics": ["Môi trường", "Đất đai"], "chair": "Phạm Văn Chủ", **extra}
    return client.post("/api/v1/dialogues", json=body, headers=headers)


def test_create_answers_201_and_the_session_reads_back(client, session):
    headers = token(session, "vp")
    r = create(client, headers, participants=["phong_kinh_te"])
    assert r.status_code == 201, r.json
    body = r.json
    assert {"id", "unit", "starts_at", "place", "topics", "status", "links"} <= set(body)
    assert body["unit"] == UNIT and body["status"] == "planned" and body["time"] == "14:00"
    assert body["starts_at"].endswith("+00:00") and body["starts_at"][11:16] == "07:00"  # 14:00 in Hải Phòng
    assert r.headers["Location"] == f"/api/v1/dialogues/{body['id']}"
    assert "Phòng Kinh tế" in body["participants"]
    detail = client.get(f"/api/v1/dialogues/{body['id']}", headers=token(session, "ct", role="chairperson")).json
    assert detail["id"] == body["id"] and detail["registrations"] == [] and detail["commitments"] == []


def test_errors_are_precise_in_vietnamese_and_english(client, session):
    headers = token(session, "vp")
    assert client.post("/api/v1/dialogues", json={"unit": UNIT}).status_code == 401
    r = client.post("/api/v1/dialogues", json={"unit": UNIT, "place": "X", "topics": "not a list", "colour": 1},
                    headers=headers)
    assert r.status_code == 422 and {"date", "topics", "colour"} <= set(r.json["error"]["fields"])
    r = create(client, headers, days_ahead=-2)  # the clock's rule, which the document cannot state: 409 (issue #18)
    assert r.status_code == 409 and "date" in r.json["error"]["fields"]
    assert "Ngày đối thoại" in r.json["error"]["fields"]["date"][0] and r.json["error"]["message_en"]
    r = create(client, headers, unit="Không Có Xã Này")  # a well-formed reference to no unit: 404
    assert r.status_code == 404 and "unit" in r.json["error"]["fields"]
    r = client.post("/api/v1/dialogues", data="{oops", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = client.post("/api/v1/dialogues", data="unit=1", headers=headers)
    assert r.status_code == 415
    assert client.get("/api/v1/dialogues/999999", headers=headers).status_code == 404


def test_staff_of_other_offices_and_units_get_403(client, session):
    sid = create(client, token(session, "vp")).json["id"]
    for headers in (token(session, "kt", office="phong_kinh_te"),
                    token(session, "ct-khac", role="chairperson", unit="11341"),
                    token(session, "vp-khac", unit="11341")):
        r = client.get(f"/api/v1/dialogues/{sid}", headers=headers)
        assert r.status_code == 403
        assert "Chủ tịch UBND" in r.json["error"]["message"] and "chairperson" in r.json["error"]["message_en"]
        assert client.get(f"/api/v1/dialogues/{sid}/briefing.docx", headers=headers).status_code == 403
    r = create(client, token(session, "kt2", office="phong_kinh_te"))
    assert r.status_code == 403
    assert client.get(f"/api/v1/dialogues/{sid}", headers=token(session, "head", role="office_head")).status_code == 200
    assert client.get(f"/api/v1/dialogues/{sid}", headers=token(session, "root", role="admin")).status_code == 200


def test_announce_needs_seven_days_then_citizens_register_once(client, session):
    headers = token(session, "vp")
    soon = create(client, headers, days_ahead=5).json["id"]
    r = client.post(f"/api/v1/dialogues/{soon}/announce", headers=headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "notice_too_late"
    assert "ít nhất 7 ngày" in r.json["error"]["message"] and "7 days" in r.json["error"]["message_en"]
    sid = create(client, headers, days_ahead=10).json["id"]
    registration = {"name": "Trần Thị Hoa", "phone": "0912000003", "question": "Khi nào di dời bãi rác?"}
    assert client.post(f"/api/v1/dialogues/{sid}/registrations", json=registration).status_code == 404  # not public yet
    r = client.post(f"/api/v1/dialogues/{sid}/announce", headers=headers)
    assert r.status_code == 200 and r.json["status"] == "announced" and r.json["notice_published_at"]
    r = client.post(f"/api/v1/dialogues/{sid}/registrations", json=registration)
    assert r.status_code == 201 and r.json["created"] is True
    r = client.post(f"/api/v1/dialogues/{sid}/registrations", json=registration)  # a retried request
    assert r.status_code == 200 and r.json["created"] is False
    assert session.scalar(select(func.count()).select_from(DialogueRegistration)) == 1
    r = client.post(f"/api/v1/dialogues/{sid}/registrations", json={**registration, "phone": "12"})
    assert r.status_code == 422 and "phone" in r.json["error"]["fields"]
    names = [x["name"] for x in client.get(f"/api/v1/dialogues/{sid}", headers=headers).json["registrations"]]
    assert names == ["Trần Thị Hoa"]


def test_briefing_docx_counts_match_the_database(client, session):
    p = known_data(session)
    headers = token(session, "vp")
    sid = create(client, headers, days_ahead=10).json["id"]
    client.post(f"/api/v1/dialogues/{sid}/announce", headers=headers)
    r = client.post(f"/api/v1/dialogues/{sid}/registrations", json={
        "name": DENOUNCER, "phone": DENOUNCER_PHONE, "question": "Cán bộ đó bị xử lý chưa?",
        "petition_code": p["denounce"].code})
    assert r.status_code == 201, r.json
    r = client.get(f"/api/v1/dialogues/{sid}/briefing.docx", headers=headers)
    assert r.status_code == 200 and r.mimetype == DOCX
    text = docx_text(r.data)
    unit_id = session.scalar(select(Unit.id).where(Unit.code == UNIT))
    session.expire_all()
    open_count = session.scalar(select(func.count()).select_from(Petition).where(
        Petition.unit_id == unit_id, Petition.status.in_(OPEN)))
    overdue = session.scalar(select(func.count(func.distinct(Petition.id))).join(Deadline).where(
        Petition.unit_id == unit_id, Petition.status.in_(OPEN), Deadline.met_at.is_(None),
        Deadline.cancelled_at.is_(None), Deadline.due_at < utcnow()))
    assert f"Tổng số đơn đang giải quyết: {open_count} đơn." in text
    assert f"Tổng số đơn quá hạn: {overdue} đơn." in text
    speakers = next(t for t in Document(io.BytesIO(r.data)).tables if t.rows[0].cells[1].text == "Người đăng ký")
    assert [row.cells[1].text for row in speakers.rows[1:]] == [HIDDEN_DENOUNCER]
    assert DENOUNCER not in text
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "export", AuditEntry.object_type == "dialogue")) == 1
    detail = client.get(f"/api/v1/dialogues/{sid}", headers=headers).json
    assert detail["registrations"][0]["name"] == HIDDEN_DENOUNCER and detail["briefing_compiled_at"]


def test_commitments_and_conclusion_docx(client, session):
    p = known_data(session)
    headers = token(session, "vp")
    sid = create(client, headers, days_ahead=10).json["id"]
    r = client.post(f"/api/v1/dialogues/{sid}/commitments", headers=headers,
                    json={"text": "Sửa đường tổ 3", "office": "phong_kinh_te", "due": day(30)})
    assert r.status_code == 409  # minutes and commitments come once the session is announced
    client.post(f"/api/v1/dialogues/{sid}/announce", headers=headers)
    r = client.post(f"/api/v1/dialogues/{sid}/commitments", headers=headers,
                    json={"text": "Sửa đường tổ 3", "office": "phong_kinh_te", "due": day(30),
                          "petitions": [p["road"].code]})
    assert r.status_code == 201 and r.json["office"] == "phong_kinh_te" and r.json["petitions"] == [p["road"].code]
    r = client.post(f"/api/v1/dialogues/{sid}/commitments", headers=headers,
                    json={"text": "X", "office": "khong_co", "due": "hôm nay"})
    assert r.status_code == 422 and {"office", "due"} <= set(r.json["error"]["fields"])
    r = client.get(f"/api/v1/dialogues/{sid}/conclusion.docx", headers=headers)
    assert r.status_code == 200 and "Sửa đường tổ 3" in docx_text(r.data)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_briefing_pdf_is_rendered_by_libreoffice(client, session):
    known_data(session)
    headers = token(session, "vp")
    sid = create(client, headers, days_ahead=10).json["id"]
    r = client.get(f"/api/v1/dialogues/{sid}/briefing.pdf", headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")


def test_briefing_pdf_without_libreoffice_is_a_clear_503(client, session, monkeypatch):
    headers = token(session, "vp")
    sid = create(client, headers, days_ahead=10).json["id"]
    monkeypatch.setenv("PATH", "/nonexistent")  # as on a server without LibreOffice
    r = client.get(f"/api/v1/dialogues/{sid}/briefing.pdf", headers=headers)
    assert r.status_code == 503 and r.json["error"]["code"] == "pdf_unavailable"
    assert "LibreOffice" in r.json["error"]["message"] and "DOCX" in r.json["error"]["message_en"]


def test_openapi_lists_the_dialogue_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "201" in paths["/api/v1/dialogues"]["post"]["responses"]
    assert "/api/v1/dialogues/{session_id}/briefing.docx" in paths
