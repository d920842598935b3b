"""The web form's "Đơn có nhiều người cùng ký" section: a crowd names its 1-5 representatives (Luật Tiếp công
dân Điều 29), checked on the server (the form works without JavaScript), stored as co-signers with
`representative=True` and listed on the confirmation page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.domain.matters import flags
from service.domain.matters import operations as matters
from service.models.flag import Flag
from service.models.person import Person
from service.models.petition import Petition
from tests.web.test_public_pages import petition_count, submit, submitted_code

BELOW = str(flags.CROWD - 2)  # co-signers besides the sender: one person short of a crowd
CROWD = str(flags.CROWD - 1)  # exactly the threshold with the sender


def people_of(session, code: str) -> tuple[Petition, list[tuple[str, str | None, str | None, bool]]]:
    session.expire_all()
    petition = session.scalar(select(Petition).where(Petition.code == code))
    people = session.scalars(select(Person).where(Person.petition_id == petition.id).order_by(Person.id)).all()
    return petition, [(p.role, p.name, p.phone, p.representative) for p in people]


def assert_refused(response, database, before: int, field: str, message: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert petition_count(database) == before
    assert re.search(rf'<li><a href="#f-{field}">{re.escape(message)}', html), html[:3000]
    assert re.search(rf'id="f-{field}-error"><span class="visually-hidden">Lỗi: </span>{re.escape(message)}', html)
    return html


def test_form_offers_the_section_with_one_row_per_representative_the_law_allows(client):
    html = client.get("/gui-don").get_data(as_text=True)
    assert "4. Đơn có nhiều người cùng ký" in html
    assert f'data-crowd="{flags.CROWD}"' in html
    assert "từ 5 đến 10 người cử từ 1 đến 2 người, từ 11 người trở lên cử từ 1 đến 5 người" in html
    most = matters.representative_limits(1000)[1]
    assert len(re.findall(r'<fieldset class="rep" id="rep-\d"', html)) == most
    for n in range(1, most + 1):
        for part in ("name", "phone", "address"):
            assert f'<label for="f-rep-{n}-{part}">' in html and f'name="rep-{n}-{part}"' in html
    assert 'id="f-rep_self" name="rep_self"' in html
    # Without JavaScript every row is there to fill in: nothing is hidden by the server.
    assert not re.search(r'id="representatives"[^>]*hidden', html)


def test_a_crowd_with_its_representatives_is_stored_and_confirmed(client, session):
    code = submitted_code(client, co_signers="7", rep_self="1",
                          **{"rep-2-name": "Trần Thị Bình", "rep-2-phone": "0987 654 321", "rep-2-address": "Tổ 4"})
    petition, people = people_of(session, code)
    assert petition.co_signer_count == 7 and flags.petitioners_on(petition) == 8
    assert people == [("petitioner", "Nguyễn Văn An", "0912345678", True),
                      ("co_signer", "Trần Thị Bình", "0987654321", True)]
    assert not matters.needs_representatives(petition)
    assert session.scalar(select(Flag.id).where(Flag.petition_id == petition.id, Flag.code == flags.DONG_NGUOI))
    html = client.get(f"/da-gui/{code}").get_data(as_text=True)
    assert "Người đại diện" in html and "Đơn có 8 người cùng đứng tên" in html
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" in html
    assert "0987 *** 321" in html and "0987654321" not in html  # the page stays in the session: phones masked


def test_more_than_ten_people_may_name_five_representatives(client, session):
    reps = {f"rep-{n}-{part}": value for n in range(1, 6)
            for part, value in (("name", f"Người đại diện {n}"), ("phone", f"090000000{n}"))}
    code = submitted_code(client, co_signers="40", **reps)
    petition, people = people_of(session, code)
    assert petition.co_signer_count == 40
    assert [p[1:] for p in people[1:]] == [(f"Người đại diện {n}", f"090000000{n}", True) for n in range(1, 6)]
    assert people[0] == ("petitioner", "Nguyễn Văn An", "0912345678", False)


def test_below_the_threshold_nothing_is_asked(client, session):
    code = submitted_code(client, co_signers=BELOW)
    petition, people = people_of(session, code)
    assert petition.co_signer_count == flags.CROWD - 2 and len(people) == 1


def test_a_crowd_without_representatives_is_refused_with_a_field_error(client, database):
    before = petition_count(database)
    html = assert_refused(submit(client, co_signers=CROWD, title="Giữ tiêu đề"), database, before,
                          "representatives", f"Đơn có {flags.CROWD} người cùng đứng tên: vui lòng ghi họ tên, "
                                             "số điện thoại của người đại diện (từ 1 đến 2 người")
    assert 'value="Giữ tiêu đề"' in html and 'name="co_signers" type="number" min="0" max="1000" step="1"' in html


@pytest.mark.parametrize("co_signers, named", [("7", 3), ("40", 6)])
def test_more_representatives_than_the_law_allows_are_refused(client, database, co_signers, named):
    reps = {f"rep-{n}-{part}": value for n in range(1, 6)
            for part, value in (("name", f"Người {n}"), ("phone", f"091111111{n}"))
            if n <= named - (named > 5)}
    before = petition_count(database)
    response = submit(client, co_signers=co_signers, rep_self="1" if named > 5 else None, **reps)
    high = matters.representative_limits(int(co_signers) + 1)[1]
    assert_refused(response, database, before, "representatives",
                   f"Đơn có {int(co_signers) + 1} người cùng đứng tên chỉ cử tối đa {high} người đại diện; "
                   f"bạn đã ghi {named} người")


def test_representatives_without_a_crowd_or_for_an_anonymous_petition_are_refused(client, database):
    before = petition_count(database)
    row = {"rep-1-name": "Lê Văn Cường", "rep-1-phone": "0912000111"}
    assert_refused(submit(client, co_signers=BELOW, **row), database, before, "representatives",
                   f"Chỉ cử người đại diện khi có từ {flags.CROWD} người trở lên cùng đứng tên đơn")
    assert_refused(submit(client, kind="to_cao", anonymous="1", co_signers="9", **row), database, before,
                   "representatives", "Đơn gửi nặc danh không ghi người đại diện")


def test_each_representative_needs_a_name_and_a_valid_phone(client, database, session):
    before = petition_count(database)
    # Row 2 left empty: errors still land on the row the citizen filled in.
    assert_refused(submit(client, co_signers="20", **{"rep-1-name": "Lê Văn Cường", "rep-3-phone": "0912000111"}),
                   database, before, "rep-1-phone", "Cần nhập số điện thoại hoặc địa chỉ của người đại diện thứ 1.")
    html = assert_refused(submit(client, co_signers="20", **{"rep-1-name": "Lê Văn Cường", "rep-1-phone": "0912000111",
                                                             "rep-3-name": "Vũ Thị Hoa", "rep-3-phone": "12345"}),
                          database, before, "rep-3-phone", "Số điện thoại không phải số Việt Nam hợp lệ")
    assert 'value="Vũ Thị Hoa"' in html
    assert_refused(submit(client, co_signers="20", rep_self="1", name=""), database, before, "rep_self",
                   "Để là người đại diện, người gửi đơn cần ghi họ và tên của mình.")
