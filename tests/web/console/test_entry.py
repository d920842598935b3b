"""Staff entry of hotline, e-mail, SMS, walk-in and paper petitions through /can-bo/nhap-don."""
from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.models import Petition
from service.models.attachment import Attachment
from service.models.event import Event
from service.models.person import Person
from service.models.user import AuditEntry, User
from service.web.formatting import LOCAL_TZ
from tests.helpers import count_petitions, png_bytes
from tests.web.console.conftest import csrf_of

CONTENT = "Đường liên thôn Lý Hải bị sạt lở sau mưa lớn, xe máy đi qua rất nguy hiểm, đề nghị xã sửa chữa."


def _form(client, **overrides):
    """The fields of a freshly loaded entry form (tokens included), with `overrides`."""
    page = client.get("/can-bo/nhap-don")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form_id = re.search(r'name="form_id" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_of(html), "form_id": form_id, "channel": "hotline", "received_at": "",
            "name": "Trần Văn Bình", "phone": "0912 345 678", "address": "Thôn Lý Hải, đặc khu Cát Hải",
            "content": CONTENT, "consent": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, data):
    return client.post("/can-bo/nhap-don", data=data, content_type="multipart/form-data")


def _petition(session, code=None) -> Petition:
    session.expire_all()
    stmt = select(Petition).order_by(Petition.id.desc())
    return session.scalar(stmt.where(Petition.code == code) if code else stmt)


def _flashes(client) -> list[str]:
    with client.session_transaction() as s:
        return [message for _, message in s.get("_flashes", [])]


def _local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=LOCAL_TZ).astimezone(dt.timezone.utc)


@pytest.mark.parametrize("choice, channel", [("hotline", "hotline"), ("email", "email"), ("sms", "sms"),
                                             ("in_person", "in_person"), ("paper", "in_person")])
def test_each_channel_is_stored_with_received_time_clerk_and_audit(login_as, session, choice, channel):
    clerk = login_as("staff")
    received = (utcnow() - dt.timedelta(days=3)).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    answer = _post(clerk, _form(clerk, channel=choice, received_at=received))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    petition = _petition(session)
    assert answer.headers["Location"] == f"/can-bo/don/{petition.code}"
    assert petition.channel == channel and petition.unit.code == "11914"
    assert petition.received_at == _local(received)
    user = session.scalar(select(User).where(User.username == clerk.username))
    received_event = session.scalar(select(Event).where(Event.petition_id == petition.id, Event.kind == "received"))
    assert received_event.actor_id == user.id and received_event.data["channel"] == channel
    person = session.scalar(select(Person).where(Person.petition_id == petition.id))
    assert (person.name, person.phone) == ("Trần Văn Bình", "0912345678")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "petition_entered"))
    assert entry.user_id == user.id and entry.object_id == petition.code
    assert entry.data["consent"] == "obtained_by_staff"
    assert entry.data.get("medium") == ("paper" if choice == "paper" else None)
    assert any(petition.code in m and "đọc" in m for m in _flashes(clerk))


def test_empty_received_time_means_now_and_attachments_are_checked_and_stripped(login_as, session):
    clerk = login_as("office_head")
    before = utcnow()
    data = _form(clerk, channel="paper")
    data["attachments"] = [(io.BytesIO(png_bytes(exif_gps=True)), "don-giay.jpg", "image/jpeg"),
                           (io.BytesIO(b"%PDF-1.4 scanned letter"), "ban-quet.pdf", "application/pdf")]
    assert _post(clerk, data).status_code == 303
    petition = _petition(session)
    assert before <= petition.received_at <= utcnow()
    files = session.scalars(select(Attachment).where(Attachment.petition_id == petition.id)
                            .order_by(Attachment.id)).all()
    assert [f.content_type for f in files] == ["image/jpeg", "application/pdf"]
    assert b"PhoneMaker" not in files[0].data  # EXIF removed


def test_a_file_that_is_not_an_image_or_pdf_is_refused_with_the_form_kept(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk)
    data["attachments"] = [(io.BytesIO(b"MZ\x90\x00 not a scan"), "scan.jpg", "image/jpeg")]
    answer = _post(clerk, data)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "không phải ảnh" in html and "Trần Văn Bình" in html
    assert count_petitions(session) == 0


def test_validation_errors_keep_every_value(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk, content="", phone="12345", kind="khieu_nai", place="Ngõ 5 Lý Hải", title="Đường sạt lở",
                 co_signers="7", rep_name="Lê Thị Hoa", rep_phone="0987654321", channel="sms")
    answer = _post(clerk, data)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Cần nhập nội dung" in html and "Số điện thoại không phải số Việt Nam hợp lệ" in html
    for kept in ("Trần Văn Bình", "Thôn Lý Hải, đặc khu Cát Hải", "Ngõ 5 Lý Hải", "Đường sạt lở", 'value="7"',
                 "Lê Thị Hoa", "0987654321", data["form_id"]):
        assert kept in html
    assert re.search(r'<option value="khieu_nai" selected>', html)
    assert re.search(r'<option value="sms" selected>', html)
    assert count_petitions(session) == 0


@pytest.mark.parametrize("when, message", [
    ("hôm qua", "ngày/tháng/năm giờ:phút"),
    ("31/02/2026 10:00", "ngày/tháng/năm giờ:phút"),
    ("future", "không được ở tương lai"),
    ("old", "trước quá 1 năm"),
])
def test_received_time_must_be_a_real_recent_moment(login_as, session, when, message):
    clerk = login_as("staff")
    shift = {"future": dt.timedelta(days=1), "old": -dt.timedelta(days=370)}.get(when)
    text = (utcnow() + shift).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if shift else when
    answer = _post(clerk, _form(clerk, received_at=text))
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert count_petitions(session) == 0


def test_personal_data_needs_the_consent_the_clerk_obtained(login_as, session):
    clerk = login_as("staff")
    answer = _post(clerk, _form(clerk, consent=None, content=""))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Bảo vệ dữ liệu cá nhân" in html and "Cần nhập nội dung" in html
    assert count_petitions(session) == 0
    # without any personal data nothing needs consent
    answer = _post(clerk, _form(clerk, consent=None, name="", phone="", address=""))
    assert answer.status_code == 303
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "petition_entered"))
    assert "consent" not in entry.data


def test_double_submit_stores_one_petition(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk)
    first = _post(clerk, dict(data))
    second = _post(clerk, dict(data))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count_petitions(session) == 1
    assert any("đã được lưu trước đó" in m for m in _flashes(clerk))
    # the same form id with different content (back button, edited): nothing stored, a fresh form id offered
    edited = _post(clerk, dict(data, content=CONTENT + " Bổ sung: đã có người bị ngã."))
    assert edited.status_code == 409
    html = edited.get_data(as_text=True)
    assert "đã được dùng để lưu đơn" in html and data["form_id"] not in html
    assert count_petitions(session) == 1


@pytest.mark.committed  # four threads, four connections
def test_simultaneous_submits_of_one_form_store_one_petition(login_as, app, session):
    clerk = login_as("staff")
    data = _form(clerk)
    cookie = clerk.get_cookie("session").value
    answers: list[int] = []

    def submit() -> None:
        browser_tab = app.test_client()
        browser_tab.set_cookie("session", cookie)
        answers.append(_post(browser_tab, dict(data)).status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [303] * 4
    assert count_petitions(session) == 1


def test_anonymous_denunciation_keeps_no_identity(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk, kind="to_cao", anonymous="1", consent=None, id_number="031234567890",
                 content="Tố cáo cán bộ địa chính xã nhận tiền của người dân để làm nhanh hồ sơ cấp sổ đỏ.")
    answer = _post(clerk, data)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    petition = _petition(session)
    assert petition.kind == "to_cao" and petition.anonymous
    assert session.scalars(select(Person).where(Person.petition_id == petition.id)).all() == []


def test_named_denunciation_without_contact_is_refused(login_as, session):
    clerk = login_as("staff")
    answer = _post(clerk, _form(clerk, kind="to_cao", phone="", address=""))
    assert answer.status_code == 422 and "Đơn tố cáo cần họ tên" in answer.get_data(as_text=True)


def test_crowd_with_representatives(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk, co_signers="12", rep_self="1", channel="in_person")
    data["rep_name"] = ["Lê Thị Hoa", "Phạm Văn Nam", ""]
    data["rep_phone"] = ["0987654321", "", ""]
    data["rep_address"] = ["", "Thôn Lý Hải", ""]
    assert _post(clerk, data).status_code == 303
    petition = _petition(session)
    assert petition.co_signer_count == 12
    people = session.scalars(select(Person).where(Person.petition_id == petition.id, Person.representative)).all()
    assert sorted(p.name for p in people) == ["Lê Thị Hoa", "Phạm Văn Nam", "Trần Văn Bình"]


def test_staff_enter_for_their_own_unit_and_the_admin_chooses(login_as, session):
    clerk = login_as("staff")
    assert _post(clerk, _form(clerk, unit="11948")).status_code == 303  # a posted unit is ignored
    assert _petition(session).unit.code == "11914"
    admin = login_as("admin")
    page = admin.get("/can-bo/nhap-don").get_data(as_text=True)
    assert '<select class="select" id="f-unit" name="unit"' in page
    assert _post(admin, _form(admin, unit="11948")).status_code == 303
    assert _petition(session).unit.code == "11948"


def test_roles_that_do_not_enter_petitions_get_403(login_as, client):
    for role in ("chairperson", "inspector"):
        other = login_as(role)
        assert other.get("/can-bo/nhap-don").status_code == 403
        assert other.post("/can-bo/nhap-don", data={}).status_code == 403
    assert client.get("/can-bo/nhap-don").status_code == 302  # not logged in: the login page


def test_form_without_csrf_or_form_id_stores_nothing(login_as, session):
    clerk = login_as("staff")
    data = _form(clerk)
    assert _post(clerk, dict(data, csrf_token="sai")).status_code == 400
    assert _post(clerk, dict(data, form_id="")).status_code == 422
    assert count_petitions(session) == 0


def test_form_is_keyboard_friendly(login_as):
    html = login_as("staff").get("/can-bo/nhap-don").get_data(as_text=True)
    assert re.search(r'id="f-channel"[^>]*autofocus', html)
    assert "tabindex=\"1" not in html  # document order is the tab order
    assert re.search(r'id="f-received_at" name="received_at" value="\d{2}/\d{2}/\d{4} \d{2}:\d{2}"', html)


# The entry form's tab stops in order, from the autofocused channel to the save button.
ENTRY_TAB_STOPS = ["f-channel", "f-received_at", "f-name", "f-phone", "f-address", "f-id_number", "f-email",
                   "f-anonymous", "f-content", "f-place", "f-title", "f-map", "f-kind", "f-co_signers", "f-rep_self"]


@pytest.mark.browser
def test_clerk_enters_a_call_with_the_keyboard_only(browser, live_server, make_user, session):
    from tests.web.console.conftest import PASSWORD

    make_user("vp_phone", "staff", unit="11914", office="van_phong")
    base = live_server
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = context.new_page()
        page.goto(f"{base}/can-bo/dang-nhap?next=/can-bo/nhap-don")
        page.fill("#username", "vp_phone")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/can-bo/nhap-don")
        stops = [page.evaluate("document.activeElement.id")]
        for _ in ENTRY_TAB_STOPS[1:]:
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.id"))
        assert stops == ENTRY_TAB_STOPS
        page.focus("#f-channel")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # the received time stays "now"
        page.keyboard.type("Hoàng Văn Sơn")
        page.keyboard.press("Tab")
        page.keyboard.type("0904111222")
        page.focus("#f-content")
        page.keyboard.type(CONTENT)
        page.focus("#f-consent")
        page.keyboard.press("Space")
        page.focus("#f-place")
        page.keyboard.press("Enter")  # Enter in a text input saves the form
        page.wait_for_url(re.compile(re.escape(base) + r"/can-bo/don/[A-Z0-9-]+$"))
    finally:
        context.close()
    petition = _petition(session)
    assert petition.channel == "hotline" and petition.content == CONTENT
    assert page.url.endswith(f"/can-bo/don/{petition.code}")
