"""Bulk actions of the inbox (issue 20 point 1): assign, route, mark read, each with "Hoàn tác"; audited; only
on the petitions the access policy lets the user act on."""
from __future__ import annotations

import re

from sqlalchemy import select

from service.models.console import PetitionRead
from service.models.petition import Petition
from service.models.user import AuditEntry, User
from tests.factories import builder
from tests.web.console.conftest import csrf_of

UNIT = "11914"
make = builder(content="Đèn đường hỏng ở tổ dân phố 3.", unit=UNIT, consent=True, days_ago=1, commit=True)


def bulk(client, op, codes, **form):
    token = csrf_of(client.get("/can-bo/don").get_data(as_text=True))
    return client.post("/can-bo/don/hang-loat", data={"csrf_token": token, "op": op, "codes": codes,
                                                      "back": "/can-bo/don", **form})


def undo(client):
    html = client.get("/can-bo/don").get_data(as_text=True)
    entry = re.search(r'name="entry" value="(\d+)"', html)
    assert entry and "Hoàn tác" in html
    return client.post("/can-bo/don/hang-loat/hoan-tac", data={"csrf_token": csrf_of(html), "entry": entry.group(1),
                                                              "back": "/can-bo/don"})


def fresh(session, p) -> Petition:
    session.expire_all()
    return session.get(Petition, p.id)


def test_bulk_assign_and_undo(session, login_as, make_user):
    a, b = make(session), make(session, "Ổ gà lớn trên đường trục xã.")
    assert fresh(session, a).lead_office.code == "phong_kinh_te" == fresh(session, b).lead_office.code
    worker = make_user("kt_an", "staff", unit=UNIT, office="phong_kinh_te", full_name="Trần Văn An")
    vp = login_as("staff", office="van_phong")
    done = bulk(vp, "assign", [a.code, b.code], assignee=str(worker.id))
    assert done.status_code == 303
    assert fresh(session, a).assignee_id == worker.id == fresh(session, b).assignee_id
    page = vp.get("/can-bo/don").get_data(as_text=True)
    assert "Đã thực hiện: giao người xử lý 2 đơn." in page and "Trần Văn An" in page  # the assignee column
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "bulk_action"))
    assert entry.data["op"] == "assign" and {s["code"] for s in entry.data["before"]} == {a.code, b.code}
    assert undo(vp).status_code == 303
    assert fresh(session, a).assignee_id is None and fresh(session, b).assignee_id is None
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "bulk_undo")).object_id == str(entry.id)
    assert 'name="entry"' not in vp.get("/can-bo/don").get_data(as_text=True)  # undone once only


def test_bulk_acts_only_where_the_policy_allows(session, login_as, make_user):
    """A plain staff member may not assign; another unit's petition does not exist for them."""
    mine = make(session)
    elsewhere = make(session, unit="11737")
    worker = make_user("kt_binh", "staff", unit=UNIT, office="phong_kinh_te")
    plain = login_as("staff", office="phong_kinh_te")
    assert bulk(plain, "assign", [mine.code, elsewhere.code], assignee=str(worker.id)).status_code == 303
    assert fresh(session, mine).assignee_id is None and fresh(session, elsewhere).assignee_id is None
    assert "Bỏ qua 2 đơn" in plain.get("/can-bo/don").get_data(as_text=True)
    head = login_as("office_head", office="phong_kinh_te")
    bulk(head, "assign", [mine.code, elsewhere.code], assignee=str(worker.id))
    assert fresh(session, mine).assignee_id == worker.id and fresh(session, elsewhere).assignee_id is None
    chair = login_as("chairperson")
    assert bulk(chair, "read", [mine.code]).status_code == 403  # read-only roles have no bulk actions


def test_bulk_route_and_undo(session, login_as):
    a, b = make(session), make(session, "Ổ gà lớn trên đường trục xã.")
    vp = login_as("staff", office="van_phong")
    assert bulk(vp, "route", [a.code, b.code], office="phong_vhxh").status_code == 303
    assert {fresh(session, a).lead_office.code, fresh(session, b).lead_office.code} == {"phong_vhxh"}
    assert undo(vp).status_code == 303
    assert {fresh(session, a).lead_office.code, fresh(session, b).lead_office.code} == {"phong_kinh_te"}


def test_mark_read_and_undo(session, login_as):
    a, b = make(session), make(session, "Ổ gà lớn trên đường trục xã.")
    vp = login_as("staff", office="van_phong")
    html = vp.get("/can-bo/don").get_data(as_text=True)
    assert html.count('class="inbox__unread"') == 2
    vp.get(f"/can-bo/don/{b.code}")  # opening a petition reads it
    bulk(vp, "read", [a.code, b.code])
    assert 'class="inbox__unread"' not in vp.get("/can-bo/don").get_data(as_text=True)
    undo(vp)
    html = vp.get("/can-bo/don").get_data(as_text=True)
    assert f'class="inbox__unread" data-row="{a.code}"' in html and f'data-row="{b.code}"' in html
    assert f'class="inbox__unread" data-row="{b.code}"' not in html  # b had been read before: it stays read
    user = session.scalar(select(User).where(User.username == vp.username))
    assert session.scalar(select(PetitionRead.petition_id).where(PetitionRead.user_id == user.id)) == b.id


def test_per_page_and_page_count(session, login_as):
    for i in range(23):
        make(session, f"Đèn đường hỏng ở tổ {i}.")
    vp = login_as("staff", office="van_phong")
    html = vp.get("/can-bo/don").get_data(as_text=True)
    assert "Trang 1/2 · 23 đơn, 20 đơn mỗi trang" in html and html.count('name="codes"') == 20
    html = vp.get("/can-bo/don?per_page=50").get_data(as_text=True)
    assert "Trang 1/1 · 23 đơn, 50 đơn mỗi trang" in html and html.count('name="codes"') == 23
    assert 'name="per_page"' in html
