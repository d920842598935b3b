"""Listing petitions for staff: filters, diacritics-free search, paging; the nearest deadline first.

The staff inbox (`inbox_page`) shows one page in a bounded number of queries whatever the size of
the result: the page walks open deadlines in due order (an index range) instead of computing every
petition's nearest deadline, and the counts per status stop at COUNT_CAP (bench/inbox.py).
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session

from service.db import utcnow
from service.domain.casework import estimates, lookup
from service.domain.codes import STATUSES
from service.domain.deadlines.calendar import Calendar, local_date
from service.domain.deadlines.rules import due_soon_cutoff
from service.domain.errors import DomainError
from service.domain.intake.tracking import normalise_code
from service.domain.people import confidential
from service.domain.people.access import (HIDDEN_DENOUNCER, can_see_identity, sees_every_unit,
                                          visible_petitions)
from service.domain.routing.units import CITY_OFFICES, COMMUNE_OFFICES
from service.models.deadline import Deadline
from service.models.flag import Flag
from service.models.person import Person
from service.models.petition import Petition
from service.models.unit import Office, Unit
from service.models.user import User

MAX_PER_PAGE = 100
PER_PAGE = 20
MAX_PAGE = 100_000
MAX_QUERY_CHARS = 200
# Counts stop here ("hơn 20.000"): one unit's petitions (about 9,000 in three years at a million in the
# city) are counted exactly; an exact count of a city-wide result would scan hundreds of thousands of
# rows on every page view (bench/inbox.py).
COUNT_CAP = 20_000
# A view across units (inspector, admin) counts up to here ("hơn 1.000"): its counts read whatever rows match
# first, and 20,001 of them cost 60 ms and more at a million (the inspector's overdue view, issue #19).
CROSS_UNIT_COUNT_CAP = 1_000
ANONYMOUS_DENOUNCER = "Tố cáo nặc danh"  # Luật Tố cáo 2018 Điều 25: handled as information, no identity
ANONYMOUS = "Không ghi tên"
ROW_FLAGS = ("dong_nguoi", "phuc_tap_keo_dai")  # the deadline badge already says quá hạn / sắp hạn
OFFICES = {**COMMUNE_OFFICES, **CITY_OFFICES}
STATUSES_FIRST = next(iter(STATUSES))  # where an uncounted "more than the cap" is kept (never shown)


class BadFilter(DomainError):
    """A query parameter of the inbox is not a value it knows (HTTP 400)."""

    code = "bad_filter"
    http_status = 400


@dataclass
class PetitionFilters:
    unit: str | None = None  # unit code
    office: str | None = None  # office code
    kind: str | None = None
    category: str | None = None
    status: str | None = None
    flag: str | None = None
    channel: str | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    overdue: bool | None = None
    needs_review: bool | None = None
    q: str | None = None  # words, with or without diacritics, or a tracking code
    due_soon: bool | None = None  # an open deadline due within the sắp hạn window, or a sap_han flag
    mine: bool | None = None  # assigned to the user
    unit_id: int | None = None  # the id of `unit` (`resolved`): a constant the planner can estimate, not a subquery


def resolved(session: Session, f: PetitionFilters) -> PetitionFilters:
    """`f` with its unit's id looked up once: `unit_id = 50` lets PostgreSQL read one unit's petitions from
    ix_petitions_unit_received, where `unit_id = (SELECT …)` made it walk every open deadline of the city (an
    inspector's unit filter, 160 ms at a million, issue #19)."""
    if not f.unit or f.unit_id is not None:
        return f
    return replace(f, unit_id=session.scalar(select(Unit.id).where(Unit.code == f.unit)) or -1)


def _is_open(d=Deadline):
    return and_(d.met_at.is_(None), d.cancelled_at.is_(None))


def _open_deadline(now: dt.datetime | None = None):
    cond = and_(Deadline.petition_id == Petition.id, _is_open())
    return cond if now is None else and_(cond, Deadline.due_at < now)


def _open_flag(code: str):
    return exists().where(Flag.petition_id == Petition.id, Flag.code == code, Flag.cleared_at.is_(None))


def _search(stmt: Select, q: str | None, user: User) -> Select:
    """A tracking code finds its petition; a phone number (any spelling) or an exact name finds the petitions of
    that petitioner the user may see the identity of (`lookup.clause`); otherwise every folded word must occur in
    the folded content. A sealed denunciation's folded content is its redacted text
    (service.domain.people.confidential), and its denouncer's phone or name finds it only for those who may know
    who denounced (TC Đ47)."""
    if not q or not q.strip():
        return stmt
    code = normalise_code(q.strip())
    if code:
        return stmt.where(Petition.code == code)
    return stmt.where(lookup.clause(user, q))


def filtered(user: User, f: PetitionFilters, now: dt.datetime | None = None, *,
             soon_cutoff: dt.datetime | None = None) -> Select:
    """The petitions `user` may see that pass every filter, as a SELECT of Petition (unordered)."""
    now = now or utcnow()
    stmt = visible_petitions(user)
    if f.unit:
        stmt = stmt.where(Petition.unit_id == (f.unit_id if f.unit_id is not None else
                                               select(Unit.id).where(Unit.code == f.unit).scalar_subquery()))
    if f.office:
        stmt = stmt.where(Petition.lead_office_id.in_(select(Office.id).where(Office.code == f.office)))
    for column, value in ((Petition.kind, f.kind), (Petition.category, f.category), (Petition.status, f.status),
                          (Petition.channel, f.channel)):
        if value:
            stmt = stmt.where(column == value)
    if f.flag:
        stmt = stmt.where(_open_flag(f.flag))
    if f.received_from:
        stmt = stmt.where(Petition.received_at >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Petition.received_at <= f.received_to)
    if f.overdue is not None:
        late = exists().where(_open_deadline(now))
        stmt = stmt.where(late if f.overdue else ~late)
    if f.due_soon:  # not late, and a deadline within the window or the scan's sap_han flag
        cutoff = soon_cutoff or due_soon_cutoff(now)
        soon = exists().where(_open_deadline(), Deadline.due_at >= now, Deadline.due_at <= cutoff)
        stmt = stmt.where(~exists().where(_open_deadline(now)), or_(soon, _open_flag("sap_han")))
    if f.needs_review is not None:
        stmt = stmt.where(Petition.needs_review.is_(f.needs_review))
    if f.mine:
        stmt = stmt.where(Petition.assignee_id == user.id)
    return _search(stmt, f.q, user)


def count_cap(user: User) -> int:
    """Where the counts of this user's lists stop: COUNT_CAP, or CROSS_UNIT_COUNT_CAP for a view of every unit."""
    return CROSS_UNIT_COUNT_CAP if sees_every_unit(user) else COUNT_CAP


def list_petitions(session: Session, user: User, f: PetitionFilters, *, page: int = 1, per_page: int = 20,
                   now: dt.datetime | None = None) -> tuple[list[Petition], int]:
    """One page and its total: exact up to COUNT_CAP, an estimate past it (casework.listing.list_page says which)."""
    from service.domain.casework.listing import list_page

    listed = list_page(session, user, f, page=page, per_page=per_page, now=now)
    return listed.items, listed.total


# --- the page: nearest open deadline first, then petitions without one, newest first ------------------

def _serial_plans(session: Session) -> None:
    """The inbox queries stop after a page or a capped count; PostgreSQL's parallel workers would each run
    far ahead of that limit (60k index probes instead of 3k for one unit's first page, bench/inbox.py)."""
    if session.get_bind().dialect.name == "postgresql":  # nor compile it: JIT cost 40 ms a page (issue #19)
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off"))


@contextmanager
def index_order(session: Session):
    """PostgreSQL without bitmap scans for the statements inside: a primary key's or a small queue's index instead of
    every trigram match of a word search, whose count the planner cannot guess (issue #19; see paging._newest)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SET LOCAL enable_bitmapscan = off"))
    try:
        yield
    finally:
        if postgres:
            session.execute(text("SET LOCAL enable_bitmapscan TO DEFAULT"))


def page_rows(session: Session, user: User, f: PetitionFilters, *, page: int = 1, per_page: int = PER_PAGE,
              now: dt.datetime | None = None, soon_cutoff: dt.datetime | None = None, rank: bool = True
              ) -> tuple[list[tuple[Petition, dt.datetime | None, str | None]], bool]:
    """[(petition, nearest open due, its step)] of one page, and whether a next page exists (casework.paging;
    `paging.walk` also gives the next page's cursor)."""
    from service.domain.casework import paging

    rows, has_next, _ = paging.walk(session, user, f, page=page, per_page=per_page, now=now,
                                    soon_cutoff=soon_cutoff, rank=rank)
    return rows, has_next


@dataclass
class Counts:
    by_status: dict[str, int]  # under every filter but the status; exact unless `more`
    needs_review: int  # the same petitions waiting for reclassification, whatever the review filter
    more: bool  # over `cap` petitions match, or not counted in time: by_status is then not shown
    cap: int
    approx: int | None = None  # not counted in time: the planner's estimate of the matches, when under the cap

    def total(self, status: str | None) -> int | None:
        """The count of the filtered list, None when it is over the cap."""
        if self.more:
            return None
        return self.by_status[status] if status else sum(self.by_status.values())


def status_counts(session: Session, user: User, f: PetitionFilters, *, now: dt.datetime | None = None,
                  soon_cutoff: dt.datetime | None = None, cap: int = COUNT_CAP) -> Counts:
    """Petitions per status under every filter but the status, and the needs-review queue of the same filters.

    Reads at most cap + 1 rows, in whatever order the planner finds them fastest: one unit's petitions are
    counted exactly; a city-wide result says "more than cap" (bench/inbox.py).
    """
    _serial_plans(session)
    base = filtered(user, replace(f, status=None), now, soon_cutoff=soon_cutoff)
    by_status = dict.fromkeys(STATUSES, 0)
    inner = base.with_only_columns(Petition.status).order_by(None).limit(cap + 1).subquery()
    by_count = select(inner.c.status, func.count()).group_by(inner.c.status)
    # A city-wide view is not counted ("hơn 20.000"), nor one that takes too long ("khoảng N"): estimates.py
    # A word search: the rows of the table (the planner's statistics, no query run), where the words are looked for
    # (estimates.counted_or_estimated). Not the filtered scope: the planner misjudges an office's OR as 41 rows.
    scope = estimates.planner_rows(session, select(Petition)) if lookup.ranks(f.q) else None
    counted, approx = estimates.counted_or_estimated(session, base, lambda: session.execute(by_count).all(), cap,
                                                     scope)
    by_status[STATUSES_FIRST] = 0 if counted is not None else cap + 1
    for status, n in counted or ():
        by_status[status] = by_status.get(status, 0) + n
    return Counts(by_status, _review_count(session, user, f, now, soon_cutoff, cap, scope),
                  sum(by_status.values()) > cap, cap, approx)


def _review_count(session: Session, user: User, f: PetitionFilters, now, soon_cutoff, cap: int,
                  scope: int | None = None) -> int:
    """The petitions of the same filters waiting for reclassification, up to cap + 1 (more: cap + 1)."""
    if scope is None and lookup.ranks(f.q):
        scope = estimates.planner_rows(session, select(Petition))
    review = filtered(user, replace(f, status=None, needs_review=True), now, soon_cutoff=soon_cutoff)
    review_count = select(func.count()).select_from(
        review.with_only_columns(Petition.id).order_by(None).limit(cap + 1).subquery())
    # A word search: the queue's few petitions read through ix_petitions_needs_review and their text checked, not
    # every trigram match of the city (30 ms for an inspector's four words at a million)
    with index_order(session) if lookup.ranks(f.q) else nullcontext():
        n_review, review_approx = estimates.counted_or_estimated(session, review,
                                                                lambda: session.scalar(review_count) or 0, cap, scope)
    return n_review if n_review is not None else review_approx if review_approx is not None else cap + 1


def search_counts(session: Session, user: User, f: PetitionFilters, matches, *, now: dt.datetime | None = None,
                  soon_cutoff: dt.datetime | None = None) -> Counts:
    """The counts of a word search from its ranked candidates (casework.paging.Matches), not a second search of the
    text (issue #19: 20–300 ms at a million): exact when every match is a candidate, else "hơn RANK_CAP" — the
    candidates were read under every filter, the status too, so with a status filter the other tabs are counted."""
    if f.status:
        return status_counts(session, user, f, now=now, soon_cutoff=soon_cutoff, cap=count_cap(user))
    if not matches.more:
        by_status = dict.fromkeys(STATUSES, 0)
        for status, n in matches.by_status.items():
            by_status[status] = by_status.get(status, 0) + n
        return Counts(by_status, matches.needs_review, False, lookup.RANK_CAP)
    by_status = {**dict.fromkeys(STATUSES, 0), STATUSES_FIRST: lookup.RANK_CAP + 1}
    return Counts(by_status, _review_count(session, user, f, now, soon_cutoff, lookup.RANK_CAP), True, lookup.RANK_CAP)


@dataclass
class InboxRow:
    petition: Petition
    due_at: dt.datetime | None
    due_step: str | None
    due_state: str | None  # late | soon | ok
    days_left: int | None  # calendar days from today to the due day (negative when late)
    petitioner: str | None
    identity_hidden: bool
    office: str | None
    unit: str | None
    flags: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        """A sealed denunciation's lists show its redacted title and text only (Luật Tố cáo Điều 47)."""
        return confidential.list_title(self.petition)

    @property
    def text(self) -> str:
        return confidential.list_content(self.petition)


@dataclass
class InboxPage:
    rows: list[InboxRow]
    page: int
    per_page: int
    has_next: bool
    counts: Counts
    status: str | None
    next_cursor: str | None = None  # `after=` of the next page (casework.paging), when there is one

    @property
    def total(self) -> int | None:
        return self.counts.total(self.status)


def petitioner_label(user: User, petition: Petition, name: str | None) -> tuple[str | None, bool]:
    """(what the list shows as the petitioner, whether it is withheld). Luật Tố cáo Điều 47 k2."""
    if petition.anonymous:
        return (ANONYMOUS_DENOUNCER if petition.kind == "to_cao" else ANONYMOUS), False
    if petition.kind == "to_cao" and not _identity_visible(user, petition):
        return HIDDEN_DENOUNCER, True
    return name, False


def _identity_visible(user: User, petition: Petition) -> bool:
    # Every listed petition passed visible_petitions (the SQL form of can_view); for an inspector that is
    # all `can_see_identity` asks, and asking it again would cost a query per row.
    if user.role == "inspector":
        return True
    return can_see_identity(user, petition)


def inbox_page(session: Session, user: User, f: PetitionFilters, *, page: int = 1, per_page: int = PER_PAGE,
               now: dt.datetime | None = None, calendar: Calendar | None = None, after=None) -> InboxPage:
    """One page of the inbox with what each row shows, and the counts; six queries whatever the page.
    `after`: a casework.paging.Cursor (the next page from where the last one ended), else `page` is an offset."""
    from service.domain.casework import paging

    now = now or utcnow()
    f = resolved(session, f)
    calendar = calendar or Calendar.load(session)
    cutoff = due_soon_cutoff(now, calendar)
    if lookup.ranks(f.q):
        found, has_next, cursor, matches = paging.walk_ranked(session, user, f, page=page, per_page=per_page,
                                                              after=after, now=now, soon_cutoff=cutoff)
        counts = search_counts(session, user, f, matches, now=now, soon_cutoff=cutoff)
    else:
        found, has_next, cursor = paging.walk(session, user, f, page=page, per_page=per_page, after=after, now=now,
                                              soon_cutoff=cutoff)
        counts = status_counts(session, user, f, now=now, soon_cutoff=cutoff, cap=count_cap(user))
    ids = [p.id for p, _, _ in found]
    names, flags, offices, units = {}, {}, {}, {}
    if ids:
        for pid, name in session.execute(select(Person.petition_id, Person.name).where(
                Person.petition_id.in_(ids), Person.role == "petitioner").order_by(Person.id.desc())):
            names[pid] = name  # descending: the first petitioner wins
        for pid, code in session.execute(select(Flag.petition_id, Flag.code).where(
                Flag.petition_id.in_(ids), Flag.cleared_at.is_(None), Flag.code.in_(ROW_FLAGS)).order_by(Flag.id)):
            if code not in flags.setdefault(pid, []):
                flags[pid].append(code)
        office_ids = {p.lead_office_id for p, _, _ in found} - {None}
        offices = dict(session.execute(select(Office.id, Office.name).where(Office.id.in_(office_ids))).all())
        units = dict(session.execute(select(Unit.id, Unit.name).where(
            Unit.id.in_({p.unit_id for p, _, _ in found}))).all())
    today = local_date(now)
    rows = []
    for petition, due, step in found:
        shown, hidden = petitioner_label(user, petition, names.get(petition.id))
        state = days = None
        if due is not None:
            state = "late" if due < now else "soon" if due <= cutoff else "ok"
            days = (local_date(due) - today).days
        rows.append(InboxRow(petition, due, step, state, days, shown, hidden, offices.get(petition.lead_office_id),
                             units.get(petition.unit_id), flags.get(petition.id, [])))
    return InboxPage(rows, page, per_page, has_next, counts, f.status, cursor.encode() if cursor else None)

