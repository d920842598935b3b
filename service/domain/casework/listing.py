"""API v1's list of petitions (GET /api/v1/petitions): one page, and a total that is exact only when it is cheap.

An exact COUNT over a city-wide result reads hundreds of thousands of rows on every call (issue #19): the
total is counted exactly up to search.COUNT_CAP rows (search.CROSS_UNIT_COUNT_CAP for an inspector's or an
administrator's view of every unit); past it, PostgreSQL's planner estimate is given
(at least COUNT_CAP + 1) and flagged as such (`total_exact` false). A word search is counted by its ranked
candidates: exact up to lookup.RANK_CAP matches, past it an estimate of at least RANK_CAP + 1. `has_next` says
whether another page follows, whatever the total.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from service.domain.casework import estimates, lookup, paging, search
from service.models.petition import Petition
from service.models.user import User


@dataclass
class Listed:
    items: list[Petition]
    total: int
    total_exact: bool
    has_next: bool
    next_cursor: str | None = None  # `after=` of the next page (casework.paging)


def capped_count(session: Session, stmt: Select, cap: int) -> int | None:
    """The number of rows of `stmt` when it is at most `cap`, else None (reads at most cap + 1 rows)."""
    inner = stmt.with_only_columns(Petition.id).order_by(None).limit(cap + 1).subquery()
    n = session.scalar(select(func.count()).select_from(inner)) or 0
    return n if n <= cap else None


def count_or_estimate(session: Session, stmt: Select, cap: int | None = None) -> tuple[int, bool]:
    """(total, exact): exact up to `cap` (default search.COUNT_CAP), otherwise an estimate of at least cap + 1."""
    cap = search.COUNT_CAP if cap is None else cap
    exact = capped_count(session, stmt, cap)
    if exact is not None:
        return exact, True
    return max(estimates.planner_rows(session, stmt) or 0, cap + 1), False


def list_page(session: Session, user: User, f: search.PetitionFilters, *, page: int = 1, per_page: int = 20,
              now: dt.datetime | None = None, cap: int | None = None, after: str | None = None) -> Listed:
    """One page: from `after` (a cursor, any depth at the cost of the first page) or else the `page`-th."""
    per_page = max(1, min(per_page, search.MAX_PER_PAGE))
    f = search.resolved(session, f)
    if lookup.ranks(f.q):  # a word search: the total from its ranked candidates, not a second search of the text
        rows, has_next, cursor, matches = paging.walk_ranked(session, user, f, page=page, per_page=per_page, now=now,
                                                             after=paging.decode(after))
        total, exact = matches.count, not matches.more
        if matches.more:
            total = max(estimates.planner_rows(session, search.filtered(user, f, now)) or 0, matches.count + 1)
    else:
        rows, has_next, cursor = paging.walk(session, user, f, page=page, per_page=per_page, now=now,
                                             after=paging.decode(after))
        total, exact = count_or_estimate(session, search.filtered(user, f, now),
                                         search.count_cap(user) if cap is None else cap)
    return Listed([petition for petition, _, _ in rows], total, exact, has_next, cursor.encode() if cursor else None)
