"""POST /api/v1/petitions/<code>/actions: auth, unit scope, validation, 409 on forbidden moves."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.domain.deadlines.calendar import VN_TZ
from service.domain.inbound import Actor, InboundMessage, PersonData
from service.domain.intake.operations import submit
from service.models.event import Event
from service.models.reply import Reply
from tests import factories

UNIT = "11914"  # Đặc khu Cát Hải (remote)
OTHER_UNIT = "11737"


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


@pytest.fixture
def petition(session):
    # Received just now: the actions below run on the real clock.
    return factories.petition(session, "Khiếu nại quyết định xử phạt hành chính đối với tôi.", unit=UNIT,
                              kind="khieu_nai", category="thu_tuc_hanh_chinh", name="Lê Văn Cường", address="Cát Bà",
                              hours_ago=2, commit=True)


def token(session, username, role="staff", unit=UNIT, office="van_phong") -> dict[str, str]:
    return factories.bearer(session, username, role, unit, office)


def post(client, code, headers, **body):
    return client.post(f"/api/v1/petitions/{code}/actions", json=body, headers=headers)


def test_accept_answers_with_status_and_deadlines(client, session, petition):
    r = post(client, petition.code, token(session, "canbo"), action="accept", document_number="01/TB-UBND")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["code"] == petition.code and body["status"] == "accepted"
    steps = {d["step"]: d for d in body["deadlines"]}
    assert set(steps) == {"xu_ly_don", "thu_ly", "giai_quyet"}
    assert steps["thu_ly"]["met_at"] is not None and steps["thu_ly"]["late"] is False
    assert steps["giai_quyet"]["met_at"] is None and "45 ngày" in steps["giai_quyet"]["rule"]  # remote unit
    assert set(steps["giai_quyet"]) >= {"step", "due", "met_at", "late"}
    session.expire_all()
    assert session.scalar(select(Reply.kind).where(Reply.petition_id == petition.id)) == "thu_ly"


def test_forbidden_transition_is_409_with_both_messages(client, session, petition):
    headers = token(session, "canbo")
    r = post(client, petition.code, headers, action="answer", text="Trả lời ngay. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.")
    assert r.status_code == 409
    error = r.json["error"]
    assert error["code"] == "transition_not_allowed" and "trạng thái" in error["message"]
    assert "status" in error["message_en"]
    r = post(client, petition.code, headers, action="transfer", to_body="UBND thành phố")
    assert r.status_code == 409 and "hướng dẫn" in r.json["error"]["message"]


def test_a_refused_action_leaves_no_trace(client, session, petition):
    headers = token(session, "canbo")
    def events():
        session.expire_all()
        return list(session.scalars(select(Event.kind).where(Event.petition_id == petition.id)))
    before = events()
    assert post(client, petition.code, headers, action="reopen", reason="Thử").status_code == 409
    assert post(client, petition.code, headers, action="classify", office="khong_co",
                reason="Sai phòng").status_code == 422
    assert events() == before


def test_extension_beyond_the_law_is_409(client, session, petition):
    headers = token(session, "canbo")
    post(client, petition.code, headers, action="accept")
    r = post(client, petition.code, headers, action="extend", reason="Cần thêm thời gian")
    assert r.status_code == 409 and "Luật Khiếu nại" in r.json["error"]["message"]


def test_full_lifecycle_through_http(client, session, petition):
    headers = token(session, "canbo")
    for body in ({"action": "classify", "kind": "khieu_nai", "category": "can_bo_cong_vu",
                  "reason": "Nội dung về cán bộ"},
                 {"action": "accept"}, {"action": "start"},
                 {"action": "mark_complex", "reason": "Nhiều nội dung", "criteria": ["b"]},
                 {"action": "answer", "text": "Quyết định giải quyết khiếu nại lần đầu. Cán bộ xã đã kiểm tra hiện trường và khắc phục xong trong ngày.", "document_number": "9/QĐ"},
                 {"action": "close"}):
        r = post(client, petition.code, headers, **body)
        assert r.status_code == 200, (body, r.json)
    assert r.json["status"] == "closed" and all(d["met_at"] or not d["late"] for d in r.json["deadlines"])


def test_without_a_token_is_401(client, petition):
    assert post(client, petition.code, {}, action="accept").status_code == 401
    assert post(client, petition.code, {"Authorization": "Bearer sai"}, action="accept").status_code == 401


def test_inspectors_only_read(client, session, petition):
    headers = token(session, "thanhtra", role="inspector")
    # A complaint inspectors do not follow is, for them, like a code that does not exist (access policy).
    assert post(client, petition.code, headers, action="accept").status_code == 404
    msg = InboundMessage(consent=True, channel="web", content="Tố cáo cán bộ địa chính nhận tiền để làm sổ đỏ.", unit=UNIT,
                         kind="to_cao", category="can_bo_cong_vu",
                         petitioner=PersonData(name="Lê Văn Cường", phone="0912345678", address="Cát Bà"))
    denunciation = submit(session, msg, Actor(label="Công dân"), now=utcnow() - dt.timedelta(hours=2)).petition
    session.commit()
    assert post(client, denunciation.code, headers, action="accept").status_code == 403  # followed, read only


def test_staff_of_another_unit_is_404_and_admin_may_act_anywhere(client, session, petition):
    # 404, not 403: another unit's petition must not reveal that its code exists (issue #14, finding 7).
    r = post(client, petition.code, token(session, "khac", unit=OTHER_UNIT), action="accept")
    assert r.status_code == 404
    r = post(client, petition.code, token(session, "quantri", role="admin"), action="accept")
    assert r.status_code == 200


def test_unknown_fields_and_actions_are_422(client, session, petition):
    headers = token(session, "canbo")
    r = post(client, petition.code, headers, action="accept", hacker=True)
    assert r.status_code == 422 and "hacker" in r.json["error"]["fields"]
    r = post(client, petition.code, headers, action="approve")
    assert r.status_code == 422 and "action" in r.json["error"]["fields"]
    r = post(client, petition.code, headers, action="return")
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = post(client, petition.code, headers, action="classify", category="khong_co", reason="x")
    assert r.status_code == 422 and "category" in r.json["error"]["fields"]
    r = post(client, petition.code, headers, action="mark_complex", reason="x", criteria=["z"])
    assert r.status_code == 422


def test_only_an_admin_may_backdate_an_action(client, session, petition):
    moment = (petition.received_at + dt.timedelta(hours=1)).replace(microsecond=0)
    when = moment.isoformat()
    r = post(client, petition.code, token(session, "canbo"), action="accept", at=when)
    assert r.status_code == 403
    admin = token(session, "quantri", role="admin")
    assert post(client, petition.code, admin, action="accept", at=when[:19]).status_code == 422  # no zone
    too_early = (petition.received_at - dt.timedelta(days=1)).isoformat()
    assert post(client, petition.code, admin, action="accept", at=too_early).status_code == 422
    assert post(client, petition.code, admin, action="accept", at="2099-01-01T09:00:00+07:00").status_code == 422
    r = post(client, petition.code, admin, action="accept", at=when)
    assert r.status_code == 200
    thu_ly = [d for d in r.json["deadlines"] if d["step"] == "thu_ly"][0]
    assert dt.datetime.fromisoformat(thu_ly["met_at"]) == moment
    session.expire_all()
    event = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "accepted"))
    assert event.at == moment and event.data.get("paper") is True


def test_unknown_petition_is_404(client, session):
    assert post(client, "AAAA-AAAA-A", token(session, "canbo"), action="accept").status_code == 404


def test_body_must_be_json(client, session, petition):
    r = client.post(f"/api/v1/petitions/{petition.code}/actions", data="action=accept",
                    headers={**token(session, "canbo"), "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
