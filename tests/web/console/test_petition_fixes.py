"""The petition page's daily frictions (issue 20 point 3): flags shown once, one event per split, "xác nhận
phân loại" when nothing changed, dates dd/mm/yyyy, attachments previewed through the download's checks."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.domain.inbound import AttachmentData, PersonData
from service.models.event import Event
from service.models.flag import Flag
from service.models.petition import Petition
from tests.factories import builder
from tests.helpers import png_bytes
from tests.web.console.conftest import csrf_of

UNIT = "11914"
make = builder(content="Đèn đường trên tuyến đường Hà Sen bị hỏng nhiều tháng nay.", unit=UNIT,
               name="Phạm Thị Hoa", phone="0912000111", address="Thôn 3, Cát Bà", hours_ago=1, commit=True)
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def act(client, code, action, **form):
    token = csrf_of(client.get(f"/can-bo/don/{code}").get_data(as_text=True))
    return client.post(f"/can-bo/don/{code}/thao-tac/{action}", data={"csrf_token": token, **form})


def events(session, petition, kind):
    session.expire_all()
    return session.scalars(select(Event).where(Event.petition_id == petition.id, Event.kind == kind)).all()


def test_each_flag_is_shown_once_and_its_date_is_dd_mm_yyyy(login_as, session):
    p = make(session, co_signers=[PersonData(name=f"Người {i}", phone=f"091200020{i}", representative=i == 0)
                              for i in range(5)])
    assert session.scalar(select(Flag).where(Flag.petition_id == p.id, Flag.code == "dong_nguoi"))
    html = login_as("staff").get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert html.count(">Đông người</span>") == 1
    assert not re.search(r"\b20\d\d[/-]\d\d[/-]\d\d\b", re.sub(r'datetime="[^"]*"', "", html))
    assert re.search(r"từ \d\d/\d\d/20\d\d", html)


def test_one_split_writes_one_event_on_the_petition(login_as, session):
    a = make(session)
    b = make(session, content="Đèn đường trên tuyến đường Hà Sen vẫn hỏng, tối om.")
    session.expire_all()
    a, b = session.get(Petition, a.id), session.get(Petition, b.id)
    client = login_as("staff")
    if a.matter_id != b.matter_id:
        assert act(client, a.code, "merge_matter", other=f"#{b.matter_id}", reason="Cùng một tuyến").status_code == 303
    assert act(client, b.code, "split_matter", reason="Hai việc khác nhau").status_code == 303
    assert len(events(session, b, "matter_split")) == 1
    html = client.get(f"/can-bo/don/{b.code}").get_data(as_text=True)
    assert html.count('data-event="matter_split"') == 1
    # the matter left behind keeps its record (naming no petition) on the timeline of who stays
    assert client.get(f"/can-bo/don/{a.code}").get_data(as_text=True).count('data-event="matter_split"') == 1


def test_confirming_an_unchanged_classification_says_so(login_as, session):
    p = make(session)
    client = login_as("staff")
    done = act(client, p.code, "classify", kind=p.kind, category=p.category)
    assert done.status_code == 303
    html = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert "Đã thực hiện: xác nhận phân loại." in html and "sửa phân loại." not in html
    assert len(events(session, p, "classification_confirmed")) == 1 and not events(session, p, "reclassified")
    assert 'data-event="classification_confirmed"' in html and "Xác nhận phân loại" in html
    changed = act(client, p.code, "classify", kind="kien_nghi", category=p.category, reason="Là kiến nghị")
    assert changed.status_code == 303
    assert "Đã thực hiện: sửa phân loại." in client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert len(events(session, p, "reclassified")) == 1


def test_attachments_are_previewed_inline_through_the_same_checks(login_as, session):
    p = make(session, attachments=[AttachmentData("den-hong.png", png_bytes()), AttachmentData("don.pdf", PDF)])
    client = login_as("staff")
    html = client.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    session.expire_all()
    img, pdf = session.get(Petition, p.id).attachments
    assert f'<img src="/can-bo/don/{p.code}/tep/{img.id}/xem"' in html
    assert f'<iframe src="/can-bo/don/{p.code}/tep/{pdf.id}/xem"' in html
    shown = client.get(f"/can-bo/don/{p.code}/tep/{img.id}/xem")
    assert shown.status_code == 200 and shown.data == png_bytes()
    assert shown.headers["Content-Disposition"].startswith("inline")
    framed = client.get(f"/can-bo/don/{p.code}/tep/{pdf.id}/xem")
    assert framed.status_code == 200 and framed.mimetype == "application/pdf"
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_a_denouncers_scan_stays_sealed_in_preview(login_as, session):
    p = make(session, "Tố cáo cơ sở chế biến hải sản xả nước thải chưa xử lý ra bãi biển vào ban đêm.", kind="to_cao",
             category="moi_truong", attachments=[AttachmentData("but-tich.png", png_bytes())])
    session.expire_all()
    file_id = session.get(Petition, p.id).attachments[0].id
    assert session.get(Petition, p.id).lead_office.code == "phong_kinh_te"
    plain = login_as("staff", office="phong_kinh_te")
    assert plain.get(f"/can-bo/don/{p.code}").status_code == 200
    assert plain.get(f"/can-bo/don/{p.code}/tep/{file_id}/xem").status_code == 403
    assert "/xem" not in plain.get(f"/can-bo/don/{p.code}").get_data(as_text=True)
    assert login_as("staff", office="van_phong").get(f"/can-bo/don/{p.code}/tep/{file_id}/xem").status_code == 200
