"""Keyset pagination (issue #19): walking by cursor gives the inbox order of the offset pages, for every filter,
never a petition the user may not list, and refuses a cursor that is not ours."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from service.domain.casework import paging, search
from service.domain.people.access import visible_petitions
from service.models import Deadline
from tests import factories
from tests.factories import builder

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.timezone.utc)

make = builder(content="Đèn đường hỏng.", unit="11914", address=None, consent=True, now=NOW)


def user(session, role="staff", office="van_phong", name=None):
    office = office if role in ("staff", "office_head") else None
    return factories.user(session, name or f"{role}-{office}", role, "11914", office, commit=False)


def spread(session, n=29, seed=5):
    """n petitions: due dates spread around NOW (some equal), a quarter with no open deadline left."""
    rng = random.Random(seed)
    petitions = [make(session, f"Việc số {i} ở đường Hà Sen.", now=NOW - dt.timedelta(hours=i % 9))
                 for i in range(n)]
    session.flush()
    for i, petition in enumerate(petitions):
        for d in session.scalars(select(Deadline).where(Deadline.petition_id == petition.id)):
            d.due_at = NOW + dt.timedelta(days=rng.choice([-9, -2, -2, 1, 1, 3, 20, 20, 40]))
            if i % 4 == 0:
                d.met_at = NOW
    session.flush()
    return petitions


def by_cursor(session, who, f, per_page):
    seen, after, pages = [], None, 0
    while True:
        rows, more, cursor = paging.walk(session, who, f, per_page=per_page, after=after, now=NOW)
        seen += [p.code for p, _, _ in rows]
        pages += 1
        if not more:
            assert cursor is None
            return seen, pages
        after = paging.decode(cursor.encode())  # through its text, as a link carries it
        assert pages < 50


def by_offset(session, who, f, per_page):
    seen, page = [], 1
    while True:
        rows, more = search.page_rows(session, who, f, page=page, per_page=per_page, now=NOW)
        seen += [p.code for p, _, _ in rows]
        if not more:
            return seen
        page += 1


@pytest.mark.parametrize("f", [search.PetitionFilters(), search.PetitionFilters(overdue=True),
                               search.PetitionFilters(overdue=False), search.PetitionFilters(due_soon=True),
                               search.PetitionFilters(q="duong ha sen"), search.PetitionFilters(kind="phan_anh")])
def test_the_cursor_walk_lists_what_the_pages_list_in_the_same_order(session, f):
    spread(session)
    clerk = user(session)
    offset = by_offset(session, clerk, f, 4)
    walked, pages = by_cursor(session, clerk, f, 4)
    assert walked == offset and len(set(walked)) == len(walked)
    assert pages == max(1, -(-len(offset) // 4))
    if f in (search.PetitionFilters(), search.PetitionFilters(q="duong ha sen")):
        assert len(walked) == 29  # both parts: nearest deadline first, then the ones without, newest first


def test_a_cursor_never_brings_a_petition_the_user_may_not_list(session):
    spread(session, 12)
    secret = make(session, "Tố cáo cán bộ thu tiền.", kind="to_cao", category="can_bo_cong_vu")
    session.flush()
    triage, clerk = user(session), user(session, "staff", "phong_vhxh")
    everything, _ = by_cursor(session, triage, search.PetitionFilters(), 3)
    assert secret.code in everything
    allowed = {p.code for p in session.scalars(visible_petitions(clerk))}
    # Every position of the triage clerk's walk, handed to the other clerk, lists only what the policy allows.
    cursors, after = [None], None
    while True:
        _, more, after = paging.walk(session, triage, search.PetitionFilters(), per_page=1, after=after, now=NOW)
        if not more:
            break
        cursors.append(after)
    assert len(cursors) == len(everything)
    for after in cursors:
        rows, _, _ = paging.walk(session, clerk, search.PetitionFilters(), per_page=3, after=after, now=NOW)
        assert {p.code for p, _, _ in rows} <= allowed
    assert secret.code not in allowed


@pytest.mark.parametrize("text", ["abc", "!!!", "x1.1", "d1795402800", "d-1.1", "d1.-1", "r", "r1.1", "n1.1.1",
                                  "d" + "9" * 19 + ".1", "A" * 300])
def test_a_cursor_that_is_not_ours_is_a_bad_filter(text):
    with pytest.raises(search.BadFilter) as info:
        paging.decode(text)
    assert "after" in info.value.fields and "vị trí trang" in info.value.message


def test_a_cursor_reads_back_as_written():
    cursor = paging.Cursor("d", dt.datetime(2026, 11, 23, 3, 0, 0, 123456, tzinfo=dt.timezone.utc), 41)
    assert paging.decode(cursor.encode()) == cursor and paging.decode("") is None
    assert paging.decode(paging.Cursor("r", None, 40).encode()) == paging.Cursor("r", None, 40)
    assert cursor.encode() == "d1795402800123456.41"


def test_every_text_of_the_documented_pattern_is_a_cursor():
    # The API document states CURSOR_PATTERN (issue #18): whatever it admits is decoded, a time beyond the calendar
    # included (it walks past the last row: an empty page, not an error).
    assert paging.decode("d" + "9" * 18 + "." + "9" * 18).at.year == 9999
    assert paging.decode("n0.0") == paging.Cursor("n", paging.EPOCH, 0)
    assert paging.decode("r999999999") == paging.Cursor("r", None, 999999999)


def test_a_ranked_cursor_on_a_list_without_a_search_starts_at_the_top(session):
    spread(session, 6)
    clerk = user(session)
    top, _, _ = paging.walk(session, clerk, search.PetitionFilters(), per_page=3, now=NOW)
    again, _, _ = paging.walk(session, clerk, search.PetitionFilters(), per_page=3, now=NOW,
                              after=paging.Cursor("r", None, 3))
    assert [p.id for p, _, _ in again] == [p.id for p, _, _ in top]


def test_a_name_search_compiles_to_an_index_condition_on_postgresql_and_keeps_its_name_in_the_cache_key():
    from sqlalchemy.dialects import postgresql, sqlite

    from service.domain.casework import lookup
    from service.models import Petition, User

    admin = User(role="admin", active=True)
    stmt = select(Petition.id).where(lookup.clause(admin, "Lê Văn Cường"))
    assert "= ANY(ARRAY(SELECT people.petition_id" in str(stmt.compile(dialect=postgresql.dialect()))
    assert "IN (SELECT people.petition_id" in str(stmt.compile(dialect=sqlite.dialect()))
    other = select(Petition.id).where(lookup.clause(admin, "Trần Thị Bình"))
    values = [[b.value for b in s._generate_cache_key().bindparams] for s in (stmt, other)]
    assert "le van cuong" in values[0] and "tran thi binh" in values[1]
