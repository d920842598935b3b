"""A denouncer's identity (Luật Tố cáo Điều 47, 56) on every console page and API answer: hidden from a plain
staff of the handling office who is not assigned, invisible (404) to another office, shown to those who handle
the case — and each console view of it is in the audit log."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from service.db import utcnow
from service.domain.casework import operations as casework
from service.domain.inbound import Actor, AttachmentData, InboundMessage, PersonData
from service.domain.intake.operations import submit
from service.domain.people import accounts
from service.domain.people.access import HIDDEN_DENOUNCER
from service.models.petition import Petition
from service.models.user import AuditEntry, User
from tests.helpers import png_bytes
from tests.web.console.conftest import csrf_of

UNIT = "11914"
NAME, PHONE, ADDRESS, ID_NUMBER = "Đỗ Minh Khang", "0987111222", "Số 9 đường Núi Ngọc, Cát Bà", "031099001234"
IDENTITY = (NAME, PHONE, ADDRESS, ID_NUMBER, "Khang")
CONTENT = "Tố cáo cơ sở chế biến hải sản Hải Yến xả nước thải chưa xử lý ra bãi biển Cát Cò 2 vào ban đêm."


@pytest.fixture
def denunciation(session) -> Petition:
    msg = InboundMessage(consent=True, channel="web", content=CONTENT, unit=UNIT, kind="to_cao", category="moi_truong",
                         petitioner=PersonData(name=NAME, phone=PHONE, address=ADDRESS, id_number=ID_NUMBER),
                         attachments=[AttachmentData("but-tich-khang.png", png_bytes())])
    petition = submit(session, msg, Actor(label="Công dân"), now=utcnow() - dt.timedelta(hours=1)).petition
    session.commit()
    assert petition.lead_office.code == "phong_kinh_te"
    return petition


def leaks(text: str) -> list[str]:
    return [x for x in IDENTITY if x in text]


def bearer(session, username: str) -> dict[str, str]:
    token = accounts.create_token(session, username)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def views(session, username: str, code: str) -> int:
    session.expire_all()
    user = session.scalar(select(User).where(User.username == username))
    return len(session.scalars(select(AuditEntry).where(AuditEntry.action == "view_identity",
                                                        AuditEntry.user_id == user.id,
                                                        AuditEntry.object_id == code)).all())


def console_pages(client, p: Petition) -> dict[str, object]:
    file_id = p.attachments[0].id
    return {"inbox": client.get("/can-bo/don"), "search": client.get("/can-bo/don?q=hai+san&kind=to_cao"),
            "petition": client.get(f"/can-bo/don/{p.code}"),
            "attachment": client.get(f"/can-bo/don/{p.code}/tep/{file_id}")}


def api_answers(client, headers, p: Petition) -> dict[str, object]:
    return {"list": client.get("/api/v1/petitions", headers=headers),
            "detail": client.get(f"/api/v1/petitions/{p.code}", headers=headers)}


def test_plain_staff_of_the_handling_office_never_sees_the_denouncer(app, login_as, session, denunciation):
    p = denunciation
    client = login_as("staff", office="phong_kinh_te", username="kt_thuong")
    pages = console_pages(client, p)
    assert pages["petition"].status_code == 200 and pages["inbox"].status_code == 200
    for listing in ("inbox", "search"):  # listed, so the check below means something
        assert p.code in pages[listing].get_data(as_text=True), listing
        assert HIDDEN_DENOUNCER in pages[listing].get_data(as_text=True), listing
    html = pages["petition"].get_data(as_text=True)
    assert HIDDEN_DENOUNCER in html and "xả nước thải" in html  # the case, without the person
    assert "but-tich-khang" not in html and "/tep/" not in html  # no file (handwriting), not even its name
    assert pages["attachment"].status_code == 403
    for name, answer in pages.items():
        assert leaks(answer.get_data(as_text=True)) == [], name
    headers = bearer(session, "kt_thuong")
    answers = api_answers(app.test_client(), headers, p)
    assert answers["detail"].status_code == 200 and p.code in answers["list"].get_data(as_text=True)
    assert answers["detail"].get_json()["people"][0]["name"] == HIDDEN_DENOUNCER
    action = app.test_client().post(f"/api/v1/petitions/{p.code}/actions", json={"action": "accept"},
                                    headers=headers)
    assert action.status_code == 200
    for name, answer in {**answers, "action": action}.items():
        assert leaks(answer.get_data(as_text=True)) == [], name
    # The page after the action (notices, events) still hides the person.
    assert leaks(client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)) == []
    assert views(session, "kt_thuong", p.code) == 0


def test_another_office_gets_404_everywhere(app, login_as, session, denunciation):
    p = denunciation
    client = login_as("staff", office="phong_vhxh", username="vh_khac")
    pages = console_pages(client, p)
    assert pages["petition"].status_code == 404 and pages["attachment"].status_code == 404
    html = pages["petition"].get_data(as_text=True)
    token = csrf_of(client.get("/can-bo/tai-khoan").get_data(as_text=True))
    posted = client.post(f"/can-bo/don/{p.code}/thao-tac/note", data={"csrf_token": token, "text": "x"})
    assert posted.status_code == 404
    headers = bearer(session, "vh_khac")
    answers = api_answers(app.test_client(), headers, p)
    assert answers["detail"].status_code == 404
    assert p.code not in answers["list"].get_data(as_text=True) and "xả nước thải" not in html
    assert p.code not in pages["inbox"].get_data(as_text=True)
    for name, answer in {**pages, **answers}.items():
        assert leaks(answer.get_data(as_text=True)) == [], name


@pytest.mark.parametrize("role,office", [("staff", "van_phong"), ("assignee", "phong_kinh_te"),
                                         ("office_head", "phong_kinh_te"), ("chairperson", None),
                                         ("inspector", None)])
def test_those_who_handle_the_case_see_it_and_each_view_is_logged(app, login_as, session, denunciation, role,
                                                                    office):
    p = denunciation
    username = f"xem_{role}"
    client = login_as("staff" if role == "assignee" else role, office=office, username=username)
    if role == "assignee":
        user = session.scalar(select(User).where(User.username == username))
        casework.assign(session, session.get(Petition, p.id), user, Actor(label="Trưởng phòng", role="office_head"))
        session.commit()
    html = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert leaks(html) == list(IDENTITY), "the handler sees name, phone, address and ID number"
    assert "Luật Tố cáo Điều 47" in html and "but-tich-khang.png" in html
    assert views(session, username, p.code) == 1
    client.get(f"/can-bo/don/{p.code}")
    assert views(session, username, p.code) == 2  # every view, not the first one only
    download = client.get(f"/can-bo/don/{p.code}/tep/{p.attachments[0].id}")
    assert download.status_code == 200 and download.data == png_bytes()
    detail = app.test_client().get(f"/api/v1/petitions/{p.code}", headers=bearer(session, username))
    assert detail.status_code == 200 and detail.get_json()["people"][0]["name"] == NAME


def test_anonymous_denunciation_is_marked(login_as, session):
    msg = InboundMessage(channel="web", content=CONTENT, unit=UNIT, kind="to_cao", category="moi_truong",
                         anonymous=True)
    p = submit(session, msg, Actor(label="Công dân"), now=utcnow() - dt.timedelta(hours=1)).petition
    session.commit()
    html = login_as("staff").get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert "Tố cáo nặc danh" in html and "Điều 25" in html


def test_api_detail_view_of_personal_data_is_audited(session, client):
    from sqlalchemy import select

    from service.domain.inbound import CITIZEN, InboundMessage, PersonData
    from service.domain.intake.operations import submit
    from service.models.user import AuditEntry
    from tests.helpers import staff_token

    token = staff_token(session, username="vp-api-audit")
    petition = submit(session, InboundMessage(
        channel="web", unit="11914", kind="kien_nghi", content="Đề nghị sửa đèn đường ở thôn Đông, hỏng đã lâu.",
        petitioner=PersonData(name="Trần Thị Mai", phone="0912345678"), consent=True), CITIZEN).petition
    session.commit()
    answer = client.get(f"/api/v1/petitions/{petition.code}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.get_json()["people"][0]["name"] == "Trần Thị Mai"
    session.expire_all()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "view_identity",
                                                    AuditEntry.object_id == petition.code)).all()
    assert len(rows) == 1 and rows[0].data["via"] == "api"
