"""Row counts from PostgreSQL's planner, for lists whose exact size nobody needs (issue #19).

An inspector's or an administrator's view spans the city: counting it exactly on every page view reads
hundreds of thousands of rows. EXPLAIN (nothing executed, well under a millisecond) says roughly how
many rows match; the inbox shows "hơn 20.000" when that is far past the cap, and counts otherwise.
"""
from __future__ import annotations

import json

from sqlalchemy import Select, text
from sqlalchemy.orm import Session

from service.models.petition import Petition

# The planner may be off several times over on OR / EXISTS filters: only an estimate this many times the cap
# skips the count (a smaller one is counted, exactly up to the cap).
SKIP_COUNT_FACTOR = 5


def planner_rows(session: Session, stmt: Select) -> int | None:
    """PostgreSQL's estimate of the rows of a SELECT of petitions; None on other databases."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    compiled = stmt.with_only_columns(Petition.id).order_by(None).compile(
        dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    plan = session.execute(text("EXPLAIN (FORMAT JSON) " + str(compiled))).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def surely_more_than(session: Session, stmt: Select, cap: int) -> bool:
    """True when the planner is confident the SELECT matches far more than `cap` rows."""
    estimate = planner_rows(session, stmt)
    return estimate is not None and estimate > SKIP_COUNT_FACTOR * cap


# A count that has not finished in this time is not worth the page's wait: the page shows an estimate.
COUNT_BUDGET_MS = 60
# Below this estimate a count is always cheap: it runs without the time limit (and small tests never meet it).
BUDGET_FROM_ROWS = 2_000


def within_budget(session: Session, run, estimate: int | None):
    """run() (a counting query) on PostgreSQL under a statement timeout of COUNT_BUDGET_MS when the planner expects
    many rows; None when it ran out of time (its savepoint is rolled back, the transaction goes on)."""
    from sqlalchemy.exc import OperationalError

    if estimate is None or estimate < BUDGET_FROM_ROWS or session.get_bind().dialect.name != "postgresql":
        return run()
    savepoint = session.begin_nested()
    session.execute(text(f"SET LOCAL statement_timeout = {COUNT_BUDGET_MS}"))
    try:
        result = run()
    except OperationalError as err:
        savepoint.rollback()  # also undoes the SET LOCAL
        if getattr(err.orig, "sqlstate", None) == "57014":  # query_canceled: the budget ran out
            return None
        raise
    session.execute(text("SET LOCAL statement_timeout = DEFAULT"))
    savepoint.commit()
    return result


def counted_or_estimated(session: Session, stmt: Select, run, cap: int, scope: int | None = None):
    """(run(), None) when the count of `stmt` was made; (None, estimate) when it was not: skipped because the planner
    expects far more than `cap`, or out of time (the estimate is given only when it is at most `cap`).

    `scope`: the planner's rows of the same list without its word search. The planner cannot tell how many rows
    `LIKE '%word%'` keeps (it guessed 550 for 5,640 at a million), so a search over a large scope is counted under
    the time budget too: past it the page says "khoảng N" instead of waiting 300 ms (issue #19)."""
    estimate = planner_rows(session, stmt)
    if estimate is not None and estimate > SKIP_COUNT_FACTOR * cap:
        return None, None
    result = within_budget(session, run, estimate if scope is None or estimate is None else max(estimate, scope))
    if result is None:
        return None, estimate if estimate is not None and estimate <= cap else None
    return result, None
