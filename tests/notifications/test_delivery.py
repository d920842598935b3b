"""A web-form citizen hears back by ZNS (SMS when ZNS refuses) and e-mail, exactly once, through
`flask outbox dispatch`; outages and refusals are recovered through the outbox."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from service.db import utcnow
from service.jobs.dispatch import dispatch_outbox
from service.models.outbox import OutboxMessage
from service.models.person import Person
from tests.notifications.conftest import SMS_TOKEN, ZNS_TOKEN, basic_user

ANSWER = ("Ngày 08/12/2026, Phòng Kinh tế đã phối hợp với Trung tâm Dịch vụ sự nghiệp công thay nắp cống trước nhà "
          "số 14 thôn Lai Khê; nước thải không còn tràn ra đường.")


def submit(api, phone="0916555888", email="hoiam@example.vn", **extra):
    person = {"name": "Nguyễn Thị Hồi Âm", "phone": phone, "email": email}
    r = api.post("/api/v1/petitions", json={
        "content": "Cống thoát nước trước nhà số 14 thôn Lai Khê bị vỡ nắp, nước thải tràn ra đường.",
        "unit": "Xã Kim Thành", "kind": "phan_anh", "category": "ha_tang_giao_thong",
        "petitioner": {k: v for k, v in person.items() if v}, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["code"]


def dispatch(app):
    result = app.test_cli_runner().invoke(args=["outbox", "dispatch"])
    assert result.exit_code == 0, result.output
    return result.output


def rows(session, channel=None):
    session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(session.scalars(query))


def test_receipt_and_answer_by_zns_and_email_exactly_once(notify_app, api, staff, session, provider, smtp_server):
    code = submit(api)
    assert "Đã gửi 2" in dispatch(notify_app)
    [zns] = provider.zns("84916555888")
    assert zns["template_id"] == "tiepdan_tiep_nhan" and zns["template_data"]["ma_don"] == code
    assert zns["template_data"]["han_xu_ly"] and zns["tracking_id"].startswith("outbox-")
    assert provider.headers("/message/template")[0]["access_token"] == ZNS_TOKEN
    [mail] = smtp_server.to("hoiam@example.vn")
    assert code in mail["Subject"] and mail["From"] == "tiepdan@kimthanh.haiphong.gov.vn"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "GIẤY BÁO TIẾP NHẬN ĐƠN" in plain and "chậm nhất ngày" in plain and code in html
    assert f"https://tiepdan.haiphong.gov.vn/tra-cuu?code={code}" in plain

    r = api.post(f"/api/v1/petitions/{code}/actions", json={"action": "answer", "text": ANSWER}, headers=staff)
    assert r.status_code == 200, r.get_json()
    dispatch(notify_app)
    dispatch(notify_app)  # nothing is due twice
    answered = provider.zns("84916555888")[1]
    assert len(provider.zns("84916555888")) == 2 and answered["template_id"] == "tiepdan_tra_loi"
    assert "thay nắp cống" in answered["template_data"]["tom_tat"]
    mails = smtp_server.to("hoiam@example.vn")
    assert len(mails) == 2 and ANSWER in mails[1].get_body(("plain",)).get_content()  # the answer in full
    sent = rows(session)
    assert {(m.channel, m.status) for m in sent} == {("zns", "sent"), ("email", "sent")}
    assert all(m.provider_id for m in sent)  # what staff see: where, and the provider's id


def test_zns_refusal_falls_back_to_sms_without_diacritics(notify_app, api, session, provider):
    code = submit(api, phone="0916000111", email=None)
    dispatch(notify_app)
    [refused] = rows(session, "zns")
    assert refused.status == "failed" and "-118" in refused.last_error and "queued for sms" in refused.last_error
    [sms] = provider.sms("84916000111")
    assert sms["sender"] == "UBND KIM THANH" and sms["sms_type"] == 3
    assert code in sms["content"] and "tra-cuu?code=" in sms["content"] and "Xa Kim Thanh" in sms["content"]
    assert sms["content"].isascii() and len(sms["content"]) <= 306
    assert basic_user(provider.headers("/sms/send")[0]["authorization"]) == SMS_TOKEN
    [row] = rows(session, "sms")
    assert row.status == "sent" and row.payload["fallback_from"] == "zns" and row.provider_id
    dispatch(notify_app)
    assert len(provider.sms("84916000111")) == 1


def test_an_outage_is_retried_with_backoff_and_sent_once(notify_app, api, session, provider, smtp_server):
    submit(api)
    provider.down = True
    smtp_server.controller.stop()
    dispatch(notify_app)
    waiting = rows(session)
    assert {m.status for m in waiting} == {"pending"} and all(m.last_error for m in waiting)
    assert all(m.next_attempt_at > utcnow() for m in waiting)  # back-off
    provider.down = False
    smtp_server.start()
    result = dispatch_outbox(notify_app.extensions["db"], now=utcnow() + dt.timedelta(minutes=2))
    assert result.sent == 2
    assert len(provider.zns()) == 1 and len(smtp_server.mails) == 1
    assert {m.status for m in rows(session)} == {"sent"}


def test_a_refused_channel_is_never_used(notify_app, api, session, provider, smtp_server):
    r = api.post("/api/v1/petitions", json={
        "content": "Rác thải ứ đọng ở bãi tập kết đầu thôn Lai Khê nhiều ngày chưa được thu gom.", "unit": "Xã Kim Thành",
        "kind": "phan_anh", "petitioner": {"name": "Lê Văn Từ Chối", "phone": "0916777888", "email": "tu@example.vn",
                                           "refuses_sms": True}})
    assert r.status_code == 201, r.get_json()
    person = session.scalar(select(Person).where(Person.phone == "0916777888"))
    assert person.refuses_sms and not person.refuses_email
    dispatch(notify_app)
    assert [m.channel for m in rows(session)] == ["email"] and provider.calls == []
    person.refuses_email = True
    session.commit()
    from service.domain.notifications import citizens

    assert citizens.targets(person.petition) == []


def test_the_web_form_lets_the_citizen_refuse_sms_and_email(notify_app, session):
    client = notify_app.test_client()
    page = client.get("/gui-don")
    assert page.status_code == 200 and "Không nhận tin nhắn" in page.get_data(as_text=True)


def test_outbox_status_prints_counts_per_channel(notify_app, api, provider):
    submit(api, phone="0916000111")
    dispatch(notify_app)
    out = notify_app.test_cli_runner().invoke(args=["outbox", "status"]).output
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert lines["zns"] == ["0", "0", "1", "0"] and lines["sms"] == ["0", "0", "0", "1"]
    assert lines["email"] == ["0", "0", "0", "1"]


def test_staff_see_what_was_sent_where_and_whether_it_went(notify_app, api, session, provider):
    from service.domain.people import accounts

    code = submit(api, phone="0916000111")
    dispatch(notify_app)
    accounts.create_user(session, username="vp_page", password="mat-khau-dai-1", role="admin", unit=None, office=None)
    session.commit()
    client = notify_app.test_client()
    token = client.get("/can-bo/dang-nhap").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/can-bo/dang-nhap", data={"username": "vp_page", "password": "mat-khau-dai-1", "csrf_token": token})
    page = client.get(f"/can-bo/don/{code}").get_data(as_text=True)
    section = page.split("Thông báo đã gửi công dân")[1].split("</section>")[0]
    assert "Zalo ZNS" in section and "Không gửi được" in section and "-118" in section
    assert "Tin nhắn SMS" in section and "Đã gửi tới nhà cung cấp" in section and "thay cho tin #" in section
    assert "Thư điện tử" in section and "hoiam@example.vn" in section
