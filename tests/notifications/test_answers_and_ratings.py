"""An answer must say what was done or decided (422 otherwise, the same rule in the console and the API);
a 1-2 rating asks whether to look again, and yes reopens the petition; a double tap is one rating; an open
review keeps the petition from being closed."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.domain.errors import ValidationFailed
from service.domain.workflow.answers import check_answer
from service.models.event import Event
from service.models.outbox import OutboxMessage
from service.models.petition import Petition
from service.models.rating import Rating
from tests.notifications.test_delivery import ANSWER, submit


def act(api, code, headers, **body):
    return api.post(f"/api/v1/petitions/{code}/actions", json=body, headers=headers)


@pytest.mark.parametrize("text", ["ok", "Đã xử lý.", "Đã giải quyết xong.", "   ",
                                  "Kính gửi ông/bà. […] Trân trọng, UBND xã đã xem xét đơn của ông bà.",
                                  "UBND xã đã kiểm tra và ${ket_qua} cho ông bà trong tuần này.",
                                  "Ngày ........ UBND xã đã cử cán bộ kiểm tra hiện trường cống thoát nước."])
def test_vague_answers_and_placeholders_are_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        check_answer(text)
    assert refused.value.http_status == 422 and refused.value.fields["text"]


@pytest.mark.parametrize("text", [ANSWER, "Phường đã thay bóng đèn ngày 10/11/2026.",
                                  "Sau khi xem xét, UBND xã quyết định không chấp nhận đề nghị vì đoạn đường thuộc dự án "
                                  "của thành phố."])
def test_answers_that_say_what_was_done_pass(text):
    assert check_answer(text) == text.strip()


def test_the_api_refuses_ok_in_vietnamese_and_english(notify_app, api, staff, session):
    code = submit(api)
    r = act(api, code, staff, action="answer", text="ok")
    body = r.get_json()["error"]
    assert r.status_code == 422 and "đã làm gì" in body["message"] and body["message_en"]
    assert session.scalar(select(Petition.status).where(Petition.code == code)) != "answered"


def test_the_console_applies_the_same_rule(notify_app, session):
    from service.domain.people import accounts

    accounts.create_user(session, username="vp_console", password="mat-khau-dai-1", role="admin", unit=None,
                         office=None)
    session.commit()
    client = notify_app.test_client()
    code = submit(client)
    page = client.get("/can-bo/dang-nhap")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    login = client.post("/can-bo/dang-nhap", data={"username": "vp_console", "password": "mat-khau-dai-1",
                                                    "csrf_token": token})
    assert login.status_code in (302, 303)
    page = client.get(f"/can-bo/don/{code}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(f"/can-bo/don/{code}/thao-tac/answer", data={"text": "ok", "csrf_token": token})
    assert r.status_code == 422 and "đã làm gì" in r.get_data(as_text=True)


def answered(api, staff):
    code = submit(api)
    assert act(api, code, staff, action="answer", text=ANSWER).status_code == 200
    return code


def rate(api, code, **body):
    return api.post(f"/api/v1/status/{code}/rating", json={"phone": "0916555888", **body})


def test_a_low_rating_offers_a_review_and_blocks_closing(notify_app, api, staff, session):
    code = answered(api, staff)
    r = rate(api, code, score=2)
    assert r.status_code == 201 and r.get_json()["ask_reopen"] is True and r.get_json()["review"] == "offered"
    closing = act(api, code, staff, action="close")
    assert closing.status_code == 409 and closing.get_json()["error"]["code"] == "open_citizen_review"
    assert rate(api, code, score=2, reopen=False).get_json()["review"] == "declined"
    assert act(api, code, staff, action="close").status_code == 200


def test_yes_reopens_with_the_comment_and_tells_the_offices(notify_app, api, staff, session):
    code = answered(api, staff)
    comment = "Nắp cống mới lại vỡ sau hai ngày."
    r = rate(api, code, score=1, reopen=True, comment=comment)
    assert r.status_code == 201 and r.get_json()["status"] == "in_progress"
    again = rate(api, code, score=1, reopen=True, comment=comment)  # a double tap
    assert again.status_code == 201
    petition = session.scalar(select(Petition).where(Petition.code == code))
    assert petition.status == "in_progress"
    assert session.scalar(select(func.count()).select_from(Rating).where(Rating.petition_id == petition.id)) == 1
    [reopened] = session.scalars(select(Event).where(Event.petition_id == petition.id, Event.kind == "reopened"))
    assert reopened.reason == comment and reopened.public and reopened.data["rating"] == 1
    offices = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("reopened:%"))).all()
    assert offices and all(code in m.text and "1/5" in m.text for m in offices)
    citizen = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"petition:{petition.id}:"
                                                                                         "reopened:%"))).all()
    assert {m.channel for m in citizen} == {"zns", "email"}
    assert act(api, code, staff, action="close").status_code == 409  # in progress again


def test_a_high_rating_never_reopens(notify_app, api, staff, session):
    code = answered(api, staff)
    r = rate(api, code, score=5, reopen=True)
    assert r.status_code == 201 and r.get_json()["status"] == "answered" and r.get_json()["review"] is None
