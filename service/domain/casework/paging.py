"""Keyset pagination of the staff inbox and API v1's list (issue #19): "next page" starts where the last row was.

The inbox order is: petitions with an open deadline by their nearest one (due_at, deadline id), then those
without one, newest first (received_at DESC, id DESC); a word search is ranked (lookup.ranked) over at most
lookup.RANK_CAP matches (the newest ones). An OFFSET reads and throws away every row before the page (and past the petitions with a
deadline it first counts them); a cursor — the sort key of the last row shown, e.g. `d1795402800123456.41` (the
segment, the key's time in microseconds since 1970 UTC, the row's id) or `r40` (rows of the ranking already shown) —
starts the next page right there, so any page costs what the first does. Every text CURSOR_PATTERN admits is a
cursor (the API document states the pattern, issue #18): a time past the calendar's ends only walks off the end. `page=` still works
(old links, the "previous page" link); a cursor of another order (a search typed since) is ignored.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from dataclasses import dataclass, replace

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, load_only

from service.db import utcnow
from service.domain.casework import lookup, search
from service.domain.deadlines.rules import due_soon_cutoff
from service.domain.people.access import sees_every_unit
from service.models.deadline import Deadline
from service.models.petition import Petition
from service.models.user import User

MAX_CURSOR_CHARS = 200
SEGMENTS = ("d", "n", "r")  # nearest open deadline / no open deadline / ranked search (an offset into the ranking)
CURSOR_PATTERN = r"^(?:[dn][0-9]{1,18}\.[0-9]{1,18}|r[0-9]{1,9})?$"  # empty: the first page
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_LAST = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Cursor:
    segment: str
    at: dt.datetime | None  # the last row's due_at ("d") or received_at ("n")
    id: int  # its deadline's id ("d"), the petition's id ("n"), or the ranked rows already shown ("r")

    def encode(self) -> str:
        if self.at is None:
            return f"{self.segment}{self.id}"
        return f"{self.segment}{(self.at - EPOCH) // dt.timedelta(microseconds=1)}.{self.id}"


def _bad(text: str) -> search.BadFilter:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return search.BadFilter(f"Bộ lọc không hợp lệ: vị trí trang “{shown}” không đúng; hãy mở lại trang đầu.",
                            "Invalid filters: after",
                            fields={"after": [f"Vị trí trang “{shown}” không hợp lệ; hãy mở lại trang đầu."]})


def decode(text: str | None) -> Cursor | None:
    """The cursor of an `after=` parameter; None when there is none; BadFilter when it is not one of ours."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_CURSOR_CHARS or not re.fullmatch(CURSOR_PATTERN, text):
        raise _bad(text)
    if text[0] == "r":
        return Cursor("r", None, int(text[1:]))
    micros, ident = text[1:].split(".")
    try:
        when = EPOCH + dt.timedelta(microseconds=int(micros))
    except OverflowError:  # past year 9999: after every row there is
        when = _LAST
    return Cursor(text[0], min(when, _LAST), int(ident))


def walk(session: Session, user: User, f: search.PetitionFilters, *, page: int = 1, per_page: int = search.PER_PAGE,
         after: Cursor | None = None, now: dt.datetime | None = None, soon_cutoff: dt.datetime | None = None,
         rank: bool = True) -> tuple[list[tuple[Petition, dt.datetime | None, str | None]], bool, Cursor | None]:
    """[(petition, nearest open due, its step)] of one page, whether a next page exists, and its cursor.

    Each petition's nearest open deadline is the one no other open deadline of it precedes (due, id), so walking
    open deadlines in due order yields petitions in inbox order and stops after a page. With `after` the walk
    starts past that row (an index range, whatever the depth); otherwise `page` is an offset.
    """
    now = now or utcnow()
    if rank and lookup.ranks(f.q):  # a word search: the best matches first (lookup.score)
        rows, has_next, cursor, _ = walk_ranked(session, user, f, page=page, per_page=per_page, after=after, now=now,
                                                soon_cutoff=soon_cutoff)
        return rows, has_next, cursor
    if after is not None and after.segment == "r":
        after = None
    search._serial_plans(session)
    cutoff = soon_cutoff or due_soon_cutoff(now)
    base = search.filtered(user, f, now, soon_cutoff=cutoff)
    d, other = aliased(Deadline), aliased(Deadline)
    earlier = exists().where(other.petition_id == d.petition_id, search._is_open(other),
                             or_(other.due_at < d.due_at, and_(other.due_at == d.due_at, other.id < d.id)))
    # Late and due soon, said of the nearest deadline `d` (the same rows as filtered's EXISTS), so the
    # walk is a range of the due index.
    walked = search.filtered(user, replace(f, overdue=None, due_soon=None), now)
    if f.unit and not f.due_soon and sees_every_unit(user) and session.get_bind().dialect.name == "postgresql":
        # One unit for a user who sees every unit (an inspector's `unit=`): that unit's petitions first (an InitPlan
        # over ix_petitions_unit_received), then their open deadlines; walking the city's deadlines in due order
        # met the unit's denunciations once in 1,000 (24,000 probes, 80 ms at a million, issue #19).
        scope = walked.with_only_columns(Petition.id).order_by(None).scalar_subquery()
        pid = d.petition_id
        with_due = select(pid).where(pid == func.any(func.array(scope)), search._is_open(d), ~earlier)
    else:
        pid = Petition.id
        with_due = walked.join(d, d.petition_id == Petition.id).where(search._is_open(d), ~earlier)
    if f.overdue is not None:
        with_due = with_due.where(d.due_at < now if f.overdue else d.due_at >= now)
    if f.due_soon:
        with_due = with_due.where(d.due_at >= now, or_(d.due_at <= cutoff, search._open_flag("sap_han")))
    offset = 0 if after is not None else (max(page, 1) - 1) * per_page
    rows: list[tuple[int, dt.datetime | None, str | None, Cursor]] = []
    if after is None or after.segment == "d":
        if after is not None:  # (due_at, id) > the cursor's, written so that due_at >= … is the index's range
            with_due = with_due.where(d.due_at >= after.at, or_(d.due_at > after.at, d.id > after.id))
        # Ids first, the rows after: the walk then reads only indexes (ix_petitions_inbox, ix_deadlines_open_*).
        found = session.execute(with_due.with_only_columns(pid, d.due_at, d.step, d.id)
                                .order_by(d.due_at, d.id).offset(offset).limit(per_page + 1)).all()
        rows = [(pid, due, step, Cursor("d", due, did)) for pid, due, step, did in found]
    if len(rows) <= per_page and not f.overdue:  # the page reaches the petitions without an open deadline
        # (with due_soon only a stale sap_han flag could bring one: `base` still says so)
        rest_offset = 0
        if not rows and offset:  # the page starts past the petitions with a deadline: skip what remains of the offset
            before = select(func.count()).select_from(with_due.with_only_columns(pid).limit(offset).subquery())
            rest_offset = offset - (session.scalar(before) or 0)
        without = base.with_only_columns(Petition.id, Petition.received_at).where(
            ~exists().where(search._open_deadline()))
        if after is not None and after.segment == "n":
            without = without.where(Petition.received_at <= after.at,
                                    or_(Petition.received_at < after.at, Petition.id < after.id))
        rows += [(pid, None, None, Cursor("n", received, pid)) for pid, received in session.execute(
            without.order_by(Petition.received_at.desc(), Petition.id.desc())
            .offset(rest_offset).limit(per_page + 1 - len(rows)))]
    rows, has_next = rows[:per_page], len(rows) > per_page
    loaded = {p.id: p for p in session.scalars(select(Petition).where(Petition.id.in_([r[0] for r in rows])))}
    return ([(loaded[pid], due, step) for pid, due, step, _ in rows], has_next,
            rows[-1][3] if has_next and rows else None)


@dataclass(frozen=True)
class Matches:
    """What the ranked candidates of a word search say of the whole result: its petitions per status and those
    waiting for reclassification, exact when `more` is False (every match is a candidate), else over the newest
    lookup.RANK_CAP only."""
    by_status: dict[str, int]
    needs_review: int
    count: int
    more: bool


# What ranking a candidate reads (lookup.score, confidential.list_title/list_content, and the stored folded text that
# spares folding 500 texts a page) and the counts: the other columns (JSON classification, routing, …) are loaded
# for the page's rows only (issue #19: 35 ms for 500 rows).
_RANK_COLUMNS = (Petition.id, Petition.kind, Petition.identity_disclosed, Petition.title, Petition.content,
                 Petition.title_redacted, Petition.content_redacted, Petition.content_folded, Petition.received_at,
                 Petition.status, Petition.needs_review, Petition.unit_id, Petition.lead_office_id,
                 Petition.assignee_id)


def walk_ranked(session: Session, user: User, f: search.PetitionFilters, *, page: int = 1,
                per_page: int = search.PER_PAGE, after: Cursor | None = None, now: dt.datetime | None = None,
                soon_cutoff: dt.datetime | None = None
                ) -> tuple[list[tuple[Petition, dt.datetime | None, str | None]], bool, Cursor | None, Matches]:
    """One page of a word search (walk's ranked order), and what its candidates say of the whole result (Matches):
    the inbox's counts and API v1's total come from the same query instead of searching the text again."""
    now = now or utcnow()
    every, more = _newest_matches(session, user, f, now, soon_cutoff)
    start = after.id if after is not None and after.segment == "r" else (max(page, 1) - 1) * per_page
    ordered = lookup.ranked(session, user, every, f.q)
    has_next = more or len(ordered) > start + per_page
    shown = ordered[start:start + per_page]
    if shown:  # the page's rows with every column (the candidates were read with _RANK_COLUMNS only)
        session.execute(select(Petition).where(Petition.id.in_([p.id for p, _, _ in shown]))
                        .execution_options(populate_existing=True)).all()
    by_status: dict[str, int] = {}
    for petition, _, _ in every:
        by_status[petition.status] = by_status.get(petition.status, 0) + 1
    matches = Matches(by_status, sum(1 for p, _, _ in every if p.needs_review), len(every), more)
    return shown, has_next, Cursor("r", None, start + per_page) if has_next else None, matches


def _newest_matches(session: Session, user: User, f: search.PetitionFilters, now: dt.datetime,
                    soon_cutoff: dt.datetime | None) -> tuple[list[tuple[Petition, dt.datetime | None, str | None]], bool]:
    """The newest lookup.RANK_CAP matches of a word search in inbox order (nearest open deadline first, then the
    newest), and whether there are more. Newest by id (the order of entry), not by the nearest deadline: PostgreSQL
    reads the trigram index's matches and keeps the RANK_CAP + 1 highest ids (a top-N sort, no join with the
    deadlines), where walking deadlines in due order read every open deadline of the city before rare words were
    found (6 s for an inspector's four-word search at a million, issue #19). Ordering by received_at instead let the
    planner walk the whole table backwards for a rare word it thought common (1.3 s for "karaoke").
    """
    search._serial_plans(session)
    base = search.filtered(user, f, now, soon_cutoff=soon_cutoff or due_soon_cutoff(now))
    # The candidates themselves, not their ids and then the rows (one query fewer), with the columns ranking reads
    found = _newest(session, base.options(load_only(*_RANK_COLUMNS[1:])), lookup.RANK_CAP + 1)
    more, found = len(found) > lookup.RANK_CAP, found[:lookup.RANK_CAP]
    if not found:
        return [], False
    ids = [p.id for p in found]
    nearest: dict[int, tuple[dt.datetime, int, str]] = {}
    for pid, due, did, step in session.execute(
            select(Deadline.petition_id, Deadline.due_at, Deadline.id, Deadline.step)
            .where(Deadline.petition_id.in_(ids), search._is_open()).order_by(Deadline.due_at, Deadline.id)):
        nearest.setdefault(pid, (due, did, step))
    loaded = {p.id: p for p in found}

    def order(pid: int):
        if pid in nearest:
            return 0, nearest[pid][0].timestamp(), nearest[pid][1]
        return 1, -loaded[pid].received_at.timestamp(), -pid

    return [(loaded[pid], *((nearest[pid][0], nearest[pid][2]) if pid in nearest else (None, None)))
            for pid in sorted(ids, key=order)], more


# A word search across the city (issue #19): PostgreSQL cannot tell how many rows `LIKE '%…%'` keeps (it guessed 565
# for 5,640, 2,450 for 25,134), so it often reads every trigram match and its row (33,000 heap blocks, 80 ms for an
# inspector's "cán bộ thu tiền") where walking the newest ids backwards meets 501 matches after 86,000 rows (38 ms).
# The newest SAMPLE_IDS ids say how often the search matches; when the walk is then expected to stop within
# WALK_IDS ids it is taken, else the trigram plan (a rare match: "ngập nước" and overdue, 1 in 630).
SAMPLE_IDS = 5_000
WALK_IDS = 150_000


def _newest(session: Session, stmt, limit: int) -> list[Petition]:
    """The first `limit` petitions of `stmt` by id, newest first: the same rows whichever plan reads them."""
    ordered = stmt.order_by(Petition.id.desc()).limit(limit)
    if session.get_bind().dialect.name != "postgresql":
        return list(session.scalars(ordered))
    top = session.scalar(select(func.max(Petition.id)))
    if top is None:
        return []
    with search.index_order(session):  # the primary key's range, not every trigram match
        sample = session.scalar(select(func.count()).select_from(
            stmt.with_only_columns(Petition.id).where(Petition.id > top - SAMPLE_IDS).order_by(None).subquery())) or 0
    walk = sample * WALK_IDS >= limit * SAMPLE_IDS  # else the walk would read too far: the trigram index
    with search.index_order(session) if walk else nullcontext():  # the primary key backwards, stopping at `limit`
        return list(session.scalars(ordered))
