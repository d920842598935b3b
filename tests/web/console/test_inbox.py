"""The staff inbox through HTTP: who sees what, every filter, search, paging, counts, secrecy, bad input."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from service.db import utcnow
from service.domain.people.access import HIDDEN_DENOUNCER
from service.models import Deadline, Flag, Petition, User
from tests.factories import builder

UNIT, OTHER_UNIT = "11914", "11737"


make = builder(content="Đèn đường hỏng ở tổ dân phố 3.", unit=UNIT, address="Số 5 đường Hà Sen", consent=True,
               days_ago=1, commit=True)


def codes_in(response) -> set[str]:
    return set(re.findall(r'<th scope="row"><a href="/can-bo/don/([A-Z0-9-]+)"', response.get_data(as_text=True)))


def set_due(session, petition, due: dt.datetime) -> None:
    for deadline in session.scalars(select(Deadline).where(Deadline.petition_id == petition.id)):
        deadline.due_at = due
    session.commit()


def test_the_inbox_needs_a_login(client):
    answer = client.get("/can-bo/don")
    assert answer.status_code == 302 and "/can-bo/dang-nhap" in answer.headers["Location"]


def test_office_staff_see_their_office_and_what_is_assigned_to_them(session, login_as):
    roads = make(session)  # phong_kinh_te
    school = make(session, "Trường học thiếu phòng học.", kind="kien_nghi", category="chinh_sach_xa_hoi")
    elsewhere = make(session, unit=OTHER_UNIT)
    clerk = login_as("staff", office="phong_kinh_te")
    assert codes_in(clerk.get("/can-bo/don")) == {roads.code}
    me = session.scalar(select(User).where(User.username == clerk.username))
    session.get(Petition, school.id).assignee_id = me.id
    session.commit()
    assert codes_in(clerk.get("/can-bo/don")) == {roads.code, school.code}
    assert codes_in(clerk.get("/can-bo/don?mine=1")) == {school.code}
    assert elsewhere.code not in codes_in(login_as("staff", office="van_phong").get("/can-bo/don"))


def test_van_phong_and_chairperson_see_the_whole_unit_admin_sees_every_unit(session, login_as):
    roads, school = make(session), make(session, "Trợ cấp chậm.", kind="kien_nghi", category="chinh_sach_xa_hoi")
    elsewhere = make(session, unit=OTHER_UNIT)
    assert codes_in(login_as("staff", office="van_phong").get("/can-bo/don")) == {roads.code, school.code}
    assert codes_in(login_as("office_head", office="van_phong").get("/can-bo/don")) == {roads.code, school.code}
    assert codes_in(login_as("chairperson").get("/can-bo/don")) == {roads.code, school.code}
    admin = login_as("admin")
    assert codes_in(admin.get("/can-bo/don")) == {roads.code, school.code, elsewhere.code}
    assert codes_in(admin.get(f"/can-bo/don?unit={OTHER_UNIT}")) == {elsewhere.code}


def test_inspectors_see_denunciations_and_mass_or_prolonged_cases_only(session, login_as):
    plain = make(session)
    denunciation = make(session, "Tố cáo công ty xả thải ra sông.", kind="to_cao", category="moi_truong")
    crowd = make(session, "Đường ngập nước, đề nghị sửa.", unit=OTHER_UNIT, co_signers=6)
    session.add(Flag(code="dong_nguoi", petition_id=crowd.id))  # whether or not intake raised it already
    session.commit()
    page = login_as("inspector").get("/can-bo/don")
    assert codes_in(page) == {denunciation.code, crowd.code}
    assert plain.code not in page.get_data(as_text=True)
    assert "Đông người" in page.get_data(as_text=True)


def test_a_denouncer_is_hidden_from_plain_office_staff_and_shown_to_triage(session, login_as):
    denunciation = make(session, "Tố cáo công ty xả thải ra sông.", kind="to_cao", category="moi_truong",
                        name="Lê Thị Tố Giác")
    anonymous = make(session, "Tố cáo có người đổ trộm rác thải.", kind="to_cao", category="moi_truong",
                     anonymous=True)
    clerk = login_as("staff", office="phong_kinh_te").get("/can-bo/don").get_data(as_text=True)
    assert denunciation.code in clerk and "Lê Thị Tố Giác" not in clerk and HIDDEN_DENOUNCER in clerk
    assert anonymous.code in clerk and "Tố cáo nặc danh" in clerk
    triage = login_as("staff", office="van_phong").get("/can-bo/don").get_data(as_text=True)
    assert "Lê Thị Tố Giác" in triage and HIDDEN_DENOUNCER not in triage
    head = login_as("office_head", office="phong_kinh_te").get("/can-bo/don").get_data(as_text=True)
    assert "Lê Thị Tố Giác" in head  # the head of the handling office (Luật Tố cáo Điều 47 k2)


def test_search_ignores_diacritics_and_finds_tracking_codes(session, login_as):
    road = make(session, "Mặt đường Hà Sen ngập nước sau mưa.")
    light = make(session, "Đèn chiếu sáng công cộng bị tắt.")
    clerk = login_as("staff", office="van_phong")
    assert codes_in(clerk.get("/can-bo/don?q=duong+ngap")) == {road.code}
    assert codes_in(clerk.get("/can-bo/don?q=ĐƯỜNG")) == {road.code}
    assert codes_in(clerk.get("/can-bo/don?q=den+chieu+sang")) == {light.code}
    assert codes_in(clerk.get(f"/can-bo/don?q={light.code.lower()}")) == {light.code}
    assert codes_in(clerk.get("/can-bo/don?q=100%25")) == set()  # LIKE wildcards are escaped


def test_each_filter_narrows_the_list(session, login_as):
    roads = make(session, channel="web", days_ago=10)
    complaint = make(session, "Khiếu nại quyết định bồi thường đất.", kind="khieu_nai", category="dat_dai",
                     channel="hotline", days_ago=3)
    school = make(session, "Trợ cấp chậm.", kind="kien_nghi", category="chinh_sach_xa_hoi", channel="zalo")
    session.get(Petition, school.id).needs_review = True
    session.get(Petition, school.id).status = "accepted"
    session.add(Flag(code="phuc_tap_keo_dai", petition_id=complaint.id))
    session.commit()
    set_due(session, roads, utcnow() - dt.timedelta(days=2))
    set_due(session, complaint, utcnow() + dt.timedelta(hours=20))
    set_due(session, school, utcnow() + dt.timedelta(days=40))
    clerk = login_as("staff", office="van_phong")
    received = lambda p: p.received_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()  # noqa: E731
    cases = {
        "kind=khieu_nai": {complaint.code}, "category=chinh_sach_xa_hoi": {school.code},
        "channel=hotline": {complaint.code}, "status=accepted": {school.code},
        "flag=phuc_tap_keo_dai": {complaint.code}, "office=phong_vhxh": {school.code},
        "office=phong_kinh_te": {roads.code, complaint.code}, "review=1": {school.code},
        "overdue=1": {roads.code}, "due_soon=1": {complaint.code},
        f"from={received(complaint):%d/%m/%Y}": {complaint.code, school.code},
        f"to={received(roads):%Y-%m-%d}": {roads.code},
        f"from={received(complaint):%d/%m/%Y}&to={received(complaint):%d/%m/%Y}": {complaint.code},
        "kind=phan_anh&overdue=1": {roads.code}, "kind=kien_nghi&overdue=1": set(),
    }
    for query, expected in cases.items():
        assert codes_in(clerk.get(f"/can-bo/don?{query}")) == expected, query


def test_rows_come_nearest_deadline_first_with_badges(session, login_as):
    later, late, soon = make(session, "Một."), make(session, "Hai."), make(session, "Ba.")
    set_due(session, later, utcnow() + dt.timedelta(days=30))
    set_due(session, late, utcnow() - dt.timedelta(days=3))
    set_due(session, soon, utcnow() + dt.timedelta(hours=12))
    html = login_as("staff", office="van_phong").get("/can-bo/don").get_data(as_text=True)
    order = re.findall(r'<th scope="row"><a href="/can-bo/don/([A-Z0-9-]+)"', html)
    assert order == [late.code, soon.code, later.code]
    assert "Quá hạn 3 ngày" in html and "badge--soon" in html and "Còn 30 ngày" in html


def test_paging_keeps_the_filters(session, login_as):
    made = [make(session, f"Đường hỏng số {i}.", days_ago=1 + i % 5) for i in range(23)]
    make(session, "Trợ cấp chậm.", kind="kien_nghi", category="chinh_sach_xa_hoi")
    clerk = login_as("staff", office="van_phong")
    first = clerk.get("/can-bo/don?q=duong&kind=phan_anh")
    html = first.get_data(as_text=True)
    assert len(codes_in(first)) == 20 and "23 đơn" in html
    next_link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "q=duong" in next_link and "kind=phan_anh" in next_link and "page=2" in next_link
    second = clerk.get(next_link)
    assert len(codes_in(second)) == 3 and not codes_in(first) & codes_in(second)
    assert codes_in(first) | codes_in(second) == {p.code for p in made}
    assert 'rel="prev"' in second.get_data(as_text=True) and 'rel="next"' not in second.get_data(as_text=True)
    assert codes_in(clerk.get("/can-bo/don?q=duong&page=9")) == set()


def test_counts_per_status_link_to_the_status_and_show_the_review_queue(session, login_as):
    for _ in range(3):
        make(session)
    odd = make(session, "Khiếu nại quyết định bồi thường đất.", kind="khieu_nai", category="dat_dai")
    session.get(Petition, odd.id).status = "accepted"
    session.get(Petition, odd.id).needs_review = True
    session.commit()
    clerk = login_as("staff", office="van_phong")
    html = clerk.get("/can-bo/don").get_data(as_text=True)
    counts = dict(re.findall(r'status=(\w+)"\s*>[^<]+<span class="badge">(\d+)</span>', html))
    assert counts == {"classified": "3", "accepted": "1"}
    assert re.search(r'Cần phân loại lại\s*<span class="badge badge--soon">1</span>', html)
    assert 'href="/can-bo/don?review=1"' in html
    narrowed = clerk.get("/can-bo/don?kind=khieu_nai").get_data(as_text=True)  # counts follow the other filters
    assert dict(re.findall(r'status=(\w+)"\s*>[^<]+<span class="badge">(\d+)</span>', narrowed)) == {"accepted": "1"}
    chosen = clerk.get("/can-bo/don?status=accepted").get_data(as_text=True)
    assert re.search(r'status=accepted" aria-current="true"', chosen)


@pytest.mark.parametrize("query, words", [
    ("kind=khieunai", "loại đơn"), ("status=dang_xu_ly", "trạng thái"), ("from=31/02/2026", "Từ ngày"),
    ("from=hom-qua", "Từ ngày"), ("from=10/10/2026&to=01/10/2026", "Đến ngày phải sau"),
    ("page=0", "Số trang"), ("page=abc", "Số trang"), ("overdue=maybe", "không hợp lệ"),
    ("unit=99999", "đơn vị hành chính"), ("office=phong_x", "cơ quan"), ("category=dat", "lĩnh vực"),
    ("q=" + "x" * 201, "dài quá"), ("flag=do", "cảnh báo"), ("channel=fax", "kênh tiếp nhận"),
])
def test_bad_filter_values_answer_400_with_a_vietnamese_message(login_as, query, words):
    answer = login_as("staff", office="van_phong").get(f"/can-bo/don?{query}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Bộ lọc không hợp lệ" in html and words in html
    assert query.startswith(("page=", "unit=")) or 'aria-invalid="true"' in html  # the wrong field is marked
    assert "Xóa bộ lọc" in html


def test_the_form_keeps_the_current_values(session, login_as):
    html = login_as("staff", office="van_phong").get(
        "/can-bo/don?kind=to_cao&q=đường&overdue=1&from=01/11/2026").get_data(as_text=True)
    assert '<option value="to_cao" selected>' in html
    assert 'value="đường"' in html and 'name="overdue" value="1" checked' in html and 'value="01/11/2026"' in html
    assert 'aria-current="page"' in html  # the nav marks the inbox


def test_one_page_costs_no_more_queries_for_twenty_rows_than_for_three(app, session, login_as, db_connection):
    clerk = login_as("staff", office="van_phong")
    engine = db_connection if db_connection is not None else app.extensions["db"].engine  # where the app's SQL runs
    statements: list[str] = []

    def listener(conn, cursor, statement, *rest) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not PostgreSQL's SET LOCAL
            statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert clerk.get("/can-bo/don").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    for i in range(3):
        make(session, f"Tố cáo công ty xả thải số {i}.", kind="to_cao", category="moi_truong", co_signers=5)
    few = queries()
    for i in range(20):
        make(session, f"Tố cáo công ty xả thải số {i + 3}.", kind="to_cao", category="moi_truong", co_signers=5)
    # with 3 rows the page also asks for petitions without an open deadline; the bulk bar's staff and offices,
    # the rows' assignees and read marks are one query each (issue 20)
    assert queries() <= few <= 17
