"""Reception days (Luật Tiếp công dân Điều 15): Văn phòng schedules them, citizens book through the API and the
web until the capacity, then get 409 with the next free day; confirmation, reminder the day before, cancel."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from service.domain.reception import schedule
from service.models import OutboxMessage, ReceptionBooking
from tests import factories
from tests.helpers import vn_today

UNIT = "11737"  # Phường Nam Đồ Sơn
TOPIC = "Hỏi về tiến độ cấp giấy chứng nhận quyền sử dụng đất"


def token(session, username="vp", role="staff", unit=UNIT, office="van_phong"):
    return factories.bearer(session, username, role, unit, office)


def day_in(days: int) -> str:
    return (vn_today() + dt.timedelta(days=days)).isoformat()


def create(client, headers, days=7, capacity=2, **extra):
    body = {"unit": UNIT, "date": day_in(days), "starts_at": "07:30", "ends_at": "11:00",
            "host": "Chủ tịch UBND phường", "capacity": capacity, **extra}
    return client.post("/api/v1/reception-days", json=body, headers=headers)


def book(client, day_id, phone, **extra):
    return client.post(f"/api/v1/reception-days/{day_id}/bookings",
                       json={"name": "Trần Văn Dân", "phone": phone, "topic": TOPIC, **extra})


def test_van_phong_creates_a_day_others_may_not(client, session):
    r = create(client, token(session))
    assert r.status_code == 201, r.json
    assert r.json["date"] == day_in(7) and r.json["starts_at"] == "07:30" and r.json["free"] == 2
    other = token(session, "kt", office="phong_kinh_te")
    assert create(client, other).status_code == 403
    assert create(client, {}).status_code == 401
    bad = create(client, token(session, "vp2"), starts_at="11:00", ends_at="07:00", capacity=0)
    assert bad.status_code == 422 and {"ends_at", "capacity"} <= set(bad.json["error"]["fields"])
    listed = client.get("/api/v1/reception-days", query_string={"unit": UNIT}).json
    assert [d["id"] for d in listed["items"]] == [r.json["id"]] and "Điều 15" in listed["law"]


def test_bookings_until_capacity_then_409_with_the_next_free_day(client, session):
    headers = token(session)
    first = create(client, headers, days=7, capacity=2).json
    later = create(client, headers, days=14, capacity=5, host="Phó Chủ tịch UBND phường", kind="leader").json
    a, b = book(client, first["id"], "0912555001"), book(client, first["id"], "0912 555 002")
    assert (a.status_code, b.status_code) == (201, 201)
    assert re.fullmatch(r"LH[A-Z0-9]{6}", a.json["code"])
    again = book(client, first["id"], "+84912555001")  # the same phone again: its booking back
    assert again.status_code == 200 and again.json["code"] == a.json["code"]
    full = book(client, first["id"], "0912555003")
    assert full.status_code == 409
    err = full.json["error"]
    assert err["code"] == "reception_day_full" and err["next_free_day"]["id"] == later["id"]
    assert (dt.date.fromisoformat(later["date"])).strftime("%d/%m/%Y") in err["message"] and err["message_en"]
    # confirmation by SMS at once
    texts = session.scalars(select(OutboxMessage.text).where(OutboxMessage.dedupe_key.like("reception:%"))).all()
    assert len(texts) == 2 and all("xác nhận" in t for t in texts)


def test_a_crowd_names_representatives_within_the_limits(client, session):
    day = create(client, token(session), capacity=5).json
    r = book(client, day["id"], "0912555010", group_size=7)
    assert r.status_code == 422 and "Điều 29" in r.json["error"]["fields"]["representatives"][0]
    reps = [{"name": "Nguyễn Văn Một", "phone": "0912555011"}, {"name": "Lê Thị Hai", "phone": "0912555012"},
            {"name": "Phạm Văn Ba", "phone": "0912555013"}]
    assert book(client, day["id"], "0912555010", group_size=7, representatives=reps).status_code == 422  # >2
    ok = book(client, day["id"], "0912555010", group_size=7, representatives=reps[:2])
    assert ok.status_code == 201 and ok.json["representatives"] == ["Nguyễn Văn Một", "Lê Thị Hai"]


def test_reminder_the_day_before_once_and_cancel_with_code_and_phone(client, session):
    headers = token(session)
    tomorrow = create(client, headers, days=1, capacity=3).json
    code = book(client, tomorrow["id"], "0912555020").json["code"]
    assert client.post(f"/api/v1/reception-bookings/{code}/cancel", json={"phone": "0999999999"}).status_code == 404
    assert client.post(f"/api/v1/reception-bookings/{code}/cancel", json={"phone": "0" * 29}).status_code == 404
    kept = book(client, tomorrow["id"], "0912555021").json["code"]
    assert client.post(f"/api/v1/reception-bookings/{code}/cancel", json={"phone": "0912555020"}).json["status"] \
        == "cancelled"
    session.expire_all()
    assert schedule.remind_bookings(session) == 1 and schedule.remind_bookings(session) == 0
    reminder = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"reception:{kept}:reminder"))
    assert reminder.recipient == "0912555021" and "Nhắc lịch" in reminder.text
    free = client.get("/api/v1/reception-days", query_string={"unit": UNIT}).json["items"][0]["free"]
    assert free == 2


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_public_page_lists_days_and_books_with_consent(client, session):
    day = create(client, token(session), capacity=1).json
    html = client.get(f"/tiep-cong-dan?unit={UNIT}").get_data(as_text=True)
    assert "Điều 15" in html and f"/tiep-cong-dan/{day['id']}" in html and "còn 1 lượt" in html
    page = client.get(f"/tiep-cong-dan/{day['id']}").get_data(as_text=True)
    data = {"csrf_token": token_of(page), "name": "Vũ Thị Lan", "phone": "0912555030", "topic": TOPIC}
    assert client.post(f"/tiep-cong-dan/{day['id']}/dang-ky", data=data).status_code == 422  # no consent
    r = client.post(f"/tiep-cong-dan/{day['id']}/dang-ky", data={**data, "consent": "1"})
    assert r.status_code == 303
    code = session.scalar(select(ReceptionBooking.code))
    assert code in client.get(r.headers["Location"]).get_data(as_text=True)
    full = client.post(f"/tiep-cong-dan/{day['id']}/dang-ky", data={**data, "phone": "0912555031", "consent": "1"})
    assert full.status_code == 409 and "đã đủ" in full.get_data(as_text=True)
    cancel_page = client.get("/tiep-cong-dan/huy").get_data(as_text=True)
    r = client.post("/tiep-cong-dan/huy", data={"csrf_token": token_of(cancel_page), "code": code.lower(),
                                                 "phone": "0912 555 030"})
    assert r.status_code == 303
    session.expire_all()
    assert session.scalar(select(ReceptionBooking.status)) == "cancelled"


def test_a_booking_links_only_the_citizens_own_petition(client, session):
    own = factories.petition(session, "Đề nghị cấp lại giấy chứng nhận quyền sử dụng đất bị mất.", unit=UNIT,
                             phone="0912555090", kind="kien_nghi", category="dat_dai", commit=True)
    day = create(client, token(session), capacity=3).json
    wrong = book(client, day["id"], "0912555091", petition_code=own.code)
    assert wrong.status_code == 422 and "petition_code" in wrong.json["error"]["fields"]
    assert book(client, day["id"], "0912555090", petition_code=own.code).status_code == 201
    session.expire_all()
    assert session.scalar(select(ReceptionBooking.petition_id)) == own.id


def test_the_jobs_process_has_the_reminder_and_supporter_jobs():
    from service.jobs.schedule import JOBS

    assert {"reception-reminders", "supporter-notices"} <= {j.id for j in JOBS}


def test_what_the_document_cannot_state_is_a_404_or_a_409(client, session):
    """Issue #18: a unit that does not exist is not found (404); a day already past conflicts with the clock
    (409); both in the API's error format, with the field named."""
    headers = token(session)
    missing = create(client, headers, unit="Phường Không Có")
    assert missing.status_code == 404 and missing.json["error"]["fields"] == {"unit": ["Không tìm thấy đơn vị."]}
    past = create(client, headers, days=-1)
    assert past.status_code == 409 and "date" in past.json["error"]["fields"] and past.json["error"]["message_en"]
    assert create(client, headers, date="31/02/2030").status_code == 422  # not a day at all
