"""Issue 20, the console dialogue page: the under-7-days warning at creation, edit / postpone / cancel through the
page (registered citizens told), the briefing versions listed, the API's warning."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.domain.dialogues import speakers
from service.models import DialogueSession, OutboxMessage
from tests.domain.test_dialogue import UNIT
from tests.web.console.test_dialogues_console import create, day, post
from tests.helpers import vn_today




def test_creation_under_7_days_ahead_warns_at_once(login_as):
    client = login_as("chairperson", unit=UNIT)
    r = create(client, days_ahead=3)
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="notice-warning"' in html and "còn chưa đến 7 ngày" in html and "Hãy dời ngày" in html
    fine = client.get(create(client, days_ahead=12).headers["Location"]).get_data(as_text=True)
    assert 'id="notice-warning"' not in fine


def test_postpone_edit_and_cancel_from_the_page_tell_the_registered(login_as, session):
    client = login_as("staff", unit=UNIT, office="van_phong")
    page = create(client, days_ahead=10).headers["Location"]
    assert post(client, f"{page}/thong-bao").status_code == 303
    ds = session.scalar(select(DialogueSession))
    speakers.register(session, ds, name="Trần Thị Hoa", phone="0912000003", question="Bãi rác?")
    session.commit()

    too_soon = post(client, f"{page}/doi-ngay", date=day(3), time="08:00")
    assert too_soon.status_code == 422 and "ít nhất 7 ngày" in too_soon.get_data(as_text=True)
    r = post(client, f"{page}/doi-ngay", date=day(20), time="14:00", reason="Trùng lịch tiếp xúc cử tri")
    assert r.status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "Đã dời ngày đối thoại. Đã báo cho 1 người" in html and "Dời ngày" in html
    session.expire_all()
    assert ds.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date() == \
        vn_today() + dt.timedelta(days=20)

    assert post(client, f"{page}/sua", place="Nhà văn hóa tổ 5", topics="Môi trường",
                participants="").status_code == 303
    assert post(client, f"{page}/huy", reason="").status_code == 422
    assert post(client, f"{page}/huy", reason="Bão số 9").status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "Đã hủy" in html and 'id="huy"' not in html and "Hủy phiên (Bão số 9)" in html
    texts = [m.text for m in session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "0912000003")
                                             .order_by(OutboxMessage.id))]
    assert any("dời hội nghị" in t for t in texts) and any("Nhà văn hóa tổ 5" in t for t in texts)
    assert any("hủy hội nghị" in t and "Bão số 9" in t for t in texts)


def test_the_briefing_page_lists_its_versions_and_says_when_it_is_stale(login_as, session):
    client = login_as("chairperson", unit=UNIT)
    page = create(client, days_ahead=10).headers["Location"]
    post(client, f"{page}/thong-bao")
    html = client.get(f"{page}/tai-lieu").get_data(as_text=True)
    assert "Phiên bản 1" in html and 'id="briefing-stale"' not in html
    ds = session.scalar(select(DialogueSession))
    speakers.register(session, ds, name="Trần Thị Hoa", phone="0912000003", question="Bãi rác?")
    session.commit()
    html = client.get(f"{page}/tai-lieu").get_data(as_text=True)
    assert 'id="briefing-stale"' in html and "1 công dân đăng ký phát biểu (tài liệu ghi 0)" in html
    assert post(client, f"{page}/tai-lieu/tong-hop-lai").status_code == 303
    html = client.get(f"{page}/tai-lieu").get_data(as_text=True)
    assert "Phiên bản 2" in html and "Các phiên bản tài liệu (2)" in html and 'id="briefing-stale"' not in html
    assert "Đăng ký phát biểu: <strong>1</strong>" in html


def test_the_api_says_the_warning_too(app, login_as, session):
    client = login_as("chairperson", unit=UNIT)
    create(client, days_ahead=2)
    ds = session.scalar(select(DialogueSession))
    from service.web.api.dialogues import session_json
    with app.test_request_context():
        body = session_json(ds)
    assert "còn chưa đến 7 ngày" in body["warning"] and body["cancelled_at"] is None
