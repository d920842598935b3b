"""Issue #19, the inbox at a city's scale: a word search is counted from its ranked candidates (exact up to
lookup.RANK_CAP, "more than" past it), a view of every unit counts up to CROSS_UNIT_COUNT_CAP, and the faster query
shapes (a unit's petitions first for an inspector, the newest matches by id) list the same petitions in the same
order, never one the access policy hides."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from sqlalchemy import select

from service.domain.casework import listing, lookup, paging, search
from service.domain.people.access import visible_petitions
from service.models import Deadline, Flag
from tests import factories
from tests.factories import builder

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.timezone.utc)
UNIT, OTHER = "11914", "11737"

make = builder(content="Đèn đường hỏng.", unit=UNIT, address=None, consent=True, now=NOW)


def user(session, role="staff", office="van_phong"):
    office = office if role in ("staff", "office_head") else None
    return factories.user(session, f"{role}-{office}", role, UNIT, office, commit=False)


def city(session, n=24, seed=7):
    """n petitions in two units: roads (some flooded), denunciations, one flagged đông người, due dates spread."""
    rng = random.Random(seed)
    made = []
    for i in range(n):
        kind, category = (("to_cao", "can_bo_cong_vu") if i % 4 == 0 else ("phan_anh", "ha_tang_giao_thong"))
        text = f"Đường số {i} ngập nước sau mưa." if i % 3 else f"Cán bộ số {i} thu tiền ngoài quy định."
        made.append(make(session, text, kind=kind, category=category, unit=UNIT if i % 2 else OTHER,
                         now=NOW - dt.timedelta(hours=i)))
    session.flush()
    for i, petition in enumerate(made):
        for d in session.scalars(select(Deadline).where(Deadline.petition_id == petition.id)):
            d.due_at = NOW + dt.timedelta(days=rng.choice([-9, -2, 1, 3, 20]))
            d.met_at = NOW if i % 5 == 0 else None
        if i % 4 == 0:
            petition.needs_review = True
    session.add(Flag(code="dong_nguoi", petition_id=made[1].id, raised_at=NOW, explanation={}))
    session.flush()
    return made


def people(session):
    return [user(session, "staff", "van_phong"), user(session, "staff", "phong_kinh_te"),
            user(session, "office_head", "phong_kinh_te"), user(session, "chairperson"), user(session, "inspector"),
            user(session, "admin")]


def test_a_search_is_counted_from_its_candidates_as_the_counting_query_counts_it(session):
    city(session)
    for person in people(session):
        for q in ("ngap nuoc", "duong", "thu tien", "khong co dau"):
            for f in (search.PetitionFilters(q=q), search.PetitionFilters(q=q, overdue=True),
                      search.PetitionFilters(q=q, unit=OTHER)):
                page = search.inbox_page(session, person, f, now=NOW, per_page=50)
                counted = search.status_counts(session, person, f, now=NOW)
                assert not page.counts.more and page.counts.by_status == counted.by_status, (person.role, f)
                assert page.counts.needs_review == counted.needs_review, (person.role, f)
                visible = set(session.scalars(search.filtered(person, f, NOW).with_only_columns(
                    search.Petition.id)))
                assert {r.petition.id for r in page.rows} == visible, (person.role, f)  # never more than the policy


def test_a_search_with_more_matches_than_it_ranks_says_more_and_keeps_its_rows(session, monkeypatch):
    city(session)
    admin = user(session, "admin")
    f = search.PetitionFilters(q="duong")
    before = search.inbox_page(session, admin, f, now=NOW, per_page=5)
    assert not before.counts.more
    monkeypatch.setattr(lookup, "RANK_CAP", 6)
    page = search.inbox_page(session, admin, f, now=NOW, per_page=5)
    assert page.counts.more and page.counts.cap == 6 and page.total is None and page.has_next
    listed = listing.list_page(session, admin, f, per_page=5, now=NOW)  # API v1: an estimate, said to be one
    assert listed.total_exact is False and listed.total >= 7
    monkeypatch.setattr(lookup, "RANK_CAP", 500)
    exact = listing.list_page(session, admin, f, per_page=5, now=NOW)
    assert exact.total_exact and exact.total == before.counts.total(None)
    for walk_ids in (1, 10 ** 9):  # PostgreSQL: the trigram plan, then the primary key walked backwards
        monkeypatch.setattr(paging, "WALK_IDS", walk_ids)
        again = search.inbox_page(session, admin, f, now=NOW, per_page=5)
        assert [r.petition.code for r in again.rows] == [r.petition.code for r in before.rows]
        assert again.counts == before.counts


def test_a_view_of_every_unit_counts_up_to_its_own_cap(session, monkeypatch):
    city(session)
    clerk, inspector, admin = user(session), user(session, "inspector"), user(session, "admin")
    monkeypatch.setattr(search, "CROSS_UNIT_COUNT_CAP", 3)
    assert search.inbox_page(session, admin, search.PetitionFilters(), now=NOW).counts.more
    assert search.inbox_page(session, inspector, search.PetitionFilters(), now=NOW).counts.more
    assert not search.inbox_page(session, clerk, search.PetitionFilters(), now=NOW).counts.more  # one unit: exact
    assert listing.list_page(session, admin, search.PetitionFilters(), now=NOW).total_exact is False


def test_a_unit_seen_by_an_inspector_or_admin_pages_as_before(session):
    city(session, n=40)
    for person in (user(session, "inspector"), user(session, "admin")):
        for f in (search.PetitionFilters(unit=UNIT), search.PetitionFilters(unit=OTHER, overdue=True),
                  search.PetitionFilters(unit=UNIT, overdue=False), search.PetitionFilters(unit="00000")):
            resolved = search.resolved(session, f)
            everyone = set(session.scalars(visible_petitions(person).with_only_columns(search.Petition.id)))
            by_offset, page = [], 1
            while True:
                rows, more = search.page_rows(session, person, resolved, page=page, per_page=4, now=NOW)
                by_offset += [p.id for p, _, _ in rows]
                page += 1
                if not more:
                    break
            by_cursor, after = [], None
            while True:
                rows, more, cursor = paging.walk(session, person, resolved, per_page=4, after=after, now=NOW)
                by_cursor += [p.id for p, _, _ in rows]
                if not more:
                    break
                after = paging.decode(cursor.encode())
            expected = set(session.scalars(search.filtered(person, replace(f, unit_id=None), NOW)
                                           .with_only_columns(search.Petition.id)))
            assert by_cursor == by_offset and set(by_offset) == expected <= everyone, (person.role, f)
            assert by_offset == sorted(expected, key=lambda pid: inbox_order(session, pid)), (person.role, f)


def inbox_order(session, pid):
    """The inbox order, computed by hand: the nearest open deadline (due, id) first, then the newest."""
    open_ = session.execute(select(Deadline.due_at, Deadline.id).where(
        Deadline.petition_id == pid, Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))).all()
    if open_:
        due, did = min(open_)
        return 0, due.timestamp(), did
    return 1, -session.get(search.Petition, pid).received_at.timestamp(), -pid
