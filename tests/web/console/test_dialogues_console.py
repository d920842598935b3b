"""Console Đối thoại: roles, create → announce → register → minutes → commitments → close, the briefing page,
its edits and downloads."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from service.domain.dialogues import speakers
from service.domain.documents.administrative import docx_text
from service.domain.people.access import HIDDEN_DENOUNCER
from service.domain.routing.units import find_unit
from service.models import AuditEntry, Commitment, DialogueSession, OutboxMessage
from tests.domain.test_dialogue import DENOUNCER, DENOUNCER_PHONE, UNIT, known_data
from tests.web.console.conftest import csrf_of
from tests.helpers import vn_today

URL = "/can-bo/doi-thoai"


def day(days_ahead: int) -> str:
    return f"{vn_today() + dt.timedelta(days=days_ahead):%d/%m/%Y}"


def create(client, days_ahead=10, **extra):
    page = client.get(URL)
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "date": day(days_ahead), "time": "08:30",
            "place": "Hội trường UBND phường", "chair": "Phạm Văn Chủ", "topics": "Môi trường\nĐất đai",
            "participants": ["phong_kinh_te"], **extra}
    return client.post(URL, data=data)


def post(client, path, **data):
    page = client.get(URL)
    return client.post(path, data={"csrf_token": csrf_of(page.get_data(as_text=True)), **data})


def test_roles_chairperson_and_van_phong_yes_other_offices_403(login_as):
    assert login_as("chairperson", unit=UNIT).get(URL).status_code == 200
    assert login_as("staff", unit=UNIT, office="van_phong").get(URL).status_code == 200
    other = login_as("staff", unit=UNIT, office="phong_kinh_te")
    assert other.get(URL).status_code == 403
    assert login_as("inspector").get(URL).status_code == 403
    chair = login_as("chairperson", unit=UNIT)
    r = create(chair)
    assert r.status_code == 303
    page = r.headers["Location"]
    assert other.get(page).status_code == 403
    assert login_as("chairperson", unit="11341").get(page).status_code == 403  # another unit's chairperson
    assert other.get(page + "/tai-lieu.docx").status_code == 403


def test_create_shows_errors_in_vietnamese(login_as):
    client = login_as("staff", unit=UNIT, office="van_phong")
    r = create(client, days_ahead=-3, place="", topics="")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Ngày đối thoại phải sau thời điểm hiện tại." in html
    assert "Cần nhập địa điểm." in html


def test_whole_session_from_the_console(login_as, session):
    p = known_data(session)
    client = login_as("staff", unit=UNIT, office="van_phong")
    r = create(client, days_ahead=5)
    page = r.headers["Location"]
    sid = int(page.rsplit("/", 1)[1])
    r = post(client, f"{page}/thong-bao")
    assert r.status_code == 409 and "ít nhất 7 ngày" in r.get_data(as_text=True)
    ds = session.get(DialogueSession, sid)
    ds.starts_at = ds.starts_at + dt.timedelta(days=5)  # the chairperson moves it
    session.commit()
    assert post(client, f"{page}/thong-bao").status_code == 303
    ds = session.get(DialogueSession, sid)
    session.refresh(ds)
    assert ds.status == "announced"
    speakers.register(session, ds, name=DENOUNCER, phone=DENOUNCER_PHONE, question="Xử lý cán bộ chưa?",
                      petition_code=p["denounce"].code)
    session.commit()
    html = client.get(page).get_data(as_text=True)
    assert HIDDEN_DENOUNCER in html and DENOUNCER not in html
    reg_id = speakers.registrations_of(session, ds)[0].id
    r = post(client, f"{page}/phat-bieu", registration_id=str(reg_id), title="Hỏi về xử lý cán bộ",
             answer="Đang xác minh.", office="van_phong")
    assert r.status_code == 303
    r = post(client, f"{page}/cam-ket", text="", office="phong_kinh_te", due="hôm qua")
    assert r.status_code == 422 and "Ngày không hợp lệ" in r.get_data(as_text=True)
    r = post(client, f"{page}/cam-ket", text="Sửa đường bê tông tổ 3", office="phong_kinh_te", due=day(30),
             petitions=p["road"].code)
    assert r.status_code == 303
    c = session.scalar(select(Commitment).where(Commitment.session_id == sid))
    assert c.petition_ids == [p["road"].id]
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.dedupe_key == f"commitment:{c.id}:made:petition:{p['road'].id}")) == 1
    assert post(client, f"{page}/ket-thuc").status_code == 409  # not held yet
    r = post(client, f"{page}/cam-ket/{c.id}/hoan-thanh", result="")
    assert r.status_code == 422
    r = post(client, f"{page}/cam-ket/{c.id}/hoan-thanh", result="Đã đổ bê tông lại.")
    assert r.status_code == 303
    session.refresh(c)
    assert c.status == "done"
    docx = client.get(f"{page}/ket-luan.docx")
    assert docx.status_code == 200 and "Sửa đường bê tông tổ 3" in docx_text(docx.data)
    assert HIDDEN_DENOUNCER in docx_text(docx.data) and DENOUNCER not in docx_text(docx.data)
    actions = session.scalars(select(AuditEntry.data).where(AuditEntry.action == "dialogue_changed")).all()
    assert [a["step"] for a in actions] == ["created", "announce", "speech", "commitment", "commitment_done"]


def test_briefing_page_edits_recompile_and_downloads(login_as, session):
    known_data(session)
    client = login_as("chairperson", unit=UNIT)
    page = create(client).headers["Location"]
    html = client.get(f"{page}/tai-lieu").get_data(as_text=True)
    unit = find_unit(session, UNIT)
    from service.domain.dialogues.briefing import open_count
    assert f"Đơn đang giải quyết: <strong>{open_count(session, unit.id)}</strong>" in html
    assert "Đông người" in html and "Phức tạp, kéo dài" in html and "Nạo vét mương" in html
    r = post(client, f"{page}/tai-lieu", intro="Kính trình Chủ tịch.", note_flagged="Vụ xưởng gỗ cần ưu tiên.")
    assert r.status_code == 303
    r = post(client, f"{page}/tai-lieu/tong-hop-lai")
    assert r.status_code == 303
    html = client.get(f"{page}/tai-lieu").get_data(as_text=True)
    assert "Kính trình Chủ tịch." in html and "Vụ xưởng gỗ cần ưu tiên." in html
    docx = client.get(f"{page}/tai-lieu.docx")
    assert docx.status_code == 200 and "Kính trình Chủ tịch." in docx_text(docx.data)
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")) == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_briefing_pdf_from_the_console(login_as, session):
    known_data(session)
    client = login_as("staff", unit=UNIT, office="van_phong")
    page = create(client).headers["Location"]
    r = client.get(f"{page}/tai-lieu.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
