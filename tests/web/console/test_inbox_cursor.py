"""The inbox's "Trang sau" by cursor (issue #19): the same pages as page=, the filters kept, a bad cursor a 400."""
from __future__ import annotations

import re

from tests.web.console.test_inbox import codes_in, make


def next_link(response) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_next_link_carries_a_cursor_and_walks_every_page_like_page_numbers(session, login_as):
    made = [make(session, f"Đường hỏng số {i}.", days_ago=1 + i % 5) for i in range(45)]
    make(session, "Trợ cấp chậm.", kind="kien_nghi", category="chinh_sach_xa_hoi")
    clerk = login_as("staff", office="van_phong")
    response, seen, pages = clerk.get("/can-bo/don?kind=phan_anh"), [], 0
    while True:
        pages += 1
        seen.append(codes_in(response))
        link = next_link(response)
        if link is None:
            break
        assert "after=" in link and f"page={pages + 1}" in link and "kind=phan_anh" in link
        response = clerk.get(link)
        assert response.status_code == 200 and f"Trang {pages + 1}" in response.get_data(as_text=True)
    assert pages == 3 and [len(s) for s in seen] == [20, 20, 5]
    assert set().union(*seen) == {p.code for p in made}
    assert [codes_in(clerk.get(f"/can-bo/don?kind=phan_anh&page={n}")) for n in (1, 2, 3)] == seen
    assert 'rel="prev"' in response.get_data(as_text=True)  # back by page number


def test_a_search_pages_by_cursor_too(session, login_as):
    made = {make(session, f"Đèn đường hỏng số {i}.").code for i in range(23)}
    clerk = login_as("staff", office="van_phong")
    first = clerk.get("/can-bo/don?q=den+duong")
    second = clerk.get(next_link(first))
    assert "after=" in next_link(first) and next_link(second) is None
    assert codes_in(first) | codes_in(second) == made and not codes_in(first) & codes_in(second)


def test_a_cursor_keeps_the_policy_an_office_clerk_sees_no_denunciation_of_another_office(session, login_as):
    for i in range(25):
        make(session, f"Việc số {i}.", days_ago=1 + i % 3)
    secret = make(session, "Tố cáo cán bộ nhận tiền.", kind="to_cao", category="can_bo_cong_vu")
    triage = login_as("staff", office="van_phong", username="vp1")
    link = next_link(triage.get("/can-bo/don"))
    clerk = login_as("staff", office="phong_vhxh", username="vhxh1")
    html = clerk.get(link).get_data(as_text=True)
    assert secret.code not in html and "Tố cáo cán bộ nhận tiền" not in html


def test_a_cursor_that_is_not_ours_is_a_400_in_vietnamese(login_as):
    answer = login_as("staff", office="van_phong").get("/can-bo/don?after=not-a-cursor&page=2")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Bộ lọc không hợp lệ" in html and "Vị trí trang" in html
