"""A citizen's requests about their personal data, handled by the Văn phòng; retention of personal data."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.domain.errors import Conflict, Forbidden
from service.domain.people import privacy
from service.jobs.retention import apply_retention
from service.models import AuditEntry, ChatConversation, DataRequest, Event, OutboxMessage, Person, Petition, Reply
from tests.security.conftest import PHONE, UNIT, api_petition, csrf_of

CCCD = "031090012345"


def submit_and_look_up(client, **petitioner) -> str:
    person = {"name": "Phạm Thị Dung", "phone": PHONE, "address": "Số 9 Cát Bà", "id_number": CCCD, **petitioner}
    answer = client.post("/api/v1/petitions", json=api_petition(petitioner=person))
    assert answer.status_code == 201
    code = answer.get_json()["code"]
    assert client.post("/tra-cuu", data={"code": code, "phone": person["phone"]}).status_code == 303
    return code


def ask(client, code: str, kind: str, details: str = "", proof: str = PHONE):
    """A request from the data page; since issue #14 each one carries the phone (or access key) again."""
    page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan")
    return client.post(f"/tra-cuu/{code}/du-lieu-ca-nhan",
                       data={"csrf_token": csrf_of(page.get_data(as_text=True)), "kind": kind, "details": details,
                             "proof": proof})


def test_the_status_page_links_to_the_data_page_which_needs_the_code_and_phone(app, client):
    code = submit_and_look_up(client)
    assert f"/tra-cuu/{code}/du-lieu-ca-nhan" in client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    stranger = app.test_client()
    answer = stranger.get(f"/tra-cuu/{code}/du-lieu-ca-nhan")
    assert answer.status_code == 303 and "/tra-cuu?code=" in answer.headers["Location"]
    page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert "91/2025/QH15" in page and CCCD not in page  # no copy before the office grants it


def test_a_correction_request_is_recorded_audited_and_routed_to_van_phong(client, session):
    code = submit_and_look_up(client)
    assert ask(client, code, "correction").status_code == 422  # what to correct is required
    answer = ask(client, code, "correction", "Địa chỉ đúng là số 11 đường Núi Ngọc")
    assert answer.status_code == 303
    request = session.scalar(select(DataRequest))
    petition = session.get(Petition, request.petition_id)
    assert (request.kind, request.status, request.unit_id) == ("correction", "new", petition.unit_id)
    assert session.get(type(petition.lead_office), request.office_id).code == "van_phong"
    audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "data_request"))
    assert audit.data["petition"] == code and audit.object_id == str(request.id)
    notice = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(f"data_request:{request.id}%")))
    assert notice.recipient == f"office:{request.office_id}" and code in notice.text
    assert "Phạm Thị Dung" not in notice.text and PHONE not in notice.text
    page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert "Đã tiếp nhận, đang xử lý" in page and "số 11 đường Núi Ngọc" in page


def test_van_phong_grants_a_correction_and_the_petitioner_data_changes(client, session, login_as):
    code = submit_and_look_up(client)
    ask(client, code, "correction", "Tên đúng là Phạm Thị Dung Anh")
    request_id = session.scalar(select(DataRequest.id))
    staff = login_as("staff", unit=UNIT, office="van_phong")
    listing = staff.get("/can-bo/yeu-cau-du-lieu/").get_data(as_text=True)
    assert code in listing
    page = staff.get(f"/can-bo/yeu-cau-du-lieu/{request_id}").get_data(as_text=True)
    assert CCCD in page and "Phạm Thị Dung" in page  # triage staff may see the identity
    answer = staff.post(f"/can-bo/yeu-cau-du-lieu/{request_id}", data={
        "csrf_token": csrf_of(page), "status": "done", "response": "Đã sửa họ tên theo yêu cầu.",
        "new_name": "Phạm Thị Dung Anh", "new_phone": "không phải số"})
    assert answer.status_code == 422  # one invalid value: nothing is changed
    session.expire_all()
    assert session.scalar(select(Person.name)) == "Phạm Thị Dung"
    answer = staff.post(f"/can-bo/yeu-cau-du-lieu/{request_id}", data={
        "csrf_token": csrf_of(page), "status": "done", "response": "Đã sửa họ tên theo yêu cầu.",
        "new_name": "Phạm Thị Dung Anh"})
    assert answer.status_code == 303
    session.expire_all()
    person = session.scalar(select(Person))
    assert (person.name, person.name_folded, person.phone) == ("Phạm Thị Dung Anh", "pham thi dung anh", PHONE)
    handled = session.scalar(select(AuditEntry).where(AuditEntry.action == "data_request_handled"))
    assert handled.data["changed"] == ["name"] and "Dung Anh" not in str(handled.data)
    citizen_page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert "Đã giải quyết" in citizen_page and "Đã sửa họ tên theo yêu cầu." in citizen_page


def test_a_granted_copy_shows_the_citizen_their_data_and_others_cannot_handle_it(client, session, login_as, make_user):
    code = submit_and_look_up(client)
    assert ask(client, code, "copy").status_code == 303
    request = session.scalar(select(DataRequest))
    other_office = make_user("kt", "staff", unit=UNIT, office="phong_kinh_te")
    with pytest.raises(Forbidden):
        privacy.resolve(session, request, other_office, "done", None)
    assert login_as("staff", unit="11737", office="van_phong").get(
        f"/can-bo/yeu-cau-du-lieu/{request.id}").status_code == 404  # another unit's request
    vp = make_user("vp2", "staff", unit=UNIT, office="van_phong")
    privacy.resolve(session, request, vp, "done", "Gửi bạn bản sao.")
    session.commit()
    with pytest.raises(Conflict):
        privacy.resolve(session, request, vp, "refused", "Lần hai")
    page = client.get(f"/tra-cuu/{code}/du-lieu-ca-nhan").get_data(as_text=True)
    assert "Bản sao dữ liệu cá nhân" in page and CCCD in page and "Số 9 Cát Bà" in page


def test_a_citizen_cannot_flood_the_office_with_requests(client, session):
    code = submit_and_look_up(client)
    assert [ask(client, code, "copy").status_code for _ in range(4)] == [303, 303, 303, 422]
    assert len(session.scalars(select(DataRequest)).all()) == privacy.MAX_OPEN_PER_PETITION


# ---- retention ------------------------------------------------------------------------------------

def test_retention_erases_personal_data_of_long_closed_petitions_and_keeps_the_record(client, session, database):
    old_code = submit_and_look_up(client)
    recent_code = submit_and_look_up(client, phone="0987654321")
    ask(client, old_code, "correction", "Địa chỉ mới: số 2")
    now = utcnow()
    old = session.scalar(select(Petition).where(Petition.code == old_code))
    recent = session.scalar(select(Petition).where(Petition.code == recent_code))
    old.status, old.closed_at = "closed", now - dt.timedelta(days=6 * 365)
    recent.status, recent.closed_at = "closed", now - dt.timedelta(days=365)
    session.add(ChatConversation(channel="telegram", chat_user_id="5550001", state="describe",
                                 draft={"phone": PHONE, "content": ["x"]}, updated_at=now - dt.timedelta(days=100)))
    session.add(ChatConversation(channel="telegram", chat_user_id="5550002", state="describe",
                                 draft={"phone": "0987654321"}, updated_at=now - dt.timedelta(days=2)))
    session.add(OutboxMessage(dedupe_key="old-sent", channel="sms", recipient=PHONE, text="Đơn của bạn đã được trả lời",
                              status="sent", created_at=now - dt.timedelta(days=200), next_attempt_at=now))
    session.commit()
    events_before = len(session.scalars(select(Event).where(Event.petition_id == old.id)).all())

    result = apply_retention(database)
    assert (result.people, result.requests, result.conversations, result.messages) == (1, 1, 1, 1)
    session.expire_all()
    erased = session.scalar(select(Person).where(Person.petition_id == old.id))
    assert erased.anonymised_at is not None
    assert (erased.name, erased.phone, erased.address, erased.id_number, erased.id_number_hash) == (None,) * 5
    kept = session.scalar(select(Person).where(Person.petition_id == recent.id))
    assert kept.phone == "0987654321" and kept.id_number == CCCD
    petition = session.get(Petition, old.id)
    assert petition.content and petition.status == "closed"  # the record of handling stays
    assert len(session.scalars(select(Event).where(Event.petition_id == old.id)).all()) == events_before
    assert session.scalar(select(DataRequest.details)) is None
    drafts = {c.chat_user_id: c.draft for c in session.scalars(select(ChatConversation))}
    assert drafts == {"5550001": {}, "5550002": {"phone": "0987654321"}}
    assert session.scalar(select(OutboxMessage.text).where(OutboxMessage.dedupe_key == "old-sent")) == ""
    # Idempotent: a second run changes nothing.
    assert apply_retention(database) == privacy.RetentionResult()
    # The erased petition no longer takes data requests.
    with pytest.raises(Conflict):
        privacy.create_request(session, petition, "copy", None)


def test_retention_periods_come_from_the_settings():
    policy = privacy.RetentionPolicy.from_settings({"RETENTION_CLOSED_PETITION_YEARS": "10", "RETENTION_CHAT_DAYS": "0",
                                                    "RETENTION_OUTBOX_DAYS": "oops"})
    assert policy == privacy.RetentionPolicy(closed_petition_years=10, chat_days=0, outbox_days=180)


def test_the_retention_job_is_scheduled_daily():
    from service.jobs.schedule import JOBS

    job = next(j for j in JOBS if j.id == "privacy-retention")
    assert job.trigger == "cron" and job.func is apply_retention


def test_replies_are_not_touched_by_retention(client, session, database):
    code = submit_and_look_up(client)
    petition = session.scalar(select(Petition).where(Petition.code == code))
    session.add(Reply(petition_id=petition.id, kind="answer", text="Trả lời công dân", created_at=utcnow()))
    petition.status, petition.closed_at = "closed", utcnow() - dt.timedelta(days=10 * 365)
    session.commit()
    apply_retention(database)
    session.expire_all()
    assert session.scalar(select(Reply.text)) == "Trả lời công dân"
